# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cloudflare R2 through boto3: connection options, a client set up for R2, names, errors, uploads.

Shared by the r2_bucket, r2_object and sqlite_backup modules, and by the
sqlite_backup role's timer script on hosts without Ansible (hence the guarded
import of Ansible's helpers). R2 speaks S3 with
known differences, handled here: region "auto"; no request checksums unless
the operation requires them (boto3 >= 1.36 sends CRC32 headers by default,
which R2 rejected on some operations); no ACLs and no object tagging, so
nothing here sends them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re
import traceback

try:
    from ansible.module_utils.basic import env_fallback, missing_required_lib
except ImportError:  # the timer script on a host: connection settings come from its config and environment
    env_fallback = None

    def missing_required_lib(library):
        return "%s is required: install python3-%s" % (library, library)

try:
    import boto3
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    HAS_BOTO3 = True
    BOTO3_IMPORT_ERROR = None
except ImportError:
    HAS_BOTO3 = False
    BOTO3_IMPORT_ERROR = traceback.format_exc()

    class BotoCoreError(Exception):
        """Stands in while boto3 is missing (client() fails the module first)."""

    class ClientError(Exception):
        """Stands in while boto3 is missing (client() fails the module first)."""

# Object metadata holding the sha256 of the content (x-amz-meta-sha256): what
# makes puts idempotent for multipart uploads too, whose ETag is no digest.
SHA256_META = "sha256"
MB = 1024 * 1024

# Environment variables read for each connection option, first set wins.
ENVIRONMENT = dict(
    account_id=["R2_ACCOUNT_ID", "CLOUDFLARE_ACCOUNT_ID"],
    endpoint_url=["R2_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"],
    access_key_id=["R2_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"],
    secret_access_key=["R2_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"],
)

R2_ARGUMENT_SPEC = dict(
    account_id=dict(type="str", fallback=(env_fallback, ENVIRONMENT["account_id"])),
    endpoint_url=dict(type="str", fallback=(env_fallback, ENVIRONMENT["endpoint_url"])),
    access_key_id=dict(type="str", no_log=False, fallback=(env_fallback, ENVIRONMENT["access_key_id"])),
    secret_access_key=dict(type="str", no_log=True, fallback=(env_fallback, ENVIRONMENT["secret_access_key"])),
    region=dict(type="str", default="auto"),
    ca_bundle=dict(type="path"),
    timeout=dict(type="int", default=60),
)

BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


class R2Error(Exception):
    """A failure worth one clear line: what was asked, of which bucket and key, and what R2 answered."""


class MissingBucket(R2Error):
    """The bucket does not exist."""


def check_bucket_name(name):
    if not BUCKET_RE.match(name or ""):
        raise R2Error("bucket name %r is not valid for R2: 3 to 63 lower case letters, digits and hyphens, "
                      "starting and ending with a letter or digit" % (name,))


def check_key(key, what="key"):
    """Refuse keys that are empty, too long, absolute, hold '..' or '.' segments or control characters."""
    if not key:
        raise R2Error("%s is empty" % what)
    if len(key.encode("utf-8")) > 1024:
        raise R2Error("%s %r is longer than 1024 bytes" % (what, key))
    if key.startswith("/"):
        raise R2Error("%s %r starts with '/'" % (what, key))
    if any(part in ("..", ".") for part in key.split("/")):
        raise R2Error("%s %r holds a '.' or '..' segment" % (what, key))
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise R2Error("%s %r holds a control character" % (what, key))


def endpoint(params):
    if params.get("endpoint_url"):
        return params["endpoint_url"].rstrip("/")
    account = params.get("account_id") or ""
    if not re.match(r"^[0-9a-f]{32}$", account):
        raise R2Error("set endpoint_url, or account_id to the 32 hex digits of your Cloudflare account id "
                      "(endpoint https://<account_id>.r2.cloudflarestorage.com)")
    return "https://%s.r2.cloudflarestorage.com" % account


def connection_from_env(settings):
    """The connection options: settings as given, unset ones from ENVIRONMENT, then the defaults."""
    params = dict((name, spec.get("default")) for name, spec in R2_ARGUMENT_SPEC.items())
    for name, variables in ENVIRONMENT.items():
        params[name] = next((os.environ[v] for v in variables if os.environ.get(v)), None)
    params.update((k, v) for k, v in settings.items() if v is not None)
    return params


def make_client(params):
    """An S3 client for R2 from connection options; R2Error on bad or missing ones."""
    if not HAS_BOTO3:
        raise R2Error(missing_required_lib("boto3"))
    url = endpoint(params)
    for name in ("access_key_id", "secret_access_key"):
        if not params.get(name):
            raise R2Error("%s is required (or R2_%s / AWS_%s in the environment)" % (name, name.upper(), name.upper()))
    settings = dict(
        signature_version="s3v4",
        connect_timeout=params["timeout"],
        read_timeout=params["timeout"],
        retries={"max_attempts": 5, "mode": "standard"},
        s3={"addressing_style": "path"},
    )
    if "request_checksum_calculation" in getattr(Config, "OPTION_DEFAULTS", {}):
        # botocore >= 1.36 checksums every request unless told; older ones (Debian 12's
        # python3-boto3) send none by default and do not know these options.
        settings.update(request_checksum_calculation="when_required", response_checksum_validation="when_required")
    return boto3.session.Session().client(
        "s3",
        endpoint_url=url,
        region_name=params["region"],
        aws_access_key_id=params["access_key_id"],
        aws_secret_access_key=params["secret_access_key"],
        verify=params.get("ca_bundle") or True,
        config=Config(**settings),
    )


