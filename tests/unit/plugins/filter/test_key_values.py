# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""key_values: KEY VALUE settings set in a file's text as lineinfile did, one key at a time."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.frugal.stack.plugins.filter.key_values import key_values

LOGIN_DEFS = """#
# UMASK is the default umask value for pam_umask and is used by
# useradd and newusers to set the mode of the new home directories.
UMASK\t\t022
PASS_MAX_DAYS\t99999
#ENCRYPT_METHOD SHA512
"""


def test_the_last_matching_line_is_replaced_and_missing_keys_appended():
    out = key_values(LOGIN_DEFS, {"UMASK": "027", "PASS_MAX_DAYS": 365, "ENCRYPT_METHOD": "YESCRYPT",
                                  "SHA_CRYPT_MIN_ROUNDS": "5000"})
    assert out == """#
# UMASK is the default umask value for pam_umask and is used by
# useradd and newusers to set the mode of the new home directories.
UMASK\t027
PASS_MAX_DAYS\t365
ENCRYPT_METHOD\tYESCRYPT
SHA_CRYPT_MIN_ROUNDS\t5000
"""


def test_settings_already_there_leave_the_text_as_it_is():
    once = key_values(LOGIN_DEFS, {"UMASK": "027", "SHA_CRYPT_MIN_ROUNDS": "5000"})
    assert key_values(once, {"UMASK": "027", "SHA_CRYPT_MIN_ROUNDS": "5000"}) == once


def test_a_key_is_matched_whole_and_literally():
    text = "PASS_MAX_DAYS_EXTRA 1\nA.B 1\nAxB 2\n"
    out = key_values(text, {"PASS_MAX_DAYS": "9", "A.B": "3"})
    assert out == "PASS_MAX_DAYS_EXTRA 1\nA.B\t3\nAxB 2\nPASS_MAX_DAYS\t9\n"


def test_text_without_a_final_newline_gets_one_before_an_appended_key():
    assert key_values("A 1", {"B": "2"}) == "A 1\nB\t2\n"
    assert key_values("", {"B": "2"}) == "B\t2\n"


@pytest.mark.parametrize("settings,message", [
    ({"": "1"}, "key_values: a key must be a word without spaces, got ''"),
    ({"TWO WORDS": "1"}, "key_values: a key must be a word without spaces, got 'TWO WORDS'"),
    ({"UMASK": "027\nEVIL 1"}, "key_values: the value of UMASK must be one line"),
    ({"UMASK": ["027"]}, "key_values: the value of UMASK must be a string or a number, got list"),
    (["UMASK"], "key_values: settings must be a mapping of keys to values, got list"),
])
def test_bad_settings_are_refused_naming_the_key(settings, message):
    with pytest.raises(AnsibleFilterError) as err:
        key_values(LOGIN_DEFS, settings)
    assert str(err.value) == message
