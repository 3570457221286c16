#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: paths
short_description: Create directories and set owner, group and mode of several paths in one pass
version_added: 0.1.0
description:
  - Makes each listed directory exist with the given owner, group and mode, or sets those of an existing path,
    in one module run instead of one task (and one round trip to the host) per path.
  - Every entry is checked first (absolute path, octal mode, known owner and group, no file where a directory is
    wanted, no path listed twice); a bad entry fails the task before any path changes.
  - Symbolic links are followed, as M(ansible.builtin.file) does by default, so a directory moved to another
    disk and linked back keeps working.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  paths:
    description: The paths, handled in the order given.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      state:
        description:
          - V(directory) creates the directory when missing (missing parents get O(directory_mode), owned by
            the user the module runs as) and sets its attributes.
          - V(attributes) sets the attributes of a path that exists, of any type, and leaves a missing one
            missing (returned in RV(missing)).
        type: str
        choices: [directory, attributes]
        default: directory
      owner:
        description: Owner name.
        type: str
        default: root
      group:
        description: Group name.
        type: str
        default: root
      mode:
        description: Octal mode as a string, for example V("0750").
        type: str
        required: true
  directory_mode:
    description: Mode of parent directories the module creates.
    type: str
    default: "0755"
attributes:
  check_mode:
    description: Reports which paths would change, changing nothing.
    support: full
  diff_mode:
    description: One diff per changed path, naming the mode, uid and gid that differ, before and after.
    support: full
  idempotent:
    description: Paths that already match are left alone.
    support: full
"""

EXAMPLES = r"""
- name: Create the app's directories
  frugal.stack.paths:
    paths:
      - {path: /srv/app, mode: "0755"}
      - {path: /srv/app/shared, owner: app, group: app, mode: "0750"}

- name: Restrict the cron and account files that exist
  frugal.stack.paths:
    paths:
      - {path: /etc/crontab, state: attributes, mode: "0600"}
      - {path: /etc/shadow, state: attributes, group: shadow, mode: "0640"}
"""

RETURN = r"""
changed_paths:
  description: Paths created or whose attributes were set (or would be in check mode).
  returned: always
  type: list
  elements: str
  sample: [/srv/app/shared]
missing:
  description: Paths with O(paths[].state=attributes) that do not exist, left alone.
  returned: always
  type: list
  elements: str
  sample: [/etc/cron.monthly]
"""

import grp
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils._paths import is_octal_mode, make_parents


def checked(module, entry, seen):
    """The entry with uid, gid and mode resolved; fails naming the path and the value on a bad one."""
    path = entry["path"]
    if not os.path.isabs(path):
        module.fail_json(msg="%s: path must be absolute" % path, path=path)
    if path in seen:
        module.fail_json(msg="%s is listed twice" % path, path=path)
    seen.add(path)
    if not is_octal_mode(entry["mode"]):
        module.fail_json(msg="%s: mode must be an octal string like \"0750\", got %s" % (path, entry["mode"]),
                         path=path)
    try:
        uid = pwd.getpwnam(entry["owner"]).pw_uid
    except KeyError:
        module.fail_json(msg="%s: no such owner on the host: %s" % (path, entry["owner"]), path=path)
    try:
        gid = grp.getgrnam(entry["group"]).gr_gid
    except KeyError:
        module.fail_json(msg="%s: no such group on the host: %s" % (path, entry["group"]), path=path)
    if entry["state"] == "directory" and os.path.exists(path) and not os.path.isdir(path):
        module.fail_json(msg="%s exists and is not a directory; nothing was changed" % path, path=path)
    return dict(entry, uid=uid, gid=gid, mode=int(entry["mode"], 8))


def current(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return dict(mode=stat.S_IMODE(st.st_mode), uid=st.st_uid, gid=st.st_gid)


def describe(attrs):
    if attrs is None:
        return "absent\n"
    return "".join("%s %s\n" % (k, "%04o" % attrs[k] if k == "mode" else attrs[k])
                   for k in ("mode", "uid", "gid") if k in attrs)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", default="directory", choices=["directory", "attributes"]),
                owner=dict(type="str", default="root"),
                group=dict(type="str", default="root"),
                mode=dict(type="str", required=True),
            )),
            directory_mode=dict(type="str", default="0755"),
        ),
        supports_check_mode=True,
    )
    if not is_octal_mode(module.params["directory_mode"]):
        module.fail_json(msg="directory_mode must be an octal string like \"0755\", got %s"
                         % module.params["directory_mode"])
    dir_mode = int(module.params["directory_mode"], 8)
    seen = set()
    entries = [checked(module, entry, seen) for entry in module.params["paths"]]

    plan, missing = [], []
    for entry in entries:
        cur = current(entry["path"])
        if cur is None and entry["state"] == "attributes":
            missing.append(entry["path"])
            continue
        wanted = dict(mode=entry["mode"], uid=entry["uid"], gid=entry["gid"])
        if cur != wanted:
            plan.append((entry, cur))

    result = dict(changed=bool(plan), changed_paths=[e["path"] for e, _cur in plan], missing=missing)
    if module._diff:
        result["diff"] = []
        for entry, cur in plan:
            keys = [k for k in ("mode", "uid", "gid") if cur is None or cur[k] != entry[k]]
            result["diff"].append(dict(
                before_header=entry["path"], after_header=entry["path"],
                before=describe(dict((k, cur[k]) for k in keys) if cur else None),
                after=describe(dict((k, entry[k]) for k in keys))))
    if not module.check_mode:
        for entry, cur in plan:
            path = entry["path"]
            try:
                if cur is None:
                    make_parents(os.path.dirname(path), dir_mode)
                    os.mkdir(path, entry["mode"])
                os.chown(path, entry["uid"], entry["gid"])
                os.chmod(path, entry["mode"])
            except OSError as exc:
                module.fail_json(msg="%s: %s" % (path, exc), path=path, changed_paths=result["changed_paths"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
