#!/usr/bin/env bash
# cluster.sh -- a private, throw-away, single-node SLURM cluster for tests.
#
#   cluster.sh install            install munge + slurmctld/slurmd/slurm-client
#                                 from Debian packages if they are missing
#   cluster.sh start  STATE_DIR   write a private config into STATE_DIR, start
#                                 munged, slurmctld, slurmd and wait until the
#                                 node is idle; prints the contents of
#                                 STATE_DIR/env.sh (export SLURM_CONF=...,
#                                 PATH=STATE_DIR/bin:...) on stdout
#   cluster.sh stop   STATE_DIR   cancel jobs, stop the daemons by their recorded
#                                 PIDs (reverse order); safe to call twice
#   cluster.sh status STATE_DIR   show daemons, sinfo and squeue
#
# Everything (config, munge socket and key copy, state, spool, logs, PID files)
# lives inside STATE_DIR, and the daemons use non-default ports, so a system
# munge/SLURM that a developer already runs is left alone.  Daemons are never
# found or stopped by name, only by the PIDs recorded in STATE_DIR/pids.
#
# Client commands (sbatch, squeue, sinfo, scancel, scontrol, and Snakemake's
# SLURM executor plugin which calls them) must see SLURM_CONF:
#     . STATE_DIR/env.sh          or      eval "$(cluster.sh start STATE_DIR)"
# env.sh also puts STATE_DIR/bin first on PATH: tiny wrappers around the SLURM
# client commands that default SLURM_CONF to this cluster.  They are needed
# because snakemake-executor-plugin-slurm-jobstep removes every SLURM_* variable
# (SLURM_CONF included) before it calls `srun` inside the job, and srun then
# finds no configuration ("fetch_config: DNS SRV lookup failed").  PATH
# survives, so the wrapper supplies SLURM_CONF again.
#
# Exit codes: 0 ok; 1 failure (message on stderr); 2 usage error;
#             3 cannot be installed/run here (not root, no apt, apt failed,
#               binaries missing): a test wrapper should skip with that reason.
#
# Environment knobs (all optional):
#   HOTCOLD_SLURMCTLD_PORT   slurmctld port           (default 16817)
#   HOTCOLD_SLURMD_PORT      slurmd port              (default 16818)
#   HOTCOLD_CLUSTER_NAME     ClusterName              (default hotcold)
#   HOTCOLD_PARTITION        partition name           (default debug)
#   HOTCOLD_MEM_HEADROOM_MB  RealMemory headroom      (default 1024)
#   HOTCOLD_DEF_MEM_PER_CPU  DefMemPerCPU in MB       (default 1000)
#   HOTCOLD_START_TIMEOUT    seconds to wait for idle (default 60)
#   HOTCOLD_STOP_TIMEOUT     seconds per daemon/jobs  (default 15)
#   HOTCOLD_MUNGE_KEY        system munge key to use  (default /etc/munge/munge.key)

set -euo pipefail
umask 022

PROG=cluster.sh
CTLD_PORT=${HOTCOLD_SLURMCTLD_PORT:-16817}
SLURMD_PORT=${HOTCOLD_SLURMD_PORT:-16818}
CLUSTER_NAME=${HOTCOLD_CLUSTER_NAME:-hotcold}
PARTITION=${HOTCOLD_PARTITION:-debug}
MEM_HEADROOM_MB=${HOTCOLD_MEM_HEADROOM_MB:-1024}
DEF_MEM_PER_CPU=${HOTCOLD_DEF_MEM_PER_CPU:-1000}
START_TIMEOUT=${HOTCOLD_START_TIMEOUT:-60}
STOP_TIMEOUT=${HOTCOLD_STOP_TIMEOUT:-15}
SYSTEM_MUNGE_KEY=${HOTCOLD_MUNGE_KEY:-/etc/munge/munge.key}

# Commands the cluster needs at run time (daemons and clients).
REQUIRED_CMDS="munged munge unmunge slurmctld slurmd sbatch squeue sinfo scancel scontrol"
# Debian packages that provide them (munge comes in as a dependency too).
PACKAGES=(munge slurmctld slurmd slurm-client)

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
# "cannot do this on this machine" -> exit 3 so that pytest can skip.
unavailable() { printf '%s: unavailable: %s\n' "$PROG" "$*" >&2; exit 3; }

usage() {
    cat >&2 <<EOF
usage: $PROG install
       $PROG start  STATE_DIR
       $PROG stop   STATE_DIR
       $PROG status STATE_DIR
EOF
    exit 2
}

