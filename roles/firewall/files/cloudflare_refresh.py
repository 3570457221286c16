# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refresh Cloudflare's ranges on this host: fetch, validate, apply in one transaction.

Installed by the frugal.stack.firewall role beside the collection's
_cloudflare.py and _cloudflare_sync.py (the same code its modules run) and run
by frugal-cloudflare-refresh.timer. When the API is unreachable or its answer
is unusable nothing is changed: the last good set stays, the reason goes to
the journal, and the unit fails so monitoring sees it.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _cloudflare  # noqa: E402
import _cloudflare_sync  # noqa: E402


def fetch(url, headers, timeout):
    if not url.startswith(("http://", "https://")):
        raise _cloudflare.FetchError("%s: only http:// and https:// API URLs are used" % url)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - scheme checked above
            return resp.status, dict(resp.headers), resp.read(_cloudflare.MAX_BODY + 1)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers or {}), exc.read() if exc.fp else b""
    except (urllib.error.URLError, socket.timeout, OSError) as exc:
        raise _cloudflare.FetchError("%s: %s" % (url, exc)) from exc


def run(argv, data=None):
    proc = subprocess.run(argv, input=data, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def backends(config):
    found = []
    if config.get("firewall") == "nftables":
        found.append(_cloudflare_sync.Nftables(run, table=config["nft_table"], state_file=config["state_file"]))
    elif config.get("firewall") == "ufw":
        found.append(_cloudflare_sync.Ufw(run, ports=config["ports"]))
    if config.get("realip_include"):
        found.append(_cloudflare_sync.NginxRealIp(run, config["realip_include"],
                                                  proxies=config.get("realip_trusted_proxies") or ()))
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="/etc/frugal-stack/cloudflare-refresh.json")
    args = parser.parse_args(argv)
    with open(args.config) as fh:
        config = json.load(fh)
    limits = config["limits"]
    try:
        ranges = _cloudflare.get_ranges(fetch, config["api_url"], cache_file=config["cache_file"],
                                        fallback="none", **limits)
    except (_cloudflare.FetchError, _cloudflare.InvalidRanges) as exc:
        print("keeping the current ranges: %s" % exc)
        return 1
    if ranges["source"] == "live" and not ranges["not_modified"]:
        _cloudflare.write_atomic(config["cache_file"], _cloudflare.cache_content(ranges))
    try:
        wanted = _cloudflare_sync.split_families(ranges["ipv4_cidrs"] + ranges["ipv6_cidrs"],
                                                 limits["min_ipv4"], limits["min_ipv6"])
        for backend in backends(config):
            plan = backend.plan(wanted)
            added = plan["diff"][4]["added"] + plan["diff"][6]["added"]
            removed = plan["diff"][4]["removed"] + plan["diff"][6]["removed"]
            if plan["live_differs"] or plan["state_differs"]:
                backend.apply(wanted, plan)
            print("%s: %d IPv4 and %d IPv6 ranges (%s%s), added %s, removed %s" % (
                type(backend).__name__, len(wanted[4]), len(wanted[6]), ranges["source"],
                ", not modified" if ranges["not_modified"] else "", added or "none", removed or "none"))
    except _cloudflare_sync.SyncError as exc:
        print("could not apply the ranges, the current ones stay: %s" % exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
