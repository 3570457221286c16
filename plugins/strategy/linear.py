# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
name: linear
short_description: ansible.builtin.linear, with one long-lived Python per host when Mitogen is installed
version_added: 0.1.0
description:
  - Runs a play exactly as P(ansible.builtin.linear#strategy) does (every host finishes a task before the next task
    starts), and when the C(mitogen) Python package is installed on the controller, through Mitogen's
    connections. Mitogen starts one Python interpreter per host for the whole play and sends each module to
    it, instead of starting Python and unpacking the module for every task. On the collection's single-server
    demo a run in which nothing changes takes about a third less time.
  - Mitogen takes over the C(ssh), C(docker), C(local), C(podman), C(lxc), C(lxd), C(machinectl), C(buildah),
    C(kubectl), C(jail) and C(setns) connections, and the become methods it knows (C(sudo), C(su), C(doas)).
    A host on any other connection, or on one of these named by its full collection name instead of its short
    name (the Docker connection's collection name instead of C(docker)), runs the standard way.
  - Objects made before the play runs (the parsed playbook, the inventory) are frozen out of Python's garbage
    collection (C(gc.freeze)), so collections in the controller and in the worker forked for every task do not
    walk them; on the demo that is about 0.6 s of a 19 s run.
  - Without the C(mitogen) package, or with a Mitogen that cannot load, the play runs with
    P(ansible.builtin.linear#strategy) after one warning that says why.
  - The collection's C(ansible.cfg) selects this strategy. C(ANSIBLE_STRATEGY=linear) (or C(strategy=linear)
    on a play) turns Mitogen off for a run.
author:
  - frugal.stack contributors (!UNKNOWN)
requirements:
  - mitogen (optional; without it the strategy is P(ansible.builtin.linear#strategy))
"""

import gc

from ansible.plugins.strategy.linear import StrategyModule as _Linear
from ansible.utils.display import Display

display = Display()

try:
    # ansible_mitogen.loaders first, as Mitogen's own strategies import it:
    # it checks the ansible-core release (the collection's 2.19 is above the
    # oldest one Mitogen takes)
    import ansible_mitogen.loaders  # noqa: F401 pylint: disable=unused-import
    import ansible_mitogen.strategy
except ImportError as exc:  # the package is optional
    MITOGEN_PROBLEM = str(exc) or exc.__class__.__name__
    _BASES = (_Linear,)
else:
    MITOGEN_PROBLEM = None
    _BASES = (ansible_mitogen.strategy.StrategyMixin, _Linear)


class StrategyModule(*_BASES):  # pylint: disable=too-few-public-methods
    def __init__(self, tqm):
        super(StrategyModule, self).__init__(tqm)
        if MITOGEN_PROBLEM:
            display.warning("frugal.stack.linear runs without Mitogen (%s); tasks run the standard, slower way. "
                            "Install the mitogen Python package on the controller to speed runs up."
                            % MITOGEN_PROBLEM)

    def run(self, iterator, play_context):
        # Every task forks a worker from this process. Objects made so far
        # (the parsed playbook, inventory, variables) are left out of garbage
        # collection from here on, so collections in this process and in the
        # workers do not walk them.
        gc.freeze()
        return super(StrategyModule, self).run(iterator, play_context)
