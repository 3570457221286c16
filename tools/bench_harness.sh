#!/usr/bin/env bash
# Benchmark: the base role's first converge and its no-op rerun on converged
# hosts (Debian 12 and 13 containers from the base scenario). The reruns are
# timed as a user runs them: plain ansible-playbook with this checkout's
# ansible.cfg, against an inventory holding the scenario's variables.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 2
export FRUGAL_SWAP_DIR=${FRUGAL_SWAP_DIR:-/var/tmp/frugal-stack-swap}
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=false
# shellcheck disable=SC1091
source .venv/bin/activate
runs=${BENCH_RUNS:-3}
work=.cache/bench
mkdir -p "$work"

cleanup() {
  molecule destroy -s base >/dev/null 2>&1 || true
  python3 tools/harness.py swap-sweep --dir "$FRUGAL_SWAP_DIR"
}
trap cleanup EXIT
cleanup

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

molecule create -s base >/dev/null 2>&1
python3 - "$work/inventory.yml" <<'PY'
import sys, yaml
scenario = yaml.safe_load(open("molecule/base/molecule.yml"))
group_vars = scenario["provisioner"]["inventory"]["group_vars"]["all"]
group_vars["ansible_connection"] = "community.docker.docker"
hosts = {"base-debian12": None, "base-debian13": None}
yaml.safe_dump({"all": {"hosts": hosts, "vars": group_vars}}, open(sys.argv[1], "w"))
PY

t0=$(now)
ansible-playbook -i "$work/inventory.yml" molecule/base/converge.yml > "$work/first.log" 2>&1
first=$(elapsed "$t0" "$(now)")

results=()
for limit in base-debian12 base-debian13 all; do
  times=()
  for _ in $(seq "$runs"); do
    t0=$(now)
    ansible-playbook -i "$work/inventory.yml" --limit "$limit" molecule/base/converge.yml > "$work/rerun.log" 2>&1
    t=$(elapsed "$t0" "$(now)")
    python3 tools/harness.py recap < "$work/rerun.log" > /dev/null
    times+=("$t")
  done
  results+=("$(printf '%-16s %s' "$limit" "$(printf '%ss ' "${times[@]}")")")
done

printf '\n==== base role benchmark (%s) ====\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
printf 'first converge, both hosts in parallel (warm apt cache): %ss\n' "$first"
printf 'no-op rerun (changed=0 checked each run), %s runs, wall-clock of ansible-playbook:\n' "$runs"
printf '  %s\n' "${results[@]}"
