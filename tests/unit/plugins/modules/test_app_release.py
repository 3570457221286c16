# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""app_release building real virtualenvs from local sources (no package index: --no-index, vendored wheels)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import os
import subprocess
import sys
import zipfile

import helpers
import pytest

from ansible_collections.frugal.stack.plugins.filter.release import tree_digest
from ansible_collections.frugal.stack.plugins.modules import app_release

OFFLINE = ["--no-index"]
PYTHON = sys.executable if sys.prefix == sys.base_prefix else os.path.join(sys.base_prefix, "bin", "python3")


def run_module(capsys, args, check_mode=False, diff=False):
    base = dict(pip_args=OFFLINE, python=PYTHON)
    base.update(args)
    return helpers.run_module(app_release, capsys, base, check_mode, diff)


def project(path, version="1.0"):
    """An app tree the usual way: code plus a requirements.txt (here naming a vendored wheel, no index needed)."""
    (path / "vendor").mkdir(parents=True, exist_ok=True)
    wheel(path / "vendor", version)
    (path / "requirements.txt").write_text("./vendor/wheeled-%s-py3-none-any.whl\n" % version)
    (path / "hello.py").write_text("import wheeled\nVERSION = wheeled.VERSION\n")
    (path / ".git").mkdir(exist_ok=True)
    (path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return path


def wheel(path, version):
    """A minimal valid wheel of package `wheeled`, written by hand (no build tools needed)."""
    dist = "wheeled-%s.dist-info" % version
    files = {"wheeled/__init__.py": "VERSION = %r\n" % version,
             dist + "/METADATA": "Metadata-Version: 2.1\nName: wheeled\nVersion: %s\n" % version,
             dist + "/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(text)))
    record.append(dist + "/RECORD,,")
    target = path / ("wheeled-%s-py3-none-any.whl" % version)
    with zipfile.ZipFile(str(target), "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
        zf.writestr(dist + "/RECORD", "\n".join(record) + "\n")
    return target


def venv_python(release_path, code):
    return subprocess.run([os.path.join(release_path, ".venv", "bin", "python"), "-c", code],
                          capture_output=True, text=True, check=True, cwd="/").stdout.strip()


def test_tree_builds_once_with_the_controller_side_id(capsys, tmp_path):
    src = project(tmp_path / "src")
    root = tmp_path / "app"
    check = run_module(capsys, {"root": str(root), "source": str(src)}, check_mode=True)
    assert check["changed"] and check["built"] and not root.exists()
    first = run_module(capsys, {"root": str(root), "source": str(src)})
    assert not first.get("failed"), first.get("msg")
    assert first["changed"] and first["release"] == tree_digest(str(src))
    path = first["path"]
    assert venv_python(path, "import wheeled; print(wheeled.VERSION)") == "1.0"
    assert (root / "releases" / first["release"] / "hello.py").exists()
    assert not os.path.exists(os.path.join(path, ".git"))
    assert oct(os.stat(path).st_mode & 0o777) == "0o750"
    assert oct(os.stat(os.path.join(path, "hello.py")).st_mode & 0o777) == "0o640"
    again = run_module(capsys, {"root": str(root), "source": str(src)})
    assert not again["changed"] and again["release"] == first["release"]
    assert run_module(capsys, {"root": str(root), "source": str(src)}, check_mode=True)["changed"] is False


def test_public_directories_are_readable_by_all_and_the_rest_is_not(capsys, tmp_path):
    src = project(tmp_path / "src")
    (src / "static" / "css").mkdir(parents=True)
    (src / "static" / "css" / "site.css").write_text("body {}\n")
    result = run_module(capsys, {"root": str(tmp_path / "app"), "source": str(src), "public": ["static"]})
    path = result["path"]
    assert os.stat(os.path.join(path, "static", "css", "site.css")).st_mode & 0o004
    assert os.stat(os.path.join(path, "static", "css")).st_mode & 0o005 == 0o005
    assert os.stat(path).st_mode & 0o007 == 0o001  # search only
    assert not os.stat(os.path.join(path, "hello.py")).st_mode & 0o004
    bad = run_module(capsys, {"root": str(tmp_path / "app2"), "source": str(src), "public": ["../x"]})
    assert bad["failed"] and "public entry '../x'" in bad["msg"]


def test_half_built_release_is_rebuilt(capsys, tmp_path):
    src = project(tmp_path / "src")
    root = tmp_path / "app"
    leftover = root / "releases" / tree_digest(str(src))
    leftover.mkdir(parents=True)
    (leftover / "junk").write_text("from an interrupted run\n")
    result = run_module(capsys, {"root": str(root), "source": str(src)})
    assert result["built"] and not (leftover / "junk").exists() and (leftover / ".frugal-release.json").exists()


def test_build_commands_run_in_the_release_and_a_failing_one_fails_the_build(capsys, tmp_path):
    src = project(tmp_path / "src")
    root = tmp_path / "app"
    ok = run_module(capsys, {"root": str(root), "source": str(src), "release": "r1",
                             "commands": ["python -c 'import wheeled' && echo built > collected.txt"]})
    assert ok["built"] and (root / "releases" / "r1" / "collected.txt").read_text() == "built\n"
    bad = run_module(capsys, {"root": str(root), "source": str(src), "release": "r2", "commands": ["exit 3"]})
    assert bad["failed"] and "build command 'exit 3' failed (rc=3)" in bad["msg"]
    assert not (root / "releases" / "r2").exists()


def test_pip_failure_leaves_nothing_and_names_the_release(capsys, tmp_path):
    src = project(tmp_path / "src")
    (src / "requirements.txt").write_text("package-that-is-not-in-any-index==9.9\n")
    root = tmp_path / "app"
    result = run_module(capsys, {"root": str(root), "source": str(src), "release": "r1"})
    assert result["failed"] and "release r1: pip install failed" in result["msg"]
    assert "package-that-is-not-in-any-index" in result["msg"]
    assert not (root / "releases" / "r1").exists()


def test_wheel_source_and_pruning_keeps_current(capsys, tmp_path):
    root = tmp_path / "app"
    ids = []
    for n in range(4):
        result = run_module(capsys, {"root": str(root), "source": str(wheel(tmp_path, "1.%d" % n)), "keep": 2})
        ids.append(result["release"])
        if n == 0:
            (root / "current").symlink_to(os.path.join("releases", result["release"]))
            assert venv_python(result["path"], "import wheeled; print(wheeled.VERSION)") == "1.0"
    # releases 0 (current) and 3 (just built) stay; 1 and 2 went as newer ones came
    assert sorted(os.listdir(root / "releases")) == sorted([ids[0], ids[3]])
    assert result["removed"] == [ids[2]]


@pytest.mark.parametrize("args, words", [
    ({"source": "/nonexistent/src"}, ["source /nonexistent/src does not exist"]),
    ({"requirements": ["../etc/passwd"]}, ["requirements file", "../etc/passwd"]),
    ({"requirements": ["missing.txt"]}, ["missing.txt"]),
    ({"release": "../escape"}, ["not a valid release id"]),
    ({"keep": 1}, ["keep must be at least 2"]),
    ({"python": "/nonexistent/python3"}, ["python /nonexistent/python3"]),
    ({"group": "no-such-group-here"}, ["group no-such-group-here: no such group"]),
])
def test_bad_input_is_named(capsys, tmp_path, args, words):
    src = project(tmp_path / "src")
    full = {"root": str(tmp_path / "app"), "source": str(src)}
    full.update(args)
    result = run_module(capsys, full)
    assert result["failed"]
    for word in words:
        assert word in result["msg"]
    assert not (tmp_path / "app" / "current").exists()


def test_a_plain_file_is_not_a_package(capsys, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("x")
    result = run_module(capsys, {"root": str(tmp_path / "app"), "source": str(bogus)})
    assert result["failed"] and "neither a directory nor a package" in result["msg"]


def test_a_built_release_needs_no_source(capsys, tmp_path):
    # the role removes a staged directory once it is built; reruns name the release only
    src = project(tmp_path / "src")
    root = tmp_path / "app"
    first = run_module(capsys, {"root": str(root), "source": str(src), "release": "r1"})
    again = run_module(capsys, {"root": str(root), "source": str(tmp_path / "gone"), "release": "r1"})
    assert first["built"] and not again["changed"] and again["path"] == first["path"]
