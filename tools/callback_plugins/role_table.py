# Test and benchmark helper (not part of the collection): at the end of a run,
# print how many tasks each role ran and the wall-clock seconds they took.
# Enable with ANSIBLE_CALLBACK_PLUGINS=tools/callback_plugins and
# ANSIBLE_CALLBACKS_ENABLED=role_table; ROLE_TABLE_JSON=path also writes the
# table as JSON.
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: role_table
type: aggregate
short_description: tasks and seconds per role, printed at the end of a run
description:
  - Times each task from its start to the next task's start (all hosts, as the linear strategy runs them) and adds
    the times and the count up by role; tasks outside a role count as (play).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "role_table"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._roles = {}
        self._current = None
        self._started = None

    def _close(self):
        if self._current is not None:
            row = self._roles.setdefault(self._current, {"tasks": 0, "seconds": 0.0})
            row["tasks"] += 1
            row["seconds"] += time.monotonic() - self._started
        self._current = None

    def _start(self, task):
        self._close()
        role = getattr(task, "_role", None)
        self._current = role.get_name() if role is not None else "(play)"
        self._started = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def v2_playbook_on_stats(self, stats):
        self._close()
        rows = sorted(self._roles.items(), key=lambda item: -item[1]["seconds"])
        width = max([len("role")] + [len(name) for name, _row in rows])
        lines = [f"{'role':<{width}}  {'tasks':>5}  {'seconds':>8}"]
        for name, row in rows:
            lines.append(f"{name:<{width}}  {row['tasks']:>5}  {row['seconds']:>8.1f}")
        total_tasks = sum(row["tasks"] for _name, row in rows)
        total_seconds = sum(row["seconds"] for _name, row in rows)
        lines.append(f"{'total':<{width}}  {total_tasks:>5}  {total_seconds:>8.1f}")
        self._display.display("\n".join(lines))
        path = os.environ.get("ROLE_TABLE_JSON")
        if path:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self._roles, handle, indent=1, sort_keys=True)
