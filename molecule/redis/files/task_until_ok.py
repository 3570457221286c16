"""Run on the worker host after the Redis master was stopped, with the
workers' environment (PYTHONPATH, FRUGAL_CELERY_*). Sends the add task until
one completes; prints the time it completed. Argument: seconds to try."""
import sys
import time

from frugal_celery import app

deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    try:
        if app.send_task("frugal_celery_demo.add", (20, 22)).get(timeout=3) == 42:
            print("%f" % time.time())
            sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - any broker error during the failover means: try again
        print("%f %s: %s" % (time.time(), type(exc).__name__, exc), file=sys.stderr)
        time.sleep(0.2)
print("no task completed", file=sys.stderr)
sys.exit(1)
