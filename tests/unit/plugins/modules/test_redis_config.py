# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""redis_config module tests, against a real Redis server (tests/unit/redis_server.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

import helpers
import pytest
from redis_server import Server, cli

from ansible_collections.frugal.stack.plugins.module_utils import _redis
from ansible_collections.frugal.stack.plugins.modules import redis_config


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path)
    yield srv
    srv.stop()


def run(capsys, server, settings, check_mode=False, diff=False, **extra):
    args = dict(path=str(server.conf), settings=settings, port=server.port, **extra)
    return helpers.run_module(redis_config, capsys, args, check_mode, diff)


@pytest.mark.parametrize("line, args", [
    ('requirepass "a b\\"c"', ["requirepass", 'a b"c']),
    ("save ''", ["save", ""]),
    ('save ""', ["save", ""]),
    ("bind 127.0.0.1 -::1", ["bind", "127.0.0.1", "-::1"]),
    ('masterauth "\\x41\\n"', ["masterauth", "A\n"]),
    ("user default on #abc ~* &* +@all", ["user", "default", "on", "#abc", "~*", "&*", "+@all"]),
])
def test_lines_split_as_redis_splits_them(line, args):
    assert _redis.split_args(line) == args


@pytest.mark.parametrize("value", ["plain", "with space", 'qu"ote', "back\\slash", "", "#hash", "new\nline", "'x'"])
def test_quoted_arguments_read_back_unchanged(value):
    assert _redis.split_args("requirepass " + _redis.quote(value)) == ["requirepass", value]


@pytest.mark.parametrize("line", ['requirepass "abc', "save 'x'y"])
def test_broken_lines_fail_naming_the_file(capsys, server, line):
    server.conf.write_text(line + "\n")
    result = run(capsys, server, {"maxmemory": "1mb"})
    assert result["failed"] and str(server.conf) in result["msg"]


def test_sets_directives_in_place_and_appends_new_ones(capsys, server):
    result = run(capsys, server, {"maxmemory-policy": "allkeys-lru", "maxmemory": "64mb",
                                  "save": ["900", "1", "300", "10"]})
    assert result["changed"] and result["changed_settings"] == ["maxmemory", "maxmemory-policy", "save"]
    lines = server.conf.read_text().splitlines()
    assert lines[0] == "# written by the test"
    assert "save 900 1 300 10" in lines and "maxmemory-policy allkeys-lru" in lines
    assert lines[-1] == "maxmemory 64mb" and "# maxmemory <bytes>" in lines
    assert oct(os.stat(server.conf).st_mode & 0o777) == "0o640"
    assert run(capsys, server, {"maxmemory-policy": "allkeys-lru", "maxmemory": "64mb",
                                "save": ["900", "1", "300", "10"]})["changed"] is False


def test_values_compare_as_redis_reads_them(capsys, server):
    server.conf.write_text('maxmemory 67108864\nmaxmemory-policy ALLKEYS-LRU\nrequirepass "s3cret"\n'
                           "appendonly yes\nsave 900 1\nsave 300 10\n")
    result = run(capsys, server, {"maxmemory": "64mb", "maxmemory-policy": "allkeys-lru", "requirepass": "s3cret",
                                  "appendonly": True, "save": ["900", "1", "300", "10"]})
    assert result["changed"] is False
    assert run(capsys, server, {"requirepass": "S3CRET"}, check_mode=True)["changed"] is True


def test_several_lines_of_one_directive_become_one(capsys, server):
    server.conf.write_text("save 900 1\nport 1\nsave 300 10\n")
    assert run(capsys, server, {"save": ""})["changed"]
    assert server.conf.read_text() == 'save ""\nport 1\n'


def test_null_removes_the_directive(capsys, server):
    assert run(capsys, server, {"maxmemory-policy": None})["changed"]
    assert "maxmemory-policy" not in server.conf.read_text()
    assert run(capsys, server, {"maxmemory-policy": None})["changed"] is False


def test_check_mode_reports_and_writes_nothing(capsys, server):
    before = server.conf.read_text()
    result = run(capsys, server, {"maxmemory": "1gb", "requirepass": "hidden-pass"}, check_mode=True, diff=True)
    assert result["changed"] and result["changed_settings"] == ["maxmemory", "requirepass"]
    assert server.conf.read_text() == before
    assert "hidden-pass" not in result["diff"]["after"] and "requirepass ********" in result["diff"]["after"]
    assert "maxmemory 1gb" in result["diff"]["after"]


