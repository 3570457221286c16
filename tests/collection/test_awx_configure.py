# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/awx_configure.yml: it parses, and bad settings stop it, naming each variable, before the
controller is called."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
GOOD = {"awx_project_scm_url": "https://git.example.com/acme/ops.git", "awx_machine_ssh_key": KEY,
        "awx_vault_password": "v", "awx_cloudflare_api_token": "t", "awx_r2_access_key_id": "k",
        "awx_r2_secret_access_key": "s"}


def playbook(extra, *args):
    # nothing listens on port 9: a call to the controller would fail with a connection error
    env = dict(os.environ, CONTROLLER_HOST="https://127.0.0.1:9", ANSIBLE_NOCOLOR="1")
    env["CONTROLLER_OAUTH_TOKEN"] = "not-a-token"  # noqa: S105 (never sent: nothing listens)
    res = subprocess.run([os.path.join(BIN, "ansible-playbook"), "playbooks/awx_configure.yml",
                          "-e", json.dumps(extra)] + list(args),
                         cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    return res.returncode, " ".join((res.stdout + res.stderr).split())


def test_syntax():
    rc, out = playbook({}, "--syntax-check")
    assert rc == 0, out


@pytest.mark.parametrize("change, said", [
    ({}, ["awx_project_scm_url must be a non-empty string", "awx_machine_ssh_key must be a non-empty string",
          "awx_vault_password must be a non-empty string", "awx_cloudflare_api_token must be a non-empty string",
          "awx_r2_access_key_id must be a non-empty string", "awx_r2_secret_access_key must be a non-empty string"]),
    (dict(GOOD, awx_project_scm_url="ftp://x/y"),
     ["awx_project_scm_url must be an https://, ssh:// or git@ repository address, found ftp://x/y"]),
    (dict(GOOD, awx_machine_ssh_key="ssh-ed25519 AAAA"),
     ["awx_machine_ssh_key must hold a private key"]),
    (dict(GOOD, awx_backup_check_rrule="daily"), ["awx_backup_check_rrule must read DTSTART"]),
    (dict(GOOD, awx_update_secrets="yes"), ["awx_update_secrets must be true or false"]),
    (dict(GOOD, awx_vault_password=["v"]), ["awx_vault_password must be a non-empty string"]),
])
def test_bad_settings_stop_before_the_controller(change, said):
    rc, out = playbook(change)
    assert rc != 0, out
    for text in said:
        assert text in out, (text, out)
    assert out.count("TASK [") == 1, out
    if not change:  # one message per variable: an empty key is not also "not a private key"
        assert "must hold a private key" not in out and "repository address" not in out, out


def test_good_settings_reach_the_controller():
    rc, out = playbook(GOOD)
    assert rc != 0, out
    assert "TASK [Check the settings before calling the controller] *" in out, out
    assert "ok=1 changed=0 unreachable=0 failed=1 skipped=1" in out, out
    # the first call to the API is the project's (there is no image to register), and it is refused
    assert "TASK [Register the execution environment] *" in out, out
    failed = out.split("TASK [Create the project from this repository]", 1)[1]
    assert "fatal: [localhost]" in failed and "https://127.0.0.1:9/api/v2/" in failed, out


def test_job_templates_name_playbooks_that_exist():
    from ansible.parsing.yaml.loader import AnsibleLoader
    with open(os.path.join(ROOT, "playbooks", "awx_configure.yml")) as fh:
        templates = AnsibleLoader(fh).get_single_data()[0]["vars"]["__awx_templates"]
    assert {t["name"] for t in templates} == {"site", "deploy", "cloudflare_sync", "backup_check"}
    for template in templates:
        assert os.path.isfile(os.path.join(ROOT, template["playbook"])), template
