#!/usr/bin/env bash
# Run the seed workflow through SLURM on this one machine and check that it gives the same
# tables, byte for byte, as a local run.
#
# Usage (as root, from anywhere):  bash bench/slurm_local.sh [--keep]
#
# Steps (each one stops the script with "FAILED at step N (name): reason"):
#   1. checks: root, apt-get, the project's .venv, no slurmctld/slurmd/munged running
#   2. apt-get install Debian's slurm-wlm and munge
#   3. a munge key, and munged started (as the munge user)
#   4. a minimal single-node slurm.conf: NodeName=localhost, CPUs from nproc, RealMemory
#      95% of `free -m`, one partition; no cgroups (proctrack/linuxproc, task/none), no
#      accounting database
#   5. slurmctld and slurmd started; the node must come up idle; `srun hostname` must run
#   6. snakemake-executor-plugin-slurm (pinned) installed into .venv with pip
#   7. the seed workflow run twice in a temporary folder: locally (--cores 2) and with
#      `--executor slurm --profile profiles/slurm` (status by squeue: there is no
#      slurmdbd, so sacct has nothing to tell)
#   8. results/corpus/*.parquet, results/*/doc_similarity.csv, results/*/alignments.parquet
#      and results/*/claims.parquet compared with cmp
# On exit (success or not) the daemons this script started are stopped by their pid;
# `--keep` keeps the temporary folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PLUGIN_PINS=(
    "snakemake-executor-plugin-slurm==2.8.0"
    "snakemake-executor-plugin-slurm-jobstep==0.6.1"
    "throttler==1.2.3"
)
CONF_DIR=/etc/slurm
RUN_DIR=/run/framelens-slurm
LOG_DIR=/var/log/framelens-slurm
KEEP=0
[[ "${1:-}" == "--keep" ]] && KEEP=1

STEP=0
STEP_NAME=""
step() { STEP=$((STEP + 1)); STEP_NAME="$1"; echo; echo "== step $STEP: $1"; }
fail() {
    echo "slurm_local.sh: FAILED at step $STEP ($STEP_NAME): $*" >&2
    exit 1
}

