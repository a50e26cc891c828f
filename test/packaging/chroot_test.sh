#!/usr/bin/env bash
# The packaged static programs in an empty chroot: a directory holding only irqd, irqctl and a fake
# /proc and /sys tree (no libc, no /etc, no /dev, no /tmp). irqd starts there on 127.0.0.1; a client
# outside gets GET /api/v1/health and PUTs an affinity that must land in the fake tree; irqctl inside
# reaches irqd by 127.0.0.1 and by localhost (no NSS, no /etc/hosts) and names an unknown host on
# one line. Nothing outside the temporary directory is touched.
# Usage: chroot_test.sh PACKAGE_DIR (holding the irqd_*.deb that cpack built)
# Exit 77 (skipped) when not root or without chroot, dpkg-deb or python3.
set -euo pipefail
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"
pkgs=$1

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "chroot(2) needs root"
for tool in chroot dpkg-deb python3 timeout; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done
deb=$(first "$pkgs"/irqd_*.deb)
[ -n "$deb" ] || fail "no irqd_*.deb in $pkgs (the packaging/cpack test makes it)"

work=$(mktemp -d)
pid=
trap cleanup_work_dir EXIT

dpkg-deb -x "$deb" "$work/pkg"
root=$work/root
mkdir -p "$root"
cp "$work/pkg/usr/sbin/irqd" "$work/pkg/usr/bin/irqctl" "$root/"

# A 2-CPU machine with two IRQs, as the end-to-end tests fake one.
proc=$root/fake/proc sys=$root/fake/sys
mkdir -p "$proc" "$sys/devices/system/cpu" "$sys/devices/system/node/node0"
cat >"$proc/interrupts" <<'END'
           CPU0       CPU1
 24:       1000       2000   PCI-MSI 524288-edge      eth0-TxRx-0
 25:       3000        500   PCI-MSI 524289-edge      eth0-TxRx-1
END
for irq in 24 25; do
    mkdir -p "$proc/irq/$irq"
    echo 0-1 >"$proc/irq/$irq/smp_affinity_list"
    echo 0-1 >"$proc/irq/$irq/effective_affinity_list"
    echo 0 >"$proc/irq/$irq/node"
done
echo 0-1 >"$sys/devices/system/cpu/online"
: >"$sys/devices/system/cpu/isolated"
: >"$sys/devices/system/cpu/nohz_full"
echo 0-1 >"$sys/devices/system/node/node0/cpulist"
echo "chroot holds: $(cd "$root" && find . -maxdepth 1 | sort | xargs)"

chroot "$root" /irqd --procfs /fake/proc --sysfs /fake/sys --listen 127.0.0.1:0 --interval 200ms \
    >"$work/irqd.log" 2>&1 &
pid=$!
port=$(listening_port "$work/irqd.log" "$pid")
[ -n "$port" ] || { cat "$work/irqd.log" >&2; fail "irqd did not start in the chroot"; }
echo "irqd in the chroot listens on 127.0.0.1:$port"

# The client outside the chroot.
python3 - "$port" <<'END' || fail "the client outside the chroot"
import json, sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/api/v1"
health = json.load(urllib.request.urlopen(base + "/health", timeout=5))
assert health["status"] == "ok", health
# irqctl summary below needs a window with a frame: two samples (200 ms apart). On a quiet machine
# everything up to it took less than that, and the summary found no samples.
for _ in range(100):
    if health["samples"] >= 2:
        break
    time.sleep(0.05)
    health = json.load(urllib.request.urlopen(base + "/health", timeout=5))
assert health["samples"] >= 2, health
req = urllib.request.Request(base + "/interrupts/24/affinity", data=b'{"cpu": 1}', method="PUT",
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=5) as r:
    assert r.status == 200, r.status
print("outside: health ok, PUT /interrupts/24/affinity cpu 1: 200")
END
[ "$(cat "$proc/irq/24/smp_affinity_list")" = 1 ] ||
    fail "the PUT did not land in the fake tree: smp_affinity_list is '$(cat "$proc/irq/24/smp_affinity_list")'"
echo "fake tree: irq 24 smp_affinity_list = 1"

# irqctl inside the chroot, by number and by name.
timeout 20 chroot "$root" /irqctl --url "http://127.0.0.1:$port" summary >"$work/summary" 2>&1 ||
    { cat "$work/summary" >&2; fail "irqctl --url http://127.0.0.1:$port summary in the chroot"; }
grep -q 'CPU' "$work/summary" || { cat "$work/summary" >&2; fail "irqctl summary printed no CPU"; }
timeout 20 chroot "$root" /irqctl --url "http://localhost:$port" set 25 0 >"$work/set" 2>&1 ||
    { cat "$work/set" >&2; fail "irqctl --url http://localhost:$port set 25 0 in the chroot"; }
[ "$(cat "$proc/irq/25/smp_affinity_list")" = 0 ] || fail "irqctl set 25 0 did not land in the fake tree"
echo "inside: irqctl by 127.0.0.1 (summary) and by localhost (set 25 0) ok"
timeout 20 chroot "$root" /irqctl --url "http://localhost:$port" watch --count 1 >"$work/watch" 2>&1 ||
    { cat "$work/watch" >&2; fail "irqctl watch (WebSocket) in the chroot"; }
echo "inside: irqctl watch --count 1 ok"

# An unknown name: one line, exit 1, no crash (no /etc/hosts, no resolv.conf, no NSS modules).
status=0
timeout 20 chroot "$root" /irqctl --url http://irqd.invalid:8080 summary >"$work/bad" 2>&1 || status=$?
[ "$status" = 1 ] || { cat "$work/bad" >&2; fail "irqctl with an unknown host exited $status, expected 1"; }
[ "$(wc -l <"$work/bad")" = 1 ] || { cat "$work/bad" >&2; fail "more than one line for an unknown host"; }
grep -q "cannot resolve host 'irqd.invalid'" "$work/bad" || { cat "$work/bad" >&2; fail "unclear message"; }
echo "inside: unknown host -> $(cat "$work/bad")"

kill "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || { cat "$work/irqd.log" >&2; fail "irqd exited $status on SIGTERM"; }
echo "irqd stopped cleanly; the static programs run with no libc, /etc or /dev"
