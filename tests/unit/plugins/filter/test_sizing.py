# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Worker sizing rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.frugal.stack.plugins.filter.sizing import app_workers


@pytest.mark.parametrize("cpus, memory_mb, kwargs, expected", [
    (1, 980, {}, 1),                                 # 1 GB free-tier VM: one worker whatever the CPUs
    (4, 1024, {}, 1),
    (1, 2048, {}, 3),                                # 2 x 1 + 1, memory allows 4
    (2, 4096, {}, 5),                                # 2 x 2 + 1, memory allows 8
    (8, 4096, {}, 8),                                # memory caps 17 at 2048 / 256
    (8, 4096, {"worker_memory_mb": 512}, 4),         # seed 002's 512 MB per worker
    (2, 2048, {"worker_memory_mb": 4096}, 1),        # never 0
    ("4", "16000", {"memory_share": "0.25"}, 9),     # facts and extra vars arrive as strings
])
def test_sizing(cpus, memory_mb, kwargs, expected):
    assert app_workers(cpus, memory_mb, **kwargs) == expected


@pytest.mark.parametrize("args, kwargs, word", [
    ((0, 2048), {}, "cpus"),
    (("many", 2048), {}, "cpus"),
    ((2, None), {}, "memory_mb"),
    ((True, 2048), {}, "cpus"),
    ((2, 2048), {"worker_memory_mb": 0}, "worker_memory_mb"),
    ((2, 2048), {"memory_share": 1.5}, "memory_share"),
    ((2, 2048), {"memory_share": "half"}, "memory_share"),
])
def test_bad_input_names_the_argument(args, kwargs, word):
    with pytest.raises(AnsibleFilterError, match=word):
        app_workers(*args, **kwargs)
