#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: r2_bucket
short_description: Cloudflare R2 buckets with lifecycle expiration rules and CORS
version_added: 0.1.0
description:
  - Creates or removes a bucket, and sets its lifecycle rules (expiration per key prefix, abort of unfinished
    multipart uploads) and CORS rules to exactly what is given.
  - A bucket that still holds objects is removed only with O(delete_objects=true); otherwise the module fails
    and says how many objects are in it.
author:
  - frugal.stack contributors (!UNKNOWN)
extends_documentation_fragment:
  - frugal.stack.r2
options:
  name:
    description: Bucket name (3 to 63 lower case letters, digits and hyphens).
    type: str
    required: true
  state:
    description: Whether the bucket exists.
    type: str
    choices: [present, absent]
    default: present
  location:
    description: R2 location hint for a new bucket (V(wnam), V(enam), V(weur), V(eeur), V(apac), V(oc)).
    type: str
  lifecycle_rules:
    description:
      - The bucket's lifecycle rules; omit to leave them as they are, V([]) to remove them all.
    type: list
    elements: dict
    suboptions:
      id:
        description: Rule name; defaults to C(expire-<prefix>).
        type: str
      prefix:
        description: Keys the rule applies to; empty for all.
        type: str
        default: ""
      expire_days:
        description: Delete objects this many days after upload.
        type: int
      abort_multipart_days:
        description: Abort multipart uploads unfinished after this many days.
        type: int
  cors_rules:
    description: The bucket's CORS rules; omit to leave them, V([]) to remove them.
    type: list
    elements: dict
    suboptions:
      allowed_origins:
        description: Origins allowed.
        type: list
        elements: str
        required: true
      allowed_methods:
        description: Methods allowed (GET, PUT, POST, DELETE, HEAD).
        type: list
        elements: str
        required: true
      allowed_headers:
        description: Request headers allowed.
        type: list
        elements: str
      expose_headers:
        description: Response headers exposed to scripts.
        type: list
        elements: str
      max_age_seconds:
        description: Seconds a browser may cache the preflight answer.
        type: int
  delete_objects:
    description: With O(state=absent), delete the bucket's objects first. Without it a non-empty bucket is kept.
    type: bool
    default: false
attributes:
  check_mode:
    description: Reads the bucket and reports what would change.
    support: full
  diff_mode:
    description: Shows existence, lifecycle rules and CORS rules before and after.
    support: full
  idempotent:
    description: Rules are compared in a normalized form; nothing is written when they match.
    support: full
"""

EXAMPLES = r"""
- name: Backups bucket; SQLite snapshots expire after 30 days, PDFs after 7
  frugal.stack.r2_bucket:
    account_id: "{{ r2_account_id }}"
    access_key_id: "{{ r2_access_key_id }}"
    secret_access_key: "{{ r2_secret_access_key }}"
    name: app-backups
    lifecycle_rules:
      - {prefix: sqlite/, expire_days: 30}
      - {prefix: pdfs/, expire_days: 7}
      - {id: abort-uploads, abort_multipart_days: 1}
    cors_rules:
      - {allowed_origins: ["https://app.example.com"], allowed_methods: [GET]}
"""

RETURN = r"""
lifecycle_rules:
  description: The bucket's lifecycle rules after the run, normalized.
  returned: when state is present
  type: list
  elements: dict
cors_rules:
  description: The bucket's CORS rules after the run, normalized.
  returned: when state is present
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.frugal.stack.plugins.module_utils import _r2
from ansible_collections.frugal.stack.plugins.module_utils._r2 import BotoCoreError, ClientError


