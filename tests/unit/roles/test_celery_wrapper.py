# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The celery role's wrapper (files/frugal_celery.py) with the settings the role renders, against a real Redis
master and sentinel (tests/unit/redis_server.py) listed after two sentinels that accept connections and never
answer, as a host that hangs during a failover does."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.unit.redis_server import Server, cli

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WRAPPER_DIR = os.path.join(ROOT, "roles", "celery", "files")
AUTH = "unit-celery-secret"
SILENT = ["127.0.0.2", "127.0.0.3"]

PLAY = """
- name: Render the settings the celery role writes
  hosts: workers
  gather_facts: false
  tasks:
    - name: Load the role's variables
      ansible.builtin.include_role:
        name: frugal.stack.celery
        tasks_from: preflight
        public: true
    - name: Write them
      ansible.builtin.copy:
        content: "{{ __celery_settings_json }}"
        dest: "{{ settings_out }}"
        mode: "0600"
"""

APP = """
from celery import Celery

app = Celery("unit")


@app.task(name="unit.add")
def add(x, y):
    return x + y
"""

SEND = """
import json, time
import frugal_celery

app = frugal_celery.app
seen = {}
started = time.monotonic()
app.backend.client.ping()
seen["backend"] = time.monotonic() - started
started = time.monotonic()
with app.connection_for_write() as connection:
    connection.default_channel.client.ping()
seen["broker"] = time.monotonic() - started
started = time.monotonic()
app.send_task("unit.add", (2, 3), queue="unit", task_id="unit-task")
seen["send"] = time.monotonic() - started
app.backend.store_result("unit-result", 5, "SUCCESS")
seen["result"] = app.AsyncResult("unit-result").get(timeout=10)
seen["broker_url"] = app.conf.broker_url
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("celery")
    master = Server(tmp_path, "requirepass %s\n" % AUTH)
    master.start()
    sentinel = Server(tmp_path, "sentinel monitor unit 127.0.0.1 %d 1\nsentinel auth-pass unit %s\n"
                      "sentinel down-after-milliseconds unit 60000\n" % (master.port, AUTH), program="redis-sentinel")
    sentinel.start()
    # Sockets that complete the handshake (the kernel does it from the backlog) and never answer.
    silent = []
    for address in SILENT:
        sock = socket.socket()
        sock.bind((address, sentinel.port))
        sock.listen(16)
        silent.append(sock)
    yield tmp_path, master, sentinel
    for sock in silent:
        sock.close()
    sentinel.stop()
    master.stop()


def render_settings(tmp_path, sentinel):
    (tmp_path / "play.yml").write_text(PLAY)
    local = "ansible_connection=local ansible_python_interpreter=%s" % sys.executable
    (tmp_path / "hosts.ini").write_text("[redis]\nr1 %s\n[workers]\nworker %s\n" % (local, local))
    extra = {"settings_out": str(tmp_path / "settings.json"), "celery_sentinels": SILENT + ["127.0.0.1"],
             "celery_sentinel_port": sentinel.port, "celery_sentinel_master_name": "unit",
             "celery_redis_password": AUTH, "celery_app": "unit_app"}
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, "collections"), ANSIBLE_NOCOLOR="1")
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
                           str(tmp_path / "hosts.ini"), str(tmp_path / "play.yml"), "-e", json.dumps(extra)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((tmp_path / "settings.json").read_text())


def test_send_and_store_through_silent_sentinels(cluster):
    tmp_path, master, sentinel = cluster
    settings = render_settings(tmp_path, sentinel)
    timeout = settings["broker_transport_options"]["sentinel_kwargs"]["socket_timeout"]
    assert timeout == 0.3
    assert settings["broker_transport_options"]["master_name"] == "unit"
    (tmp_path / "unit_app.py").write_text(APP)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": os.pathsep.join([WRAPPER_DIR, str(tmp_path)]),
           "FRUGAL_CELERY_APP": "unit_app", "FRUGAL_CELERY_SETTINGS": str(tmp_path / "settings.json"),
           # The app's environment file may name another broker: the wrapper must not let it win.
           "CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "CELERY_RESULT_BACKEND": "redis://127.0.0.1:1/1"}
    done = subprocess.run([sys.executable, "-c", SEND], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    # Finding the master costs one timeout per silent sentinel; with redis-py's own retries (three, with
    # backoff) it took about 15 s each here with a 1 s timeout. Sending opens connections of its own: two lookups.
    lookup = len(SILENT) * timeout + 1
    assert seen["backend"] < lookup and seen["broker"] < lookup and seen["send"] < 2 * lookup, seen
    assert seen["result"] == 5
    assert seen["broker_url"].endswith("@127.0.0.1:%d/0" % sentinel.port)
    assert cli(master.port, "-n", "0", "LLEN", "unit", auth=AUTH) == "1"
