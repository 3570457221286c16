# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Options shared by the cloudflare_ips module and lookup.
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the Cloudflare API; C(/client/v4/ips) is appended. Point it at a proxy or a test server.
    type: str
    default: https://api.cloudflare.com
  timeout:
    description: Seconds to wait for one answer.
    type: int
    default: 10
  retries:
    description: How many times to ask again after a network error, an HTTP 429 or an HTTP 5xx answer.
    type: int
    default: 3
  backoff:
    description: Seconds before the first retry; doubled for each further one.
    type: float
    default: 1.0
  cache_file:
    description:
      - File holding the last good answer. Its etag is sent as C(If-None-Match); it is rewritten when the
        live answer is good and different, and it is used when O(fallback) allows it.
    type: path
  fallback:
    description:
      - What to return when the live answer is unusable (unreachable, not JSON, C(success=false), failing
        validation). V(none) fails with a message saying what was wrong; V(cache) uses O(cache_file);
        V(bundled) uses the list shipped with the collection; V(any) tries the cache, then the bundled list.
      - Fallback data passes the same validation as live data.
    type: str
    choices: [none, cache, bundled, any]
    default: none
  min_ipv4:
    description: Fewest IPv4 ranges a good answer has (Cloudflare publishes 15).
    type: int
    default: 10
  min_ipv6:
    description: Fewest IPv6 ranges a good answer has (Cloudflare publishes 7).
    type: int
    default: 4
  min_prefix_ipv4:
    description: Broadest IPv4 prefix length accepted; a range like C(0.0.0.0/1) is refused.
    type: int
    default: 8
  min_prefix_ipv6:
    description: Broadest IPv6 prefix length accepted.
    type: int
    default: 16
  allow_private:
    description:
      - Accept ranges overlapping private, loopback, link-local, documentation and other special-purpose
        ranges. Only for labs and tests that serve their own list.
    type: bool
    default: false
  validate_certs:
    description: Verify the API's TLS certificate.
    type: bool
    default: true
"""
