#!/bin/sh
# Run on a surviving host after the master was stopped: ask the local sentinel
# for the master until it names another host than OLD_MASTER, then write to
# that host until a write succeeds. Prints "<new master> <time of the write>".
set -u
deadline=$(($(date +%s) + 60))
while [ "$(date +%s)" -lt "$deadline" ]; do
  master=$(REDISCLI_AUTH="$SENTINEL_PASSWORD" redis-cli -p 26379 --no-auth-warning \
    SENTINEL get-master-addr-by-name "${MASTER_NAME:-frugal}" | head -n 1)
  if [ -n "$master" ] && [ "$master" != "$OLD_MASTER" ]; then
    reply=$(REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h "$master" --no-auth-warning SET failover-probe "$(date +%s.%N)")
    if [ "$reply" = OK ]; then
      echo "$master $(date +%s.%N)"
      exit 0
    fi
  fi
  sleep 0.05
done
echo "no write succeeded within 60 s" >&2
exit 1