is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac; }

# Validate numeric knobs early so a typo gives a clear message.
check_knobs() {
    local name
    for name in CTLD_PORT SLURMD_PORT MEM_HEADROOM_MB DEF_MEM_PER_CPU START_TIMEOUT STOP_TIMEOUT; do
        is_uint "${!name}" || die "$name must be a non-negative integer, got '${!name}'"
    done
    [ "$CTLD_PORT" != "$SLURMD_PORT" ] || die "slurmctld and slurmd ports must differ"
}

# Print the names of required commands that are missing.
missing_cmds() {
    local c out=""
    for c in $REQUIRED_CMDS; do
        # Daemons live in /usr/sbin which may not be on a non-root PATH.
        command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || out="$out $c"
    done
    printf '%s' "${out# }"
}

# Make STATE_DIR absolute (it ends up in slurm.conf and env.sh).
abs_dir() {
    local d=$1
    mkdir -p -- "$d" || die "cannot create state directory '$d'"
    (cd -- "$d" && pwd -P) || die "cannot enter state directory '$d'"
}

# True if PID is alive and its executable name is NAME (guards against a
# recycled PID: we never signal a process that is not the daemon we started).
pid_is() {
    local name=$1 pid=$2 comm
    is_uint "$pid" || return 1
    [ -r "/proc/$pid/comm" ] || return 1
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    # zombies are as good as dead
    case $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) in Z | X | '') return 1 ;; esac
    [ "$comm" = "$name" ]
}

