# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""paths against real directories and files in a temporary directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import os
import pwd
import stat

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.modules import paths

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def run_module(capsys, args, check_mode=False, diff=False):
    return helpers.run_module(paths, capsys, args, check_mode, diff)


def entry(path, **kw):
    return dict(dict(path=str(path), owner=ME, group=MY_GROUP), **kw)


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def test_creates_directories_with_parents_then_leaves_them_alone(capsys, tmp_path):
    top, deep = tmp_path / "app", tmp_path / "app" / "shared" / "media"
    wanted = [entry(top, mode="0755"), entry(deep, mode="0750")]
    first = run_module(capsys, {"paths": wanted})
    assert first["changed"] and first["changed_paths"] == [str(top), str(deep)]
    assert deep.is_dir() and mode_of(deep) == 0o750 and mode_of(top) == 0o755
    # a parent the list does not name is created with directory_mode
    assert mode_of(deep.parent) == 0o755
    second = run_module(capsys, {"paths": wanted})
    assert not second["changed"] and second["changed_paths"] == []


def test_mode_drift_is_repaired_and_shown_in_the_diff(capsys, tmp_path):
    d = tmp_path / "d"
    d.mkdir(mode=0o700)
    os.chmod(str(d), 0o740)
    result = run_module(capsys, {"paths": [entry(d, mode="0750")]}, diff=True)
    assert result["changed_paths"] == [str(d)] and mode_of(d) == 0o750
    assert result["diff"] == [{"before_header": str(d), "after_header": str(d),
                               "before": "mode 0740\n", "after": "mode 0750\n"}]


def test_attributes_of_existing_files_only(capsys, tmp_path):
    present, missing = tmp_path / "crontab", tmp_path / "cron.monthly"
    present.write_text("x\n")
    os.chmod(str(present), 0o644)
    wanted = [entry(present, state="attributes", mode="0600"), entry(missing, state="attributes", mode="0700")]
    result = run_module(capsys, {"paths": wanted})
    assert result["changed_paths"] == [str(present)] and result["missing"] == [str(missing)]
    assert mode_of(present) == 0o600 and not missing.exists()
    assert present.read_text() == "x\n"


def test_check_mode_reports_and_changes_nothing(capsys, tmp_path):
    new, drifted = tmp_path / "new", tmp_path / "drifted"
    drifted.mkdir()
    os.chmod(str(drifted), 0o740)
    result = run_module(capsys, {"paths": [entry(new, mode="0750"), entry(drifted, mode="0700")]}, check_mode=True)
    assert result["changed"] and result["changed_paths"] == [str(new), str(drifted)]
    assert not new.exists() and mode_of(drifted) == 0o740


def test_a_file_where_a_directory_is_wanted_is_refused_before_any_change(capsys, tmp_path):
    first, clash = tmp_path / "first", tmp_path / "clash"
    clash.write_text("data\n")
    result = run_module(capsys, {"paths": [entry(first, mode="0750"), entry(clash, mode="0750")]})
    assert result["failed"] and str(clash) in result["msg"] and "not a directory" in result["msg"]
    assert not first.exists() and clash.read_text() == "data\n"


@pytest.mark.parametrize("field, value, words", [
    ("mode", "u+rwx", "octal"),
    ("mode", "0999", "octal"),
    ("owner", "no-such-user-here", "no such owner"),
    ("group", "no-such-group-here", "no such group"),
    ("path", "relative/dir", "absolute"),
])
def test_bad_entries_are_named_before_any_change(capsys, tmp_path, field, value, words):
    good = tmp_path / "good"
    bad = entry(tmp_path / "bad", mode="0750")
    bad[field] = value
    result = run_module(capsys, {"paths": [entry(good, mode="0750"), bad]})
    assert result["failed"] and words in result["msg"] and value in result["msg"]
    assert not good.exists()


def test_a_path_listed_twice_is_refused(capsys, tmp_path):
    d = tmp_path / "d"
    result = run_module(capsys, {"paths": [entry(d, mode="0750"), entry(d, mode="0700")]})
    assert result["failed"] and "listed twice" in result["msg"] and not d.exists()


def test_a_symlink_is_followed_like_the_file_module_does(capsys, tmp_path):
    # an operator may move /srv/app to a bigger disk and link it back
    target = tmp_path / "disk" / "app"
    target.mkdir(parents=True)
    os.chmod(str(target), 0o700)
    link = tmp_path / "app"
    link.symlink_to(target)
    result = run_module(capsys, {"paths": [entry(link, mode="0755")]})
    assert result["changed_paths"] == [str(link)] and mode_of(target) == 0o755 and link.is_symlink()
