#!/usr/bin/env bash
# Everything `make test` promises, in order: prepare the machine (Docker
# engine, apt cache, base images), the Python environment, lint, sanity,
# unit tests, then every Molecule scenario. Stops at the first failure and
# always prints how long each stage took.
#   tools/test.sh                 all stages
#   tools/test.sh molecule:base   only the named stages (after prepare and venv)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
export FRUGAL_SWAP_DIR=${FRUGAL_SWAP_DIR:-/var/tmp/frugal-stack-swap}
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=false PY_COLORS=0
logdir="$root/.cache/test-logs"
mkdir -p "$logdir"

names=()
seconds=()
results=()
started=$(date +%s)

summary() {
  local i total
  total=$(( $(date +%s) - started ))
  printf '\n==== stage timings ====\n'
  for i in "${!names[@]}"; do
    printf '%-28s %6ss  %s\n' "${names[$i]}" "${seconds[$i]}" "${results[$i]}"
  done
  printf '%-28s %6ss\n' total "$total"
  # one plain line for CI: how many stages passed and failed
  local failed=0
  for i in "${!results[@]}"; do [ "${results[$i]}" = ok ] || failed=$((failed + 1)); done
  printf 'stages: %d passed, %d failed\n' $(( ${#results[@]} - failed )) "$failed"
}
trap summary EXIT

stage() {
  local name=$1 t0 rc
  shift
  printf '\n==== %s ====\n' "$name"
  t0=$(date +%s)
  "$@"
  rc=$?
  names+=("$name")
  seconds+=($(( $(date +%s) - t0 )))
  if [ "$rc" -ne 0 ]; then
    results+=("FAILED (exit $rc)")
    printf 'stage %s failed with exit code %s\n' "$name" "$rc" >&2
    exit "$rc"
  fi
  results+=(ok)
}

swap_sweep() {
  # Test swap files are active in the host kernel: turn them off before the
  # containers that made them go, so nothing is left behind.
  python3 tools/harness.py swap-sweep --dir "$FRUGAL_SWAP_DIR"
}

molecule_scenario() {
  local s=$1 rc=0
  local log="$logdir/molecule-$s-check.log"
  molecule destroy -s "$s" >/dev/null 2>&1
  swap_sweep
  {
    molecule syntax -s "$s" &&
    molecule create -s "$s" &&
    molecule prepare -s "$s" &&
    molecule converge -s "$s" &&
    molecule idempotence -s "$s" &&
    echo "---- $s: --check --diff on the converged hosts must change nothing ----" &&
    molecule converge -s "$s" -- --check --diff > "$log" 2>&1 &&
    python3 tools/harness.py recap < "$log" &&
    molecule verify -s "$s"
  } || rc=$?
  if [ "$rc" -ne 0 ] && [ -s "$log" ]; then tail -n 60 "$log"; fi
  molecule destroy -s "$s" || rc=$?
  swap_sweep || rc=$?
  return "$rc"
}

demo() {
  # `make demo` as the README promises it, with -v: its whole output must not
  # hold a secret of the inventory. Then the site job as AWX runs it
  # (ansible-runner) must change nothing; then the containers are removed.
  local rc=0 log="$logdir/demo-converge.log"
  make -s demo DEMO_ARGS=-v 2>&1 | tee "$log" || rc=$?
  if [ "$rc" -eq 0 ]; then
    python tools/secret_grep.py -i inventories/demo --min-secrets 3 "$log" || rc=$?
  fi
  if [ "$rc" -eq 0 ]; then
    python tools/runner_job.py site.yml -i inventories/demo --no-change || rc=$?
  fi
  make -s demo-down || rc=$?
  return "$rc"
}

scenarios() {
  local f
  for f in molecule/*/molecule.yml; do basename "$(dirname "$f")"; done
}

stage prepare python3 tools/harness.py prepare
stage venv make -s venv
# shellcheck disable=SC1091
source .venv/bin/activate

if [ "$#" -gt 0 ]; then
  wanted=("$@")
else
  wanted=(yamllint ansible-lint ruff sanity unit)
  for s in $(scenarios); do wanted+=("molecule:$s"); done
  wanted+=(demo)
fi

for w in "${wanted[@]}"; do
  case "$w" in
    yamllint) stage yamllint yamllint -s . ;;
    ansible-lint) stage ansible-lint ansible-lint --offline ;;
    ruff) stage ruff ruff check . ;;
    sanity) stage sanity bash tools/sanity.sh ;;
    unit) stage unit python -m pytest -q -p no:cacheprovider tests/unit tests/collection ;;
    molecule:*) stage "$w" molecule_scenario "${w#molecule:}" ;;
    demo) stage demo demo ;;
    *) echo "unknown stage $w (stages: yamllint ansible-lint ruff sanity unit molecule:<scenario> demo)" >&2; exit 2 ;;
  esac
done
