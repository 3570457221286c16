"""Poll Prometheus until each named alert fires (and, with a sink file, until Alertmanager delivered it).

Usage: alerts_until.py PROMETHEUS_URL SINK_FILE TIMEOUT ALERT[:LABEL=VALUE] ...
Prints one line per alert: name, the epoch second Prometheus was first seen firing it, and the second the
webhook sink first held it (or "-" without a sink). Exits 1 when an alert did not fire in time.
"""

import json
import sys
import time
import urllib.request

url, sink, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
if not url.startswith(("http://", "https://")):
    sys.exit("PROMETHEUS_URL must be http(s)")
wanted = {}
for arg in sys.argv[4:]:
    name, match = (arg.split(":", 1) + [""])[:2]
    label, value = (match.split("=", 1) + [""])[:2]
    wanted[arg] = (name, label, value)
fired = {}
delivered = {}


def matches(alert, name, label, value):
    labels = alert.get("labels", {})
    return labels.get("alertname") == name and (not label or labels.get(label) == value)


deadline = time.time() + timeout
while time.time() < deadline and (len(fired) < len(wanted) or (sink != "-" and len(delivered) < len(wanted))):
    now = time.time()
    with urllib.request.urlopen(url + "/api/v1/alerts", timeout=5) as answer:  # noqa: S310 - checked above
        alerts = json.load(answer)["data"]["alerts"]
    for key, (name, label, value) in wanted.items():
        if key not in fired and any(a["state"] == "firing" and matches(a, name, label, value) for a in alerts):
            fired[key] = now
    if sink != "-":
        try:
            with open(sink, encoding="utf-8") as lines:
                posts = [json.loads(line) for line in lines]
        except FileNotFoundError:
            posts = []
        for key, (name, label, value) in wanted.items():
            if key not in delivered and any(
                a["status"] == "firing" and matches(a, name, label, value) for p in posts for a in p["alerts"]
            ):
                delivered[key] = now
    time.sleep(0.5)

for key in wanted:
    print(key, "%.1f" % fired[key] if key in fired else "-", "%.1f" % delivered[key] if key in delivered else "-")
sys.exit(0 if len(fired) == len(wanted) and (sink == "-" or len(delivered) == len(wanted)) else 1)
