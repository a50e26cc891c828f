#!/usr/bin/env bash
# Installs what the fleet tests need on top of scripts/deps.sh (run as root on Debian 12): prometheus
# (2.42, with promtool) and ansible-core (2.14). Only the binaries are used: the tests start their own
# Prometheus on 127.0.0.1. Debian's package would start and enable a prometheus service on 0.0.0.0:9090,
# so a policy-rc.d keeps it from starting (where none is in place) and a fresh install is disabled again.
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../.."
had_prometheus=0
dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "install ok installed" && had_prometheus=1
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# test/fleet/deps.sh: no service starts while it installs packages\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
./scripts/deps.sh prometheus ansible-core "$@"
if ((!had_prometheus)); then
  if command -v systemctl > /dev/null; then systemctl disable prometheus.service > /dev/null 2>&1 || true; fi
  if [[ -x /etc/init.d/prometheus ]]; then update-rc.d prometheus disable > /dev/null 2>&1 || true; fi
fi
