# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the config_files and paths modules share: the octal modes they accept and the parents they create."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

OCTAL_MODE = re.compile(r"^0?[0-7]{3,4}$")


def is_octal_mode(value):
    """True for a mode written as an octal string such as "0644" or "750"."""
    return bool(OCTAL_MODE.match(value or ""))


def make_parents(directory, mode):
    """Create the missing directories down to directory, each with mode (the umask does not narrow it)."""
    missing = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    for path in reversed(missing):
        os.mkdir(path, mode)
        os.chmod(path, mode)
