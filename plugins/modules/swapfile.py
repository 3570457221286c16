#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
---
module: swapfile
short_description: Manage a swap file, its activation and its C(/etc/fstab) entry
version_added: 0.1.0
description:
  - Creates a swap file of a given size, activates it and records it in C(/etc/fstab), or removes all three.
  - Reads the live state (C(/proc/swaps), the file's swap signature and size, fstab) and changes only what differs.
  - Checks before changing anything that the file's filesystem can hold a swap file, that there is room for it,
    and that an existing file at O(path) really is a swap file; it never overwrites or deletes anything else.
  - A new file is written beside the final path and renamed into place, so a failed run never leaves a half-written
    swap file at O(path).
author:
  - frugal.stack contributors (!UNKNOWN)
options:
  path:
    description:
      - Absolute path of the swap file.
    type: path
    required: true
  state:
    description:
      - V(present) creates (or resizes), activates and records the swap file.
      - V(absent) deactivates it, removes its fstab entry and deletes the file.
    type: str
    choices: [present, absent]
    default: present
  size_mb:
    description:
      - Size of the swap file in MiB. Required with O(state=present). A different size recreates the file.
    type: int
  priority:
    description:
      - Swap priority passed to C(swapon -p) and written to the fstab entry. Omit to let the kernel choose.
    type: int
  fstab:
    description:
      - Path of the fstab file to keep the entry in.
    type: path
    default: /etc/fstab
  min_free_mb:
    description:
      - Free space in MiB that must remain on the filesystem after the swap file is written.
    type: int
    default: 256
attributes:
  check_mode:
    description: Reports what it would do (RV(actions)) without touching the file, fstab or the kernel.
    support: full
  diff_mode:
    description: Shows the swap file's size, activation and fstab entry before and after.
    support: full
  idempotent:
    description: A second run with the same arguments changes nothing.
    support: full
notes:
  - Swap files cannot live on overlay, tmpfs, NFS or ZFS filesystems, and a btrfs swap file needs copy-on-write
    disabled; the module refuses those with a message naming the path and the filesystem.
  - Inside a container the swap file must be on a bind-mounted directory of a real filesystem, and activating it
    adds swap to the host kernel.
"""

EXAMPLES = r"""
- name: One GiB of swap on a 1 GB VM
  frugal.stack.swapfile:
    path: /swapfile
    size_mb: 1024

- name: No swap file
  frugal.stack.swapfile:
    path: /swapfile
    state: absent
"""

RETURN = r"""
path:
  description: The swap file's path.
  returned: always
  type: str
  sample: /swapfile
size_mb:
  description: Size of the swap file in MiB after the run (0 when absent).
  returned: always
  type: int
  sample: 1024
active:
  description: Whether the file is an active swap area after the run.
  returned: always
  type: bool
  sample: true
actions:
  description: What was done (or would be done in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [create, swapon, fstab]
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule

PROC_SWAPS = "/proc/swaps"
MIB = 1024 * 1024
# Filesystems whose files the kernel cannot swap to (or not without extra set-up).
UNSUPPORTED_FS = {
    "overlayfs": "overlay", "overlay": "overlay", "tmpfs": "tmpfs", "ramfs": "ramfs",
    "nfs": "NFS", "nfs4": "NFS", "zfs": "ZFS", "squashfs": "squashfs",
    "btrfs": "btrfs (needs a no-copy-on-write file: create it with `btrfs filesystem mkswapfile`)",
    "fuseblk": "FUSE", "fuse": "FUSE", "9p": "9p", "cifs": "CIFS", "smb2": "SMB",
}
SWAP_SIGNATURES = (b"SWAPSPACE2", b"SWAP-SPACE")


def active_swaps():
    """Return the real paths of the active swap areas."""
    result = set()
    try:
        with open(PROC_SWAPS, "r") as fh:
            lines = fh.read().splitlines()[1:]
    except IOError:
        return result
    for line in lines:
        fields = line.split()
        if fields:
            # /proc/swaps escapes spaces as \040
            result.add(os.path.realpath(fields[0].replace("\\040", " ")))
    return result


def has_swap_signature(path):
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        with open(path, "rb") as fh:
            fh.seek(page - 10)
            return fh.read(10) in SWAP_SIGNATURES
    except IOError:
        return False


def fstab_line(path, priority):
    opts = "sw" if priority is None else "sw,pri=%d" % priority
    return "%s none swap %s 0 0" % (path, opts)


def read_fstab(fstab):
    try:
        with open(fstab, "r") as fh:
            return fh.read().splitlines()
    except IOError:
        return []


def fstab_entries(lines, path):
    """Indexes of the uncommented lines whose first field is path."""
    found = []
    for idx, line in enumerate(lines):
        fields = line.split()
        if fields and not fields[0].startswith("#") and fields[0] == path:
            found.append(idx)
    return found


def desired_fstab(lines, path, want_line):
    """The fstab lines with exactly one entry for path (or none when want_line is None)."""
    entries = fstab_entries(lines, path)
    out = [line for idx, line in enumerate(lines) if idx not in entries[1:]]
    if want_line is None:
        return [line for idx, line in enumerate(lines) if idx not in entries]
    if entries:
        out[entries[0]] = want_line
    else:
        out.append(want_line)
    return out


def write_atomic(path, lines):
    tmp = "%s.frugal-tmp" % path
    with open(tmp, "w") as fh:
        fh.write("\n".join(lines) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    if os.path.exists(path):
        st = os.stat(path)
        os.chmod(tmp, st.st_mode & 0o7777)
        os.chown(tmp, st.st_uid, st.st_gid)
    os.rename(tmp, path)


class SwapFile(object):
    def __init__(self, module):
        self.module = module
        self.path = module.params["path"]
        self.fstab = module.params["fstab"]
        self.priority = module.params["priority"]

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, path=self.path, **kwargs)

    def run(self, args):
        rc, out, err = self.module.run_command(args)
        if rc != 0:
            self.fail("%s failed for %s: %s" % (args[0], self.path, (err or out).strip()), rc=rc)
        return out

    def state(self):
        exists = os.path.lexists(self.path)
        is_swap = exists and os.path.isfile(self.path) and has_swap_signature(self.path)
        size_mb = os.path.getsize(self.path) // MIB if is_swap else 0
        lines = read_fstab(self.fstab)
        entries = [lines[i] for i in fstab_entries(lines, self.path)]
        return {
            "exists": exists,
            "is_swap": is_swap,
            "size_mb": size_mb,
            "active": os.path.realpath(self.path) in active_swaps(),
            "fstab": entries,
        }

    def check_filesystem(self, size_mb, reusable_mb):
        directory = os.path.dirname(self.path) or "/"
        if not os.path.isdir(directory):
            self.fail("the directory %s for the swap file %s does not exist" % (directory, self.path))
        fstype = self.run(["stat", "-f", "-c", "%T", directory]).strip()
        if fstype in UNSUPPORTED_FS:
            self.fail("%s is on a %s filesystem, which cannot hold a swap file; choose a path on ext4 or xfs "
                      "(in a container: a bind-mounted directory) or use no swap file"
                      % (self.path, UNSUPPORTED_FS[fstype]), filesystem=fstype)
        st = os.statvfs(directory)
        free_mb = st.f_bavail * st.f_frsize // MIB + reusable_mb
        need_mb = size_mb + self.module.params["min_free_mb"]
        if free_mb < need_mb:
            self.fail("not enough space for a %d MiB swap file at %s: %d MiB free, %d MiB needed "
                      "(size plus min_free_mb)" % (size_mb, self.path, free_mb, need_mb),
                      free_mb=free_mb, needed_mb=need_mb)

    def create(self, size_mb):
        tmp = "%s.frugal-tmp" % self.path
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                chunk = b"\0" * MIB
                for _chunk in range(size_mb):
                    os.write(fd, chunk)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(tmp, 0o600)
            self.run(["mkswap", tmp])
        except OSError as exc:
            if os.path.exists(tmp):
                os.unlink(tmp)
            self.fail("could not write the swap file %s: %s" % (self.path, exc))
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        os.rename(tmp, self.path)

    def swapon(self):
        args = ["swapon"]
        if self.priority is not None:
            args += ["-p", str(self.priority)]
        self.run(args + [self.path])

    def apply(self):
        params = self.module.params
        before = self.state()
        present = params["state"] == "present"
        size_mb = params["size_mb"] if present else 0
        if before["exists"] and not before["is_swap"] and not before["active"]:
            self.fail("%s exists and is not a swap file; refusing to %s it"
                      % (self.path, "overwrite" if present else "delete"))
        actions = []
        lines = read_fstab(self.fstab)
        if present:
            wrong_size = before["is_swap"] and before["size_mb"] != size_mb
            if not before["is_swap"] or wrong_size:
                self.check_filesystem(size_mb, before["size_mb"] if wrong_size else 0)
                if before["active"]:
                    actions.append("swapoff")
                actions.append("create")
                actions.append("swapon")
            elif not before["active"]:
                actions.append("swapon")
            new_lines = desired_fstab(lines, self.path, fstab_line(self.path, self.priority))
        else:
            if before["active"]:
                actions.append("swapoff")
            if before["exists"]:
                actions.append("delete")
            new_lines = desired_fstab(lines, self.path, None)
        if new_lines != lines:
            actions.append("fstab")

        after = {
            "exists": present,
            "is_swap": present,
            "size_mb": size_mb,
            "active": present,
            "fstab": [fstab_line(self.path, self.priority)] if present else [],
        }
        result = {
            "changed": bool(actions),
            "path": self.path,
            "size_mb": size_mb,
            "active": present,
            "actions": actions,
        }
        if self.module._diff:
            result["diff"] = {
                "before_header": self.path, "after_header": self.path,
                "before": describe(before), "after": describe(after),
            }
        if self.module.check_mode or not actions:
            if not actions:
                result["size_mb"] = before["size_mb"]
                result["active"] = before["active"]
            self.module.exit_json(**result)

        for action in actions:
            if action == "swapoff":
                self.run(["swapoff", self.path])
            elif action == "create":
                self.create(size_mb)
            elif action == "swapon":
                self.swapon()
            elif action == "delete":
                os.unlink(self.path)
            elif action == "fstab":
                write_atomic(self.fstab, new_lines)
        self.module.exit_json(**result)


def describe(state):
    if not state["exists"]:
        return "no swap file\nfstab: %s\n" % ("; ".join(state["fstab"]) or "no entry")
    return "swap file: %s\nsize_mb: %d\nactive: %s\nfstab: %s\n" % (
        "yes" if state["is_swap"] else "no (not a swap file)",
        state["size_mb"], "yes" if state["active"] else "no",
        "; ".join(state["fstab"]) or "no entry")


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            size_mb=dict(type="int"),
            priority=dict(type="int"),
            fstab=dict(type="path", default="/etc/fstab"),
            min_free_mb=dict(type="int", default=256),
        ),
        required_if=[("state", "present", ["size_mb"])],
        supports_check_mode=True,
    )
    params = module.params
    if not os.path.isabs(params["path"]) or not re.match(r"^/[^\s]+$", params["path"]):
        module.fail_json(msg="path must be an absolute path without white space, got %r" % params["path"])
    if params["state"] == "present" and params["size_mb"] < 1:
        module.fail_json(msg="size_mb must be at least 1 with state=present (use state=absent for no swap), got %d"
                         % params["size_mb"])
    if params["min_free_mb"] < 0:
        module.fail_json(msg="min_free_mb must not be negative, got %d" % params["min_free_mb"])
    SwapFile(module).apply()


if __name__ == "__main__":
    main()
