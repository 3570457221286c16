# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudflare_ips module against a real local HTTP server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import time

import helpers
import pytest
from cf_api_server import GOOD, with_result

from ansible_collections.frugal.stack.plugins.modules import cloudflare_ips


def run_module(capsys, args, check_mode=False, diff=False):
    args = dict(args)
    args.setdefault("backoff", 0.01)
    return helpers.run_module(cloudflare_ips, capsys, args, check_mode, diff)


def test_good_answer(capsys, cf_api):
    result = run_module(capsys, {"api_url": cf_api.url})
    assert not result.get("failed")
    assert result["source"] == "live" and not result["changed"]
    assert result["ipv4_cidrs"] == GOOD["result"]["ipv4_cidrs"]
    assert result["ipv6_cidrs"] == GOOD["result"]["ipv6_cidrs"]
    assert result["cidrs"] == result["ipv4_cidrs"] + result["ipv6_cidrs"]
    assert result["etag"] == GOOD["result"]["etag"]
    assert cf_api.requests[0][0] == "/client/v4/ips"


BAD_ANSWERS = [
    ("empty lists", (200, with_result(ipv4_cidrs=[], ipv6_cidrs=[])), "fewer than the 10 required"),
    ("success false", (200, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}],
                             "result": None}), "success=false"),
    ("not json", (200, b"{\"result\": {\"ipv4_cidrs\": [", {"Content-Type": "application/json"}, 0), "not JSON"),
    ("html error page", (200, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                         {"Content-Type": "text/html"}, 0), "not JSON"),
    ("json list", (200, ["173.245.48.0/20"]), "not a JSON object"),
    ("no result", (200, {"success": True}), "no 'result' object"),
    ("missing family", (200, {"success": True, "result": {"ipv4_cidrs": GOOD["result"]["ipv4_cidrs"]}}),
     "result.ipv6_cidrs is missing"),
    ("slash zero", (200, with_result(ipv4_cidrs=["0.0.0.0/0"] + GOOD["result"]["ipv4_cidrs"][1:])),
     "broader than /8"),
    ("two halves of the internet",
     (200, with_result(ipv4_cidrs=["0.0.0.0/1", "128.0.0.0/1"] + GOOD["result"]["ipv4_cidrs"][2:])),
     "broader than /8"),
    ("private range", (200, with_result(ipv4_cidrs=["10.0.0.0/8"] + GOOD["result"]["ipv4_cidrs"][1:])),
     "overlaps the special-purpose range 10.0.0.0/8"),
    ("loopback", (200, with_result(ipv4_cidrs=["127.0.0.0/8"] + GOOD["result"]["ipv4_cidrs"][1:])),
     "special-purpose range 127.0.0.0/8"),
    ("link-local v6", (200, with_result(ipv6_cidrs=["fe80::/64"] + GOOD["result"]["ipv6_cidrs"][1:])),
     "special-purpose range fe80::/10"),
    ("wide range covering private", (200, with_result(ipv4_cidrs=["172.0.0.0/10"] + GOOD["result"]["ipv4_cidrs"][1:])),
     "overlaps the special-purpose range 172.16.0.0/12"),
    ("wrong family", (200, with_result(ipv4_cidrs=["2400:cb00::/32"] + GOOD["result"]["ipv4_cidrs"][1:])),
     "is an IPv6 range"),
    ("host bits", (200, with_result(ipv4_cidrs=["173.245.48.1/20"] + GOOD["result"]["ipv4_cidrs"][1:])),
     "is not a CIDR"),
    ("garbage entry", (200, with_result(ipv4_cidrs=["; drop table"] + GOOD["result"]["ipv4_cidrs"][1:])),
     "is not a CIDR"),
    ("non-string entry", (200, with_result(ipv4_cidrs=[{"cidr": "1.1.1.0/24"}] + GOOD["result"]["ipv4_cidrs"][1:])),
     "non-string entry"),
    ("duplicate after normalisation", (200, with_result(
        ipv6_cidrs=["2400:cb00::/32", "2400:CB00:0::/32"] + GOOD["result"]["ipv6_cidrs"][1:])), "twice"),
    ("overlap", (200, with_result(ipv4_cidrs=["104.16.0.0/12"] + GOOD["result"]["ipv4_cidrs"][1:])), "overlap"),
    ("client error", (403, {"success": False}), "HTTP 403"),
    ("too many entries", (200, with_result(ipv4_cidrs=["1.%d.%d.0/24" % (i // 256, i % 256) for i in range(1001)])),
     "more than 1000"),
]


@pytest.mark.parametrize("answer, message", [a[1:] for a in BAD_ANSWERS], ids=[a[0] for a in BAD_ANSWERS])
def test_bad_answers_fail_saying_what_is_wrong(capsys, cf_api, answer, message):
    cf_api.answer(answer)
    result = run_module(capsys, {"api_url": cf_api.url, "retries": 0})
    assert result["failed"]
    assert message in result["msg"], result["msg"]
    assert "ipv4_cidrs" not in result
    assert len(cf_api.requests) == 1  # an answer that arrived is not asked again


def test_truncated_answer_is_retried_then_fails(capsys, cf_api):
    cf_api.answer(("truncate", GOOD))
    result = run_module(capsys, {"api_url": cf_api.url, "retries": 2})
    assert result["failed"]
    assert "ipv4_cidrs" not in result


def test_slow_answer_times_out_and_retries(capsys, cf_api):
    cf_api.answer((200, GOOD, {}, 3))
    start = time.monotonic()
    result = run_module(capsys, {"api_url": cf_api.url, "timeout": 1, "retries": 1})
    assert result["failed"] and "after 2 attempts" in result["msg"]
    assert time.monotonic() - start < 6
    assert len(cf_api.requests) == 2


def test_server_errors_are_retried_with_backoff(capsys, cf_api):
    cf_api.answer((503, b"busy", {"Content-Type": "text/plain"}, 0), (429, b"slow down", {}, 0), (200, GOOD))
    start = time.monotonic()
    result = run_module(capsys, {"api_url": cf_api.url, "retries": 3, "backoff": 0.2})
    assert result["source"] == "live" and len(cf_api.requests) == 3
    assert any("HTTP 503" in p for p in result["problems"])
    assert time.monotonic() - start >= 0.2 + 0.4


def test_unreachable_api_fails_naming_the_url(capsys):
    result = run_module(capsys, {"api_url": "http://127.0.0.1:9", "retries": 1})
    assert result["failed"] and "127.0.0.1:9/client/v4/ips" in result["msg"]


def test_cache_is_written_on_change_and_sends_the_etag(capsys, cf_api, tmp_path):
    cache = tmp_path / "cf.json"
    first = run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache)}, diff=True)
    assert first["changed"] and json.loads(cache.read_text())["etag"] == GOOD["result"]["etag"]
    assert "173.245.48.0/20" in first["diff"]["after"]
    cf_api.answer((304, GOOD["result"]["etag"]))
    second = run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache)})
    assert not second["changed"] and second["not_modified"] and second["source"] == "live"
    assert second["ipv4_cidrs"] == GOOD["result"]["ipv4_cidrs"]
    assert cf_api.requests[0][1]["If-None-Match"] == '"%s"' % GOOD["result"]["etag"]


