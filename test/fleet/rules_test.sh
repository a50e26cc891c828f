#!/usr/bin/env bash
# prometheus/irqd-rules.yml: promtool check rules (syntax, names, templates), then promtool test rules
# (irqd-rules.test.yml: each alert fires where it should, and only there). Usage: rules_test.sh SOURCE_DIR
set -euo pipefail
cd "$1/prometheus"
if ! command -v promtool > /dev/null; then
  echo "SKIP: promtool is not installed (Debian 12: apt-get install prometheus; test/fleet/deps.sh installs it)"
  exit 77
fi
promtool check rules irqd-rules.yml
promtool test rules irqd-rules.test.yml
