# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""units against a stand-in systemctl that keeps each unit's state in a JSON file and logs every call.

The Molecule scenarios run the module against systemd itself, through every role that uses it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import sys

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.modules import units

SYSTEMCTL = r'''#!%s
import json, os, sys
path = os.environ["FAKE_SYSTEMCTL_STATE"]
with open(path) as f:
    db = json.load(f)
with open(path + ".log", "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\n")
args = [a for a in sys.argv[1:] if a != "--"]
verb, names = args[0], args[1:]
def unit(n):
    return n if "." in n else n + ".service"
if verb == "daemon-reload":
    sys.exit(0)
if verb == "show":
    blocks = []
    for n in names[1:]:
        u = db.get(unit(n))
        if u is None:
            u = {"LoadState": "not-found", "ActiveState": "inactive", "UnitFileState": ""}
        blocks.append("Id=%%s\nLoadState=%%s\nActiveState=%%s\nUnitFileState=%%s\n"
                      %% (unit(n), u["LoadState"], u["ActiveState"], u["UnitFileState"]))
    sys.stdout.write("\n".join(blocks))
    sys.exit(0)
u = db[unit(names[0])]
if u.get("fails") == verb:
    sys.stderr.write("Job for %%s failed.\n" %% unit(names[0]))
    sys.exit(1)
if verb == "enable":
    u["UnitFileState"] = "enabled"
elif verb == "disable":
    u["UnitFileState"] = "disabled"
elif verb == "stop":
    u["ActiveState"] = "inactive"
else:
    u["ActiveState"] = "active"
with open(path, "w") as f:
    json.dump(db, f)
''' % sys.executable