def test_check_mode_does_not_write_the_cache(capsys, cf_api, tmp_path):
    cache = tmp_path / "cf.json"
    result = run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache)}, check_mode=True)
    assert result["changed"] and not cache.exists()


def test_same_answer_twice_changes_nothing(capsys, cf_api, tmp_path):
    cache = tmp_path / "cf.json"
    run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache)})
    cf_api.answer((200, with_result(etag=None)))
    again = run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache)})
    assert again["changed"]  # the etag differs, so the cache content does
    third = run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache)})
    assert not third["changed"]


def test_fallback_to_cache_keeps_the_last_good_answer(capsys, cf_api, tmp_path):
    cache = tmp_path / "cf.json"
    run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache)})
    before = cache.read_text()
    cf_api.answer((200, with_result(ipv4_cidrs=[], ipv6_cidrs=[])))
    result = run_module(capsys, {"api_url": cf_api.url, "cache_file": str(cache), "fallback": "cache"})
    assert result["source"] == "cache" and not result["changed"]
    assert result["ipv4_cidrs"] == GOOD["result"]["ipv4_cidrs"]
    assert "fewer than" in result["problems"][0]
    assert cache.read_text() == before


def test_fallback_to_bundled_list(capsys, cf_api):
    cf_api.answer((200, b"<html>oops</html>", {}, 0))
    result = run_module(capsys, {"api_url": cf_api.url, "fallback": "bundled"})
    assert result["source"] == "bundled" and len(result["ipv4_cidrs"]) == 15 and len(result["ipv6_cidrs"]) == 7


def test_fallback_any_without_cache_uses_bundled(capsys, cf_api, tmp_path):
    cf_api.answer((500, b"", {}, 0))
    result = run_module(capsys, {"api_url": cf_api.url, "retries": 0, "fallback": "any",
                                 "cache_file": str(tmp_path / "missing.json")})
    assert result["source"] == "bundled"


def test_bundled_list_is_still_validated(capsys, cf_api):
    cf_api.answer((500, b"", {}, 0))
    result = run_module(capsys, {"api_url": cf_api.url, "retries": 0, "fallback": "bundled", "min_ipv4": 50})
    assert result["failed"] and "HTTP 500" in result["msg"]


def test_private_ranges_only_when_allowed(capsys, cf_api):
    cf_api.answer((200, with_result(ipv4_cidrs=["172.30.0.11/32"], ipv6_cidrs=["fd00:30::/64"])))
    refused = run_module(capsys, {"api_url": cf_api.url, "min_ipv4": 1, "min_ipv6": 1})
    assert refused["failed"] and "172.16.0.0/12" in refused["msg"]
    allowed = run_module(capsys, {"api_url": cf_api.url, "min_ipv4": 1, "min_ipv6": 1, "allow_private": True})
    assert allowed["ipv4_cidrs"] == ["172.30.0.11/32"]


@pytest.mark.parametrize("args, message", [
    ({"fallback": "cache"}, "needs cache_file"),
    ({"min_ipv4": 0}, "min_ipv4 must be at least 1"),
    ({"api_url": "ftp://example"}, "http:// or https://"),
    ({"retries": -1}, "must not be negative"),
    ({"min_prefix_ipv6": 0}, "min_prefix_ipv6"),
])
def test_bad_parameters(capsys, cf_api, args, message):
    result = run_module(capsys, dict({"api_url": cf_api.url}, **args))
    assert result["failed"] and message in result["msg"]
    assert cf_api.requests == []
