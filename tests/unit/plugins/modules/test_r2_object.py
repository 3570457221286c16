# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""r2_object against moto's S3 server in its own process (credentials checked)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.module_utils import _r2
from ansible_collections.frugal.stack.plugins.modules import r2_object


def run(capsys, s3_server, **args):
    return helpers.run_module(r2_object, capsys, s3_server.args(**args))


def test_put_is_idempotent_by_checksum_and_get_round_trips(capsys, s3_server, tmp_path):
    bucket = s3_server.bucket()
    src = tmp_path / "a.txt"
    src.write_bytes(b"frugal backup\n")
    first = run(capsys, s3_server, bucket=bucket, key="dir/a.txt", src=str(src), mode="put")
    assert first["changed"] and first["sha256"] == hashlib.sha256(b"frugal backup\n").hexdigest()
    head = s3_server.client().head_object(Bucket=bucket, Key="dir/a.txt")
    assert head["Metadata"]["sha256"] == first["sha256"]
    assert not run(capsys, s3_server, bucket=bucket, key="dir/a.txt", src=str(src), mode="put")["changed"]
    src.write_bytes(b"frugal backup, changed\n")
    assert run(capsys, s3_server, bucket=bucket, key="dir/a.txt", src=str(src), mode="put")["changed"]

    dest = tmp_path / "out.txt"
    got = run(capsys, s3_server, bucket=bucket, key="dir/a.txt", dest=str(dest), mode="get", dest_mode="0600")
    assert got["changed"] and dest.read_bytes() == b"frugal backup, changed\n"
    assert oct(os.stat(dest).st_mode & 0o777) == "0o600"
    assert not run(capsys, s3_server, bucket=bucket, key="dir/a.txt", dest=str(dest), mode="get")["changed"]


def test_object_put_by_another_tool_is_matched_by_etag(capsys, s3_server):
    bucket = s3_server.bucket()
    s3_server.client().put_object(Bucket=bucket, Key="plain", Body=b"same")
    result = run(capsys, s3_server, bucket=bucket, key="plain", content="same", mode="put")
    assert not result["changed"]


def test_check_mode_uploads_nothing(capsys, s3_server):
    bucket = s3_server.bucket()
    args = s3_server.args(bucket=bucket, key="k", content="x", mode="put")
    assert helpers.run_module(r2_object, capsys, args, check_mode=True, diff=True)["changed"]
    assert s3_server.client().list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_multipart_upload_with_r2_checksum_settings(capsys, s3_server, tmp_path):
    bucket = s3_server.bucket()
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * 1024 * 1024))
    result = run(capsys, s3_server, bucket=bucket, key="big.bin", src=str(big), mode="put",
                 multipart_threshold_mb=5, part_size_mb=5)
    assert result["changed"]
    head = s3_server.client().head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"].strip('"').endswith("-3")  # three parts
    assert head["ContentLength"] == 12 * 1024 * 1024
    assert not run(capsys, s3_server, bucket=bucket, key="big.bin", src=str(big), mode="put",
                   multipart_threshold_mb=5, part_size_mb=5)["changed"]


def test_delete_and_list(capsys, s3_server):
    bucket = s3_server.bucket()
    for key in ("db/1", "db/2", "pdf/1"):
        run(capsys, s3_server, bucket=bucket, key=key, content=key, mode="put")
    listed = run(capsys, s3_server, bucket=bucket, prefix="db/", mode="list")
    assert [o["key"] for o in listed["objects"]] == ["db/1", "db/2"]
    assert run(capsys, s3_server, bucket=bucket, key="db/1", mode="delete")["changed"]
    assert not run(capsys, s3_server, bucket=bucket, key="db/1", mode="delete")["changed"]
    assert [o["key"] for o in run(capsys, s3_server, bucket=bucket, mode="list")["objects"]] == ["db/2", "pdf/1"]


@pytest.mark.parametrize("mode", ["put", "list", "delete"])
def test_missing_bucket_is_named(capsys, s3_server, mode):
    result = run(capsys, s3_server, bucket="no-such-bucket", key="k", content="x", mode=mode)
    assert result["failed"]
    assert "bucket 'no-such-bucket' does not exist" in result["msg"]


@pytest.mark.parametrize("creds", [{"secret_access_key": "wrong"}, {"access_key_id": "AKIAWRONGKEY"}])
def test_wrong_credentials_say_what_r2_answered(capsys, s3_server, creds):
    bucket = s3_server.bucket()
    result = run(capsys, s3_server, bucket=bucket, key="k", content="x", mode="put", **creds)
    assert result["failed"]
    assert repr(bucket) in result["msg"] and "R2 answered" in result["msg"] and "403" in result["msg"]
    assert s3_server.secret_key not in str(result)


@pytest.mark.parametrize("key", ["../etc/passwd", "a/../b", "/abs", "a/./b", "", "tab\there"])
def test_bad_keys_are_refused_before_any_request(capsys, s3_server, key):
    result = run(capsys, s3_server, bucket="any-bucket", key=key, content="x", mode="put")
    assert result["failed"] and "key" in result["msg"]


def test_bad_bucket_name_and_missing_endpoint(capsys, s3_server):
    assert "not valid for R2" in run(capsys, s3_server, bucket="Bad_Name", key="k", content="x", mode="put")["msg"]
    args = dict(bucket="good-name", key="k", content="x", mode="put", access_key_id="a",
                secret_access_key="b",  # noqa: S106 - the endpoint is what is wrong here
                account_id="not-hex")
    assert "account_id" in helpers.run_module(r2_object, capsys, args)["msg"]


def test_get_of_a_missing_object_leaves_dest(capsys, s3_server, tmp_path):
    bucket = s3_server.bucket()
    dest = tmp_path / "keep.txt"
    dest.write_text("mine")
    result = run(capsys, s3_server, bucket=bucket, key="nothing", dest=str(dest), mode="get")
    assert result["failed"] and "no such object" in result["msg"] and dest.read_text() == "mine"


def test_client_is_set_up_for_r2(s3_server):
    class Module:
        params = dict(_r2_defaults(), **s3_server.args())

        def fail_json(self, **kwargs):
            raise AssertionError(kwargs)

    s3 = _r2.client(Module())
    config = s3.meta.config
    assert s3.meta.region_name == "auto"
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    assert config.s3["addressing_style"] == "path"


def _r2_defaults():
    return {name: spec.get("default") for name, spec in _r2.R2_ARGUMENT_SPEC.items()}
