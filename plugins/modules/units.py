#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: units
short_description: Enable, start, stop, restart or reload several systemd units in one pass
version_added: 0.1.0
description:
  - Reads the state of every listed unit with one C(systemctl show), then enables, disables, starts, stops,
    restarts or reloads only the units that need it, in the order given. A rerun on a host where every unit is
    as wanted runs nothing but that one read.
  - Every entry is checked first (a name, something to do, no unit listed twice), and so is every unit on the host
    (no masked unit, no missing unit that should be enabled or running); a bad one fails the task before any unit
    changes.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  units:
    description: The units, handled in the order given.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Unit name; without a suffix, C(.service) is meant, as with C(systemctl).
        type: str
        required: true
      enabled:
        description: Whether the unit starts at boot; left alone when not set.
        type: bool
      state:
        description:
          - V(started) and V(stopped) act only when the unit is not already so.
          - V(restarted) always restarts; V(reloaded) reloads a running unit and starts a stopped one.
          - Left alone when not set.
        type: str
        choices: [started, stopped, restarted, reloaded]
  daemon_reload:
    description: Run C(systemctl daemon-reload) first, so unit files written just before are read.
    type: bool
    default: false
attributes:
  check_mode:
    description: Reports what would be done, doing nothing.
    support: full
  diff_mode:
    description: One diff per unit that changes, with its boot and running states before and after.
    support: full
  idempotent:
    description: V(started), V(stopped) and O(units[].enabled) act only on units not already as wanted.
    support: partial
    details: V(restarted) and V(reloaded) act on every run.
"""

EXAMPLES = r"""
- name: Keep nginx and the app running and started at boot
  frugal.stack.units:
    units:
      - {name: nginx, enabled: true, state: started}
      - {name: app.socket, enabled: true, state: started}

- name: Start the exporter, restarted when its settings changed
  frugal.stack.units:
    daemon_reload: "{{ exporter_files is changed }}"
    units:
      - name: prometheus-redis-exporter
        enabled: true
        state: "{{ 'restarted' if exporter_files is changed else 'started' }}"
"""

RETURN = r"""
actions:
  description: For every listed unit, what was done (or would be in check mode), in order.
  returned: always
  type: dict
  sample: {nginx: [], fail2ban: [enable, start]}
changed_units:
  description: The units something was done to.
  returned: always
  type: list
  elements: str
  sample: [fail2ban]
"""

from ansible.module_utils.basic import AnsibleModule

# UnitFileState values that mean the unit starts when it should; `systemctl
# enable` has nothing to add to them.
ENABLED = frozenset(("enabled", "enabled-runtime", "static", "indirect", "generated", "alias", "transient"))
DISABLE = frozenset(("enabled", "enabled-runtime"))
RUNNING = frozenset(("active", "activating", "reloading"))
PROPERTIES = ("Id", "LoadState", "ActiveState", "UnitFileState")


def read_states(module, systemctl, names):
    """Each name's properties, read with one systemctl call (its blocks come in the order asked)."""
    rc, out, err = module.run_command(
        [systemctl, "show", "--property=" + ",".join(PROPERTIES), "--"] + names)
    if rc != 0:
        module.fail_json(msg="systemctl show failed: %s" % (err.strip() or out.strip()), rc=rc)
    blocks = out.strip("\n").split("\n\n")
    if len(blocks) != len(names):
        module.fail_json(msg="systemctl show answered %d units for the %d asked" % (len(blocks), len(names)))
    states = []
    for block in blocks:
        props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        states.append(dict((p, props.get(p, "")) for p in PROPERTIES))
    return states


def plan(module, entry, state):
    """The actions the entry needs from state; fails naming the unit when none can be taken."""
    name, enabled, wanted = entry["name"], entry["enabled"], entry["state"]
    needs_unit = enabled is True or wanted in ("started", "restarted", "reloaded")
    if state["LoadState"] == "masked" and needs_unit:
        module.fail_json(msg="%s is masked; unmask it to let it run (nothing was changed)" % name, unit=name)
    if state["LoadState"] == "not-found":
        if needs_unit:
            module.fail_json(msg="%s: no such unit on the host (nothing was changed)" % name, unit=name)
        return []
    actions = []
    if enabled is True and state["UnitFileState"] not in ENABLED:
        actions.append("enable")
    elif enabled is False and state["UnitFileState"] in DISABLE:
        actions.append("disable")
    running = state["ActiveState"] in RUNNING
    if wanted == "started" and not running:
        actions.append("start")
    elif wanted == "stopped" and (running or state["ActiveState"] == "deactivating"):
        actions.append("stop")
    elif wanted == "restarted":
        actions.append("restart")
    elif wanted == "reloaded":
        actions.append("reload" if running else "start")
    return actions


def describe(state):
    return "enabled: %s\nactive: %s\n" % (state["UnitFileState"] or "-", state["ActiveState"])


def after(state, actions):
    state = dict(state)
    for action in actions:
        if action == "enable":
            state["UnitFileState"] = "enabled"
        elif action == "disable":
            state["UnitFileState"] = "disabled"
        elif action == "stop":
            state["ActiveState"] = "inactive"
        else:
            state["ActiveState"] = "active"
    return state


def main():
    module = AnsibleModule(
        argument_spec=dict(
            units=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                enabled=dict(type="bool"),
                state=dict(type="str", choices=["started", "stopped", "restarted", "reloaded"]),
            )),
            daemon_reload=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    entries = module.params["units"]
    seen = set()
    for entry in entries:
        name = entry["name"]
        if not name or name.startswith("-") or any(c.isspace() for c in name):
            module.fail_json(msg="not a unit name: %r" % entry["name"], unit=entry["name"])
        if name in seen:
            module.fail_json(msg="%s is listed twice" % name, unit=name)
        seen.add(name)
        if entry["enabled"] is None and entry["state"] is None:
            module.fail_json(msg="%s: set enabled, state or both" % name, unit=name)

    systemctl = module.get_bin_path("systemctl", required=True)
    if module.params["daemon_reload"] and not module.check_mode:
        rc, out, err = module.run_command([systemctl, "daemon-reload"])
        if rc != 0:
            module.fail_json(msg="systemctl daemon-reload failed: %s" % (err.strip() or out.strip()), rc=rc)

    names = [e["name"] for e in entries]
    states = read_states(module, systemctl, names)
    plans = [(entry, state, plan(module, entry, state)) for entry, state in zip(entries, states)]

    actions = dict((entry["name"], acts) for entry, _state, acts in plans)
    changed_units = [entry["name"] for entry, _state, acts in plans if acts]
    result = dict(changed=bool(changed_units), actions=actions, changed_units=changed_units)
    if module._diff:
        result["diff"] = [dict(before_header=entry["name"], after_header=entry["name"],
                               before=describe(state), after=describe(after(state, acts)))
                          for entry, state, acts in plans if acts]
    if not module.check_mode:
        done = []
        for entry, _state, acts in plans:
            name = entry["name"]
            for action in acts:
                rc, out, err = module.run_command([systemctl, action, "--", name])
                if rc != 0:
                    module.fail_json(msg="%s: systemctl %s failed: %s" % (name, action, err.strip() or out.strip()),
                                     unit=name, rc=rc, changed=bool(done), changed_units=done)
                if name not in done:
                    done.append(name)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