def test_live_settings_reach_the_running_server(capsys, server):
    server.start()
    result = run(capsys, server, {"maxmemory": "32mb", "maxmemory-policy": "allkeys-lru",
                                  "save": "", "appendonly": "yes"}, live=True)
    assert result["applied_live"] == ["appendonly", "maxmemory", "maxmemory-policy", "save"]
    assert result["restart_required"] == []
    assert cli(server.port, "CONFIG", "GET", "maxmemory") == "maxmemory\n33554432"
    assert cli(server.port, "CONFIG", "GET", "save") == "save"
    assert cli(server.port, "CONFIG", "GET", "appendonly") == "appendonly\nyes"
    # Turning AOF on starts its first rewrite; the server will not shut down before it ends.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = cli(server.port, "INFO", "persistence")
        if "aof_rewrite_in_progress:0" in info and "aof_rewrite_scheduled:0" in info:
            break
        time.sleep(0.05)


def test_a_new_password_is_set_with_the_old_one(capsys, server):
    server.conf.write_text(server.conf.read_text() + "requirepass first-password\n")
    server.start()
    result = run(capsys, server, {"requirepass": "second-password"}, live=True, **{"password": "second-password"})
    assert result["applied_live"] == ["requirepass"]
    assert cli(server.port, "PING", auth="second-password") == "PONG"
    assert cli(server.port, "PING", auth="first-password").startswith("WRONGPASS") or \
        cli(server.port, "PING", auth="first-password").startswith("NOAUTH")


def test_rewrite_by_redis_is_not_undone(capsys, server):
    """What CONFIG REWRITE writes (quoted passwords, sizes in its units, user lines) reads back as unchanged."""
    settings = {"maxmemory": "536870912", "requirepass": "pw with space", "maxmemory-policy": "allkeys-lru",
                "save": ["900", "1", "300", "10"], "appendonly": "yes"}
    run(capsys, server, settings)
    server.start()
    assert cli(server.port, "CONFIG", "REWRITE", auth="pw with space") == "OK"
    rewritten = server.conf.read_text()
    assert rewritten != "" and 'requirepass "pw with space"' in rewritten
    result = run(capsys, server, settings, live=True)
    assert result["changed"] is False and server.conf.read_text() == rewritten


def test_changing_the_password_drops_rewritten_user_default_lines(capsys, server):
    run(capsys, server, {"requirepass": "old-password"})
    server.start()
    assert cli(server.port, "CONFIG", "REWRITE", auth="old-password") == "OK"
    assert "user default" in server.conf.read_text()
    server.stop()
    run(capsys, server, {"requirepass": "new-password"})
    assert "user default" not in server.conf.read_text()
    server.start()
    assert cli(server.port, "PING", auth="new-password") == "PONG"


def test_a_setting_the_server_refuses_at_runtime_waits_for_a_restart(capsys, server):
    server.start()
    result = run(capsys, server, {"databases": "4"}, live=True)
    assert result["changed"] and result["restart_required"] == ["databases"] and result["applied_live"] == []
    assert "databases 4" in server.conf.read_text()


def test_a_stopped_server_gets_the_file_only(capsys, server):
    result = run(capsys, server, {"maxmemory": "8mb"}, live=True)
    assert result["changed"] and result["applied_live"] == [] and result["restart_required"] == []


@pytest.mark.parametrize("args, fragment", [
    ({"settings": {"Max Memory": "1"}}, "not a directive name"),
    ({"settings": {"maxmemory": "1"}, "path": "/nonexistent/redis.conf"}, "does not exist"),
])
def test_bad_input_fails_naming_it(capsys, server, args, fragment):
    full = dict({"path": str(server.conf)}, **args)
    result = helpers.run_module(redis_config, capsys, full)
    assert result["failed"] and fragment in result["msg"]


def test_a_fresh_server_without_a_password_gets_one(capsys, server):
    """Debian's server starts without a password; the password given is refused by AUTH but the commands run."""
    server.start()
    result = run(capsys, server, {"requirepass": "first-password-16", "maxmemory": "16mb"}, live=True,
                 **{"password": "first-password-16"})
    assert result["applied_live"] == ["maxmemory", "requirepass"]
    assert cli(server.port, "PING").startswith("NOAUTH")
    assert cli(server.port, "CONFIG", "GET", "maxmemory", auth="first-password-16") == "maxmemory\n16777216"
