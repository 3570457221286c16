# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Delete regular files older than each rule's age below the rule's paths.

Installed by the frugal.stack.base role in /usr/local/lib/frugal-stack/ and
run by frugal-cleanup.service. Rules come from a JSON list of
{"path": GLOB, "max_age_days": N, "pattern": FNMATCH}. Age is the file's
modification time. Symbolic links are never followed, other filesystems
mounted below a path are not entered, directories are kept, and system
directories are refused even when a glob matches them. Exits 1 when a rule
could not be applied completely, so the unit fails and monitoring sees it.
"""

import argparse
import fnmatch
import glob
import json
import os
import stat
import sys
import time

# Never cleaned themselves, whatever a glob matches.
PROTECTED = frozenset([
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64",
    "/libx32", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys",
    "/tmp",  # noqa: S108 - a path to refuse, not a temporary file
    "/usr", "/var", "/var/lib", "/var/log", "/var/cache", "/var/backups",
])


def clean_rule(rule, now, dry_run=False, out=sys.stdout):
    """Apply one rule; return (files removed, bytes removed, errors)."""
    cutoff = now - int(rule["max_age_days"]) * 86400
    pattern = rule.get("pattern") or "*"
    removed = size = errors = 0
    for top in sorted(glob.glob(rule["path"])):
        real = os.path.realpath(top)
        if real in PROTECTED or os.path.islink(top) or not os.path.isdir(top):
            out.write("skipped %s: not a directory of its own, a link, or a system directory\n" % top)
            continue
        device = os.lstat(top).st_dev

        def on_error(exc):
            nonlocal errors
            errors += 1
            out.write("error: %s\n" % exc)

        for dirpath, dirnames, filenames in os.walk(top, onerror=on_error):
            dirnames[:] = [d for d in dirnames
                           if os.lstat(os.path.join(dirpath, d)).st_dev == device]
            for name in filenames:
                if not fnmatch.fnmatch(name, pattern):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                    if not stat.S_ISREG(st.st_mode) or st.st_mtime >= cutoff:
                        continue
                    if not dry_run:
                        os.unlink(path)
                except OSError as exc:
                    errors += 1
                    out.write("error: %s\n" % exc)
                    continue
                removed += 1
                size += st.st_size
    return removed, size, errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", default="/etc/frugal-stack/cleanup.json")
    parser.add_argument("--dry-run", action="store_true", help="report, delete nothing")
    args = parser.parse_args(argv)
    with open(args.rules, encoding="utf-8") as fh:
        rules = json.load(fh)
    now = time.time()
    failed = False
    for rule in rules:
        removed, size, errors = clean_rule(rule, now, args.dry_run)
        verb = "would remove" if args.dry_run else "removed"
        print("%s: %s %d files (%d bytes) older than %d days matching %s, %d errors"
              % (rule["path"], verb, removed, size, int(rule["max_age_days"]),
                 rule.get("pattern") or "*", errors))
        failed = failed or errors > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
