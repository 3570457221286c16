# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which of a host's settings still hold the example inventories' CHANGE-ME placeholder?"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleError, AnsibleFilterError

# Ansible's own variables: large, and never written by a user.
SKIP = frozenset(("hostvars", "vars", "groups", "group_names", "omit", "ansible_facts", "ansible_play_hosts",
                  "ansible_play_hosts_all", "ansible_play_batch", "play_hosts"))


def _walk(value, path, marker, found, depth=0):
    if depth > 32:
        return
    if isinstance(value, str):
        if marker in value:
            found.append(path)
    elif isinstance(value, Mapping):
        for key in value:
            _walk(value[key], "%s.%s" % (path, key), marker, found, depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _walk(item, "%s[%d]" % (path, index), marker, found, depth + 1)


def placeholders(variables, marker="CHANGE-ME"):
    """The settings (as name, name.key or name[index] paths) whose text contains marker, sorted.

    variables: one host's variables (hostvars[inventory_hostname]). A setting that cannot be read (a template
    that fails, a vault value without its password) is left to the role that uses it.
    """
    if not isinstance(variables, Mapping):
        raise AnsibleFilterError("placeholders: pass one host's variables (hostvars[inventory_hostname]), got %s"
                                 % type(variables).__name__)
    if not isinstance(marker, str) or not marker:
        raise AnsibleFilterError("placeholders: marker must be a non-empty string")
    found = []
    for name in variables:
        if name in SKIP:
            continue
        try:
            value = variables[name]
        except AnsibleError:
            continue
        _walk(value, name, marker, found)
    return sorted(found)


class FilterModule(object):
    def filters(self):
        return {"placeholders": placeholders}
