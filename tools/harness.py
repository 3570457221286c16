# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test and demo harness for frugal.stack.

Runs with the system Python (standard library only) because it is what
prepares the machine before the project's virtualenv exists:

  engine     make sure a Docker engine answers (install Debian's docker.io and
             start dockerd when needed; an engine already running is left alone)
  aptcache   make sure apt-cacher-ng serves on the host for test containers
  images     build the systemd base images (debootstrap + docker import when no
             registry answers), cached by a hash of their recipe
  prepare    all three, in that order
  recap      read ansible-playbook output on stdin, fail unless every host
             reports changed=0 and failed=0 (used for the --check --diff run)
  swap-sweep turn off and remove the test swap files below --dir
  why        read a failed run's output on stdin, print its first failure with
             its task header (what CI shows of a failed stage)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

APT_CACHE_PORT = 3142
IMAGE_REPO = "frugal-stack/debian"
RECIPE_LABEL = "frugal.stack.recipe"
LOCAL_CA_DIR = "/usr/local/share/ca-certificates"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
# Packages every test host starts with: what a minimal cloud image has plus
# what Ansible needs to manage it (python3, python3-apt, sudo).
BASE_PACKAGES = (
    "systemd",
    "systemd-sysv",
    "dbus",
    "python3",
    "python3-apt",
    "sudo",
    "iproute2",
    "procps",
    "ca-certificates",
    "gnupg",
)
# Debian release -> suite.  Ubuntu is supported by the roles' vars files but
# its archive is not reachable from this machine, so no image is built for it.
RELEASES = {"12": "bookworm", "13": "trixie"}
# Debian package -> command the test stages need on the host.
HOST_TOOLS = {"shellcheck": "shellcheck", "debootstrap": "debootstrap", "nftables": "nft", "wrk": "wrk",
              # redis-check-rdb is the server binary: started as redis-server by the unit tests
              "redis-tools": "redis-cli"}

# Written into every image: apt in a test container uses the host's
# apt-cacher-ng when it answers and goes direct otherwise, so an image also
# works on a machine without the cache.
PROXY_DETECT_SCRIPT = """#!/bin/sh
# Test image only: use the harness's apt cache on the Docker host if it answers.
if timeout 1 bash -c 'exec 3<>/dev/tcp/host.docker.internal/3142' 2>/dev/null; then
  echo http://host.docker.internal:3142
else
  echo DIRECT
fi
"""
PROXY_DETECT_CONF = (
    'Acquire::http::Proxy-Auto-Detect "/usr/local/lib/frugal-test/apt-proxy-detect";\n'
)


class HarnessError(Exception):
    """A condition the user must fix; printed without a traceback."""


def log(msg: str) -> None:
    print(f"harness: {msg}", file=sys.stderr, flush=True)


