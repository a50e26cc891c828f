#!/usr/bin/env bash
# What one Prometheus scrape of irqd costs per host, at several machine sizes: irqd --simulate on a
# generated rates file of CPUS x IRQS (../shared/tools/gen_interrupts.py), scraped N times with
# Accept-Encoding: gzip as Prometheus asks. Prints series per scrape (all, and without the per-IRQ
# node_interrupts_total and irqd_irq_affinity_info that a fleet may drop), bytes on the wire (gzip) and
# as text, median wall time per scrape, and irqd's CPU per scrape (its CPU during the scrapes less its
# idle rate, which is the once-a-second sampling). SIZE:small scrapes GET /metrics?per_irq=false.
# Usage: bench/scrape_cost.sh [BUILD_DIR] [SCRAPES] [SIZES...]   (defaults: build 20 16x64 64x512 256x4096)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
scrapes=${2:-20}
shift $(($# > 2 ? 2 : $#))
sizes=("$@")
((${#sizes[@]})) || sizes=(16x64 64x512 256x4096)
command -v curl > /dev/null || { echo "curl is not installed" >&2; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $scrapes scrapes per size"
printf '%-14s %9s %9s %11s %11s %10s %10s %8s\n' size series "w/o per-IRQ" "gzip bytes" "text bytes" "median ms" "CPU ms" "RSS MB"
for spec in "${sizes[@]}"; do
  size=${spec%%:*} cpus=${size%x*} irqs=${size#*x} query=
  [[ $spec == *:small ]] && query='?per_irq=false'
  python3 ../shared/tools/gen_interrupts.py "$cpus" "$irqs" > "$work/rates"
  start_irqd "$build/irqd" --simulate "$work/rates" --history 1s:1m --state-file "" || { echo "at $size" >&2; exit 1; }
  pid=$irqd_pid url=$irqd_url
  sleep 2
  idle0=$(ticks "$pid"); t0=$(date +%s.%N); sleep 5; idle1=$(ticks "$pid"); t1=$(date +%s.%N)
  c0=$(ticks "$pid"); s0=$(date +%s.%N)
  times=$(for _ in $(seq "$scrapes"); do curl -s --compressed -o /dev/null -w '%{time_total}\n' "$url/metrics$query"; done)
  c1=$(ticks "$pid"); s1=$(date +%s.%N)
  gz=$(curl -s -H 'Accept-Encoding: gzip' -o "$work/body.gz" -w '%{size_download}' "$url/metrics$query")
  text=$(gzip -dc "$work/body.gz" | wc -c)
  series=$(gzip -dc "$work/body.gz" | grep -vc '^#')
  small=$(gzip -dc "$work/body.gz" | grep -v '^#' | grep -Evc '^(node_interrupts_total|irqd_irq_affinity_info)\{')
  rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
  median=$(echo "$times" | sort -n | awk -v n="$scrapes" '{t[NR] = $1} END {printf "%.1f", 1000 * t[int((n + 1) / 2)]}')
  cpu=$(awk -v i0="$idle0" -v i1="$idle1" -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" \
            -v hz="$hz" -v n="$scrapes" 'BEGIN {
              idle = (i1 - i0) / (t1 - t0); busy = (c1 - c0) - idle * (s1 - s0)
              printf "%.1f", (busy < 0 ? 0 : busy) * 1000 / hz / n }')
  printf '%-14s %9d %9d %11d %11d %10s %10s %8d\n' "$spec" "$series" "$small" "$gz" "$text" "$median" "$cpu" "$rss"
  stop "$pid"
done
