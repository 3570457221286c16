"""POST /api/media {"name": "..."} records an item and sends it to the
uploads queue (which hands it to the processing queue); GET
/api/media/<id> shows how far it got; /health reads the migrated table."""

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import text

from api.db import engine

app = FastAPI()


class NewItem(BaseModel):
    name: str = Field(min_length=1, max_length=200)


@app.get("/health")
def health():
    with engine().connect() as conn:
        conn.execute(text("SELECT count(*) FROM media_items")).scalar_one()
    return {"status": "ok"}


@app.post("/api/media", status_code=201)
def create(item: NewItem):
    # the broker settings the celery role writes exist once it has run:
    # read them when the first task is sent, not when the app starts
    from api.celery_app import register_upload

    with engine().begin() as conn:
        item_id = conn.execute(
            text("INSERT INTO media_items (name) VALUES (:name) RETURNING id"), {"name": item.name}
        ).scalar_one()
    register_upload.delay(item_id)
    return {"id": item_id}


@app.get("/api/media/{item_id}")
def show(item_id: int):
    with engine().connect() as conn:
        row = conn.execute(
            text("SELECT id, name, status, uploaded_by, processed_by, audio_bytes FROM media_items WHERE id = :id"),
            {"id": item_id},
        ).mappings().first()
    if row is None:
        raise HTTPException(status_code=404)
    return dict(row)
