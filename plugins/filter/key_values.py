# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""KEY VALUE settings set in the text of a file such as /etc/login.defs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def key_values(text, settings, separator="\t"):
    """text with each KEY set to its value: the last line setting KEY (or commented out, `#KEY`) becomes
    `KEY<separator>value`, and a key no line sets is appended at the end. Other lines are kept as they are."""
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError("key_values: settings must be a mapping of keys to values, got %s"
                                 % type(settings).__name__)
    lines = text.splitlines()
    for key, value in settings.items():
        if not isinstance(key, str) or not key or any(c.isspace() for c in key):
            raise AnsibleFilterError("key_values: a key must be a word without spaces, got %r" % (key,))
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise AnsibleFilterError("key_values: the value of %s must be a string or a number, got %s"
                                     % (key, type(value).__name__))
        value = str(value)
        if "\n" in value or "\r" in value:
            raise AnsibleFilterError("key_values: the value of %s must be one line" % key)
        pattern = re.compile(r"^#?\s*%s\s" % re.escape(key))
        wanted = key + separator + value
        matches = [i for i, line in enumerate(lines) if pattern.match(line + "\n")]
        if matches:
            lines[matches[-1]] = wanted
        else:
            lines.append(wanted)
    return "".join(line + "\n" for line in lines)


class FilterModule(object):
    def filters(self):
        return {"key_values": key_values}
