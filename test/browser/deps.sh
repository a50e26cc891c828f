#!/usr/bin/env bash
# Installs what the browser test needs on Debian 12 (run as root): chromium, and node/npm when absent.
# playwright-core itself comes from npm at test time (run.sh). Safe to run again.
set -euo pipefail
pkgs=(chromium)
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
# scripts/deps.sh installs what is missing of its own list and these (apt-get update first).
exec "$(dirname "$0")/../../scripts/deps.sh" "${pkgs[@]}"
