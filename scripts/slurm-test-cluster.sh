#!/usr/bin/env bash
# A real one-node Slurm on this machine, for dwgen's tests and CI (test/slurm.test.ts,
# .ci/setup.d/30-slurm.sh): munged (as the munge user), slurmctld and slurmd (as root) for the node
# $(hostname -s) with CPUs=2, proctrack/linuxproc and task/none, so it runs without systemd or
# cgroups. Debian's slurm-wlm and munge must be installed (.ci/setup.d/30-slurm.sh installs them).
#
#   scripts/slurm-test-cluster.sh start    # configure and start; waits until the node is idle (~20 s)
#   scripts/slurm-test-cluster.sh stop     # stop the three daemons it started (by their pid files)
#   scripts/slurm-test-cluster.sh status   # exit 0 when slurmctld answers and the node takes jobs
#
# It writes /etc/slurm/slurm.conf (marked as its own; a slurm.conf it did not write is never
# replaced) and keeps its spool, state, logs and pid files under $DWGEN_SLURM_DIR
# (default /var/lib/dwgen-slurm-test). Each start clears the previous job state (slurmctld -c).
# Not for production: one node, no accounting, every job runs as its submitter on this machine.
set -euo pipefail

STATE_DIR=${DWGEN_SLURM_DIR:-/var/lib/dwgen-slurm-test}
CONF=/etc/slurm/slurm.conf
MARK='# dwgen test cluster: written by scripts/slurm-test-cluster.sh'
HOST=$(hostname -s)
CPUS=2 # the CI machine's cores; a shard job asks for all of them (deploy/slurm/submit.sh)
MUNGE_PID=/run/munge/munged.pid
CTLD_PID=$STATE_DIR/run/slurmctld.pid
SLURMD_PID=$STATE_DIR/run/slurmd.pid

die() { echo "slurm-test-cluster: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (it starts munged, slurmctld and slurmd)"; }

need_binaries() {
  local b missing=()
  for b in munged mungekey slurmctld slurmd sbatch scontrol sinfo; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}: apt-get install -y slurm-wlm munge (or run .ci/setup.d/30-slurm.sh)"
}

# pid from a pid file, if that process is still running
running_pid() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(tr -dc 0-9 <"$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

cluster_up() {
  scontrol ping 2>/dev/null | grep -q 'is UP' || return 1
  local state
  state=$(sinfo -h -N -n "$HOST" -o %T 2>/dev/null | head -n 1)
  case "$state" in idle*|mixed*|allocated*|completing*) return 0 ;; *) return 1 ;; esac
}

show_logs() {
  local f
  for f in "$STATE_DIR"/log/*.log /var/log/munge/munged.log; do
    [ -f "$f" ] && { echo "--- $f (last lines)" >&2; tail -n 20 "$f" >&2; }
  done
  return 0
}

write_conf() {
  if [ -f "$CONF" ] && ! head -n 1 "$CONF" | grep -qF "$MARK"; then
    die "$CONF exists and was not written by this script: refusing to replace a real cluster's configuration"
  fi
  local mem
  # RealMemory as slurmd measures it, so the node is not drained for "Low RealMemory"
  mem=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n 1)
  mkdir -p /etc/slurm
  cat >"$CONF" <<EOF
$MARK
ClusterName=dwgen-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MinJobAge=3600
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/d
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=${mem:-1024} State=UNKNOWN
PartitionName=dwgen Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  if running_pid "$MUNGE_PID" >/dev/null; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 0700 /etc/munge
  chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  chmod 0700 /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID"
  local i
  for i in $(seq 1 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  show_logs
  die "munged did not answer within 10 s"
}

start() {
  need_root
  need_binaries
  if cluster_up; then echo "slurm-test-cluster: already up (node $HOST)"; return 0; fi
  write_conf
  mkdir -p "$STATE_DIR"/ctld "$STATE_DIR"/d "$STATE_DIR"/log "$STATE_DIR"/run
  start_munge
  running_pid "$CTLD_PID" >/dev/null || slurmctld -c
  running_pid "$SLURMD_PID" >/dev/null || slurmd
  local i state=
  for i in $(seq 1 120); do
    if scontrol ping 2>/dev/null | grep -q 'is UP'; then
      state=$(sinfo -h -N -n "$HOST" -o %T 2>/dev/null | head -n 1)
      case "$state" in
        idle*|mixed*|allocated*) echo "slurm-test-cluster: up: node $HOST, $CPUS CPUs, partition dwgen"; return 0 ;;
        down*|drain*) scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true ;;
      esac
    fi
    sleep 0.5
  done
  show_logs
  die "the node did not become idle within 60 s (state '${state:-none}')"
}

# SIGTERM the process in a pid file, wait up to 10 s, then SIGKILL it
stop_pid_file() {
  local pid i
  pid=$(running_pid "$1") || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  echo "slurm-test-cluster: $2 (pid $pid) did not stop in 10 s: SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  need_root
  stop_pid_file "$SLURMD_PID" slurmd
  stop_pid_file "$CTLD_PID" slurmctld
  stop_pid_file "$MUNGE_PID" munged
  echo "slurm-test-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) cluster_up ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
