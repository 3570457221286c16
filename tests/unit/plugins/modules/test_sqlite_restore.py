# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sqlite_restore on real SQLite files and backups made by sqlite_backup."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import hashlib
import os
import sqlite3
import subprocess
import sys

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.modules import sqlite_backup, sqlite_restore


def make_db(path, rows):
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS q (id INTEGER PRIMARY KEY, body TEXT)")
    conn.executemany("INSERT INTO q (body) VALUES (?)", [("row %d" % i,) for i in range(rows)])
    conn.commit()
    return conn


def content(path):
    conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        rows = conn.execute("SELECT id, body FROM q ORDER BY id").fetchall()
    finally:
        conn.close()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def backup(capsys, tmp_path):
    """A live database with 300 rows and a backup of it; returns (database, backup result, content at backup)."""
    db = tmp_path / "db" / "app.sqlite3"
    db.parent.mkdir()
    make_db(db, 300).close()
    made = helpers.run_module(sqlite_backup, capsys, {"database": str(db), "dest_dir": str(tmp_path / "bk")})
    return db, made, content(db)


def restore(capsys, args, check_mode=False):
    return helpers.run_module(sqlite_restore, capsys, args, check_mode=check_mode)


def test_restore_keeps_the_old_database_and_its_wal(capsys, backup):
    db, made, at_backup = backup
    later = make_db(db, 50)  # rows after the backup, some still only in the WAL while this stays open
    later.execute("PRAGMA wal_autocheckpoint=0")
    later.executemany("INSERT INTO q (body) VALUES (?)", [("wal only",)] * 10)
    later.commit()
    wal = db.parent / "app.sqlite3-wal"
    assert wal.stat().st_size > 0
    # a copy of the WAL as a crashed app would leave it (the open connection would checkpoint it on close)
    kept_wal = wal.read_bytes()
    later.close()
    wal.write_bytes(kept_wal)

    staged = restore(capsys, {"database": str(db), "archive": made["path"], "sha256": made["sha256"],
                              "state": "staged"})
    assert staged["changed"] and not staged["reused"] and os.path.isfile(staged["staged"])
    assert content(db)[0] == 360  # staging leaves the live database alone

    result = restore(capsys, {"database": str(db), "archive": made["path"], "sha256": made["sha256"]})
    assert result["reused"] and result["previous"].startswith(str(db) + ".before-restore-")
    assert content(db) == at_backup
    assert not wal.exists() and not os.path.exists(result["staged"])
    assert oct(db.stat().st_mode & 0o777) == "0o640"
    # the old database with its WAL, as it was: every row, the WAL-only ones included
    assert os.path.isfile(result["previous"] + "-wal")
    assert content(result["previous"])[0] == 360


def test_plain_database_file_and_a_missing_database(capsys, tmp_path, backup):
    db, made, at_backup = backup
    plain = tmp_path / "plain.sqlite3"
    with gzip.open(made["path"], "rb") as packed:
        plain.write_bytes(packed.read())
    target = tmp_path / "new" / "app.sqlite3"
    target.parent.mkdir()
    result = restore(capsys, {"database": str(target), "archive": str(plain), "mode": "0600"})
    assert result["previous"] is None and content(target) == at_backup
    assert oct(target.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("damage, says", [
    ("sha256", "not the expected"),
    ("truncate", "cannot be unpacked"),
    ("text", "neither a gzip file nor an SQLite 3 database"),
    ("corrupt", "integrity_check"),
])
def test_bad_backups_are_refused_and_nothing_changes(capsys, tmp_path, backup, damage, says):
    db, made, at_backup = backup
    archive = tmp_path / "bad.sqlite3.gz"
    data = open(made["path"], "rb").read()
    expect = None
    if damage == "sha256":
        archive.write_bytes(data)
        expect = "0" * 64
    elif damage == "truncate":
        archive.write_bytes(data[: len(data) // 2])
    elif damage == "text":
        archive.write_bytes(b"id,body\n1,row\n")
    else:
        with gzip.open(made["path"], "rb") as packed:
            raw = bytearray(packed.read())
        page_size = int.from_bytes(raw[16:18], "big")
        raw[page_size + 100: 2 * page_size] = os.urandom(page_size - 100)  # scribble over the table's root page
        with gzip.open(str(archive), "wb") as out:
            out.write(bytes(raw))
    before = sorted(os.listdir(db.parent))
    result = restore(capsys, {"database": str(db), "archive": str(archive), "sha256": expect})
    assert result["failed"] and says in result["msg"] and str(archive) in result["msg"]
    assert sorted(os.listdir(db.parent)) == before and content(db) == at_backup


def test_swap_is_refused_while_the_database_is_open(capsys, backup):
    db, made, at_backup = backup
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3, sys, time\n"
                               "c = sqlite3.connect(sys.argv[1]); c.execute('SELECT 1 FROM q').fetchall()\n"
                               "print('open', flush=True); time.sleep(60)", str(db)],
                              stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"open"
        result = restore(capsys, {"database": str(db), "archive": made["path"]})
        assert result["failed"] and "is open by" in result["msg"] and "pid %d" % holder.pid in result["msg"]
        assert content(db) == at_backup and not any(".before-restore-" in f for f in os.listdir(db.parent))
    finally:
        holder.kill()
        holder.wait()


def test_bad_settings_and_check_mode(capsys, backup):
    db, made = backup[:2]
    args = {"database": str(db), "archive": made["path"]}
    assert "owner 'no-such-user'" in restore(capsys, dict(args, owner="no-such-user"))["msg"]
    assert "not an octal file mode" in restore(capsys, dict(args, mode="rw-r-----"))["msg"]
    before = sorted(os.listdir(db.parent))
    checked = restore(capsys, args, check_mode=True)
    assert checked["changed"] and checked["archive_sha256"] == made["sha256"]
    assert sorted(os.listdir(db.parent)) == before and not any("restore" in f for f in before)
    missing = restore(capsys, dict(args, archive=made["path"] + ".missing"), check_mode=True)
    assert missing["failed"] and "does not exist" in missing["msg"]
