# shellcheck shell=bash
# Sourced by the bench scripts once they are in the repository root (`source bench/lib.sh`): a
# scratch directory $work removed on exit, the processes a script starts (pids+=($!)) ended on
# exit by their PID, and the small helpers several scripts need.

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# stop PID: ends one started process now and waits for it; cleanup no longer knows it (its PID may
# be another process's by then).
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local kept=() p
    for p in "${pids[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
    pids=("${kept[@]}")
}

# A 127.0.0.1 port nobody listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# fake_cpus SYSFS N: a fake sysfs whose CPUs 0 .. N-1 are online.
fake_cpus() {
    mkdir -p "$1/devices/system/cpu"
    echo "0-$(($2 - 1))" >"$1/devices/system/cpu/online"
}

# moving_interrupts GEN CPUS IRQS PROC SECONDS: a kernel whose counters move. Four snapshots of CPUS
# x IRQS from GEN (../shared/tools/gen_interrupts.py) in $work, the first as PROC/interrupts, then
# the next one every second (an atomic rename) for SECONDS, in the background.
moving_interrupts() {
    local gen=$1 cpus=$2 irqs=$3 proc=$4 seconds=$5 s
    mkdir -p "$proc"
    for s in 0 1 2 3; do python3 "$gen" "$cpus" "$irqs" 1 "$s" >"$work/interrupts.$s"; done
    cp "$work/interrupts.0" "$proc/interrupts"
    (
        for i in $(seq 1 "$seconds"); do
            sleep 1
            cp "$work/interrupts.$((i % 4))" "$proc/interrupts.new"
            mv "$proc/interrupts.new" "$proc/interrupts"
        done
    ) &
    pids+=($!)
}

# wait_up URL: until URL answers 2xx (30 s at most).
wait_up() { for _ in $(seq 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not up: $1" >&2; return 1; }

# kb FIELD PID: a /proc/PID/status field in kB (VmRSS, VmHWM).
kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$2/status"; }

# added_kb PID URL [curl options]: the peak RSS one request adds over the RSS before it, in kB
# (clear_refs 5 resets the process's peak).
added_kb() {
    local pid=$1 url=$2 before
    shift 2
    echo 5 >"/proc/$pid/clear_refs"
    before=$(kb VmRSS "$pid")
    curl -s "$@" -o /dev/null "$url"
    echo $(($(kb VmHWM "$pid") - before))
}

# start_irqd IRQD [ARGS...]: runs IRQD ARGS --listen 127.0.0.1:0 in the background (its output in
# $work/out and $work/log) until its health answers; sets irqd_pid and irqd_url (http://127.0.0.1:N).
start_irqd() {
    "$@" --listen 127.0.0.1:0 >"$work/out" 2>"$work/log" &
    irqd_pid=$!
    pids+=("$irqd_pid")
    irqd_url=
    for _ in $(seq 300); do
        irqd_url=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/out" | head -1 || true)
        [[ -n $irqd_url ]] && curl -sf -o /dev/null "$irqd_url/api/v1/health" && return 0
        sleep 0.1
    done
    echo "irqd did not start; its log:" >&2
    cat "$work/log" >&2
    return 1
}
