#!/usr/bin/env bash
# Stops what 30-slurm.sh started: slurmd, slurmctld and munged (by their pid files).
set -uo pipefail
cd "$(dirname "$0")/../.."
bash scripts/slurm-test-cluster.sh stop
