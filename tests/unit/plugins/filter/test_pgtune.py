# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PGTune rules: figures checked against PGTune's published outputs and seed 002."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.frugal.stack.plugins.filter.pgtune import pgtune, size


def test_web_4gb_2cpu_ssd():
    # seed 002's 4 GB allocation: 25% / 75%, 256MB maintenance, SSD page cost
    assert pgtune(4096, 2) == {
        "max_connections": 200,
        "shared_buffers": "1GB",
        "effective_cache_size": "3GB",
        "maintenance_work_mem": "256MB",
        "checkpoint_completion_target": 0.9,
        "wal_buffers": "16MB",
        "default_statistics_target": 100,
        "random_page_cost": 1.1,
        "effective_io_concurrency": 200,
        "work_mem": "5242kB",
        "min_wal_size": "1GB",
        "max_wal_size": "4GB",
        "max_worker_processes": 2,
        "max_parallel_workers_per_gather": 1,
        "max_parallel_workers": 2,
        "max_parallel_maintenance_workers": 1,
    }


def test_desktop_32gb_8cpu_hdd_100_connections():
    s = pgtune(32768, 8, storage="hdd", workload="desktop", max_connections=100)
    assert s["shared_buffers"] == "2GB"
    assert s["effective_cache_size"] == "8GB"
    assert s["maintenance_work_mem"] == "2GB"           # capped
    assert s["work_mem"] == "4369kB"
    assert s["random_page_cost"] == 4.0
    assert s["effective_io_concurrency"] == 2
    assert (s["min_wal_size"], s["max_wal_size"]) == ("100MB", "2GB")
    assert s["max_parallel_workers_per_gather"] == 4
    assert s["huge_pages"] == "try"


def test_web_2gb_8cpu():
    s = pgtune(2048, 8)
    assert (s["shared_buffers"], s["effective_cache_size"], s["maintenance_work_mem"]) == ("512MB", "1536MB", "128MB")
    assert s["work_mem"] == "655kB"
    assert "huge_pages" not in s


def test_one_gb_vm_single_cpu():
    s = pgtune(1024, 1, max_connections=40)           # seed 003's micro VM connection limit
    assert s["max_connections"] == 40
    assert s["shared_buffers"] == "256MB"
    assert s["wal_buffers"] == "7864kB"                 # 3% of shared_buffers below the 16MB cap
    assert s["work_mem"] == "6553kB"                    # (1024 - 256) MB / (40 x 3)
    assert "max_worker_processes" not in s              # no parallel settings on one CPU


def test_dw_gathers_with_half_the_cpus_uncapped():
    s = pgtune(131072, 40, workload="dw")
    assert s["max_parallel_workers_per_gather"] == 20
    assert s["max_parallel_maintenance_workers"] == 4
    assert s["default_statistics_target"] == 500
    assert s["max_connections"] == 40


def test_fewer_connections_give_more_work_mem():
    assert int(pgtune(4096, 2, max_connections=50)["work_mem"][:-2]) == 4 * 5242 + 3


def test_facts_as_strings():
    assert pgtune("4096", "2", max_connections="200") == pgtune(4096, 2)


@pytest.mark.parametrize("kb, text", [(1048576, "1GB"), (1536 * 1024, "1536MB"), (5242, "5242kB"), (64, "64kB")])
def test_size(kb, text):
    assert size(kb) == text


@pytest.mark.parametrize("args, kwargs, word", [
    ((4096, 2), {"max_connections": -1}, "max_connections"),
    ((4096, 2), {"max_connections": 0}, "max_connections"),
    ((4096, 2), {"max_connections": "lots"}, "max_connections"),
    ((4096, 2), {"max_connections": True}, "max_connections"),
    ((100, 2), {}, "memory_mb"),
    ((None, 2), {}, "memory_mb"),
    ((4096, 0), {}, "cpus"),
    ((4096, 2), {"storage": "nvme"}, "storage"),
    ((4096, 2), {"workload": "olap"}, "workload"),
])
def test_bad_input_names_the_argument(args, kwargs, word):
    with pytest.raises(AnsibleFilterError, match=word):
        pgtune(*args, **kwargs)
