#!/usr/bin/env bash
# Builds irqd and runs the whole test suite with ctest. Installs its dependencies first.
set -euo pipefail
cd "$(dirname "$0")/.."
./test/packaging/deps.sh
# chromium for the browser test; without it (or without the npm registry) that test is skipped, not failed.
./test/browser/deps.sh || echo "test.sh: browser test dependencies not installed; test browser/dashboard will be skipped" >&2
build=${IRQD_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
