#!/usr/bin/env bash
# Builds irqd and irqctl (installing what they need first) and runs the daemon. With no arguments it
# runs on the simulated machine (the seed's 65 IRQs on 2 CPUs) on 127.0.0.1:8080 and prints its URL;
# any arguments go to irqd instead, e.g. `scripts/run.sh --listen 127.0.0.1:9000 --simulate`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
build=${IRQD_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target irqd irqctl
(($#)) || set -- --simulate
exec "$build/irqd" "$@"
