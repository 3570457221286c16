"""Everything from the environment app_server writes: DATABASE_HOST,
DATABASE_NAME, DATABASE_USER, optionally DATABASE_REPLICA_HOST (a streaming
replica, the "replica" database), REDIS_HOST or REDIS_SENTINELS
(host:port,... asked for the master REDIS_SENTINEL_MASTER, default frugal),
and the secrets' files (SECRET_KEY_FILE, DATABASE_PASSWORD_FILE,
REDIS_PASSWORD_FILE, and REDIS_SENTINEL_PASSWORD_FILE when the sentinels
have a password)."""

import os
from urllib.parse import quote


def secret(name):
    with open(os.environ[name + "_FILE"]) as handle:
        return handle.read().rstrip("\n")


SECRET_KEY = secret("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = ["shop.example.com", "localhost", "127.0.0.1"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
INSTALLED_APPS = ["django.contrib.contenttypes", "orders"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
_database = {
    "ENGINE": "django.db.backends.postgresql",
    "HOST": os.environ["DATABASE_HOST"],
    "NAME": os.environ["DATABASE_NAME"],
    "USER": os.environ["DATABASE_USER"],
    "PASSWORD": secret("DATABASE_PASSWORD"),
    "CONN_MAX_AGE": 60,
}
DATABASES = {"default": _database}
if os.environ.get("DATABASE_REPLICA_HOST"):
    DATABASES["replica"] = dict(_database, HOST=os.environ["DATABASE_REPLICA_HOST"])

# the web process sends tasks here; the workers get the same broker from the celery role
_password = quote(secret("REDIS_PASSWORD"), safe="")
if os.environ.get("REDIS_SENTINELS"):
    _sentinels = os.environ["REDIS_SENTINELS"].split(",")

    def _redis(db):
        return ";".join("sentinel://:%s@%s/%d" % (_password, address, db) for address in _sentinels)

    _options = {"master_name": os.environ.get("REDIS_SENTINEL_MASTER", "frugal")}
    if os.environ.get("REDIS_SENTINEL_PASSWORD_FILE"):
        _options["sentinel_kwargs"] = {"password": secret("REDIS_SENTINEL_PASSWORD")}
    CELERY_BROKER_TRANSPORT_OPTIONS = _options
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = _options
else:

    def _redis(db):
        return "redis://:%s@%s:6379/%d" % (_password, os.environ["REDIS_HOST"], db)


CELERY_BROKER_URL = _redis(0)
CELERY_RESULT_BACKEND = _redis(1)
CELERY_TASK_ALWAYS_EAGER = False
