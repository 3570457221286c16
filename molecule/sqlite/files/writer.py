"""The test app: inserts a row (id, wall-clock time, text) every 20 ms into a WAL-mode SQLite database."""
import os
import sqlite3
import sys
import time

path = sys.argv[1]
conn = sqlite3.connect(path, timeout=30)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, ts REAL NOT NULL, body TEXT NOT NULL)")
conn.commit()
body = "event from pid %d " % os.getpid() + "x" * 200
while True:
    conn.execute("INSERT INTO events (ts, body) VALUES (?, ?)", (time.time(), body))
    conn.commit()
    time.sleep(0.02)
