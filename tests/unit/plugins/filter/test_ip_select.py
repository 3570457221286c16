# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.frugal.stack.plugins.filter.ip_select import ip_select

MIXED = ["192.0.2.7", "2001:db8::1", "10.1.2.3/8", "2001:db8:1::/48", "192.0.2.7", "198.51.100.0/24"]


def test_keeps_the_version_asked_for_as_given_each_once_in_order():
    assert ip_select(MIXED, 4) == ["192.0.2.7", "10.1.2.3/8", "198.51.100.0/24"]
    assert ip_select(MIXED, 6) == ["2001:db8::1", "2001:db8:1::/48"]


def test_network_form_gives_every_entry_its_prefix():
    assert ip_select(MIXED, 4, network=True) == ["192.0.2.7/32", "10.0.0.0/8", "198.51.100.0/24"]
    assert ip_select(MIXED, 6, network=True) == ["2001:db8::1/128", "2001:db8:1::/48"]


def test_entries_that_normalise_alike_are_kept_once():
    assert ip_select(["10.1.2.3/8", "10.0.0.0/8"], 4, network=True) == ["10.0.0.0/8"]


def test_an_empty_list_and_a_list_without_the_version_give_nothing():
    assert ip_select([], 4) == []
    assert ip_select(["192.0.2.7"], 6) == []


@pytest.mark.parametrize("bad", ["not-an-address", "300.1.2.3", "10.0.0.0/33", "", 7, None])
def test_an_entry_that_is_not_an_address_fails_naming_it(bad):
    with pytest.raises(AnsibleFilterError, match="is not an address or a network"):
        ip_select(["192.0.2.7", bad], 4)


@pytest.mark.parametrize("values", ["192.0.2.7", {"a": 1}, 4])
def test_a_value_that_is_not_a_list_fails(values):
    with pytest.raises(AnsibleFilterError, match="expects a list"):
        ip_select(values, 4)


@pytest.mark.parametrize("version", [5, "4", None])
def test_the_version_must_be_4_or_6(version):
    with pytest.raises(AnsibleFilterError, match="must be 4 or 6"):
        ip_select(["192.0.2.7"], version)
