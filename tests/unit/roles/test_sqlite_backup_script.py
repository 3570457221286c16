# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sqlite_backup role's timer script, run as systemd runs it: a process of its own, without Ansible."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import sqlite3
import subprocess
import sys

import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCRIPT = os.path.join(ROOT, "roles", "sqlite_backup", "files", "frugal-sqlite-backup")


def run(tmp_path, config, env=None):
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(config))
    environ = {"PATH": os.environ["PATH"], "PYTHONPATH": os.path.join(ROOT, "collections")}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-c", helpers.NO_ANSIBLE, SCRIPT, str(path)], env=environ,
                          capture_output=True, text=True, timeout=120, check=False)


def settings(tmp_path, bucket=None, database=None):
    db = database or str(tmp_path / "app.sqlite3")
    return {"backup": {"database": db, "dest_dir": str(tmp_path / "out"), "name": "app", "method": "backup",
                       "compress": True, "keep": 7, "busy_timeout": 30,
                       "upload": {"bucket": bucket, "prefix": "sqlite/app/"} if bucket else None}}


def make_db(tmp_path):
    conn = sqlite3.connect(str(tmp_path / "app.sqlite3"))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE q (id INTEGER PRIMARY KEY, body TEXT)")
    conn.executemany("INSERT INTO q (body) VALUES (?)", [("q %d" % i,) for i in range(500)])
    conn.commit()
    conn.close()


def test_uploads_and_prints_one_journal_line(tmp_path, s3_server):
    make_db(tmp_path)
    bucket = s3_server.bucket()
    config = dict(settings(tmp_path, bucket), r2={"endpoint_url": s3_server.url, "account_id": None})
    done = run(tmp_path, config, {"R2_ACCESS_KEY_ID": s3_server.access_key,
                                  "R2_SECRET_ACCESS_KEY": s3_server.secret_key})
    assert done.returncode == 0, done.stderr
    line = re.match(r"^sqlite backup app: (\S+) size=(\d+) sha256=([0-9a-f]{64}) key=(\S+) database_size=\d+ "
                    r"seconds=[0-9.]+ pruned=0\n$", done.stdout)
    assert line, done.stdout
    head = s3_server.client().head_object(Bucket=bucket, Key=line.group(4))
    assert head["Metadata"]["sha256"] == line.group(3) and head["ContentLength"] == int(line.group(2))
    assert line.group(4) == "sqlite/app/" + os.path.basename(line.group(1))


def test_failures_exit_1_and_say_why(tmp_path, s3_server):
    missing = run(tmp_path, settings(tmp_path, database=str(tmp_path / "gone.sqlite3")))
    assert missing.returncode == 1 and "sqlite backup app failed: database %s does not exist" % (
        tmp_path / "gone.sqlite3") in missing.stderr

    make_db(tmp_path)
    config = dict(settings(tmp_path, s3_server.bucket()), r2={"endpoint_url": s3_server.url})
    refused = run(tmp_path, config, {"R2_ACCESS_KEY_ID": "wrong", "R2_SECRET_ACCESS_KEY": "wrong"})
    assert refused.returncode == 1 and "sqlite backup app failed" in refused.stderr
    assert "R2 answered" in refused.stderr and refused.stdout == ""
    assert len(os.listdir(tmp_path / "out")) == 1  # the good local snapshot stays

    nocreds = run(tmp_path, config)
    assert nocreds.returncode == 1 and "access_key_id is required" in nocreds.stderr

    (tmp_path / "backup.json").write_text("{")
    broken = subprocess.run([sys.executable, "-c", helpers.NO_ANSIBLE, SCRIPT, str(tmp_path / "backup.json")],
                            env={"PYTHONPATH": os.path.join(ROOT, "collections")}, capture_output=True, text=True,
                            check=False)
    assert broken.returncode == 1 and "is unusable" in broken.stderr
