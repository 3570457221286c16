# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The IPv4 or IPv6 entries of a list of addresses and networks, with the standard library's ipaddress."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
from collections.abc import Sequence

from ansible.errors import AnsibleFilterError


def ip_select(values, version, network=False):
    """The entries of values that are IPv<version> addresses or networks, each once, in their order: as given,
    or with network=True as network/prefix (a host address gets /32 or /128)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise AnsibleFilterError("ip_select: expects a list of addresses and networks, got %s" % type(values).__name__)
    if version not in (4, 6):
        raise AnsibleFilterError("ip_select: the version must be 4 or 6, got %r" % (version,))
    selected = []
    for value in values:
        given = value.strip() if isinstance(value, str) else None
        try:
            parsed = ipaddress.ip_network(given, strict=False)
        except ValueError:
            raise AnsibleFilterError("ip_select: %r is not an address or a network" % (value,)) from None
        if parsed.version != version:
            continue
        entry = parsed.with_prefixlen if network else given
        if entry not in selected:
            selected.append(entry)
    return selected


class FilterModule(object):
    def filters(self):
        return {"ip_select": ip_select}
