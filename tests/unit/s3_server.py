# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""moto's S3 server started as a separate process for the R2 module tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import subprocess
import sys
import time
import uuid

import boto3
from botocore.config import Config

# Requests moto serves before it checks credentials: the three that make the
# test user, its key and its S3 policy. From then on a wrong key is refused.
FREE_ACTIONS = 3


class S3Server:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(FREE_ACTIONS)))
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("moto server did not start on port %d" % self.port) from None
                time.sleep(0.2)
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")  # noqa: S106 - moto setup
        iam.create_user(UserName="r2")
        key = iam.create_access_key(UserName="r2")["AccessKey"]
        iam.put_user_policy(UserName="r2", PolicyName="s3", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]

    def client(self, region="us-east-1"):
        return boto3.client("s3", endpoint_url=self.url, region_name=region, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key,
                            config=Config(s3={"addressing_style": "path"}))

    def bucket(self):
        """A new empty bucket. moto keeps AWS's rule that a bucket made outside us-east-1 names its
        location, which R2 does not have, so test buckets are made here with us-east-1."""
        name = "t-" + uuid.uuid4().hex[:20]
        self.client().create_bucket(Bucket=name)
        return name

    def args(self, **more):
        """Connection options for the modules (region left at its R2 default, auto)."""
        args = dict(endpoint_url=self.url, access_key_id=self.access_key, secret_access_key=self.secret_key)
        args.update(more)
        return args

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
