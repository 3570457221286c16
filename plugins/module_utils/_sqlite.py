# -*- coding: utf-8 -*-
# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SQLite snapshots and restores: the work behind the sqlite_backup and sqlite_restore modules.

Standard library and _r2 only, so the sqlite_backup role's timer script runs
the same code on hosts without Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import glob
import gzip
import hashlib
import json
import os
import re
import sqlite3
import time

from ansible_collections.frugal.stack.plugins.module_utils import _r2

SQLITE_HEADER = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Files SQLite keeps beside a database: moved together with it, never left behind.
SIDECARS = ("-wal", "-shm", "-journal")


class SqliteError(Exception):
    """A failure worth one clear line naming the database or file."""


def open_source(path, busy_timeout):
    if not os.path.isfile(path):
        raise SqliteError("database %s does not exist or is not a file" % path)
    if not os.access(path, os.R_OK):
        raise SqliteError("database %s is not readable by this user" % path)
    with open(path, "rb") as handle:
        header = handle.read(16)
    if header and header != SQLITE_HEADER:
        raise SqliteError("database %s is not an SQLite 3 database (its header is %r)" % (path, header))
    try:
        conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=busy_timeout)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise SqliteError("database %s cannot be read: %s" % (path, exc)) from exc
    return conn


def snapshot(source, tmp, method):
    if method == "vacuum":
        source.execute("VACUUM INTO ?", (tmp,))
    target = sqlite3.connect(tmp)
    try:
        if method == "backup":
            # One step: the copy is a single read transaction, so it is consistent and,
            # in WAL mode, writers are not blocked meanwhile.
            source.backup(target, pages=-1)
        # A copy of a WAL database is marked WAL too; make the snapshot one self-contained
        # file (the app's connection turns WAL back on when it opens a restored copy).
        target.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        target.close()


def integrity(path, pragma="integrity_check"):
    """What PRAGMA integrity_check (or quick_check) says of a database file: ["ok"] when sound."""
    conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA %s(20)" % pragma)]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    finally:
        conn.close()
    return rows


class _Hashing(object):
    """A file object that hashes what is written through it."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def write(self, data):
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self):
        self.raw.flush()


def _copy(reader, dest):
    """Copy a file object to dest, fsync it; return the sha256 of what was written."""
    with open(dest, "wb") as out:
        hashing = _Hashing(out)
        for block in iter(lambda: reader.read(_r2.MB), b""):
            hashing.write(block)
        out.flush()
        os.fsync(out.fileno())
    return hashing.digest.hexdigest()


def compress(src, dest):
    """gzip src to dest; returns the sha256 of dest (hashed while writing, not read back)."""
    with open(src, "rb") as raw, open(dest, "wb") as out:
        hashing = _Hashing(out)
        with gzip.GzipFile(filename="", mode="wb", fileobj=hashing, compresslevel=6, mtime=0) as packed:
            for block in iter(lambda: raw.read(_r2.MB), b""):
                packed.write(block)
        out.flush()
        os.fsync(out.fileno())
    return hashing.digest.hexdigest()


def snapshot_name(name):
    return re.compile(r"^%s-\d{8}T\d{6}Z\.sqlite3(\.gz)?$" % re.escape(name))


def prune(dest_dir, name, keep, current):
    if keep <= 0:
        return []
    pattern = snapshot_name(name)
    files = sorted(f for f in glob.glob(os.path.join(glob.escape(dest_dir), name + "-*"))
                   if pattern.match(os.path.basename(f)))
    removed = []
    for old in files[:-keep] if len(files) > keep else []:
        if old != current:
            os.unlink(old)
            removed.append(old)
    return removed


def check_settings(settings):
    """Validate backup settings; returns the snapshot name."""
    if settings["keep"] < 0:
        raise SqliteError("keep must be 0 (keep all) or more")
    name = settings.get("name") or os.path.splitext(os.path.basename(settings["database"]))[0]
    if not NAME_RE.match(name):
        raise SqliteError("name %r: use letters, digits, '.', '_' and '-'" % name)
    if settings.get("upload"):
        _r2.check_bucket_name(settings["upload"]["bucket"])
        if settings["upload"].get("prefix"):
            _r2.check_key(settings["upload"]["prefix"], "upload.prefix")
    return name


def backup(settings, s3=None, check_mode=False):
    """Snapshot, check, compress, upload (when s3 is given), prune. settings: the sqlite_backup module's options."""
    name = check_settings(settings)
    source = open_source(settings["database"], settings["busy_timeout"])
    result = dict(changed=True, database_size=os.path.getsize(settings["database"]))
    if check_mode:
        source.close()
        return result
    started = time.monotonic()
    dest_dir = settings["dest_dir"]
    if not os.path.isdir(dest_dir):
        os.makedirs(dest_dir, 0o750)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    final = os.path.join(dest_dir, "%s-%s.sqlite3%s" % (name, stamp, ".gz" if settings["compress"] else ""))
    raw = os.path.join(dest_dir, ".%s-%s.sqlite3.part" % (name, stamp))
    packed = raw + ".gz"
    try:
        try:
            snapshot(source, raw, settings["method"])
        except sqlite3.Error as exc:
            raise SqliteError("snapshot of %s failed: %s" % (settings["database"], exc)) from exc
        finally:
            source.close()
        found = integrity(raw)
        if found != ["ok"]:
            raise SqliteError("the snapshot of %s fails PRAGMA integrity_check, so it was removed and not uploaded: %s"
                              % (settings["database"], "; ".join(found)))
        if settings["compress"]:
            sha256 = compress(raw, packed)
            os.rename(packed, final)
        else:
            os.rename(raw, final)
            sha256 = _r2.file_sha256(final)
        os.chmod(final, 0o640)
    finally:
        for leftover in (raw, packed) + tuple(raw + suffix for suffix in SIDECARS):
            if os.path.exists(leftover):
                os.unlink(leftover)
    result.update(path=final, size=os.path.getsize(final), sha256=sha256, integrity="ok")
    try:
        if s3 is not None:
            upload = settings["upload"]
            key = (upload.get("prefix") or "") + os.path.basename(final)
            _r2.upload_file(s3, upload["bucket"], key, final, sha256=sha256,
                            content_type="application/gzip" if settings["compress"] else "application/vnd.sqlite3")
            result["key"] = key
    finally:
        # a failed upload keeps the local snapshot (it is good) and still applies local retention
        result["removed"] = prune(dest_dir, name, settings["keep"], final)
        result["seconds"] = round(time.monotonic() - started, 3)
    return result


