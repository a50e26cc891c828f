#!/usr/bin/env bash
# Big answers on a fake big machine (default 256 CPUs x 4096 IRQs, ../shared/tools/gen_interrupts.py):
# GET /metrics plain and gzip, and the whole-table GET /api/v1/interrupts, each timed while
# GET /api/v1/health is asked over and over (its p99 meanwhile), and the RSS one of them adds; the same
# /metrics from node_exporter's interrupts collector; then small GETs (wrk -t1 -c10) on a copy of this
# machine's /proc/interrupts, irqd beside a minimal Flask server (bench/flask_peer.py).
#
#   bench/big_answers.sh [BUILD_DIR] [OTHER_IRQD...]   env: CPUS IRQS RUNS NE_RUNS DURATION INTERVAL GEN
#
# INTERVAL (default 1s) is irqd's --interval on the big machine: 30s keeps the sampler (which reads the
# 12 MB file in one go) out of the measurement. NE_RUNS=0 leaves node_exporter out.
#
# OTHER_IRQD: more irqd binaries measured the same way (an older build, for a before/after table).
# Needs curl, wrk, python3-flask and prometheus-node-exporter (each part is skipped without its tool).
# 127.0.0.1 only; every process it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
shift || true
cpus=${CPUS:-256} irqs=${IRQS:-4096} runs=${RUNS:-5} ne_runs=${NE_RUNS:-1} duration=${DURATION:-5s}
interval=${INTERVAL:-1s}
gen=${GEN:-../shared/tools/gen_interrupts.py}
[ -x "$build/irqd" ] || { echo "no $build/irqd: build it first" >&2; exit 2; }
mkdir -p "$work/small/proc" "$work/small/sys"
fake_cpus "$work/big/sys" "$cpus"
# A kernel whose counters move (so a window has real counts).
moving_interrupts "$gen" "$cpus" "$irqs" "$work/big/proc" 900
cp /proc/interrupts "$work/small/proc/interrupts"
echo "big: $cpus x $irqs, $(stat -c %s "$work/big/proc/interrupts") bytes; small: this machine's $(($(wc -l <"$work/small/proc/interrupts") - 1)) rows"

# The peak RSS one request adds over the RSS before it, and that RSS.
rss_added() {   # pid url [curl options]
    local idle
    idle=$(kb VmRSS "$1")
    awk -v a="$(added_kb "$@")" -v b="$idle" 'BEGIN {printf "%.1f MB added (idle %.1f MB)\n", a / 1024, b / 1024}'
}

median_time() {   # url [curl options]: the median of $runs
    local url=$1
    shift
    for _ in $(seq "$runs"); do curl -s "$@" -o /dev/null -w '%{time_total}\n' "$url"; done |
        sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

for irqd in "$build/irqd" "$@"; do
    port=$(free_port)
    "$irqd" --procfs "$work/big/proc" --sysfs "$work/big/sys" --read-only --interval "$interval" \
        --history "$interval:10m" --listen "127.0.0.1:$port" >"$work/irqd.out" 2>"$work/irqd.log" &
    pid=$!
    pids+=("$pid")
    wait_up "http://127.0.0.1:$port/api/v1/health"
    sleep "$(( ${interval%s} + 1 ))"   # two samples: the window has a frame
    echo "== $irqd ($("$irqd" --version 2>/dev/null | head -1))"
    # RSS first, on a fresh heap, gzip before plain (an irqd that keeps the plain text's buffer for the
    # next scrape would otherwise show its gzip scrape adding nothing).
    echo "RSS, /metrics gzip: $(rss_added "$pid" "http://127.0.0.1:$port/metrics" -H 'Accept-Encoding: gzip')"
    echo "RSS, whole table: $(rss_added "$pid" "http://127.0.0.1:$port/api/v1/interrupts?window=1m")"
    echo "RSS, /metrics: $(rss_added "$pid" "http://127.0.0.1:$port/metrics")"
    # Time by curl (C, so the client's own decoding does not count), then health's latency meanwhile.
    echo "/metrics: median $(median_time "http://127.0.0.1:$port/metrics") s"
    echo "/metrics gzip: median $(median_time "http://127.0.0.1:$port/metrics" -H 'Accept-Encoding: gzip') s"
    echo "whole table: median $(median_time "http://127.0.0.1:$port/api/v1/interrupts?window=1m") s"
    python3 bench/heavy_probe.py "$port" /metrics "$runs"
    python3 bench/heavy_probe.py "$port" /metrics "$runs" gzip
    python3 bench/heavy_probe.py "$port" "/api/v1/interrupts?window=1m" "$runs"
    stop "$pid"

    if command -v wrk >/dev/null; then
        port=$(free_port)
        "$irqd" --procfs "$work/small/proc" --sysfs "$work/small/sys" --read-only --interval 1s \
            --listen "127.0.0.1:$port" >"$work/irqd.out" 2>"$work/irqd.log" &
        pid=$!
        pids+=("$pid")
        wait_up "http://127.0.0.1:$port/api/v1/health"
        for path in /api/v1/interrupts /api/v1/health; do
            echo "small GET $path: $(wrk -t1 -c10 -d"$duration" "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}') req/s"
        done
        stop "$pid"
    fi
done

ne=$(command -v prometheus-node-exporter || true)
if [ -n "$ne" ] && [ "$ne_runs" -gt 0 ]; then
    port=$(free_port)
    "$ne" --path.procfs "$work/big/proc" --path.sysfs "$work/big/sys" --collector.disable-defaults \
        --collector.interrupts --web.listen-address "127.0.0.1:$port" 2>"$work/ne.log" &
    pid=$!
    pids+=("$pid")
    wait_up "http://127.0.0.1:$port/"   # its landing page: the first scrape is the one measured
    echo "== node_exporter ($("$ne" --version 2>&1 | head -1))"
    echo "RSS, /metrics gzip: $(rss_added "$pid" "http://127.0.0.1:$port/metrics" -H 'Accept-Encoding: gzip')"
    echo "RSS, /metrics: $(rss_added "$pid" "http://127.0.0.1:$port/metrics")"
    runs=$ne_runs
    echo "/metrics: median $(median_time "http://127.0.0.1:$port/metrics") s"
    echo "/metrics gzip: median $(median_time "http://127.0.0.1:$port/metrics" -H 'Accept-Encoding: gzip') s"
    stop "$pid"
fi

if python3 -c 'import flask' 2>/dev/null && command -v wrk >/dev/null; then
    port=$(free_port)
    python3 bench/flask_peer.py "$port" "$work/small/proc" 2>"$work/flask.log" &
    pid=$!
    pids+=("$pid")
    wait_up "http://127.0.0.1:$port/api/v1/interrupts"
    echo "== Flask peer: small GET /api/v1/interrupts: $(wrk -t1 -c10 -d"$duration" "http://127.0.0.1:$port/api/v1/interrupts" | awk '/Requests\/sec/ {print $2}') req/s"
fi