def wanted_lifecycle(rules):
    out = []
    for rule in rules:
        if rule.get("expire_days") is None and rule.get("abort_multipart_days") is None:
            raise _r2.R2Error("lifecycle rule %r needs expire_days or abort_multipart_days" % (rule,))
        for name in ("expire_days", "abort_multipart_days"):
            if rule.get(name) is not None and rule[name] < 1:
                raise _r2.R2Error("lifecycle rule %r: %s must be at least 1" % (rule, name))
        prefix = rule.get("prefix") or ""
        if prefix:
            _r2.check_key(prefix, "lifecycle prefix")
        out.append({"id": rule.get("id") or "expire-" + (prefix.rstrip("/").replace("/", "-") or "all"),
                    "prefix": prefix, "expire_days": rule.get("expire_days"),
                    "abort_multipart_days": rule.get("abort_multipart_days")})
    ids = [r["id"] for r in out]
    if len(set(ids)) != len(ids):
        raise _r2.R2Error("lifecycle rule ids must be unique: %s" % ", ".join(ids))
    return sorted(out, key=lambda r: r["id"])


def read_rules(what, read, name, field, none_codes):
    """A bucket setting's rules; [] when R2 answers that the bucket has none (one of none_codes)."""
    try:
        return read(Bucket=name).get(field, [])
    except (ClientError, BotoCoreError) as exc:
        if _r2.error_code(exc) in none_codes:
            return []
        raise _r2.failure("read the %s of bucket %r" % (what, name), exc) from exc


def current_lifecycle(s3, name):
    rules = read_rules("lifecycle rules", s3.get_bucket_lifecycle_configuration, name, "Rules",
                       ("NoSuchLifecycleConfiguration", "NoSuchBucketLifecycle"))
    out = []
    for rule in rules:
        if rule.get("Status", "Enabled") != "Enabled":
            continue
        filt = rule.get("Filter") or {}
        prefix = filt.get("Prefix", rule.get("Prefix", "")) or ""
        abort = rule.get("AbortIncompleteMultipartUpload") or {}
        out.append({"id": rule.get("ID", ""), "prefix": prefix,
                    "expire_days": (rule.get("Expiration") or {}).get("Days"),
                    "abort_multipart_days": abort.get("DaysAfterInitiation")})
    return sorted(out, key=lambda r: r["id"])


def lifecycle_api(rules):
    api = []
    for rule in rules:
        item = {"ID": rule["id"], "Status": "Enabled", "Filter": {"Prefix": rule["prefix"]}}
        if rule["expire_days"] is not None:
            item["Expiration"] = {"Days": rule["expire_days"]}
        if rule["abort_multipart_days"] is not None:
            item["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": rule["abort_multipart_days"]}
        api.append(item)
    return {"Rules": api}


CORS_KEYS = (("allowed_origins", "AllowedOrigins"), ("allowed_methods", "AllowedMethods"),
             ("allowed_headers", "AllowedHeaders"), ("expose_headers", "ExposeHeaders"))


def wanted_cors(rules):
    out = []
    for rule in rules:
        item = {pair[0]: sorted(rule.get(pair[0]) or []) for pair in CORS_KEYS}
        item["allowed_methods"] = sorted(m.upper() for m in item["allowed_methods"])
        bad = set(item["allowed_methods"]) - {"GET", "PUT", "POST", "DELETE", "HEAD"}
        if bad or not item["allowed_origins"] or not item["allowed_methods"]:
            raise _r2.R2Error("CORS rule %r needs allowed_origins and allowed_methods among GET, PUT, POST, "
                              "DELETE, HEAD" % (rule,))
        item["max_age_seconds"] = rule.get("max_age_seconds")
        out.append(item)
    return out


def current_cors(s3, name):
    rules = read_rules("CORS rules", s3.get_bucket_cors, name, "CORSRules", ("NoSuchCORSConfiguration",))
    out = []
    for rule in rules:
        item = {k: sorted(rule.get(api) or []) for k, api in CORS_KEYS}
        item["max_age_seconds"] = rule.get("MaxAgeSeconds")
        out.append(item)
    return out


def cors_api(rules):
    api = []
    for rule in rules:
        item = {api_key: rule[k] for k, api_key in CORS_KEYS if rule[k]}
        if rule["max_age_seconds"] is not None:
            item["MaxAgeSeconds"] = rule["max_age_seconds"]
        api.append(item)
    return {"CORSRules": api}


def exists(s3, name):
    try:
        _r2.require_bucket(s3, name)
        return True
    except _r2.MissingBucket:
        return False


