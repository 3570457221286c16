# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of SQLite backups, on this machine against moto's S3 server on 127.0.0.1.

1. Snapshot + check + compress + upload of a database of BENCH_DB_MB (default 1024) MB while a writer process
   commits a row every 10 ms: the timer script's seconds, and the writer's worst commit and worst gap between
   commits (target: no stall over 1 s).
2. Litestream's recovery point: a writer commits a timestamped row every 20 ms with `litestream replicate`
   running; both are killed at once, the database deleted and restored from the replica; the recovery point is
   the time between the last row written and the last row restored (target: 5 s or less). BENCH_RPO_RUNS runs.

  python tools/bench_sqlite.py LITESTREAM_BINARY
"""

import json
import multiprocessing
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))

from s3_server import S3Server  # noqa: E402

SCRIPT = os.path.join(ROOT, "roles", "sqlite_backup", "files", "frugal-sqlite-backup")
WORDS = ["question", "answer", "flask", "quiz", "score", "user", "session", "token", "topic", "level",
         "correct", "wrong", "points", "streak", "badge", "daily", "weekly", "pdf", "upload", "review"]


def build(path, megabytes):
    """A WAL database of about `megabytes` MB of text rows that compress the way app data does."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, user_id INTEGER, created REAL, body TEXT)")
    conn.execute("CREATE INDEX answers_user ON answers (user_id)")
    rnd = random.Random(7)  # noqa: S311 - test data, seeded for the same database every run
    target = megabytes * 1024 * 1024
    while os.path.getsize(path) + os.path.getsize(path + "-wal") < target:
        rows = [(rnd.randrange(100000), time.time(), " ".join(rnd.choice(WORDS) for word in range(30))
                 + " %016x" % rnd.getrandbits(64)) for row in range(20000)]
        conn.executemany("INSERT INTO answers (user_id, created, body) VALUES (?, ?, ?)", rows)
        conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def writer(path, interval, stop, out):
    """Commit a row every `interval` s until stop is set; record the worst commit and the worst gap."""
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, ts REAL NOT NULL, body TEXT)")
    conn.commit()
    worst_commit = worst_gap = 0.0
    count = 0
    last = time.monotonic()
    while not stop.is_set():
        t0 = time.monotonic()
        conn.execute("INSERT INTO events (ts, body) VALUES (?, ?)", (time.time(), "x" * 200))
        conn.commit()
        t1 = time.monotonic()
        worst_commit = max(worst_commit, t1 - t0)
        worst_gap = max(worst_gap, t1 - last)
        last = t1
        count += 1
        time.sleep(interval)
    conn.close()
    out.put({"commits": count, "worst_commit": worst_commit, "worst_gap": worst_gap})


def snapshot_under_load(work, server, megabytes):
    db = os.path.join(work, "app.sqlite3")
    t0 = time.monotonic()
    build(db, megabytes)
    size = os.path.getsize(db)
    print("built %s: %.0f MB in %.0f s" % (db, size / 1048576, time.monotonic() - t0), flush=True)
    bucket = server.bucket()
    config = os.path.join(work, "app.json")
    with open(config, "w") as handle:
        json.dump({"backup": {"database": db, "dest_dir": os.path.join(work, "out"), "name": "app",
                              "method": "backup", "compress": True, "keep": 2, "busy_timeout": 30,
                              "upload": {"bucket": bucket, "prefix": "sqlite/app/"}},
                   "r2": {"endpoint_url": server.url}}, handle)
    stop, out = multiprocessing.Event(), multiprocessing.Queue()
    proc = multiprocessing.Process(target=writer, args=(db, 0.01, stop, out))
    proc.start()
    time.sleep(1)
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, SCRIPT, config], capture_output=True, text=True, check=False,
                          env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "collections"),
                                   R2_ACCESS_KEY_ID=server.access_key, R2_SECRET_ACCESS_KEY=server.secret_key))
    seconds = time.monotonic() - t0
    time.sleep(1)
    stop.set()
    stats = out.get(timeout=30)
    proc.join()
    if done.returncode != 0:
        raise SystemExit("backup failed: %s" % done.stderr)
    print(done.stdout.strip())
    print("snapshot+check+compress+upload of a %.0f MB database: %.1f s (timer script, wall clock)"
          % (size / 1048576, seconds))
    print("writer during the backup: %d commits, worst commit %.3f s, worst gap between commits %.3f s "
          "(target: no stall over 1 s)" % (stats["commits"], stats["worst_commit"], stats["worst_gap"]))
    for name in os.listdir(work):
        if name.startswith("app.sqlite3"):
            os.unlink(os.path.join(work, name))
    return stats["worst_gap"] <= 1.0


def last_ts(path):
    conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return conn.execute("SELECT max(id), max(ts) FROM events").fetchone()
    finally:
        conn.close()


def recovery_point(work, server, litestream, run):
    db = os.path.join(work, "rpo%d.sqlite3" % run)
    bucket = server.bucket()
    config = os.path.join(work, "litestream%d.yml" % run)
    with open(config, "w") as handle:
        json.dump({"dbs": [{"path": db, "replica": {
            "type": "s3", "bucket": bucket, "path": "litestream/app", "endpoint": server.url, "region": "us-east-1",
            "force-path-style": True, "sync-interval": "1s"}}]}, handle)  # JSON is YAML
    # the endpoint is plain HTTP; a CA bundle in AWS_CA_BUNDLE makes Litestream's client setup fail
    env = dict((k, v) for k, v in os.environ.items() if k != "AWS_CA_BUNDLE")
    env.update(LITESTREAM_ACCESS_KEY_ID=server.access_key, LITESTREAM_SECRET_ACCESS_KEY=server.secret_key)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    log = open(os.path.join(work, "litestream%d.log" % run), "w")
    repl = subprocess.Popen([litestream, "replicate", "-config", config], env=env, stdout=log, stderr=log)
    stop, out = multiprocessing.Event(), multiprocessing.Queue()
    proc = multiprocessing.Process(target=writer, args=(db, 0.02, stop, out))
    proc.start()
    time.sleep(8 + run)  # a different phase of the 1 s sync interval each run
    os.kill(repl.pid, signal.SIGKILL)
    os.kill(proc.pid, signal.SIGKILL)
    repl.wait()
    proc.join()
    log.close()
    written_id, written_ts = last_ts(db)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    restored = db + ".restored"
    done = subprocess.run([litestream, "restore", "-config", config, "-o", restored, db], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise SystemExit("litestream restore failed: %s%s" % (done.stdout, done.stderr))
    restored_id, restored_ts = last_ts(restored)
    rpo = written_ts - restored_ts
    print("litestream run %d: last row written id %d, restored up to id %d: recovery point %.2f s"
          % (run, written_id, restored_id, rpo), flush=True)
    return rpo


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    megabytes = int(os.environ.get("BENCH_DB_MB", "1024"))
    runs = int(os.environ.get("BENCH_RPO_RUNS", "5"))
    server = S3Server()
    try:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR", "/var/tmp")) as work:  # noqa: S108 - 1 GB, not on tmpfs
            stall_ok = snapshot_under_load(work, server, megabytes)
            rpos = [recovery_point(work, server, sys.argv[1], run) for run in range(runs)]
    finally:
        server.close()
    print("litestream recovery point over %d runs: median %.2f s, worst %.2f s (target: 5 s or less)"
          % (runs, statistics.median(rpos), max(rpos)))
    return 0 if stall_ok and max(rpos) <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
