# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""config_files against real files in a temporary directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pwd
import stat

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.modules import config_files

ME = pwd.getpwuid(os.getuid()).pw_name


def run_module(capsys, args, check_mode=False, diff=False):
    return helpers.run_module(config_files, capsys, args, check_mode, diff)


def spec(path, content, **kw):
    return dict(path=str(path), content=content, owner=ME, group=ME if ME != "root" else "root", **kw)


def test_writes_with_parents_then_leaves_alone(capsys, tmp_path):
    a, b = tmp_path / "etc" / "x.d" / "a.conf", tmp_path / "b.conf"
    files = [spec(a, "a=1\n", mode="0640"), spec(b, "b=2\n")]
    first = run_module(capsys, {"files": files})
    assert first["changed"] and first["changed_files"] == [str(a), str(b)]
    assert a.read_text() == "a=1\n" and stat.S_IMODE(a.stat().st_mode) == 0o640
    assert stat.S_IMODE(a.parent.stat().st_mode) == 0o755
    mtime = a.stat().st_mtime_ns
    second = run_module(capsys, {"files": files})
    assert not second["changed"] and second["changed_files"] == []
    assert a.stat().st_mtime_ns == mtime


def test_only_the_changed_file_is_reported_with_a_diff(capsys, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    run_module(capsys, {"files": [spec(a, "one\n"), spec(b, "two\n")]})
    result = run_module(capsys, {"files": [spec(a, "one\n"), spec(b, "three\n")]}, diff=True)
    assert result["changed_files"] == [str(b)]
    assert result["diff"] == [{"before_header": str(b), "after_header": str(b), "before": "two\n", "after": "three\n"}]


def test_mode_drift_is_repaired(capsys, tmp_path):
    a = tmp_path / "a"
    run_module(capsys, {"files": [spec(a, "x\n")]})
    a.chmod(0o666)
    result = run_module(capsys, {"files": [spec(a, "x\n")]})
    assert result["changed"] and stat.S_IMODE(a.stat().st_mode) == 0o644


def test_check_mode_writes_nothing(capsys, tmp_path):
    a = tmp_path / "new" / "a"
    result = run_module(capsys, {"files": [spec(a, "x\n")]}, check_mode=True)
    assert result["changed"] and not a.exists() and not a.parent.exists()


def test_absent_removes_only_existing_files(capsys, tmp_path):
    a = tmp_path / "a"
    a.write_text("old\n")
    result = run_module(capsys, {"files": [dict(path=str(a), state="absent"),
                                           dict(path=str(tmp_path / "never"), state="absent")]})
    assert result["changed_files"] == [str(a)] and not a.exists()


def test_validation_failure_keeps_the_old_file(capsys, tmp_path):
    a = tmp_path / "a"
    run_module(capsys, {"files": [spec(a, "good\n")]})
    result = run_module(capsys, {"files": [spec(a, "bad\n", validate="grep -q good %s")]})
    assert result["failed"] and "failed validation" in result["msg"] and str(a) in result["msg"]
    assert a.read_text() == "good\n"
    assert sorted(os.listdir(tmp_path)) == ["a"]  # no temporary file left behind


def test_validation_success_goes_live(capsys, tmp_path):
    a = tmp_path / "a"
    result = run_module(capsys, {"files": [spec(a, "good\n", validate="grep -q good %s")]})
    assert result["changed"] and a.read_text() == "good\n"


@pytest.mark.parametrize("file_spec, message", [
    ({"path": "relative/a", "content": "x"}, "must be absolute"),
    ({"path": "{dir}/a"}, "content is required"),
    ({"path": "{dir}/a", "content": "x", "mode": "rw-r--r--"}, "octal string"),
    ({"path": "{dir}/a", "content": "x", "owner": "no-such-user-here"}, "no such owner"),
])
def test_bad_input_fails_before_writing(capsys, tmp_path, file_spec, message):
    never = tmp_path / "never"
    good = spec(tmp_path / "good", "x\n")
    bad = dict(file_spec, path=file_spec["path"].format(dir=never))
    result = run_module(capsys, {"files": [good, bad]})
    assert result["failed"] and message in result["msg"]
    assert not never.exists() and not (tmp_path / "good").exists()


def test_a_directory_is_refused(capsys, tmp_path):
    result = run_module(capsys, {"files": [spec(tmp_path, "x")]})
    assert result["failed"] and "is a directory" in result["msg"]


def test_duplicate_paths_are_refused(capsys, tmp_path):
    result = run_module(capsys, {"files": [spec(tmp_path / "a", "x"), spec(tmp_path / "a", "y")]})
    assert result["failed"] and "listed twice" in result["msg"]


def tree_check(root, command):
    return {"root": str(root), "command": command}


def test_check_sees_the_whole_new_tree_before_anything_is_written(capsys, tmp_path):
    # the command runs against a staged copy of root holding every new file at once
    root = tmp_path / "etc"
    main, site = root / "main.conf", root / "sites" / "a.conf"
    run_module(capsys, {"files": [spec(main, "include sites/a.conf\n"), spec(site, "ok\n")]})
    command = "sh -c 'test \"$(cat %s/sites/a.conf)\" = ok && grep -q include %s/main.conf'"
    good = run_module(capsys, {"files": [spec(main, "include sites/a.conf # v2\n"), spec(site, "ok\n")],
                               "check": tree_check(root, command)})
    assert good["changed_files"] == [str(main)] and main.read_text() == "include sites/a.conf # v2\n"
    bad = run_module(capsys, {"files": [spec(main, "include sites/a.conf # v3\n"), spec(site, "broken\n")],
                              "check": tree_check(root, command)})
    assert bad["failed"] and "nothing was written" in bad["msg"]
    assert main.read_text() == "include sites/a.conf # v2\n" and site.read_text() == "ok\n"
    assert str(tmp_path) not in bad["msg"].replace(str(root), "ROOT")  # staged paths are shown as the real ones


def test_check_is_skipped_when_nothing_changes(capsys, tmp_path):
    root = tmp_path / "etc"
    a = root / "a.conf"
    run_module(capsys, {"files": [spec(a, "x\n")]})
    result = run_module(capsys, {"files": [spec(a, "x\n")], "check": tree_check(root, "false %s")})
    assert not result["changed"]


def test_check_needs_files_under_root_and_a_placeholder(capsys, tmp_path):
    a = tmp_path / "a"
    outside = run_module(capsys, {"files": [spec(a, "x\n")], "check": tree_check(tmp_path / "etc", "true %s")})
    assert outside["failed"] and "not under" in outside["msg"] and str(a) in outside["msg"]
    nohole = run_module(capsys, {"files": [spec(a, "x\n")], "check": tree_check(tmp_path, "true")})
    assert nohole["failed"] and "%s" in nohole["msg"]


def test_purge_removes_unlisted_files_matching_the_glob_only(capsys, tmp_path):
    keep, stale, other = tmp_path / "frugal-a.conf", tmp_path / "frugal-old.conf", tmp_path / "default"
    stale.write_text("old\n")
    other.write_text("not ours\n")
    result = run_module(capsys, {"files": [spec(keep, "a\n")], "purge": [str(tmp_path / "frugal-*.conf")]},
                        check_mode=True)
    assert sorted(result["changed_files"]) == sorted([str(keep), str(stale)]) and stale.exists()
    result = run_module(capsys, {"files": [spec(keep, "a\n")], "purge": [str(tmp_path / "frugal-*.conf")]})
    assert not stale.exists() and other.exists() and keep.exists()
    again = run_module(capsys, {"files": [spec(keep, "a\n")], "purge": [str(tmp_path / "frugal-*.conf")]})
    assert not again["changed"]


def test_secret_files_show_no_content_in_the_diff(capsys, tmp_path):
    a = tmp_path / "env"
    result = run_module(capsys, {"files": [spec(a, "TOKEN=hunter2\n", mode="0600", secret=True)]}, diff=True)
    assert "hunter2" not in str(result["diff"]) and a.read_text() == "TOKEN=hunter2\n"


def test_secret_content_is_kept_out_of_the_whole_result(capsys, tmp_path):
    # the registered result (module arguments included) can then be read and
    # printed without no_log, which would hide changed_files too
    a, b = tmp_path / "pgpass", tmp_path / "pg_hba.conf"
    result = run_module(capsys, {"files": [spec(a, "*:5432:replication:rep:s3cr3t-pw\n", mode="0600", secret=True),
                                           spec(b, "local all postgres peer\n")]})
    assert result["changed_files"] == [str(a), str(b)]
    assert "s3cr3t-pw" not in json.dumps(result) and "local all postgres peer" in json.dumps(result)