STARTED_PIDS=()
WORK=""
cleanup() {
    local rc=$?
    for pidfile in "$RUN_DIR/slurmd.pid" "$RUN_DIR/slurmctld.pid" /run/munge/munged.pid; do
        if [[ -s "$pidfile" ]]; then
            local pid
            pid="$(cat "$pidfile")"
            if [[ " ${STARTED_PIDS[*]} " == *" $pid "* ]] && kill -0 "$pid" 2>/dev/null; then
                kill "$pid" 2>/dev/null || true
                for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
                echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
            fi
        fi
    done
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if [[ $KEEP == 1 || $rc != 0 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    exit $rc
}
trap cleanup EXIT
trap 'fail "unexpected error in: $BASH_COMMAND"' ERR

wait_for() {  # wait_for SECONDS COMMAND...: retry until the command succeeds
    local limit=$1; shift
    for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}

record_pid() {  # record_pid PIDFILE: remember a daemon this script started
    wait_for 15 test -s "$1" || return 1
    STARTED_PIDS+=("$(cat "$1")")
}

# ---------------------------------------------------------------------------------------
step "check: root, apt-get, the project venv"
[[ $(id -u) == 0 ]] || fail "must run as root (apt-get, daemons, /etc/slurm)"
command -v apt-get >/dev/null || fail "apt-get not found: this script is for Debian/Ubuntu"
[[ -x "$VENV/bin/snakemake" ]] || fail "$VENV/bin/snakemake missing: run \`make test-fast\` first"
running() { ps -C "$1" -o pid=,stat= | awk '$2 !~ /^Z/ {print $1}'; }  # zombies do not count
for d in slurmctld slurmd munged; do
    if [[ -n "$(running "$d")" ]]; then
        fail "a $d is already running (pid $(running "$d" | tr '\n' ' ')); stop it first, \
this script only stops what it started"
    fi
done

step "apt-get install slurm-wlm munge"
export DEBIAN_FRONTEND=noninteractive
if ! dpkg -s slurm-wlm munge >/dev/null 2>&1; then
    apt-get update -qq || fail "apt-get update failed (no network to the Debian mirror?)"
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
        || fail "apt-get install slurm-wlm munge failed"
fi
echo "slurm $(dpkg-query -W -f='${Version}' slurmctld), munge $(dpkg-query -W -f='${Version}' munge)"

step "munge key and munged"
mkdir -p "$RUN_DIR" "$LOG_DIR" /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
if [[ ! -s /etc/munge/munge.key ]]; then
    if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
rm -f /run/munge/munged.pid
runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid \
    || fail "munged did not start (see /var/log/munge/munged.log)"
record_pid /run/munge/munged.pid || fail "munged wrote no pid file \
($(tail -n 3 /var/log/munge/munged.log 2>/dev/null | tr '\n' ' '))"
munge -n | unmunge >/dev/null || fail "munge -n | unmunge does not round-trip"
echo "munged running"

step "slurm.conf for this machine"
CPUS=$(nproc)
MEM_MB=$(free -m | awk '/^Mem:/ {print $2}')
REAL_MEM=$((MEM_MB * 95 / 100))  # leave the OS some room; slurmd rejects more than it sees
mkdir -p "$CONF_DIR" /var/spool/slurmctld /var/spool/slurmd
if [[ -f "$CONF_DIR/slurm.conf" && ! -f "$CONF_DIR/slurm.conf.framelens" ]]; then
    cp "$CONF_DIR/slurm.conf" "$CONF_DIR/slurm.conf.before-framelens"
fi
cat > "$CONF_DIR/slurm.conf" <<EOF
# written by framelens bench/slurm_local.sh: one node, this machine
ClusterName=framelens
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=600
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$REAL_MEM State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
touch "$CONF_DIR/slurm.conf.framelens"
echo "NodeName=localhost CPUs=$CPUS RealMemory=$REAL_MEM (of $MEM_MB MB)"

step "slurmctld and slurmd"
/usr/sbin/slurmctld -i || fail "slurmctld did not start (see $LOG_DIR/slurmctld.log)"
record_pid "$RUN_DIR/slurmctld.pid" || fail "slurmctld wrote no pid file \
($(tail -n 3 "$LOG_DIR/slurmctld.log" 2>/dev/null | tr '\n' ' '))"
wait_for 30 scontrol ping || fail "slurmctld does not answer scontrol ping"
/usr/sbin/slurmd -N localhost || fail "slurmd did not start: $(tail -n 5 "$LOG_DIR/slurmd.log" \
    2>/dev/null | tr '\n' ' ')"
record_pid "$RUN_DIR/slurmd.pid" || fail "slurmd exited at once: $(tail -n 5 \
"$LOG_DIR/slurmd.log" 2>/dev/null | tr '\n' ' ')"
node_idle() { sinfo -h -N -o '%T' | grep -qE '^(idle|mixed|allocated)'; }
if ! wait_for 60 node_idle; then
    scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
    wait_for 30 node_idle || fail "node localhost is not idle: $(sinfo -h -N -o '%T %E') \
($(tail -n 5 "$LOG_DIR/slurmd.log" 2>/dev/null | tr '\n' ' '))"
fi
sinfo
timeout 120 srun -N1 -n1 -t 1 hostname || fail "srun hostname failed: a job cannot run on \
this node ($(tail -n 5 "$LOG_DIR/slurmd.log" 2>/dev/null | tr '\n' ' '))"

step "snakemake-executor-plugin-slurm into .venv"
"$VENV/bin/python" -m pip install --quiet -c "$ROOT/constraints.txt" "${PLUGIN_PINS[@]}" \
    || fail "pip install ${PLUGIN_PINS[*]} failed"
echo "installed: $("$VENV/bin/python" -m pip list 2>/dev/null | grep -i -E 'executor-plugin-slurm|throttler' \
    | tr -s ' ' | tr '\n' ';')"

step "seed workflow: local run and SLURM run"
WORK="$(mktemp -d /tmp/framelens-slurm-XXXXXX)"
chmod 755 "$WORK"
"$VENV/bin/python" - "$ROOT" "$WORK/config.yaml" <<'EOF'
import sys
from pathlib import Path

import yaml

root, out = Path(sys.argv[1]), Path(sys.argv[2])
config = yaml.safe_load((root / "config/config.yaml").read_text(encoding="utf-8"))
config["corpus"] = str(root / "corpus/seeds")
out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
EOF
SMK=("$VENV/bin/snakemake" --snakefile "$ROOT/Snakefile" --configfile "$WORK/config.yaml")
export HF_HUB_OFFLINE=1 PATH="$VENV/bin:$PATH"
mkdir -p "$WORK/local" "$WORK/slurm"
( cd "$WORK/local" && FRAMELENS_CACHE_DIR="$WORK/local/cache" \
    "${SMK[@]}" --directory "$WORK/local" --cores 2 >"$WORK/local.log" 2>&1 ) \
    || fail "local run failed: $(tail -n 5 "$WORK/local.log" | tr '\n' ' ')"
echo "local run done"
( cd "$WORK/slurm" && FRAMELENS_CACHE_DIR="$WORK/slurm/cache" \
    "${SMK[@]}" --directory "$WORK/slurm" --executor slurm --profile "$ROOT/profiles/slurm" \
    --slurm-status-command squeue >"$WORK/slurm.log" 2>&1 ) \
    || fail "SLURM run failed: $(grep -E 'Error|error|failed' "$WORK/slurm.log" | tail -n 5 \
       | tr '\n' ' ') (log: $WORK/slurm.log, job logs: $WORK/slurm/.snakemake/slurm_logs)"
echo "SLURM run done: $(grep -c 'Job .* has been submitted with SLURM jobid' "$WORK/slurm.log" \
    || true) jobs submitted"

step "compare tables byte for byte"
cd "$WORK/local"
mapfile -t TABLES < <(ls results/corpus/*.parquet results/*/doc_similarity.csv \
    results/*/alignments.parquet results/*/claims.parquet 2>/dev/null)
[[ ${#TABLES[@]} -gt 0 ]] || fail "the local run wrote none of the tables to compare"
DIFFER=0
for table in "${TABLES[@]}"; do
    if cmp -s "$table" "$WORK/slurm/$table"; then echo "same     $table"
    else echo "DIFFERENT $table"; DIFFER=1; fi
done
[[ $DIFFER == 0 ]] || fail "tables differ between the local and the SLURM run (kept $WORK)"
echo
echo "slurm_local.sh: OK: ${#TABLES[@]} tables identical between the local and the SLURM run"
