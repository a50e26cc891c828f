#!/usr/bin/env bash
# What the sampler costs at rest on a fake big machine: irqd samples a /proc/interrupts of CPUS x IRQS
# (../shared/tools/gen_interrupts.py, the next of four snapshots every second) with a per-IRQ
# directory (smp_affinity_list, effective_affinity_list, node) for every IRQ, as a kernel has, and no
# requests. Prints each daemon's CPU time (utime + stime from /proc/PID/stat) over SECONDS_ as a share
# of one core, and its last_sample_ms; then, one daemon at a time, GET /api/v1/health every 5 ms for
# PROBE seconds on a keep-alive connection (p50/p99/max: what a request waits behind a sample).
# Several binaries run side by side on the same files, so a before/after comparison sees the same
# machine load.
#
#   bench/sampler_cost.sh BUILD_DIR_OR_IRQD [MORE_IRQD...]   env: CPUS IRQS SECONDS_ PROBE GEN ARGS
#
# ARGS: extra irqd options for every daemon (e.g. "--history 1s:10m"). 127.0.0.1 only; every process
# it starts is stopped at the end; nothing outside a temporary directory is written.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
cpus=${CPUS:-256} irqs=${IRQS:-4096} seconds=${SECONDS_:-30} probe=${PROBE:-10}
gen=${GEN:-../shared/tools/gen_interrupts.py}
binaries=()
for b in "$@"; do [ -d "$b" ] && b="$b/irqd"; [ -x "$b" ] || { echo "no irqd at $b" >&2; exit 2; }; binaries+=("$b"); done
[ ${#binaries[@]} -gt 0 ] || { echo "usage: $0 BUILD_DIR_OR_IRQD [MORE_IRQD...]" >&2; exit 2; }
fake_cpus "$work/sys" "$cpus"
mkdir -p "$work/proc/irq"
for i in $(seq 24 $((24 + irqs - 1))); do
    mkdir "$work/proc/irq/$i"
    echo "$((i % cpus))" >"$work/proc/irq/$i/smp_affinity_list"
    echo "$((i % cpus))" >"$work/proc/irq/$i/effective_affinity_list"
    echo 0 >"$work/proc/irq/$i/node"
done
moving_interrupts "$gen" "$cpus" "$irqs" "$work/proc" $((seconds + 60 + probe * $# * 2))
echo "fake machine: $cpus CPUs x $irqs IRQs, $(stat -c %s "$work/proc/interrupts") bytes, load $(cut -d' ' -f1-3 /proc/loadavg)"

ports=() dpids=()
for b in "${binaries[@]}"; do
    port=$(free_port)
    # shellcheck disable=SC2086
    "$b" --procfs "$work/proc" --sysfs "$work/sys" --read-only --listen "127.0.0.1:$port" --log-level warn \
        ${ARGS:-} >/dev/null 2>&1 &
    pids+=($!) dpids+=($!) ports+=("$port")
done
for port in "${ports[@]}"; do
    for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/health" && break; sleep 0.1; done
done
sleep 5   # past the first samples (history fitting, the first full read of the per-IRQ files)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
t0=()
for p in "${dpids[@]}"; do t0+=("$(ticks "$p")"); done
sleep "$seconds"
hz=$(getconf CLK_TCK)
for k in "${!binaries[@]}"; do
    t1=$(ticks "${dpids[$k]}")
    h=$(curl -s "http://127.0.0.1:${ports[$k]}/api/v1/health")
    python3 - "$t1" "${t0[$k]}" "$hz" "$seconds" "${binaries[$k]}" "$h" <<'EOF'
import json, sys
t1, t0, hz, secs, name, health = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], json.loads(sys.argv[6])
print(f"{name}: {(t1 - t0) / hz / secs * 100:.2f}% of one core over {secs} s "
      f"({(t1 - t0) / hz / secs * 1000:.1f} ms per second), samples {health['samples']}, "
      f"last_sample_ms {health['last_sample_ms']:.1f}, late {health['samples_late']}")
EOF
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$probe" -gt 0 ] || exit 0
for k in "${!binaries[@]}"; do
    python3 - "${ports[$k]}" "$probe" "${binaries[$k]}" <<'EOF'
import http.client, sys, time
port, seconds, name = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
lat, end = [], time.monotonic() + seconds
while time.monotonic() < end:
    t0 = time.monotonic()
    c.request("GET", "/api/v1/health")
    c.getresponse().read()
    lat.append((time.monotonic() - t0) * 1000)
    time.sleep(0.005)
lat.sort()
print(f"{name}: health every 5 ms for {seconds:.0f} s: {len(lat)} answers, p50 {lat[len(lat) // 2]:.2f} ms, "
      f"p99 {lat[int(len(lat) * 0.99)]:.1f} ms, max {lat[-1]:.1f} ms")
EOF
done
echo "load after the probes: $(cut -d' ' -f1-3 /proc/loadavg)"
