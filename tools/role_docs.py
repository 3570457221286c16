# Copyright (c) frugal.stack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role variable tables from meta/argument_specs.yml.

  python tools/role_docs.py roles/base           rewrite the table in roles/base/README.md
  python tools/role_docs.py --check roles/*      fail when a README table or defaults/main.yml
                                                 disagrees with argument_specs
The table sits between the markers <!-- BEGIN VARIABLES --> and <!-- END VARIABLES -->.
"""

import argparse
import json
import os
import sys

import yaml

BEGIN = "<!-- BEGIN VARIABLES -->"
END = "<!-- END VARIABLES -->"


def load(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def describe(spec):
    desc = spec.get("description", "")
    if isinstance(desc, list):
        desc = " ".join(desc)
    if spec.get("choices"):
        desc += " One of: " + ", ".join("`%s`" % c for c in spec["choices"]) + "."
    for name, sub in (spec.get("options") or {}).items():
        req = "required" if sub.get("required") else "default `%s`" % json.dumps(sub.get("default"))
        desc += " `%s` (%s, %s): %s" % (name, sub.get("type", "str"), req, describe(sub))
    return desc.strip()


def unique(specs):
    """Entry points, once each: an entry point may be a YAML alias of another (preflight: *main)."""
    seen = []
    for spec in specs:
        if not any(spec is other for other in seen):
            seen.append(spec)
    return seen


def table(role):
    specs = load(os.path.join(role, "meta", "argument_specs.yml"))["argument_specs"]
    rows = []
    for spec in unique(specs.values()):
        for name, opt in (spec.get("options") or {}).items():
            default = json.dumps(opt.get("default")) if "default" in opt else "required"
            typ = opt.get("type", "str")
            if opt.get("elements"):
                typ += " of " + opt["elements"]
            rows.append("| `%s` | %s | `%s` | %s |" % (name, typ, cell(default), cell(describe(opt))))
    head = ["| Variable | Type | Default | Description |", "| --- | --- | --- | --- |"]
    return "\n".join([BEGIN] + head + rows + [END])


def problems(role):
    found = []
    specs = load(os.path.join(role, "meta", "argument_specs.yml"))["argument_specs"]
    defaults_file = os.path.join(role, "defaults", "main.yml")
    defaults = load(defaults_file) if os.path.exists(defaults_file) else {}
    options = {}
    for spec in unique(specs.values()):
        options.update(spec.get("options") or {})
    for name, opt in options.items():
        if "default" in opt and defaults.get(name, object()) != opt["default"]:
            found.append("%s: default %r in argument_specs, %r in defaults/main.yml"
                         % (name, opt["default"], defaults.get(name, "<missing>")))
    for name in set(defaults) - set(options):
        found.append("%s: in defaults/main.yml but not in argument_specs" % name)
    readme = os.path.join(role, "README.md")
    text = open(readme, encoding="utf-8").read() if os.path.exists(readme) else ""
    if table(role) not in text:
        found.append("README.md variable table is out of date: run python tools/role_docs.py %s" % role)
    return found


def write(role):
    readme = os.path.join(role, "README.md")
    text = open(readme, encoding="utf-8").read()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    with open(readme, "w", encoding="utf-8") as fh:
        fh.write(text[:start] + table(role) + text[end:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("roles", nargs="+")
    args = parser.parse_args(argv)
    failed = False
    for role in args.roles:
        if not os.path.exists(os.path.join(role, "meta", "argument_specs.yml")):
            continue
        if args.check:
            for problem in problems(role):
                print("%s: %s" % (role, problem))
                failed = True
        else:
            write(role)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
