#!/usr/bin/env bash
# CI service: a throwaway PostgreSQL cluster for test/load.postgres.test.ts. Installs Debian's
# postgresql if its server binaries are missing, starts a cluster under a temporary directory on a
# free port of 127.0.0.1 (scripts/pg-cluster.sh), and exports its URL as DWGEN_TEST_PG_URL (and
# the directory, for the teardown) through $CI_ENV_FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  echo "ci: installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

parent="$(mktemp -d /tmp/dwgen-ci-pg.XXXXXX)"
chmod 755 "$parent"
url="$(bash scripts/pg-cluster.sh start "$parent/cluster")"
{
  echo "DWGEN_TEST_PG_URL=$url"
  echo "DWGEN_CI_PG_DIR=$parent"
} >>"$CI_ENV_FILE"
echo "ci: PostgreSQL at $url"
