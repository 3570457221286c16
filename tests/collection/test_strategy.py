# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""frugal.stack.linear, the strategy ansible.cfg selects: plays run through Mitogen when it is installed, and as
plain linear, after one warning naming the reason, when it cannot be imported."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
PLAY = """
- name: Which process runs the modules
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Show the parent of the module's shell
      ansible.builtin.shell: tr '\\0' ' ' < /proc/$PPID/cmdline
      register: parent
      changed_when: false
    - name: Print it
      ansible.builtin.debug:
        msg: "parent=[{{ parent.stdout }}]"
"""


def run(tmp_path, pythonpath=None):
    play = tmp_path / "play.yml"
    play.write_text(PLAY)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_STRATEGY", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    # from the repository root, so its ansible.cfg (strategy = frugal.stack.linear) applies
    # this Python runs the modules (interpreter discovery here can land on a pyenv shim)
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(play),
                          "-e", "ansible_python_interpreter=" + sys.executable],
                         cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    parent = out.split("parent=[", 1)[1].split("]", 1)[0]
    return parent, " ".join(out.split())


def test_modules_run_in_mitogen_when_it_is_installed(tmp_path):
    parent, out = run(tmp_path)
    assert "mitogen" in parent, parent
    assert "runs without Mitogen" not in out


def test_without_mitogen_the_play_runs_as_linear_after_one_warning(tmp_path):
    # an ansible_mitogen that cannot be imported, first on the path
    broken = tmp_path / "broken" / "ansible_mitogen"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('no mitogen in this test')\n")
    parent, out = run(tmp_path, pythonpath=str(broken.parent))
    assert "mitogen" not in parent, parent
    assert out.count("frugal.stack.linear runs without Mitogen (no mitogen in this test)") == 1, out
