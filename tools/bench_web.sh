#!/usr/bin/env bash
# Benchmark for the web tier: wrk on this machine against ports published on
# 127.0.0.1 by one container, the app server directly and through nginx, in
# the same run:
#  - the ASGI example's hello on gunicorn + uvicorn workers;
#  - the Flask example's hello on gunicorn sync workers.
# Prints requests/s and p99 latency for each, and nginx / direct.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 2
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=false
# shellcheck disable=SC1091
source .venv/bin/activate
duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
inventory=tools/bench_web/hosts.yml

command -v wrk >/dev/null || { echo "bench: wrk is missing; make bench-web installs it (tools/harness.py prepare)" >&2; exit 2; }
cleanup() { ansible-playbook tools/demo_hosts.yml -i "$inventory" -e demo_state=absent >/dev/null 2>&1 || true; }
[ -n "${BENCH_KEEP:-}" ] || trap cleanup EXIT
cleanup
ansible-playbook tools/demo_hosts.yml -i "$inventory" >/dev/null
ansible-playbook tools/bench_web/deploy.yml -i "$inventory" >/dev/null

run() {  # name url [host header] -> "name rps p99_ms requests non2xx socket_errors"
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency ${3:+-H "Host: $3"} "$2")
  awk -v name="$1" '
    / requests in / { total = $1 }
    /Non-2xx/ { bad = $5 }
    /Socket errors/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    /Requests\/sec:/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
               else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; p99 = v }
    END { printf "%s %.0f %.2f %d %d %d\n", name, rps, p99, total, bad, errors }' <<<"$out"
}

warm() { wrk -t1 -c8 -d3s ${2:+-H "Host: $2"} "$1" >/dev/null; }
warm http://127.0.0.1:18000/
warm http://127.0.0.1:18080/ asgi.bench
warm http://127.0.0.1:18001/
warm http://127.0.0.1:18080/ wsgi.bench

results=$(
  run asgi-direct http://127.0.0.1:18000/
  run asgi-nginx http://127.0.0.1:18080/ asgi.bench
  run wsgi-direct http://127.0.0.1:18001/
  run wsgi-nginx http://127.0.0.1:18080/ wsgi.bench
)
echo
echo "wrk -t$threads -c$connections -d$duration, 2 app workers each, one container"
printf '%-38s %12s %10s %10s %8s %8s\n' "endpoint" "requests/s" "p99 ms" "requests" "non-2xx" "sockerr"
while read -r name rps p99 total bad errors; do
  case $name in
    asgi-direct) label="ASGI, gunicorn+uvicorn worker, direct" ;;
    asgi-nginx) label="ASGI, gunicorn+uvicorn worker, nginx" ;;
    wsgi-direct) label="Flask, gunicorn sync, direct" ;;
    wsgi-nginx) label="Flask, gunicorn sync, nginx" ;;
  esac
  printf '%-38s %12s %10s %10s %8s %8s\n' "$label" "$rps" "$p99" "$total" "$bad" "$errors"
done <<<"$results"
ratio() { awk -v a="$(awk -v n="$1" '$1 == n {print $2}' <<<"$results")" -v b="$(awk -v n="$2" '$1 == n {print $2}' <<<"$results")" 'BEGIN { printf "%.2f", a / b }'; }
asgi_ratio=$(ratio asgi-nginx asgi-direct)
echo "through nginx / direct: ASGI $asgi_ratio, Flask $(ratio wsgi-nginx wsgi-direct) (target for ASGI: >= 0.80)"
awk -v r="$asgi_ratio" 'BEGIN { exit !(r >= 0.8) }' || { echo "bench: ASGI through nginx is below 0.8x direct" >&2; exit 1; }
