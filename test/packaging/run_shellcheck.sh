#!/usr/bin/env bash
# Runs shellcheck on the init script, its defaults file, the maintainer scripts and these test
# helpers, each in the shell it declares. Exit 77 (ctest: skipped) without shellcheck.
# Usage: run_shellcheck.sh FILE...
set -euo pipefail
if ! command -v shellcheck >/dev/null; then
    echo "SKIP: shellcheck is not installed (test/packaging/deps.sh installs it)"
    exit 77
fi
shellcheck --version | sed -n 's/^version: /shellcheck /p'
for file in "$@"; do
    # Files sourced by sh (/etc/default/irqd) have no #! line to say their shell, and set
    # variables for the script that sources them (SC2034: "appears unused").
    # -x: what a script sources is checked with it, found where its source-path directive says
    # (bench/lib.sh).
    if head -c2 "$file" | grep -q '^#!'; then
        shellcheck --severity=style -x "$file"
    else
        shellcheck --severity=style --shell=sh --exclude=SC2034 "$file"
    fi
done
echo "shellcheck: $# files clean"
