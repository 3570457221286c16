# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Apply a list of CIDRs to a host: nftables sets, ufw rules, nginx real_ip.

Private to the collection, standard library only (the firewall role installs
it on hosts for the refresh timer). Commands run through a
`run(argv, data=None) -> (rc, stdout, stderr)` callable the caller supplies.
Each backend reads the live state first, so a rerun with the same list does
nothing, and reports the ranges it adds and removes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import os
import tempfile

try:  # inside the collection
    from ._cloudflare import write_atomic
except ImportError:  # installed beside _cloudflare.py on a host by the firewall role
    from _cloudflare import write_atomic


class SyncError(Exception):
    """The list cannot be applied; nothing was changed."""


def split_families(cidrs, min_ipv4=1, min_ipv6=0):
    """Normalised, sorted CIDR strings per family; refuses anything that is not a CIDR list."""
    if not isinstance(cidrs, list) or not cidrs:
        raise SyncError("the list of CIDRs is empty; an empty list is never applied")
    families = {4: set(), 6: set()}
    for entry in cidrs:
        try:
            net = ipaddress.ip_network(str(entry).strip(), strict=True)
        except ValueError as exc:
            raise SyncError("%r is not a CIDR: %s" % (entry, exc)) from exc
        if net.prefixlen == 0:
            raise SyncError("%s would allow every address" % net)
        families[net.version].add(net)
    for version, minimum in ((4, min_ipv4), (6, min_ipv6)):
        if len(families[version]) < minimum:
            raise SyncError("the list has %d IPv%d ranges, fewer than the %d required"
                            % (len(families[version]), version, minimum))
    return {v: [str(n) for n in sorted(nets)] for v, nets in families.items()}


def changes(before, after):
    """{'added': [...], 'removed': [...]} between two lists of CIDR strings."""
    return {"added": sorted(set(after) - set(before), key=_key),
            "removed": sorted(set(before) - set(after), key=_key)}


def _key(cidr):
    net = ipaddress.ip_network(cidr)
    return (net.version, net)


def read_file(path):
    try:
        with open(path, "r") as fh:
            return fh.read()
    except (IOError, OSError):
        return None


class Backend(object):
    """Reads the live ranges (live()) and plans the change to the wanted ones."""

    def live_differs(self, wanted, diff):
        return any(d["added"] or d["removed"] for d in diff.values())

    def state_differs(self, wanted):
        return False

    def plan(self, wanted):
        current = self.live()
        diff = {v: changes(current[v], wanted[v]) for v in (4, 6)}
        return {"current": current, "diff": diff, "live_differs": self.live_differs(wanted, diff),
                "state_differs": self.state_differs(wanted)}


class Nftables(Backend):
    """Named interval sets, one per family, replaced in one nft transaction."""

    def __init__(self, run, nft="nft", family="inet", table="frugal_filter",
                 set_v4="cloudflare_v4", set_v6="cloudflare_v6", state_file=None):
        self.run = run
        self.nft = nft
        self.family = family
        self.table = table
        self.sets = {4: set_v4, 6: set_v6}
        self.state_file = state_file

    def _elements(self, item):
        if isinstance(item, dict) and "elem" in item:
            item = item["elem"].get("val", item["elem"])
        if isinstance(item, str):
            return [str(ipaddress.ip_network(item))]
        if "prefix" in item:
            return ["%s/%d" % (ipaddress.ip_address(item["prefix"]["addr"]), item["prefix"]["len"])]
        if "range" in item:
            first, last = (ipaddress.ip_address(a) for a in item["range"])
            return [str(n) for n in ipaddress.summarize_address_range(first, last)]
        raise SyncError("unexpected element in nft output: %s" % json.dumps(item)[:120])

    def live(self):
        current = {}
        for version, name in self.sets.items():
            rc, out, err = self.run([self.nft, "-j", "list", "set", self.family, self.table, name])
            if rc != 0:
                raise SyncError("nftables set %s %s %s is not there (%s); the firewall role creates it"
                                % (self.family, self.table, name, err.strip()))
            try:
                entries = json.loads(out)["nftables"]
                nft_set = [e["set"] for e in entries if "set" in e][0]
            except (ValueError, KeyError, IndexError):
                raise SyncError("could not read nftables set %s from: %s" % (name, out[:200])) from None
            elements = []
            for item in nft_set.get("elem", []):
                elements.extend(self._elements(item))
            current[version] = sorted(set(elements), key=_key)
        return current

    def script(self, wanted):
        lines = []
        for version, name in self.sets.items():
            lines.append("flush set %s %s %s" % (self.family, self.table, name))
            if wanted[version]:
                elements = ", ".join(wanted[version])
                lines.append("add element %s %s %s { %s }" % (self.family, self.table, name, elements))
        return "\n".join(lines) + "\n"

    def state_differs(self, wanted):
        return bool(self.state_file) and read_file(self.state_file) != self.script(wanted)

    def apply(self, wanted, plan):
        script = self.script(wanted)
        if plan["live_differs"]:
            fd, path = tempfile.mkstemp(prefix="frugal-cloudflare-", suffix=".nft")
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(script)
                rc, out, err = self.run([self.nft, "-c", "-f", path])
                if rc != 0:
                    raise SyncError("nft -c refused the new sets, nothing changed: %s" % (err or out).strip())
                rc, out, err = self.run([self.nft, "-f", path])
                if rc != 0:
                    raise SyncError("nft -f failed (the transaction is all or nothing): %s" % (err or out).strip())
            finally:
                os.unlink(path)
        if plan["state_differs"]:
            write_atomic(self.state_file, script)


