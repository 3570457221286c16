# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fail when a log of an Ansible run holds any secret value of the inventory it ran against.

  python tools/secret_grep.py -i inventories/demo .cache/test-logs/demo-converge.log

Secrets: every variable of every host whose name ends in password, secret, token or key (not a path or a
public key), every value of a *_secrets mapping, and the password of each entry of postgresql_users,
after templating (lookups run, vault strings decrypted), as the run saw them. Prints how many values it
looked for and exits 1 naming the variable (never the value) of each one found in the log.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

NAME = re.compile(r"(password|passwd|secret|token|_key)$")
NOT_SECRET = re.compile(r"(_file|_path|_dir|_public_key|_key_type|_key_url|_key_id)$")
MIN_LENGTH = 6  # shorter values match too much ordinary text to mean anything

PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Collect the secret values as the run sees them
      ansible.builtin.copy:
        dest: "{{ __secret_dir }}/{{ inventory_hostname }}.json"
        content: "{{ found | to_json }}"
        mode: "0600"
      delegate_to: localhost
      vars:
        found: >-
          {%- set names = hostvars[inventory_hostname].keys() | select('match', '^[a-z][a-z0-9_]*$') | list -%}
          {%- set out = {} -%}
          {%- for name in names
                if (name is search(NAME) and name is not search(NOT_SECRET)) or name is search('_secrets$')
                   or name == 'postgresql_users' -%}
            {%- set value = lookup('ansible.builtin.vars', name, default='') -%}
            {%- if value is mapping -%}
              {%- for key, item in value.items() if item is string -%}
                {%- set _ = out.update({name ~ '.' ~ key: item}) -%}
              {%- endfor -%}
            {%- elif value is sequence and value is not string -%}
              {%- for entry in value if entry is mapping and entry.password is defined -%}
                {%- set _ = out.update({name ~ '[' ~ entry.name | default(loop.index0) ~ '].password':
                                        entry.password | string}) -%}
              {%- endfor -%}
            {%- elif value is string -%}
              {%- set _ = out.update({name: value}) -%}
            {%- endif -%}
          {%- endfor -%}
          {{ out }}
"""


def secrets(inventory):
    """variable -> value, for every host of the inventory (the controller evaluates; no host is contacted)."""
    work = tempfile.mkdtemp(prefix="frugal-secrets-")
    play = os.path.join(work, "collect.yml")
    with open(play, "w") as f:
        f.write(PLAY.replace("NAME", repr(NAME.pattern)).replace("NOT_SECRET", repr(NOT_SECRET.pattern)))
    bindir = os.path.dirname(sys.executable)
    res = subprocess.run([os.path.join(bindir, "ansible-playbook"), "-i", inventory, play,
                          "-e", "__secret_dir=" + work],
                         capture_output=True, text=True, check=False,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if res.returncode != 0:
        sys.exit("could not read the inventory's secrets:\n" + res.stdout[-3000:] + res.stderr[-3000:])
    found = {}
    for name in sorted(os.listdir(work)):
        if name.endswith(".json"):
            with open(os.path.join(work, name)) as f:
                for var, value in json.load(f).items():
                    found.setdefault(var, set()).add(value)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("-i", "--inventory", required=True)
    parser.add_argument("logs", nargs="+", help="files holding the run's whole output")
    parser.add_argument("--min-secrets", type=int, default=1,
                        help="fail unless at least this many secret values were looked for")
    args = parser.parse_args(argv)
    values = secrets(args.inventory)
    text = ""
    for path in args.logs:
        with open(path, errors="replace") as f:
            text += f.read()
    looked = {(var, v) for var, vs in values.items() for v in vs if len(v) >= MIN_LENGTH}
    leaked = sorted({var for var, v in looked if v in text})
    print("secret_grep: %d secret values (%s) looked for in %d bytes of output" % (
        len(looked), ", ".join(sorted({var for var, _v in looked})), len(text)))
    if len(looked) < args.min_secrets:
        print("secret_grep: fewer than %d secret values: the check would prove nothing" % args.min_secrets)
        return 1
    if leaked:
        print("secret_grep: the output holds the value of: " + ", ".join(leaked))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
