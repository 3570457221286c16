# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""redis_info module tests: a real master, its replica and a sentinel (tests/unit/redis_server.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import helpers
import pytest
from redis_server import Server, cli

from ansible_collections.frugal.stack.plugins.modules import redis_info

AUTH = "unit-test-password-1"


@pytest.fixture
def cluster(tmp_path):
    auth = 'requirepass "%s"\nmasterauth "%s"\n' % (AUTH, AUTH)
    master = Server(tmp_path, auth)
    replica = Server(tmp_path, auth + "replicaof 127.0.0.1 %d\n" % master.port)
    sentinel = Server(tmp_path, "sentinel monitor unit 127.0.0.1 %d 1\nsentinel auth-pass unit %s\n"
                      "sentinel down-after-milliseconds unit 60000\n" % (master.port, AUTH),
                      program="redis-sentinel")
    started = []
    for server in (master, replica, sentinel):
        server.start()
        started.append(server)
    deadline = time.monotonic() + 20
    while "master_link_status:up" not in cli(replica.port, "INFO", "replication", auth=AUTH):
        assert time.monotonic() < deadline, "the replica did not connect"
        time.sleep(0.1)
    yield master, replica, sentinel
    for server in reversed(started):
        server.stop()


def info(capsys, server, **args):
    return helpers.run_module(redis_info, capsys, dict(path=str(server.conf), **args))


def test_master_and_replica_say_what_they_are(capsys, cluster):
    master, replica = cluster[:2]
    for i in range(3):
        cli(master.port, "SET", "k%d" % i, "v", auth=AUTH)
    seen = info(capsys, master)
    assert seen["running"] and seen["role"] == "master" and seen["keys"] == 3
    assert seen["replicas"] == ["127.0.0.1:%d" % replica.port] and seen["changed"] is False
    seen = info(capsys, replica)
    assert seen["role"] == "slave" and seen["master_host"] == "127.0.0.1" and seen["master_port"] == master.port
    assert seen["master_link_status"] == "up"


def test_sentinel_names_the_master_its_replicas_and_quorum(capsys, cluster):
    master, replica, sentinel = cluster
    deadline = time.monotonic() + 20
    while True:
        seen = info(capsys, sentinel, master_name="unit")
        if seen["replicas"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (seen["master_host"], seen["master_port"]) == ("127.0.0.1", master.port)
    assert seen["replicas"] == ["127.0.0.1:%d" % replica.port]
    assert seen["settings"]["quorum"] == "1" and seen["settings"]["down-after-milliseconds"] == "60000"
    assert seen["quorum"]["ok"] is True and seen["quorum"]["message"].startswith("OK")
    unknown = info(capsys, sentinel, master_name="other")
    assert unknown["running"] and unknown["master_host"] == "" and unknown["replicas"] == []


def test_a_new_password_is_tried_when_the_file_has_another(capsys, cluster):
    master = cluster[0]
    master.conf.write_text(master.conf.read_text().replace(AUTH, "not-the-live-one"))
    assert info(capsys, master, password=AUTH)["role"] == "master"
    refused = info(capsys, master)
    assert refused["failed"] and str(master.conf) in refused["msg"] and "authentication" in refused["msg"]


def test_stopped_and_missing_servers_are_reported_not_failed(capsys, tmp_path):
    stopped = Server(tmp_path)
    seen = info(capsys, stopped)
    assert seen["installed"] and seen["running"] is False and seen["port"] == stopped.port
    seen = helpers.run_module(redis_info, capsys, dict(path=str(tmp_path / "absent.conf")))
    assert seen["installed"] is False and seen["running"] is False
