#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudflare_ip_sync
short_description: Apply Cloudflare's ranges to nftables sets, ufw rules or an nginx real_ip include
version_added: 0.1.0
description:
  - Makes the host's allowlist equal to O(cidrs), comparing with the live state (not only files), and reports
    the ranges added and removed.
  - V(nftables) replaces the contents of two named interval sets (IPv4 and IPv6) in one C(nft -f) transaction,
    checked first with C(nft -c), so packets see the old sets or the new ones, never a gap. With O(state_file) the
    same transaction is kept in a file a firewall loads at boot.
  - V(ufw) adds a rule per new range for O(ports) before it deletes the rules of ranges no longer listed.
  - V(nginx) writes an include with C(set_real_ip_from) per range and C(real_ip_header CF-Connecting-IP),
    checks it with C(nginx -t) (restoring the previous file when the check fails) and reloads nginx.
  - An empty list, or one with fewer than O(min_ipv4) / O(min_ipv6) ranges, is refused before anything changes.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  cidrs:
    description: The ranges to allow, IPv4 and IPv6 mixed (for example RV(frugal.stack.cloudflare_ips#module:cidrs)).
    type: list
    elements: str
    required: true
  backend:
    description: What to apply the ranges to.
    type: str
    choices: [nftables, ufw, nginx]
    default: nftables
  min_ipv4:
    description: Fewest IPv4 ranges accepted.
    type: int
    default: 1
  min_ipv6:
    description: Fewest IPv6 ranges accepted.
    type: int
    default: 0
  nft_path:
    description: The nft program (V(nftables)).
    type: path
    default: nft
  nft_family:
    description: Address family of the table holding the sets (V(nftables)).
    type: str
    default: inet
  nft_table:
    description: Table holding the sets (V(nftables)). The firewall role creates it.
    type: str
    default: frugal_filter
  nft_set_ipv4:
    description: Interval set of type C(ipv4_addr) (V(nftables)).
    type: str
    default: cloudflare_v4
  nft_set_ipv6:
    description: Interval set of type C(ipv6_addr) (V(nftables)).
    type: str
    default: cloudflare_v6
  state_file:
    description: File kept equal to the applied transaction, for loading at boot (V(nftables)).
    type: path
  ufw_path:
    description: The ufw program (V(ufw)).
    type: path
    default: ufw
  ports:
    description: TCP ports the ranges may reach (V(ufw)).
    type: list
    elements: int
    default: [80, 443]
  nginx_include:
    description: Path of the include file (V(nginx)).
    type: path
    default: /etc/nginx/conf.d/frugal-cloudflare-realip.conf
  nginx_reload:
    description: Reload nginx after a change (V(nginx)).
    type: bool
    default: true
  nginx_trusted_proxies:
    description:
      - Addresses or networks besides Cloudflare's that may set the client address (V(nginx)), such as the load
        balancers that pass Cloudflare's connections through to this host. Trust them only when they admit
        Cloudflare alone, or a visitor could choose the address nginx logs and limits.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Reads the live state and reports the ranges it would add and remove, changing nothing.
    support: full
  diff_mode:
    description: The allowed ranges before and after, one per line.
    support: full
  idempotent:
    description: Compares with the live sets, rules or file; the same list twice changes nothing.
    support: full
seealso:
  - module: frugal.stack.cloudflare_ips
"""

EXAMPLES = r"""
- name: Fetch Cloudflare's ranges
  frugal.stack.cloudflare_ips:
  register: cloudflare

- name: Replace the nftables allowlist in one transaction
  frugal.stack.cloudflare_ip_sync:
    cidrs: "{{ cloudflare.cidrs }}"
    backend: nftables
    min_ipv4: 10
    min_ipv6: 4
    state_file: /var/lib/frugal-stack/cloudflare-sets.nft

- name: Trust CF-Connecting-IP from those ranges only
  frugal.stack.cloudflare_ip_sync:
    cidrs: "{{ cloudflare.cidrs }}"
    backend: nginx
"""

RETURN = r"""
added:
  description: Ranges added (or that would be).
  returned: success
  type: list
  elements: str
  sample: [104.16.0.0/13]
removed:
  description: Ranges removed (or that would be).
  returned: success
  type: list
  elements: str
  sample: [104.16.0.0/12]
cidrs:
  description: The ranges allowed after the run, normalised and sorted.
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils._cloudflare_sync import (
    Nftables,
    NginxRealIp,
    SyncError,
    Ufw,
    describe,
    split_families,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            cidrs=dict(type="list", elements="str", required=True),
            backend=dict(type="str", default="nftables", choices=["nftables", "ufw", "nginx"]),
            min_ipv4=dict(type="int", default=1),
            min_ipv6=dict(type="int", default=0),
            nft_path=dict(type="path", default="nft"),
            nft_family=dict(type="str", default="inet"),
            nft_table=dict(type="str", default="frugal_filter"),
            nft_set_ipv4=dict(type="str", default="cloudflare_v4"),
            nft_set_ipv6=dict(type="str", default="cloudflare_v6"),
            state_file=dict(type="path"),
            ufw_path=dict(type="path", default="ufw"),
            ports=dict(type="list", elements="int", default=[80, 443]),
            nginx_include=dict(type="path", default="/etc/nginx/conf.d/frugal-cloudflare-realip.conf"),
            nginx_reload=dict(type="bool", default=True),
            nginx_trusted_proxies=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params

    def run(argv, data=None):
        return module.run_command(argv, data=data)

    try:
        wanted = split_families(params["cidrs"], params["min_ipv4"], params["min_ipv6"])
        if params["backend"] == "nftables":
            backend = Nftables(run, params["nft_path"], params["nft_family"], params["nft_table"],
                               params["nft_set_ipv4"], params["nft_set_ipv6"], params["state_file"])
        elif params["backend"] == "ufw":
            if not params["ports"] or any(not 0 < p < 65536 for p in params["ports"]):
                raise SyncError("ports must be TCP port numbers, got %s" % params["ports"])
            backend = Ufw(run, params["ufw_path"], params["ports"])
        else:
            backend = NginxRealIp(run, params["nginx_include"],
                                  reload=("systemctl", "reload", "nginx") if params["nginx_reload"] else None,
                                  proxies=params["nginx_trusted_proxies"])
        plan = backend.plan(wanted)
    except SyncError as exc:
        module.fail_json(msg=str(exc))

    diff = plan["diff"]
    result = dict(
        changed=plan["live_differs"] or plan["state_differs"],
        added=diff[4]["added"] + diff[6]["added"],
        removed=diff[4]["removed"] + diff[6]["removed"],
        cidrs=wanted[4] + wanted[6],
    )
    if module._diff:
        result["diff"] = dict(before_header="allowed ranges (%s)" % params["backend"],
                              after_header="allowed ranges (%s)" % params["backend"],
                              before=describe(plan["current"]), after=describe(wanted))
    if result["changed"] and not module.check_mode:
        try:
            backend.apply(wanted, plan)
        except SyncError as exc:
            module.fail_json(msg=str(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
