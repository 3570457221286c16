# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: cloudflare_ips
short_description: Cloudflare's IP ranges, validated, on the controller
version_added: 0.1.0
description:
  - Returns Cloudflare's ranges from C(GET {api_url}/client/v4/ips) after the same validation as the
    M(frugal.stack.cloudflare_ips) module, so an empty, partial or hostile answer never becomes a firewall rule.
author:
  - frugal.stack contributors (!UNKNOWN)
extends_documentation_fragment:
  - frugal.stack.cloudflare_ips
options:
  family:
    description: Which ranges to return.
    type: str
    choices: [all, ipv4, ipv6]
    default: all
"""

EXAMPLES = r"""
- name: Allow Cloudflare in a template
  ansible.builtin.debug:
    msg: "{{ query('frugal.stack.cloudflare_ips', family='ipv4') }}"

- name: Fall back to the bundled list when the API cannot be reached
  ansible.builtin.set_fact:
    cloudflare_ranges: "{{ query('frugal.stack.cloudflare_ips', fallback='bundled') }}"
"""

RETURN = r"""
_raw:
  description: CIDR ranges, IPv4 first.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import ConnectionError, SSLValidationError, open_url
from ansible.plugins.lookup import LookupBase
from ansible_collections.frugal.stack.plugins.module_utils._cloudflare import (
    FetchError,
    InvalidRanges,
    get_ranges,
)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        validate_certs = self.get_option("validate_certs")

        def fetch(url, headers, timeout):
            try:
                resp = open_url(url, headers=headers, timeout=timeout, validate_certs=validate_certs)
                return resp.getcode(), dict(resp.headers), resp.read()
            except HTTPError as exc:
                return exc.code, dict(exc.headers or {}), exc.read() if exc.fp else b""
            except SSLValidationError as exc:
                raise FetchError("TLS certificate of %s could not be validated: %s" % (url, to_native(exc))) from exc
            except (URLError, ConnectionError, OSError) as exc:
                raise FetchError("%s: %s" % (url, to_native(exc))) from exc

        fallback = self.get_option("fallback")
        if fallback in ("cache", "any") and not self.get_option("cache_file"):
            raise AnsibleLookupError("cloudflare_ips: fallback=%s needs cache_file" % fallback)
        limits = {k: self.get_option(k) for k in
                  ("min_ipv4", "min_ipv6", "min_prefix_ipv4", "min_prefix_ipv6", "allow_private")}
        try:
            ranges = get_ranges(fetch, self.get_option("api_url"), self.get_option("timeout"),
                                self.get_option("retries"), self.get_option("backoff"),
                                self.get_option("cache_file"), fallback, **limits)
        except FetchError as exc:
            raise AnsibleLookupError("cloudflare_ips: the API could not be reached: %s" % exc) from exc
        except InvalidRanges as exc:
            raise AnsibleLookupError("cloudflare_ips: the API's answer is unusable: %s" % exc) from exc
        family = self.get_option("family")
        if family == "ipv4":
            return ranges["ipv4_cidrs"]
        if family == "ipv6":
            return ranges["ipv6_cidrs"]
        return ranges["ipv4_cidrs"] + ranges["ipv6_cidrs"]
