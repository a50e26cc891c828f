#!/usr/bin/env bash
# GET /metrics side by side with node_exporter's interrupts collector on the same synthetic
# /proc/interrupts (default 256 CPUs x 4096 IRQs): time of N sequential scrapes and memory of each.
# Usage: bench/metrics_vs_node_exporter.sh [BUILD_DIR] [CPUS] [IRQS] [SCRAPES] [IRQD_HISTORY] [NE_SCRAPES]
# (defaults: build 256 4096 20 1s:5s 3).
# CPU is the process's user+system time per scrape (from /proc/PID/stat), which a busy machine does not
# inflate the way it inflates wall-clock time; irqd's includes its once-a-second sampling.
# Needs Debian's prometheus-node-exporter (apt-get install prometheus-node-exporter; its service is not
# used: the binary runs here on a loopback port and is stopped at the end) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
cpus=${2:-256}
irqs=${3:-4096}
scrapes=${4:-20}
history=${5:-1s:5s}
ne_scrapes=${6:-3}
ne=$(command -v prometheus-node-exporter || true)
[[ -n $ne ]] || { echo "prometheus-node-exporter is not installed" >&2; exit 1; }

mkdir -p "$work/proc" "$work/sys"
python3 ../shared/tools/gen_interrupts.py "$cpus" "$irqs" > "$work/proc/interrupts"
echo "input: $cpus CPUs x $irqs IRQs, $(wc -c < "$work/proc/interrupts") bytes of /proc/interrupts"

ne_port=$(free_port)
"$ne" --path.procfs "$work/proc" --path.sysfs "$work/sys" --collector.disable-defaults --collector.interrupts \
      --web.listen-address "127.0.0.1:$ne_port" 2> "$work/ne.log" &
pids+=($!)
ne_pid=$!
irqd_port=$(free_port)
"$build/irqd" --procfs "$work/proc" --sysfs "$work/sys" --read-only --history "$history" \
              --listen "127.0.0.1:$irqd_port" > "$work/irqd.out" 2> "$work/irqd.log" &
pids+=($!)
irqd_pid=$!
for _ in $(seq 100); do
  # Ready when both answer; irqd is asked for gzip, so its peak RSS below starts with the gzip scrapes.
  curl -sf -o /dev/null "http://127.0.0.1:$ne_port/metrics" && curl -sf --compressed -o /dev/null "http://127.0.0.1:$irqd_port/metrics" && break
  sleep 0.1
done

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() {   # name pid url scrapes [curl options]
  local name=$1 pid=$2 url=$3 scrapes=$4 rss_idle times cpu0 cpu1
  shift 4
  rss_idle=$(rss "$pid")
  cpu0=$(cpu_ticks "$pid")
  times=$(for _ in $(seq "$scrapes"); do curl -s "$@" -o /dev/null -w '%{time_total}\n' "$url"; done)
  cpu1=$(cpu_ticks "$pid")
  local series bytes
  bytes=$(curl -s "$@" -o "$work/body" -w '%{size_download}' "$url")
  series=$(grep -c '^node_interrupts_total{' "$work/body" || true)
  echo "$times" | sort -n | awk -v name="$name" -v n="$scrapes" -v s="$series" -v b="$bytes" \
      -v cpu="$(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) / scrapes ))" -v idle="$(( rss_idle / 1024 ))" -v rss="$(( $(rss "$pid") / 1024 ))" -v hwm="$(( $(hwm "$pid") / 1024 ))" '
    { t[NR] = $1; sum += $1 }
    END { printf "%-14s %3d scrapes  median %8.1f ms  min %8.1f ms  CPU %6d ms/scrape  %8d node_interrupts_total  %6.1f MB/scrape  RSS before %5d MB  after %5d MB  peak %5d MB\n",
          name, n, 1000 * t[int((n + 1) / 2)], 1000 * t[1], cpu, s, b / 1e6, idle, rss, hwm }'
}
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); irqd --history $history"
# node_exporter needs minutes per scrape at this size: NE_SCRAPES=0 measures irqd alone.
if ((ne_scrapes > 0)); then measure node_exporter "$ne_pid" "http://127.0.0.1:$ne_port/metrics" "$ne_scrapes"; fi
# First as Prometheus asks (Accept-Encoding: gzip; the size is what travels), then plain text as curl
# asks. In this order, since the peak RSS is the process's peak so far.
measure "irqd gzip" "$irqd_pid" "http://127.0.0.1:$irqd_port/metrics" "$scrapes" --compressed
measure irqd "$irqd_pid" "http://127.0.0.1:$irqd_port/metrics" "$scrapes"
