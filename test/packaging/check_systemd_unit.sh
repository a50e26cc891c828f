#!/usr/bin/env bash
# Checks systemd/irqd.service without a running systemd: the settings the daemon relies on,
# "systemd-analyze verify" with ExecStart pointed at the built irqd, and the exposure score of
# "systemd-analyze security --offline". Exit 77 (ctest: skipped) without systemd-analyze.
# Usage: check_systemd_unit.sh UNIT IRQD_BINARY [MAX_EXPOSURE]
set -euo pipefail
unit=$1 irqd=$2 max_exposure=${3:-2.0}

fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qxF -- "$1" "$unit" || fail "$unit lacks the line '$1'"; }

has 'Type=simple'
has 'EnvironmentFile=-/etc/default/irqd'
# shellcheck disable=SC2016 # $IRQD_ARGS is for systemd to expand
has 'ExecStart=/usr/sbin/irqd --config /etc/irqd/irqd.conf $IRQD_ARGS'
has 'Restart=on-failure'
has 'StateDirectory=irqd'
has 'ProtectSystem=strict'
has 'ReadWritePaths=/proc/irq /var/lib/irqd'
has 'CapabilityBoundingSet='
has 'NoNewPrivileges=yes'
has 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'
has 'WantedBy=multi-user.target'
# ProtectKernelTunables=yes mounts /proc/irq read-only and ReadWritePaths= cannot undo it.
if grep -Eq '^ProtectKernelTunables=(yes|true|on|1)' "$unit"; then
    fail "ProtectKernelTunables=yes would make every affinity write fail with EROFS"
fi

if ! command -v systemd-analyze >/dev/null; then
    echo "SKIP: systemd-analyze is not installed (test/packaging/deps.sh installs it)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#^ExecStart=/usr/sbin/irqd #ExecStart=$irqd #" "$unit" >"$tmp/irqd.service"

# verify exits 0 on some warnings (an unknown key, a bad value): any message is a failure.
systemd-analyze verify --man=no "$tmp/irqd.service" >"$tmp/verify.out" 2>&1 || {
    cat "$tmp/verify.out" >&2
    fail "systemd-analyze verify"
}
if [ -s "$tmp/verify.out" ]; then
    cat "$tmp/verify.out" >&2
    fail "systemd-analyze verify printed warnings"
fi
echo "systemd-analyze verify: clean"

if ! systemd-analyze security --offline=yes "$tmp/irqd.service" >"$tmp/security.out" 2>&1; then
    cat "$tmp/security.out" >&2
    fail "systemd-analyze security --offline=yes"
fi
score=$(sed -n 's/.*Overall exposure level for irqd.service: \([0-9.]*\).*/\1/p' "$tmp/security.out")
[ -n "$score" ] || { cat "$tmp/security.out" >&2; fail "no exposure score in the output"; }
echo "systemd-analyze security exposure: $score (at most $max_exposure allowed)"
awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }' ||
    fail "exposure $score is above $max_exposure: a hardening setting was lost"
