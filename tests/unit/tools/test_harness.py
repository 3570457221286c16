# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test harness: its messages when it cannot provide an engine, its
recipe hashing and its PLAY RECAP check."""

import os
import pwd
import subprocess

import helpers
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HARNESS = os.path.join(ROOT, "tools", "harness.py")


@pytest.fixture(scope="module")
def harness():
    return helpers.load_script("harness", HARNESS)


SYSTEM_PYTHON = "/usr/bin/python3"  # the harness is standard library only; nobody can run this one


@pytest.mark.skipif(os.geteuid() != 0 or not os.access(SYSTEM_PYTHON, os.X_OK),
                    reason="needs root and /usr/bin/python3 to run the harness as another user")
def test_no_engine_and_not_root_says_what_to_install():
    nobody = pwd.getpwnam("nobody")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent",
           "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    res = subprocess.run([SYSTEM_PYTHON, HARNESS, "engine"], env=env, user=nobody.pw_uid, group=nobody.pw_gid,
                         capture_output=True, text=True, check=False, cwd="/")
    assert res.returncode == 2
    assert "no Docker engine answers" in res.stderr
    assert "apt-get install -y docker.io" in res.stderr
    assert "Traceback" not in res.stderr


def test_no_apt_says_what_to_install(harness, monkeypatch):
    monkeypatch.setattr(harness, "docker_answers", lambda: False)
    monkeypatch.setattr(harness.shutil, "which", lambda name: None)
    monkeypatch.setattr(harness.os, "geteuid", lambda: 0)
    with pytest.raises(harness.HarnessError, match="apt-get is not available"):
        harness.ensure_engine()


def test_other_packages_are_named_without_talk_of_docker(harness, monkeypatch):
    monkeypatch.setattr(harness.os, "geteuid", lambda: 1000)
    with pytest.raises(harness.HarnessError) as exc:
        harness.apt_install(["shellcheck"])
    assert "apt-get install -y shellcheck" in str(exc.value) and "not running as root" in str(exc.value)
    assert "Docker" not in str(exc.value)


def test_a_running_engine_is_left_alone(harness, monkeypatch):
    monkeypatch.setattr(harness, "docker_answers", lambda: True)

    def forbidden(*args, **kwargs):
        raise AssertionError("must not start or install anything")

    monkeypatch.setattr(harness.subprocess, "Popen", forbidden)
    monkeypatch.setattr(harness, "apt_install", forbidden)
    harness.ensure_engine()


def test_recipe_hash_follows_the_recipe(harness):
    a = harness.recipe("12")
    assert harness.recipe_hash(a) == harness.recipe_hash(harness.recipe("12"))
    assert harness.recipe_hash(a) != harness.recipe_hash(harness.recipe("13"))
    changed = dict(a, packages=a["packages"] + ["openssh-server"])
    assert harness.recipe_hash(changed) != harness.recipe_hash(a)


RECAP = """PLAY RECAP *********************************************************************
base-debian12              : ok=31   changed={c12}    unreachable=0    failed={f12}    skipped=6
base-debian13              : ok=31   changed=0    unreachable=0    failed=0    skipped=6
"""


@pytest.mark.parametrize("c12, f12, expected", [
    (0, 0, []),
    (2, 0, ["base-debian12: changed=2"]),
    (0, 1, ["base-debian12: failed=1"]),
])
def test_recap_check(harness, c12, f12, expected):
    assert harness.check_recap(RECAP.format(c12=c12, f12=f12)) == expected


def test_recap_check_refuses_output_without_a_recap(harness):
    assert harness.check_recap("ERROR! the playbook could not be found") == ["no PLAY RECAP found in the output"]


FAILED_STAGE = """INFO     Found config file .config/molecule/config.yml
CRITICAL 'molecule/default/molecule.yml' glob failed.  Exiting.
TASK [Read the live release] ***************************************************
ok: [web12]

TASK [The broken release stopped the rollout at web12] *************************
fatal: [web12]: FAILED! => {{"assertion": "__summary.errors | length == 0"}}
        fatal: [web13]: FAILED! => (a nested run, shown inside a result)
{tail}
PLAY RECAP *********************************************************************
web12                      : ok=9    changed=0    unreachable=0    failed=1
INFO     [web > destroy] Executing
"""


def test_why_shows_the_first_failure_and_its_task_not_the_teardown(harness):
    why = harness.why_failed(FAILED_STAGE.format(tail="\n".join(f"line {n}" for n in range(60))))
    lines = why.splitlines()
    assert lines[0].startswith("TASK [The broken release stopped the rollout at web12]")
    assert lines[1].startswith("fatal: [web12]: FAILED!")
    assert "line 37" in lines and "line 38" not in lines  # 40 lines from the failure on
    assert "destroy" not in why


def test_why_ignores_molecules_default_scenario_notice_and_nested_failures(harness):
    text = FAILED_STAGE.replace("fatal: [web12]", "ok: [web12]").format(tail="")
    assert harness.why_failed(text).splitlines()[-1] == "INFO     [web > destroy] Executing"
