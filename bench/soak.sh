#!/usr/bin/env bash
# Soak test (long form by hand; ctest runs a short form as soak/short): irqd on a simulated 64-CPU x 1024-IRQ machine under wrk mixed GETs,
# 200 WebSocket subscribers and an affinity change every second (plus POST /api/v1/balance?apply=true
# every 10 s when the daemon has it), on 127.0.0.1 only; stops by itself. Passes when no request or
# subscriber failed, the RSS peak of the second half of the load is < 5% above that of the first
# half (after a warm-up; SOAK_CHECK_RSS=0 skips this, for runs too short to tell), open fds came back
# to where they started, and irqd exits 0 on SIGTERM. Numbers: docs/benchmarks.md ("Soak").
# Exits 77 (ctest: skipped) when wrk or curl is not installed.
#
# usage: bench/soak.sh [BUILD_DIR]     env: SOAK_SECONDS (60) SOAK_WARMUP (30) SOAK_WS_CLIENTS (200)
#                                           SOAK_CONNECTIONS (64, wrk) SOAK_BALANCE (1; 0: no balancing)
#                                           SOAK_CHECK_RSS (1)
#                                           GEN_INTERRUPTS (../shared/tools/gen_interrupts.py; when it
#                                           is not there, a simpler table of the same size is made here)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${SOAK_SECONDS:-60}
warmup=${SOAK_WARMUP:-30}
ws_clients=${SOAK_WS_CLIENTS:-200}
conns=${SOAK_CONNECTIONS:-64}
gen=${GEN_INTERRUPTS:-../shared/tools/gen_interrupts.py}
command -v wrk >/dev/null || { echo "soak: needs wrk (apt-get install wrk); skipped" >&2; exit 77; }
command -v curl >/dev/null || { echo "soak: needs curl (apt-get install curl); skipped" >&2; exit 77; }
[[ -x $build/irqd ]] || { echo "soak: no $build/irqd; build it first" >&2; exit 2; }

work=$(mktemp -d /tmp/irqd-soak-XXXXXX)
pid=""
keep=0
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  if ((keep)); then echo "soak: logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The rates file: one /proc/interrupts-style table, read as interrupts per day.
if [[ -f $gen ]]; then
  python3 "$gen" 64 1024 > "$work/rates.txt"
else
  python3 - > "$work/rates.txt" <<'PY'
import random
random.seed(7)
cpus = 64
print(" " * 6 + "".join("CPU%-8d" % c for c in range(cpus)).rstrip())
for i in range(1024):
    irq = 24 + i
    counts = [random.randrange(0, 2_000_000) if random.random() < 0.3 else 0 for _ in range(cpus)]
    print("%5d: %s  IR-PCI-MSI %d-edge      eth%d-TxRx-%d" % (irq, " ".join("%10d" % n for n in counts),
                                                               524288 + i, i // 64, i % 64))
PY
fi
# A short history, full well before the warm-up ends, so RSS growth measures leaks, not retention.
"$build/irqd" --simulate "$work/rates.txt" --simulate-speed 60 --listen 127.0.0.1:0 --interval 1s \
  --history 1s:10s --log-level warn > "$work/irqd.out" 2> "$work/irqd.err" &
pid=$!
for _ in $(seq 100); do grep -q http:// "$work/irqd.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/irqd.out" | head -1)
[[ -n $url ]] || { echo "soak: irqd did not start"; cat "$work/irqd.err"; exit 1; }
port=${url##*:}
echo "soak: irqd $pid at $url: $(head -1 "$work/irqd.out")"

# A plan needs rates: wait (bounded) for a few samples before the load starts.
for _ in $(seq 300); do
  [[ $(curl -s "$url/api/v1/health" | grep -o '"samples":[0-9]*' | cut -d: -f2) -ge 3 ]] 2>/dev/null && break
  sleep 0.1
done
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }     # KiB
fds_now() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# The fewest of 5 readings 0.2 s apart: a sample holds a /proc file open for a moment (78 ms at
# 64 x 1031), and one reading taken then counted it as a leak (or as one that closed).
fds() { local n m; m=$(fds_now); for _ in 1 2 3 4; do sleep 0.2; n=$(fds_now); ((n < m)) && m=$n; done; echo "$m"; }
fd_list() { for f in "/proc/$pid/fd/"*; do readlink "$f"; done | sed 's/[0-9]\{4,\}/N/g' | sort | uniq -c; }
sleep 2
fds_start=$(fds)
fd_list > "$work/fds-start.txt"
rss_start=$(rss)

total=$((warmup + seconds + 5))
# RSS every 5 s through the run ("SECONDS RSS"). glibc gives memory back in steps, so single
# readings swing by a few %; growth is the peak of the second half of the load over the peak of
# the first half: a leak raises it, a plateau does not.
( for i in $(seq 0 $((total / 5))); do echo "$((i * 5)) $(rss)"; sleep 5; done ) > "$work/rss.txt" 2>/dev/null &
rss_pid=$!
python3 bench/ws_soak_client.py 127.0.0.1 "$port" "$ws_clients" "$total" > "$work/ws.json" &
ws_pid=$!

has_balance=0
if [[ ${SOAK_BALANCE:-1} == 1 ]]; then curl -s "$url/api/v1" | grep -q '/api/v1/balance' && has_balance=1; fi
(
  end=$((SECONDS + total))
  # 409 is an answer, not an error: a change while a plan is being written is refused
  # (affinity_batch_running), and so is a plan while another one runs (busy).
  changes=0 change_errors=0 balances=0 balance_errors=0 refused=0 i=0 bad="-"
  while ((SECONDS < end)); do
    irq=$((24 + RANDOM % 1024)) cpu=$((RANDOM % 64))
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' -d "{\"cpu\": $cpu}" "$url/api/v1/interrupts/$irq/affinity")
    changes=$((changes + 1))
    case $code in 200) ;; 409) refused=$((refused + 1)) ;; *) change_errors=$((change_errors + 1)) bad+=",put:$code" ;; esac
    if ((has_balance && i % 10 == 0)); then
      code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/api/v1/balance?apply=true")
      balances=$((balances + 1))
      case $code in 200) ;; 409) refused=$((refused + 1)) ;; *) balance_errors=$((balance_errors + 1)) bad+=",balance:$code" ;; esac
    fi
    i=$((i + 1))
    sleep 1
  done
  echo "$changes $change_errors $balances $balance_errors $refused $bad"
) > "$work/changes.txt" &
changes_pid=$!

