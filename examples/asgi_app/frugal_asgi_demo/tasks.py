"""Celery tasks of the demo, run by frugal.stack.celery's workers and beat.

The workers get the broker from the role. A web process that sends tasks
reads the same settings from the file FRUGAL_CELERY_SETTINGS names (put it
in app_server_env); without it this app's Celery has no broker.
"""
import json
import os
import socket
import time

from celery import Celery

app = Celery("frugal_asgi_demo")
app.conf.beat_schedule = {"heartbeat": {"task": "frugal_asgi_demo.tasks.heartbeat", "schedule": 60.0}}

if os.environ.get("FRUGAL_CELERY_SETTINGS"):
    with open(os.environ["FRUGAL_CELERY_SETTINGS"]) as settings:
        app.conf.update(json.load(settings))


@app.task
def add(x, y):
    return {"sum": x + y, "worker": socket.gethostname()}


@app.task
def heartbeat():
    """Beat sends this every minute; the file in the app's home shows when it last ran."""
    path = os.path.join(os.environ["HOME"], "heartbeat")
    with open(path + ".tmp", "w") as out:
        out.write("%f\n" % time.time())
    os.replace(path + ".tmp", path)
