# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudflare_ip_sync against real nftables, in a network namespace of its own
so that the host's ruleset is never touched."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
import uuid

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.modules import cloudflare_ip_sync

TABLE = """
table inet frugal_filter {
  set cloudflare_v4 { type ipv4_addr; flags interval; }
  set cloudflare_v6 { type ipv6_addr; flags interval; }
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport { 80, 443 } ip saddr @cloudflare_v4 accept
    tcp dport { 80, 443 } ip6 saddr @cloudflare_v6 accept
  }
}
"""
V4 = ["173.245.48.0/20", "103.21.244.0/22", "104.16.0.0/13"]
V6 = ["2400:cb00::/32", "2606:4700::/32"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("nft") or not shutil.which("ip"),
                                reason="needs root, nft and ip to make a network namespace")


@pytest.fixture
def netns(tmp_path):
    name = "frugal-test-%s" % uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", name], check=True)
    nft = tmp_path / "nft"
    nft.write_text('#!/bin/sh\nexec ip netns exec %s nft "$@"\n' % name)
    nft.chmod(0o755)
    ruleset = tmp_path / "table.nft"
    ruleset.write_text(TABLE)
    subprocess.run([str(nft), "-f", str(ruleset)], check=True)
    yield {"name": name, "nft": str(nft)}
    subprocess.run(["ip", "netns", "del", name], check=True)


def live(netns, name):
    out = subprocess.run([netns["nft"], "-j", "list", "set", "inet", "frugal_filter", name],
                         check=True, capture_output=True, text=True).stdout
    nft_set = [e["set"] for e in json.loads(out)["nftables"] if "set" in e][0]
    return sorted("%s/%s" % (e["prefix"]["addr"], e["prefix"]["len"]) for e in nft_set.get("elem", []))


def run_module(capsys, args, check_mode=False, diff=False):
    return helpers.run_module(cloudflare_ip_sync, capsys, args, check_mode, diff)


def test_fills_both_sets_then_changes_nothing(capsys, netns, tmp_path):
    state = tmp_path / "sets.nft"
    args = {"cidrs": V4 + V6, "nft_path": netns["nft"], "state_file": str(state)}
    first = run_module(capsys, args)
    assert first["changed"] and sorted(first["added"]) == sorted(V4 + V6) and first["removed"] == []
    assert live(netns, "cloudflare_v4") == sorted(V4)
    assert live(netns, "cloudflare_v6") == sorted(V6)
    # the state file is the same transaction and loads on its own
    subprocess.run([netns["nft"], "-c", "-f", str(state)], check=True)
    second = run_module(capsys, args)
    assert not second["changed"] and second["added"] == [] and second["removed"] == []


def test_check_mode_reports_and_changes_nothing(capsys, netns):
    result = run_module(capsys, {"cidrs": V4 + V6, "nft_path": netns["nft"]}, check_mode=True, diff=True)
    assert result["changed"] and len(result["added"]) == 5
    assert live(netns, "cloudflare_v4") == [] and live(netns, "cloudflare_v6") == []
    assert "173.245.48.0/20" in result["diff"]["after"] and result["diff"]["before"] == ""


def test_swap_reports_added_and_removed(capsys, netns):
    run_module(capsys, {"cidrs": V4 + V6, "nft_path": netns["nft"]})
    new_v4 = V4[1:] + ["131.0.72.0/22"]
    result = run_module(capsys, {"cidrs": new_v4 + V6, "nft_path": netns["nft"]}, diff=True)
    assert result["added"] == ["131.0.72.0/22"] and result["removed"] == ["173.245.48.0/20"]
    assert live(netns, "cloudflare_v4") == sorted(new_v4)
    assert live(netns, "cloudflare_v6") == sorted(V6)


def test_live_state_is_compared_not_only_the_state_file(capsys, netns, tmp_path):
    state = tmp_path / "sets.nft"
    args = {"cidrs": V4 + V6, "nft_path": netns["nft"], "state_file": str(state)}
    run_module(capsys, args)
    subprocess.run([netns["nft"], "delete", "element", "inet", "frugal_filter", "cloudflare_v4",
                    "{ 104.16.0.0/13 }"], check=True)
    result = run_module(capsys, args)
    assert result["changed"] and result["added"] == ["104.16.0.0/13"]
    assert live(netns, "cloudflare_v4") == sorted(V4)


