# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base role's cleanup script, run against real files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import os
import time

import helpers
import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "base", "files", "frugal_cleanup.py")
DAY = 86400


@pytest.fixture(scope="module")
def cleanup():
    return helpers.load_script("frugal_cleanup", SCRIPT)


def make(path, age_days, content=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    when = time.time() - age_days * DAY
    os.utime(path, (when, when))
    return path


def test_deletes_only_old_matching_regular_files(cleanup, tmp_path):
    old = make(tmp_path / "media/user_1/video/old.mp4", 10, b"12345")
    new = make(tmp_path / "media/user_1/video/new.mp4", 3)
    other_user = make(tmp_path / "media/user_2/video/old.mp4", 8)
    audio = make(tmp_path / "media/user_1/audio/old.mp3", 30)
    outside = make(tmp_path / "outside/target.mp4", 30)
    (tmp_path / "media/user_1/video/link.mp4").symlink_to(outside)
    (tmp_path / "media/user_1/video/linkdir").symlink_to(outside.parent)
    rule = {"path": str(tmp_path / "media/user_*/video"), "max_age_days": 7}
    out = io.StringIO()
    removed, size, errors = cleanup.clean_rule(rule, time.time(), out=out)
    assert (removed, size, errors) == (2, 6, 0)
    assert not old.exists() and not other_user.exists()
    assert new.exists() and audio.exists() and outside.exists()
    assert (tmp_path / "media/user_1/video/link.mp4").is_symlink()
    assert (tmp_path / "media/user_1/video").is_dir()


def test_pattern_limits_what_is_deleted(cleanup, tmp_path):
    log = make(tmp_path / "logs/app.log", 40)
    txt = make(tmp_path / "logs/keep.txt", 40)
    nested = make(tmp_path / "logs/sub/deep.log", 40)
    rule = {"path": str(tmp_path / "logs"), "max_age_days": 30, "pattern": "*.log"}
    assert cleanup.clean_rule(rule, time.time(), out=io.StringIO())[0] == 2
    assert not log.exists() and not nested.exists() and txt.exists()


def test_dry_run_deletes_nothing(cleanup, tmp_path):
    old = make(tmp_path / "d/old", 10)
    rule = {"path": str(tmp_path / "d"), "max_age_days": 1}
    assert cleanup.clean_rule(rule, time.time(), dry_run=True, out=io.StringIO())[0] == 1
    assert old.exists()


@pytest.mark.parametrize("path", ["/", "/etc", "/var/lib", "/var/log/", "/usr"])
def test_system_directories_are_refused(cleanup, path):
    out = io.StringIO()
    assert cleanup.clean_rule({"path": path, "max_age_days": 1}, time.time() + 10 ** 9, out=out) == (0, 0, 0)
    assert "skipped" in out.getvalue()


def test_a_directory_given_as_a_link_is_refused(cleanup, tmp_path):
    target = make(tmp_path / "real/old", 10)
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    out = io.StringIO()
    assert cleanup.clean_rule({"path": str(tmp_path / "alias"), "max_age_days": 1}, time.time(), out=out)[0] == 0
    assert target.exists()


def test_errors_make_the_run_fail(cleanup, tmp_path, monkeypatch, capsys):
    make(tmp_path / "d/old", 10)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"path": str(tmp_path / "d"), "max_age_days": 1}]))

    def refuse(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(cleanup.os, "unlink", refuse)
    assert cleanup.main(["--rules", str(rules)]) == 1
    assert "1 errors" in capsys.readouterr().out


def test_main_reports_per_rule(cleanup, tmp_path, capsys):
    make(tmp_path / "d/old", 10, b"abc")
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"path": str(tmp_path / "d"), "max_age_days": 1}]))
    assert cleanup.main(["--rules", str(rules)]) == 0
    assert "removed 1 files (3 bytes) older than 1 days matching *, 0 errors" in capsys.readouterr().out
