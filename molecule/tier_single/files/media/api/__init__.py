"""media: the shape of app the single tier serves (seed 002's media API).

FastAPI on gunicorn with uvicorn workers, PostgreSQL through SQLAlchemy with
Alembic migrations, Celery on Redis with an uploads and a processing queue,
ffmpeg on the workers.
"""
