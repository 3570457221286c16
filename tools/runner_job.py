# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a playbook of this checkout the way AWX runs a job: through ansible-runner, in a private data
directory of its own (project, inventory, env, artifacts), then print the job's status and per-host
counts from its events.

  python tools/runner_job.py site.yml -i inventories/demo --no-change
  python tools/runner_job.py playbooks/cloudflare_sync.yml -i <inventory> -e '{"cloudflare_sync_hosts": "fw"}'

Exit 0 only when the job's status is successful (and, with --no-change, no task reported a change).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

import ansible_runner

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("playbook", help="path inside the checkout, as a job template names it")
    parser.add_argument("-i", "--inventory", required=True, help="inventory file or directory")
    parser.add_argument("-e", "--extra-vars", default="{}", help="JSON, as a job's extra variables")
    parser.add_argument("--no-change", action="store_true", help="fail when any task changed something")
    parser.add_argument("--keep", action="store_true", help="keep the private data directory")
    args = parser.parse_args(argv)

    extravars = json.loads(args.extra_vars)
    if not isinstance(extravars, dict):
        parser.error("--extra-vars must be a JSON object")
    pdd = tempfile.mkdtemp(prefix="frugal-runner-")
    # The job's project is this checkout, as a synced AWX project is a checkout of the repository;
    # its ansible.cfg resolves frugal.stack from collections/ as it does for the controller.
    os.symlink(ROOT, os.path.join(pdd, "project"))
    env = {"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "false",
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    run = ansible_runner.run(private_data_dir=pdd, playbook=args.playbook,
                             inventory=os.path.abspath(args.inventory), extravars=extravars, envvars=env,
                             quiet=True)
    counts = {}
    for event in run.events:
        if event.get("event") == "playbook_on_stats":
            data = event["event_data"]
            for key in ("ok", "changed", "failures", "dark", "skipped"):
                for host, n in (data.get(key) or {}).items():
                    counts.setdefault(host, {}).setdefault(key, 0)
                    counts[host][key] += n
    changed_tasks = sorted({"%s: %s" % (e["event_data"].get("host"), e["event_data"].get("task"))
                            for e in run.events
                            if e.get("event") == "runner_on_ok" and e["event_data"].get("res", {}).get("changed")})
    print("job %s: status %s, rc %s, private data dir %s" % (args.playbook, run.status, run.rc, pdd))
    for host, c in sorted(counts.items()):
        print("  %s: ok=%d changed=%d failed=%d unreachable=%d skipped=%d" % (
            host, c.get("ok", 0), c.get("changed", 0), c.get("failures", 0), c.get("dark", 0), c.get("skipped", 0)))
    ok = run.status == "successful" and run.rc == 0 and bool(counts)
    if not ok:
        sys.stdout.write(run.stdout.read()[-6000:] + "\n")
    if args.no_change and changed_tasks:
        print("changed on a run that must change nothing:\n  " + "\n  ".join(changed_tasks))
        ok = False
    if ok and not args.keep:
        shutil.rmtree(pdd)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
