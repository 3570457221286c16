#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: r2_object
short_description: Put, get, delete and list objects in a Cloudflare R2 bucket
version_added: 0.1.0
description:
  - V(put) uploads a file or a string, multipart above O(multipart_threshold_mb), and stores the content's sha256
    in the object's metadata; an object whose stored sha256 (or, for objects put by other tools, whose single-part
    ETag) matches is not uploaded again.
  - V(get) downloads into a temporary file beside O(dest), checks the sha256 stored with the object, then renames
    it over O(dest); an identical O(dest) is left alone.
  - V(delete) removes the object if it exists; V(list) returns the objects under O(prefix).
  - A missing bucket, bad credentials or a refused request fail with the bucket, the key and R2's answer.
author:
  - frugal.stack contributors (!UNKNOWN)
extends_documentation_fragment:
  - frugal.stack.r2
options:
  bucket:
    description: Bucket name.
    type: str
    required: true
  key:
    description:
      - Object key, for V(put), V(get) and V(delete). Empty keys, keys starting with C(/) and keys with C(.) or
        C(..) segments or control characters are refused.
    type: str
  mode:
    description: What to do.
    type: str
    choices: [put, get, delete, list]
    required: true
  src:
    description: File to upload (V(put)); or use O(content).
    type: path
  content:
    description: Text to upload (V(put)).
    type: str
  dest:
    description: Where V(get) writes the object.
    type: path
  dest_mode:
    description: File mode of O(dest) (V(get)).
    type: raw
  prefix:
    description: Key prefix for V(list).
    type: str
    default: ""
  content_type:
    description: Content-Type stored with the object (V(put)).
    type: str
  multipart_threshold_mb:
    description: Files larger than this are uploaded in parts.
    type: int
    default: 64
  part_size_mb:
    description: Size of each part of a multipart upload (R2 needs at least 5 MiB, all parts but the last equal).
    type: int
    default: 16
attributes:
  check_mode:
    description: Reads the object's head and reports what would change, uploading, writing and deleting nothing.
    support: full
  diff_mode:
    description: Shows the sha256 before and after for V(put) and V(get).
    support: full
  idempotent:
    description: V(put) and V(get) compare sha256 digests and move no data when they match.
    support: full
"""

EXAMPLES = r"""
- name: Upload a backup
  frugal.stack.r2_object:
    account_id: "{{ r2_account_id }}"
    access_key_id: "{{ r2_access_key_id }}"
    secret_access_key: "{{ r2_secret_access_key }}"
    bucket: app-backups
    key: sqlite/app/2026-11-22T020000Z.sqlite3.gz
    src: /var/backups/frugal-stack/sqlite/app/app-2026-11-22T020000Z.sqlite3.gz
    mode: put

- name: What is there (credentials from R2_ACCESS_KEY_ID / R2_SECRET_ACCESS_KEY)
  frugal.stack.r2_object:
    account_id: "{{ r2_account_id }}"
    bucket: app-backups
    prefix: sqlite/app/
    mode: list
  register: backups
"""

RETURN = r"""
sha256:
  description: sha256 of the object's content (V(put), V(get)).
  returned: when mode is put or get
  type: str
size:
  description: Bytes uploaded or downloaded, or the object's size when nothing moved.
  returned: when mode is put or get
  type: int
objects:
  description: Objects under the prefix, each with C(key), C(size), C(etag) and C(last_modified).
  returned: when mode is list
  type: list
  elements: dict