def client(module):
    """make_client for a module: bad options fail the module."""
    if not HAS_BOTO3:
        module.fail_json(msg=missing_required_lib("boto3"), exception=BOTO3_IMPORT_ERROR)
    try:
        return make_client(module.params)
    except R2Error as exc:
        module.fail_json(msg=str(exc))


def answer(exc):
    """What R2 answered, in one line: code, HTTP status and message; or the transport error."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = err.get("Code") or "error"
        message = err.get("Message") or ""
        return "%s (HTTP %s)%s" % (code, status, ": " + message if message else "")
    return "%s: %s" % (type(exc).__name__, exc)


def error_code(exc):
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def is_missing(exc):
    """A 404 or NoSuch* answer."""
    if not isinstance(exc, ClientError):
        return False
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or error_code(exc).startswith("NoSuch") or error_code(exc) == "404"


def describe(action, bucket, key=None):
    return "%s %s%s" % (action, "bucket %r" % bucket, " key %r" % key if key is not None else "")


def failure(what, exc):
    """R2Error naming what was asked and what R2 answered (or, without an answer, the transport error)."""
    if isinstance(exc, ClientError):
        return R2Error("%s: R2 answered %s" % (what, answer(exc)))
    return R2Error("%s: %s" % (what, answer(exc)))


def call(what, func, *args, **kwargs):
    """Run an S3 call; turn its failure into R2Error naming what was asked and what R2 answered."""
    try:
        return func(*args, **kwargs)
    except (ClientError, BotoCoreError) as exc:
        raise failure(what, exc) from exc


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(MB), b""):
            digest.update(block)
    return digest.hexdigest()


def head(s3, bucket, key):
    """The object's head, or None when it does not exist; a missing bucket is an error."""
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as exc:
        if not is_missing(exc):
            raise failure(describe("read", bucket, key), exc) from exc
    require_bucket(s3, bucket)
    return None


def missing_bucket(bucket, exc):
    return MissingBucket("bucket %r does not exist (R2 answered %s)" % (bucket, answer(exc)))


def require_bucket(s3, bucket):
    """Raise MissingBucket when the bucket does not exist, R2Error when it cannot be read."""
    try:
        s3.head_bucket(Bucket=bucket)
    except (ClientError, BotoCoreError) as exc:
        if is_missing(exc):
            raise missing_bucket(bucket, exc) from exc
        raise failure(describe("read", bucket), exc) from exc


def stored_sha256(obj):
    return (obj or {}).get("Metadata", {}).get(SHA256_META)


def upload_file(s3, bucket, key, path, sha256=None, content_type=None, part_size_mb=16, threshold_mb=64):
    """Upload a file (multipart above threshold_mb) with its sha256 in the metadata. No ACL, no tagging."""
    extra = {"Metadata": {SHA256_META: sha256 or file_sha256(path)}}
    if content_type:
        extra["ContentType"] = content_type
    transfer = TransferConfig(multipart_threshold=threshold_mb * MB, multipart_chunksize=part_size_mb * MB,
                              max_concurrency=4, use_threads=True)
    try:
        s3.upload_file(path, bucket, key, ExtraArgs=extra, Config=transfer)
    except (ClientError, BotoCoreError, boto3.exceptions.S3UploadFailedError) as exc:
        require_bucket(s3, bucket)  # a missing bucket gets its own message
        raise failure(describe("upload to", bucket, key), exc) from exc
    return extra["Metadata"][SHA256_META]


def download_file(s3, bucket, key, dest, expect_sha256=None):
    """Download to a temporary file beside dest, check the sha256, rename over dest. Returns the sha256."""
    directory = os.path.dirname(os.path.abspath(dest))
    tmp = os.path.join(directory, ".%s.r2-part" % os.path.basename(dest))
    try:
        call(describe("download", bucket, key), s3.download_file, bucket, key, tmp)
        got = file_sha256(tmp)
        if expect_sha256 and got != expect_sha256:
            raise R2Error("%s: content sha256 %s differs from the sha256 stored with it, %s"
                          % (describe("download", bucket, key), got, expect_sha256))
        os.rename(tmp, dest)
        return got
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def list_objects(s3, bucket, prefix=""):
    objects = []
    paginator = s3.get_paginator("list_objects_v2")
    try:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                objects.append({"key": item["Key"], "size": item["Size"], "etag": item.get("ETag", "").strip('"'),
                                "last_modified": item["LastModified"].isoformat()})
    except (ClientError, BotoCoreError) as exc:
        if is_missing(exc):
            raise missing_bucket(bucket, exc) from exc
        raise failure(describe("list", bucket), exc) from exc
    return objects
