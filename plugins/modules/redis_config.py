#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: redis_config
short_description: Set directives in a Redis or Sentinel configuration file that Redis itself also rewrites
version_added: 0.1.0
description:
  - Makes the given directives of a C(redis.conf) or C(sentinel.conf) hold the given values and leaves every
    other line as it is, including what Redis (C(CONFIG REWRITE)) and Sentinel wrote there themselves
    (C(replicaof) after a failover, known replicas, epochs).
  - Values are compared as Redis reads them, not as text, so a file Redis rewrote in its own style
    (C(requirepass "x") for C(requirepass x), C(512mb) for C(536870912)) is not changed back.
  - With O(live=true) each changed directive is also applied to the running server with C(CONFIG SET), so it
    takes effect without a restart; RV(restart_required) lists those the server would not take at runtime.
  - When C(requirepass) changes, C(user default) lines (which C(CONFIG REWRITE) writes with the password's hash)
    are removed, so the old password does not come back at the next start.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  path:
    description: The configuration file. It must exist (Debian's packages install one).
    type: path
    required: true
  settings:
    description:
      - Directive name to value. A string is one argument (quoted in the file when it needs it; V("") is an empty
        argument, as in C(save "")); a list gives several (C(bind), C(save)); V(null) removes the directive so
        Redis uses its default.
      - Numbers and sizes compare by value (V(512mb) equals V(536870912)); words compare without case, except the
        values of directives that name passwords, paths or addresses.
    type: dict
    required: true
  live:
    description: Apply changed directives to the running server with C(CONFIG SET). A server that is not running
      reads the file when it starts.
    type: bool
    default: false
  port:
    description: Port of the running server, on 127.0.0.1.
    type: int
    default: 6379
  password:
    description: Password for the running server when the file does not give the current one (C(requirepass)).
    type: str
  cli:
    description: The redis-cli program.
    type: path
    default: redis-cli
attributes:
  check_mode:
    description: Reports which directives would change; writes and sets nothing.
    support: full
  diff_mode:
    description: The file before and after, passwords hidden.
    support: full
  idempotent:
    description: Directives that already hold their values are left alone.
    support: full
notes:
  - The file is written to a temporary file beside it and renamed into place, keeping its owner and mode.
"""

EXAMPLES = r"""
- name: Set the server's memory, persistence and network directives
  frugal.stack.redis_config:
    path: /etc/redis/redis.conf
    settings:
      bind: [127.0.0.1, -::1, 10.0.0.5]
      maxmemory: 512mb
      maxmemory-policy: noeviction
      save: ["900", "1", "300", "10", "60", "10000"]
      appendonly: "yes"
      requirepass: "{{ redis_password }}"
    live: true
    password: "{{ redis_password }}"
  register: redis_settings
  notify: Restart Redis
"""

RETURN = r"""
changed_settings:
  description: Directives whose value changed (or would in check mode).
  returned: always
  type: list
  elements: str
  sample: [maxmemory, save]
applied_live:
  description: Changed directives the running server took with C(CONFIG SET).
  returned: always
  type: list
  elements: str
  sample: [maxmemory]
restart_required:
  description: Changed directives the running server did not take at runtime; they apply at its next start.
  returned: always
  type: list
  elements: str
  sample: [unixsocket]
"""

import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible_collections.frugal.stack.plugins.module_utils._redis import (
    Cli, ConfigError, ConfigFile, desired_args, hide_secrets)


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            settings=dict(type="dict", required=True),
            live=dict(type="bool", default=False),
            port=dict(type="int", default=6379),
            password=dict(type="str", no_log=True),
            cli=dict(type="path", default="redis-cli"),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    if not os.path.isfile(path):
        module.fail_json(msg="%s does not exist: install the server's package first" % path)
    for name in module.params["settings"]:
        if not re.match(r"^[a-z][a-z0-9-]*$", name):
            module.fail_json(msg="settings: %r is not a directive name (lower case letters, digits and -)" % name)
    with open(path, "rb") as fh:
        before = to_text(fh.read(), errors="surrogate_or_strict")
    try:
        config = ConfigFile(before)
        old_password = (config.current("requirepass") or [None])[-1]
        changed = []
        for name, value in sorted(module.params["settings"].items()):
            if config.set(name, desired_args(name, value)):
                changed.append(name)
        if "requirepass" in changed:
            config.drop("user", "default")
    except ConfigError as exc:
        module.fail_json(msg="%s: %s" % (path, exc))
    after = config.text() if changed else before
    result = dict(changed=bool(changed), changed_settings=changed, applied_live=[], restart_required=[])
    if module._diff and changed:
        result["diff"] = dict(before=hide_secrets(before), after=hide_secrets(after),
                              before_header=path, after_header=path)
    if not changed or module.check_mode:
        module.exit_json(**result)

    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    with os.fdopen(fd, "wb") as fh:
        fh.write(to_bytes(after))
    module.atomic_move(tmp, path)
    if module.params["live"]:
        live = Cli(module, module.params["port"],
                   [old_password, module.params["password"], (config.current("requirepass") or [None])[-1]])
        try:
            running = live.running()
        except ConfigError as exc:
            module.fail_json(msg=str(exc), **result)
        if running:
            for name in changed:
                args = desired_args(name, module.params["settings"][name])
                (result["applied_live"] if live.config_set(name, args) else result["restart_required"]).append(name)

    module.exit_json(**result)


def main():
    run_module()


if __name__ == "__main__":
    main()
