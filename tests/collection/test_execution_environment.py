# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX execution environment: collections/requirements.yml names every collection the content uses, and
ansible-builder makes a build context holding the collection, its dependencies and its Python packages."""

import glob
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
FQCN = re.compile(r"(?<![/@.\w-])([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*\b")
NAMESPACES = {"ansible", "community", "awx", "frugal"}


def run(args, cwd=ROOT):
    res = subprocess.run([os.path.join(BIN, args[0])] + args[1:], cwd=cwd, capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    return res.stdout


def requirements():
    with open(os.path.join(ROOT, "collections", "requirements.yml")) as f:
        return {c["name"]: c.get("version", "*") for c in yaml.safe_load(f)["collections"]}


def used_collections():
    found = set()
    for pattern in ("roles/**/*.yml", "roles/**/*.j2", "playbooks/*.yml", "plugins/**/*.py"):
        for path in glob.glob(os.path.join(ROOT, pattern), recursive=True):
            with open(path) as f:
                for namespace, name in FQCN.findall(f.read()):
                    if namespace in NAMESPACES:
                        found.add("%s.%s" % (namespace, name))
    # Python imports (ansible.module_utils.basic) share the pattern
    return found - {"ansible.builtin", "ansible.legacy", "ansible.module_utils", "ansible.plugins", "frugal.stack"}


def test_requirements_name_every_collection_the_content_uses():
    listed = requirements()
    used = used_collections()
    assert "ansible.utils" in used and "awx.awx" in used
    assert used <= set(listed), "missing from collections/requirements.yml: %s" % sorted(used - set(listed))
    unused = set(listed) - used
    assert not unused, "listed but never used: %s" % sorted(unused)


def test_galaxy_dependencies_match_the_requirements():
    with open(os.path.join(ROOT, "galaxy.yml")) as f:
        deps = yaml.safe_load(f)["dependencies"]
    # awx.awx serves the AWX set-up playbook only; an install of the collection does not need it
    assert deps == {name: version for name, version in requirements().items() if name != "awx.awx"}


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    run(["ansible-galaxy", "collection", "build", ROOT, "--output-path", str(dist)])
    return next(dist.glob("frugal-stack-*.tar.gz"))


def test_builder_context_holds_the_collection_and_its_dependencies(tmp_path, tarball):
    # the layout `make ee-context` works in: the definition, its requirements and .cache/ee/dist
    shutil.copy(os.path.join(ROOT, "execution-environment.yml"), tmp_path)
    shutil.copytree(os.path.join(ROOT, "collections"), tmp_path / "collections", symlinks=True)
    (tmp_path / ".cache" / "ee" / "dist").mkdir(parents=True)
    shutil.copy(tarball, tmp_path / ".cache" / "ee" / "dist")
    context = tmp_path / "context"
    run(["ansible-builder", "create", "-f", str(tmp_path / "execution-environment.yml"), "-c", str(context)],
        cwd=str(tmp_path))
    containerfile = next(p for p in (context / "Containerfile", context / "Dockerfile") if p.exists()).read_text()
    with open(os.path.join(ROOT, "requirements.txt")) as f:
        pins = dict(line.strip().split("==") for line in f if line.startswith(("ansible-core==", "ansible-runner==")))
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==%s ansible-runner==%s"' % (
        pins["ansible-core"], pins["ansible-runner"]) in containerfile
    galaxy_stage = containerfile.split("FROM base AS galaxy", 1)[1].split("FROM base AS builder", 1)[0]
    assert "collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in galaxy_stage
    assert ("ansible-galaxy collection install --no-deps --collections-path /usr/share/ansible/collections "
            "/build/frugal/frugal-stack-*.tar.gz") in galaxy_stage
    assert (context / "_build" / "frugal" / tarball.name).read_bytes() == tarball.read_bytes()
    with open(context / "_build" / "requirements.yml") as f:
        assert {c["name"] for c in yaml.safe_load(f)["collections"]} == set(requirements())


def test_installed_collection_declares_its_python_and_system_packages(tmp_path, tarball):
    # --force: from this checkout frugal.stack counts as installed already (ansible.cfg's collections_path)
    run(["ansible-galaxy", "collection", "install", "--force", "--no-deps", "-p", str(tmp_path), str(tarball)])
    said = yaml.safe_load(run(["ansible-builder", "introspect", str(tmp_path)]).split("---", 1)[1])
    python = {line.split()[0] for line in said["python"] if line.endswith("# from collection frugal.stack")}
    assert python == {"netaddr>=1.3", "boto3>=1.34", "mitogen>=0.3.54"}
    assert "openssh-clients [platform:rpm]  # from collection frugal.stack" in said["system"]
