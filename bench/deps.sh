#!/usr/bin/env bash
# Installs what the benchmarks need on top of scripts/deps.sh (run as root on Debian 12): curl, wrk,
# prometheus-node-exporter (bench/metrics_vs_node_exporter.sh) and irqbalance with util-linux's
# unshare (bench/vs_irqbalance.sh). Only the binaries are used. Debian's packages would start and
# enable their services, and an irqbalance service would rewrite this machine's IRQ affinities, so a
# policy-rc.d keeps them from starting (where none is in place) and fresh installs are disabled again.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
services=(irqbalance prometheus-node-exporter)
fresh=()
for s in "${services[@]}"; do
  dpkg-query -W -f='${Status}' "$s" 2>/dev/null | grep -q "install ok installed" || fresh+=("$s")
done
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# bench/deps.sh: no service starts while it installs packages\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
./scripts/deps.sh curl wrk util-linux "${services[@]}" "$@"
for s in "${fresh[@]}"; do
  if command -v systemctl > /dev/null; then systemctl disable "$s.service" > /dev/null 2>&1 || true; fi
  if [[ -x /etc/init.d/$s ]]; then update-rc.d "$s" disable > /dev/null 2>&1 || true; fi
done
