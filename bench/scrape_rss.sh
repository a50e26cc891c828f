#!/usr/bin/env bash
# The memory one /metrics scrape adds, each measured on a fresh process (its first scrape): irqd
# (this build and any others given) and node_exporter's interrupts collector, plain text and gzip, on
# the same synthetic /proc/interrupts (../shared/tools/gen_interrupts.py CPUS IRQS). "Added" is the
# peak RSS during the scrape (VmHWM, reset with clear_refs just before) over the RSS before it.
#
#   bench/scrape_rss.sh [BUILD_DIR] [OTHER_IRQD...]   env: CPUS IRQS (default 64 512) REPEAT (default 3)
#
# Needs curl and prometheus-node-exporter (skipped without it). 127.0.0.1 only; every process it
# starts is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
shift || true
cpus=${CPUS:-64} irqs=${IRQS:-512} repeat=${REPEAT:-3}
[ -x "$build/irqd" ] || { echo "no $build/irqd: build it first" >&2; exit 2; }
mkdir -p "$work/proc"
fake_cpus "$work/sys" "$cpus"
python3 ../shared/tools/gen_interrupts.py "$cpus" "$irqs" >"$work/proc/interrupts"
echo "input: $cpus CPUs x $irqs IRQs, $(stat -c %s "$work/proc/interrupts") bytes"

# name, then the command; "PORT" in it is replaced. Prints the median of $repeat fresh starts.
measure() {
    local name=$1 ready=$2
    shift 2
    for enc in plain gzip; do
        local results=() idle=0
        for _ in $(seq "$repeat"); do
            local port
            port=$(free_port)
            "${@//PORT/$port}" >"$work/out" 2>"$work/log" &
            pid=$!
            pids+=("$pid")
            wait_up "http://127.0.0.1:$port$ready"
            sleep 2.2   # irqd: two samples, so /metrics has its rates' source
            idle=$(kb VmRSS "$pid")
            if [ "$enc" = gzip ]; then results+=("$(added_kb "$pid" "http://127.0.0.1:$port/metrics" -H 'Accept-Encoding: gzip')")
            else results+=("$(added_kb "$pid" "http://127.0.0.1:$port/metrics")"); fi
            stop "$pid"
        done
        printf '%s\n' "${results[@]}" | sort -n | awk -v n="$name" -v e="$enc" -v i="$idle" -v all="${results[*]}" \
            '{a[NR] = $1} END {printf "%-40s %-5s added %6.2f MB (median of %d: %s kB), idle %.1f MB\n", n, e, a[int((NR + 1) / 2)] / 1024, NR, all, i / 1024}'
    done
}

for irqd in "$build/irqd" "$@"; do
    measure "irqd $irqd" /api/v1/health "$irqd" --procfs "$work/proc" --sysfs "$work/sys" --read-only --interval 1s \
        --listen 127.0.0.1:PORT
done
if ne=$(command -v prometheus-node-exporter); then
    measure "node_exporter $("$ne" --version 2>&1 | head -1 | awk '{print $3}')" / "$ne" --path.procfs "$work/proc" \
        --path.sysfs "$work/sys" --collector.disable-defaults --collector.interrupts --web.listen-address 127.0.0.1:PORT
fi
