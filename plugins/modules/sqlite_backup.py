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

import datetime
import glob
import gzip
import os
import re
import shutil
import sqlite3
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils import _r2


class BackupError(Exception):
    pass


def open_source(path, busy_timeout):
    if not os.path.isfile(path):
        raise BackupError("database %s does not exist or is not a file" % path)
    if not os.access(path, os.R_OK):
        raise BackupError("database %s is not readable by this user" % path)
    with open(path, "rb") as handle:
        header = handle.read(16)
    if header and header != b"SQLite format 3\x00":
        raise BackupError("database %s is not an SQLite 3 database (its header is %r)" % (path, header))
    try:
        conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=busy_timeout)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise BackupError("database %s cannot be read: %s" % (path, exc)) from exc
    return conn


def snapshot(source, tmp, method):
    if method == "vacuum":
        source.execute("VACUUM INTO ?", (tmp,))
    target = sqlite3.connect(tmp)
    try:
        if method == "backup":
            # One step: the copy is a single read transaction, so it is consistent and,
            # in WAL mode, writers are not blocked meanwhile.
            source.backup(target, pages=-1)
        # A copy of a WAL database is marked WAL too; make the snapshot one self-contained
        # file (the app's connection turns WAL back on when it opens a restored copy).
        target.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        target.close()


def integrity(path):
    conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    finally:
        conn.close()
    return rows


def compress(src, dest):
    with open(src, "rb") as raw, open(dest, "wb") as out:
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=6, mtime=0) as packed:
            shutil.copyfileobj(raw, packed, _r2.MB)
        out.flush()
        os.fsync(out.fileno())


def prune(dest_dir, name, keep, current):
    if keep <= 0:
        return []
    pattern = re.compile(r"^%s-\d{8}T\d{6}Z\.sqlite3(\.gz)?$" % re.escape(name))
    files = sorted(f for f in glob.glob(os.path.join(glob.escape(dest_dir), name + "-*"))
                   if pattern.match(os.path.basename(f)))
    removed = []
    for old in files[:-keep] if len(files) > keep else []:
        if old != current:
            os.unlink(old)
            removed.append(old)
    return removed


def run(module):
    p = module.params
    if p["keep"] < 0:
        raise BackupError("keep must be 0 (keep all) or more")
    name = p["name"] or os.path.splitext(os.path.basename(p["database"]))[0]
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name):
        raise BackupError("name %r: use letters, digits, '.', '_' and '-'" % name)
    if p["upload"]:
        _r2.check_bucket_name(p["upload"]["bucket"])
        if p["upload"]["prefix"]:
            _r2.check_key(p["upload"]["prefix"], "upload.prefix")
    source = open_source(p["database"], p["busy_timeout"])
    result = dict(changed=True, database_size=os.path.getsize(p["database"]))
    s3 = _r2.client(module) if p["upload"] else None
    if module.check_mode:
        source.close()
        return result
    started = time.monotonic()
    if not os.path.isdir(p["dest_dir"]):
        os.makedirs(p["dest_dir"], 0o750)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    final = os.path.join(p["dest_dir"], "%s-%s.sqlite3%s" % (name, stamp, ".gz" if p["compress"] else ""))
    raw = os.path.join(p["dest_dir"], ".%s-%s.sqlite3.part" % (name, stamp))
    packed = raw + ".gz"
    try:
        try:
            snapshot(source, raw, p["method"])
        except sqlite3.Error as exc:
            raise BackupError("snapshot of %s failed: %s" % (p["database"], exc)) from exc
        finally:
            source.close()
        found = integrity(raw)
        if found != ["ok"]:
            raise BackupError("the snapshot of %s fails PRAGMA integrity_check, so it was removed and not uploaded: %s"
                              % (p["database"], "; ".join(found)))
        if p["compress"]:
            compress(raw, packed)
            os.rename(packed, final)
        else:
            os.rename(raw, final)
        os.chmod(final, 0o640)
    finally:
        for leftover in (raw, packed, raw + "-wal", raw + "-shm", raw + "-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    result.update(path=final, size=os.path.getsize(final), sha256=_r2.file_sha256(final), integrity="ok")
    try:
        if s3 is not None:
            key = p["upload"]["prefix"] + os.path.basename(final)
            _r2.upload_file(s3, p["upload"]["bucket"], key, final, sha256=result["sha256"],
                            content_type="application/gzip" if p["compress"] else "application/vnd.sqlite3")
            result["key"] = key
    finally:
        # a failed upload keeps the local snapshot (it is good) and still applies local retention
        result["removed"] = prune(p["dest_dir"], name, p["keep"], final)
        result["seconds"] = round(time.monotonic() - started, 3)
    return result


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
    try:
        result = run(module)
    except (BackupError, _r2.R2Error) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
