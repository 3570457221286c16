# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tarball `ansible-galaxy collection build` makes installs and resolves
roles, modules and playbooks by FQCN exactly as the checkout does."""

import json
import os
import subprocess
import sys
import tarfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def run(args, cwd, env=None):
    res = subprocess.run([os.path.join(BIN, args[0])] + args[1:], cwd=cwd, env=env,
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    # scratch files of a checkout (the demo's generated passwords live in .cache) must stay out
    os.makedirs(os.path.join(ROOT, ".cache"), exist_ok=True)
    with open(os.path.join(ROOT, ".cache", "test-build-canary"), "w") as canary:
        canary.write("not for the tarball\n")
    run(["ansible-galaxy", "collection", "build", ROOT, "--output-path", str(build)], cwd=ROOT)
    tarball = next(build.glob("frugal-stack-*.tar.gz"))
    dest = tmp_path_factory.mktemp("collections")
    # Dependencies come from the `ansible` package on the controller; Galaxy is not reachable.
    run(["ansible-galaxy", "collection", "install", "--force", "--no-deps", "-p", str(dest), str(tarball)],
        cwd=str(build))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["ANSIBLE_COLLECTIONS_PATH"] = str(dest)
    return {"tarball": tarball, "dest": dest, "env": env, "cwd": str(build)}


def test_tarball_leaves_out_the_checkout_only_files(installed):
    with tarfile.open(installed["tarball"]) as tar:
        names = tar.getnames()
    assert "roles/base/tasks/main.yml" in names
    assert "plugins/modules/swapfile.py" in names
    assert "playbooks/site.yml" in names
    for unwanted in ("collections", ".venv", "molecule", "tools", ".git", ".cache", ".ansible",
                     "execution-environment.yml"):
        assert not any(n == unwanted or n.startswith(unwanted + "/") for n in names), unwanted


def test_installed_module_and_role_resolve_from_the_install(installed):
    doc = json.loads(run(["ansible-doc", "--json", "frugal.stack.swapfile"], installed["cwd"], installed["env"]))
    filename = doc["frugal.stack.swapfile"]["doc"]["filename"]
    assert filename.startswith(str(installed["dest"]))
    role = json.loads(run(["ansible-doc", "--json", "-t", "role", "frugal.stack.base"],
                          installed["cwd"], installed["env"]))
    assert role["frugal.stack.base"]["path"].startswith(str(installed["dest"]))
    assert "base_swap_size_mb" in role["frugal.stack.base"]["entry_points"]["main"]["options"]


def test_installed_site_playbook_runs_by_fqcn(installed):
    out = run(["ansible-playbook", "frugal.stack.site", "-i", os.path.join(ROOT, "inventories", "demo"),
               "--list-tasks"], installed["cwd"], installed["env"])
    assert "frugal.stack.base : Manage the swap file" in out
    assert "frugal.stack.firewall : Install the refresh script and its settings" in out
