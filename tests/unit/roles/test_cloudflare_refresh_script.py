# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall role's on-host refresh, laid out as the role installs it (the script beside the two module_utils
files) and run as its timer runs it: a process of its own, without Ansible, against a real local API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys

import helpers
from cf_api_server import GOOD, with_result

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PROXIES = ["172.31.251.30", "2001:db8::7"]


def install(tmp_path, api_url):
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(os.path.join(ROOT, "roles", "firewall", "files", "cloudflare_refresh.py"), lib)
    for name in ("_cloudflare.py", "_cloudflare_sync.py"):
        shutil.copy(os.path.join(ROOT, "plugins", "module_utils", name), lib)
    config = {
        "api_url": api_url, "cache_file": str(tmp_path / "ranges.json"),
        "limits": {"min_ipv4": 10, "min_ipv6": 5, "allow_private": False},
        "firewall": None, "nft_table": "frugal_filter", "state_file": str(tmp_path / "state.json"),
        "ports": [80, 443], "realip_include": str(tmp_path / "nginx" / "frugal-cloudflare-realip.conf"),
        "realip_trusted_proxies": PROXIES,
    }
    (tmp_path / "refresh.json").write_text(json.dumps(config))
    return tmp_path / "nginx" / "frugal-cloudflare-realip.conf"


def refresh(tmp_path):
    # no nginx on PATH: the include is written and nothing is reloaded, as before nginx is installed
    return subprocess.run([sys.executable, "-c", helpers.NO_ANSIBLE, str(tmp_path / "lib" / "cloudflare_refresh.py"),
                           "--config", str(tmp_path / "refresh.json")],
                          env={"PATH": "/nonexistent"}, capture_output=True, text=True, timeout=60, check=False)


def test_the_include_trusts_cloudflare_and_the_load_balancers_and_a_rerun_changes_nothing(tmp_path, cf_api):
    include = install(tmp_path, cf_api.url + "/client/v4/ips")
    first = refresh(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    lines = include.read_text().splitlines()
    trusted = [line.split()[1].rstrip(";") for line in lines if line.startswith("set_real_ip_from ")]
    cloudflare = GOOD["result"]["ipv4_cidrs"] + GOOD["result"]["ipv6_cidrs"]
    assert sorted(trusted) == sorted(cloudflare + ["172.31.251.30/32", "2001:db8::7/128"])
    assert trusted[-2:] == ["172.31.251.30/32", "2001:db8::7/128"]  # after Cloudflare's, under their own comment
    assert lines[-1] == "real_ip_header CF-Connecting-IP;"

    before = include.read_text()
    again = refresh(tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    # the load balancers are not taken for Cloudflare ranges that went away
    assert "added none, removed none" in again.stdout, again.stdout
    assert include.read_text() == before


def test_an_empty_answer_keeps_the_include_with_its_load_balancers(tmp_path, cf_api):
    include = install(tmp_path, cf_api.url + "/client/v4/ips")
    assert refresh(tmp_path).returncode == 0
    before = include.read_text()
    cf_api.answer((200, with_result(ipv4_cidrs=[], ipv6_cidrs=[])))
    os.unlink(tmp_path / "ranges.json")  # no cached answer to fall back on either
    failed = refresh(tmp_path)
    assert failed.returncode == 1
    assert "keeping the current ranges" in failed.stdout, failed.stdout
    assert include.read_text() == before
