# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Release identities shared by the app_release module (on the host) and the tree_digest filter (on the controller)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import stat

# Never part of a release: version control, local environments, byte code.
SKIP_DIRS = frozenset([".git", ".hg", ".svn", ".venv", "venv", "__pycache__", ".tox", ".nox", "node_modules",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache"])
SKIP_SUFFIXES = (".pyc", ".pyo")
ID_LENGTH = 12


def walk(root):
    """Relative paths of the files and symlinks that make up a source tree, sorted."""
    found = []
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        # a symlink to a directory is kept as a link, not followed
        links = [d for d in dirs if os.path.islink(os.path.join(here, d))]
        dirs[:] = [d for d in dirs if d not in links]
        found += [os.path.relpath(os.path.join(here, name), root)
                  for name in files + links if not name.endswith(SKIP_SUFFIXES)]
    return sorted(found)


def tree_digest(root):
    """A content hash of a source tree: paths, executable bits, link targets and file contents."""
    digest = hashlib.sha256()
    for rel in walk(root):
        path = os.path.join(root, rel)
        st = os.lstat(path)
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        if stat.S_ISLNK(st.st_mode):
            digest.update(b"L" + os.readlink(path).encode("utf-8", "surrogateescape"))
        else:
            digest.update(b"X" if st.st_mode & 0o111 else b"F")
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 16), b""):
                    digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()[:ID_LENGTH]


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()[:ID_LENGTH]
