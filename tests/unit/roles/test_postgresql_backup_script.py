# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The postgresql role's dump script: retention, and a run as systemd starts it, with stand-in PostgreSQL tools."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCRIPT = os.path.join(ROOT, "roles", "postgresql", "files", "frugal-postgresql-backup")


def load():
    loader = importlib.machinery.SourceFileLoader("frugal_postgresql_backup", SCRIPT)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


script = load()


def names(*stamps):
    return ["app-%s.dump" % s for s in stamps]


def test_keeps_newest_per_day_for_the_last_days():
    dumps = names("20261120T023000Z", "20261121T023000Z", "20261121T120000Z", "20261122T023000Z")
    assert script.to_keep(dumps, 2, 0) == set(names("20261121T120000Z", "20261122T023000Z"))


def test_keeps_newest_per_iso_week_beyond_the_days():
    start = datetime.datetime(2026, 10, 1, 2, 30)
    dumps = [(start + datetime.timedelta(days=i)).strftime("app-%Y%m%dT%H%M%SZ.dump") for i in range(53)]
    keep = script.to_keep(dumps, 3, 4)
    daily = set(dumps[-3:])
    # 2026-11-22 is a Sunday: the weeks ending 22, 15, 8 and 1 November
    weekly = set(names("20261122T023000Z", "20261115T023000Z", "20261108T023000Z", "20261101T023000Z"))
    assert keep == daily | weekly


def test_never_selects_other_files():
    dumps = names("20261120T023000Z", "20261122T023000Z") + ["notes.txt", ".app-20261122T030000Z.dump.partial"]
    keep = script.to_keep(dumps, 1, 0)
    assert keep == {"notes.txt", ".app-20261122T030000Z.dump.partial", "app-20261122T023000Z.dump"}


TOOLS = {
    # psql answers pg_is_in_recovery() from $FAKE_RECOVERY
    "psql": '#!/bin/sh\necho "${FAKE_RECOVERY:-f}"\n',
    # pg_dump writes "dump of <db>" to --file; database "broken" fails
    "pg_dump": ('#!/bin/sh\nwhile [ $# -gt 0 ]; do\n'
                'case "$1" in --dbname) db=$2; shift;; --file) f=$2; shift;; esac; shift\ndone\n'
                '[ "$db" = broken ] && { echo "pg_dump: error: connection failed" >&2; exit 1; }\n'
                'printf "dump of %s" "$db" > "$f"\n'),
    # pg_restore --list fails on an archive of database "unreadable"
    "pg_restore": ('#!/bin/sh\n'
                   'grep -q unreadable "$2" && { echo "pg_restore: error: input file is too short" >&2; exit 1; }\n'
                   'exit 0\n'),
}


@pytest.fixture
def tools(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name, text in TOOLS.items():
        (bindir / name).write_text(text)
        (bindir / name).chmod(0o755)
    return bindir


def run(tmp_path, tools, databases, recovery="f"):
    config = {"databases": databases, "dir": str(tmp_path / "dumps"), "port": 5432, "bin": str(tools),
              "keep_daily": 2, "keep_weekly": 0, "weekly_day": 7, "r2": None}
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(config))
    env = {"PATH": os.environ["PATH"], "FAKE_RECOVERY": recovery}
    return subprocess.run([sys.executable, SCRIPT, str(path)], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_standby_does_nothing(tmp_path, tools):
    res = run(tmp_path, tools, ["app"], recovery="t")
    assert res.returncode == 0
    assert "standby" in res.stdout
    assert not (tmp_path / "dumps").exists()


def test_dumps_and_prunes(tmp_path, tools):
    old = tmp_path / "dumps" / "app"
    old.mkdir(parents=True)
    for stamp in ("20200101T000000Z", "20200102T000000Z", "20200103T000000Z"):
        (old / ("app-%s.dump" % stamp)).write_text("old")
    res = run(tmp_path, tools, ["app"])
    assert res.returncode == 0, res.stderr
    line = res.stdout.strip()
    assert line.startswith("postgresql backup app: %s/app-" % old)
    assert "pruned=2" in line and "keys=-" in line
    left = sorted(os.listdir(old))
    assert len(left) == 2 and left[0] == "app-20200103T000000Z.dump"
    assert (old / left[1]).read_text() == "dump of app"


def test_one_failure_fails_the_unit_but_not_the_others(tmp_path, tools):
    res = run(tmp_path, tools, ["broken", "unreadable", "app"])
    assert res.returncode == 1
    assert "postgresql backup broken failed: pg_dump failed (exit 1): pg_dump: error: connection failed" in res.stderr
    assert "postgresql backup unreadable failed: pg_restore failed (exit 1)" in res.stderr
    assert "postgresql backup app: " in res.stdout
    # nothing half written is left behind
    assert os.listdir(tmp_path / "dumps" / "unreadable") == []
    assert os.listdir(tmp_path / "dumps" / "broken") == []
