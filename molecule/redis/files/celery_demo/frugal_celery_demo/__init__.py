"""Celery app for the redis scenario. The broker and result backend come
from frugal.stack.celery; the app holds only its tasks and schedule."""
import os
import socket
import time

from celery import Celery

app = Celery("frugal_celery_demo")
app.conf.beat_schedule = {"heartbeat": {"task": "frugal_celery_demo.heartbeat", "schedule": 2.0}}
app.conf.task_routes = {"frugal_celery_demo.heartbeat": {"queue": "periodic"}}


@app.task
def add(x, y):
    return x + y


@app.task
def heartbeat():
    """Beat sends this every 2 s; the file in the app's home shows it runs."""
    path = os.path.join(os.environ["HOME"], "heartbeat")
    with open(path + ".tmp", "w") as out:
        out.write("%s %f\n" % (socket.gethostname(), time.time()))
    os.replace(path + ".tmp", path)