"""

import hashlib
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils import _r2


def local_sha256(params):
    if params["src"] is not None:
        if not os.path.isfile(params["src"]) or not os.access(params["src"], os.R_OK):
            raise _r2.R2Error("src %s is not a readable file" % params["src"])
        return _r2.file_sha256(params["src"]), os.path.getsize(params["src"])
    data = params["content"].encode("utf-8")
    return hashlib.sha256(data).hexdigest(), len(data)


def matches(obj, sha256, size, params):
    """Whether the stored object holds the local content: its sha256 metadata, else a single-part ETag (md5)."""
    if obj is None:
        return False
    if _r2.stored_sha256(obj):
        return _r2.stored_sha256(obj) == sha256
    etag = obj.get("ETag", "").strip('"')
    if "-" in etag or obj.get("ContentLength") != size:
        return False
    md5 = hashlib.md5(usedforsecurity=False)
    if params["src"] is not None:
        with open(params["src"], "rb") as handle:
            for block in iter(lambda: handle.read(_r2.MB), b""):
                md5.update(block)
    else:
        md5.update(params["content"].encode("utf-8"))
    return md5.hexdigest() == etag


def put(module, s3):
    p = module.params
    sha256, size = local_sha256(p)
    obj = _r2.head(s3, p["bucket"], p["key"])
    result = dict(changed=False, sha256=sha256, size=size,
                  diff=dict(before={"sha256": _r2.stored_sha256(obj) or ("present" if obj else "absent")},
                            after={"sha256": sha256}))
    if matches(obj, sha256, size, p):
        result["diff"]["before"] = result["diff"]["after"]
        return result
    result["changed"] = True
    if module.check_mode:
        return result
    if p["src"] is not None:
        _r2.upload_file(s3, p["bucket"], p["key"], p["src"], sha256=sha256, content_type=p["content_type"],
                        part_size_mb=p["part_size_mb"], threshold_mb=p["multipart_threshold_mb"])
        return result
    with tempfile.NamedTemporaryFile(prefix="r2-put-") as tmp:
        tmp.write(p["content"].encode("utf-8"))
        tmp.flush()
        _r2.upload_file(s3, p["bucket"], p["key"], tmp.name, sha256=sha256, content_type=p["content_type"],
                        part_size_mb=p["part_size_mb"], threshold_mb=p["multipart_threshold_mb"])
    return result


def get(module, s3):
    p = module.params
    obj = _r2.head(s3, p["bucket"], p["key"])
    if obj is None:
        raise _r2.R2Error("download bucket %r key %r: no such object" % (p["bucket"], p["key"]))
    if not os.path.isdir(os.path.dirname(os.path.abspath(p["dest"]))):
        raise _r2.R2Error("dest %s: its directory does not exist" % p["dest"])
    stored = _r2.stored_sha256(obj)
    current = _r2.file_sha256(p["dest"]) if os.path.isfile(p["dest"]) else None
    result = dict(changed=False, sha256=stored or current, size=obj.get("ContentLength"),
                  diff=dict(before={"sha256": current or "absent"}, after={"sha256": stored or "unknown"}))
    if current is None or stored is None or current != stored:
        result["changed"] = True
        if not module.check_mode:
            result["sha256"] = _r2.download_file(s3, p["bucket"], p["key"], p["dest"], expect_sha256=stored)
            result["diff"]["after"] = {"sha256": result["sha256"]}
    else:
        result["diff"]["after"] = result["diff"]["before"]
    if os.path.exists(p["dest"]):
        file_args = module.load_file_common_arguments(dict(path=p["dest"], mode=p["dest_mode"]))
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    return result


def delete(module, s3):
    p = module.params
    obj = _r2.head(s3, p["bucket"], p["key"])
    if obj is None:
        return dict(changed=False)
    if not module.check_mode:
        _r2.call(_r2.describe("delete from", p["bucket"], p["key"]), s3.delete_object, Bucket=p["bucket"], Key=p["key"])
    return dict(changed=True)


def main():
    argument_spec = dict(_r2.R2_ARGUMENT_SPEC)
    argument_spec.update(
        bucket=dict(type="str", required=True),
        key=dict(type="str", no_log=False),
        mode=dict(type="str", required=True, choices=["put", "get", "delete", "list"]),
        src=dict(type="path"),
        content=dict(type="str"),
        dest=dict(type="path"),
        dest_mode=dict(type="raw"),
        prefix=dict(type="str", default=""),
        content_type=dict(type="str"),
        multipart_threshold_mb=dict(type="int", default=64),
        part_size_mb=dict(type="int", default=16),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("src", "content")],
        required_if=[("mode", "put", ("src", "content"), True), ("mode", "get", ("key", "dest")),
                     ("mode", "put", ("key",)), ("mode", "delete", ("key",))],
        supports_check_mode=True,
    )
    p = module.params
    try:
        _r2.check_bucket_name(p["bucket"])
        if p["mode"] != "list":
            _r2.check_key(p["key"])
        if p["part_size_mb"] < 5 or p["multipart_threshold_mb"] < p["part_size_mb"]:
            raise _r2.R2Error("part_size_mb must be at least 5 and multipart_threshold_mb at least part_size_mb")
        s3 = _r2.client(module)
        if p["mode"] == "list":
            result = dict(changed=False, objects=_r2.list_objects(s3, p["bucket"], p["prefix"]))
        else:
            result = dict(put=put, get=get, delete=delete)[p["mode"]](module, s3)
    except _r2.R2Error as exc:
        module.fail_json(msg=str(exc))
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
