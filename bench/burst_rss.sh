#!/usr/bin/env bash
# RSS of irqd before, during and after a burst: /proc/interrupts grows to about 100 MB (64 CPUs x
# 140,000 IRQs) for a few samples, then shrinks back to 64 IRQs. Fake /proc and /sys in a temporary
# directory, 127.0.0.1 only, stops by itself (about 50 s, most of it generating the big table).
# Usage: bench/burst_rss.sh [BUILD_DIR] [IRQD_ARGS...]   (GEN= points at gen_interrupts.py)
set -euo pipefail
build=${1:-build}
shift || true
gen=${GEN:-../shared/tools/gen_interrupts.py}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/proc" "$tmp/sys/devices/system/cpu"
echo 0-63 >"$tmp/sys/devices/system/cpu/online"
python3 "$gen" 64 64 >"$tmp/small"
python3 "$gen" 64 140000 >"$tmp/big"
put() { cp "$1" "$tmp/proc/interrupts.new" && mv "$tmp/proc/interrupts.new" "$tmp/proc/interrupts"; }
put "$tmp/small"
"$build/irqd" --listen 127.0.0.1:0 --procfs "$tmp/proc" --sysfs "$tmp/sys" --interval 500ms "$@" >"$tmp/out" 2>"$tmp/log" &
pid=$!
kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
sleep 3
echo "small table ($(stat -c %s "$tmp/small") bytes): RSS $(kib VmRSS) KiB"
put "$tmp/big"
sleep 8
echo "burst ($(stat -c %s "$tmp/big") bytes): RSS $(kib VmRSS) KiB, peak $(kib VmHWM) KiB"
put "$tmp/small"
sleep 8
echo "8 s after the burst: RSS $(kib VmRSS) KiB"
sleep 8
echo "16 s after the burst: RSS $(kib VmRSS) KiB"
grep -E 'event=(buffers_released|history_over_budget|history_fitted|history_large)' "$tmp/log" | cut -c1-200 || true
