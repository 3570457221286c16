"""The database the inventory names: DATABASE_HOST, DATABASE_NAME,
DATABASE_USER, and the password in the file DATABASE_PASSWORD_FILE names
(app_server_secrets)."""

import functools
import os

from sqlalchemy import URL, create_engine


def database_url():
    with open(os.environ["DATABASE_PASSWORD_FILE"]) as secret:
        password = secret.read().rstrip("\n")
    return URL.create(
        "postgresql+psycopg",
        username=os.environ["DATABASE_USER"],
        password=password,
        host=os.environ["DATABASE_HOST"],
        database=os.environ["DATABASE_NAME"],
    )


@functools.cache
def engine():
    return create_engine(database_url(), pool_pre_ping=True)
