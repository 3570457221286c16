from alembic import context
from sqlalchemy import create_engine

from api.db import database_url

if context.is_offline_mode():
    raise SystemExit("media's migrations run online only")

with create_engine(database_url()).connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
