# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sqlite_backup on real SQLite files; uploads to moto's S3 server in its own process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import hashlib
import os
import sqlite3
import threading

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.modules import sqlite_backup


def make_db(path, rows=2000, wal=True):
    conn = sqlite3.connect(str(path))
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE q (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("CREATE INDEX q_body ON q (body)")
    conn.executemany("INSERT INTO q (body) VALUES (?)", [("question %06d" % i,) for i in range(rows)])
    conn.commit()
    return conn


def restore(snapshot, to):
    with gzip.open(snapshot, "rb") as packed, open(to, "wb") as out:
        out.write(packed.read())
    return sqlite3.connect(str(to))


def run(capsys, args, check_mode=False):
    return helpers.run_module(sqlite_backup, capsys, args, check_mode=check_mode)


def test_snapshot_of_a_live_wal_database_under_writes(capsys, tmp_path):
    db = tmp_path / "app.sqlite3"
    conn = make_db(db)
    stop = threading.Event()

    def writer():
        w = sqlite3.connect(str(db), timeout=5)
        while not stop.is_set():
            w.execute("INSERT INTO q (body) VALUES ('during')")
            w.commit()
        w.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        result = run(capsys, {"database": str(db), "dest_dir": str(tmp_path / "out")})
    finally:
        stop.set()
        thread.join()
    assert result["changed"] and result["integrity"] == "ok"
    assert result["path"].endswith(".sqlite3.gz") and os.path.basename(result["path"]).startswith("app-")
    with open(result["path"], "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == result["sha256"]
    copy = restore(result["path"], tmp_path / "restored.sqlite3")
    count = copy.execute("SELECT count(*) FROM q").fetchone()[0]
    assert count >= 2000
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert oct(os.stat(result["path"]).st_mode & 0o777) == "0o640"
    conn.close()


def test_vacuum_method_and_no_compression(capsys, tmp_path):
    db = tmp_path / "plain.db"
    make_db(db, wal=False).close()
    result = run(capsys, {"database": str(db), "dest_dir": str(tmp_path / "out"), "method": "vacuum",
                          "compress": False})
    assert result["path"].endswith(".sqlite3")
    copy = sqlite3.connect(result["path"])
    assert copy.execute("SELECT count(*) FROM q").fetchone()[0] == 2000


def test_corrupt_database_is_refused_and_nothing_is_kept_or_uploaded(capsys, tmp_path, s3_server):
    db = tmp_path / "bad.sqlite3"
    conn = make_db(db, rows=5000, wal=False)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'q_body'").fetchone()[0]
    conn.close()
    with open(db, "r+b") as handle:  # scribble over the index's root page, past its header
        handle.seek(page_size * (root - 1) + 200)
        handle.write(os.urandom(page_size - 400))
    bucket = s3_server.bucket()
    out = tmp_path / "out"
    result = run(capsys, s3_server.args(database=str(db), dest_dir=str(out), upload={"bucket": bucket}))
    assert result["failed"] and "integrity_check" in result["msg"] and "not uploaded" in result["msg"]
    assert os.listdir(out) == []
    assert s3_server.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("content, says", [
    (None, "does not exist"),
    (b"questions,answers\n1,2\n", "not an SQLite 3 database"),
])
def test_unreadable_database_is_named(capsys, tmp_path, content, says):
    db = tmp_path / "questions.db"
    if content is not None:
        db.write_bytes(content)
    result = run(capsys, {"database": str(db), "dest_dir": str(tmp_path / "out")})
    assert result["failed"] and str(db) in result["msg"] and says in result["msg"]
    assert not (tmp_path / "out").exists()


def test_upload_retention_and_check_mode(capsys, tmp_path, s3_server):
    db = tmp_path / "app.sqlite3"
    make_db(db).close()
    bucket = s3_server.bucket()
    out = tmp_path / "out"
    out.mkdir()
    for stamp in ("20260101T020000Z", "20260102T020000Z", "20260103T020000Z"):
        (out / ("app-%s.sqlite3.gz" % stamp)).write_bytes(b"old")
    (out / "other-20260101T020000Z.sqlite3.gz").write_bytes(b"another database's")
    args = s3_server.args(database=str(db), dest_dir=str(out), keep=2,
                          upload={"bucket": bucket, "prefix": "sqlite/app/"})

    checked = run(capsys, args, check_mode=True)
    assert checked["changed"] and "path" not in checked and len(os.listdir(out)) == 4

    result = run(capsys, args)
    assert result["key"] == "sqlite/app/" + os.path.basename(result["path"])
    head = s3_server.client().head_object(Bucket=bucket, Key=result["key"])
    assert head["Metadata"]["sha256"] == result["sha256"] and head["ContentLength"] == result["size"]
    assert sorted(os.listdir(out)) == ["app-20260103T020000Z.sqlite3.gz", os.path.basename(result["path"]),
                                       "other-20260101T020000Z.sqlite3.gz"]
    assert len(result["removed"]) == 2


def test_missing_bucket_keeps_the_good_local_snapshot(capsys, tmp_path, s3_server):
    db = tmp_path / "app.sqlite3"
    make_db(db).close()
    out = tmp_path / "out"
    result = run(capsys, s3_server.args(database=str(db), dest_dir=str(out), upload={"bucket": "no-such-bucket"}))
    assert result["failed"] and "bucket 'no-such-bucket' does not exist" in result["msg"]
    assert len(os.listdir(out)) == 1
