#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: app_release
short_description: Build a Python app release with its own virtualenv under releases/<id>
version_added: 0.1.0
description:
  - Builds C(<root>/releases/<id>) from a source tree (a git checkout, a copied directory) or a wheel/sdist file on
    the host. A tree is copied into the release without version control, virtualenvs or byte code; then a
    virtualenv is created at C(<root>/releases/<id>/.venv) and the requirements, the project itself (when it has a
    C(pyproject.toml) or C(setup.py)) and O(packages) are installed with one pip run.
  - The release id is the first 12 hex digits of the source's content hash unless O(release) gives one, so the
    same source gives the same release and a rerun builds nothing.
  - A release counts only once its marker file is written, as the last step. A failed build removes what it made;
    a release left half-built by an interrupted run is rebuilt. The C(current) link is never touched here.
  - Keeps the O(keep) newest releases; the one C(current) points to and the one just built are never removed.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  root:
    description: The app's directory, holding C(releases/) and C(current).
    type: path
    required: true
  source:
    description: A directory or a C(.whl)/C(.tar.gz)/C(.zip) package file on the host.
    type: path
    required: true
  release:
    description: Release id (letters, digits, C(.), C(_), C(-)). Default the source's content hash.
    type: str
  requirements:
    description:
      - Requirement files relative to the source tree, installed with C(-r). Default C(requirements.txt) when the
        tree has one. A listed file that is missing is an error.
    type: list
    elements: str
  install_project:
    description: Install the tree itself when it has a C(pyproject.toml) or C(setup.py).
    type: bool
    default: true
  packages:
    description: More requirement specifiers installed into the release, for example the app server.
    type: list
    elements: str
    default: []
  pip_args:
    description: Extra arguments for C(pip install), for example an index URL.
    type: list
    elements: str
    default: []
  commands:
    description:
      - Shell commands run as root in the new release after the installs, with its virtualenv first on C(PATH)
        (C(npm ci), C(python manage.py collectstatic --noinput)). A failing command fails the build.
    type: list
    elements: str
    default: []
  public:
    description:
      - Directories of the release, relative to it, that every user may read (static files nginx serves). Their
        parents get search permission only.
    type: list
    elements: str
    default: []
  python:
    description: Interpreter the virtualenv is created from.
    type: path
    default: /usr/bin/python3
  group:
    description: Group given read access to the release (the app's group); files stay owned by root.
    type: str
    default: root
  keep:
    description: Number of releases kept.
    type: int
    default: 5
attributes:
  check_mode:
    description: Reports whether a release would be built or removed, touching nothing.
    support: full
  diff_mode:
    description: Shows the list of releases before and after.
    support: full
  idempotent:
    description: An existing complete release is not rebuilt.
    support: full
"""

EXAMPLES = r"""
- name: Build the release from the checkout
  frugal.stack.app_release:
    root: /srv/shop
    source: /srv/shop/repo
    release: "{{ checkout.after[:12] }}"
    packages: [gunicorn==27.0.1]
    group: shop
  register: release
"""

RETURN = r"""
release:
  description: The release id.
  returned: always
  type: str
  sample: 3f9c2a71b0de
path:
  description: The release directory.
  returned: always
  type: str
  sample: /srv/shop/releases/3f9c2a71b0de
built:
  description: Whether the release was built by this run (or would be in check mode).
  returned: always
  type: bool
current:
  description: The release C(current) points to, or null.
  returned: always
  type: str
removed:
  description: Releases removed to keep O(keep).
  returned: always
  type: list
  elements: str
"""

import grp
import json
import os
import re
import shutil
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils._release import SKIP_DIRS, SKIP_SUFFIXES
from ansible_collections.frugal.stack.plugins.module_utils._release import file_digest, tree_digest

MARKER = ".frugal-release.json"
RELEASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PACKAGE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2")


def release_dirs(releases):
    """Complete releases, oldest first."""
    found = []
    for name in os.listdir(releases) if os.path.isdir(releases) else []:
        marker = os.path.join(releases, name, MARKER)
        if os.path.isfile(marker):
            found.append((os.path.getmtime(marker), name))
    return [name for _mtime, name in sorted(found)]


def current_release(root):
    link = os.path.join(root, "current")
    if not os.path.islink(link):
        return None
    return os.path.basename(os.path.normpath(os.readlink(link)))


class Builder(object):
    def __init__(self, module, release, path):
        self.module = module
        self.release = release
        self.path = path

    def fail(self, msg, **kwargs):
        shutil.rmtree(self.path, ignore_errors=True)
        self.module.fail_json(msg="release %s: %s; nothing was left at %s" % (self.release, msg, self.path),
                              **kwargs)

    def run(self, argv, what):
        env = {"PIP_NO_INPUT": "1", "VIRTUAL_ENV": os.path.join(self.path, ".venv"),
               "PATH": os.path.join(self.path, ".venv", "bin") + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin")}
        rc, out, err = self.module.run_command(argv, cwd=self.path, environ_update=env)
        if rc != 0:
            tail = "\n".join((err or out).strip().splitlines()[-15:])
            self.fail("%s failed (rc=%d): %s" % (what, rc, tail), rc=rc, cmd=argv)

    def copy_tree(self, source):
        def ignore(_here, names):
            return [n for n in names if n in SKIP_DIRS or n.endswith(SKIP_SUFFIXES) or n == MARKER]
        shutil.copytree(source, self.path, symlinks=True, ignore=ignore)

    def build(self, source, params):
        p = self.module.params
        is_tree = os.path.isdir(source)
        if is_tree:
            self.copy_tree(source)
        else:
            os.makedirs(self.path)
        self.run([p["python"], "-m", "venv", os.path.join(self.path, ".venv")], "creating the virtualenv")
        pip = [os.path.join(self.path, ".venv", "bin", "python"), "-m", "pip", "install", "--quiet",
               "--disable-pip-version-check", "--no-input"] + p["pip_args"]
        wanted = []
        if is_tree:
            for req in params["requirements"]:
                wanted += ["-r", os.path.join(self.path, req)]
            if p["install_project"] and any(
                    os.path.isfile(os.path.join(self.path, f)) for f in ("pyproject.toml", "setup.py")):
                wanted.append(self.path)
        else:
            wanted.append(source)
        wanted += p["packages"]
        if wanted:
            self.run(pip + wanted, "pip install")
        for command in p["commands"]:
            self.run(["/bin/sh", "-c", command], "build command %r" % command)
        self.fix_modes(params["gid"])
        self.publish(p["public"])
        with open(os.path.join(self.path, MARKER), "w") as fh:
            json.dump({"release": self.release, "source": source, "built": int(time.time())}, fh)

    def publish(self, public):
        for rel in public:
            top = os.path.join(self.path, rel.strip("/"))
            if not os.path.isdir(top):
                self.fail("public directory %s is not in the release" % rel)
            parent = top
            while parent != self.path:
                parent = os.path.dirname(parent)
                os.chmod(parent, os.stat(parent).st_mode | 0o001)
            for here, _dirs, files in os.walk(top):
                os.chmod(here, os.stat(here).st_mode | 0o005)
                for name in files:
                    path = os.path.join(here, name)
                    if not os.path.islink(path):
                        os.chmod(path, os.stat(path).st_mode | 0o004)

    def fix_modes(self, gid):
        """root owns the code; the app's group reads it; nobody else does."""
        for here, dirs, files in os.walk(self.path):
            for name in [here] + [os.path.join(here, n) for n in dirs + files]:
                if os.path.islink(name):
                    continue
                os.chown(name, 0, gid)
                executable = os.path.isdir(name) or os.stat(name).st_mode & 0o100
                os.chmod(name, 0o750 if executable else 0o640)


def check_source(module, source):
    """The release id and requirement files of a source that is to be built; fails on bad input."""
    p = module.params
    if not os.path.exists(source):
        module.fail_json(msg="source %s does not exist on the host" % source)
    is_tree = os.path.isdir(source)
    if not is_tree and not source.endswith(PACKAGE_SUFFIXES):
        module.fail_json(msg="source %s is neither a directory nor a package file (%s)"
                         % (source, ", ".join(PACKAGE_SUFFIXES)))
    if not os.access(p["python"], os.X_OK):
        module.fail_json(msg="python %s is not an executable on the host" % p["python"])
    requirements = p["requirements"]
    if requirements is None:
        default = os.path.join(source, "requirements.txt")
        requirements = ["requirements.txt"] if is_tree and os.path.isfile(default) else []
    for req in requirements:
        if os.path.isabs(req) or ".." in req.split("/") or not is_tree or not os.path.isfile(os.path.join(source, req)):
            module.fail_json(msg="requirements file %r is not a file inside the source tree %s" % (req, source))
    return p["release"] or (tree_digest(source) if is_tree else file_digest(source)), requirements


def check_public(module, public):
    for rel in public:
        if os.path.isabs(rel) or ".." in rel.split("/") or not rel.strip("/"):
            module.fail_json(msg="public entry %r must be a directory inside the release" % rel)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", required=True),
            source=dict(type="path", required=True),
            release=dict(type="str"),
            requirements=dict(type="list", elements="str"),
            install_project=dict(type="bool", default=True),
            packages=dict(type="list", elements="str", default=[]),
            pip_args=dict(type="list", elements="str", default=[]),
            commands=dict(type="list", elements="str", default=[]),
            public=dict(type="list", elements="str", default=[]),
            python=dict(type="path", default="/usr/bin/python3"),
            group=dict(type="str", default="root"),
            keep=dict(type="int", default=5),
        ),
        supports_check_mode=True,
    )
    p = module.params
    root, source = p["root"], p["source"]
    if p["keep"] < 2:
        module.fail_json(msg="keep must be at least 2 (the current release and the one before it), got %d" % p["keep"])
    check_public(module, p["public"])
    try:
        gid = grp.getgrnam(p["group"]).gr_gid
    except KeyError:
        module.fail_json(msg="group %s: no such group on the host" % p["group"])
    releases = os.path.join(root, "releases")
    release = p["release"]
    if release is not None and not RELEASE_ID.match(release):
        module.fail_json(msg="release %r is not a valid release id (letters, digits, '.', '_', '-')" % release)
    have = release is not None and os.path.isfile(os.path.join(releases, release, MARKER))
    requirements = []
    if not have:  # the source matters only when there is something to build
        release, requirements = check_source(module, source)
    path = os.path.join(releases, release)
    current = current_release(root)
    before = release_dirs(releases)
    built = release not in before
    after = before + [release] if built else list(before)
    protected = set([release, current])
    removable = [r for r in after if r not in protected]
    removed = removable[:max(0, len(after) - p["keep"])]
    after = [r for r in after if r not in removed]
    result = dict(changed=built or bool(removed), release=release, path=path, built=built, current=current,
                  removed=removed)
    if module._diff:
        result["diff"] = dict(before_header=releases, after_header=releases,
                              before="".join(r + "\n" for r in before), after="".join(r + "\n" for r in after))
    if module.check_mode:
        module.exit_json(**result)

    if built:
        if not os.path.isdir(releases):
            os.makedirs(releases, 0o751)
        if os.path.lexists(path):  # a build that did not finish
            shutil.rmtree(path)
        Builder(module, release, path).build(source, dict(requirements=requirements, gid=gid))
    for name in removed:
        shutil.rmtree(os.path.join(releases, name))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
