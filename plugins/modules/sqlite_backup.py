#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: sqlite_backup
short_description: Consistent, checked, compressed snapshots of a live SQLite database, optionally uploaded to R2
version_added: 0.1.0
description:
  - Takes a snapshot of O(database) while the app keeps using it (WAL mode included) with SQLite's online backup
    API in one step (V(backup)) or C(VACUUM INTO) (V(vacuum), smaller, slower), runs C(PRAGMA integrity_check) on
    the snapshot, compresses it with gzip and returns its path, size and sha256.
  - A snapshot that fails the integrity check is removed and nothing is uploaded; the module fails and quotes
    SQLite's findings.
  - With O(upload), the file goes to the R2 bucket under O(upload.prefix) with its sha256 in the object's
    metadata (the same client code as M(frugal.stack.r2_object)).
  - Run it as the database's owner (C(become_user)). A reader of a WAL database may create its C(-wal) and
    C(-shm) files, which must stay the app's. The module warns when it runs as another user.
  - Keeps the newest O(keep) local snapshots of this database in O(dest_dir) and removes older ones.
author:
  - frugal.stack contributors (!UNKNOWN)
extends_documentation_fragment:
  - frugal.stack.r2
options:
  database:
    description: Path of the live database file.
    type: path
    required: true
  dest_dir:
    description: Directory the snapshots are written to (created 0750 if missing).
    type: path
    required: true
  name:
    description: File name prefix; defaults to the database file's name without its extension.
    type: str
  method:
    description: V(backup) (online backup API, fast) or V(vacuum) (C(VACUUM INTO), compacted).
    type: str
    choices: [backup, vacuum]
    default: backup
  compress:
    description: Compress the snapshot with gzip.
    type: bool
    default: true
  keep:
    description: Local snapshots of this database to keep (the new one included); 0 keeps all.
    type: int
    default: 7
  busy_timeout:
    description: Seconds to wait for a lock held by a writer.
    type: int
    default: 30
  upload:
    description: Upload the snapshot to R2; connection options are the module's top-level ones.
    type: dict
    suboptions:
      bucket:
        description: Bucket name.
        type: str
        required: true
      prefix:
        description: Key prefix; the key is the prefix plus the file name.
        type: str
        default: ""
attributes:
  check_mode:
    description: Checks the database can be opened and the settings, and takes no snapshot.
    support: full
  diff_mode:
    description: Not supported.
    support: none
  idempotent:
    description: Every run takes a new snapshot, so it always reports a change (except in check mode).
    support: none
"""

EXAMPLES = r"""
- name: Snapshot the app's database and upload it
  frugal.stack.sqlite_backup:
    database: /srv/app/shared/db/app.sqlite3
    dest_dir: /var/backups/frugal-stack/sqlite/app
    upload:
      bucket: app-backups
      prefix: sqlite/app/
    account_id: "{{ r2_account_id }}"
  register: backup

- name: Report it
  ansible.builtin.debug:
    msg: "{{ backup.path }}: {{ backup.size }} bytes, sha256 {{ backup.sha256 }}, key {{ backup.key | default('-') }}"
"""

RETURN = r"""
path:
  description: The snapshot file.
  returned: changed
  type: str
size:
  description: Its size in bytes.
  returned: changed
  type: int
sha256:
  description: Its sha256.
  returned: changed
  type: str
database_size:
  description: Size of the live database file in bytes when the snapshot was taken.
  returned: always
  type: int
integrity:
  description: What C(PRAGMA integrity_check) said of the snapshot (C(ok)).
  returned: changed
  type: str
key:
  description: The object key in the bucket.
  returned: when upload is set
  type: str
removed:
  description: Local snapshots removed by O(keep).
  returned: changed
  type: list
  elements: str
seconds:
  description: Seconds taken by snapshot, check, compression and upload.
  returned: changed
  type: float
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils import _r2, _sqlite


def main():
    argument_spec = dict(_r2.R2_ARGUMENT_SPEC)
    argument_spec.update(
        database=dict(type="path", required=True),
        dest_dir=dict(type="path", required=True),
        name=dict(type="str"),
        method=dict(type="str", default="backup", choices=["backup", "vacuum"]),
        compress=dict(type="bool", default=True),
        keep=dict(type="int", default=7),
        busy_timeout=dict(type="int", default=30),
        upload=dict(type="dict", options=dict(
            bucket=dict(type="str", required=True),
            prefix=dict(type="str", default=""),
        )),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if os.path.exists(module.params["database"]) and os.stat(module.params["database"]).st_uid != os.geteuid():
        module.warn("%s belongs to another user than this module runs as: SQLite's -wal and -shm files it creates "
                    "would be this user's, which the app may then not write; run it as the database's owner "
                    "(become_user)" % module.params["database"])
    try:
        _sqlite.check_settings(module.params)
        s3 = _r2.client(module) if module.params["upload"] else None
        result = _sqlite.backup(module.params, s3, module.check_mode)
    except (_sqlite.SqliteError, _r2.R2Error) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
