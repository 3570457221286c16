"""Everything from the environment app_server writes: DATABASE_HOST,
DATABASE_NAME, DATABASE_USER, REDIS_HOST, and the secrets' files
(SECRET_KEY_FILE, DATABASE_PASSWORD_FILE, REDIS_PASSWORD_FILE)."""

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
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ["DATABASE_HOST"],
        "NAME": os.environ["DATABASE_NAME"],
        "USER": os.environ["DATABASE_USER"],
        "PASSWORD": secret("DATABASE_PASSWORD"),
        "CONN_MAX_AGE": 60,
    }
}
# the web process sends tasks here; the workers get the same broker from the celery role
_redis = "redis://:%s@%s:6379" % (quote(secret("REDIS_PASSWORD"), safe=""), os.environ["REDIS_HOST"])
CELERY_BROKER_URL = _redis + "/0"
CELERY_RESULT_BACKEND = _redis + "/1"
CELERY_TASK_ALWAYS_EAGER = False