def absent(module, s3):
    p = module.params
    if not exists(s3, p["name"]):
        return dict(changed=False, diff=dict(before={"exists": False}, after={"exists": False}))
    objects = _r2.list_objects(s3, p["name"])
    if objects and not p["delete_objects"]:
        raise _r2.R2Error("bucket %r holds %d objects; it is kept (set delete_objects to remove them too)"
                          % (p["name"], len(objects)))
    if not module.check_mode:
        for start in range(0, len(objects), 1000):
            batch = [{"Key": o["key"]} for o in objects[start:start + 1000]]
            _r2.call("delete objects of bucket %r" % p["name"], s3.delete_objects, Bucket=p["name"],
                     Delete={"Objects": batch, "Quiet": True})
        _r2.call("delete bucket %r" % p["name"], s3.delete_bucket, Bucket=p["name"])
    return dict(changed=True, deleted_objects=len(objects),
                diff=dict(before={"exists": True}, after={"exists": False}))


def present(module, s3):
    p = module.params
    lifecycle = wanted_lifecycle(p["lifecycle_rules"]) if p["lifecycle_rules"] is not None else None
    cors = wanted_cors(p["cors_rules"]) if p["cors_rules"] is not None else None
    found = exists(s3, p["name"])
    before = {"exists": found,
              "lifecycle_rules": current_lifecycle(s3, p["name"]) if found else [],
              "cors_rules": current_cors(s3, p["name"]) if found else []}
    after = {"exists": True,
             "lifecycle_rules": before["lifecycle_rules"] if lifecycle is None else lifecycle,
             "cors_rules": before["cors_rules"] if cors is None else cors}
    changed = before != after
    if changed and not module.check_mode:
        if not found:
            kwargs = {"Bucket": p["name"]}
            if p["location"]:
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": p["location"]}
            _r2.call("create bucket %r" % p["name"], s3.create_bucket, **kwargs)
        if after["lifecycle_rules"] != before["lifecycle_rules"]:
            if after["lifecycle_rules"]:
                _r2.call("set the lifecycle rules of bucket %r" % p["name"], s3.put_bucket_lifecycle_configuration,
                         Bucket=p["name"], LifecycleConfiguration=lifecycle_api(after["lifecycle_rules"]))
            else:
                _r2.call("remove the lifecycle rules of bucket %r" % p["name"], s3.delete_bucket_lifecycle,
                         Bucket=p["name"])
        if after["cors_rules"] != before["cors_rules"]:
            if after["cors_rules"]:
                _r2.call("set the CORS rules of bucket %r" % p["name"], s3.put_bucket_cors, Bucket=p["name"],
                         CORSConfiguration=cors_api(after["cors_rules"]))
            else:
                _r2.call("remove the CORS rules of bucket %r" % p["name"], s3.delete_bucket_cors, Bucket=p["name"])
    return dict(changed=changed, lifecycle_rules=after["lifecycle_rules"], cors_rules=after["cors_rules"],
                diff=dict(before=before, after=after))


def main():
    argument_spec = dict(_r2.R2_ARGUMENT_SPEC)
    argument_spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        location=dict(type="str"),
        lifecycle_rules=dict(type="list", elements="dict", options=dict(
            id=dict(type="str"),
            prefix=dict(type="str", default=""),
            expire_days=dict(type="int"),
            abort_multipart_days=dict(type="int"),
        )),
        cors_rules=dict(type="list", elements="dict", options=dict(
            allowed_origins=dict(type="list", elements="str", required=True),
            allowed_methods=dict(type="list", elements="str", required=True),
            allowed_headers=dict(type="list", elements="str"),
            expose_headers=dict(type="list", elements="str"),
            max_age_seconds=dict(type="int"),
        )),
        delete_objects=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        _r2.check_bucket_name(module.params["name"])
        s3 = _r2.client(module)
        result = (present if module.params["state"] == "present" else absent)(module, s3)
    except _r2.R2Error as exc:
        module.fail_json(msg=str(exc))
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
