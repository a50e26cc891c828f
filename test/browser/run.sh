#!/usr/bin/env bash
# ctest's browser test: installs playwright-core (package-lock.json) into the build directory once,
# then runs dashboard_test.mjs. Exits 77 (skipped) when chromium, node or the npm registry is missing.
set -euo pipefail
irqd=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
chromium=${IRQD_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then echo "skip: no $chromium (test/browser/deps.sh installs it)"; exit 77; fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then echo "skip: no node/npm"; exit 77; fi
major=$(node -p 'process.versions.node.split(".")[0]')
if ((major < 20)); then echo "skip: node $(node --version) is older than playwright-core needs (20)"; exit 77; fi
mkdir -p "$out"
if ! cmp -s "$here/package-lock.json" "$out/package-lock.json" || [[ ! -d $out/node_modules/playwright-core ]]; then
  cp "$here/package.json" "$here/package-lock.json" "$out/"
  if ! (cd "$out" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "skip: npm ci failed (no registry?)"
    exit 77
  fi
fi
cp "$here/dashboard_test.mjs" "$out/"
exec node "$out/dashboard_test.mjs" "$irqd" "$out"
