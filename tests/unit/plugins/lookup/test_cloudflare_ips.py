# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudflare_ips lookup against a real local HTTP server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from cf_api_server import GOOD, with_result

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader


@pytest.fixture
def lookup():
    return lookup_loader.get("frugal.stack.cloudflare_ips")


def test_returns_the_ranges_by_family(lookup, cf_api):
    assert lookup.run([], api_url=cf_api.url) == GOOD["result"]["ipv4_cidrs"] + GOOD["result"]["ipv6_cidrs"]
    assert lookup.run([], api_url=cf_api.url, family="ipv6") == GOOD["result"]["ipv6_cidrs"]


def test_unusable_answer_raises_a_lookup_error(lookup, cf_api):
    cf_api.answer((200, with_result(ipv4_cidrs=[])))
    with pytest.raises(AnsibleLookupError, match="unusable: result.ipv4_cidrs has 0 entries"):
        lookup.run([], api_url=cf_api.url)


def test_unreachable_api_raises_a_lookup_error(lookup):
    with pytest.raises(AnsibleLookupError, match="could not be reached"):
        lookup.run([], api_url="http://127.0.0.1:9", retries=0)


def test_http_error_is_reported(lookup, cf_api):
    cf_api.answer((404, b"not here", {}, 0))
    with pytest.raises(AnsibleLookupError, match="HTTP 404"):
        lookup.run([], api_url=cf_api.url)


def test_bundled_fallback(lookup, cf_api):
    cf_api.answer((200, {"success": False}))
    assert len(lookup.run([], api_url=cf_api.url, fallback="bundled", family="ipv4")) == 15