def run(cmd, check=True, capture=False, timeout=None, env=None, stdin=None):
    return subprocess.run(
        cmd,
        check=check,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        timeout=timeout,
        env=env,
        stdin=stdin,
    )


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        res = run(["docker", "info", "--format", "{{.ServerVersion}}"],
                  check=False, capture=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    return res.returncode == 0 and res.stdout.strip() != ""


def missing_engine_message(reason: str) -> str:
    return (
        f"no Docker engine answers and the harness cannot provide one: {reason}.\n"
        "Install one and start it, then re-run, e.g. as root on Debian/Ubuntu:\n"
        "  apt-get install -y docker.io && dockerd &\n"
        "or run the harness as root on a Debian/Ubuntu machine so it can do that itself."
    )


def apt_install(packages, need: str = "") -> None:
    """Install Debian packages, or say what to install when this process cannot."""
    reason = ("not running as root" if os.geteuid() != 0
              else "apt-get is not available" if shutil.which("apt-get") is None else None)
    if reason:
        names = " ".join(packages)
        raise HarnessError(
            f"{need or 'the harness needs ' + names} and cannot install {names}: {reason}.\n"
            f"Install it and re-run, e.g. as root on Debian/Ubuntu:\n  apt-get install -y {names}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log(f"installing {' '.join(packages)} with apt-get")
    # An old package list finds nothing on a fresh machine: refresh it first.
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)


def ensure_engine() -> None:
    if docker_answers():
        log("Docker engine already answers; leaving it as it is")
        return
    if shutil.which("dockerd") is None:
        apt_install(["docker.io"], need="no Docker engine answers")
    if os.geteuid() != 0:
        raise HarnessError(missing_engine_message("dockerd needs root to start"))
    logfile = "/var/log/frugal-stack-dockerd.log"
    log(f"starting dockerd (log: {logfile})")
    with open(logfile, "ab") as out:
        subprocess.Popen(["dockerd"], stdout=out, stderr=out,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if docker_answers():
            log("Docker engine is up")
            return
        time.sleep(1)
    raise HarnessError(f"dockerd did not answer within 90 s; see {logfile}")


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def apt_cache_fetches() -> bool:
    """True when the cache on the host really fetches from the Debian mirror."""
    proxy = urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{APT_CACHE_PORT}"})
    opener = urllib.request.build_opener(proxy)
    try:
        with opener.open(f"{DEBIAN_MIRROR}/dists/{RELEASES['12']}/Release", timeout=30) as resp:
            return resp.status == 200
    except OSError:
        return False


def ensure_host_tools() -> None:
    """Tools the test stages call on the host: shellcheck (sanity), nft and redis (unit tests)."""
    missing = [pkg for pkg, cmd in HOST_TOOLS.items() if shutil.which(cmd) is None]
    if missing:
        apt_install(missing)


def ensure_apt_cache() -> None:
    if port_open("127.0.0.1", APT_CACHE_PORT):
        if not apt_cache_fetches():
            raise HarnessError(
                f"something answers on port {APT_CACHE_PORT} but does not fetch "
                f"{DEBIAN_MIRROR} as an apt proxy; stop it or fix it")
        log(f"apt cache answers on port {APT_CACHE_PORT}")
        return
    if not os.path.exists("/usr/sbin/apt-cacher-ng"):
        apt_install(["apt-cacher-ng"])
    # apt-cacher-ng maps Debian mirrors to ftp.debian.org by default; where only
    # deb.debian.org is reachable that fails with "503 Host not found".
    with open("/etc/apt-cacher-ng/backends_debian", "w", encoding="utf-8") as fh:
        fh.write(f"{DEBIAN_MIRROR}/\n")
    log("starting apt-cacher-ng")
    # The host has no systemd: the package's init script starts the daemon.
    res = run(["/etc/init.d/apt-cacher-ng", "start"], check=False, capture=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", APT_CACHE_PORT) and apt_cache_fetches():
            return
        time.sleep(0.5)
    raise HarnessError(
        f"apt-cacher-ng did not answer on port {APT_CACHE_PORT}: {res.stdout}{res.stderr}")


def local_cas() -> dict:
    """CA certificates this machine added (a TLS-inspecting egress proxy's, a company CA): the test
    containers need them to reach PyPI and the Debian mirror the way the host does."""
    found = {}
    if os.path.isdir(LOCAL_CA_DIR):
        for name in sorted(os.listdir(LOCAL_CA_DIR)):
            if name.endswith(".crt"):
                with open(os.path.join(LOCAL_CA_DIR, name), encoding="utf-8") as fh:
                    found[name] = fh.read()
    return found


def recipe(release: str) -> dict:
    return {
        "local_cas": local_cas(),
        "suite": RELEASES[release],
        "mirror": DEBIAN_MIRROR,
        "packages": list(BASE_PACKAGES),
        "proxy_detect": PROXY_DETECT_SCRIPT,
        "proxy_conf": PROXY_DETECT_CONF,
        "version": 1,
    }


def recipe_hash(rec: dict) -> str:
    blob = json.dumps(rec, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def image_ref(release: str) -> str:
    return f"{IMAGE_REPO}:{release}"


def image_label(ref: str):
    res = run(["docker", "image", "inspect", ref, "--format",
               "{{ json .Config.Labels }}"], check=False, capture=True)
    if res.returncode != 0:
        return None
    labels = json.loads(res.stdout.strip() or "null") or {}
    return labels.get(RECIPE_LABEL)


def registry_reachable() -> bool:
    try:
        res = run(["docker", "pull", "-q", "debian:bookworm-slim"],
                  check=False, capture=True, timeout=30)
    except subprocess.TimeoutExpired:
        return False
    return res.returncode == 0


def write_image_extras(root: str, rec: dict) -> None:
    if rec["local_cas"]:
        cadir = os.path.join(root, LOCAL_CA_DIR.lstrip("/"))
        os.makedirs(cadir, exist_ok=True)
        for name, text in rec["local_cas"].items():
            with open(os.path.join(cadir, name), "w", encoding="utf-8") as fh:
                fh.write(text)
        run(["chroot", root, "update-ca-certificates"], capture=True)
    libdir = os.path.join(root, "usr/local/lib/frugal-test")
    os.makedirs(libdir, exist_ok=True)
    script = os.path.join(libdir, "apt-proxy-detect")
    with open(script, "w", encoding="utf-8") as fh:
        fh.write(PROXY_DETECT_SCRIPT)
    os.chmod(script, 0o755)  # noqa: S103 - apt executes it; root owns it
    with open(os.path.join(root, "etc/apt/apt.conf.d/01frugal-test-proxy"), "w",
              encoding="utf-8") as fh:
        fh.write(PROXY_DETECT_CONF)
    # A container has no console to log in on; a machine-id is made at boot.
    for unit in ("getty@tty1.service", "console-getty.service"):
        link = os.path.join(root, "etc/systemd/system", unit)
        if not os.path.lexists(link):
            os.symlink("/dev/null", link)
    machine_id = os.path.join(root, "etc/machine-id")
    if os.path.exists(machine_id):
        with open(machine_id, "w", encoding="utf-8"):
            pass


def build_debootstrap(release: str, rec: dict, digest: str) -> None:
    if shutil.which("debootstrap") is None:
        apt_install(["debootstrap"])
    ref = image_ref(release)
    env = dict(os.environ)
    if port_open("127.0.0.1", APT_CACHE_PORT):
        env["http_proxy"] = f"http://127.0.0.1:{APT_CACHE_PORT}"
    with tempfile.TemporaryDirectory(prefix=f"frugal-rootfs-{release}-") as tmp:
        root = os.path.join(tmp, "rootfs")
        log(f"debootstrap {rec['suite']} -> {ref}")
        run(["debootstrap", "--variant=minbase",
             "--include=" + ",".join(rec["packages"]),
             rec["suite"], root, rec["mirror"]], env=env, capture=True)
        write_image_extras(root, rec)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        run(["docker", "import",
             "-c", 'CMD ["/lib/systemd/systemd"]',
             "-c", f"LABEL {RECIPE_LABEL}={digest}",
             "-", ref], stdin=tar.stdout, capture=True)
        tar.stdout.close()
        if tar.wait() != 0:
            raise HarnessError(f"tar of the {release} root filesystem failed")


def build_dockerfile(release: str, rec: dict, digest: str) -> None:
    ref = image_ref(release)
    with tempfile.TemporaryDirectory(prefix=f"frugal-image-{release}-") as ctx:
        with open(os.path.join(ctx, "apt-proxy-detect"), "w", encoding="utf-8") as fh:
            fh.write(PROXY_DETECT_SCRIPT)
        with open(os.path.join(ctx, "01frugal-test-proxy"), "w", encoding="utf-8") as fh:
            fh.write(PROXY_DETECT_CONF)
        os.makedirs(os.path.join(ctx, "cas"))
        for name, text in rec["local_cas"].items():
            with open(os.path.join(ctx, "cas", name), "w", encoding="utf-8") as fh:
                fh.write(text)
        dockerfile = "\n".join([
            f"FROM debian:{rec['suite']}",
            "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "
            "--no-install-recommends " + " ".join(rec["packages"])
            + " && rm -rf /var/lib/apt/lists/*",
            "COPY --chmod=755 apt-proxy-detect /usr/local/lib/frugal-test/apt-proxy-detect",
            "COPY 01frugal-test-proxy /etc/apt/apt.conf.d/01frugal-test-proxy",
            f"COPY cas/ {LOCAL_CA_DIR}/",
            "RUN update-ca-certificates",
            "RUN ln -sf /dev/null /etc/systemd/system/getty@tty1.service"
            " && ln -sf /dev/null /etc/systemd/system/console-getty.service",
            f"LABEL {RECIPE_LABEL}={digest}",
            "STOPSIGNAL SIGRTMIN+3",
            'CMD ["/lib/systemd/systemd"]',
            "",
        ])
        with open(os.path.join(ctx, "Dockerfile"), "w", encoding="utf-8") as fh:
            fh.write(dockerfile)
        log(f"docker build {ref} from debian:{rec['suite']}")
        run(["docker", "build", "-q", "-t", ref, ctx], capture=True)


def ensure_images(releases) -> None:
    use_registry = None
    for release in releases:
        rec = recipe(release)
        digest = recipe_hash(rec)
        ref = image_ref(release)
        if image_label(ref) == digest:
            log(f"image {ref} is current (recipe {digest})")
            continue
        if use_registry is None:
            use_registry = registry_reachable()
            log("registry reachable: building from Dockerfiles" if use_registry
                else "no registry: building with debootstrap + docker import")
        start = time.monotonic()
        (build_dockerfile if use_registry else build_debootstrap)(release, rec, digest)
        log(f"built {ref} in {time.monotonic() - start:.0f} s")


def swap_sweep(directory: str) -> None:
    """Turn off every swap file below directory (test swap lives in the host kernel)."""
    if not os.path.isdir(directory):
        return
    for dirpath, _dirnames, filenames in os.walk(directory):
        for name in filenames:
            path = os.path.join(dirpath, name)
            res = run(["swapoff", path], check=False, capture=True)
            if res.returncode == 0:
                log(f"turned off test swap file {path}")
    shutil.rmtree(directory, ignore_errors=True)
    if os.path.exists(directory):
        raise HarnessError(f"could not remove {directory}: a swap file there is still in use")


RECAP_RE = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)")


def parse_recap(text: str) -> dict:
    hosts = {}
    for line in text.splitlines():
        m = RECAP_RE.match(line.strip())
        if m:
            hosts[m.group("host")] = {k: int(m.group(k)) for k in
                                      ("ok", "changed", "unreachable", "failed")}
    return hosts


def check_recap(text: str) -> list:
    """Return the problems in a PLAY RECAP; an empty list means clean."""
    hosts = parse_recap(text)
    if not hosts:
        return ["no PLAY RECAP found in the output"]
    problems = []
    for host, counts in sorted(hosts.items()):
        for key in ("changed", "unreachable", "failed"):
            if counts[key]:
                problems.append(f"{host}: {key}={counts[key]}")
    return problems


# the first lines of a failure in Ansible's or Molecule's output, at the start
# of a line (the output of a nested run, shown inside a registered result, is
# indented and not a failure of this run; Molecule says CRITICAL of the
# default scenario it looks for on every run)
FAILURE_RE = re.compile(r"^(fatal: \[|failed: \[|ERROR!|ERROR |Traceback |"
                        r"CRITICAL (?!'molecule/default/molecule\.yml' glob failed))")
TASK_RE = re.compile(r"^(TASK|PLAY|RUNNING HANDLER) \[")


def why_failed(text: str, after: int = 40) -> str:
    """The first failure in a run's output: its task header and up to `after`
    lines from the failure on; the last 20 lines when nothing matches."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if FAILURE_RE.match(line):
            start = i
            while start > 0 and not TASK_RE.match(lines[start]) and i - start < 40:
                start -= 1
            return "\n".join(lines[start:i + after])
    return "\n".join(lines[-20:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command",
                        choices=["engine", "aptcache", "images", "prepare", "recap", "swap-sweep", "why"])
    parser.add_argument("--dir", help="swap-sweep: directory holding test swap files")
    parser.add_argument("--release", action="append", choices=sorted(RELEASES),
                        help="image release to build (default: all)")
    args = parser.parse_args(argv)
    try:
        if args.command in ("engine", "prepare"):
            ensure_engine()
        if args.command == "prepare":
            ensure_host_tools()
        if args.command in ("aptcache", "prepare"):
            ensure_apt_cache()
        if args.command in ("images", "prepare"):
            ensure_images(args.release or sorted(RELEASES))
        if args.command == "swap-sweep":
            if not args.dir:
                raise HarnessError("swap-sweep needs --dir")
            swap_sweep(args.dir)
        if args.command == "recap":
            text = sys.stdin.read()
            sys.stdout.write(text)
            problems = check_recap(text)
            if problems:
                log("run was not clean: " + "; ".join(problems))
                return 1
            log("run was clean: changed=0 failed=0 on every host")
        if args.command == "why":
            sys.stdout.write(why_failed(sys.stdin.read()) + "\n")
    except HarnessError as exc:
        log(f"ERROR: {exc}")
        return 2
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip().splitlines()[-5:]
        log(f"ERROR: {' '.join(map(str, exc.cmd))} exited {exc.returncode}: {' | '.join(detail)}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
