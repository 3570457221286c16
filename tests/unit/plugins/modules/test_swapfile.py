# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""swapfile module tests.

Files, signatures (real mkswap) and fstab edits are real, in a temporary
directory. Only swapon/swapoff and /proc/swaps are stood in for: they act on
the host kernel's global swap list, which a unit test must not touch.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import helpers
import pytest

from ansible.module_utils import basic
from ansible_collections.frugal.stack.plugins.modules import swapfile

MIB = 1024 * 1024


class Kernel:
    """Stands in for the host's swap list: records swapon/swapoff calls."""

    def __init__(self, tmp_path):
        self.proc = tmp_path / "proc_swaps"
        self.active = []
        self.calls = []
        self.write()

    def write(self):
        lines = ["Filename\tType\tSize\tUsed\tPriority"]
        lines += ["%s\tfile\t1024\t0\t-2" % path for path in self.active]
        self.proc.write_text("\n".join(lines) + "\n")


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    k = Kernel(tmp_path)
    monkeypatch.setattr(swapfile, "PROC_SWAPS", str(k.proc))
    real_run = basic.AnsibleModule.run_command

    def run_command(self, args, **kwargs):
        if args[0] in ("swapon", "swapoff"):
            path = args[-1]
            k.calls.append(args)
            if args[0] == "swapon":
                k.active.append(path)
            else:
                k.active.remove(path)
            k.write()
            return 0, "", ""
        return real_run(self, args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    return k


def run_module(capsys, args, check_mode=False, diff=False):
    result = helpers.run_module(swapfile, capsys, args, check_mode, diff)
    result["_rc"] = 1 if result.get("failed") else 0
    return result


@pytest.fixture
def paths(tmp_path):
    fstab = tmp_path / "fstab"
    fstab.write_text("UUID=abc / ext4 defaults 0 1\n")
    return {"path": str(tmp_path / "swapfile"), "fstab": str(fstab), "min_free_mb": 0}


def test_creates_activates_and_records(capsys, kernel, paths):
    result = run_module(capsys, dict(paths, size_mb=4))
    assert result["_rc"] == 0 and result["changed"]
    assert result["actions"] == ["create", "swapon", "fstab"]
    assert os.path.getsize(paths["path"]) == 4 * MIB
    assert os.stat(paths["path"]).st_mode & 0o777 == 0o600
    assert swapfile.has_swap_signature(paths["path"])
    assert kernel.active == [paths["path"]]
    assert open(paths["fstab"]).read().splitlines() == [
        "UUID=abc / ext4 defaults 0 1", paths["path"] + " none swap sw 0 0"]
    assert not os.path.exists(paths["path"] + ".frugal-tmp")


def test_second_run_changes_nothing(capsys, kernel, paths):
    run_module(capsys, dict(paths, size_mb=4))
    before = os.stat(paths["path"]).st_mtime_ns
    result = run_module(capsys, dict(paths, size_mb=4))
    assert not result["changed"] and result["actions"] == []
    assert result["active"] and result["size_mb"] == 4
    assert os.stat(paths["path"]).st_mtime_ns == before
    assert len(kernel.calls) == 1


def test_check_mode_reports_without_touching(capsys, kernel, paths):
    result = run_module(capsys, dict(paths, size_mb=4), check_mode=True, diff=True)
    assert result["changed"] and result["actions"] == ["create", "swapon", "fstab"]
    assert not os.path.exists(paths["path"])
    assert kernel.calls == []
    assert "no swap file" in result["diff"]["before"]
    assert "size_mb: 4" in result["diff"]["after"]


def test_reactivates_an_inactive_file_and_repairs_fstab(capsys, kernel, paths):
    run_module(capsys, dict(paths, size_mb=4))
    kernel.active.clear()
    kernel.write()
    with open(paths["fstab"], "a") as fh:
        fh.write(paths["path"] + " none swap sw 0 0\n")  # a duplicate entry
    result = run_module(capsys, dict(paths, size_mb=4))
    assert result["actions"] == ["swapon", "fstab"]
    lines = open(paths["fstab"]).read().splitlines()
    assert lines.count(paths["path"] + " none swap sw 0 0") == 1


def test_resize_turns_swap_off_then_recreates(capsys, kernel, paths):
    run_module(capsys, dict(paths, size_mb=4))
    result = run_module(capsys, dict(paths, size_mb=6, priority=5))
    assert result["actions"] == ["swapoff", "create", "swapon", "fstab"]
    assert os.path.getsize(paths["path"]) == 6 * MIB
    assert kernel.calls[-1] == ["swapon", "-p", "5", paths["path"]]
    assert paths["path"] + " none swap sw,pri=5 0 0" in open(paths["fstab"]).read()


def test_refuses_to_overwrite_a_file_that_is_not_swap(capsys, kernel, paths):
    with open(paths["path"], "w") as fh:
        fh.write("precious data\n")
    result = run_module(capsys, dict(paths, size_mb=4))
    assert result["_rc"] == 1 and result["failed"]
    assert "is not a swap file; refusing to overwrite" in result["msg"]
    assert open(paths["path"]).read() == "precious data\n"
    assert kernel.calls == []


def test_refuses_to_delete_a_file_that_is_not_swap(capsys, kernel, paths):
    with open(paths["path"], "w") as fh:
        fh.write("precious data\n")
    result = run_module(capsys, dict(paths, state="absent"))
    assert result["failed"] and "refusing to delete" in result["msg"]
    assert os.path.exists(paths["path"])


def test_absent_turns_off_removes_entry_and_file(capsys, kernel, paths):
    run_module(capsys, dict(paths, size_mb=4))
    result = run_module(capsys, dict(paths, state="absent"))
    assert result["actions"] == ["swapoff", "delete", "fstab"]
    assert not os.path.exists(paths["path"])
    assert kernel.active == []
    assert open(paths["fstab"]).read() == "UUID=abc / ext4 defaults 0 1\n"
    again = run_module(capsys, dict(paths, state="absent"))
    assert not again["changed"]


@pytest.mark.parametrize("fstype, shown", [("overlayfs", "overlay"), ("tmpfs", "tmpfs"), ("btrfs", "btrfs")])
def test_refuses_filesystems_that_cannot_hold_swap(capsys, kernel, paths, monkeypatch, fstype, shown):
    real_run = basic.AnsibleModule.run_command

    def run_command(self, args, **kwargs):
        if args[:2] == ["stat", "-f"]:
            return 0, fstype + "\n", ""
        return real_run(self, args, **kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    result = run_module(capsys, dict(paths, size_mb=4))
    assert result["failed"]
    assert paths["path"] in result["msg"] and shown in result["msg"]
    assert result["filesystem"] == fstype
    assert not os.path.exists(paths["path"])


def test_refuses_when_the_disk_would_fill(capsys, kernel, paths):
    result = run_module(capsys, dict(paths, size_mb=4, min_free_mb=10 ** 9))
    assert result["failed"] and "not enough space" in result["msg"]
    assert not os.path.exists(paths["path"])


@pytest.mark.parametrize("args, fragment", [
    ({"size_mb": 0}, "size_mb must be at least 1"),
    ({"size_mb": -3}, "size_mb must be at least 1"),
    ({"state": "present"}, "size_mb"),
    ({"size_mb": 4, "path": "relative/swap"}, "absolute path"),
    ({"size_mb": 4, "path": "/with space/swap"}, "absolute path"),
    ({"size_mb": "lots"}, "size_mb"),
])
def test_bad_input_fails_naming_the_option(capsys, kernel, paths, args, fragment):
    result = run_module(capsys, dict(paths, **args))
    assert result["failed"] and fragment in result["msg"]
    assert kernel.calls == [] and not os.path.exists(paths["path"])


def test_missing_directory_is_reported(capsys, kernel, paths, tmp_path):
    result = run_module(capsys, dict(paths, path=str(tmp_path / "nowhere" / "swap"), size_mb=4))
    assert result["failed"] and "does not exist" in result["msg"]
