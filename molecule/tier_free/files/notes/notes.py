"""notes: a Flask app keeping notes in SQLite, the shape the free tier serves.

DATABASE_URL=sqlite:////absolute/path. POST /notes {"body": "..."} stores a
note and answers its id; GET /notes/<id> reads it back; /health reads the
database.
"""

import os
import sqlite3

from flask import Flask, abort, jsonify, request


def create_app():
    url = os.environ["DATABASE_URL"]
    if not url.startswith("sqlite:////"):
        raise RuntimeError("DATABASE_URL must be sqlite:////absolute/path, got %r" % url)
    path = url[len("sqlite:///"):]
    app = Flask(__name__)

    def connect():
        conn = sqlite3.connect(path, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    with connect() as conn:
        # WAL, as Litestream needs and the backup script copes with
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")

    @app.get("/health")
    def health():
        with connect() as conn:
            conn.execute("SELECT count(*) FROM notes").fetchone()
        return jsonify(status="ok")

    @app.post("/notes")
    def add():
        body = (request.get_json(silent=True) or {}).get("body")
        if not isinstance(body, str) or not body:
            abort(400)
        with connect() as conn:
            note_id = conn.execute("INSERT INTO notes (body) VALUES (?)", (body,)).lastrowid
        return jsonify(id=note_id), 201

    @app.get("/notes/<int:note_id>")
    def show(note_id):
        with connect() as conn:
            row = conn.execute("SELECT body FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            abort(404)
        return jsonify(id=note_id, body=row[0])

    return app
