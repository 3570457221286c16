# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real HTTP server on 127.0.0.1 answering /client/v4/ips the way a test asks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = {
    "result": {
        "ipv4_cidrs": ["173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22",
                       "141.101.64.0/18", "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20",
                       "197.234.240.0/22", "198.41.128.0/17", "162.158.0.0/15", "104.16.0.0/13",
                       "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22"],
        "ipv6_cidrs": ["2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32",
                       "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32"],
        "etag": "38f79d050aa027e3be3865e495dcc9bc",
    },
    "success": True, "errors": [], "messages": [],
}


def with_result(**changes):
    payload = json.loads(json.dumps(GOOD))
    payload["result"].update(changes)
    return payload


class CloudflareAPI:
    """answers: list of (status, body, headers, delay); the last one repeats."""

    def __init__(self):
        self.answers = [(200, GOOD, {}, 0)]
        self.requests = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                api.requests.append((self.path, dict(self.headers)))
                index = min(len(api.requests) - 1, len(api.answers) - 1)
                status, body, headers, delay = api.answers[index]
                if delay:
                    time.sleep(delay)
                if status == "truncate":
                    data = json.dumps(body).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if status == 304 and self.headers.get("If-None-Match", "").strip('"') != body:
                    status, body = 200, GOOD
                data = body if isinstance(body, bytes) else (b"" if status == 304 else json.dumps(body).encode())
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, *answers):
        self.answers = [a if len(a) == 4 else tuple(a) + ({}, 0)[len(a) - 2:] for a in answers]
        self.requests = []

    def close(self):
        self.server.shutdown()
        self.server.server_close()
