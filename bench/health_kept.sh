#!/usr/bin/env bash
# What one GET /api/v1/health costs irqd while its body is kept (nothing it shows moves between
# samples): irqd --simulate per binary, `wrk -t1 -c4` on /api/v1/health, and the daemon's CPU time
# (utime + stime) over the requests wrk counted. CPU per request is steadier than req/s on a busy
# machine. The binaries take turns, ROUNDS times, so a before/after sees the same load.
#
#   bench/health_kept.sh IRQD [MORE_IRQD...]   env: ROUNDS (4) DURATION (4s)
#
# Needs wrk. 127.0.0.1 only; every process it starts is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
rounds=${ROUNDS:-4} duration=${DURATION:-4s}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ $# -gt 0 ] || { echo "usage: $0 IRQD [MORE_IRQD...]" >&2; exit 2; }
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

for round in $(seq "$rounds"); do
    line="round $round:"
    for irqd in "$@"; do
        start_irqd "$irqd" --simulate --state-file "$work/state.json" --log-level warn
        t0=$(ticks "$irqd_pid")
        n=$(wrk -t1 -c4 -d"$duration" "$irqd_url/api/v1/health" | awk '/requests in/ { print $1 }')
        t1=$(ticks "$irqd_pid")
        line+=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v n="$n" -v b="$irqd" \
                    'BEGIN { printf "   %s %.2f us/req (%d req)", b, t / hz / n * 1e6, n }')
        stop "$irqd_pid"
        rm -f "$work/state.json"
    done
    echo "$line"
done
