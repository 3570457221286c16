# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every example inventory parses and keeps to the inventory contract."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTRACT = {"web", "workers", "beat", "postgres", "postgres_primary", "postgres_replicas", "redis",
            "sentinels", "loadbalancers", "sqlite", "monitoring"}
INVENTORIES = sorted(d for d in os.listdir(os.path.join(ROOT, "inventories"))
                     if os.path.isdir(os.path.join(ROOT, "inventories", d)))


def inventory(name):
    res = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i",
                          os.path.join(ROOT, "inventories", name), "--list"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert res.returncode == 0 and "[WARNING]" not in res.stderr, res.stderr
    return json.loads(res.stdout)


def test_prod_template_and_demo_exist():
    assert {"prod", "demo"} <= set(INVENTORIES)


@pytest.mark.parametrize("name", INVENTORIES)
def test_groups_follow_the_contract(name):
    data = inventory(name)
    groups = set(data) - {"_meta", "all", "ungrouped"}
    assert groups <= CONTRACT, "unknown groups %s" % sorted(groups - CONTRACT)
    if "postgres" in data:
        assert set(data["postgres"].get("children", [])) <= {"postgres_primary", "postgres_replicas"}
    for group in ("postgres_primary", "postgres_replicas"):
        if data.get(group, {}).get("hosts"):
            assert "postgres_primary" in data["postgres"]["children"]


def test_prod_template_names_every_group():
    data = inventory("prod")
    assert CONTRACT <= set(data) | {"sentinels", "loadbalancers", "sqlite", "monitoring", "postgres_replicas"}
    assert set(data["postgres"]["children"]) == {"postgres_primary", "postgres_replicas"}
