#!/usr/bin/env bash
# Starts a single-node Slurm on this machine (slurmctld and slurmd on loopback, munge for auth) for the
# cluster tests, with its configuration and state in one folder: $COMMLAB_SLURM_DIR, default
# /tmp/commlab-slurm. Idempotent: daemons already running are left alone. Needs root and Debian's
# slurm-wlm and munge packages (installed here when missing). Prints the SLURM_CONF to export.
# Stop it with build/slurm/stop-local-cluster.sh.
set -euo pipefail

dir=${COMMLAB_SLURM_DIR:-/tmp/commlab-slurm}
conf=$dir/slurm.conf

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "installing slurm-wlm and munge" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null
fi

mkdir -p "$dir/state" "$dir/spool" "$dir/log"
host=$(hostname -s)
cpus=$(nproc)
# Leave the OS some memory: Slurm refuses jobs asking for more than RealMemory.
memory=$(( $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) * 9 / 10 ))

cat > "$conf.new" <<CONF
ClusterName=commlab
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
mv "$conf.new" "$conf"

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

if ! pgrep -x munged >/dev/null; then
    [ -f /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
    # munged runs as the munge user when it exists; as root it needs --force.
    if id munge >/dev/null 2>&1; then runuser -u munge -- munged; else munged --force; fi
fi
running "$dir/slurmctld.pid" || slurmctld -f "$conf"
running "$dir/slurmd.pid" || slurmd -f "$conf"

# Wait until the node is idle and takes jobs.
for _ in $(seq 1 30); do
    if SLURM_CONF=$conf sinfo -h -o '%t' 2>/dev/null | grep -qx 'idle\|mix\|alloc'; then
        echo "export SLURM_CONF=$conf"
        exit 0
    fi
    sleep 1
done
echo "the local Slurm did not come up; see $dir/log" >&2
exit 1
