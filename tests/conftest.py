# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make the checkout importable as ansible_collections.frugal.stack."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# As ansible-test's pytest plugin does: resolve ansible_collections.* (this
# checkout through collections/, the rest from the `ansible` package) and let
# the plugin loaders find frugal.stack plugins by name.
_AnsibleCollectionFinder(paths=[os.path.join(ROOT, "collections")])._install()


import pytest  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))


@pytest.fixture
def cf_api():
    """A real local HTTP server standing in for Cloudflare's /client/v4/ips."""
    from cf_api_server import CloudflareAPI

    api = CloudflareAPI()
    yield api
    api.close()


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server in its own process on 127.0.0.1 (a real HTTP endpoint, not an in-process mock)."""
    from s3_server import S3Server

    server = S3Server()
    yield server
    server.close()
