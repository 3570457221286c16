#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: redis_info
short_description: What a Redis server or Sentinel on this host is now
version_added: 0.1.0
description:
  - Reads the port and password from the server's configuration file and asks the running server, through
    redis-cli on 127.0.0.1, what it is now; the roles read this before they touch replication.
  - For a server, its replication role, whom it follows and how many keys it holds. For a Sentinel (O(master_name)
    given), the master it knows for that name, the replicas and sentinels it knows, its settings for the master and
    whether it can reach the quorum (C(SENTINEL CKQUORUM)).
  - A host where the file does not exist yet, or where the server is not running, is reported as such, not as a
    failure.
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  path:
    description: The server's or Sentinel's configuration file.
    type: path
    default: /etc/redis/redis.conf
  master_name:
    description: Ask a Sentinel about the master it monitors under this name. Without it the file is a server's.
    type: str
  password:
    description: Password to try when the one in the file is refused (a password being changed).
    type: str
  cli:
    description: The redis-cli program.
    type: path
    default: redis-cli
attributes:
  check_mode:
    description: Reads only; runs in check mode too.
    support: full
  diff_mode:
    description: Nothing to diff.
    support: none
  idempotent:
    description: Reads only.
    support: full
"""

EXAMPLES = r"""
- name: Ask the sentinel which host is the master
  frugal.stack.redis_info:
    path: /etc/redis/sentinel.conf
    master_name: frugal
  register: sentinel

- name: Read whom this server follows
  frugal.stack.redis_info:
  register: server
"""

RETURN = r"""
installed:
  description: The configuration file exists.
  returned: always
  type: bool
running:
  description: The server or Sentinel answers PING.
  returned: always
  type: bool
port:
  description: The port from the file.
  returned: always
  type: int
role:
  description: C(master) or C(slave) (a server).
  returned: when running, for a server
  type: str
master_host:
  description: Whom a replica follows (a server), or the master a Sentinel knows for O(master_name) (empty when it
    knows none).
  returned: when running
  type: str
master_port:
  description: Port of RV(master_host).
  returned: when running
  type: int
master_link_status:
  description: C(up) when a replica's link to its master works.
  returned: when running, for a replica
  type: str
replicas:
  description: Replicas as C(host:port), those connected to a master, or those a Sentinel knows.
  returned: when running
  type: list
  elements: str
keys:
  description: Keys in all databases of a server.
  returned: when running, for a server
  type: int
settings:
  description: A Sentinel's settings for the master (quorum, down-after-milliseconds, failover-timeout,
    parallel-syncs, num-other-sentinels, flags).
  returned: when running, for a Sentinel that knows the master
  type: dict
quorum:
  description: The answer of C(SENTINEL CKQUORUM), and whether it says OK.
  returned: when running, for a Sentinel that knows the master
  type: dict
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.frugal.stack.plugins.module_utils._redis import Cli, ConfigError, ConfigFile


def pairs(lines):
    """A flat key, value, key, value reply as a dict."""
    return dict(zip(lines[0::2], lines[1::2]))


def info_fields(lines):
    return dict(line.split(":", 1) for line in lines if ":" in line and not line.startswith("#"))


def server_state(cli):
    repl = info_fields(cli.lines("INFO", "replication"))
    keyspace = info_fields(cli.lines("INFO", "keyspace"))
    state = dict(role=repl.get("role", ""), master_host=repl.get("master_host", ""),
                 master_port=int(repl.get("master_port", 0) or 0),
                 master_link_status=repl.get("master_link_status", ""), replicas=[])
    for key, value in sorted(repl.items()):
        if re.match(r"^slave\d+$", key):
            fields = dict(item.split("=", 1) for item in value.split(",") if "=" in item)
            state["replicas"].append("%s:%s" % (fields.get("ip"), fields.get("port")))
    state["keys"] = sum(int(dict(item.split("=", 1) for item in value.split(",")).get("keys", 0))
                        for value in keyspace.values())
    return state


def sentinel_state(cli, name):
    addr = cli.lines("SENTINEL", "get-master-addr-by-name", name)
    addr = [line for line in addr if line]
    state = dict(master_host="", master_port=0, replicas=[], settings={}, quorum={})
    if len(addr) != 2:
        return state
    state["master_host"], state["master_port"] = addr[0], int(addr[1])
    master = pairs(cli.lines("SENTINEL", "master", name))
    state["settings"] = dict((key, master.get(key, "")) for key in (
        "quorum", "down-after-milliseconds", "failover-timeout", "parallel-syncs", "num-other-sentinels", "flags"))
    replicas = cli.lines("SENTINEL", "replicas", name)
    starts = [i for i in range(0, len(replicas), 2) if replicas[i] == "name"] + [len(replicas)]
    for begin, end in zip(starts, starts[1:]):
        fields = pairs(replicas[begin:end])
        state["replicas"].append("%s:%s" % (fields.get("ip"), fields.get("port")))
    rc, text = cli.call("SENTINEL", "CKQUORUM", name)
    state["quorum"] = dict(ok=text.startswith("OK"), message=text)
    return state


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/redis/redis.conf"),
            master_name=dict(type="str"),
            password=dict(type="str", no_log=True),
            cli=dict(type="path", default="redis-cli"),
        ),
        supports_check_mode=True,
    )
    path, name = module.params["path"], module.params["master_name"]
    default_port = 26379 if name else 6379
    result = dict(changed=False, installed=os.path.isfile(path), running=False, port=default_port)
    if not result["installed"]:
        module.exit_json(**result)
    try:
        with open(path, "rb") as fh:
            config = ConfigFile(to_text(fh.read(), errors="surrogate_or_strict"))
        port = config.current("port")
        result["port"] = int(port[-1]) if port else default_port
        cli = Cli(module, result["port"], [(config.current("requirepass") or [None])[-1], module.params["password"]])
        result["running"] = cli.running()
        if result["running"]:
            result.update(sentinel_state(cli, name) if name else server_state(cli))
    except (ConfigError, ValueError) as exc:
        module.fail_json(msg="%s: %s" % (path, exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
