"""GET a URL in a loop until a stop file appears (or a time limit passes, a
safety net); print a JSON summary of statuses, bodies, and which of the two
ended the loop."""
import collections
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

url, cafile, stop, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
if not url.startswith("https://"):
    sys.exit("hammer.py asks https URLs only, got %s" % url)
ctx = ssl.create_default_context(cafile=cafile)
statuses, bodies, errors = collections.Counter(), collections.Counter(), []
started = time.monotonic()
deadline = started + limit
while not os.path.exists(stop) and time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, context=ctx, timeout=10) as resp:  # noqa: S310 - https only, checked above
            statuses[resp.status] += 1
            bodies[resp.read().decode().strip()] += 1
    except urllib.error.HTTPError as exc:
        statuses[exc.code] += 1
    except Exception as exc:  # a refused or reset connection is a failed request too
        statuses["error"] += 1
        errors.append(repr(exc))
    time.sleep(0.05)
print(json.dumps({"statuses": statuses, "bodies": bodies, "errors": errors[:5],
                  "total": sum(statuses.values()), "seconds": round(time.monotonic() - started),
                  "ended_by": "stop file" if os.path.exists(stop) else "time limit"}))
