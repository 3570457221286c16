# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PostgreSQL settings from memory, CPUs, storage and workload (the PGTune rules)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible.errors import AnsibleFilterError

KB_PER_MB = 1024
KB_PER_GB = 1024 * 1024

WORKLOADS = ("web", "oltp", "dw", "mixed", "desktop")
STORAGE = ("ssd", "hdd", "san")

# Per workload: connections, shared_buffers and effective_cache_size as a
# fraction of memory, maintenance_work_mem divisor, work_mem divisor,
# min/max WAL size in MB, default_statistics_target.
_RULES = {
    "web": dict(connections=200, shared=1 / 4, cache=3 / 4, maint=16, work=1, min_wal=1024, max_wal=4096, stats=100),
    "oltp": dict(connections=300, shared=1 / 4, cache=3 / 4, maint=16, work=1, min_wal=2048, max_wal=8192, stats=100),
    "dw": dict(connections=40, shared=1 / 4, cache=3 / 4, maint=8, work=2, min_wal=4096, max_wal=16384, stats=500),
    "mixed": dict(connections=100, shared=1 / 4, cache=3 / 4, maint=16, work=2, min_wal=1024, max_wal=4096, stats=100),
    "desktop": dict(connections=20, shared=1 / 16, cache=1 / 4, maint=16, work=6, min_wal=100, max_wal=2048, stats=100),
}
_RANDOM_PAGE_COST = {"ssd": 1.1, "hdd": 4.0, "san": 1.1}
_IO_CONCURRENCY = {"ssd": 200, "hdd": 2, "san": 300}
MAINTENANCE_CAP_KB = 2 * KB_PER_GB
WAL_BUFFERS_CAP_KB = 16 * KB_PER_MB


def size(kb):
    """PostgreSQL's spelling of a size in kB: the largest unit that divides it."""
    kb = int(kb)
    if kb % KB_PER_GB == 0:
        return "%dGB" % (kb // KB_PER_GB)
    if kb % KB_PER_MB == 0:
        return "%dMB" % (kb // KB_PER_MB)
    return "%dkB" % kb


def _whole(name, value, minimum):
    if isinstance(value, bool) or value is None:
        raise AnsibleFilterError("pgtune: %s must be a whole number, got %r" % (name, value))
    try:
        number = int(str(value).strip())
    except ValueError:
        raise AnsibleFilterError("pgtune: %s must be a whole number, got %r" % (name, value)) from None
    if number < minimum:
        raise AnsibleFilterError("pgtune: %s must be at least %d, got %r" % (name, minimum, value))
    return number


def _choice(name, value, choices):
    if value not in choices:
        raise AnsibleFilterError("pgtune: %s must be one of %s, got %r" % (name, ", ".join(choices), value))
    return value


def pgtune(memory_mb, cpus, storage="ssd", workload="web", max_connections=None):
    """Settings for a server given the memory it may use (MB) and its CPUs.

    Returns a dict of postgresql.conf names to values (sizes as strings with
    units). max_connections, when given, replaces the workload's number and
    work_mem follows it.
    """
    memory_kb = _whole("memory_mb", memory_mb, 256) * KB_PER_MB
    cpus = _whole("cpus", cpus, 1)
    storage = _choice("storage", storage, STORAGE)
    rules = _RULES[_choice("workload", workload, WORKLOADS)]
    if max_connections in (None, ""):
        connections = rules["connections"]
    else:
        connections = _whole("max_connections", max_connections, 1)

    shared_kb = int(memory_kb * rules["shared"])
    cache_kb = int(memory_kb * rules["cache"])
    maint_kb = min(memory_kb // rules["maint"], MAINTENANCE_CAP_KB)

    # 3% of shared_buffers, at most 16MB; within 2MB of the cap means the cap.
    wal_kb = shared_kb * 3 // 100
    if wal_kb > 14 * KB_PER_MB:
        wal_kb = WAL_BUFFERS_CAP_KB
    wal_kb = max(wal_kb, 32)

    settings = {
        "max_connections": connections,
        "shared_buffers": size(shared_kb),
        "effective_cache_size": size(cache_kb),
        "maintenance_work_mem": size(maint_kb),
        "checkpoint_completion_target": 0.9,
        "wal_buffers": size(wal_kb),
        "default_statistics_target": rules["stats"],
        "random_page_cost": _RANDOM_PAGE_COST[storage],
        "effective_io_concurrency": _IO_CONCURRENCY[storage],
        "min_wal_size": size(rules["min_wal"] * KB_PER_MB),
        "max_wal_size": size(rules["max_wal"] * KB_PER_MB),
    }

    gather = 1
    if cpus >= 2:
        half = int(math.ceil(cpus / 2))
        gather = half if workload == "dw" else min(half, 4)
        settings.update({
            "max_worker_processes": cpus,
            "max_parallel_workers_per_gather": gather,
            "max_parallel_workers": cpus,
            "max_parallel_maintenance_workers": min(half, 4),
        })

    # What is left after shared_buffers, shared by every connection running
    # three sorts or hashes at once, each split over its parallel workers.
    work_kb = (memory_kb - shared_kb) / (connections * 3) / gather
    settings["work_mem"] = size(max(int(work_kb / rules["work"]), 64))
    if memory_kb >= 32 * KB_PER_GB:
        settings["huge_pages"] = "try"
    return settings


class FilterModule(object):
    def filters(self):
        return {"pgtune": pgtune}
