#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudflare_ips
short_description: Cloudflare's IPv4 and IPv6 ranges, validated, with cache and fallback
version_added: 0.1.0
description:
  - Fetches C(GET {api_url}/client/v4/ips) with a timeout and retries with backoff, and returns the ranges
    only when the whole answer is good, never an empty or partial list.
  - A good answer has C(success=true), at least O(min_ipv4) and O(min_ipv6) ranges that parse as CIDRs of
    their family with no host bits, none broader than O(min_prefix_ipv4) / O(min_prefix_ipv6), none overlapping
    private, loopback, link-local or other special-purpose ranges, and no duplicates or overlaps.
  - RV(source) says where the data came from, V(live), V(cache) or V(bundled).
author:
  - frugal.stack contributors (!UNKNOWN)
extends_documentation_fragment:
  - frugal.stack.cloudflare_ips
attributes:
  check_mode:
    description: Fetches and validates as usual but does not write O(cache_file).
    support: full
  diff_mode:
    description: Shows the cache file's ranges before and after.
    support: full
  idempotent:
    description: Reports a change only when O(cache_file) gets different ranges.
    support: full
seealso:
  - plugin: frugal.stack.cloudflare_ips
    plugin_type: lookup
  - module: frugal.stack.cloudflare_ip_sync
"""

EXAMPLES = r"""
- name: Cloudflare's ranges, failing on a bad answer
  frugal.stack.cloudflare_ips:
  register: cloudflare

- name: Keep the last good answer and fall back to it, then to the bundled list
  frugal.stack.cloudflare_ips:
    cache_file: /var/lib/frugal-stack/cloudflare-ips.json
    fallback: any
  register: cloudflare

- name: Use them
  ansible.builtin.debug:
    msg: "{{ cloudflare.ipv4_cidrs | length }} IPv4 ranges from {{ cloudflare.source }}"
"""

RETURN = r"""
ipv4_cidrs:
  description: IPv4 ranges.
  returned: success
  type: list
  elements: str
  sample: [173.245.48.0/20, 103.21.244.0/22]
ipv6_cidrs:
  description: IPv6 ranges.
  returned: success
  type: list
  elements: str
  sample: [2400:cb00::/32]
cidrs:
  description: IPv4 then IPv6 ranges.
  returned: success
  type: list
  elements: str
etag:
  description: The etag of the list, as the API gave it.
  returned: success
  type: str
  sample: 38f79d050aa027e3be3865e495dcc9bc
source:
  description: Where the ranges came from.
  returned: success
  type: str
  sample: live
not_modified:
  description: The API answered 304 to the cached etag, so the cached ranges are current.
  returned: success
  type: bool
problems:
  description: What went wrong with the live answer before the ranges returned were chosen.
  returned: success
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import fetch_url
from ansible_collections.frugal.stack.plugins.module_utils._cloudflare import (
    FetchError,
    InvalidRanges,
    cache_content,
    get_ranges,
    write_atomic,
)


def argument_spec():
    return dict(
        api_url=dict(type="str", default="https://api.cloudflare.com"),
        timeout=dict(type="int", default=10),
        retries=dict(type="int", default=3),
        backoff=dict(type="float", default=1.0),
        cache_file=dict(type="path"),
        fallback=dict(type="str", default="none", choices=["none", "cache", "bundled", "any"]),
        min_ipv4=dict(type="int", default=10),
        min_ipv6=dict(type="int", default=4),
        min_prefix_ipv4=dict(type="int", default=8),
        min_prefix_ipv6=dict(type="int", default=16),
        allow_private=dict(type="bool", default=False),
        validate_certs=dict(type="bool", default=True),
    )


def check_limits(module):
    params = module.params
    for name in ("timeout", "min_ipv4", "min_ipv6"):
        if params[name] < 1:
            module.fail_json(msg="%s must be at least 1, got %d" % (name, params[name]))
    if params["retries"] < 0 or params["backoff"] < 0:
        module.fail_json(msg="retries and backoff must not be negative")
    if not 1 <= params["min_prefix_ipv4"] <= 32 or not 1 <= params["min_prefix_ipv6"] <= 128:
        module.fail_json(msg="min_prefix_ipv4 must be 1-32 and min_prefix_ipv6 1-128")
    if not params["api_url"].startswith(("http://", "https://")):
        module.fail_json(msg="api_url must be an http:// or https:// URL, got %r" % params["api_url"])
    if params["fallback"] in ("cache", "any") and not params["cache_file"]:
        module.fail_json(msg="fallback=%s needs cache_file" % params["fallback"])


def module_fetch(module):
    def fetch(url, headers, timeout):
        resp, info = fetch_url(module, url, headers=headers, timeout=timeout, method="GET")
        status = info.get("status", -1)
        if status == -1 or status is None:
            raise FetchError("%s: %s" % (url, info.get("msg", "no answer")))
        if resp is not None:
            try:
                body = resp.read()
            except Exception as exc:  # a connection cut mid-body is a fetch error, not an answer
                raise FetchError("%s: reading the answer failed: %s" % (url, exc)) from exc
        else:
            body = info.get("body", b"")
        return status, info, body
    return fetch


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    check_limits(module)
    params = module.params
    limits = {k: params[k] for k in ("min_ipv4", "min_ipv6", "min_prefix_ipv4", "min_prefix_ipv6", "allow_private")}
    try:
        ranges = get_ranges(module_fetch(module), params["api_url"], params["timeout"], params["retries"],
                            params["backoff"], params["cache_file"], params["fallback"], **limits)
    except (FetchError, InvalidRanges) as exc:
        module.fail_json(msg="Cloudflare IP ranges unusable: %s" % exc, api_url=params["api_url"])

    result = dict(changed=False, cidrs=ranges["ipv4_cidrs"] + ranges["ipv6_cidrs"], **ranges)
    cache_file = params["cache_file"]
    if cache_file and ranges["source"] == "live" and not ranges["not_modified"]:
        new = cache_content(ranges)
        old = None
        if os.path.exists(cache_file):
            with open(cache_file, "r") as fh:
                old = fh.read()
        if new != old:
            result["changed"] = True
            if module._diff:
                result["diff"] = dict(before_header=cache_file, after_header=cache_file, before=old or "", after=new)
            if not module.check_mode:
                directory = os.path.dirname(cache_file)
                if not os.path.isdir(directory):
                    module.fail_json(msg="the directory of cache_file %s does not exist" % cache_file)
                write_atomic(cache_file, new)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
