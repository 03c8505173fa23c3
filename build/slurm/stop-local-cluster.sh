#!/usr/bin/env bash
# Stops the single-node Slurm of start-local-cluster.sh (its slurmd and slurmctld; munge stays, other
# programs may use it). Idempotent.
set -u
dir=${COMMLAB_SLURM_DIR:-/tmp/commlab-slurm}
for daemon in slurmd slurmctld; do
    pidfile=$dir/$daemon.pid
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        # The daemon removes its pid file as it exits; wait for the process itself.
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -f "$pidfile"
done
