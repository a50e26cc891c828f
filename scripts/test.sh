#!/usr/bin/env bash
# Builds irqd and runs the whole test suite with ctest. Installs its dependencies first.
set -euo pipefail
cd "$(dirname "$0")/.."
./test/packaging/deps.sh
build=${IRQD_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