UFW_COMMENT = "frugal-cloudflare"


class Ufw(Backend):
    """One ufw rule per range for the web ports; new rules go in before stale ones go."""

    def __init__(self, run, ufw="ufw", ports=(80, 443), comment=UFW_COMMENT):
        self.run = run
        self.ufw = ufw
        self.ports = ",".join(str(p) for p in ports)
        self.comment = comment

    def rule(self, cidr):
        return ["allow", "proto", "tcp", "from", cidr, "to", "any", "port", self.ports]

    def live(self):
        rc, out, err = self.run([self.ufw, "show", "added"])
        if rc != 0:
            raise SyncError("ufw show added failed: %s" % (err or out).strip())
        found = {4: [], 6: []}
        marker = "comment '%s'" % self.comment
        for line in out.splitlines():
            words = line.split()
            if marker not in line or "from" not in words:
                continue
            cidr = words[words.index("from") + 1]
            net = ipaddress.ip_network(cidr, strict=False)
            found[net.version].append(str(net))
        return {v: sorted(set(c), key=_key) for v, c in found.items()}

    def apply(self, wanted, plan):
        for version in (4, 6):
            for cidr in plan["diff"][version]["added"]:
                rc, out, err = self.run([self.ufw] + self.rule(cidr) + ["comment", self.comment])
                if rc != 0:
                    raise SyncError("ufw could not add %s: %s" % (cidr, (err or out).strip()))
        for version in (4, 6):
            for cidr in plan["diff"][version]["removed"]:
                rc, out, err = self.run([self.ufw, "delete"] + self.rule(cidr))
                if rc != 0:
                    raise SyncError("ufw could not remove %s: %s" % (cidr, (err or out).strip()))


def nginx_installed(command):
    if os.path.isabs(command):
        return os.access(command, os.X_OK)
    return any(os.access(os.path.join(d, command), os.X_OK)
               for d in os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(os.pathsep) + ["/usr/sbin"])


class NginxRealIp(Backend):
    """An nginx include trusting CF-Connecting-IP only from the listed ranges."""

    def __init__(self, run, path, test=("nginx", "-t"), reload=("systemctl", "reload", "nginx"),
                 header="CF-Connecting-IP", proxies=()):
        self.run = run
        self.path = path
        self.proxies = trusted_proxies(proxies)
        self.test = list(test)
        self.reload = list(reload) if reload else None
        self.header = header

    def content(self, wanted):
        lines = ["# Managed by frugal.stack (cloudflare_ip_sync): Cloudflare's ranges may set the client address."]
        lines += ["set_real_ip_from %s;" % c for c in wanted[4] + wanted[6]]
        if self.proxies:
            lines.append("# Load balancers passing Cloudflare's connections through to this host:")
            lines += ["set_real_ip_from %s;" % c for c in self.proxies]
        lines.append("real_ip_header %s;" % self.header)
        return "\n".join(lines) + "\n"

    def live(self):
        found = {4: [], 6: []}
        for line in (read_file(self.path) or "").splitlines():
            words = line.strip().rstrip(";").split()
            if len(words) == 2 and words[0] == "set_real_ip_from" and words[1] not in self.proxies:
                net = ipaddress.ip_network(words[1], strict=False)
                found[net.version].append(str(net))
        return found

    def live_differs(self, wanted, diff):
        # the whole file counts (header line, real_ip_header), not only the ranges
        return read_file(self.path) != self.content(wanted)

    def apply(self, wanted, plan):
        if not plan["live_differs"]:
            return
        old = read_file(self.path)
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o755)
        write_atomic(self.path, self.content(wanted))
        if not nginx_installed(self.test[0]):
            # the firewall runs before nginx is installed; the include waits for it
            return
        rc, out, err = self.run(self.test)
        if rc != 0:
            if old is None:
                os.unlink(self.path)
            else:
                write_atomic(self.path, old)
            raise SyncError("nginx -t rejected the new %s, the old file is back: %s"
                            % (self.path, (err or out).strip()))
        if self.reload:
            rc, out, err = self.run(self.reload)
            if rc != 0:
                raise SyncError("%s failed: %s" % (" ".join(self.reload), (err or out).strip()))


def trusted_proxies(values):
    """Normalise the load balancers' addresses; anything but an address or a network is refused by name."""
    found = []
    for value in values:
        try:
            net = ipaddress.ip_network(str(value).strip(), strict=False)
        except ValueError:
            raise SyncError("a trusted proxy must be an IP address or network, got %r" % (value,)) from None
        if str(net) not in found:
            found.append(str(net))
    return found


def describe(current):
    return "".join("%s\n" % c for c in current[4] + current[6])
