# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Release identity of a source tree on the controller."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleFilterError
from ansible_collections.frugal.stack.plugins.module_utils._release import tree_digest as _tree_digest


def tree_digest(path):
    """The id frugal.stack.app_release gives a release built from this directory."""
    if not isinstance(path, str) or not os.path.isdir(path):
        raise AnsibleFilterError("tree_digest: %r is not a directory on the controller" % (path,))
    return _tree_digest(path)


class FilterModule(object):
    def filters(self):
        return {"tree_digest": tree_digest}