@pytest.fixture
def host(tmp_path, monkeypatch):
    """Write the units the host has; returns (state, calls) readers."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    tool = bindir / "systemctl"
    tool.write_text(SYSTEMCTL)
    os.chmod(str(tool), 0o740)
    monkeypatch.setenv("PATH", "%s:%s" % (bindir, os.environ["PATH"]))
    db = tmp_path / "units.json"
    monkeypatch.setenv("FAKE_SYSTEMCTL_STATE", str(db))

    class Host:
        def set(self, **unit_states):
            db.write_text(json.dumps(dict(
                (name.replace("_", "-") + ("" if "." in name else ".service"),
                 dict(dict(LoadState="loaded", UnitFileState="enabled", ActiveState="active"), **s))
                for name, s in unit_states.items())))

        def state(self, name):
            return json.loads(db.read_text())[name]

        def calls(self):
            log = tmp_path / "units.json.log"
            return log.read_text().splitlines() if log.exists() else []
    return Host()


def run_module(capsys, args, check_mode=False, diff=False):
    return helpers.run_module(units, capsys, args, check_mode, diff)


def test_a_unit_as_wanted_costs_one_read_and_changes_nothing(capsys, host):
    host.set(nginx={}, redis_server={})
    result = run_module(capsys, {"units": [{"name": "nginx", "enabled": True, "state": "started"},
                                           {"name": "redis-server", "enabled": True, "state": "started"}]})
    assert not result["changed"] and result["changed_units"] == []
    assert result["actions"] == {"nginx": [], "redis-server": []}
    assert len(host.calls()) == 1 and host.calls()[0].startswith("show ")


def test_only_the_units_that_differ_are_acted_on(capsys, host):
    host.set(nginx={}, fail2ban={"UnitFileState": "disabled", "ActiveState": "failed"},
             **{"certbot.timer": {"ActiveState": "inactive"}})
    result = run_module(capsys, {"units": [{"name": "nginx", "enabled": True, "state": "started"},
                                           {"name": "fail2ban", "enabled": True, "state": "started"},
                                           {"name": "certbot.timer", "state": "started"}]})
    assert result["changed"] and result["changed_units"] == ["fail2ban", "certbot.timer"]
    assert result["actions"] == {"nginx": [], "fail2ban": ["enable", "start"], "certbot.timer": ["start"]}
    assert host.state("fail2ban.service") == {"LoadState": "loaded", "UnitFileState": "enabled",
                                              "ActiveState": "active"}
    assert host.calls()[1:] == ["enable -- fail2ban", "start -- fail2ban", "start -- certbot.timer"]
    again = run_module(capsys, {"units": [{"name": "fail2ban", "enabled": True, "state": "started"}]})
    assert not again["changed"]


def test_static_units_count_as_enabled_and_stopped_disabled_units_stay_so(capsys, host):
    host.set(**{"frugal-certificate-metrics.service": {"UnitFileState": "static", "ActiveState": "inactive"},
                "frugal-firewall.service": {"UnitFileState": "disabled", "ActiveState": "inactive"}})
    result = run_module(capsys, {"units": [
        {"name": "frugal-certificate-metrics.service", "enabled": True},
        {"name": "frugal-firewall.service", "enabled": False, "state": "stopped"}]})
    assert not result["changed"] and len(host.calls()) == 1


def test_restart_always_acts_and_reload_starts_a_stopped_unit(capsys, host):
    host.set(mtail={}, nginx={"ActiveState": "inactive"}, ssh={})
    result = run_module(capsys, {"units": [{"name": "mtail", "state": "restarted"},
                                           {"name": "nginx", "state": "reloaded"},
                                           {"name": "ssh", "state": "reloaded"}]})
    assert result["actions"] == {"mtail": ["restart"], "nginx": ["start"], "ssh": ["reload"]}
    assert host.state("nginx.service")["ActiveState"] == "active"


def test_stop_and_disable(capsys, host):
    host.set(**{"frugal-cleanup.timer": {}})
    result = run_module(capsys, {"units": [{"name": "frugal-cleanup.timer", "enabled": False,
                                            "state": "stopped"}]})
    assert result["actions"] == {"frugal-cleanup.timer": ["disable", "stop"]}
    assert host.state("frugal-cleanup.timer") == {"LoadState": "loaded", "UnitFileState": "disabled",
                                                  "ActiveState": "inactive"}


def test_check_mode_and_diff_report_without_acting(capsys, host):
    host.set(fail2ban={"UnitFileState": "disabled", "ActiveState": "inactive"})
    result = run_module(capsys, {"units": [{"name": "fail2ban", "enabled": True, "state": "started"}],
                                 "daemon_reload": True}, check_mode=True, diff=True)
    assert result["changed"] and result["actions"] == {"fail2ban": ["enable", "start"]}
    assert result["diff"] == [{"before_header": "fail2ban", "after_header": "fail2ban",
                               "before": "enabled: disabled\nactive: inactive\n",
                               "after": "enabled: enabled\nactive: active\n"}]
    # check mode reads, and neither reloads systemd nor touches the unit
    assert [c.split()[0] for c in host.calls()] == ["show"]
    assert host.state("fail2ban.service")["ActiveState"] == "inactive"


def test_daemon_reload_runs_before_the_read(capsys, host):
    host.set(nginx={})
    run_module(capsys, {"units": [{"name": "nginx", "state": "started"}], "daemon_reload": True})
    assert [c.split()[0] for c in host.calls()] == ["daemon-reload", "show"]


@pytest.mark.parametrize("units_arg,message", [
    ([{"name": "nginx", "state": "started"}, {"name": "nginx", "enabled": True}], "nginx is listed twice"),
    ([{"name": "nginx"}], "nginx: set enabled, state or both"),
    ([{"name": "two words", "state": "started"}], "not a unit name: 'two words'"),
    ([{"name": "--now", "state": "started"}], "not a unit name: '--now'"),
])
def test_bad_entries_fail_before_systemctl_runs(capsys, host, units_arg, message):
    host.set(nginx={"ActiveState": "inactive"})
    result = run_module(capsys, {"units": units_arg})
    assert result["failed"] and result["msg"] == message
    assert host.calls() == []


@pytest.mark.parametrize("unit_state,message", [
    ({"LoadState": "masked", "UnitFileState": "masked", "ActiveState": "inactive"},
     "redis-server is masked; unmask it to let it run (nothing was changed)"),
    (None, "redis-server: no such unit on the host (nothing was changed)"),
])
def test_a_masked_or_missing_unit_fails_before_any_unit_changes(capsys, host, unit_state, message):
    states = {"nginx": {"ActiveState": "inactive"}}
    if unit_state is not None:
        states["redis_server"] = unit_state
    host.set(**states)
    result = run_module(capsys, {"units": [{"name": "nginx", "state": "started"},
                                           {"name": "redis-server", "enabled": True, "state": "started"}]})
    assert result["failed"] and result["msg"] == message
    assert host.state("nginx.service")["ActiveState"] == "inactive"
    assert [c.split()[0] for c in host.calls()] == ["show"]


def test_a_missing_unit_wanted_stopped_and_disabled_is_already_so(capsys, host):
    host.set(nginx={})
    result = run_module(capsys, {"units": [{"name": "frugal-old.timer", "enabled": False, "state": "stopped"}]})
    assert not result["changed"] and result["actions"] == {"frugal-old.timer": []}


def test_a_unit_that_fails_to_start_is_named_with_what_was_done_before(capsys, host):
    host.set(nginx={"ActiveState": "inactive"}, mtail={"ActiveState": "inactive", "fails": "start"})
    result = run_module(capsys, {"units": [{"name": "nginx", "state": "started"},
                                           {"name": "mtail", "state": "started"}]})
    assert result["failed"] and result["msg"] == "mtail: systemctl start failed: Job for mtail.service failed."
    assert result["changed"] and result["changed_units"] == ["nginx"]
