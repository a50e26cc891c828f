#!/usr/bin/env bash
# Installs what the browser test needs on Debian 12 (run as root): chromium, and node/npm when absent.
# playwright-core itself comes from npm at test time (run.sh). Safe to run again.
set -euo pipefail
pkgs=(chromium)
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
