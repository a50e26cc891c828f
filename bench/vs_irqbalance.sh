#!/usr/bin/env bash
# irqbalance and irqd side by side on the same fake machines (issue 15): Debian's irqbalance 1.9
# runs --oneshot in a private mount namespace whose /proc/irq, /proc/interrupts, /proc/stat,
# /sys/devices/system/{cpu,node} and /sys/bus/pci are a fake tree (bench/vs_irqbalance.py builds it);
# irqd plans the same rates with its real planner (irqd --simulate + POST /api/v1/balance). Both
# placements are scored against the same rates: max load / lower bound (max(total / CPUs, largest
# IRQ)) and moves. Safety: inside the namespace the real /proc/irq is bound over first, and
# irqbalance starts only when /proc/irq there holds the fake tree's marker file; nothing writes the
# machine's own /proc/irq.
#
# Usage: bench/vs_irqbalance.sh [--quick] [BUILD_DIR]     (root; --quick: the seed only, no daemon run)
# Rows: irqbalance --oneshot, irqbalance as a daemon for four 10 s intervals (--oneshot sees no load:
# see docs/benchmarks.md), irqd, and irqd with "distinct" (not on the seed). KEEP_LOGS=DIR keeps the
# logs and plans. Needs: unshare and mount (util-linux), irqbalance, python3, curl (bench/deps.sh
# installs them and keeps irqbalance's service from starting). Exits 77 (skip) when one is missing or
# mount namespaces are not allowed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
helper="$here/vs_irqbalance.py"
marker=.irqd-fake-marker

# Inside the namespace: bind the fake tree over the real paths, prove /proc/irq is fake, run irqbalance.
if [[ "${1:-}" == "--inside" ]]; then
    root=$2
    log=$3
    mode=$4
    # The real /proc/irq first, so nothing after this line can reach it.
    mount --bind "$root/proc/irq" /proc/irq
    if [[ ! -f /proc/irq/$marker ]]; then
        echo "ABORT: /proc/irq in the namespace is not the fake tree (no $marker); irqbalance not started" >&2
        exit 3
    fi
    mount --bind "$root/proc/interrupts" /proc/interrupts
    mount --bind "$root/proc/stat" /proc/stat
    mount --bind "$root/sys/devices/system/cpu" /sys/devices/system/cpu
    mount --bind "$root/sys/devices/system/node" /sys/devices/system/node
    mount --bind "$root/sys/bus/pci" /sys/bus/pci
    # Once more, after every mount: the fake tree, or no irqbalance.
    if [[ ! -f /proc/irq/$marker ]] || ! grep -q "^cpu0 " /proc/stat || [[ ! -d /sys/bus/pci/devices ]]; then
        echo "ABORT: the fake tree is not in place" >&2
        exit 3
    fi
    echo "inside: /proc/irq is the fake tree ($(cat "/proc/irq/$marker")); irqbalance $mode" >"$log"
    # --debug logs the tree it saw and each IRQ's load. oneshot: one placement after one sleep
    # interval (10 s), then exit. daemon: four intervals, then SIGINT (its clean exit).
    if [[ $mode == oneshot ]]; then
        exec timeout 60 irqbalance --oneshot --foreground --debug >>"$log" 2>&1
    fi
    timeout -s INT 45 irqbalance --foreground --debug >>"$log" 2>&1 || [[ $? -eq 124 ]]
    exit 0
fi

quick=0
if [[ "${1:-}" == "--quick" ]]; then
    quick=1
    shift
fi
build=${1:-build}
skip() {
    echo "SKIP: $*"
    exit 77
}
[[ $(id -u) -eq 0 ]] || skip "needs root for a mount namespace"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
command -v irqbalance >/dev/null || skip "no irqbalance (apt-get install -y irqbalance)"
command -v curl >/dev/null || skip "no curl"
[[ -x "$build/irqd" ]] || skip "no $build/irqd; build first"
unshare -m --propagation private true 2>/dev/null || skip "mount namespaces are not allowed here"
[[ -d /sys/devices/system/node && -d /sys/bus/pci && -d /proc/irq ]] || skip "no /sys/devices/system/node, /sys/bus/pci or /proc/irq to bind over"

