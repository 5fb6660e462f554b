#!/usr/bin/env bash
# Run the seed workflow through SLURM on this one machine and check that it gives the same
# tables, byte for byte, as a local run. `make bench-slurm` runs it.
#
# Usage (as root, from anywhere):  bash bench/slurm_local.sh [--keep] [--ref REV] [--event-shards N]
#   --keep     keep the temporary folder (runs, logs, the cluster's files) after success
#   --ref REV  run the workflow of git revision REV (e.g. HEAD) instead of the working tree
#   --event-shards N  the SLURM run with config event_shards N (the local run keeps the
#              config's value, 1): the tables must still be the same, byte for byte
#   --models "A B"  only these models of config/config.yaml (default: all of them)
#
# Steps (each one stops the script with "FAILED at step N (name): reason"):
#   1. checks: root, the project's .venv, no slurmctld/slurmd already running, no
#      /etc/slurm/slurm.conf other than one this script wrote
#   2. apt-get install Debian's slurm-wlm and munge (skipped when installed; services are
#      kept from starting during the install)
#   3. munge: a running munged that round-trips a credential is used as it is; otherwise
#      a key (when missing) and a munged started by this script
#   4. a single-node cluster: /etc/slurm/slurm.conf (the default path: the executor's job
#      step drops SLURM_CONF from the environment of the srun inside each job), state and
#      logs in the temporary folder; NodeName=localhost, no cgroups (proctrack/linuxproc,
#      task/none), no accounting database; the node declares at least the largest
#      first-attempt request of the profile (SlurmdParameters=config_overrides), since
#      nothing enforces memory here.
#   5. slurmctld and slurmd started; the node must come up idle; `srun hostname` must run
#   6. the project's `slurm` extra (snakemake-executor-plugin-slurm, pinned in
#      constraints.txt) installed into .venv
#   7. a snapshot of the workflow and package (working tree, or --ref) run twice from it:
#      locally (--cores 2) and with `--executor slurm --profile profiles/slurm`; the job
#      status comes from squeue (no slurmdbd, so sacct has nothing to tell) and is checked
#      every 5 s instead of the plugin's 40 s
#   8. the tables compared with cmp: results/corpus/*.parquet, results/*/doc_similarity.csv,
#      results/*/alignments.parquet, results/*/claims.parquet, results/*/events.csv,
#      results/*/outlet_overlap.csv, and the event-shard stages' doc_pairs.parquet,
#      claims_summary.csv, coverage.csv, salience.csv, quotes.csv, vocabulary.csv,
#      disputed_facts.csv
# On exit (success, failure or interrupt) the SLURM jobs still queued are cancelled and the
# daemons this script started are stopped by their pid, its /etc/slurm/slurm.conf is
# removed (a copy stays in the temporary folder), and the temporary folder is removed unless
# --keep was given or a step failed. The script can be run again straight away.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
KEEP=0
REF=""
EVENT_SHARDS=""
MODELS=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --keep) KEEP=1 ;;
        --ref) REF="${2:?--ref needs a git revision}"; shift ;;
        --event-shards) EVENT_SHARDS="${2:?--event-shards needs a number}"; shift ;;
        --models) MODELS="${2:?--models needs model keys}"; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "slurm_local.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

STEP=0
STEP_NAME=""
STEP_START=$SECONDS
TIMES=()
end_step() {
    [[ $STEP == 0 ]] || TIMES+=("$(printf '%4ss  %s' $((SECONDS - STEP_START)) "$STEP_NAME")")
}
step() {
    end_step
    STEP=$((STEP + 1)); STEP_NAME="$1"; STEP_START=$SECONDS
    echo; echo "== step $STEP: $1  [$(date +%T)]"
}
fail() {
    echo "slurm_local.sh: FAILED at step $STEP ($STEP_NAME): $*" >&2
    exit 1
}

WORK="$(mktemp -d /tmp/framelens-slurm-XXXXXX)"
chmod 755 "$WORK"
CLUSTER="$WORK/cluster"
SLURM_CONF_PATH=/etc/slurm/slurm.conf
MARKER="# written by framelens bench/slurm_local.sh"
unset SLURM_CONF
CONF_WRITTEN=0
SLURMCTLD_PID=""
SLURMD_PID=""
SMK_PID=""
MUNGED_PID=""
POLICY_RC_CREATED=0

