"""Test stand-in for Cloudflare's DNS API and the DNS the ACME CA queries.

HTTPS (the api.cloudflare.com name the web hosts resolve here):
  GET    /client/v4/zones?name=Z                  the zone, if Z is one of --zone
  GET    /client/v4/zones/ID/dns_records?type=&name=&content=
  POST   /client/v4/zones/ID/dns_records           {type: TXT, name, content, ttl}
  DELETE /client/v4/zones/ID/dns_records/RID
Every call must carry "Authorization: Bearer <--token>"; others get
Cloudflare's 9109 error. Each call is appended to --log as a JSON line.

DNS (UDP, --dns-port): TXT questions for names with records are answered from
them; every other question is relayed to --upstream (Docker's resolver), so
the CA still finds the web hosts for HTTP-01.
"""
import argparse
import itertools
import json
import socket
import ssl
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
RECORDS = {}  # id -> {id, zone_id, type, name, content, ttl}
NEXT_ID = itertools.count(1)


def zone_id(name):
    return "zone-" + name.replace(".", "-")


class Api(BaseHTTPRequestHandler):
    server_version = "cf-dns-api-test"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, result=None, errors=()):
        body = json.dumps({"success": not errors, "errors": list(errors), "messages": [],
                           "result": result}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def record(self, authorized, status):
        entry = {"method": self.command, "path": self.path, "authorized": authorized, "status": status}
        with LOCK, open(self.server.opts.log, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def handle_any(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.rstrip("/").split("/")[3:]  # after /client/v4
        authorized = self.headers.get("Authorization", "") == "Bearer " + self.server.opts.token
        if not authorized:
            self.record(False, 400)
            return self.reply(400, errors=[{"code": 9109, "message": "Invalid access token"}])
        zones = {zone_id(z): z for z in self.server.opts.zone}
        status, result, errors = 404, None, [{"code": 7003, "message": "No route for that URI"}]
        if parts == ["zones"] and self.command == "GET":
            name = query.get("name", "")
            status, errors = 200, []
            result = [{"id": zone_id(name), "name": name}] if name in self.server.opts.zone else []
        elif len(parts) >= 3 and parts[0] == "zones" and parts[2] == "dns_records":
            if parts[1] not in zones:
                status, errors = 404, [{"code": 1001, "message": "Invalid zone identifier"}]
            else:
                status, result, errors = self.dns_records(parts[1], parts[3:], query)
        self.record(True, status)
        return self.reply(status, result, errors)

    def dns_records(self, zid, rest, query):
        with LOCK:
            if self.command == "GET" and not rest:
                found = [r for r in RECORDS.values() if r["zone_id"] == zid and all(
                    r.get(k) == query[k] for k in ("type", "name", "content") if k in query)]
                return 200, found, []
            if self.command == "POST" and not rest:
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                rec = {"id": "rec-%d" % next(NEXT_ID), "zone_id": zid, "type": data["type"],
                       "name": data["name"].rstrip(".").lower(), "content": data["content"],
                       "ttl": data.get("ttl", 1)}
                RECORDS[rec["id"]] = rec
                return 200, rec, []
            if self.command == "DELETE" and len(rest) == 1 and rest[0] in RECORDS:
                del RECORDS[rest[0]]
                return 200, {"id": rest[0]}, []
        return 404, None, [{"code": 81044, "message": "Record does not exist."}]

    do_GET = do_POST = do_DELETE = handle_any


def question(packet):
    """(name, qtype, end offset) of the first question of a DNS query."""
    labels, pos = [], 12
    while packet[pos]:
        length = packet[pos]
        labels.append(packet[pos + 1:pos + 1 + length].decode("ascii", "replace"))
        pos += 1 + length
    qtype = struct.unpack("!H", packet[pos + 1:pos + 3])[0]
    return ".".join(labels).lower(), qtype, pos + 5


def serve_dns(opts):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", opts.dns_port))  # noqa: S104 - serves the test network from its container
    while True:
        packet, peer = sock.recvfrom(4096)
        threading.Thread(target=answer, args=(sock, packet, peer, opts), daemon=True).start()


def answer(sock, packet, peer, opts):
    try:
        name, qtype, end = question(packet)
    except (IndexError, struct.error):
        return
    with LOCK:
        txt = [r["content"] for r in RECORDS.values() if r["type"] == "TXT" and r["name"] == name]
    if qtype == 16 and txt:
        flags = 0x8400 | (struct.unpack("!H", packet[2:4])[0] & 0x0100)  # QR, AA, copy RD
        reply = packet[:2] + struct.pack("!HHHHH", flags, 1, len(txt), 0, 0) + packet[12:end]
        for value in txt:
            data = value.encode()
            reply += struct.pack("!HHHIH", 0xC00C, 16, 1, 10, len(data) + 1) + bytes([len(data)]) + data
        sock.sendto(reply, peer)
        return
    upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream.settimeout(3)
    try:
        upstream.sendto(packet, (opts.upstream, 53))
        sock.sendto(upstream.recv(4096), peer)
    except OSError:
        pass
    finally:
        upstream.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True)
    parser.add_argument("--zone", action="append", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--dns-port", type=int, default=8053)
    parser.add_argument("--upstream", default="127.0.0.11")
    parser.add_argument("--log", default="/var/log/cf-dns-api.log")
    opts = parser.parse_args()
    threading.Thread(target=serve_dns, args=(opts,), daemon=True).start()
    httpd = ThreadingHTTPServer(("0.0.0.0", opts.port), Api)  # noqa: S104 - as above
    httpd.opts = opts
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(opts.cert, opts.key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
