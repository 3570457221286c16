# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each role's README lists every variable of its argument_specs, and
argument_specs defaults equal defaults/main.yml."""

import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(glob.glob(os.path.join(ROOT, "roles", "*")))


@pytest.mark.parametrize("role", ROLES, ids=os.path.basename)
def test_role_has_argument_specs_and_docs_in_step(role):
    assert os.path.exists(os.path.join(role, "meta", "argument_specs.yml"))
    res = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "role_docs.py"), "--check", role],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
