# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lynis hardening index of a converged container against its bare base image.

    python3 tools/lynis_compare.py CONTAINER IMAGE [--min-index 75] [--min-gain 20]

Starts a fresh container from IMAGE (systemd as PID 1, as the Molecule
platforms run), installs Debian's lynis in it and in CONTAINER, audits both at
the same time and prints both indexes, the gain and the converged host's
remaining warnings and suggestions. Exits 1 when the converged index is under
--min-index or the gain under --min-gain, 2 when an audit could not run.
"""

import argparse
import subprocess
import sys
import time

BARE_NAME = "frugal-lynis-bare"
# Lynis' own report and log (Debian package defaults).
REPORT = "/var/log/lynis-report.dat"
LOG = "/var/log/lynis.log"
# The Molecule platforms' options (molecule/*/molecule.yml).
RUN_OPTIONS = [
    "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN",
    "--security-opt", "seccomp=unconfined", "--cgroupns", "host",
    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
    "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",  # noqa: S108 - a mount in the container
]


def docker(*args, check=True, capture=True, timeout=600):
    return subprocess.run(["docker", *args], check=check, capture_output=capture, text=True, timeout=timeout)


def start_bare(image: str) -> None:
    docker("rm", "-f", BARE_NAME, check=False)
    docker("run", "-d", "--name", BARE_NAME, *RUN_OPTIONS, image, "/lib/systemd/systemd")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = docker("exec", BARE_NAME, "systemctl", "is-system-running", check=False).stdout.strip()
        if state in ("running", "degraded"):
            return
        time.sleep(1)
    raise RuntimeError(f"{BARE_NAME}: systemd did not finish starting (state {state!r})")


def install_lynis(name: str) -> None:
    script = ("command -v lynis >/dev/null || { apt-get update -qq && "
              "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lynis >/dev/null; }")
    result = docker("exec", name, "sh", "-c", script, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{name}: installing lynis failed: {result.stderr.strip()[-400:]}")


def audit_start(name: str) -> subprocess.Popen:
    return subprocess.Popen(
        ["docker", "exec", name, "lynis", "audit", "system", "--quick", "--no-colors"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def read_report(name: str) -> dict:
    text = docker("exec", name, "cat", REPORT).stdout
    report = {"warning": [], "suggestion": []}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        if key.endswith("[]"):
            report.setdefault(key[:-2], []).append(value)
        else:
            report[key] = value
    if not report.get("hardening_index", "").isdigit():
        raise RuntimeError(f"{name}: the Lynis report has no hardening_index")
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("container")
    parser.add_argument("image")
    parser.add_argument("--min-index", type=int, default=75)
    parser.add_argument("--min-gain", type=int, default=20)
    args = parser.parse_args(argv)

    try:
        start_bare(args.image)
        for name in (args.container, BARE_NAME):
            install_lynis(name)
        audits = {name: audit_start(name) for name in (args.container, BARE_NAME)}
        for name, proc in audits.items():
            err = proc.communicate(timeout=900)[1]
            if proc.returncode != 0:
                raise RuntimeError(f"{name}: lynis exited {proc.returncode}: {err.strip()[-400:]}")
        converged, bare = read_report(args.container), read_report(BARE_NAME)
        kernel_left = docker("exec", args.container, "grep", "-c", "has a different value than expected", LOG,
                             check=False).stdout.strip() or "0"
    except (RuntimeError, subprocess.SubprocessError) as exc:
        print(f"lynis_compare: {exc}", file=sys.stderr)
        return 2
    finally:
        docker("rm", "-f", BARE_NAME, check=False)

    index, base = int(converged["hardening_index"]), int(bare["hardening_index"])
    tests = converged.get("tests_executed", "").count("|") + 1
    print(f"Lynis {converged.get('lynis_version', '?')}, {tests} tests run")
    print(f"{'host':<24} {'index':>5} {'warnings':>8} {'suggestions':>11}")
    for label, rep in ((args.container, converged), (f"{args.image} (bare)", bare)):
        print(f"{label:<24} {rep['hardening_index']:>5} {len(rep['warning']):>8} {len(rep['suggestion']):>11}")
    print(f"gain: {index - base} points (target >= {args.min_gain}); converged: {index} (target >= {args.min_index})")
    print(f"{args.container}: {kernel_left} kernel settings differ from Lynis' profile (in a container /proc/sys is the"
          " host's and read-only: the role writes its settings to /etc/sysctl.d and applies them only on VMs)")
    for kind in ("warning", "suggestion"):
        for item in converged[kind]:
            fields = item.split("|")
            print(f"  {args.container} {kind}: {fields[0]} {fields[1] if len(fields) > 1 else ''}")
    if index < args.min_index or index - base < args.min_gain:
        print("lynis_compare: below target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