# True if something already listens on 127.0.0.1:PORT.
port_busy() {
    if command -v ss >/dev/null 2>&1; then
        [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
    else
        timeout 2 bash -c ": </dev/tcp/127.0.0.1/$1" 2>/dev/null
    fi
}

# Print the last lines of every daemon's log (used on failures): the daemon's
# own log file if it wrote one, else what it printed (NAME.out; munged in the
# foreground and a daemon that dies early only print).
show_logs() {
    local name f
    for name in munged slurmctld slurmd; do
        f="$SD/log/$name.log"
        [ -s "$f" ] || f="$SD/log/$name.out"
        [ -s "$f" ] || continue
        printf '%s: ---- tail of %s ----\n' "$PROG" "$f" >&2
        tail -n 25 -- "$f" >&2 || true
    done
}

# Source the env of a started cluster (SLURM_CONF) for client commands.
use_cluster_env() {
    unset SLURM_CONF SLURM_CLUSTERS SLURM_JOB_ID
    export SLURM_CONF="$SD/slurm.conf"
    export PATH="$PATH:/usr/sbin"
}

# The environment callers need, as shell code (written to env.sh and printed
# by `start` so that `eval "$(cluster.sh start DIR)"` works too).
env_text() {
    printf '# SLURM test cluster in %s (generated by cluster.sh)\n' "$SD"
    printf 'export SLURM_CONF=%q\n' "$SD/slurm.conf"
    # shellcheck disable=SC2016  # $PATH is expanded when env.sh is sourced
    printf 'case ":$PATH:" in *:%q:*) ;; *) export PATH=%q:"$PATH" ;; esac\n' "$SD/bin" "$SD/bin"
}

# STATE_DIR/bin/<client>: `exec /usr/bin/<client>` with SLURM_CONF defaulting
# to this cluster (an explicitly set SLURM_CONF still wins).
write_wrappers() {
    local c real
    mkdir -p -- "$SD/bin"
    for c in sbatch srun salloc squeue sinfo scancel scontrol sacct sacctmgr sshare sstat sprio sattach sbcast; do
        # Resolve the real binary with our own bin/ kept off the search.
        real=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$SD/bin" | paste -sd:) command -v "$c" 2>/dev/null) || continue
        case $real in /*) ;; *) continue ;; esac
        {
            printf '#!/bin/bash\n# generated by cluster.sh: %s for the test cluster in %s\n' "$c" "$SD"
            # shellcheck disable=SC2016  # $SLURM_CONF is expanded by the wrapper
            printf 'if [ -z "${SLURM_CONF:-}" ]; then export SLURM_CONF=%q; fi\n' "$SD/slurm.conf"
            printf 'exec %q "$@"\n' "$real"
        } >"$SD/bin/$c.tmp"
        chmod 0755 "$SD/bin/$c.tmp"
        mv -f -- "$SD/bin/$c.tmp" "$SD/bin/$c"
    done
    if [ ! -x "$SD/bin/srun" ] || [ ! -x "$SD/bin/sbatch" ]; then
        die "cannot find srun/sbatch to wrap"
    fi
}

# --------------------------------------------------------------------------
# install
# --------------------------------------------------------------------------
cmd_install() {
    local missing
    missing=$(missing_cmds)
    if [ -z "$missing" ]; then
        log "munge and SLURM already installed ($(slurmctld -V 2>/dev/null || echo '?'))"
        return 0
    fi
    [ "$(id -u)" = 0 ] || unavailable "missing [$missing] and not root, cannot apt-get install"
    command -v apt-get >/dev/null 2>&1 || unavailable "missing [$missing] and no apt-get on this machine"

    local aptlog
    aptlog=$(mktemp "${TMPDIR:-/tmp}/hotcold-apt.XXXXXX") || die "mktemp failed"
    log "installing ${PACKAGES[*]} (missing: $missing)"
    export DEBIAN_FRONTEND=noninteractive
    if ! timeout 600 apt-get -qq -o DPkg::Lock::Timeout=120 update >"$aptlog" 2>&1; then
        tail -n 5 "$aptlog" >&2 || true
        unavailable "apt-get update failed (see above; full log $aptlog)"
    fi
    if ! timeout 900 apt-get -qq -y -o DPkg::Lock::Timeout=120 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        install --no-install-recommends "${PACKAGES[@]}" >>"$aptlog" 2>&1; then
        tail -n 5 "$aptlog" >&2 || true
        unavailable "apt-get install ${PACKAGES[*]} failed (see above; full log $aptlog)"
    fi
    missing=$(missing_cmds)
    [ -z "$missing" ] || unavailable "installed ${PACKAGES[*]} but still missing: $missing"
    rm -f -- "$aptlog"
    log "installed $(slurmctld -V 2>/dev/null || echo SLURM), $(munged -V 2>/dev/null | head -n 1 || echo munge)"
}

# --------------------------------------------------------------------------
# start
# --------------------------------------------------------------------------

# Write STATE_DIR/slurm.conf for this machine.
write_config() {
    local host=$1 nodeline realmem cpus topo
    # `slurmd -C` prints e.g.
    #   NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105
    nodeline=$(env -u SLURM_CONF slurmd -C 2>/dev/null | grep '^NodeName=' | head -n 1) ||
        die "'slurmd -C' did not report the node's resources"
    realmem=$(printf '%s\n' "$nodeline" | tr ' ' '\n' | sed -n 's/^RealMemory=//p')
    cpus=$(printf '%s\n' "$nodeline" | tr ' ' '\n' | sed -n 's/^CPUs=//p')
    if ! is_uint "$realmem" || ! is_uint "$cpus"; then
        die "cannot parse 'slurmd -C' output: $nodeline"
    fi
    # Socket/core/thread layout exactly as detected (keeps cons_tres consistent).
    topo=$(printf '%s\n' "$nodeline" | tr ' ' '\n' |
        grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')
    # Leave headroom for the OS and the submitting Snakemake; never below 512 MB.
    realmem=$((realmem - MEM_HEADROOM_MB))
    [ "$realmem" -ge 512 ] || realmem=512

    cat >"$SD/slurm.conf.tmp" <<EOF
# Generated by tests/slurm/cluster.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); do not edit.
ClusterName=$CLUSTER_NAME
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root

# Private munged (own socket inside STATE_DIR).
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SD/munge/munge.socket

# Everything on disk lives in STATE_DIR.
StateSaveLocation=$SD/state
SlurmdSpoolDir=$SD/spool
SlurmctldPidFile=$SD/run/slurmctld.pid
SlurmdPidFile=$SD/run/slurmd.pid
SlurmctldLogFile=$SD/log/slurmctld.log
SlurmdLogFile=$SD/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# No cgroups, no accounting (no slurmdbd): sacct does not work, so Snakemake
# must use --slurm-status-command squeue, which needs MinJobAge >= 3x the
# plugin's init seconds.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true

SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$DEF_MEM_PER_CPU
MinJobAge=300
ReturnToService=2
KillWait=5
InactiveLimit=0
Waittime=0
SlurmctldTimeout=60
SlurmdTimeout=300

NodeName=$host NodeAddr=127.0.0.1 ${topo}RealMemory=$realmem State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    mv -f -- "$SD/slurm.conf.tmp" "$SD/slurm.conf"
}

# Prepare the private munge key: STATE_DIR/munge/munge.key, a root-owned 0400
# copy of the system key (created if absent: owned by munge, 0400).  munged
# runs as root here (it must reach a socket in STATE_DIR, which may sit below a
# 0700 directory such as pytest's tmp dir), and a root munged wants a
# root-owned key.
prepare_munge() {
    mkdir -p -- "$SD/munge"
    # munged insists that the socket directory is world-executable.
    chmod 0755 "$SD/munge"
    if [ ! -s "$SYSTEM_MUNGE_KEY" ]; then
        log "no munge key at $SYSTEM_MUNGE_KEY: creating one"
        mkdir -p -- "$(dirname -- "$SYSTEM_MUNGE_KEY")"
        if command -v mungekey >/dev/null 2>&1 || [ -x /usr/sbin/mungekey ]; then
            PATH="$PATH:/usr/sbin" mungekey --create --keyfile="$SYSTEM_MUNGE_KEY" ||
                die "mungekey could not create $SYSTEM_MUNGE_KEY"
        else
            (umask 077 && head -c 1024 /dev/urandom >"$SYSTEM_MUNGE_KEY") ||
                die "cannot write $SYSTEM_MUNGE_KEY"
        fi
        if id munge >/dev/null 2>&1; then chown munge:munge "$SYSTEM_MUNGE_KEY"; fi
        chmod 0400 "$SYSTEM_MUNGE_KEY"
    fi
    install -m 0400 -o root -g root -- "$SYSTEM_MUNGE_KEY" "$SD/munge/munge.key" ||
        die "cannot copy munge key $SYSTEM_MUNGE_KEY to $SD/munge/munge.key"
}

# Start one daemon in the foreground of its own session, in the background of
# this script, and record its PID.  Output goes to STATE_DIR/log/NAME.out so
# that no caller pipe is held open by a daemon.
#   launch NAME CMD ARGS...
launch() {
    local name=$1 pid
    shift
    setsid "$@" </dev/null >>"$SD/log/$name.out" 2>&1 &
    pid=$!
    printf '%s %s\n' "$name" "$pid" >>"$SD/pids"
    # The exec of setsid -> daemon takes a moment; check that it is alive.
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        pid_is "$name" "$pid" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    pid_is "$name" "$pid" || {
        tail -n 20 "$SD/log/$name.out" >&2 2>/dev/null || true
        return 1
    }
}

# Wait until a munge credential round-trips through the private socket.
wait_munge() {
    local deadline=$((SECONDS + 15))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ -S "$SD/munge/munge.socket" ] &&
            munge -S "$SD/munge/munge.socket" -n 2>/dev/null |
            unmunge -S "$SD/munge/munge.socket" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# True if every daemon recorded in STATE_DIR/pids is alive.
daemons_alive() {
    local name pid ok=0
    [ -s "$SD/pids" ] || return 1
    while read -r name pid; do
        [ -n "$name" ] || continue
        pid_is "$name" "$pid" || ok=1
    done <"$SD/pids"
    return "$ok"
}

# Clean up after a failed start: show logs, stop what we started, exit 1.
start_failed() {
    log "start failed: $*"
    show_logs
    do_stop quiet || true
    die "$*"
}

cmd_start() {
    SD=$(abs_dir "$1")
    check_knobs
    [ "$(id -u)" = 0 ] || unavailable "starting the test cluster needs root (SlurmUser=root)"
    local missing
    missing=$(missing_cmds)
    [ -z "$missing" ] || unavailable "SLURM/munge not installed (missing: $missing); run '$0 install'"
    export PATH="$PATH:/usr/sbin"

    # Already running from this STATE_DIR?  Then just hand out the env again.
    if [ -s "$SD/pids" ]; then
        if daemons_alive; then
            log "cluster in $SD already running"
            env_text
            return 0
        fi
        log "stale daemons recorded in $SD/pids: stopping leftovers first"
        do_stop quiet || true
    fi

    local port
    for port in "$CTLD_PORT" "$SLURMD_PORT"; do
        port_busy "$port" && unavailable "port $port is already in use (set HOTCOLD_SLURMCTLD_PORT / HOTCOLD_SLURMD_PORT)"
    done

    local host
    host=$(hostname -s 2>/dev/null || uname -n)
    host=${host%%.*}
    [ -n "$host" ] || die "cannot determine the short hostname"

    # Paths go unquoted into slurm.conf, and unix socket paths are limited to
    # 107 bytes: the longest here is slurmstepd's
    # STATE_DIR/spool/<host>_<jobid>.<stepid> (10-digit ids).
    case $SD in *[[:space:]\"\'\#\$]*) die "STATE_DIR must not contain spaces, quotes, '#' or '\$': $SD" ;; esac
    local maxlen=$((107 - ${#host} - 29))
    [ "${#SD}" -le "$maxlen" ] ||
        die "STATE_DIR is ${#SD} characters long, at most $maxlen fit unix socket paths: use a shorter one (e.g. mktemp -d /tmp/slurm.XXXXXX)"

    mkdir -p -- "$SD/state" "$SD/spool" "$SD/run" "$SD/log"
    chmod 0755 "$SD" "$SD/state" "$SD/spool" "$SD/run" "$SD/log"
    : >"$SD/pids"
    write_config "$host"
    prepare_munge
    # Env file and client wrappers for callers.
    write_wrappers
    env_text >"$SD/env.sh"
    use_cluster_env

    # 1. munged (as root, private socket/key/pid/seed; --force turns the
    #    "ancestor directory not world-executable" check into a warning).
    launch munged munged --foreground --force \
        --socket="$SD/munge/munge.socket" --key-file="$SD/munge/munge.key" \
        --pid-file="$SD/run/munged.pid" --seed-file="$SD/munge/munged.seed" ||
        start_failed "munged did not start"
    wait_munge || start_failed "munged does not answer on $SD/munge/munge.socket"

    # 2. slurmctld, 3. slurmd (both in the foreground of their own session).
    launch slurmctld slurmctld -D -f "$SD/slurm.conf" ||
        start_failed "slurmctld did not start"
    launch slurmd slurmd -D -f "$SD/slurm.conf" -N "$host" ||
        start_failed "slurmd did not start"

    # Wait (bounded) until the node is idle.
    local deadline=$((SECONDS + START_TIMEOUT)) state=""
    while :; do
        daemons_alive || start_failed "a daemon exited during start-up"
        state=$(timeout 15 sinfo -h -n "$host" -o '%t' 2>/dev/null | head -n 1) || state=""
        case $state in idle | mix | alloc) break ;; esac
        [ "$SECONDS" -lt "$deadline" ] ||
            start_failed "node $host not idle after ${START_TIMEOUT}s (sinfo state: '${state:-no answer}')"
        sleep 0.5
    done
    log "cluster '$CLUSTER_NAME' up in $SD: node $host $state, partition $PARTITION, ports $CTLD_PORT/$SLURMD_PORT"
    log "clients need: . $SD/env.sh"
    env_text
}

# --------------------------------------------------------------------------
# stop
# --------------------------------------------------------------------------

# Send TERM to a recorded daemon, wait up to STOP_TIMEOUT s, then KILL.
stop_one() {
    local name=$1 pid=$2 i
    pid_is "$name" "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        pid_is "$name" "$pid" || return 0
        sleep 0.1
    done
    log "$name ($pid) ignored TERM for ${STOP_TIMEOUT}s: sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        pid_is "$name" "$pid" || return 0
        sleep 0.1
    done
    log "$name ($pid) is still alive after KILL"
    return 1
}

# Cancel all jobs of this cluster and wait (bounded) for them to finish, so
# that no job steps (slurmstepd and their children) outlive the daemons.
cancel_jobs() {
    local jobs i
    [ -f "$SD/slurm.conf" ] || return 0
    use_cluster_env
    jobs=$(timeout 10 squeue -h -o '%i' 2>/dev/null) || return 0
    [ -n "$jobs" ] || return 0
    log "cancelling jobs: $(printf '%s' "$jobs" | tr '\n' ' ')"
    # shellcheck disable=SC2086
    timeout 10 scancel $jobs 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 2; i++)); do
        jobs=$(timeout 10 squeue -h -t running,completing,configuring -o '%i' 2>/dev/null) || return 0
        [ -n "$jobs" ] || return 0
        sleep 0.5
    done
    log "jobs still not finished after ${STOP_TIMEOUT}s: $(printf '%s' "$jobs" | tr '\n' ' ')"
}

# Print the PIDs of all descendants of PID (breadth first), from the parent
# links in /proc/*/stat.
descendants() {
    local root=$1 p st ppid queue cur
    local -A kids=()
    for p in /proc/[0-9]*; do
        st=$(cat "$p/stat" 2>/dev/null) || continue
        st=${st##*) }          # drop "pid (comm) ", comm may contain spaces
        ppid=${st#* }          # fields now: state ppid ...
        ppid=${ppid%% *}
        kids[$ppid]="${kids[$ppid]:-} ${p#/proc/}"
    done
    queue=$root
    while [ -n "${queue// /}" ]; do
        queue=${queue# }
        cur=${queue%% *}
        if [ "$cur" = "$queue" ]; then queue=""; else queue=${queue#* }; fi
        for p in ${kids[$cur]:-}; do
            printf '%s\n' "$p"
            queue="$queue $p"
        done
    done
}

# Kill job-step daemons that belong to THIS cluster (live slurmstepd whose
# environment names our SLURM_CONF) and that survived the cancel, together
# with the job processes below them (which a killed slurmstepd would orphan).
# Other processes are untouched.
reap_stepds() {
    local p found="" desc="" i alive
    for p in /proc/[0-9]*; do
        pid_is slurmstepd "${p#/proc/}" || continue
        grep -qzxF "SLURM_CONF=$SD/slurm.conf" "$p/environ" 2>/dev/null || continue
        found="$found ${p#/proc/}"
    done
    [ -n "$found" ] || return 0
    for p in $found; do desc="$desc $(descendants "$p" | paste -sd' ')"; done
    desc=$(printf '%s' "$desc" | tr -s ' ' | sed 's/^ //; s/ $//')
    log "killing leftover job steps of this cluster:$found (job processes: ${desc:-none})"
    # 1. TERM the job processes and give them a moment.
    for p in $desc; do kill -TERM "$p" 2>/dev/null || true; done
    for ((i = 0; i < 30; i++)); do
        alive=""
        for p in $desc; do
            case $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) in
            Z | X | '') ;;
            *) alive="$alive $p" ;;
            esac
        done
        [ -n "$alive" ] || break
        sleep 0.1
    done
    # 2. KILL whatever job process is left, then the step daemons (without
    #    slurmd they ignore TERM, so wait only briefly before KILL).
    for p in $alive; do kill -KILL "$p" 2>/dev/null || true; done
    local STOP_TIMEOUT=2
    for p in $found; do stop_one slurmstepd "$p" || true; done
}

# Stop everything recorded in STATE_DIR/pids (reverse order).  Returns 1 if a
# daemon survived.  With "quiet", says nothing when there is nothing to stop.
do_stop() {
    local quiet=${1:-} name pid rc=0 lines=() i
    if [ ! -s "$SD/pids" ]; then
        [ -n "$quiet" ] || log "nothing to stop in $SD (no recorded daemons)"
        return 0
    fi
    # Only talk to slurmctld if it is ours and alive.
    if grep -q '^slurmctld ' "$SD/pids" && daemons_alive; then
        cancel_jobs
    fi
    mapfile -t lines <"$SD/pids"
    for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
        read -r name pid <<<"${lines[i]}" || continue
        [ -n "$name" ] || continue
        stop_one "$name" "$pid" || rc=1
    done
    reap_stepds
    if [ "$rc" = 0 ]; then
        # Keep a record for post-mortems but mark it as stopped.
        mv -f -- "$SD/pids" "$SD/pids.stopped"
        [ -n "$quiet" ] || log "stopped cluster in $SD"
    fi
    return "$rc"
}

cmd_stop() {
    check_knobs
    if [ ! -d "$1" ]; then
        log "nothing to stop: $1 does not exist"
        return 0
    fi
    SD=$(abs_dir "$1")
    do_stop || die "some daemons in $SD could not be stopped (see above)"
}

# --------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------
cmd_status() {
    [ -d "$1" ] || die "no cluster state in $1"
    SD=$(abs_dir "$1")
    [ -s "$SD/pids" ] || die "cluster in $SD is not running (no recorded daemons)"
    local name pid rc=0
    while read -r name pid; do
        [ -n "$name" ] || continue
        if pid_is "$name" "$pid"; then
            echo "$name: running (pid $pid)"
        else
            echo "$name: NOT running (pid $pid)"
            rc=1
        fi
    done <"$SD/pids"
    use_cluster_env
    echo "SLURM_CONF=$SLURM_CONF"
    sinfo || rc=1
    squeue || rc=1
    [ "$rc" = 0 ] || die "cluster in $SD is not healthy"
}

# --------------------------------------------------------------------------
main() {
    [ $# -ge 1 ] || usage
    local cmd=$1
    shift
    case $cmd in
    install)
        [ $# -eq 0 ] || usage
        cmd_install
        ;;
    start | stop | status)
        if [ $# -ne 1 ] || [ -z "$1" ]; then usage; fi
        "cmd_$cmd" "$1"
        ;;
    -h | --help | help) usage ;;
    *) usage ;;
    esac
}

main "$@"
