# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redis figures on the converged `redis` Molecule scenario: r1-r3 each a Redis
server and a sentinel (down-after-milliseconds 5000), w1 the Celery workers of
molecule/redis/files/celery_demo with broker and results through the sentinels.

1. redis-benchmark SET and GET against the master: on the master over
   loopback, and from a replica's host over the private network; 50 clients,
   BENCH_REQUESTS requests, without pipelining and with 16 commands a trip.
2. Failover, BENCH_ROUNDS times: `docker kill` the master's container (the
   whole host goes: Redis and its sentinel). From the moment before the kill:
   - seconds to the first successful write on the master the sentinels name,
     written from a surviving host (molecule/redis/files/write_until_ok.sh);
   - seconds to the first completed Celery task, sent from w1 after the kill
     (molecule/redis/files/task_until_ok.py).
   The killed container is started again; the next round waits until it is a
   replica of the new master and every sentinel reaches the quorum again.
Targets: write within 10 s, task within 20 s. Exits non-zero when a round
misses one.
"""

import os
import statistics
import subprocess
import sys
import time

import yaml

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200000"))
SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "molecule", "redis")
HOSTS = {"172.31.249.11": "r1", "172.31.249.12": "r2", "172.31.249.13": "r3"}
WRITE_TARGET, TASK_TARGET = 10.0, 20.0
CELERY_ENV = {
    "PYTHONPATH": "/etc/frugal-stack/apps/celerydemo/celery/lib",
    "FRUGAL_CELERY_APP": "frugal_celery_demo",
    "FRUGAL_CELERY_SETTINGS": "/etc/frugal-stack/apps/celerydemo/celery/settings.json",
}

with open(os.path.join(SCENARIO, "molecule.yml")) as f:
    VARS = yaml.safe_load(f)["provisioner"]["inventory"]["group_vars"]["all"]
REDIS_PASSWORD = VARS["redis_password"]
SENTINEL_PASSWORD = VARS["redis_sentinel_password"]


def docker_exec(host, argv, env=None, check=True, timeout=300):
    cmd = ["docker", "exec"]
    for k, v in (env or {}).items():
        cmd += ["-e", "%s=%s" % (k, v)]
    res = subprocess.run(cmd + [host] + argv, capture_output=True, text=True, check=False, timeout=timeout)
    if check and res.returncode != 0:
        sys.exit("%s: %s failed (%d): %s" % (host, " ".join(argv), res.returncode, res.stderr.strip()))
    return res


def sentinel(host, *args, check=True):
    return docker_exec(host, ["redis-cli", "-p", "26379", "--no-auth-warning"] + list(args),
                       env={"REDISCLI_AUTH": SENTINEL_PASSWORD}, check=check).stdout


def master_of(host):
    return sentinel(host, "SENTINEL", "get-master-addr-by-name", "frugal").split()[0]


def redis_benchmark(host, target):
    figures = {}
    for pipeline in (1, 16):
        out = docker_exec(host, ["redis-benchmark", "-h", target, "-a", REDIS_PASSWORD, "-c", "50",
                                 "-n", str(REQUESTS), "-P", str(pipeline), "-t", "set,get", "--csv"]).stdout
        for line in out.splitlines():
            cells = [c.strip('"') for c in line.split(",")]
            if cells[0] in ("SET", "GET"):
                figures[(cells[0], pipeline)] = float(cells[1])
    return figures


def wait_until(what, test, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if test():
            return
        time.sleep(1)
    sys.exit("not within %d s: %s" % (seconds, what))


def healthy(old):
    """The restarted host is a replica with its link up, and every sentinel has the quorum."""
    info = docker_exec(old, ["redis-cli", "--no-auth-warning", "INFO", "replication"],
                       env={"REDISCLI_AUTH": REDIS_PASSWORD}, check=False).stdout
    if "role:slave" not in info or "master_link_status:up" not in info:
        return False
    return all(sentinel(h, "SENTINEL", "CKQUORUM", "frugal", check=False).startswith("OK 3 usable")
               for h in HOSTS.values())


def failover_round(number):
    old_ip = master_of("r2")
    old = HOSTS[old_ip]
    survivor = next(h for h in HOSTS.values() if h != old)
    killed_at = time.time()
    subprocess.run(["docker", "kill", old], check=True, capture_output=True)
    writer = subprocess.Popen(
        ["docker", "exec", "-e", "REDIS_PASSWORD=" + REDIS_PASSWORD, "-e", "SENTINEL_PASSWORD=" + SENTINEL_PASSWORD,
         "-e", "OLD_MASTER=" + old_ip, survivor, "sh", "/root/write_until_ok.sh"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sender = subprocess.Popen(
        ["docker", "exec", "-w", "/srv/celerydemo/current"]
        + [a for k, v in CELERY_ENV.items() for a in ("-e", "%s=%s" % (k, v))]
        + ["w1", "/srv/celerydemo/current/.venv/bin/python", "/root/task_until_ok.py", "90"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    w_out, w_err = writer.communicate(timeout=120)
    s_out, s_err = sender.communicate(timeout=120)
    if writer.returncode != 0 or sender.returncode != 0:
        sys.exit("round %d: writer exit %d: %s\n%s\nsender exit %d: %s\n%s"
                 % (number, writer.returncode, w_out, w_err[-2000:], sender.returncode, s_out, s_err[-3000:]))
    new_ip, written_at = w_out.split()[-2:]
    write_s = float(written_at) - killed_at
    task_s = float(s_out.split()[-1]) - killed_at
    print("round %d: killed %s (%s); new master %s (%s); first write %.1f s, first Celery task %.1f s"
          % (number, old, old_ip, HOSTS[new_ip], new_ip, write_s, task_s), flush=True)
    subprocess.run(["docker", "start", old], check=True, capture_output=True)
    wait_until("%s back as a replica and the sentinels' quorum" % old, lambda: healthy(old), 180)
    return write_s, task_s


def main():
    for host in HOSTS.values():
        subprocess.run(["docker", "cp", os.path.join(SCENARIO, "files", "write_until_ok.sh"), host + ":/root/"],
                       check=True)
    subprocess.run(["docker", "cp", os.path.join(SCENARIO, "files", "task_until_ok.py"), "w1:/root/"], check=True)

    master_ip = master_of("r1")
    master = HOSTS[master_ip]
    replica = next(h for h in HOSTS.values() if h != master)
    print("redis-benchmark, 50 clients, %d requests, against the master %s:" % (REQUESTS, master), flush=True)
    for where, host, target in (("loopback on " + master, master, "127.0.0.1"),
                                ("from " + replica + " over the private network", replica, master_ip)):
        figures = redis_benchmark(host, target)
        print("  %s: SET %.0f ops/s, GET %.0f ops/s; pipelined 16: SET %.0f ops/s, GET %.0f ops/s"
              % (where, figures[("SET", 1)], figures[("GET", 1)], figures[("SET", 16)], figures[("GET", 16)]),
              flush=True)

    results = [failover_round(n) for n in range(1, ROUNDS + 1)]
    writes, tasks = [r[0] for r in results], [r[1] for r in results]
    print("first write on the new master after the kill: median %.1f s, worst %.1f s (target <= %.0f s)"
          % (statistics.median(writes), max(writes), WRITE_TARGET))
    print("first completed Celery task after the kill: median %.1f s, worst %.1f s (target <= %.0f s)"
          % (statistics.median(tasks), max(tasks), TASK_TARGET))
    if max(writes) > WRITE_TARGET or max(tasks) > TASK_TARGET:
        sys.exit("a round missed its target")


if __name__ == "__main__":
    main()
