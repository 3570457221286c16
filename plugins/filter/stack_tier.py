# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Does an inventory fit the tier it declares (stack_tier)? Every misfit, in words a user can act on."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError

TIERS = ("free", "single", "split", "ha")
# custom: an inventory of another shape; only the rules every tier shares apply
KNOWN = TIERS + ("custom",)

# What each tier runs, by inventory group: "one" exactly one host, "some" at least one, "none" empty.
# Groups a tier does not name (monitoring, sqlite outside free) are the user's choice.
SHAPES = {
    "free": {"web": "one", "sqlite": "one", "workers": "none", "beat": "none", "postgres": "none",
             "redis": "none", "sentinels": "none", "loadbalancers": "none"},
    "single": {"web": "one", "workers": "one", "beat": "one", "postgres_primary": "one",
               "postgres_replicas": "none", "redis": "one", "sentinels": "none", "loadbalancers": "none"},
    "split": {"web": "one", "postgres_primary": "one", "postgres_replicas": "none", "redis": "one",
              "sentinels": "none", "loadbalancers": "none"},
    # web, redis and sentinels: counted below, with their own messages
    "ha": {"loadbalancers": "some", "workers": "some", "beat": "one", "postgres_primary": "one",
           "postgres_replicas": "some"},
}
HOSTS = {"free": (1, 1), "single": (1, 1), "split": (2, 2), "ha": (2, None)}
WHY_NONE = {
    "free": "the free tier keeps its data in SQLite on one host (no PostgreSQL, Redis or Celery); use single",
    "single": "the single tier has no replicas, sentinels or load balancer; use ha",
    "split": "the split tier has no replicas, sentinels or load balancer; use ha",
}


def _names(hosts):
    return ", ".join(hosts) if hosts else "none"


def _tier_of(hostvars, host):
    try:
        return hostvars[host].get("stack_tier")
    except (KeyError, AttributeError):
        return None


def tier_problems(groups, hostvars, expected=""):
    """Every way the inventory does not fit its stack_tier (an empty list when it fits).

    groups: the inventory's groups (``groups``); hostvars: ``hostvars`` (read for stack_tier);
    expected: the tier a tier playbook runs (empty from site.yml).
    """
    if not isinstance(groups, dict) or not isinstance(groups.get("all"), list):
        raise AnsibleFilterError("tier_problems: pass the inventory's groups (the groups variable)")
    everyone = list(groups["all"])
    if not everyone:
        return ["the inventory has no hosts"]
    declared = {}
    for host in everyone:
        tier = _tier_of(hostvars, host)
        declared.setdefault("unset" if tier is None else repr(tier), (tier, []))[1].append(host)
    if len(declared) > 1:
        return ["stack_tier must be the same on every host (set it in group_vars/all): %s" % "; ".join(
            "%s on %s" % (said, _names(hosts)) for said, (_tier, hosts) in sorted(declared.items()))]
    tier = list(declared.values())[0][0]
    if tier is None:
        return ["stack_tier is not set: declare the inventory's tier (%s) in group_vars/all" % ", ".join(KNOWN)]
    if not isinstance(tier, str) or tier not in KNOWN:
        return ["stack_tier must be one of %s, found %r" % (", ".join(KNOWN), tier)]
    problems = []
    if expected and expected != tier:
        problems.append("this playbook runs the %s tier and the inventory declares stack_tier %s: run "
                        "playbooks/tier_%s.yml (or site.yml)" % (expected, tier, tier))

    def group(name):
        if name == "postgres":
            return sorted(set(group("postgres_primary")) | set(group("postgres_replicas"))
                          | set(groups.get("postgres") or []))
        return list(groups.get(name) or [])

    low, high = HOSTS.get(tier, (1, None))
    if len(everyone) < low or (high is not None and len(everyone) > high):
        wanted = "%d host%s" % (low, "" if low == 1 else "s") if low == high else "at least %d hosts" % low
        problems.append("%s runs on %s, found %d (%s)" % (tier, wanted, len(everyone), _names(everyone)))
    for name, shape in SHAPES.get(tier, {}).items():
        hosts = group(name)
        if shape == "one" and len(hosts) != 1:
            problems.append("%s needs exactly 1 host in %s, found %d (%s)" % (tier, name, len(hosts), _names(hosts)))
        elif shape == "some" and not hosts:
            problems.append("%s needs at least 1 host in %s, found none" % (tier, name))
        elif shape == "none" and hosts:
            problems.append("%s has no %s (found %s): %s" % (tier, name, _names(hosts), WHY_NONE[tier]))

    web, primary, replicas = group("web"), group("postgres_primary"), group("postgres_replicas")
    sentinels, balancers, redis = group("sentinels"), group("loadbalancers"), group("redis")
    if tier == "free" and web and group("sqlite") and set(web) != set(group("sqlite")):
        problems.append("free keeps the app's data in SQLite on the web host: put %s in sqlite" % _names(web))
    if tier == "split":
        stateful = sorted(set(primary) | set(redis))
        if len(stateful) > 1:
            problems.append("split keeps PostgreSQL and Redis on one stateful host, found %s" % _names(stateful))
        stateless = sorted(set(web) | set(group("workers")) | set(group("beat")))
        if len(stateless) > 1:
            problems.append("split runs nginx, the app and Celery on one stateless host: web, workers and beat "
                            "must name the same host, found %s" % _names(stateless))
        both = sorted(set(stateful) & set(stateless))
        if both:
            problems.append("split keeps the stateful host (postgres, redis) out of web, workers and beat, "
                            "found %s in both" % _names(both))
    if tier == "ha":
        if len(web) < 2:
            problems.append("ha needs at least 2 hosts in web, found %d (%s)" % (len(web), _names(web)))
        if len(redis) < 2:
            problems.append("ha needs at least 2 hosts in redis (a master and a replica to fail over to), "
                            "found %d (%s)" % (len(redis), _names(redis)))
    # the tiers with sentinels and load balancers (the others have none)
    if (tier == "ha" or (tier == "custom" and sentinels)) and (len(sentinels) < 3 or len(sentinels) % 2 == 0):
        problems.append("sentinels must be an odd number >= 3, found %d (%s)" % (len(sentinels), _names(sentinels)))
    shared = sorted(set(balancers) & set(web))
    if shared and tier in ("ha", "custom"):
        problems.append("a load balancer cannot also be a web host (both serve ports 80 and 443): %s"
                        % _names(shared))
    if tier == "custom":
        for name in ("beat", "postgres_primary"):
            hosts = group(name)
            if len(hosts) > 1:
                problems.append("%s holds at most one host, found %d (%s)" % (name, len(hosts), _names(hosts)))
        if replicas and not primary:
            problems.append("postgres_replicas need a host in postgres_primary to stream from")
    if set(primary) & set(replicas):
        problems.append("a host cannot be the PostgreSQL primary and a replica: %s"
                        % _names(sorted(set(primary) & set(replicas))))
    return problems


class FilterModule(object):
    def filters(self):
        return {"tier_problems": tier_problems}
