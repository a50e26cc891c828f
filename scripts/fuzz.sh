#!/usr/bin/env bash
# The fuzzers alone, for long runs by hand (CI runs them briefly from scripts/sanitize.sh): the
# libFuzzer targets in fuzz/ built with clang (-fsanitize=fuzzer,address,undefined) in build-fuzz,
# each run for IRQD_FUZZ_SECONDS (default 10) from its seeds and kept regressions; new inputs stay
# in build-fuzz/fuzz/work/. See docs/reliability.md ("Fuzzing").
set -euo pipefail
cd "$(dirname "$0")/.."
build=${IRQD_FUZZ_BUILD_DIR:-build-fuzz}
command -v clang++ >/dev/null || { echo "fuzz: needs clang and libclang-rt-14-dev" >&2; exit 2; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DIRQD_FUZZ=ON -DIRQD_BUILD_BENCH=OFF -DIRQD_FUZZ_SECONDS="${IRQD_FUZZ_SECONDS:-10}"
cmake --build "$build" -j"$(nproc)" --target irqd_fuzzers
cd "$build"
ctest --output-on-failure -j"$(nproc)" -L fuzz