@pytest.mark.parametrize("cidrs, message", [
    ([], "empty"),
    (["0.0.0.0/0"], "every address"),
    (["not-an-address"], "is not a CIDR"),
    (["10.0.0.1/8"], "is not a CIDR"),
    (V6, "fewer than the 1 required"),
])
def test_bad_lists_are_refused_and_sets_kept(capsys, netns, cidrs, message):
    run_module(capsys, {"cidrs": V4 + V6, "nft_path": netns["nft"]})
    result = run_module(capsys, {"cidrs": cidrs, "nft_path": netns["nft"]})
    assert result["failed"] and message in result["msg"]
    assert live(netns, "cloudflare_v4") == sorted(V4)


def test_minimum_counts(capsys, netns):
    result = run_module(capsys, {"cidrs": V4, "nft_path": netns["nft"], "min_ipv6": 2})
    assert result["failed"] and "IPv6" in result["msg"]


def test_missing_set_says_which(capsys, netns):
    result = run_module(capsys, {"cidrs": V4, "nft_path": netns["nft"], "nft_set_ipv4": "nope"})
    assert result["failed"] and "nope" in result["msg"] and "firewall role" in result["msg"]


def test_a_transaction_nft_refuses_changes_nothing(capsys, netns, tmp_path):
    # an IPv4 set given IPv6 ranges: nft -c refuses, the sets stay as they were
    run_module(capsys, {"cidrs": V4 + V6, "nft_path": netns["nft"]})
    result = run_module(capsys, {"cidrs": V4 + ["2a06:98c0::/29"], "nft_path": netns["nft"],
                                 "nft_set_ipv6": "cloudflare_v4"})
    assert result["failed"] and "nothing changed" in result["msg"]
    assert live(netns, "cloudflare_v4") == sorted(V4)


def test_nginx_include_waits_for_nginx_then_is_checked_and_reloaded(tmp_path):
    from ansible_collections.frugal.stack.plugins.module_utils import _cloudflare_sync
    calls = []

    def run(argv):
        calls.append(argv)
        return 0, "", ""

    include = tmp_path / "conf.d" / "realip.conf"
    wanted = {4: ["173.245.48.0/20"], 6: ["2400:cb00::/32"]}
    before = _cloudflare_sync.NginxRealIp(run, str(include), test=("/nonexistent/nginx", "-t"))
    before.apply(wanted, before.plan(wanted))
    assert "set_real_ip_from 173.245.48.0/20;" in include.read_text() and calls == []
    include.unlink()
    present = _cloudflare_sync.NginxRealIp(run, str(include), test=("/bin/true", "-t"))
    present.apply(wanted, present.plan(wanted))
    assert calls == [["/bin/true", "-t"], ["systemctl", "reload", "nginx"]]


def test_nginx_include_trusts_the_load_balancers_after_cloudflare(tmp_path):
    from ansible_collections.frugal.stack.plugins.module_utils import _cloudflare_sync
    include = tmp_path / "realip.conf"
    wanted = {4: ["173.245.48.0/20"], 6: ["2400:cb00::/32"]}

    def realip(proxies):
        return _cloudflare_sync.NginxRealIp(lambda argv: (0, "", ""), str(include), test=("/bin/true", "-t"),
                                            reload=None, proxies=proxies)

    first = realip(["10.0.0.7", "10.0.0.7/32", "fd00::7"])
    first.apply(wanted, first.plan(wanted))
    lines = include.read_text().splitlines()
    trusted = [line.split()[1].rstrip(";") for line in lines if line.startswith("set_real_ip_from")]
    assert trusted == ["173.245.48.0/20", "2400:cb00::/32", "10.0.0.7/32", "fd00::7/128"]
    assert lines[-1] == "real_ip_header CF-Connecting-IP;"
    # the proxies are not Cloudflare ranges: the diff shows none of them, and a rerun changes nothing
    plan = realip(["10.0.0.7", "fd00::7"]).plan(wanted)
    assert not plan["live_differs"] and plan["current"] == wanted
    # a load balancer leaving the inventory leaves the file
    assert realip([]).plan(wanted)["live_differs"]


@pytest.mark.parametrize("proxy", ["lb1", "10.0.0.300", ""])
def test_a_trusted_proxy_that_is_no_address_is_refused_by_value(capsys, tmp_path, proxy):
    include = tmp_path / "realip.conf"
    result = run_module(capsys, {"cidrs": V4, "backend": "nginx", "nginx_include": str(include),
                                 "nginx_trusted_proxies": [proxy]})
    assert result["failed"] and "trusted proxy" in result["msg"] and repr(proxy) in result["msg"]
    assert not include.exists()
