#!/usr/bin/env bash
# Window sums on a fake big machine (default 256 CPUs x 4096 IRQs): the whole-table
# /api/v1/interrupts?window=1m, long windows (600 frames of 1 s) and a window past the finest tier of
# the fitted default tiers, each timed while GET /api/v1/health is asked over and over
# (bench/heavy_probe.py: its p99 and max meanwhile). Every irqd given runs at once on the same files,
# so a before/after pair shares the machine's load.
#
#   bench/sliced_queries.sh BUILD_DIR/irqd [OTHER_IRQD...]   env: CPUS IRQS RUNS FILL GEN
#
# FILL (default 610 s) is how long the daemons sample before the queries: `--history 1s:10m` then
# holds 600 frames (2.4 GB per daemon at 256 x 4096: give the machine the memory). The second daemon
# per binary has no --history: the tiers fitted to --history-memory (10s:2m,5m:1h,1h:1d at this size).
# 127.0.0.1 only; every process it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
[ $# -ge 1 ] || { echo "usage: $0 IRQD [OTHER_IRQD...]" >&2; exit 2; }
cpus=${CPUS:-256} irqs=${IRQS:-4096} runs=${RUNS:-5} fill=${FILL:-610}
gen=${GEN:-../shared/tools/gen_interrupts.py}
fake_cpus "$work/sys" "$cpus"
moving_interrupts "$gen" "$cpus" "$irqs" "$work/proc" $((fill + 900))
echo "$cpus x $irqs, $(stat -c %s "$work/proc/interrupts") bytes; filling history for ${fill}s"


declare -A long_port fitted_port
for irqd in "$@"; do
    for kind in long fitted; do
        port=$(free_port)
        extra=(--history-memory 3G --history 1s:10m)
        [ "$kind" = fitted ] && extra=()
        "$irqd" --procfs "$work/proc" --sysfs "$work/sys" --read-only --interval 1s "${extra[@]}" \
            --listen "127.0.0.1:$port" >/dev/null 2>"$work/irqd.$kind.$(basename "$irqd").log" &
        pids+=($!)
        wait_up "http://127.0.0.1:$port/api/v1/health"
        if [ "$kind" = long ]; then long_port[$irqd]=$port; else fitted_port[$irqd]=$port; fi
    done
done
sleep "$fill"

# PAUSE: a sample between two runs, so no run is a kept answer of the one before.
for irqd in "$@"; do
    echo "== $irqd, --history 1s:10m"
    for path in "/api/v1/interrupts?window=1m" "/api/v1/interrupts?window=10m" "/api/v1/cpus?window=10m"; do
        PAUSE=1.2 python3 bench/heavy_probe.py "${long_port[$irqd]}" "$path" "$runs"
    done
    echo "== $irqd, fitted default tiers ($(grep -o 'tiers=[^ ]*' "$work/irqd.fitted.$(basename "$irqd").log" | head -1))"
    for path in "/api/v1/interrupts?window=1m" "/api/v1/interrupts?window=10m"; do
        PAUSE=1.2 python3 bench/heavy_probe.py "${fitted_port[$irqd]}" "$path" "$runs"
    done
done
