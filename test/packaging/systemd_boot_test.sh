#!/usr/bin/env bash
# Runs systemd/irqd.service under a real systemd: boots a throwaway container (systemd-nspawn
# --volatile=yes: tmpfs root, the host's /usr read-only, its own network) in which irqd --read-only
# starts from the unit, and checks that the API answers, /proc/irq and /var/lib/irqd are writable,
# /proc/sys and /sys are not, and irqd has no capabilities. A copy with ProtectKernelTunables=yes
# runs beside it to show why the unit does without: there /proc/irq stays read-only. Nothing is
# written to /proc/irq (access(2) is asked, and irqd is read-only). Leftovers of nspawn are removed.
# Usage: systemd_boot_test.sh UNIT IRQD_BINARY CONF_FILE
# Exit 77 (skipped) without root, systemd-nspawn or a merged /usr; IRQD_TEST_NSPAWN=0 skips too.
set -euo pipefail
unit=$1 irqd=$2 conf=$3

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "${IRQD_TEST_NSPAWN:-1}" != 0 ] || skip "IRQD_TEST_NSPAWN=0"
[ "$(id -u)" = 0 ] || skip "needs root"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn is not installed (package systemd-container)"
# --volatile=yes brings only /usr from the host.
if [ ! -L /bin ] || [ ! -L /lib ]; then skip "/usr is not merged: the container would have no /bin"; fi

# nspawn's cgroups and run-time directories have fixed names: one container at a time.
exec 9>/tmp/irqd-nspawn-test.lock
flock -w 300 9 || fail "another irqd nspawn test holds /tmp/irqd-nspawn-test.lock"

tmp=$(mktemp -d)
before=$(find /sys/fs/cgroup -maxdepth 2 -type d \( -name payload -o -name supervisor \) 2>/dev/null || true)
run_before=$(ls -d /run/systemd/nspawn /run/systemd/nspawn-root 2>/dev/null || true)
cleanup() {
    local d
    # Empty cgroups nspawn created for the container (deepest first); ones there before stay.
    while read -r d; do
        if [ -n "$d" ] && ! printf '%s\n' "$before" | grep -qxF "$d"; then
            find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
        fi
    done < <(find /sys/fs/cgroup -maxdepth 2 -type d \( -name payload -o -name supervisor \) 2>/dev/null)
    for d in /run/systemd/nspawn /run/systemd/nspawn-root; do
        if ! printf '%s\n' "$run_before" | grep -qxF "$d"; then
            find "$d" -depth -type d -empty -delete 2>/dev/null || true
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/out"
sed 's#^ExecStart=/usr/sbin/irqd #ExecStart=/opt/irqd/irqd #' "$unit" >"$tmp/irqd.service"
grep -q '^ExecStart=/opt/irqd/irqd ' "$tmp/irqd.service" || fail "no ExecStart=/usr/sbin/irqd in $unit"
# The same unit as irqbalance 1.9.4 had it: ProtectKernelTunables=yes beside ReadWritePaths=/proc/irq.
sed -e 's#^ReadOnlyPaths=.*#ProtectKernelTunables=yes#' \
    -e 's#^StateDirectory=irqd$#StateDirectory=irqd-pkt#' \
    -e 's#^ReadWritePaths=/proc/irq .*#ReadWritePaths=/proc/irq /var/lib/irqd-pkt#' \
    -e "s#\\\$IRQD_ARGS\$#\\\$IRQD_ARGS --listen 127.0.0.1:8081#" "$tmp/irqd.service" >"$tmp/irqd-pkt.service"
echo 'IRQD_ARGS="--read-only"' >"$tmp/default"

cat >"$tmp/probe.sh" <<'EOF'
#!/bin/bash
# Inside the container: reports what the two services see, as "key value" lines, then powers off.
exec >/out/probe.txt 2>&1
for _ in $(seq 1 50); do
    [ -n "$(systemctl show -p MainPID --value irqd.service | grep -v '^0$')" ] &&
        [ -n "$(systemctl show -p MainPID --value irqd-pkt.service | grep -v '^0$')" ] && break
    sleep 0.2
done
sleep 2
for u in irqd irqd-pkt; do
    echo "$u.active $(systemctl is-active $u.service)"
    pid=$(systemctl show -p MainPID --value $u.service)
    [ "$pid" != 0 ] || continue
    while read -r _ _ _ _ point options _; do
        case "$point" in /proc/irq | /proc/sys | /sys | /var/lib/$u) echo "$u.mount:$point ${options%%,*}" ;; esac
    done </proc/$pid/mountinfo
    for f in /proc/irq/default_smp_affinity /proc/sys/kernel/hostname /var/lib/$u /etc; do
        if nsenter -t "$pid" -m -U test -w "$f"; then w=yes; else w=no; fi
        echo "$u.writable:$f $w"
    done
    sed -n "s/^\(CapEff\|CapBnd\|NoNewPrivs\|Seccomp\):[[:space:]]*/$u.\1 /p" /proc/$pid/status
    echo "$u.statemode $(stat -c %a /var/lib/$u)"
