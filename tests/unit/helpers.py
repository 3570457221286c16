# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the unit tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json

import pytest

from ansible.module_utils.testing import patch_module_args


# `python -c NO_ANSIBLE SCRIPT ARGS...` runs SCRIPT with every import of Ansible
# refused, as on a host without it (what a role installs for a timer).
NO_ANSIBLE = """
import runpy, sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "ansible" or name.startswith("ansible."):
            raise ImportError("no Ansible here: " + name)
sys.meta_path.insert(0, Refuse())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_module(module, capsys, args, check_mode=False, diff=False):
    """Run a module's main() with args; return its JSON result."""
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def load_script(name, path):
    """Import a script that is not part of a package (a role's file, a tool)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
