#!/usr/bin/env bash
# CI service: a real one-node Slurm (Debian's slurm-wlm and munge) for test/slurm.test.ts, which
# submits deploy/slurm/'s job array and finalize job to it. Installs the packages when missing,
# starts munged, slurmctld and slurmd (scripts/slurm-test-cluster.sh, ~20 s at most) and tells the
# tests through $CI_ENV_FILE: DWGEN_TEST_SLURM=1 makes test/slurm.test.ts require the cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=0
for b in munged slurmctld slurmd sbatch; do command -v "$b" >/dev/null 2>&1 || missing=1; done
if [ "$missing" -eq 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # a fresh machine may have no package lists yet: update once and retry
  apt-get install -y slurm-wlm munge || { apt-get update && apt-get install -y slurm-wlm munge; }
fi

bash scripts/slurm-test-cluster.sh start
echo "DWGEN_TEST_SLURM=1" >>"${CI_ENV_FILE:?CI_ENV_FILE is not set (run through .ci/run)}"
