# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sizing rules computed from host facts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

# Below this much memory the host is a 1 GB VM (they report 950-1000 MB): one worker.
SMALL_VM_MB = 1536


def _positive_int(name, value):
    if isinstance(value, bool):
        raise AnsibleFilterError("app_workers: %s must be a number, got %r" % (name, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("app_workers: %s must be a number, got %r" % (name, value)) from None
    if number < 1:
        raise AnsibleFilterError("app_workers: %s must be at least 1, got %r" % (name, value))
    return number


def app_workers(cpus, memory_mb, worker_memory_mb=256, memory_share=0.5):
    """Worker processes for an app server: 2 x CPUs + 1, capped by the memory the app may use."""
    cpus = _positive_int("cpus", cpus)
    memory_mb = _positive_int("memory_mb", memory_mb)
    worker_memory_mb = _positive_int("worker_memory_mb", worker_memory_mb)
    try:
        share = float(memory_share)
    except (TypeError, ValueError):
        raise AnsibleFilterError("app_workers: memory_share must be a fraction, got %r" % (memory_share,)) from None
    if not 0 < share <= 1:
        raise AnsibleFilterError("app_workers: memory_share must be in (0, 1], got %r" % (memory_share,))
    if memory_mb < SMALL_VM_MB:
        return 1
    by_memory = int(memory_mb * share // worker_memory_mb)
    return max(1, min(2 * cpus + 1, by_memory))


class FilterModule(object):
    def filters(self):
        return {"app_workers": app_workers}