work=$(mktemp -d /tmp/irqd-vs-irqbalance-XXXXXX)
irqd_pid=""
cleanup() {
    if [[ -n "$irqd_pid" ]]; then kill "$irqd_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# irqd's plan for RATES: its simulator on the same rates, then a dry run over a 10 s window.
irqd_plan() {
    local rates=$1 out=$2 body=$3 port url
    "$build/irqd" --simulate "$rates" --simulate-speed 10 --interval 200ms --history 1s:10m \
        --listen 127.0.0.1:0 >"$work/irqd.out" 2>"$work/irqd.log" &
    irqd_pid=$!
    url=""
    for _ in $(seq 1 100); do
        url=$(sed -n 's/.* listening on \(http:[^ ]*\)\/ .*/\1/p' "$work/irqd.out" | head -1)
        [[ -n "$url" ]] && break
        sleep 0.1
    done
    [[ -n "$url" ]] || { echo "irqd did not start: $(cat "$work/irqd.log")" >&2; return 1; }
    port=${url##*:}
    sleep 11   # a full 10 s window of samples
    curl -s -X POST -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/api/v1/balance" >"$out"
    kill "$irqd_pid"
    wait "$irqd_pid" 2>/dev/null || true
    irqd_pid=""
}

# irqbalance's placement for RATES: the fake tree, irqbalance in a namespace, the counters advanced by
# 10 s of the rates (on the CPUs of each IRQ's smp_affinity then) between its reads of /proc/interrupts
# and /proc/stat, which are 10 s apart: once for --oneshot, four times for the daemon.
irqbalance_run() {
    local rates=$1 root=$2 log=$3 mode=$4 ns rounds=1 i
    [[ $mode == daemon ]] && rounds=4
    rm -rf "$root"
    python3 "$helper" tree "$rates" "$root"
    unshare -m --propagation private "$0" --inside "$root" "$log" "$mode" &
    ns=$!
    sleep 4
    for ((i = 0; i < rounds; i++)); do
        python3 "$helper" advance "$rates" "$root" 10
        if ((i + 1 < rounds)); then sleep 10; fi
    done
    if ! wait "$ns"; then
        echo "irqbalance failed; its log:" >&2
        tail -20 "$log" >&2
        return 1
    fi
}

cases=(seed nic16 big64)
[[ $quick -eq 1 ]] && cases=(seed)
printf '%-6s %5s %5s  %-18s %12s %12s %8s %8s %6s %7s\n' case cpus irqs tool "lower bound" "max load" "max/LB" "1-CPU" moves queues
for c in "${cases[@]}"; do
    rates="$work/$c.txt"
    python3 "$helper" case "$c" "$rates"
    tools=(irqbalance-oneshot)
    [[ $quick -eq 0 ]] && tools+=(irqbalance-daemon)
    for t in "${tools[@]}"; do
        irqbalance_run "$rates" "$work/$c-root" "$work/$c-$t.log" "${t#irqbalance-}"
        python3 "$helper" score "$rates" --irqbalance "$work/$c-root" >"$work/$c-$t.json"
    done
    irqd_plan "$rates" "$work/$c-plan.json" '{"window":"10s","min_improvement":0}'
    python3 "$helper" score "$rates" --irqd "$work/$c-plan.json" >"$work/$c-irqd.json"
    tools+=(irqd)
    if [[ $quick -eq 0 && $c != seed ]]; then
        irqd_plan "$rates" "$work/$c-plan-distinct.json" '{"window":"10s","min_improvement":0,"distinct":true}'
        python3 "$helper" score "$rates" --irqd "$work/$c-plan-distinct.json" >"$work/$c-irqd-distinct.json"
        tools+=(irqd-distinct)
    fi
    for tool in "${tools[@]}"; do
        python3 - "$c" "$tool" "$work/$c-$tool.json" <<'EOF'
import json, sys
case, tool, path = sys.argv[1:4]
r = json.load(open(path))
print("%-6s %5d %5d  %-18s %12d %12d %8.3f %8.3f %6d %7d" % (case, r["cpus"], r["irqs"], tool, r["lower_bound"],
      r["max_load_split"], r["ratio_split"], r["ratio_one_cpu"], r["moves"], r["nic_queues_per_cpu"]))
EOF
    done
    if [[ -n "${KEEP_LOGS:-}" ]]; then cp "$work/$c"-*.log "$work/$c"-*.json "$KEEP_LOGS/"; fi
done
