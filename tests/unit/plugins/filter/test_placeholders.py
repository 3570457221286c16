# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""placeholders filter tests: every CHANGE-ME value is named by its path, however deep; nothing else is."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

import pytest

from ansible.errors import AnsibleError, AnsibleFilterError
from ansible_collections.frugal.stack.plugins.filter.placeholders import placeholders


class Unreadable(Mapping):
    """Like hostvars: a setting whose template fails raises when it is read."""

    def __init__(self, values, broken):
        self.values, self.broken = values, broken

    def __getitem__(self, key):
        if key in self.broken:
            raise AnsibleError("template error in %s" % key)
        return self.values[key]

    def __iter__(self):
        return iter(list(self.values) + list(self.broken))

    def __len__(self):
        return len(self.values) + len(self.broken)


def test_values_are_named_by_their_path_at_any_depth():
    host = {
        "redis_password": "CHANGE-ME-redis-password",
        "postgresql_users": [{"name": "shop", "password": "CHANGE-ME"}, {"name": "ro", "password": "s3cret"}],
        "app_server_env": {"DATABASE_URL": "postgresql://shop:CHANGE-ME@db1/shop", "DEBUG": "0"},
        "nested": {"a": [["x", {"b": ("CHANGE-ME",)}]]},
        "certbot_email": "ops@example.com",
        "app_server_workers": 3,
        "firewall_enabled": True,
        "nothing": None,
    }
    assert placeholders(host) == ["app_server_env.DATABASE_URL", "nested.a[0][1].b[0]",
                                  "postgresql_users[0].password", "redis_password"]


def test_ansible_variables_are_not_read_and_a_failing_template_is_skipped():
    host = Unreadable({"groups": {"CHANGE-ME": ["h"]}, "ansible_facts": {"x": "CHANGE-ME"},
                       "token": "CHANGE-ME"}, broken=["vaulted"])
    assert placeholders(host) == ["token"]


def test_another_marker():
    assert placeholders({"a": "TODO", "b": "CHANGE-ME"}, marker="TODO") == ["a"]
    assert placeholders({"a": "set", "b": ["fine"]}) == []


@pytest.mark.parametrize("value, marker", [(["CHANGE-ME"], "CHANGE-ME"), ("CHANGE-ME", "CHANGE-ME"),
                                           ({"a": "b"}, ""), ({"a": "b"}, 3)])
def test_bad_arguments(value, marker):
    with pytest.raises(AnsibleFilterError, match="placeholders: "):
        placeholders(value, marker=marker)