done
python3 -c '
import urllib.request
for port in (8080, 8081):
    try:
        r = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=3)
        print(f"api:{port}", r.status)
    except Exception as e:
        print(f"api:{port}", "error", str(e).replace(" ", "_"))
'
journalctl --no-pager -o cat -u irqd.service -u irqd-pkt.service | sed 's/^/journal /'
systemctl --no-block poweroff
EOF
chmod 755 "$tmp/probe.sh"
cat >"$tmp/probe.service" <<'EOF'
[Unit]
After=irqd.service irqd-pkt.service
[Service]
Type=oneshot
ExecStart=/opt/irqd/probe.sh
EOF

echo "== booting a throwaway container (systemd-nspawn --volatile=yes --private-network)"
status=0
timeout 120 systemd-nspawn -q -D / --volatile=yes --private-network --register=no --keep-unit \
    --bind-ro="$irqd":/opt/irqd/irqd --bind-ro="$tmp/probe.sh":/opt/irqd/probe.sh \
    --bind-ro="$tmp/irqd.service":/etc/systemd/system/irqd.service \
    --bind-ro="$tmp/irqd-pkt.service":/etc/systemd/system/irqd-pkt.service \
    --bind-ro="$tmp/probe.service":/etc/systemd/system/probe.service \
    --bind-ro="$conf":/etc/irqd/irqd.conf --bind-ro="$tmp/default":/etc/default/irqd \
    --bind="$tmp/out":/out \
    --boot -- systemd.unit=basic.target systemd.mask=systemd-firstboot.service \
    systemd.wants=irqd.service systemd.wants=irqd-pkt.service systemd.wants=probe.service \
    </dev/null >"$tmp/nspawn.log" 2>&1 || status=$?
if [ ! -s "$tmp/out/probe.txt" ]; then
    tail -20 "$tmp/nspawn.log"
    skip "the container did not boot (exit $status); an unprivileged container cannot run systemd-nspawn"
fi
[ "$status" = 0 ] || echo "note: systemd-nspawn exited $status after the probe"
probe=$tmp/out/probe.txt
sed 's/^/  /' "$probe"

expect() {
    grep -qxF "$1 $2" "$probe" || fail "expected '$1 $2', got '$(grep -F "$1 " "$probe" | head -1)'"
}
expect irqd.active active
expect api:8080 200
expect irqd.mount:/proc/irq rw
expect irqd.mount:/proc/sys ro
expect irqd.mount:/sys ro
expect irqd.writable:/proc/irq/default_smp_affinity yes
expect irqd.writable:/proc/sys/kernel/hostname no
expect irqd.writable:/var/lib/irqd yes
expect irqd.writable:/etc no
expect irqd.statemode 700
expect irqd.CapEff 0000000000000000
expect irqd.CapBnd 0000000000000000
expect irqd.NoNewPrivs 1
expect irqd.Seccomp 2
# The irqbalance 1.9.4 combination: irqd runs, but could never move an interrupt.
expect irqd-pkt.active active
expect irqd-pkt.mount:/proc/irq ro
expect irqd-pkt.writable:/proc/irq/default_smp_affinity no
echo "irqd.service runs under systemd with /proc/irq writable, no capabilities, seccomp on"