stop_pid() {  # stop_pid PID NAME: SIGTERM, wait up to 20 s, then SIGKILL
    local pid=$1 name=$2
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
    echo "stopped $name (pid $pid)"
}

cleanup() {
    local rc=$?
    trap - ERR INT TERM
    set +e
    stop_pid "$SMK_PID" snakemake
    if [[ -n "$SLURMCTLD_PID" ]] && kill -0 "$SLURMCTLD_PID" 2>/dev/null; then
        # Jobs left by an interrupted run: only this private cluster's, all of them ours.
        local jobs
        jobs="$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')"
        if [[ -n "${jobs// /}" ]]; then
            echo "cancelling SLURM jobs: $jobs"
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null
            for _ in $(seq 30); do [[ -z "$(squeue -h -o %i 2>/dev/null)" ]] && break; sleep 1; done
        fi
    fi
    stop_pid "$SLURMD_PID" slurmd
    stop_pid "$SLURMCTLD_PID" slurmctld
    stop_pid "$MUNGED_PID" munged
    [[ $POLICY_RC_CREATED == 1 ]] && rm -f /usr/sbin/policy-rc.d
    if [[ $CONF_WRITTEN == 1 ]] && head -n 1 "$SLURM_CONF_PATH" 2>/dev/null | grep -qF "$MARKER"; then
        rm -f "$SLURM_CONF_PATH"
    fi
    if [[ $KEEP == 1 || $rc != 0 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'fail "unexpected error in: $BASH_COMMAND"' ERR
trap 'echo "slurm_local.sh: interrupted" >&2; exit 130' INT TERM

wait_for() {  # wait_for SECONDS COMMAND...: retry until the command succeeds
    local limit=$1; shift
    for _ in $(seq "$limit"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}
running() { ps -C "$1" -o pid=,stat= | awk '$2 !~ /^Z/ {print $1}'; }  # zombies do not count
log_tail() { tail -n "${2:-5}" "$1" 2>/dev/null | tr '\n' ' '; }

# ---------------------------------------------------------------------------------------
step "check: root, the project venv, no SLURM daemons or slurm.conf of another"
[[ $(id -u) == 0 ]] || fail "must run as root (apt-get, munged, slurmd)"
[[ -x "$VENV/bin/snakemake" ]] || fail "$VENV/bin/snakemake missing: run \`make test-fast\` first"
for d in slurmctld slurmd; do
    if [[ -n "$(running "$d")" ]]; then
        fail "a $d is already running (pid $(running "$d" | tr '\n' ' ')); stop it first, \
this script only stops what it started"
    fi
done
if [[ -e "$SLURM_CONF_PATH" ]] && ! head -n 1 "$SLURM_CONF_PATH" | grep -qF "$MARKER"; then
    fail "$SLURM_CONF_PATH exists and was not written by this script: this machine has a \
SLURM configuration of its own, which this script will not replace"
fi
echo "workspace $WORK"

step "apt-get install slurm-wlm munge"
if ! dpkg -s slurm-wlm munge >/dev/null 2>&1; then
    command -v apt-get >/dev/null || fail "slurm-wlm/munge missing and no apt-get: this \
script installs them on Debian/Ubuntu only"
    export DEBIAN_FRONTEND=noninteractive
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then  # no service started by the packages' scripts
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_RC_CREATED=1
    fi
    apt-get update -qq || fail "apt-get update failed (no network to the Debian mirror?)"
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null \
        || fail "apt-get install slurm-wlm munge failed"
    if [[ $POLICY_RC_CREATED == 1 ]]; then rm -f /usr/sbin/policy-rc.d; POLICY_RC_CREATED=0; fi
fi
echo "slurm $(dpkg-query -W -f='${Version}' slurmctld), munge $(dpkg-query -W -f='${Version}' munge)"

step "munge"
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if [[ -n "$(running munged)" ]]; then
    munge_ok || fail "a munged is running (pid $(running munged | tr '\n' ' ')) but \
\`munge -n | unmunge\` fails; fix or stop it first"
    echo "using the munged already running (pid $(running munged | tr '\n' ' '))"
else
    mkdir -p /run/munge /var/lib/munge /var/log/munge /etc/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge /etc/munge
    chmod 0755 /run/munge
    chmod 0700 /etc/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
        else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
        echo "created /etc/munge/munge.key"
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
    rm -f /run/munge/munged.pid
    # --force: a socket left by a munged that was killed does not stop this one
    runuser -u munge -- /usr/sbin/munged --force --pid-file=/run/munge/munged.pid \
        || fail "munged did not start ($(log_tail /var/log/munge/munged.log 3))"
    wait_for 15 test -s /run/munge/munged.pid || fail "munged wrote no pid file"
    MUNGED_PID="$(cat /run/munge/munged.pid)"
    [[ "$(cat "/proc/$MUNGED_PID/comm" 2>/dev/null)" == munged ]] \
        || fail "pid $MUNGED_PID of /run/munge/munged.pid is not munged"
    wait_for 10 munge_ok || fail "munge -n | unmunge does not round-trip"
    echo "munged started (pid $MUNGED_PID)"
fi

step "a single-node cluster: $SLURM_CONF_PATH, state and logs in $CLUSTER"
mkdir -p "$CLUSTER/state" "$CLUSTER/spool" "$CLUSTER/log"
read -r NEED_CPUS NEED_MEM < <("$PY" - "$ROOT/profiles/slurm/config.yaml" <<'EOF'
import sys

import yaml

profile = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
sets = [profile.get("default-resources", {}), *profile.get("set-resources", {}).values()]
cpus = max(int(r.get("cpus_per_task", 1)) for r in sets)
mem = max(int(str(r.get("mem_mb", 0)).split("*")[0].strip()) for r in sets)  # attempt 1
print(cpus, mem)
EOF
) || fail "cannot read the resources of profiles/slurm/config.yaml"
CPUS=$(nproc)
MEM_MB=$(free -m | awk '/^Mem:/ {print $2}')
NODE_MEM=$((MEM_MB * 95 / 100))  # leave the OS some room
NODE_CPUS=$CPUS
NOTE=""
if [[ $NODE_MEM -lt $NEED_MEM ]]; then
    NODE_MEM=$NEED_MEM
    NOTE="$NOTE declared RealMemory above this machine's $MEM_MB MB (largest profile request)."
fi
if [[ $NODE_CPUS -lt $NEED_CPUS ]]; then
    NODE_CPUS=$NEED_CPUS
    NOTE="$NOTE declared CPUs above this machine's $CPUS (largest profile request)."
fi
mkdir -p "$(dirname "$SLURM_CONF_PATH")"
CONF_WRITTEN=1
cat > "$SLURM_CONF_PATH" <<EOF
$MARKER: one node, this machine, for one run
# (removed when the script exits; state and logs in $CLUSTER)
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
SlurmdParameters=config_overrides
ReturnToService=2
# squeue must still show a finished job when the executor asks (it needs >= 120 s)
MinJobAge=600
SlurmctldPidFile=$CLUSTER/slurmctld.pid
SlurmdPidFile=$CLUSTER/slurmd.pid
SlurmctldLogFile=$CLUSTER/log/slurmctld.log
SlurmdLogFile=$CLUSTER/log/slurmd.log
StateSaveLocation=$CLUSTER/state
SlurmdSpoolDir=$CLUSTER/spool
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$NODE_CPUS RealMemory=$NODE_MEM State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
echo "NodeName=localhost CPUs=$NODE_CPUS RealMemory=$NODE_MEM (machine: $CPUS CPUs, $MEM_MB MB;\
 largest profile request: $NEED_CPUS CPUs, $NEED_MEM MB).$NOTE"
cp "$SLURM_CONF_PATH" "$CLUSTER/slurm.conf"

step "slurmctld and slurmd"
/usr/sbin/slurmctld -D >"$CLUSTER/log/slurmctld.out" 2>&1 &
SLURMCTLD_PID=$!
wait_for 30 scontrol ping || fail "slurmctld does not answer scontrol ping \
($(log_tail "$CLUSTER/log/slurmctld.log") $(log_tail "$CLUSTER/log/slurmctld.out"))"
/usr/sbin/slurmd -D -N localhost >"$CLUSTER/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
node_idle() { sinfo -h -N -o '%T' | grep -qE '^(idle|mixed|allocated)'; }
if ! wait_for 60 node_idle; then
    kill -0 "$SLURMD_PID" 2>/dev/null || fail "slurmd exited: $(log_tail "$CLUSTER/log/slurmd.log") \
$(log_tail "$CLUSTER/log/slurmd.out")"
    scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
    wait_for 30 node_idle || fail "node localhost is not idle: $(sinfo -h -N -o '%T %E') \
($(log_tail "$CLUSTER/log/slurmd.log"))"
fi
sinfo
timeout 120 srun -N1 -n1 -t 1 hostname || fail "srun hostname failed: a job cannot run on \
this node ($(log_tail "$CLUSTER/log/slurmd.log"))"

step "the slurm extra (snakemake-executor-plugin-slurm) into .venv"
mapfile -t EXTRA < <("$PY" - "$ROOT/pyproject.toml" <<'EOF'
import sys
import tomllib

with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["optional-dependencies"]["slurm"]))
EOF
)
[[ ${#EXTRA[@]} -gt 0 ]] || fail "pyproject.toml has no [project.optional-dependencies] slurm"
# The extra's requirements only (not `-e .[slurm]`: the project's own install is left alone)
"$PY" -m pip install --quiet --disable-pip-version-check -c "$ROOT/constraints.txt" "${EXTRA[@]}" \
    || fail "pip install ${EXTRA[*]} failed"
echo "installed: $("$PY" -m pip list --disable-pip-version-check 2>/dev/null \
    | grep -i -E 'executor-plugin-slurm|^snakemake ' | tr -s ' ' | tr '\n' ';')"

step "seed workflow: local run and SLURM run"
CODE="$WORK/code"
mkdir -p "$CODE"
PARTS=(Snakefile workflow src config corpus/seeds)
if [[ -n "$REF" ]]; then
    git -C "$ROOT" archive "$REF" -- "${PARTS[@]}" | tar -x -C "$CODE" \
        || fail "git archive $REF failed"
    echo "workflow and package: git revision $REF ($(git -C "$ROOT" rev-parse --short "$REF"))"
else
    # A snapshot, so that both runs use the same code while the working tree may change.
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard -- "${PARTS[@]}" \
        | while IFS= read -r -d '' f; do [[ -e "$ROOT/$f" ]] && printf '%s\0' "$f"; done \
        | tar -C "$ROOT" --null -T - -cf - | tar -x -C "$CODE" \
        || fail "cannot copy the working tree"
    CHANGED=$(git -C "$ROOT" status --porcelain -- "${PARTS[@]}" | wc -l)
    echo "workflow and package: working tree of $(git -C "$ROOT" rev-parse --short HEAD)" \
        "($CHANGED changed or new files)"
fi
"$PY" - "$CODE" "$WORK/config.yaml" "$WORK/config_slurm.yaml" "$EVENT_SHARDS" "$MODELS" <<'EOF'
import sys
from pathlib import Path

import yaml

code, out, out_slurm, shards = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
config = yaml.safe_load((code / "config/config.yaml").read_text(encoding="utf-8"))
config["corpus"] = str(code / "corpus/seeds")
if sys.argv[5].split():
    config["models"] = {key: config["models"][key] for key in sys.argv[5].split()}
out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
if shards:
    config["event_shards"] = int(shards)
out_slurm.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
EOF
echo "local run: event_shards $(grep '^event_shards:' "$WORK/config.yaml" | cut -d' ' -f2);" \
    "SLURM run: event_shards $(grep '^event_shards:' "$WORK/config_slurm.yaml" | cut -d' ' -f2)"
# Every process, the SLURM jobs included (sbatch exports the environment), imports the
# snapshot's package rather than the editable install's.
export PYTHONPATH="$CODE/src" HF_HUB_OFFLINE=1 PATH="$VENV/bin:$PATH"
[[ "$("$PY" -c 'import framelens; print(framelens.__file__)')" == "$CODE/src/"* ]] \
    || fail "PYTHONPATH=$CODE/src does not take precedence over the installed framelens"
SMK=("$VENV/bin/snakemake" --snakefile "$CODE/Snakefile")
mkdir -p "$WORK/local" "$WORK/slurm"
run_snakemake() {  # run_snakemake NAME ARGS...: in $WORK/NAME, log in $WORK/NAME.log
    local name=$1; shift
    # In the background and waited for, so that an interrupt reaches this script at once
    # (cleanup then stops Snakemake and cancels its jobs).
    ( cd "$WORK/$name" && FRAMELENS_CACHE_DIR="$WORK/$name/cache" \
        exec "${SMK[@]}" --directory "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 ) &
    SMK_PID=$!
    local rc=0
    wait "$SMK_PID" || rc=$?
    SMK_PID=""
    return "$rc"
}
T0=$SECONDS
run_snakemake local --cores 2 --configfile "$WORK/config.yaml" \
    || fail "local run failed: $(log_tail "$WORK/local.log") (log: $WORK/local.log)"
LOCAL_S=$((SECONDS - T0))
echo "local run done in ${LOCAL_S}s: $(grep -o '[0-9]* of [0-9]* steps (100%) done' \
    "$WORK/local.log" | tail -n 1)"
T0=$SECONDS
run_snakemake slurm --executor slurm --profile "$ROOT/profiles/slurm" \
    --configfile "$WORK/config_slurm.yaml" \
    --slurm-status-command squeue --slurm-init-seconds-before-status-checks 5 \
    --slurm-keep-successful-logs \
    || fail "SLURM run failed: $(grep -E 'Error|error|failed' "$WORK/slurm.log" | tail -n 5 \
       | tr '\n' ' ') (log: $WORK/slurm.log, job logs: $WORK/slurm/.snakemake/slurm_logs)"
SLURM_S=$((SECONDS - T0))
SUBMITTED=$(grep -c 'has been submitted with SLURM jobid' "$WORK/slurm.log" || true)
echo "SLURM run done in ${SLURM_S}s: $(grep -o '[0-9]* of [0-9]* steps (100%) done' \
    "$WORK/slurm.log" | tail -n 1), $SUBMITTED of them submitted with sbatch"
[[ $SUBMITTED -gt 0 ]] || fail "no job was submitted to SLURM (log: $WORK/slurm.log)"

step "compare tables byte for byte"
cd "$WORK/local"
mapfile -t TABLES < <(ls results/corpus/*.parquet results/*/doc_similarity.csv \
    results/*/alignments.parquet results/*/claims.parquet results/*/events.csv \
    results/*/outlet_overlap.csv results/*/doc_pairs.parquet results/*/claims_summary.csv \
    results/*/coverage.csv results/*/salience.csv results/*/quotes.csv \
    results/*/vocabulary.csv results/*/disputed_facts.csv 2>/dev/null)
[[ ${#TABLES[@]} -gt 0 ]] || fail "the local run wrote none of the tables to compare"
DIFFER=()
for table in "${TABLES[@]}"; do
    if [[ ! -f "$WORK/slurm/$table" ]]; then echo "MISSING   $table"; DIFFER+=("$table")
    elif cmp -s "$table" "$WORK/slurm/$table"; then echo "same      $table"
    else echo "DIFFERENT $table"; DIFFER+=("$table"); fi
done
if [[ ${#DIFFER[@]} -gt 0 ]]; then
    # How far apart: identical values in another byte layout, float noise, or real change?
    "$PY" - "$WORK/local" "$WORK/slurm" "${DIFFER[@]}" <<'EOF' || true
import sys
from pathlib import Path

import pandas as pd

local, slurm = Path(sys.argv[1]), Path(sys.argv[2])
for name in sys.argv[3:]:
    if not (slurm / name).exists():
        continue
    read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
    a, b = read(local / name), read(slurm / name)
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        print(f"  {name}: shape {a.shape} vs {b.shape}, columns differ: {list(a.columns) != list(b.columns)}")
        continue
    num = a.select_dtypes("number").columns
    gap = float((a[num] - b[num]).abs().max().max()) if len(num) else 0.0
    other = [c for c in a.columns if c not in num and not a[c].astype(str).equals(b[c].astype(str))]
    print(f"  {name}: largest numeric difference {gap:.3g}; other columns that differ: {other}")
EOF
    fail "${#DIFFER[@]} of ${#TABLES[@]} tables differ between the local and the SLURM run"
fi
end_step
echo
echo "timings (this machine: $CPUS CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '  %s\n' "${TIMES[@]}"
printf '  %4ss  local run\n  %4ss  SLURM run\n  %4ss  in all\n' "$LOCAL_S" "$SLURM_S" "$SECONDS"
echo "slurm_local.sh: OK: ${#TABLES[@]} tables identical between the local and the SLURM run"
