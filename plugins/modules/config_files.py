#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: config_files
short_description: Write or remove several configuration files in one pass
version_added: 0.1.0
description:
  - Makes each listed file hold exactly the given content, owner, group and mode, or removes it, in one module
    run instead of one task per file. Render templates on the controller with
    C(lookup('ansible.builtin.template', 'name.j2')) and pass the result as O(files[].content).
  - Each file is written to a temporary file beside it, checked with O(files[].validate) when given, and renamed
    into place, so a reader never sees a half-written file and a file that fails validation never goes live.
  - Files are compared first; an unchanged file is not touched.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  files:
    description: The files.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path of the file.
        type: path
        required: true
      state:
        description: V(present) writes the file, V(absent) removes it.
        type: str
        choices: [present, absent]
        default: present
      content:
        description: The file's content. Required with O(files[].state=present).
        type: str
      owner:
        description: Owner name.
        type: str
        default: root
      group:
        description: Group name.
        type: str
        default: root
      mode:
        description: Octal mode as a string, for example V("0644").
        type: str
        default: "0644"
      validate:
        description: Command run on the new content before it goes live; C(%s) stands for the temporary file's path.
        type: str
      secret:
        description: Keep the content out of the diff and out of the result, the module's arguments included
          (environment files, keys, password files).
        type: bool
        default: false
  check:
    description:
      - Check the new files together before any of them is written, for configurations spread over several files
        (C(nginx -t), C(haproxy -c)). The module copies O(check.root) to a temporary directory, puts every change
        there, and runs O(check.command) on it; when the command fails nothing is written.
      - Every listed file must be under O(check.root). The checked configuration must include its files by paths
        relative to the root (for nginx, relative C(include) paths are resolved from the main file's directory).
    type: dict
    suboptions:
      root:
        description: The configuration directory, for example V(/etc/nginx).
        type: path
        required: true
      command:
        description: Command run when any file changes; C(%s) stands for the staged copy of O(check.root).
        type: str
        required: true
  purge:
    description:
      - Shell-style patterns of absolute paths. Existing files that match one and are not in O(files) are removed
        (a site dropped from a list loses its file).
    type: list
    elements: path
    default: []
  directory_mode:
    description: Mode of parent directories the module creates (owned by root).
    type: str
    default: "0755"
attributes:
  check_mode:
    description: Compares and reports which files would change, writing nothing.
    support: full
  diff_mode:
    description: One diff per changed file.
    support: full
  idempotent:
    description: Files that already match are left alone.
    support: full
"""

EXAMPLES = r"""
- name: Write the journald and sysctl settings
  frugal.stack.config_files:
    files:
      - path: /etc/systemd/journald.conf.d/60-frugal-stack.conf
        content: "{{ lookup('ansible.builtin.template', 'journald.conf.j2') }}"
      - path: /etc/sysctl.d/60-frugal-stack.conf
        content: "{{ lookup('ansible.builtin.template', 'sysctl.conf.j2') }}"
      - path: /etc/sysctl.d/99-old.conf
        state: absent
  notify: Apply settings
"""

RETURN = r"""
changed_files:
  description: Paths written or removed (or that would be in check mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/sysctl.d/60-frugal-stack.conf]
"""

import fnmatch
import glob
import grp
import os
import pwd
import shlex
import shutil
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible_collections.frugal.stack.plugins.module_utils._paths import is_octal_mode, make_parents


class Files(object):
    def __init__(self, module):
        self.module = module
        self.dir_mode = int(module.params["directory_mode"], 8)

    def fail(self, path, msg, **kwargs):
        self.module.fail_json(msg="%s: %s" % (path, msg), path=path, **kwargs)

    def check(self, spec):
        path = spec["path"]
        if not os.path.isabs(path):
            self.fail(path, "path must be absolute")
        if spec["state"] == "present":
            if spec["content"] is None:
                self.fail(path, "content is required with state=present")
            if not is_octal_mode(spec["mode"]):
                self.fail(path, "mode must be an octal string like \"0644\", got %r" % spec["mode"])
            try:
                spec["uid"] = pwd.getpwnam(spec["owner"]).pw_uid
                spec["gid"] = grp.getgrnam(spec["group"]).gr_gid
            except KeyError as exc:
                self.fail(path, "no such owner or group on the host: %s" % exc)
        if os.path.isdir(path) and not os.path.islink(path):
            self.fail(path, "is a directory")

    def current(self, path):
        try:
            st = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return {"content": None, "mode": None, "uid": None, "gid": None}
        with open(path, "rb") as fh:
            return {"content": fh.read(), "mode": stat.S_IMODE(st.st_mode), "uid": st.st_uid, "gid": st.st_gid}

    def differs(self, spec, cur):
        if spec["state"] == "absent":
            return cur is not None
        if cur is None:
            return True
        return (cur["content"] != to_bytes(spec["content"]) or cur["mode"] != int(spec["mode"], 8)
                or cur["uid"] != spec["uid"] or cur["gid"] != spec["gid"])

    def write(self, spec):
        path = spec["path"]
        directory = os.path.dirname(path)
        make_parents(directory, self.dir_mode)
        fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(to_bytes(spec["content"]))
                fh.flush()
                os.fsync(fh.fileno())
            os.chown(tmp, spec["uid"], spec["gid"])
            os.chmod(tmp, int(spec["mode"], 8))
            if spec.get("validate"):
                if "%s" not in spec["validate"]:
                    self.fail(path, "validate must contain %s")
                argv = [a.replace("%s", tmp) for a in shlex.split(spec["validate"])]
                rc, out, err = self.module.run_command(argv)
                if rc != 0:
                    self.fail(path, "the new content failed validation (%s), the file is unchanged: %s"
                              % (spec["validate"], (err or out).strip()), rc=rc)
            # Same directory, so rename is atomic; the temporary file already has
            # its final owner and mode (no moment with wider permissions).
            os.rename(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def staged_check(module, plan):
    """Run check.command on a copy of check.root holding every planned change; fail, writing nothing, if it fails."""
    root = os.path.normpath(module.params["check"]["root"])
    command = module.params["check"]["command"]
    if "%s" not in command:
        module.fail_json(msg="check.command must contain %s (the staged copy of check.root)")
    for spec in module.params["files"]:
        if not spec["path"].startswith(root + os.sep):
            module.fail_json(msg="%s is not under check.root %s" % (spec["path"], root))
    if not plan:
        return
    stage = tempfile.mkdtemp(prefix="frugal-check-")
    try:
        copy = os.path.join(stage, os.path.basename(root))
        if os.path.isdir(root):
            shutil.copytree(root, copy, symlinks=True)
        else:
            os.makedirs(copy)
        for spec, _cur in plan:
            target = os.path.join(copy, os.path.relpath(spec["path"], root))
            if spec["state"] == "absent":
                os.unlink(target)
                continue
            if not os.path.isdir(os.path.dirname(target)):
                os.makedirs(os.path.dirname(target))
            with open(target, "wb") as fh:
                fh.write(to_bytes(spec["content"]))
        rc, out, err = module.run_command([a.replace("%s", copy) for a in shlex.split(command)])
        if rc != 0:
            detail = (err or out).strip().replace(copy, root)
            module.fail_json(msg="%s rejected the new configuration, nothing was written: %s"
                             % (command.replace("%s", root), detail), rc=rc)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def diff_of(spec, cur):
    if spec["secret"]:
        return dict(before_header=spec["path"], after_header=spec["path"],
                    before="(secret content)\n" if cur else "", after="(secret content, changed)\n")
    return dict(before_header=spec["path"], after_header=spec["path"],
                before=to_text(cur["content"] or b"", errors="surrogate_or_strict") if cur else "",
                after=spec["content"] if spec["state"] == "present" else "")


def purged(patterns, listed):
    """Absent specs for existing files matching a pattern and not listed."""
    found = []
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            if path not in listed and fnmatch.fnmatch(path, pattern) and not os.path.isdir(path):
                found.append(dict(path=path, state="absent", content=None, secret=False, validate=None))
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", default="present", choices=["present", "absent"]),
                content=dict(type="str"),
                owner=dict(type="str", default="root"),
                group=dict(type="str", default="root"),
                mode=dict(type="str", default="0644"),
                validate=dict(type="str"),
                secret=dict(type="bool", default=False),
            )),
            check=dict(type="dict", options=dict(
                root=dict(type="path", required=True),
                command=dict(type="str", required=True),
            )),
            purge=dict(type="list", elements="path", default=[]),
            directory_mode=dict(type="str", default="0755"),
        ),
        supports_check_mode=True,
    )
    if not is_octal_mode(module.params["directory_mode"]):
        module.fail_json(msg="directory_mode must be an octal string like \"0755\"")
    # a secret file's content is masked wherever the result would show it,
    # the module's arguments included
    for spec in module.params["files"]:
        if spec["secret"] and spec["content"]:
            module.no_log_values.add(spec["content"])
    files = Files(module)
    plan = []
    seen = set()
    for spec in module.params["files"] + purged(module.params["purge"], set(
            s["path"] for s in module.params["files"])):
        if spec["path"] in seen:
            module.fail_json(msg="%s is listed twice" % spec["path"])
        seen.add(spec["path"])
        files.check(spec)
        cur = files.current(spec["path"])
        if files.differs(spec, cur):
            plan.append((spec, cur))

    if module.params["check"]:
        staged_check(module, plan)

    result = dict(changed=bool(plan), changed_files=[spec["path"] for spec, _cur in plan])
    if module._diff:
        result["diff"] = [diff_of(spec, cur) for spec, cur in plan]
    if not module.check_mode:
        for spec, _cur in plan:
            if spec["state"] == "absent":
                os.unlink(spec["path"])
            else:
                files.write(spec)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
