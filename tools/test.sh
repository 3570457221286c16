#!/usr/bin/env bash
# Everything `make test` promises, in order: prepare the machine (Docker
# engine, apt cache, base images), the Python environment, lint, sanity,
# unit tests, then every Molecule scenario and the demo. Stops at the first
# failure and always prints how long each stage took.
#   tools/test.sh                 all stages
#   tools/test.sh molecule:base   only the named stages (after prepare and venv)
# After prepare and venv, the stages run in FRUGAL_TEST_LANES lanes at once
# (default 2; 1 runs them one by one): the checks first (a broken lint fails
# the run early), then the container stages (molecule:*, demo) longest first.
# Part of a stage waits on systemd, apt, sockets and retries, which the other
# lane fills (10-20 % less time on 2 cores). Each stage's output goes to its
# own log and is printed whole when the stage ends. Scenarios whose Docker
# network has the same name (the two firewall scenarios share hosts and
# addresses) never overlap.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
export FRUGAL_SWAP_DIR=${FRUGAL_SWAP_DIR:-/var/tmp/frugal-stack-swap}
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=false PY_COLORS=0
lanes=${FRUGAL_TEST_LANES:-2}
logdir="$root/.cache/test-logs"
rundir="$logdir/run"
rm -rf "$rundir"
mkdir -p "$rundir/locks"
# one line per finished stage: name, seconds, result (appended by any lane)
results_file="$rundir/stages.tsv"
: > "$results_file"
started=$(date +%s)

summary() {
  local name secs result failed=0 passed=0
  printf '\n==== stage timings ====\n'
  while IFS=$'\t' read -r name secs result; do
    printf '%-28s %6ss  %s\n' "$name" "$secs" "$result"
    if [ "$result" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done < "$results_file"
  printf '%-28s %6ss\n' total "$(( $(date +%s) - started ))"
  # one plain line for CI: how many stages passed and failed
  printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
  [ ! -s "$rundir/why" ] || cat "$rundir/why"
}
trap summary EXIT

run_stage() {
  # run_stage NAME CMD...: run it, record its time and result; returns its exit code
  local name=$1 t0 rc
  shift
  t0=$(date +%s)
  "$@"
  rc=$?
  local result=ok
  [ "$rc" -eq 0 ] || result="FAILED (exit $rc)"
  printf '%s\t%s\t%s\n' "$name" "$(( $(date +%s) - t0 ))" "$result" >> "$results_file"
  return "$rc"
}

stage() {
  # a stage in the foreground: its output as it comes, the run ends at its failure
  local name=$1 rc
  printf '\n==== %s ====\n' "$name"
  run_stage "$@"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    printf 'stage %s failed with exit code %s\n' "$name" "$rc" >&2
    exit "$rc"
  fi
}

swap_sweep() {
  # Test swap files are active in the host kernel: turn them off before the
  # containers that made them go, so nothing is left behind.
  python3 tools/harness.py swap-sweep --dir "$FRUGAL_SWAP_DIR"
}

# Scenarios converged without the --check --diff pass. tier_ha: its roles,
# with replicas and sentinels, pass it in their own scenarios (postgres,
# redis) and the other tiers, and on its nine hosts it took 260 s alone and
# slowed the other lane as much again.
no_check_pass="tier_ha"

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
    if [[ " $no_check_pass " == *" $s "* ]]; then
      echo "---- $s: no --check --diff pass (see no_check_pass in tools/test.sh) ----"
    else
      echo "---- $s: --check --diff on the converged hosts must change nothing ----" &&
      molecule converge -s "$s" -- --check --diff > "$log" 2>&1 &&
      python3 tools/harness.py recap < "$log"
    fi &&
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

queued_stage() {
  # what a stage after prepare and venv runs
  case "$1" in
    yamllint) yamllint -s . ;;
    ansible-lint) ansible-lint --offline ;;
    ruff) ruff check . ;;
    sanity) bash tools/sanity.sh ;;
    unit) python -m pytest -q -p no:cacheprovider tests/unit tests/collection ;;
    molecule:*) molecule_scenario "${1#molecule:}" ;;
    demo) demo ;;
  esac
}

