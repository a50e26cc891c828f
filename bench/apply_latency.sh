#!/usr/bin/env bash
# Small GETs while the daemon applies a big balance plan: POST /api/v1/balance?apply=true on a
# simulated CPUS x IRQS machine (every IRQ starts on all CPUs, so nearly every one moves), while a
# loop times GET /api/v1/health. Prints the plan's size, planning and applying time, and health's
# p50/p99/max. Stops by itself; 127.0.0.1 only.
#   bench/apply_latency.sh [BUILD_DIR]     env: CPUS (64) IRQS (1024) GETS (400) GEN
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
cpus=${CPUS:-64} irqs=${IRQS:-1024} gets=${GETS:-400}
gen=${GEN:-../shared/tools/gen_interrupts.py}
[[ -x $build/irqd ]] || { echo "apply_latency: no $build/irqd; build it first" >&2; exit 2; }
python3 "$gen" "$cpus" "$irqs" >"$work/rates.txt"
start_irqd "$build/irqd" --simulate "$work/rates.txt" --simulate-speed 60 --interval 1s --history 1s:10m --log-level warn
url=$irqd_url
head -1 "$work/out"
sleep 6    # five samples: every IRQ has a rate
(for _ in $(seq 1 "$gets"); do curl -s -o /dev/null -w '%{time_total}\n' "$url/api/v1/health"; done) >"$work/lat.txt" &
gets_pid=$!
sleep 0.5
curl -s -o "$work/plan.json" -w 'apply: answered in %{time_total} s\n' -X POST "$url/api/v1/balance?apply=true" \
  -H 'Content-Type: application/json' \
  -d '{"window":"5s","min_improvement":0}'
wait "$gets_pid"
python3 - "$work/plan.json" "$work/lat.txt" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
if "error" in p:
    sys.exit("apply_latency: the plan failed: " + json.dumps(p["error"]))
print("apply: %s moves, %s changed, planning %.0f ms, applying %.0f ms" %
      (p["move_count"], p["changed"], p["planning"]["ms"], p["applying_ms"]))
l = sorted(float(x) * 1000 for x in open(sys.argv[2]))
print("health meanwhile: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms" % (len(l), l[len(l) // 2], l[int(len(l) * 0.99)], l[-1]))
PY
