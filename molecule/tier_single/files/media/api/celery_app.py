"""The Celery app: register_upload on the uploads queue, process_media (an
ffmpeg run) on the processing queue, and tick every 10 s from beat.

The workers get the broker from the celery role; the web process reads the
same settings from the file FRUGAL_CELERY_SETTINGS names."""

import json
import os
import subprocess

from celery import Celery
from sqlalchemy import text

from api.db import engine

app = Celery("api")
app.conf.task_routes = {
    "api.celery_app.register_upload": {"queue": "uploads"},
    "api.celery_app.tick": {"queue": "uploads"},
    "api.celery_app.process_media": {"queue": "processing"},
}
app.conf.beat_schedule = {"tick": {"task": "api.celery_app.tick", "schedule": 10.0}}

if os.environ.get("FRUGAL_CELERY_SETTINGS"):
    with open(os.environ["FRUGAL_CELERY_SETTINGS"]) as settings:
        app.conf.update(json.load(settings))


@app.task(bind=True)
def register_upload(self, item_id):
    with engine().begin() as conn:
        conn.execute(
            text("UPDATE media_items SET status = 'registered', uploaded_by = :worker WHERE id = :id"),
            {"worker": self.request.hostname, "id": item_id},
        )
    process_media.delay(item_id)


@app.task(bind=True)
def process_media(self, item_id):
    # one second of a 440 Hz tone as WAV: needs the ffmpeg the inventory installs
    audio = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
         "-f", "wav", "-"],
        capture_output=True, check=True,
    ).stdout
    with engine().begin() as conn:
        conn.execute(
            text("UPDATE media_items SET status = 'processed', processed_by = :worker, audio_bytes = :size"
                 " WHERE id = :id"),
            {"worker": self.request.hostname, "size": len(audio), "id": item_id},
        )


@app.task
def tick():
    with engine().begin() as conn:
        conn.execute(text("INSERT INTO beat_ticks DEFAULT VALUES"))
