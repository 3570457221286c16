# Written by frugal.stack (roles/celery). The workers, beat and Flower run
# `celery -A frugal_celery`: this loads the app's own Celery object
# (FRUGAL_CELERY_APP, as `celery -A` takes it) and puts the settings the
# role manages (broker, result backend, delivery) over the app's own.
import json
import os

from celery.app.utils import find_app
from redis.backoff import NoBackoff
from redis.retry import Retry

app = find_app(os.environ["FRUGAL_CELERY_APP"])
with open(os.environ["FRUGAL_CELERY_SETTINGS"]) as settings:
    app.conf.update(json.load(settings))
# Celery prefers these variables to any setting; once the app has read its
# own configuration they must not shadow the broker the role chose.
for name in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL", "CELERY_RESULT_BACKEND"):
    os.environ.pop(name, None)

# A sentinel that accepts connections but never answers would otherwise be
# asked again (redis-py retries each command three times) before the next
# one, multiplying its timeout during a failover: ask each sentinel once.
for key in ("broker_transport_options", "result_backend_transport_options"):
    options = dict(app.conf.get(key) or {})
    if "sentinel_kwargs" in options:
        options["sentinel_kwargs"] = dict(options["sentinel_kwargs"], retry=Retry(NoBackoff(), 0))
        app.conf[key] = options
