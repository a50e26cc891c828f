#!/usr/bin/env bash
# Builds every package cpack makes from this build tree (the .deb, the .tar.gz and, with rpmbuild,
# the RPM) into OUT_DIR, for the packaging tests that inspect and run them (ctest fixture).
# Usage: cpack_all.sh BUILD_DIR OUT_DIR
set -euo pipefail
build=$1 out=$2
command -v cpack >/dev/null || { echo "SKIP: cpack is not installed"; exit 77; }
rm -rf "$out"
mkdir -p "$out"
generators="DEB;TGZ"
if command -v rpmbuild >/dev/null; then generators="$generators;RPM"; fi
timeout 900 cpack -G "$generators" -B "$out" --config "$build/CPackConfig.cmake" >"$out/cpack.log" 2>&1 ||
    { cat "$out/cpack.log" >&2; echo "FAIL: cpack -G $generators" >&2; exit 1; }
ls -l "$out"/*.deb "$out"/*.tar.gz "$out"/*.rpm 2>/dev/null || true
