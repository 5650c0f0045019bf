#!/usr/bin/env bash
# One sharded dwgen build on Kubernetes, start to finish: the volume and config, the shards'
# Indexed Job, a wait for it to complete, then the finalize Job and a wait for that. Kubernetes has
# no dependency between Jobs, so this script (or your workflow engine: Argo, Airflow, a CI job) is
# the "afterok". Exit status 0 only when finalize completed.
#
# Usage: deploy/k8s/run.sh [kubectl flags, e.g. -n dwgen --context prod]
# Environment: DWGEN_TIMEOUT, how long to wait for each Job (kubectl's syntax; default 2h).
# A previous night's Jobs of the same names are deleted first (their pods' logs with them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout=${DWGEN_TIMEOUT:-2h}
k() { kubectl "$@"; }

# waits until the Job is Complete (exit 0) or Failed (exit 1), whichever comes first
wait_job() {
  local job=$1 kubectl_flags=("${@:2}") deadline
  deadline=$(( $(date +%s) + $(to_seconds "$timeout") ))
  while :; do
    if k "${kubectl_flags[@]}" wait --for=condition=Complete --timeout=10s "job/$job" >/dev/null 2>&1; then
      echo "run.sh: job/$job complete" >&2
      return 0
    fi
    if k "${kubectl_flags[@]}" wait --for=condition=Failed --timeout=1s "job/$job" >/dev/null 2>&1; then
      echo "run.sh: job/$job failed; its pods: kubectl ${kubectl_flags[*]} logs -l job-name=$job --prefix" >&2
      return 1
    fi
    [ "$(date +%s)" -lt "$deadline" ] || { echo "run.sh: job/$job still running after $timeout" >&2; return 1; }
  done
}

to_seconds() {
  case "$1" in
    *h) echo $(( ${1%h} * 3600 )) ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

k "$@" apply -f "$here/pvc.yaml" -f "$here/configmap.yaml"
k "$@" delete job dwgen-shards dwgen-finalize --ignore-not-found --wait=true
k "$@" apply -f "$here/shards-job.yaml"
wait_job dwgen-shards "$@"
k "$@" apply -f "$here/finalize-job.yaml"
wait_job dwgen-finalize "$@"
