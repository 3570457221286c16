#!/usr/bin/env bash
# Benchmark for the Cloudflare allowlist (nftables backend), on the
# firewall_nftables scenario's containers:
#  - the on-host refresh with no change (fetch, 304/compare, nothing applied);
#  - a refresh that swaps ranges: its time, and requests dropped by a loop
#    from edge while the sets are swapped again and again.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 2
export NO_COLOR=1 ANSIBLE_FORCE_COLOR=false
# shellcheck disable=SC1091
source .venv/bin/activate
runs=${BENCH_RUNS:-10}
swaps=${BENCH_SWAPS:-20}
s=firewall_nftables

cleanup() { molecule destroy -s "$s" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
molecule create -s "$s" >/dev/null 2>&1
molecule prepare -s "$s" >/dev/null 2>&1
molecule converge -s "$s" >/dev/null 2>&1

serve() {  # serve a list whose IPv4 part is edge plus $1
  docker exec cfapi sh -c "printf '%s' '{\"success\": true, \"result\": {\"ipv4_cidrs\": [\"172.31.250.11/32\", \"$1\"], \"ipv6_cidrs\": [\"fd00:fb::/64\"], \"etag\": \"$1\"}}' > /srv/cf/client/v4/ips"
}
timed_refresh() {  # milliseconds of one refresh run; fails the benchmark if the run fails
  docker exec fw sh -c 's=$(date +%s%N); systemctl start frugal-cloudflare-refresh.service || exit 1; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))'
}

serve 192.0.2.0/24
timed_refresh >/dev/null
since=$(docker exec fw date '+%Y-%m-%d %H:%M:%S')
nochange=()
for _ in $(seq "$runs"); do nochange+=("$(timed_refresh)"); done

docker exec -d edge sh -c 'ok=0; bad=0; end=$(( $(date +%s) + 25 )); while [ "$(date +%s)" -lt "$end" ]; do
  c=$(curl -s -o /dev/null -w "%{http_code}" --max-time 2 http://172.31.250.10/) || true
  if [ "$c" = 200 ]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi; done; echo "$ok $bad" > /tmp/loop.result'
sleep 1
change=()
for i in $(seq "$swaps"); do
  if [ $((i % 2)) -eq 1 ]; then serve 198.51.100.0/24; else serve 192.0.2.0/24; fi
  change+=("$(timed_refresh)")
done
transactions=$(docker exec fw journalctl -u frugal-cloudflare-refresh.service --since "$since" -o cat --no-pager \
  | grep -c "^Nftables: .*added \\['" || true)
while ! docker exec edge test -s /tmp/loop.result; do sleep 1; done
read -r ok bad < <(docker exec edge cat /tmp/loop.result)

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '\n==== Cloudflare allowlist benchmark, nftables (%s) ====\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
printf 'refresh with no change, %s runs: median %s ms, max %s ms (ms: %s)\n' "$runs" \
  "$(median "${nochange[@]}")" "$(printf '%s\n' "${nochange[@]}" | sort -n | tail -1)" "${nochange[*]}"
printf 'refresh swapping ranges, %s runs: median %s ms, max %s ms\n' "$swaps" \
  "$(median "${change[@]}")" "$(printf '%s\n' "${change[@]}" | sort -n | tail -1)"
printf 'refresh runs that applied a change (one nft -f transaction each): %s\n' "$transactions"
printf 'requests from edge during the swaps: %s ok, %s failed\n' "$ok" "$bad"
