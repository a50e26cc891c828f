#!/usr/bin/env bash
# Installs what irqd needs to build and test on Debian 12 (run as root). Safe to run again.
set -euo pipefail
pkgs=(g++ cmake make python3 libboost1.81-dev libboost-json1.81-dev
      libboost-program-options1.81-dev libboost-test1.81-dev zlib1g-dev)
missing=()
for p in "${pkgs[@]}" "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
