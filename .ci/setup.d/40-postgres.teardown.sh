#!/usr/bin/env bash
# Stops and deletes the cluster that 40-postgres.sh started (its directory is in $CI_ENV_FILE).
set -uo pipefail
cd "$(dirname "$0")/../.."
dir="${DWGEN_CI_PG_DIR:-}"
if [ -z "$dir" ] && [ -n "${CI_ENV_FILE:-}" ] && [ -f "$CI_ENV_FILE" ]; then
  dir="$(sed -n 's/^DWGEN_CI_PG_DIR=//p' "$CI_ENV_FILE" | tail -n 1)"
fi
[ -n "$dir" ] || exit 0
bash scripts/pg-cluster.sh stop "$dir/cluster"
rm -rf "$dir"
