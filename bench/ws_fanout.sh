#!/usr/bin/env bash
# WebSocket fan-out side by side: bench/ws_fanout_bench.cpp's 1000 subscribers against `irqd --simulate`,
# for each irqd given and each bench client given (an older client times receipts after parsing each
# message), with the default subscription and with `top: 10`.
#
#   bench/ws_fanout.sh [BUILD_DIR] [OTHER_IRQD [OTHER_BENCH]]   env: CLIENTS SECONDS_EACH (default 1000, 20)
#
# 127.0.0.1 only; every irqd it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
other_irqd=${2:-}
other_bench=${3:-}
clients=${CLIENTS:-1000} seconds=${SECONDS_EACH:-20}
if [ ! -x "$build/irqd" ] || [ ! -x "$build/bench/ws_fanout_bench" ]; then
    echo "build irqd and ws_fanout_bench first" >&2
    exit 2
fi
ulimit -n $((clients * 2 + 200))
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
irqds=("$build/irqd") benches=("$build/bench/ws_fanout_bench")
[ -n "$other_irqd" ] && irqds+=("$other_irqd")
[ -n "$other_bench" ] && benches+=("$other_bench")
for irqd in "${irqds[@]}"; do
    for bench in "${benches[@]}"; do
        # shellcheck disable=SC2089,SC2090  # the quotes are the JSON's own
        for sub in '' '{"type":"subscribe","top":10}'; do
            port=$(free_port)
            "$irqd" --simulate --listen "127.0.0.1:$port" --max-connections $((clients + 200)) --log-level warn >/dev/null 2>&1 &
            pid=$!
            for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/health" && break; sleep 0.1; done
            echo "== irqd $irqd, client $bench, subscription ${sub:-default}"
            "$bench" --port="$port" --clients="$clients" --seconds="$seconds" ${sub:+"--subscribe=$sub"} | grep -v '^GET' || true
            kill "$pid"
            wait "$pid" 2>/dev/null || true
            pid=
        done
    done
done
