# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""r2_bucket against moto's S3 server in its own process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.modules import r2_bucket

RULES = [{"prefix": "sqlite/", "expire_days": 30}, {"prefix": "pdfs/", "expire_days": 7},
         {"id": "abort-uploads", "abort_multipart_days": 1}]
CORS = [{"allowed_origins": ["https://app.example.com"], "allowed_methods": ["get", "HEAD"], "max_age_seconds": 600}]


def run(capsys, s3_server, check_mode=False, **args):
    # moto wants AWS's location rules for new buckets (R2 has none): sign with us-east-1 here
    args.setdefault("region", "us-east-1")
    return helpers.run_module(r2_bucket, capsys, s3_server.args(**args), check_mode=check_mode, diff=True)


def new_name():
    return "b-" + uuid.uuid4().hex[:16]


def test_create_with_rules_then_idempotent(capsys, s3_server):
    name = new_name()
    checked = run(capsys, s3_server, check_mode=True, name=name, lifecycle_rules=RULES, cors_rules=CORS)
    assert checked["changed"] and checked["diff"]["before"]["exists"] is False
    assert name not in [b["Name"] for b in s3_server.client().list_buckets()["Buckets"]]

    made = run(capsys, s3_server, name=name, lifecycle_rules=RULES, cors_rules=CORS)
    assert made["changed"]
    rules = s3_server.client().get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
    assert sorted((r["ID"], r["Filter"]["Prefix"]) for r in rules) == [
        ("abort-uploads", ""), ("expire-pdfs", "pdfs/"), ("expire-sqlite", "sqlite/")]
    assert s3_server.client().get_bucket_cors(Bucket=name)["CORSRules"][0]["AllowedMethods"] == ["GET", "HEAD"]

    again = run(capsys, s3_server, name=name, lifecycle_rules=RULES, cors_rules=CORS)
    assert not again["changed"] and again["diff"]["before"] == again["diff"]["after"]
    # rules omitted: left as they are
    assert not run(capsys, s3_server, name=name)["changed"]


def test_rules_change_and_removal(capsys, s3_server):
    name = new_name()
    run(capsys, s3_server, name=name, lifecycle_rules=RULES, cors_rules=CORS)
    changed = run(capsys, s3_server, name=name, lifecycle_rules=[{"prefix": "sqlite/", "expire_days": 14}])
    assert changed["changed"] and changed["lifecycle_rules"] == [
        {"id": "expire-sqlite", "prefix": "sqlite/", "expire_days": 14, "abort_multipart_days": None}]
    removed = run(capsys, s3_server, name=name, lifecycle_rules=[], cors_rules=[])
    assert removed["changed"] and removed["lifecycle_rules"] == [] and removed["cors_rules"] == []
    assert not run(capsys, s3_server, name=name, lifecycle_rules=[], cors_rules=[])["changed"]


def test_a_bucket_with_objects_is_kept_unless_asked(capsys, s3_server):
    name = s3_server.bucket()
    s3_server.client().put_object(Bucket=name, Key="db/keep.gz", Body=b"data")
    refused = run(capsys, s3_server, name=name, state="absent")
    assert refused["failed"] and "holds 1 objects" in refused["msg"]
    assert s3_server.client().head_object(Bucket=name, Key="db/keep.gz")
    gone = run(capsys, s3_server, name=name, state="absent", delete_objects=True)
    assert gone["changed"] and gone["deleted_objects"] == 1
    assert not run(capsys, s3_server, name=name, state="absent")["changed"]


@pytest.mark.parametrize("args, says", [
    ({"name": "UPPER"}, "not valid for R2"),
    ({"name": "ok-name", "lifecycle_rules": [{"prefix": "x/"}]}, "needs expire_days"),
    ({"name": "ok-name", "lifecycle_rules": [{"prefix": "../x", "expire_days": 1}]}, "lifecycle prefix"),
    ({"name": "ok-name", "lifecycle_rules": [{"prefix": "x/", "expire_days": 0}]}, "at least 1"),
    ({"name": "ok-name", "cors_rules": [{"allowed_origins": ["*"], "allowed_methods": ["PATCH"]}]}, "CORS rule"),
])
def test_bad_input_fails_before_any_change(capsys, s3_server, args, says):
    result = run(capsys, s3_server, **args)
    assert result["failed"] and says in result["msg"]
    assert "ok-name" not in [b["Name"] for b in s3_server.client().list_buckets()["Buckets"]]


def test_wrong_credentials(capsys, s3_server):
    wrong = {"secret_access_key": "not-the-secret"}
    result = run(capsys, s3_server, name=new_name(), **wrong)
    assert result["failed"] and "R2 answered" in result["msg"] and "403" in result["msg"]
