#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: sqlite_restore
short_description: Put an SQLite backup in place of a database, checked first, keeping the old file
version_added: 0.1.0
description:
  - Unpacks O(archive) (a gzip file as M(frugal.stack.sqlite_backup) makes, or a plain database file) beside
    O(database) as a staged copy C(.<file>.restore), after checking the archive's sha256 against O(sha256) when
    given, and runs C(PRAGMA integrity_check) on it. A backup that fails either is refused and nothing else
    changes.
  - With O(state=restored), the staged copy then replaces the database in one C(rename). The old database stays
    as C(<database>.before-restore-<UTC time>), with its C(-wal), C(-shm) and C(-journal) files moved along
    (a WAL left beside the restored file would be replayed into it).
  - The swap is refused while any process has the database or its sidecar files open; stop the app first.
  - Stage first (O(state=staged)) while the app still runs, then stop it and restore; the staged copy is reused
    when it still matches the same archive, so the app is down only for the swap.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  database:
    description: Path of the database to replace (it may be missing).
    type: path
    required: true
  archive:
    description: The backup file on the host.
    type: path
    required: true
  sha256:
    description: Expected sha256 of O(archive).
    type: str
  state:
    description: V(staged) unpacks and checks only; V(restored) also swaps the staged copy in.
    type: str
    choices: [staged, restored]
    default: restored
  owner:
    description: Owner of the restored file (the app's user).
    type: str
  group:
    description: Group of the restored file.
    type: str
  mode:
    description: Mode of the restored file.
    type: raw
    default: "0640"
attributes:
  check_mode:
    description: Checks the archive exists and matches O(sha256); unpacks nothing.
    support: full
  diff_mode:
    description: Not supported.
    support: none
  idempotent:
    description: A restore is an action; it always reports a change.
    support: none
"""

EXAMPLES = r"""
- name: Unpack and check the backup while the app still runs
  frugal.stack.sqlite_restore:
    database: /srv/app/shared/db/app.sqlite3
    archive: /var/backups/frugal-stack/sqlite/app/app-20261122T020000Z.sqlite3.gz
    sha256: "{{ backup_sha256 }}"
    state: staged
    owner: app
    group: app

- name: Swap it in (the app is stopped)
  frugal.stack.sqlite_restore:
    database: /srv/app/shared/db/app.sqlite3
    archive: /var/backups/frugal-stack/sqlite/app/app-20261122T020000Z.sqlite3.gz
    owner: app
    group: app
"""

RETURN = r"""
staged:
  description: The staged copy (gone after a swap).
  returned: changed
  type: str
archive_sha256:
  description: The sha256 of O(archive).
  returned: always
  type: str
reused:
  description: Whether a staged copy from an earlier run was reused.
  returned: changed
  type: bool
previous:
  description: Where the replaced database now is; null when there was none.
  returned: when state is restored
  type: str
size:
  description: Size of the restored database in bytes.
  returned: changed
  type: int
"""

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils import _r2, _sqlite


def ids(owner, group):
    try:
        uid = pwd.getpwnam(owner).pw_uid if owner else -1
    except KeyError as exc:
        raise _sqlite.SqliteError("owner %r is not a user on this host" % owner) from exc
    try:
        gid = grp.getgrnam(group).gr_gid if group else -1
    except KeyError as exc:
        raise _sqlite.SqliteError("group %r is not a group on this host" % group) from exc
    return uid, gid


def file_mode(value):
    try:
        mode = int(value, 8) if isinstance(value, str) else int(value)
    except ValueError as exc:
        raise _sqlite.SqliteError("mode %r is not an octal file mode" % (value,)) from exc
    if not 0 <= mode <= 0o777:
        raise _sqlite.SqliteError("mode %r is not a file mode between 0000 and 0777" % (value,))
    return mode


def run(module):
    p = module.params
    uid, gid = ids(p["owner"], p["group"])
    mode = file_mode(p["mode"])
    result = dict(changed=True)
    if module.check_mode:
        if not os.path.isfile(p["archive"]):
            raise _sqlite.SqliteError("backup %s does not exist or is not a file" % p["archive"])
        result["archive_sha256"] = _r2.file_sha256(p["archive"])
        if p["sha256"] and result["archive_sha256"] != p["sha256"].lower():
            raise _sqlite.SqliteError("backup %s has sha256 %s, not the expected %s"
                                      % (p["archive"], result["archive_sha256"], p["sha256"]))
        return result
    staged, result["archive_sha256"], result["reused"] = _sqlite.stage(
        p["archive"], p["database"], p["sha256"], uid, gid, mode)
    result.update(staged=staged, size=os.path.getsize(staged))
    if p["state"] == "restored":
        result["previous"] = _sqlite.swap(p["database"], staged)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            database=dict(type="path", required=True),
            archive=dict(type="path", required=True),
            sha256=dict(type="str"),
            state=dict(type="str", default="restored", choices=["staged", "restored"]),
            owner=dict(type="str"),
            group=dict(type="str"),
            mode=dict(type="raw", default="0640"),
        ),
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except (_sqlite.SqliteError, OSError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
