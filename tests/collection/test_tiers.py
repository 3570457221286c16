# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every example inventory fits the tier it declares; a misfit stops site.yml and the tier playbooks before any
host is contacted, with a message naming the group."""

import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
TIERS = ("free", "single", "split", "ha")


def run(args, inventory):
    return subprocess.run([os.path.join(BIN, args[0])] + args[1:] + ["-i", inventory], cwd=ROOT,
                          capture_output=True, text=True, check=False,
                          env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="0"))


def ansible(args, inventory):
    res = run(args, inventory)
    return res.returncode, res.stdout + res.stderr


def debug(inventory, arg, *extra):
    """What `ansible localhost -m debug -a ARG` prints, parsed (stdout alone: warnings go to stderr)."""
    res = run(["ansible", "localhost", "-m", "ansible.builtin.debug", "-a", arg] + list(extra), inventory)
    assert res.returncode == 0, res.stdout + res.stderr
    return yaml.safe_load(res.stdout.split("=>", 1)[1])


def misfits(inventory, expected=""):
    return debug(inventory, "msg={{ groups | frugal.stack.tier_problems(hostvars, expected='%s') }}" % expected)["msg"]


@pytest.mark.parametrize("name", TIERS + ("demo", "prod"))
def test_example_inventory_fits_its_tier(name):
    assert misfits(os.path.join(ROOT, "inventories", name)) == []


@pytest.mark.parametrize("tier", TIERS)
def test_example_inventory_declares_the_tier_it_is_named_for(tier):
    inventory = os.path.join(ROOT, "inventories", tier)
    assert misfits(inventory, expected=tier) == []
    other = "ha" if tier != "ha" else "single"
    assert misfits(inventory, expected=other) == [
        "this playbook runs the %s tier and the inventory declares stack_tier %s: run playbooks/tier_%s.yml "
        "(or site.yml)" % (other, tier, tier)]


def write_inventory(path, tier, hosts):
    """hosts: name -> groups; addresses from TEST-NET-1, nothing answers there."""
    children = {}
    for number, (host, member) in enumerate(sorted(hosts.items())):
        for group in member:
            target = children.setdefault("postgres", {"children": {}})["children"] if group.startswith(
                "postgres_") else children
            target.setdefault(group, {"hosts": {}})["hosts"][host] = {"ansible_host": "192.0.2.%d" % (number + 1)}
    path.mkdir()
    (path / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": children,
                                                            "vars": {"stack_tier": tier}}}))
    return str(path)


@pytest.mark.parametrize("playbook, tier, hosts, message", [
    ("site.yml", "ha", {"lb": ["loadbalancers"], "w1": ["web", "workers", "beat"],
                        "db1": ["postgres_primary"], "db2": ["postgres_replicas"],
                        "r1": ["redis", "sentinels"], "r2": ["redis", "sentinels"]},
     ["ha needs at least 2 hosts in web, found 1 (w1)", "sentinels must be an odd number >= 3, found 2 (r1, r2)"]),
    ("site.yml", "free", {"vm": ["web", "sqlite"], "db": ["postgres_primary"]},
     ["free runs on 1 host, found 2 (vm, db)", "free has no postgres (found db)"]),
    ("playbooks/tier_single.yml", "split", {"app": ["web", "workers", "beat"], "db": ["postgres_primary", "redis"]},
     ["this playbook runs the single tier and the inventory declares stack_tier split"]),
    ("site.yml", "medium", {"vm": ["web"]},
     ["stack_tier must be one of free, single, split, ha, custom, found 'medium'"]),
])
def test_a_misfit_stops_the_run_before_any_host(tmp_path, playbook, tier, hosts, message):
    rc, out = ansible(["ansible-playbook", playbook], write_inventory(tmp_path / "inventory", tier, hosts))
    assert rc != 0, out
    out = " ".join(out.split())  # the callback folds long messages
    assert "The inventory does not fit its tier: " in out, out
    for text in message:
        assert text in out, out
    assert "UNREACHABLE" not in out and "ok=" not in out.replace("ok=0", ""), out
    assert out.count("TASK [") == 1, out


def marked_paths(value, mark="CHANGE-ME", path=""):
    """The paths of the string values holding mark in a parsed YAML file, the way the placeholders filter names them."""
    if isinstance(value, str):
        return {path} if mark in value else set()
    if isinstance(value, dict):
        return set().union(*[marked_paths(v, mark, "%s.%s" % (path, k) if path else k) for k, v in value.items()])
    if isinstance(value, list):
        return set().union(*[marked_paths(v, mark, "%s[%d]" % (path, i)) for i, v in enumerate(value)])
    return set()


def placeholders_in(inventory, *extra):
    return debug(inventory, "msg={{ groups.all | map('extract', hostvars) | map('frugal.stack.placeholders') "
                            "| flatten | unique | sort }}", *extra)["msg"]


@pytest.mark.parametrize("name", TIERS + ("demo", "prod"))
def test_every_placeholder_in_an_example_inventory_is_found(name):
    inventory = os.path.join(ROOT, "inventories", name)
    groups = debug(inventory, "var=groups")["groups"]
    wanted, templated = set(), set()
    for folder in ("group_vars", "host_vars"):
        for top, _dirs, files in os.walk(os.path.join(inventory, folder)):
            for file in files:
                # group_vars/<group>.yml or group_vars/<group>/*.yml, read only for a group with hosts
                owner = os.path.relpath(os.path.join(top, file), os.path.join(inventory, folder)).split(os.sep)[0]
                if folder == "group_vars" and not groups.get(owner.rsplit(".", 1)[0]):
                    continue
                with open(os.path.join(top, file)) as handle:
                    data = yaml.safe_load(handle) or {}
                wanted |= marked_paths(data)
                templated |= marked_paths(data, "{{")
    assert (name == "demo") == (not wanted)  # the demo runs as shipped; the others must be filled in
    found = set(placeholders_in(inventory))
    assert wanted <= found, sorted(wanted - found)
    # besides, settings templated from one of them (a secret made from a password)
    assert found - wanted <= templated, sorted(found - wanted - templated)


def test_real_values_pass_the_placeholder_check(tmp_path):
    inventory = os.path.join(ROOT, "inventories", "free")
    found = placeholders_in(inventory)
    assert found
    overrides = tmp_path / "overrides.yml"
    overrides.write_text(yaml.safe_dump({name: "a-real-value-%d" % i for i, name in enumerate(found)}))
    assert placeholders_in(inventory, "-e", "@%s" % overrides) == []


def test_a_placeholder_stops_the_run_before_any_host():
    rc, out = ansible(["ansible-playbook", "site.yml"], os.path.join(ROOT, "inventories", "free"))
    assert rc != 0, out
    out = " ".join(out.split())
    assert ("certbot_cloudflare_api_token, sqlite_backup_r2_access_key_id, sqlite_backup_r2_secret_access_key "
            "still hold the example inventory's CHANGE-ME placeholder on app1.example.com") in out, out
    assert "UNREACHABLE" not in out and "changed=0" in out, out
