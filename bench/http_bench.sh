#!/usr/bin/env bash
# The daemon on a big machine: irqd samples a fake /proc of CPUS x IRQS (default 256 x 4096) once a
# second while wrk asks the API; prints requests/s and latency per endpoint, the sampler's cost per
# sample and share of one CPU while idle, and the daemon's memory. Stops by itself; 127.0.0.1 only.
#
#   bench/http_bench.sh [BUILD_DIR]        env: CPUS IRQS DURATION (wrk, e.g. 15s) CONNECTIONS PORT GEN
#
# Needs wrk (apt-get install wrk) and ../shared/tools/gen_interrupts.py (GEN= to point elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
cpus=${CPUS:-256} irqs=${IRQS:-4096} duration=${DURATION:-15s} conns=${CONNECTIONS:-8} port=${PORT:-18480}
gen=${GEN:-../shared/tools/gen_interrupts.py}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$build/irqd" ] || { echo "no $build/irqd: build it first" >&2; exit 2; }

fake_cpus "$work/sys" "$cpus"
mkdir -p "$work/sys/devices/system/node/node0"
echo "0-$((cpus - 1))" >"$work/sys/devices/system/node/node0/cpulist"
echo "generating ${cpus} x ${irqs} snapshots ..."
moving_interrupts "$gen" "$cpus" "$irqs" "$work/proc" 600
echo "one snapshot: $(stat -c %s "$work/proc/interrupts") bytes"

"$build/irqd" --procfs "$work/proc" --sysfs "$work/sys" --listen "127.0.0.1:$port" --log-level warn \
    ${IRQD_ARGS:-} >"$work/irqd.out" 2>&1 &
irqd_pid=$!
pids+=("$irqd_pid")
for _ in $(seq 1 100); do grep -q listening "$work/irqd.out" && break; sleep 0.1; done
cat "$work/irqd.out"
url="http://127.0.0.1:$port"
sleep 5

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$irqd_pid/stat"; }
health() { curl -s "$url/api/v1/health"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

echo
echo "== idle: sampler alone for 10 s"
t0=$(cpu_ticks) s0=$(health | field '["samples"]')
sleep 10
t1=$(cpu_ticks) s1=$(health | field '["samples"]')
hz=$(getconf CLK_TCK)
echo "samples: $((s1 - s0)); CPU: $(python3 -c "print(f'{($t1-$t0)/$hz/10*100:.1f}% of one core')")"
echo "last sample: $(health | field '["last_sample_ms"]') ms; mean: $(health | python3 -c "
import json,sys; d=json.load(sys.stdin); print('see last_sample_ms')")"

echo
echo "== wrk -t2 -c$conns -d$duration"
for path in /api/v1/health /api/v1/cpus "/api/v1/interrupts?window=60s&top=20" "/api/v1/interrupts/30" \
            "/api/v1/interrupts?window=60s"; do
    out=$(wrk -t2 -c"$conns" -d"$duration" --latency "$url$path" 2>&1)
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errs=$(awk '/Non-2xx|Socket errors/' <<<"$out")
    bytes=$(curl -s -o /dev/null -w '%{size_download}' "$url$path")
    printf '%-40s %10s req/s   p50 %8s   p99 %8s   %9s bytes %s\n' "$path" "$rps" "$p50" "$p99" "$bytes" "$errs"
done

echo
echo "== after the run"
h=$(health)
echo "samples skipped: $(field '["samples_skipped"]' <<<"$h"), late: $(field '["samples_late"]' <<<"$h")"
echo "history: $(field '["history"]["tiers"]' <<<"$h"), $(( $(field '["history"]["bytes"]' <<<"$h") / 1048576 )) MiB held"
grep -E 'VmRSS|VmHWM' "/proc/$irqd_pid/status"
grep -h history_ "$work/irqd.out" || true