def _open_archive(path):
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(GZIP_MAGIC):
        return gzip.open(path, "rb")
    if head == SQLITE_HEADER:
        return open(path, "rb")
    raise SqliteError("%s is neither a gzip file nor an SQLite 3 database (it starts with %r)" % (path, head))


def staged_path(database):
    return os.path.join(os.path.dirname(database), ".%s.restore" % os.path.basename(database))


def _staged_record(staged):
    try:
        with open(staged + ".json", "r") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def stage(archive, database, sha256=None, uid=-1, gid=-1, mode=0o640):
    """Unpack a backup beside the database as its staged copy, checked; returns (staged path, archive sha256, reused).

    A staged copy left by an earlier call for the same archive is reused when its bytes are unchanged.
    """
    if not os.path.isfile(archive):
        raise SqliteError("backup %s does not exist or is not a file" % archive)
    directory = os.path.dirname(database) or "."
    if not os.path.isdir(directory):
        raise SqliteError("directory %s of database %s does not exist" % (directory, database))
    archive_sha256 = _r2.file_sha256(archive)
    if sha256 and archive_sha256 != sha256.lower():
        raise SqliteError("backup %s has sha256 %s, not the expected %s" % (archive, archive_sha256, sha256))
    staged = staged_path(database)
    record = _staged_record(staged)
    if (os.path.isfile(staged) and record.get("archive_sha256") == archive_sha256
            and record.get("sha256") == _r2.file_sha256(staged)):
        os.chown(staged, uid, gid)
        os.chmod(staged, mode)
        return staged, archive_sha256, True
    tmp = staged + ".part"
    try:
        try:
            with _open_archive(archive) as reader:
                staged_sha256 = _copy(reader, tmp)
        except (OSError, EOFError) as exc:
            raise SqliteError("backup %s cannot be unpacked: %s" % (archive, exc)) from exc
        with open(tmp, "rb") as handle:
            if handle.read(16) != SQLITE_HEADER:
                raise SqliteError("backup %s does not hold an SQLite 3 database" % archive)
        found = integrity(tmp)
        if found != ["ok"]:
            raise SqliteError("backup %s fails PRAGMA integrity_check: %s" % (archive, "; ".join(found)))
        os.chown(tmp, uid, gid)
        os.chmod(tmp, mode)
        os.rename(tmp, staged)
        with open(staged + ".json", "w") as handle:
            json.dump({"archive": archive, "archive_sha256": archive_sha256, "sha256": staged_sha256}, handle)
    finally:
        for leftover in (tmp,) + tuple(tmp + suffix for suffix in SIDECARS):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return staged, archive_sha256, False


def holders(database):
    """Processes with the database or its sidecar files open: [(pid, command)]."""
    paths = set(os.path.realpath(database + suffix) for suffix in ("",) + SIDECARS)
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        fd_dir = "/proc/%s/fd" % pid
        try:
            links = [os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)]
        except OSError:
            continue
        if any(link in paths for link in links):
            try:
                with open("/proc/%s/comm" % pid) as handle:
                    comm = handle.read().strip()
            except OSError:
                comm = "?"
            found.append((int(pid), comm))
    return found


def swap(database, staged):
    """Put the staged copy in place of the database in one rename, keeping the old one; returns its new path."""
    busy = holders(database)
    if busy:
        raise SqliteError("database %s is open by %s: stop them first" % (
            database, ", ".join("%s (pid %d)" % (comm, pid) for pid, comm in busy)))
    directory = os.path.dirname(database) or "."
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    previous = "%s.before-restore-%s" % (database, stamp)
    count = 0
    while any(os.path.lexists(previous + suffix) for suffix in ("",) + SIDECARS):
        count += 1
        previous = "%s.before-restore-%s.%d" % (database, stamp, count)
    kept = False
    if os.path.exists(database):
        # The old file stays reachable under its new name (a hard link), then one rename replaces
        # the database: at every moment the path holds a whole database.
        os.link(database, previous)
        kept = True
    for suffix in SIDECARS:
        # sidecars go with the old file (a WAL left beside the restored one would be replayed into it)
        if os.path.exists(database + suffix):
            os.rename(database + suffix, previous + suffix)
            kept = True
    os.rename(staged, database)
    if os.path.exists(staged + ".json"):
        os.unlink(staged + ".json")
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return previous if kept else None
