# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tier_problems filter tests: each tier's shape, and a message naming the group and the hosts for each misfit."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.frugal.stack.plugins.filter.stack_tier import tier_problems

GROUPS = ("web", "workers", "beat", "postgres_primary", "postgres_replicas", "redis", "sentinels",
          "loadbalancers", "sqlite", "monitoring")

FITS = {
    "free": {"vm": ["web", "sqlite", "monitoring"]},
    "single": {"vm": ["web", "workers", "beat", "postgres_primary", "redis"]},
    "split": {"db": ["postgres_primary", "redis"], "app": ["web", "workers", "beat"]},
    "ha": {"lb": ["loadbalancers", "monitoring"], "w1": ["web"], "w2": ["web"],
           "q1": ["workers", "beat"], "pg1": ["postgres_primary"], "pg2": ["postgres_replicas"],
           "r1": ["redis", "sentinels"], "r2": ["redis", "sentinels"], "r3": ["sentinels"]},
}


def inventory(hosts, tier):
    """groups and hostvars as Ansible hands them to a template, for host -> its groups."""
    groups = {"all": list(hosts), "ungrouped": []}
    for name in GROUPS:
        groups[name] = [h for h, member in hosts.items() if name in member]
    groups["postgres"] = groups["postgres_primary"] + groups["postgres_replicas"]
    hostvars = {h: ({} if tier is None else {"stack_tier": tier}) for h in hosts}
    return groups, hostvars


def problems(hosts, tier, expected=""):
    groups, hostvars = inventory(hosts, tier)
    return tier_problems(groups, hostvars, expected)


def change(tier, **hosts):
    """The tier's fitting inventory with some hosts' groups replaced (None removes the host)."""
    out = dict(FITS[tier])
    for host, member in hosts.items():
        if member is None:
            out.pop(host)
        else:
            out[host] = member
    return out


@pytest.mark.parametrize("tier", sorted(FITS))
def test_each_tier_shape_fits(tier):
    assert problems(FITS[tier], tier) == []
    assert problems(FITS[tier], tier, expected=tier) == []


@pytest.mark.parametrize("tier, hosts, wanted", [
    ("free", change("free", db=["postgres_primary"]),
     ["free runs on 1 host, found 2 (vm, db)",
      "free has no postgres (found db): the free tier keeps its data in SQLite on one host"]),
    ("free", change("free", vm=["web"]), ["free needs exactly 1 host in sqlite, found 0 (none)"]),
    ("free", change("free", vm=["web", "sqlite", "workers", "beat"]),
     ["free has no workers (found vm)", "free has no beat (found vm)"]),
    ("single", change("single", vm=["web", "workers", "beat", "redis"]),
     ["single needs exactly 1 host in postgres_primary, found 0 (none)"]),
    ("single", change("single", r2=["sentinels"]),
     ["single runs on 1 host, found 2 (vm, r2)", "single has no sentinels (found r2)"]),
    ("split", change("split", db=["postgres_primary"], cache=["redis"]),
     ["split runs on 2 hosts, found 3 (db, app, cache)",
      "split keeps PostgreSQL and Redis on one stateful host, found cache, db"]),
    ("split", change("split", app=["web"], q=["workers", "beat"]),
     ["split runs on 2 hosts, found 3 (db, app, q)",
      "split runs nginx, the app and Celery on one stateless host: web, workers and beat must name the same "
      "host, found app, q"]),
    ("split", change("split", db=["postgres_primary", "redis", "workers"]),
     ["split runs nginx, the app and Celery on one stateless host: web, workers and beat must name the same "
      "host, found app, db",
      "split keeps the stateful host (postgres, redis) out of web, workers and beat, found db in both"]),
    ("ha", change("ha", w2=None), ["ha needs at least 2 hosts in web, found 1 (w1)"]),
    ("ha", change("ha", r3=None), ["sentinels must be an odd number >= 3, found 2 (r1, r2)"]),
    ("ha", change("ha", r1=["sentinels"], r2=["sentinels"]),
     ["ha needs at least 2 hosts in redis (a master and a replica to fail over to), found 0 (none)"]),
    ("ha", change("ha", pg2=["postgres_primary"]),
     ["ha needs exactly 1 host in postgres_primary, found 2 (pg1, pg2)",
      "ha needs at least 1 host in postgres_replicas, found none"]),
    ("ha", change("ha", pg2=["postgres_primary", "postgres_replicas"]),
     ["ha needs exactly 1 host in postgres_primary, found 2 (pg1, pg2)",
      "a host cannot be the PostgreSQL primary and a replica: pg2"]),
    ("ha", change("ha", lb=["loadbalancers", "web"]),
     ["a load balancer cannot also be a web host (both serve ports 80 and 443): lb"]),
    ("ha", change("ha", lb=None), ["ha needs at least 1 host in loadbalancers, found none"]),
    ("ha", change("ha", q1=["workers"]), ["ha needs exactly 1 host in beat, found 0 (none)"]),
])
def test_each_misfit_is_named(tier, hosts, wanted):
    found = problems(hosts, tier)
    for text in wanted:
        assert any(p.startswith(text) for p in found), (text, found)
    assert len(found) == len(wanted), found


def test_single_is_not_ha():
    found = problems(FITS["ha"], "single")
    assert "single runs on 1 host, found 9 (lb, w1, w2, q1, pg1, pg2, r1, r2, r3)" in found
    assert any(p.startswith("single has no postgres_replicas (found pg2)") for p in found)


def test_the_tier_must_be_declared_once_and_known():
    assert problems(FITS["free"], None) == [
        "stack_tier is not set: declare the inventory's tier (free, single, split, ha, custom) in group_vars/all"]
    assert problems(FITS["single"], "medium") == [
        "stack_tier must be one of free, single, split, ha, custom, found 'medium'"]
    assert problems(FITS["single"], ["single"]) == [
        "stack_tier must be one of free, single, split, ha, custom, found ['single']"]
    groups, hostvars = inventory(FITS["split"], "split")
    hostvars["db"] = {"stack_tier": "ha"}
    assert tier_problems(groups, hostvars) == [
        "stack_tier must be the same on every host (set it in group_vars/all): 'ha' on db; 'split' on app"]
    hostvars["db"] = {}
    assert tier_problems(groups, hostvars) == [
        "stack_tier must be the same on every host (set it in group_vars/all): 'split' on app; unset on db"]


def test_custom_keeps_only_the_shared_rules():
    for tier in FITS:
        assert problems(FITS[tier], "custom") == []
    assert problems({"w1": ["web", "sentinels"], "w2": ["web", "sentinels"], "b": ["beat"], "c": ["beat"],
                     "r": ["postgres_replicas"], "lb": ["loadbalancers", "web"]}, "custom") == [
        "sentinels must be an odd number >= 3, found 2 (w1, w2)",
        "a load balancer cannot also be a web host (both serve ports 80 and 443): lb",
        "beat holds at most one host, found 2 (b, c)",
        "postgres_replicas need a host in postgres_primary to stream from"]


def test_a_tier_playbook_refuses_another_tier():
    assert problems(FITS["single"], "single", expected="ha") == [
        "this playbook runs the ha tier and the inventory declares stack_tier single: run playbooks/tier_single.yml "
        "(or site.yml)"]


def test_no_hosts_and_bad_arguments():
    assert tier_problems({"all": []}, {}) == ["the inventory has no hosts"]
    with pytest.raises(AnsibleFilterError, match="groups variable"):
        tier_problems(["web"], {})
