#!/usr/bin/env bash
# `hyperinterp sweep --slurm` for real: a single-node Slurm (Debian's
# slurm-wlm and munge; slurmctld and slurmd on this machine), a 3-seed
# `--quick` sweep submitted as a job array with its dependent merge, then a
# check of the merged report. Needs root (to install and start the
# daemons) and the `hyperinterp` binary (argument 1, default
# target/debug/hyperinterp, which `cargo test --workspace` builds).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-target/debug/hyperinterp}")
[ -x "$binary" ] || { echo "slurm: no binary at $binary" >&2; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt=(apt-get); else apt=(sudo apt-get); fi
  "${apt[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq slurm-wlm munge >/dev/null
fi

state=$(mktemp -d /tmp/hyperinterp-slurm.XXXXXX)
host=$(hostname)
conf=/etc/slurm/slurm.conf
mkdir -p /etc/slurm "$state/save" "$state/spool"
cat > "$conf" <<CONF
# Written by .ci/slurm.sh: one node, this machine.
ClusterName=hyperinterp-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$state/save
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

stop() {
  [ -f "$state/slurmd.pid" ] && kill "$(cat "$state/slurmd.pid")" 2>/dev/null || true
  [ -f "$state/slurmctld.pid" ] && kill "$(cat "$state/slurmctld.pid")" 2>/dev/null || true
}
trap stop EXIT
[ -f /etc/munge/munge.key ] || mungekey --create 2>/dev/null || create-munge-key
# munged runs as its own user and refuses files that user does not own.
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
munge -n >/dev/null 2>&1 || runuser -u munge -- munged
slurmctld
slurmd
for _ in $(seq 30); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo

out="$state/sweep"
"$binary" sweep --quick --seeds 0,1,2 --out "$out" --slurm --submit \
  --slurm-cpus 1 --slurm-partition ci --slurm-binary "$binary"
# Wait for the array and its merge (the quick runs take seconds each).
for _ in $(seq 600); do
  [ -z "$(squeue -h)" ] && break
  sleep 1
done
cat "$out"/slurm/*.log
test -s "$out/merged.json" || { echo "slurm: no merged.json" >&2; tail -20 "$state"/*.log >&2; exit 1; }
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
merged = json.load(open(os.path.join(out, "merged.json")))
assert merged["seeds"] == 3, merged["seeds"]
assert merged["guidance"]["blind"], merged["guidance"]
for seed in range(3):
    report = json.load(open(os.path.join(out, f"seed-{seed}", "report.json")))
    assert report["config"]["training"]["seed"] == seed, report["config"]["training"]["seed"]
print("slurm: merged", merged["seeds"], "seeds from a 3-task array")
PY
