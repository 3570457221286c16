# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""redis_topology filter tests: the master is read, never chosen against what the cluster says."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.frugal.stack.plugins.filter.redis_topology import redis_topology

CLUSTER = ["r1", "r2", "r3"]
ADDR = {"r1": "10.0.0.1", "r2": "10.0.0.2", "r3": "10.0.0.3", "s4": "10.0.0.4"}


def master(keys=0, replicas=()):
    return {"running": True, "role": "master", "keys": keys, "replicas": list(replicas)}


def replica(of, port=6379):
    return {"running": True, "role": "slave", "master_host": of, "master_port": port, "keys": 0}


def sentinel(addr, replicas=()):
    return {"running": True, "master_host": addr, "master_port": 6379, "replicas": list(replicas)}


def results(views):
    """As a registered loop hands them over."""
    return {"results": [dict(view, item=host) for host, view in views.items()]}


def test_a_new_cluster_takes_the_first_host():
    fresh = {h: master() for h in CLUSTER}
    seen = redis_topology(results(fresh), results({}), ADDR, CLUSTER)
    assert seen == {"master": "r1", "address": "10.0.0.1", "port": 6379, "source": "inventory",
                    "follow": {"r1": False, "r2": True, "r3": True}}


def test_sentinels_decide_after_a_failover():
    live = {"r1": replica("10.0.0.2"), "r2": master(5, ["10.0.0.1:6379", "10.0.0.3:6379"]), "r3": replica("10.0.0.2")}
    views = {"r1": sentinel("10.0.0.2"), "r2": sentinel("10.0.0.2"), "r3": sentinel("10.0.0.2")}
    seen = redis_topology(results(live), results(views), ADDR, CLUSTER)
    assert seen["master"] == "r2" and seen["source"] == "sentinels"
    assert seen["follow"] == {"r1": False, "r2": False, "r3": False}


def test_the_old_master_back_with_its_stale_keys_is_pointed_at_the_new_one():
    live = {"r1": master(keys=7), "r2": master(5), "r3": replica("10.0.0.2")}
    views = {"r2": sentinel("10.0.0.2", ["10.0.0.1:6379", "10.0.0.3:6379"]), "r3": sentinel("10.0.0.2")}
    seen = redis_topology(results(live), results(views), ADDR, CLUSTER)
    assert seen["master"] == "r2" and seen["follow"]["r1"] is True


def test_a_master_with_keys_nobody_knows_is_not_wiped():
    live = {"r1": master(3), "r2": master(keys=42), "r3": replica("10.0.0.1")}
    with pytest.raises(AnsibleFilterError, match="r2 is a master of its own holding 42 keys"):
        redis_topology(results(live), results({}), ADDR, CLUSTER)


def test_without_sentinels_the_followed_host_stays_master():
    live = {"r1": replica("10.0.0.3"), "r2": replica("10.0.0.3"), "r3": master(1, ["10.0.0.1:6379"])}
    seen = redis_topology(results(live), results({}), ADDR, CLUSTER)
    assert seen["master"] == "r3" and seen["source"] == "servers" and not any(seen["follow"].values())


def test_a_replica_of_the_wrong_host_is_pointed_at_the_master():
    live = {"r1": master(), "r2": replica("10.0.0.1", port=6380), "r3": master()}
    seen = redis_topology(results(live), results({}), ADDR, CLUSTER)
    assert seen["follow"] == {"r1": False, "r2": True, "r3": True}


@pytest.mark.parametrize("live, views, message", [
    ({}, {"r1": sentinel("10.0.0.1"), "r2": sentinel("10.0.0.2")}, "sentinels disagree on the master"),
    ({}, {"r1": sentinel("10.9.9.9")}, "10.9.9.9 is the master the sentinels know, and it is not a host"),
    ({}, {"r1": sentinel("10.0.0.4")}, "10.0.0.4 is the master the sentinels know"),
    ({"r1": replica("10.0.0.2"), "r3": replica("10.0.0.3")}, {}, "follow different masters"),
])
def test_what_cannot_be_decided_fails_naming_it(live, views, message):
    with pytest.raises(AnsibleFilterError, match=message):
        redis_topology(results(live), results(views), ADDR, CLUSTER)


def test_stopped_sentinels_and_servers_do_not_count():
    live = {"r1": {"running": False}, "r2": master(), "r3": master()}
    views = {"r1": {"running": False}, "r2": {"running": True, "master_host": "", "master_port": 0}}
    seen = redis_topology(results(live), results(views), ADDR, CLUSTER)
    assert seen["master"] == "r1" and seen["source"] == "inventory"
