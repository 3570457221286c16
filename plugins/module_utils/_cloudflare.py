# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cloudflare IP ranges: fetch, validate, cache, fall back.

Private to the collection. Standard library only, so that the firewall role
can also install this file on a host for its refresh timer, where Ansible is
not installed. HTTP goes through a `fetch(url, headers, timeout)` callable
the caller supplies (Ansible's fetch_url/open_url in plugins, urllib on hosts)
returning (status, headers, body) or raising FetchError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json
import os
import tempfile
import time

DEFAULT_API_URL = "https://api.cloudflare.com"
IPS_PATH = "/client/v4/ips"
MAX_BODY = 1024 * 1024
MAX_ENTRIES = 1000

# Cloudflare's published ranges as of 2026-11 (https://www.cloudflare.com/ips/),
# the last resort when neither the API nor a cache answers and the caller asked
# for a fallback.
BUNDLED = {
    "ipv4_cidrs": [
        "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22",
        "141.101.64.0/18", "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20",
        "197.234.240.0/22", "198.41.128.0/17", "162.158.0.0/15", "104.16.0.0/13",
        "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    ],
    "ipv6_cidrs": [
        "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32",
        "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32",
    ],
    "etag": "bundled-2026-11",
}

# Special-purpose ranges no CDN edge can come from. A range overlapping one of
# them is refused unless the caller allows private ranges (labs and tests).
SPECIAL = {
    4: [ipaddress.ip_network(n) for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4")],
    6: [ipaddress.ip_network(n) for n in (
        "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001:db8::/32",
        "fc00::/7", "fe80::/10", "ff00::/8")],
}
FAMILY_KEY = {4: "ipv4_cidrs", 6: "ipv6_cidrs"}


class FetchError(Exception):
    """The API could not be reached or did not answer with a usable status."""


class InvalidRanges(Exception):
    """The API answered, but not with a list of ranges that can be applied."""


def validate(payload, min_ipv4=10, min_ipv6=4, min_prefix_ipv4=8, min_prefix_ipv6=16,
             allow_private=False):
    """Check a /client/v4/ips answer and return {'ipv4_cidrs', 'ipv6_cidrs', 'etag'}.

    Raises InvalidRanges naming what is wrong. Nothing partial is returned.
    """
    if not isinstance(payload, dict):
        raise InvalidRanges("the answer is not a JSON object")
    if payload.get("success") is not True:
        errors = payload.get("errors")
        raise InvalidRanges("the answer says success=%s%s" % (
            json.dumps(payload.get("success")), ", errors: %s" % json.dumps(errors)[:300] if errors else ""))
    result = payload.get("result")
    if not isinstance(result, dict):
        raise InvalidRanges("the answer has no 'result' object")
    out = {"etag": result.get("etag") if isinstance(result.get("etag"), str) else None}
    limits = {4: (min_ipv4, min_prefix_ipv4), 6: (min_ipv6, min_prefix_ipv6)}
    for version, key in FAMILY_KEY.items():
        entries = result.get(key)
        if not isinstance(entries, list):
            raise InvalidRanges("result.%s is missing or not a list" % key)
        if len(entries) > MAX_ENTRIES:
            raise InvalidRanges("result.%s has %d entries, more than %d" % (key, len(entries), MAX_ENTRIES))
        minimum, min_prefix = limits[version]
        if len(entries) < minimum:
            raise InvalidRanges("result.%s has %d entries, fewer than the %d required (min_ipv%d)"
                                % (key, len(entries), minimum, version))
        networks = []
        for entry in entries:
            if not isinstance(entry, str):
                raise InvalidRanges("result.%s has a non-string entry %s" % (key, json.dumps(entry)[:80]))
            try:
                net = ipaddress.ip_network(entry.strip(), strict=True)
            except ValueError as exc:
                raise InvalidRanges("result.%s entry %r is not a CIDR: %s" % (key, entry[:80], exc)) from exc
            if net.version != version:
                raise InvalidRanges("result.%s entry %s is an IPv%d range" % (key, entry, net.version))
            if net.prefixlen < min_prefix:
                raise InvalidRanges("result.%s entry %s is broader than /%d" % (key, entry, min_prefix))
            if not allow_private:
                for special in SPECIAL[version]:
                    if net.overlaps(special):
                        raise InvalidRanges("result.%s entry %s overlaps the special-purpose range %s"
                                            % (key, entry, special))
            networks.append(net)
        seen = {}
        for net in networks:
            if str(net) in seen:
                raise InvalidRanges("result.%s lists %s twice" % (key, net))
            seen[str(net)] = net
        ordered = sorted(networks)
        for left, right in zip(ordered, ordered[1:]):
            if left.overlaps(right):
                raise InvalidRanges("result.%s entries %s and %s overlap" % (key, left, right))
        out[key] = [str(n) for n in networks]
    return out


def read_cache(path):
    """The last good answer saved at path, or None."""
    try:
        with open(path, "r") as fh:
            data = json.load(fh)
    except (IOError, OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in FAMILY_KEY.values()):
        return None
    return data


def cache_content(ranges):
    return json.dumps({"ipv4_cidrs": ranges["ipv4_cidrs"], "ipv6_cidrs": ranges["ipv6_cidrs"],
                       "etag": ranges.get("etag")}, indent=2, sort_keys=True) + "\n"


def write_atomic(path, content, mode=0o644):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def fetch_ranges(fetch, api_url=DEFAULT_API_URL, timeout=10, retries=3, backoff=1.0, etag=None,
                 sleep=time.sleep, **limits):
    """Ask the API; return (ranges or None when not modified, attempts log).

    Retries network errors and 5xx/429 answers with exponential backoff; an
    answer that arrives but is invalid is not retried (InvalidRanges).
    """
    url = api_url.rstrip("/") + IPS_PATH
    headers = {"Accept": "application/json"}
    if etag:
        headers["If-None-Match"] = '"%s"' % etag.strip('"')
    problems = []
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * (2 ** (attempt - 1)))
        try:
            status, _resp_headers, body = fetch(url, headers, timeout)
        except FetchError as exc:
            problems.append("attempt %d: %s" % (attempt + 1, exc))
            continue
        if status == 304 and etag:
            return None, problems
        if status == 429 or status >= 500:
            problems.append("attempt %d: HTTP %d from %s" % (attempt + 1, status, url))
            continue
        if status != 200:
            raise InvalidRanges("HTTP %d from %s: %s" % (status, url, summarize(body)))
        if len(body) > MAX_BODY:
            raise InvalidRanges("the answer from %s is larger than %d bytes" % (url, MAX_BODY))
        try:
            payload = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        except ValueError:
            raise InvalidRanges("the answer from %s is not JSON: %s" % (url, summarize(body))) from None
        return validate(payload, **limits), problems
    raise FetchError("no usable answer from %s after %d attempts: %s" % (url, retries + 1, "; ".join(problems)))


def summarize(body):
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    text = " ".join(text.split())
    return repr(text[:120]) if text else "an empty body"


def get_ranges(fetch, api_url=DEFAULT_API_URL, timeout=10, retries=3, backoff=1.0, cache_file=None,
               fallback="none", sleep=time.sleep, **limits):
    """Live ranges, or the fallback the caller chose when the live answer is unusable.

    Returns a dict with ipv4_cidrs, ipv6_cidrs, etag, source (live, cache or
    bundled), not_modified and problems. Raises FetchError or InvalidRanges when
    the live answer is unusable and fallback is 'none' (or has nothing to give).
    Cached and bundled data are validated with the same limits before use.
    """
    cached = read_cache(cache_file) if cache_file else None
    try:
        fresh, problems = fetch_ranges(fetch, api_url, timeout, retries, backoff,
                                       etag=(cached or {}).get("etag"), sleep=sleep, **limits)
    except (FetchError, InvalidRanges) as exc:
        error = exc
    else:
        if fresh is None:
            data = validate(dict(success=True, result=cached), **limits)
            return dict(data, source="live", not_modified=True, problems=problems)
        return dict(fresh, source="live", not_modified=False, problems=problems)

    order = {"none": [], "cache": ["cache"], "bundled": ["bundled"], "any": ["cache", "bundled"]}[fallback]
    for source in order:
        data = cached if source == "cache" else BUNDLED
        if data is None:
            continue
        try:
            checked = validate(dict(success=True, result=data), **limits)
        except InvalidRanges:
            continue
        return dict(checked, source=source, not_modified=False, problems=[str(error)])
    raise error