lock_key() {
  # stages with the same key must not overlap: a scenario's Docker network name
  # (hosts and addresses come with it), the demo's network, else the stage itself
  local net=""
  case "$1" in
    molecule:*) net=$(grep -A1 -m1 'docker_networks:' "molecule/${1#molecule:}/molecule.yml" | sed -n 's/.*- name: *//p') ;;
    demo) net=$(sed -n 's/^demo_network: *//p' inventories/demo/group_vars/all.yml) ;;
  esac
  printf '%s\n' "${net:-${1/:/-}}"
}

take_job() {
  # the first queued stage whose lock key is free (else the first one, which
  # then waits for its key); nothing when the queue is empty
  local job pick="" queue="$rundir/queue"
  exec 7> "$rundir/locks/queue"
  flock 7
  while read -r job; do
    [ -n "$pick" ] || pick=$job
    if flock -n "$rundir/locks/$(lock_key "$job")" true; then pick=$job; break; fi
  done < "$queue"
  [ -n "$pick" ] || return 1
  grep -vxF "$pick" "$queue" > "$queue.new"
  mv "$queue.new" "$queue"
  printf '%s\n' "$pick"
}

lane() {
  # take stages from the queue until it is empty or a stage has failed
  local id=$1 job rc log
  export FRUGAL_SWAP_DIR="$swap_root/lane$id"
  while [ ! -e "$rundir/failed" ] && job=$(take_job); do
    log="$rundir/${job/:/-}.log"
    (
      flock 9
      run_stage "$job" queued_stage "$job"
    ) 9> "$rundir/locks/$(lock_key "$job")" > "$log" 2>&1
    rc=$?
    {
      flock 8
      printf '\n==== %s (lane %s) ====\n' "$job" "$id"
      cat "$log"
      [ "$rc" -eq 0 ] || printf 'stage %s failed with exit code %s\n' "$job" "$rc"
    } 8> "$rundir/locks/output"
    if [ "$rc" -ne 0 ]; then
      printf '%s %s\n' "$rc" "$log" >> "$rundir/failed"
      return "$rc"
    fi
  done
}

stage prepare python3 tools/harness.py prepare
stage venv make -s venv
# shellcheck disable=SC1091
source .venv/bin/activate

if [ "$#" -gt 0 ]; then
  wanted=("$@")
else
  wanted=(yamllint ansible-lint ruff sanity unit)
  # container stages longest first (as measured), so the lanes end together
  for w in molecule:tier_ha molecule:redis molecule:web molecule:tier_single molecule:firewall_nftables molecule:postgres molecule:tier_split molecule:tier_free molecule:sqlite \
           molecule:firewall_ufw molecule:base; do
    [ -f "molecule/${w#molecule:}/molecule.yml" ] && wanted+=("$w")
  done
  for s in $(scenarios); do
    [[ " ${wanted[*]} " == *" molecule:$s "* ]] || wanted+=("molecule:$s")
  done
  wanted+=(demo)
fi

for w in "${wanted[@]}"; do
  case "$w" in
    yamllint|ansible-lint|ruff|sanity|unit|demo) ;;
    molecule:*) [ -f "molecule/${w#molecule:}/molecule.yml" ] || { echo "no scenario molecule/${w#molecule:}" >&2; exit 2; } ;;
    *) echo "unknown stage $w (stages: yamllint ansible-lint ruff sanity unit molecule:<scenario> demo)" >&2; exit 2 ;;
  esac
done

if [ "$lanes" -le 1 ] || [ "${#wanted[@]}" -eq 1 ]; then
  for w in "${wanted[@]}"; do stage "$w" queued_stage "$w"; done
else
  swap_root=$FRUGAL_SWAP_DIR
  printf '%s\n' "${wanted[@]}" > "$rundir/queue"
  printf '\n==== %s in %s lanes (each printed when it ends) ====\n' "${wanted[*]}" "$lanes"
  pids=()
  for ((i = 1; i <= lanes; i++)); do
    lane "$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  if [ -s "$rundir/failed" ]; then
    read -r rc log < "$rundir/failed"
    printf '\n---- the last 30 lines of %s ----\n' "$log"
    tail -n 30 "$log"
    # a failed scenario's log ends with its teardown: the summary ends with
    # the failure itself
    { printf '\n---- the first failure in %s ----\n' "$log"; python3 tools/harness.py why < "$log"; } > "$rundir/why"
    exit "$rc"
  fi
fi
