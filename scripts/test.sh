#!/usr/bin/env bash
# Builds irqd and runs the whole test suite with ctest. Installs its dependencies first. Then, unless
# IRQD_SKIP_SANITIZE=1, the suite again under ASan+UBSan with the fuzzers' short runs (scripts/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./test/packaging/deps.sh clang libclang-rt-14-dev wrk curl tmux   # wrk, curl: soak/short and access_test; tmux: irqctl watch
./test/fleet/deps.sh                  # prometheus (promtool) and ansible-core for test/fleet
# chromium for the browser test; without it (or without the npm registry) that test is skipped, not failed.
./test/browser/deps.sh || echo "test.sh: browser test dependencies not installed; test browser/dashboard will be skipped" >&2
build=${IRQD_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIRQD_WERROR=ON
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest --output-on-failure -j"$(nproc)")
[[ ${IRQD_SKIP_SANITIZE:-0} == 1 ]] || ./scripts/sanitize.sh
