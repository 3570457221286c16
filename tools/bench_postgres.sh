#!/usr/bin/env bash
# PostgreSQL figures (tools/bench_postgres.py) on the `postgres` Molecule
# scenario's containers: pgbench with the role's settings against Debian's
# defaults on 4 GB hosts, replay lag under that load, seconds to promote the
# replica.
# The containers are removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 2
# shellcheck disable=SC1091
source .venv/bin/activate
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=false PY_COLORS=0
trap 'molecule destroy -s postgres >/dev/null 2>&1 || true' EXIT
molecule destroy -s postgres >/dev/null 2>&1 || true
molecule create -s postgres >/dev/null
molecule prepare -s postgres >/dev/null
molecule converge -s postgres -- -e postgresql_memory_mb=4096 >/dev/null
BENCH_INVENTORY=$(find "$HOME/.ansible/tmp" -maxdepth 2 -path '*/molecule.*.postgres/inventory' -printf '%T@ %p\n' \
  | sort -n | tail -n 1 | cut -d' ' -f2-)
export BENCH_INVENTORY ANSIBLE_COLLECTIONS_PATH="$PWD/collections"
python tools/bench_postgres.py
