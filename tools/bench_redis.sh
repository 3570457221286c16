#!/usr/bin/env bash
# Redis figures (tools/bench_redis.py) on the `redis` Molecule scenario's
# containers: redis-benchmark SET/GET against the master the role set up,
# then seconds from killing the master's container to the first write on the
# new master and to the first completed Celery task.
# The containers are removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 2
# shellcheck disable=SC1091
source .venv/bin/activate
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=false PY_COLORS=0
trap 'molecule destroy -s redis >/dev/null 2>&1 || true' EXIT
molecule destroy -s redis >/dev/null 2>&1 || true
molecule create -s redis >/dev/null
molecule converge -s redis >/dev/null
python tools/bench_redis.py
