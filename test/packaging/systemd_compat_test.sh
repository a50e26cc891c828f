#!/usr/bin/env bash
# packaging/common/irqd-systemd-compat, run as the package scripts run it, against a fake
# systemctl: systemd 219 and 229 get the drop-in that clears SystemCallFilter=, 239 and 252 do not
# (and lose one left from before), no systemctl removes it. With systemd-analyze, the unit plus the
# drop-in must still verify. Writes only in a temporary directory.
# Usage: systemd_compat_test.sh COMPAT_SCRIPT UNIT
set -euo pipefail
compat=$1 unit=$2

fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
export IRQD_DROPIN_DIR=$work/irqd.service.d
dropin=$IRQD_DROPIN_DIR/irqd-systemd-before-239.conf

run_with() {
    if [ -n "$1" ]; then
        printf '#!/bin/sh\necho "systemd %s (%s)"\necho "+PAM +AUDIT"\n' "$1" "$1" >"$work/bin/systemctl"
        chmod 755 "$work/bin/systemctl"
    else
        rm -f "$work/bin/systemctl"
    fi
    # Only the fake systemctl, sed, mkdir, rm, rmdir, cat: the real systemctl must not be found.
    for tool in sh sed mkdir rm rmdir cat; do ln -sf "$(command -v "$tool")" "$work/bin/$tool"; done
    PATH=$work/bin "$compat" || fail "irqd-systemd-compat exited $? with systemd '${1:-none}'"
}

for version in 219 229 237; do
    run_with "$version"
    [ -f "$dropin" ] || fail "no drop-in for systemd $version"
    grep -qx 'SystemCallFilter=' "$dropin" || fail "the drop-in for $version does not clear SystemCallFilter="
done
echo "systemd 219, 229, 237: drop-in written"
run_with 239
if [ -e "$dropin" ] || [ -e "$IRQD_DROPIN_DIR" ]; then fail "systemd 239 kept the drop-in"; fi
run_with 229
run_with 252
[ ! -e "$dropin" ] || fail "systemd 252 kept the drop-in"
run_with 229
run_with ""
[ ! -e "$dropin" ] || fail "no systemctl kept the drop-in"
echo "systemd 239, 252 and none: no drop-in (an old one removed)"

if command -v systemd-analyze >/dev/null; then
    run_with 229
    mkdir "$work/units"
    sed "s#^ExecStart=/usr/sbin/irqd #ExecStart=/bin/true #" "$unit" >"$work/units/irqd.service"
    cp -r "$IRQD_DROPIN_DIR" "$work/units/"
    SYSTEMD_UNIT_PATH=$work/units: systemd-analyze verify --man=no "$work/units/irqd.service" >"$work/verify" 2>&1 ||
        { cat "$work/verify" >&2; fail "the unit with the drop-in does not verify"; }
    echo "the unit with the drop-in verifies ($(systemctl --version | head -1))"
fi
