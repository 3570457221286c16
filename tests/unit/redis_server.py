# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real Redis servers and sentinels for the unit tests.

Debian's redis-tools ships the server as redis-check-rdb; started under the
name redis-server (or redis-sentinel) it is the server (or a sentinel). Each
runs from a temporary directory on a free port of 127.0.0.1.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import socket
import subprocess
import time

SERVER = shutil.which("redis-check-rdb") or "/usr/bin/redis-check-rdb"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(port, *args, auth=""):
    env = dict(os.environ, REDISCLI_AUTH=auth) if auth else dict(os.environ)
    out = subprocess.run(["redis-cli", "-p", str(port), "--no-auth-warning"] + list(args),
                         capture_output=True, text=True, env=env, check=False)
    return out.stdout.strip()


class Server:
    """A server (or, with program="redis-sentinel", a sentinel) in its own directory."""

    def __init__(self, tmp_path, extra="", program="redis-server"):
        self.dir = tmp_path / ("%s-%d" % (program, free_port()))
        self.dir.mkdir()
        self.program = program
        self.port = free_port()
        self.conf = self.dir / ("sentinel.conf" if program == "redis-sentinel" else "redis.conf")
        base = "# written by the test\nport %d\nbind 127.0.0.1\ndir %s\n" % (self.port, self.dir)
        if program == "redis-server":
            base += "save 3600 1\n# maxmemory <bytes>\nmaxmemory-policy noeviction\n"
        self.conf.write_text(base + extra)
        os.chmod(self.conf, 0o640)
        self.proc = None

    def start(self):
        binary = self.dir / self.program
        if not binary.exists():
            binary.symlink_to(SERVER)
        self.proc = subprocess.Popen([str(binary), str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if cli(self.port, "PING") in ("PONG", "NOAUTH Authentication required."):
                return
            time.sleep(0.05)
        raise AssertionError("%s did not start" % self.program)

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(20)
            self.proc = None
