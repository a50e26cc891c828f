#!/usr/bin/env bash
# Second stage of scripts/test.sh: the test suite (packaging and browser tests aside) built again
# in build-asan with AddressSanitizer + UndefinedBehaviorSanitizer at -O1; any report fails the run.
# (The short soak is left out too: wrk's 10 s timeouts would measure ASan's slowness, not irqd.)
# With clang installed the same build also holds the libFuzzer targets (-DIRQD_FUZZ=ON) and ctest
# runs each for IRQD_FUZZ_SECONDS (10): one extra build for both. Without clang it is GCC's, no fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${IRQD_ASAN_BUILD_DIR:-build-asan}
fuzz=OFF
if command -v clang++ >/dev/null && [[ ${IRQD_ASAN_COMPILER:-clang} == clang ]]; then
  export CC=clang CXX=clang++
  fuzz=ON
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
      -DIRQD_SANITIZE=ON -DIRQD_STATIC=OFF -DIRQD_WERROR=ON -DIRQD_FUZZ="$fuzz" -DIRQD_BUILD_BENCH=OFF \
      -DIRQD_FUZZ_SECONDS="${IRQD_FUZZ_SECONDS:-10}"
cmake --build "$build" -j"$(nproc)"
cd "$build"
# fleet: Prometheus and Ansible against irqd's API, nothing the sanitizers would see that e2e does not.
ctest --output-on-failure -j"$(nproc)" -LE 'packaging|browser|soak|fleet'
