"""A framework-free ASGI app used by frugal.stack's tests and benchmarks.

GET /         -> "hello"
GET /health   -> 200 when every dependency answers, else 503 (JSON body names them)
GET /release  -> the release directory the process runs from
GET /config   -> which settings reached the app (never their values)
GET /tasks/add?x=2&y=3 -> sends tasks.add to the Celery workers and waits up to 10 s for the sum
WS  /ws       -> echoes each text message
"""

import asyncio
import json
import os
import socket
from urllib.parse import parse_qs

from frugal_asgi_demo import settings


def dependencies():
    """HEALTH_DEPENDENCIES: comma-separated host:port pairs that must accept a TCP connection."""
    found = {}
    for item in filter(None, (s.strip() for s in os.environ.get("HEALTH_DEPENDENCIES", "").split(","))):
        try:
            host, port = item.rsplit(":", 1)
            socket.create_connection((host, int(port)), timeout=1).close()
            found[item] = "ok"
        except (OSError, ValueError) as exc:
            found[item] = "down: %s" % exc
    return found


def health():
    checks = dependencies()
    if settings.HEALTH_BROKEN:
        checks["release"] = "down: this release is marked broken"
    ok = all(v == "ok" for v in checks.values())
    return (200 if ok else 503), {"status": "ok" if ok else "down", "checks": checks}


def config():
    secret_file = os.environ.get("SECRET_KEY_FILE", "")
    return 200, {
        "greeting": os.environ.get("APP_GREETING", ""),
        "secret_key_file_readable": bool(secret_file) and os.access(secret_file, os.R_OK),
        "secret_key_in_env": "SECRET_KEY" in os.environ,
    }


async def add_task(query):
    """Round trip through the broker; the Celery import waits until it is asked for."""
    from frugal_asgi_demo import tasks

    args = parse_qs(query)
    try:
        x, y = int(args["x"][0]), int(args["y"][0])
    except (KeyError, ValueError):
        return 400, {"error": "x and y must be integers"}
    try:
        return 200, await asyncio.to_thread(lambda: tasks.add.delay(x, y).get(timeout=10))
    except Exception as exc:  # noqa: BLE001 - any broker or task failure is reported, not raised
        return 503, {"error": "%s: %s" % (type(exc).__name__, exc)}


ROUTES = {
    "/health": health,
    "/release": lambda: (200, {"release": os.path.basename(os.path.realpath(os.getcwd()))}),
    "/config": config,
}


async def send_body(send, status, body, content_type):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def websocket_echo(receive, send):
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": "echo: " + message["text"]})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        if scope["path"] == "/ws":
            await websocket_echo(receive, send)
        else:
            await send({"type": "websocket.close", "code": 1008})
        return
    path = scope["path"]
    if path == "/":
        await send_body(send, 200, b"hello\n", b"text/plain")
    elif path == "/tasks/add":
        status, payload = await add_task(scope.get("query_string", b"").decode())
        await send_body(send, status, json.dumps(payload).encode() + b"\n", b"application/json")
    elif path in ROUTES:
        status, payload = ROUTES[path]()
        await send_body(send, status, json.dumps(payload).encode() + b"\n", b"application/json")
    else:
        await send_body(send, 404, b"not found\n", b"text/plain")
