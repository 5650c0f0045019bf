#!/usr/bin/env bash
# Submits a sharded dwgen build to Slurm: an array of N shard tasks (dwgen-shards.sbatch), each on
# every core of one node, and a finalize job (dwgen-finalize.sbatch) that runs only once every
# shard succeeded (--dependency=afterok; cancelled instead if one fails). Prints the job ids:
#   SHARDS_JOB_ID=<array job id>
#   FINALIZE_JOB_ID=<finalize job id>
#
# Usage: deploy/slurm/submit.sh OUT N [dwgen generate flags…]
#   deploy/slurm/submit.sh /shared/dw1000 8 --scale 1000 --format parquet
# OUT must be a directory every node mounts at the same path (docs/scale-out.md). The flags are
# generate's (--config, --scale, --seed, --format, --tables, …); a relative --config is read from
# the directory you submit from, which the jobs start in. submit.sh sets --out, --parts, --part and
# --workers itself.
#
# Environment:
#   DWGEN               the dwgen executable the jobs run (default: dwgen on PATH, else this
#                       clone's dist/main.js)
#   DWGEN_CPUS          CPUs per shard, i.e. --cpus-per-task and dwgen's --workers (default: the
#                       CPUs of the smallest node sinfo shows in the partition)
#   DWGEN_ARRAY         which shards to run (default 1-N): e.g. "3" or "2,5" to rerun failed shards
#                       alone (the others' output is already there), then finalize again
#   DWGEN_MAX_PARALLEL  at most this many shards at once (sbatch --array=…%P)
#   DWGEN_LOG_DIR       where the job logs go (default: the current directory):
#                       dwgen-shard-<array job>_<shard>.out, dwgen-finalize-<job>.out
#   sbatch's own input variables apply to both jobs: SBATCH_PARTITION, SBATCH_ACCOUNT,
#   SBATCH_TIMELIMIT, SBATCH_QOS, … (e.g. SBATCH_TIMELIMIT=02:00:00).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "submit.sh: $*" >&2; exit 2; }

[ $# -ge 2 ] || die "usage: $0 OUT N [dwgen generate flags…]"
out=$1
parts=$2
shift 2
[[ "$parts" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$parts'"
for flag in "$@"; do
  case "$flag" in
    --out|--out=*|--parts|--parts=*|--part|--part=*|--part-from-env|--part-from-env=*|--workers|--workers=*)
      die "$flag is set by submit.sh (OUT, N, the array task and the CPUs per shard)" ;;
  esac
done
case "$out" in
  /*|*://*) ;;
  *) out="$PWD/$out" ;;
esac

dwgen=${DWGEN:-}
if [ -z "$dwgen" ]; then
  if command -v dwgen >/dev/null 2>&1; then
    dwgen=$(command -v dwgen)
  else
    dwgen="$here/../../dist/main.js"
    [ -x "$dwgen" ] || die "no dwgen on PATH and no $dwgen (npm ci builds it): set DWGEN"
    dwgen=$(cd "$(dirname "$dwgen")" && pwd)/main.js
  fi
fi

cpus=${DWGEN_CPUS:-}
if [ -z "$cpus" ]; then
  # sinfo's %c is the CPUs per node, "32+" where the partition's nodes differ (32 is the least)
  cpus=$(sinfo -h -o %c ${SBATCH_PARTITION:+-p "$SBATCH_PARTITION"} | tr -d '+' | sort -n | head -n 1)
  [[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "could not read the CPUs per node from sinfo (got '$cpus'): set DWGEN_CPUS"
fi
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "DWGEN_CPUS must be a positive integer, got '$cpus'"

array=${DWGEN_ARRAY:-1-$parts}
[[ "$array" =~ ^[0-9][0-9,-]*$ ]] || die "DWGEN_ARRAY must be shard numbers like 1-$parts, 3 or 2,5; got '$array'"
if [ -n "${DWGEN_MAX_PARALLEL:-}" ]; then
  [[ "$DWGEN_MAX_PARALLEL" =~ ^[1-9][0-9]*$ ]] || die "DWGEN_MAX_PARALLEL must be a positive integer, got '$DWGEN_MAX_PARALLEL'"
  array="$array%$DWGEN_MAX_PARALLEL"
fi
logs=${DWGEN_LOG_DIR:-$PWD}
mkdir -p "$logs"

# --parsable prints "jobid" or "jobid;cluster"
shards=$(sbatch --parsable --array="$array" --cpus-per-task="$cpus" \
  --output="$logs/dwgen-shard-%A_%a.out" --export="ALL,DWGEN=$dwgen" \
  "$here/dwgen-shards.sbatch" "$out" "$parts" "$@")
shards=${shards%%;*}
if ! finalize=$(sbatch --parsable --dependency="afterok:$shards" --kill-on-invalid-dep=yes \
  --cpus-per-task="$cpus" --output="$logs/dwgen-finalize-%j.out" --export="ALL,DWGEN=$dwgen" \
  "$here/dwgen-finalize.sbatch" "$out"); then
  scancel "$shards" || true
  echo "submit.sh: the finalize job was refused; cancelled the shards (job $shards)" >&2
  exit 1
fi
finalize=${finalize%%;*}

echo "submit.sh: shards $array of $parts (job $shards, $cpus CPUs each), then finalize (job $finalize); logs in $logs" >&2
echo "SHARDS_JOB_ID=$shards"
echo "FINALIZE_JOB_ID=$finalize"
