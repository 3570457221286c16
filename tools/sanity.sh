#!/usr/bin/env bash
# ansible-test needs the collection at ansible_collections/<namespace>/<name>:
# copy the tracked and new (not ignored) files there and run sanity from it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/frugal-sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/frugal/stack"
mkdir -p "$dest"
# collections/ only links the checkout to itself for ansible.cfg; it is not
# part of the collection (galaxy.yml's build_ignore leaves it out too).
(cd "$root" && git ls-files -z --cached --others --exclude-standard -- . ':!collections' \
  | while IFS= read -r -d '' f; do
      # tracked files deleted in the working tree are skipped
      if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\n' "$f"; fi
    done \
  | tar -c -T - -f -) | tar -x -C "$dest"
# ansible-test downloads its pip bootstrap from a host this network does not
# reach; give it the stand-in (same contract, pip from PyPI) under the cached
# name for the pip release this ansible-test asks for.
pip_version=$("$root/.venv/bin/python" -c 'import re, ansible_test._internal.python_requirements as m, inspect; print(re.search(r"pip=.([0-9.]+)", inspect.getsource(m)).group(1))')
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cmp -s "$root/tools/ansible_test_get_pip.py" "$cache" || cp "$root/tools/ansible_test_get_pip.py" "$cache"
cd "$dest"
git init -q && git add -A >/dev/null
"$root/.venv/bin/ansible-test" sanity --venv --python "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" "$@"
