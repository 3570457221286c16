# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PostgreSQL figures on the converged `postgres` Molecule scenario (pg1 primary, pg2 replica),
converged as 4 GB hosts (seed 002's allocation: postgresql_memory_mb=4096).

1. pgbench's TPC-B-like run on pg1, alternating the role's computed settings
   and Debian's defaults for the same settings (their boot values; the
   settings a standby needs as high as its primary stay as they are), same
   containers, same run; median TPS of each.
   Fails when the role's median is lower than the defaults' by more than
   runs of the same settings differ from each other.
2. Replication replay lag on pg2 while the role's settings are under that
   load: pg_stat_replication.replay_lag sampled every 0.25 s.
3. Promotion: stop pg1, run playbooks/postgres_promote.yml for pg2; the
   playbook's own figure (start to the first write) and its wall time.
"""

import os
import re
import statistics
import subprocess
import sys
import threading
import time

CONF = "/etc/postgresql/15/main/conf.d/60-bench-defaults.conf"
UNIT = "postgresql@15-main.service"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SCALE = int(os.environ.get("BENCH_SCALE", "50"))
# The settings frugal.stack.pgtune computes that a standby does not need as high as its primary.
TUNED = ["shared_buffers", "effective_cache_size", "maintenance_work_mem", "checkpoint_completion_target",
         "wal_buffers", "default_statistics_target", "random_page_cost", "effective_io_concurrency", "work_mem",
         "min_wal_size", "max_wal_size", "max_parallel_workers_per_gather", "max_parallel_workers",
         "max_parallel_maintenance_workers"]


def sh(host, command, check=True):
    res = subprocess.run(["docker", "exec", host, "sh", "-c", command], capture_output=True, text=True, check=False)
    if check and res.returncode != 0:
        sys.exit("%s: %s failed: %s" % (host, command, res.stderr.strip()))
    return res.stdout.strip()


def psql(host, sql, db="postgres"):
    return sh(host, "runuser -u postgres -- psql -AtX -d %s -c \"%s\"" % (db, sql.replace('"', '\\"')))


def restart(host):
    sh(host, "systemctl restart %s && /usr/lib/postgresql/15/bin/pg_isready -q -t 60" % UNIT)


def use_defaults(on):
    if on:
        names = ", ".join("'%s'" % n for n in TUNED)  # the constant names above
        rows = psql("pg1", "SELECT name || ' = ''' || boot_val || '''' FROM pg_settings WHERE name IN (%s)"  # noqa: S608
                    % names)
        sh("pg1", "cat > %s <<'EOF'\n%s\nEOF\nchown postgres: %s" % (CONF, rows, CONF))
    else:
        sh("pg1", "rm -f %s" % CONF)
    restart("pg1")
    return psql("pg1", "SELECT current_setting('shared_buffers') || ' ' || current_setting('work_mem') || ' '"
                       " || current_setting('max_wal_size')")


def pgbench(seconds):
    sh("pg1", "runuser -u postgres -- psql -AtX -c 'CHECKPOINT'")
    out = sh("pg1", "runuser -u postgres -- /usr/lib/postgresql/15/bin/pgbench -n -c %d -j 2 -T %d bench"
             % (CLIENTS, seconds))
    return float(re.search(r"tps = ([0-9.]+)", out).group(1))


def sample_lag(stop, lags):
    while not stop.is_set():
        value = psql("pg1", "SELECT coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication")
        if value:
            lags.append(float(value))
        time.sleep(0.25)


def main(project):
    print("pgbench scale %d, %d clients, %d s per run, %d rounds (role's settings, then Debian's defaults)"
          % (SCALE, CLIENTS, SECONDS, ROUNDS))
    psql("pg1", "DROP DATABASE IF EXISTS bench")
    psql("pg1", "CREATE DATABASE bench")
    sh("pg1", "runuser -u postgres -- /usr/lib/postgresql/15/bin/pgbench -i -q -s %d bench" % SCALE)
    use_defaults(False)
    pgbench(15)  # warm-up, not counted: the first run after -i reads the tables in
    tps = {"role": [], "defaults": []}
    lags = {"role": [], "defaults": []}
    for _round in range(ROUNDS):
        for name in ("role", "defaults"):
            settings = use_defaults(name == "defaults")
            # sampled in both runs, so both carry the sampler's load
            stop = threading.Event()
            run = []
            sampler = threading.Thread(target=sample_lag, args=(stop, run))
            sampler.start()
            tps[name].append(pgbench(SECONDS))
            stop.set()
            sampler.join()
            lags[name] += run
            print("  %-8s (shared_buffers work_mem max_wal_size = %s): %.0f tps, replay lag max %.3f s"
                  % (name, settings, tps[name][-1], max(run or [0])), flush=True)
    use_defaults(False)
    role, defaults = statistics.median(tps["role"]), statistics.median(tps["defaults"])
    # How far runs of the same settings differ: half their range over their median, the larger of the two.
    spread = max((max(v) - min(v)) / 2 / statistics.median(v) for v in tps.values())
    lower = role / defaults < 1 - spread
    print("TPS median: role's settings %.0f, Debian's defaults %.0f, ratio %.3f; runs of the same settings differ"
          " by up to +-%.1f%%; lower beyond that: %s" % (role, defaults, role / defaults, 100 * spread,
                                                         "yes" if lower else "no"))
    print("replay lag under the role's settings: %d samples, median %.3f s, max %.3f s (target < 1 s)"
          % (len(lags["role"]), statistics.median(lags["role"]), max(lags["role"])))

    sh("pg1", "systemctl stop %s" % UNIT)
    started = time.time()
    res = subprocess.run([os.path.join(project, ".venv", "bin", "ansible-playbook"),
                          "-i", os.environ["BENCH_INVENTORY"],
                          os.path.join(project, "playbooks", "postgres_promote.yml"), "-e", "postgres_promote=pg2"],
                         capture_output=True, text=True, check=False)
    wall = time.time() - started
    said = re.search(r"took a write ([0-9.]+) s", re.sub(r"\s+", " ", res.stdout))
    if res.returncode != 0 or not said:
        sys.exit("promotion failed:\n" + res.stdout[-3000:] + res.stderr[-2000:])
    print("promotion: writable %.1f s after the playbook started (its own figure), playbook wall time %.1f s"
          " (target < 30 s)" % (float(said.group(1)), wall))
    ok = not lower and max(lags["role"]) < 1 and float(said.group(1)) < 30
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
