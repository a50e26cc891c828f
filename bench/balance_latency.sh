#!/usr/bin/env bash
# Small GETs while the daemon computes balance plans: p50/p99 of /api/v1/health under wrk, first
# alone, then while POST /api/v1/balance (dry run) plans a simulated CPUS x IRQS machine back to
# back. Stops by itself; 127.0.0.1 only.
#   bench/balance_latency.sh [BUILD_DIR]     env: CPUS (64) IRQS (4096) DURATION (10s) PORT GEN
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
cpus=${CPUS:-64} irqs=${IRQS:-4096} duration=${DURATION:-10s} port=${PORT:-18495}
gen=${GEN:-../shared/tools/gen_interrupts.py}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
python3 "$gen" "$cpus" "$irqs" >"$work/rates.txt"
"$build/irqd" --simulate "$work/rates.txt" --listen "127.0.0.1:$port" --log-level warn >"$work/out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$work/out" && break; sleep 0.1; done
head -1 "$work/out"
url="http://127.0.0.1:$port"
sleep 4
lat() { awk '$1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } /Requests\/sec/ { rps = $2 } END { print "p50 " p50 ", p99 " p99 ", " rps " req/s" }'; }
echo "health alone:            $(wrk -t1 -c4 -d"$duration" --latency "$url/api/v1/health" | lat)"
(
    end=$((SECONDS + ${duration%s} + 1))
    n=0
    while ((SECONDS < end)); do
        curl -s -o "$work/plan.$n.json" -w '%{time_total}\n' -X POST -H 'Content-Type: application/json' -d '{"window":"1m","min_improvement":0}' "$url/api/v1/balance" >>"$work/plans"
        n=$((n + 1))
    done
) &
planner=$!
sleep 0.5
echo "health while planning:   $(wrk -t1 -c4 -d"$duration" --latency "$url/api/v1/health" | lat)"
wait "$planner"
echo "plans computed: $(wc -l <"$work/plans"), seconds each: $(sort -n "$work/plans" | awk '{ a[NR] = $1 } END { print "min " a[1] ", median " a[int((NR + 1) / 2)] ", max " a[NR] }')"
cp "$(ls -t "$work"/plan.*.json | head -1)" "$work/plan.json"
# The daemon's own account of each plan: slices (the window's sum, then the balancer) and the longest.
python3 - "$work" <<'PY'
import glob, json, statistics, sys
p = [json.load(open(f))["planning"] for f in glob.glob(sys.argv[1] + "/plan.*.json")]
ls = sorted(x["longest_slice_ms"] for x in p)
print(f"slices a plan: median {statistics.median(x['slices'] for x in p)}; longest slice: median {statistics.median(ls):.2f} ms, max {ls[-1]:.2f} ms")
PY
python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print('last plan:', {k: p[k] for k in ('improvement', 'moves_count', 'held_back') if k in p}, 'moves', len(p.get('moves', [])), 'gap after', p['metric']['after']['gap_ratio'])" "$work/plan.json"