wrk -t2 -c"$conns" -d"${warmup}s" --timeout 10s -s bench/soak_mixed.lua "$url" > "$work/wrk-warmup.txt"
rss_warm=$(rss)
fds_warm=$(fds)
wrk -t2 -c"$conns" -d"${seconds}s" --timeout 10s --latency -s bench/soak_mixed.lua "$url" > "$work/wrk.txt"
rss_end=$(rss)
fds_load=$(fds)
wait "$changes_pid"
wait "$rss_pid" || true
ws_status=0
wait "$ws_pid" || ws_status=$?
sleep 5
fds_after=$(fds)
fd_list > "$work/fds-after.txt"
health=$(curl -s "$url/api/v1/health")
kill -TERM "$pid"
stop_status=0
wait "$pid" || stop_status=$?
pid=""

cat "$work/wrk.txt"
read -r changes change_errors balances balance_errors refused bad < "$work/changes.txt"
grep -h '^status ' "$work/wrk-warmup.txt" "$work/wrk.txt" | sed 's/^/soak: wrk answers: /' || true
http_errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' \
  "$work/wrk-warmup.txt" "$work/wrk.txt")
half=$((warmup + seconds / 2))
read -r peak1 peak2 < <(awk -v w="$warmup" -v h="$half" -v e="$((warmup + seconds))" \
  '$1 >= w && $1 < h && $2 > a {a = $2} $1 >= h && $1 <= e && $2 > b {b = $2} END {print a + 0, b + 0}' "$work/rss.txt")
growth=$(awk -v a="$peak1" -v b="$peak2" 'BEGIN {printf "%.2f", a ? (b - a) * 100 / a : 999}')
echo "soak: websocket: $(cat "$work/ws.json")"
echo "soak: affinity changes: $changes ($change_errors failed); balance runs: $balances ($balance_errors failed);" \
  "409 while a batch or plan ran: $refused; failed answers: ${bad#-}"
echo "soak: http errors (non-2xx + socket errors): $http_errors"
echo "soak: RSS KiB: start $rss_start, after warm-up $rss_warm, end $rss_end"
echo "soak: RSS KiB peak, first half of the load $peak1, second half $peak2 (growth $growth%)"
echo "soak: RSS KiB every 5 s: $(awk '{printf "%s ", $2}' "$work/rss.txt")"
echo "soak: open fds: start $fds_start, after warm-up $fds_warm, end of load $fds_load, after $fds_after"
echo "soak: health: $health"
echo "soak: irqd exit status $stop_status"

fail=0
((http_errors == 0)) || { echo "soak: FAIL: HTTP errors"; fail=1; }
((ws_status == 0)) || { echo "soak: FAIL: WebSocket errors"; fail=1; }
((change_errors == 0 && balance_errors == 0)) || { echo "soak: FAIL: affinity/balance errors"; fail=1; }
if [[ ${SOAK_CHECK_RSS:-1} == 1 ]]; then
  awk -v g="$growth" 'BEGIN {exit !(g < 5)}' || { echo "soak: FAIL: RSS grew $growth%"; fail=1; }
fi
((fds_after == fds_start)) || { echo "soak: FAIL: fds $fds_start -> $fds_after"; diff "$work/fds-start.txt" "$work/fds-after.txt"; fail=1; }
((stop_status == 0)) || { echo "soak: FAIL: irqd exit status $stop_status"; fail=1; }
[[ -s $work/irqd.err ]] && { echo "soak: irqd stderr:"; tail -5 "$work/irqd.err"; }
((fail == 0)) && echo "soak: PASS"
keep=$fail
exit "$fail"
