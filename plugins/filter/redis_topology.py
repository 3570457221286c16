# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which host of a Redis cluster is the master, from what the sentinels and servers say now."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError


def _views(results):
    """A registered loop of frugal.stack.redis_info (its results list, or a host -> result dict)."""
    if isinstance(results, dict) and "results" in results:
        results = results["results"]
    if isinstance(results, dict):
        return dict(results)
    return dict((r["item"], r) for r in results or [] if not r.get("skipped"))


def redis_topology(servers, sentinels, addresses, cluster, port=6379):
    """Decide the master and what each server must follow.

    servers, sentinels: frugal.stack.redis_info results of each host of the redis and sentinels groups.
    addresses: host -> address (or list of addresses) the others reach it at.
    cluster: the redis group, in inventory order (its first host is the master of a new cluster).
    Returns dict(master=host, address=..., port=..., source=sentinels|servers|inventory,
                 follow=host -> True when the host must be pointed at the master).
    """
    if not isinstance(cluster, list) or not cluster:
        raise AnsibleFilterError("redis_topology: the redis group is empty")
    servers, sentinels = _views(servers), _views(sentinels)
    owner = {}
    for host, addrs in addresses.items():
        for addr in [addrs] if isinstance(addrs, str) else addrs:
            if addr:
                owner[addr] = host

    def host_at(addr, what):
        if addr not in owner or owner[addr] not in cluster:
            raise AnsibleFilterError(
                "%s is %s, and it is not a host of the redis group (%s); put it back in the inventory "
                "or fail over to a host that is in it: the role never moves the master itself"
                % (addr, what, ", ".join(cluster)))
        return owner[addr]

    said = dict((host, "%s:%s" % (v["master_host"], v["master_port"]))
                for host, v in sorted(sentinels.items()) if v.get("running") and v.get("master_host"))
    known_replicas = set()
    if len(set(said.values())) > 1:
        raise AnsibleFilterError(
            "the sentinels disagree on the master (%s): a failover may be running; wait for it to end and rerun"
            % ", ".join("%s says %s" % item for item in sorted(said.items())))
    if said:
        addr, master_port = list(said.values())[0].rsplit(":", 1)
        master = host_at(addr, "the master the sentinels know")
        source = "sentinels"
        for view in sentinels.values():
            known_replicas.update(view.get("replicas") or [])
    else:
        followed = set()
        for host, view in sorted(servers.items()):
            if view.get("running") and view.get("role") == "slave" and view.get("master_host"):
                followed.add(host_at(view["master_host"], "the master %s follows" % host))
        if len(followed) > 1:
            raise AnsibleFilterError(
                "the servers follow different masters (%s) and no sentinel knows which is right; point them at one "
                "master by hand and rerun" % ", ".join(sorted(followed)))
        source = "servers" if followed else "inventory"
        master = followed.pop() if followed else cluster[0]
        master_port = str(port)
    master_addr = addresses[master] if isinstance(addresses[master], str) else addresses[master][0]

    follow = {}
    for host in cluster:
        view = servers.get(host, {})
        if host == master or not view.get("running"):
            follow[host] = host != master
            continue
        mine = [addresses[host]] if isinstance(addresses[host], str) else addresses[host]
        if view.get("role") == "slave" and view.get("master_host") in owner and \
                owner[view["master_host"]] == master and str(view.get("master_port")) == master_port:
            follow[host] = False
            continue
        known = any("%s:%s" % (a, port) in known_replicas for a in mine)
        if view.get("role") == "master" and view.get("keys", 0) > 0 and not known:
            raise AnsibleFilterError(
                "%s is a master of its own holding %d keys; making it a replica of %s would discard them. Move the "
                "keys or empty it (FLUSHALL) if they are not needed, or take it out of the redis group"
                % (host, view["keys"], master))
        follow[host] = True
    return dict(master=master, address=master_addr, port=int(master_port), source=source, follow=follow)


class FilterModule(object):
    def filters(self):
        return {"redis_topology": redis_topology}
