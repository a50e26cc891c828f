#!/usr/bin/env bash
# What one irqd host costs a real Prometheus (Debian's, on 127.0.0.1, its own temporary data directory):
# irqd --simulate on a generated rates file of CPUS x IRQS (../shared/tools/gen_interrupts.py), scraped
# every INTERVAL for SECONDS, then: irqd's series in Prometheus, samples per scrape, the last scrape's
# duration, and Prometheus's resident memory when ready (no sample yet) and at the end. SIZE:drop
# scrapes everything and drops node_interrupts_total and irqd_irq_affinity_info in Prometheus
# (metric_relabel_configs); SIZE:small asks irqd not to send them (GET /metrics?per_irq=false).
# Usage: bench/prometheus_cost.sh [BUILD_DIR] [SECONDS] [INTERVAL] [SIZES...]
#        (defaults: build 60 15s 16x64 64x512 64x512:drop 64x512:small 256x4096:drop 256x4096:small)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR/..
source bench/lib.sh
build=${1:-build}
seconds=${2:-60}
interval=${3:-15s}
shift $(($# > 3 ? 3 : $#))
sizes=("$@")
((${#sizes[@]})) || sizes=(16x64 64x512 64x512:drop 64x512:small 256x4096:drop 256x4096:small)
prometheus=$(command -v prometheus || true)
[[ -n $prometheus ]] || { echo "prometheus is not installed (test/fleet/deps.sh)" >&2; exit 1; }

query() {   # prints the first value of an instant query
  curl -s "http://127.0.0.1:$1/api/v1/query" --data-urlencode "query=$2" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "n/a")'
}

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); prometheus $("$prometheus" --version 2>&1 | awk 'NR==1 {print $3}'), scrape every $interval for $seconds s"
printf '%-14s %12s %14s %12s %14s %12s\n' size "irqd series" "samples/scrape" "scrape ms" "RSS start MB" "RSS end MB"
for spec in "${sizes[@]}"; do
  size=${spec%%:*} cpus=${size%x*} irqs=${size#*x}
  rm -rf "$work/data" && mkdir -p "$work/data"
  python3 ../shared/tools/gen_interrupts.py "$cpus" "$irqs" > "$work/rates"
  start_irqd "$build/irqd" --simulate "$work/rates" --history 1s:1m --state-file "" || { echo "at $size" >&2; exit 1; }
  target=${irqd_url#http://}
  relabel=
  [[ $spec == *:drop ]] && relabel='"metric_relabel_configs": [{"source_labels": ["__name__"], "regex": "node_interrupts_total|irqd_irq_affinity_info", "action": "drop"}],'
  [[ $spec == *:small ]] && relabel='"params": {"per_irq": ["false"]},'
  printf '{"global": {"scrape_interval": "%s", "scrape_timeout": "%s"}, "scrape_configs": [{"job_name": "irqd", %s "static_configs": [{"targets": ["%s"]}]}]}\n' \
      "$interval" "$interval" "$relabel" "$target" > "$work/prometheus.yml"
  port=$(free_port)
  "$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
      --web.listen-address="127.0.0.1:$port" > "$work/prom.log" 2>&1 &
  prom_pid=$!
  pids+=("$prom_pid")
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/-/ready" && break; sleep 0.2; done
  rss0=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$prom_pid/status")
  sleep "$seconds"
  series=$(query "$port" 'count({job="irqd"})')
  samples=$(query "$port" 'scrape_samples_post_metric_relabeling{job="irqd"}')
  scrape=$(query "$port" 'scrape_duration_seconds{job="irqd"} * 1000')
  rss=$(awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$prom_pid/status")
  printf '%-14s %12s %14s %12.0f %14s %12s\n' "$spec" "$series" "$samples" "$scrape" "$rss0" "$rss"
  stop "$prom_pid"
  stop "$irqd_pid"
done
