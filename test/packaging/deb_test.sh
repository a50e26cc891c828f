#!/usr/bin/env bash
# Builds the .deb with cpack, inspects it (name, Depends, conffiles, files, linked libraries), and,
# as root on a machine without a running systemd, installs it with dpkg, runs the installed
# programs and the SysV script on the simulated machine, purges it and checks nothing is left.
# Usage: deb_test.sh BUILD_DIR VERSION WANT_MAN_PAGES(ON/OFF)
# IRQD_TEST_DEB_INSTALL=0 stops after the inspection.
set -euo pipefail
build=$1 version=$2 want_man=$3

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
for tool in cpack dpkg dpkg-deb flock timeout; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

# One .deb test per machine at a time: dpkg, /usr/sbin/irqd and /run/irqd.pid are machine-wide.
exec 9>/tmp/irqd-deb-test.lock
flock -w 900 9 || fail "another irqd .deb test holds /tmp/irqd-deb-test.lock"

work=$(mktemp -d)
installed_by_us=0
cleanup() {
    if [ "$installed_by_us" = 1 ]; then
        /etc/init.d/irqd stop >/dev/null 2>&1 || true
        timeout 120 dpkg --purge irqd >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

step "cpack -G DEB"
timeout 900 cpack -G DEB -B "$work/out" --config "$build/CPackConfig.cmake" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log" >&2; fail "cpack -G DEB"; }
arch=$(dpkg --print-architecture)
deb="$work/out/irqd_${version}_${arch}.deb"
[ -f "$deb" ] || { ls -l "$work/out" >&2; fail "no $(basename "$deb")"; }
echo "$(basename "$deb"): $(stat -c %s "$deb") bytes"

step "dpkg-deb -I: control fields"
dpkg-deb -f "$deb" Package | grep -qx irqd || fail "Package is not irqd"
dpkg-deb -f "$deb" Version | grep -qx "$version" || fail "Version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Boost is static: only the C and C++ runtimes may be needed.
for dep in $(printf '%s\n' "$depends" | tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//; s/[[:space:]]//g'); do
    case "$dep" in
        libc6 | libstdc++6 | libgcc-s1 | libgcc1) ;;
        *) fail "unexpected dependency '$dep' (is Boost linked dynamically?)" ;;
    esac
done

dpkg-deb -e "$deb" "$work/control"
printf '%s\n' /etc/default/irqd /etc/init.d/irqd /etc/init/irqd.conf /etc/irqd/irqd.conf >"$work/want-conffiles"
sort "$work/control/conffiles" | diff -u "$work/want-conffiles" - || fail "conffiles differ"
for script in postinst prerm postrm; do
    [ -x "$work/control/$script" ] || fail "no executable $script in the package"
done

step "dpkg-deb -c: files"
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' >"$work/contents"
want=(./usr/sbin/irqd ./usr/bin/irqctl ./usr/share/irqd/interrupts-per-day.txt
      ./lib/systemd/system/irqd.service ./etc/init/irqd.conf ./etc/init.d/irqd
      ./etc/irqd/irqd.conf ./etc/default/irqd ./usr/share/doc/irqd/install.md
      ./usr/share/irqd/prometheus/irqd-rules.yml ./usr/share/irqd/prometheus/irqd-rules.test.yml
      ./usr/share/irqd/grafana/irqd.json ./usr/share/irqd/ansible/install.yml ./usr/share/irqd/ansible/balance.yml
      ./usr/share/bash-completion/completions/irqctl)
if [ "$want_man" = ON ]; then
    want+=(./usr/share/man/man8/irqd.8.gz ./usr/share/man/man1/irqctl.1.gz)
fi
for path in "${want[@]}"; do
    grep -q " $path\$" "$work/contents" || fail "the package lacks $path"
done
for path in ./usr/sbin/irqd ./usr/bin/irqctl ./etc/init.d/irqd; do
    grep -q "^-rwxr-xr-x $path\$" "$work/contents" || fail "$path is not -rwxr-xr-x"
done
if grep -q ' ./usr/local' "$work/contents"; then fail "files under /usr/local"; fi
echo "$(grep -c '^-' "$work/contents") files, all expected ones present"

step "linked libraries of the packaged programs"
dpkg-deb -x "$deb" "$work/root"
for program in usr/sbin/irqd usr/bin/irqctl; do
    # Static programs (IRQD_STATIC, the default) have none; packaging/static_package checks more.
    if ! readelf -dW "$work/root/$program" | grep -q '(NEEDED)'; then
        echo "$program: static, no shared library"
        continue
    fi
    libs=$(ldd "$work/root/$program" | awk '{ print $1 }' | sed 's#.*/##' | sort | xargs)
    echo "$program: $libs"
    for lib in $libs; do
        case "$lib" in
            linux-vdso.so.* | ld-linux*.so.* | libc.so.6 | libm.so.6 | libstdc++.so.6 | libgcc_s.so.1) ;;
            *) fail "$program needs $lib" ;;
        esac
    done
done

if [ "${IRQD_TEST_DEB_INSTALL:-1}" = 0 ]; then
    echo "SKIP: install test (IRQD_TEST_DEB_INSTALL=0)"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: install test needs root (the inspection above passed)"
    exit 77
fi
if [ -d /run/systemd/system ]; then
    echo "SKIP: install test: systemd runs this machine and postinst would start a real irqd"
    exit 77
fi
if dpkg-query -W -f='${Status}' irqd 2>/dev/null | grep -q installed; then
    echo "SKIP: install test: an irqd package is installed already; not touching it"
    exit 77
fi
for path in /usr/sbin/irqd /usr/bin/irqctl /etc/irqd /var/lib/irqd /run/irqd.pid; do
    [ ! -e "$path" ] || { echo "SKIP: install test: $path exists already; not touching it"; exit 77; }
done

# Processes running the installed binary (other engineers' irqd builds run from elsewhere).
installed_irqd_pids() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/exe" 2>/dev/null)" = /usr/sbin/irqd ] && echo "${p#/proc/}"
    done
    return 0
}
# Everything the package may leave behind, for the check after the purge.
leftovers() {
    ls -d /etc/irqd /etc/init.d/irqd /etc/init/irqd.conf /etc/default/irqd /var/lib/irqd \
        /run/irqd.pid /var/log/irqd.log /usr/share/irqd /usr/share/doc/irqd \
        /etc/rc?.d/[SK][0-9][0-9]irqd /etc/systemd/system/*/irqd.service \
        /var/lib/systemd/deb-systemd-helper-enabled/irqd.service* \
        /var/lib/systemd/deb-systemd-helper-enabled/*/irqd.service \
        /var/lib/systemd/deb-systemd-helper-masked/irqd.service 2>/dev/null || true
    awk '$1 ~ /^-/ { sub(/^\./, "", $2); print $2 }' "$work/contents" | while read -r f; do
        [ ! -e "$f" ] || echo "$f"
    done
}
[ -z "$(leftovers)" ] || { leftovers >&2; fail "traces of irqd before the install"; }

step "dpkg -i"
installed_by_us=1
timeout 300 dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1 || { cat "$work/dpkg-i.log" >&2; fail "dpkg -i"; }
cat "$work/dpkg-i.log"
dpkg-query -W -f='${Status}\n' irqd | grep -qx "install ok installed" || fail "irqd is not installed ok"
[ -d /var/lib/irqd ] || fail "postinst did not create /var/lib/irqd"
[ "$(stat -c %a /var/lib/irqd)" = 700 ] || fail "/var/lib/irqd is mode $(stat -c %a /var/lib/irqd), not 0700"
# systemd 252 here knows @system-service: no drop-in for old systemd.
[ ! -e /etc/systemd/system/irqd.service.d ] || fail "postinst wrote a drop-in for systemd before 239"
ls /etc/rc2.d/S[0-9][0-9]irqd >/dev/null 2>&1 || fail "no /etc/rc2.d link: update-rc.d irqd defaults did not run"
# No init here (no systemd, PID 1 is not init): postinst must have started nothing.
[ -z "$(installed_irqd_pids)" ] || fail "postinst started irqd in a machine without an init"

step "installed programs"
/usr/sbin/irqd --help >"$work/help" || fail "/usr/sbin/irqd --help"
grep -q -- '--listen' "$work/help" || fail "irqd --help does not list --listen"
/usr/sbin/irqd --version | grep -qx "irqd $version" || fail "irqd --version is not 'irqd $version'"
/usr/bin/irqctl --help >"$work/irqctl-help" 2>&1 || { cat "$work/irqctl-help" >&2; fail "/usr/bin/irqctl --help"; }
grep -q irqctl "$work/irqctl-help" || fail "irqctl --help does not name irqctl"
if [ "$want_man" = ON ]; then
    zcat /usr/share/man/man8/irqd.8.gz | grep -q -- 'listen' || fail "irqd.8 does not document --listen"
fi

step "SysV init script on the simulated machine"
/etc/init.d/irqd status >/dev/null 2>&1 && fail "status says running before start"
# The machine is simulated and writes are refused, so no /proc/irq file is touched.
cat >/etc/default/irqd <<EOF2
IRQD_ARGS="--simulate --read-only --listen 127.0.0.1:0"
IRQD_LOG_FILE="$work/irqd.log"
EOF2
timeout 60 /etc/init.d/irqd start || { cat "$work/irqd.log" >&2 || true; fail "/etc/init.d/irqd start"; }
pid=$(cat /run/irqd.pid)
[ "$(readlink "/proc/$pid/exe")" = /usr/sbin/irqd ] || fail "the pid file does not name /usr/sbin/irqd"
/etc/init.d/irqd status || fail "status says not running after start"
grep -q 'simulated machine.*/usr/share/irqd/interrupts-per-day.txt' "$work/irqd.log" ||
    { cat "$work/irqd.log" >&2; fail "irqd did not find the installed seed"; }
timeout 60 /etc/init.d/irqd start || fail "a second start must succeed (already running)"
[ "$(cat /run/irqd.pid)" = "$pid" ] || fail "a second start replaced the running irqd"
timeout 60 /etc/init.d/irqd stop || fail "/etc/init.d/irqd stop"
[ -z "$(installed_irqd_pids)" ] || fail "irqd still runs after stop"
/etc/init.d/irqd status >/dev/null 2>&1 && fail "status says running after stop"
# A bad option: start must fail and say so instead of reporting success.
echo 'IRQD_ARGS="--no-such-option"' >/etc/default/irqd
if timeout 60 /etc/init.d/irqd start >/dev/null 2>&1; then fail "start succeeded with a bad option"; fi
[ -z "$(installed_irqd_pids)" ] || fail "irqd runs after a failed start"

step "dpkg -i again (the upgrade path of the maintainer scripts)"
timeout 300 dpkg -i "$deb" >"$work/dpkg-i2.log" 2>&1 || { cat "$work/dpkg-i2.log" >&2; fail "second dpkg -i"; }
[ -z "$(installed_irqd_pids)" ] || fail "the upgrade started irqd in a machine without an init"

step "dpkg -r: programs go, configuration and state stay"
timeout 300 dpkg -r irqd >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "dpkg -r"; }
for path in /usr/sbin/irqd /usr/bin/irqctl /lib/systemd/system/irqd.service; do
    [ ! -e "$path" ] || fail "$path is still there after dpkg -r"
done
for path in /etc/irqd/irqd.conf /etc/default/irqd /etc/init.d/irqd /var/lib/irqd; do
    [ -e "$path" ] || fail "dpkg -r removed $path (only a purge may)"
done
# The leftover init script must not become a service systemd would start.
if [ -x /usr/bin/deb-systemd-helper ]; then
    [ "$(readlink /etc/systemd/system/irqd.service)" = /dev/null ] || fail "irqd.service is not masked after dpkg -r"
fi
/etc/init.d/irqd start >/dev/null 2>&1 || fail "the leftover init script must exit 0 without the program"
[ -z "$(installed_irqd_pids)" ] || fail "something started irqd after dpkg -r"

step "dpkg --purge"
timeout 300 dpkg --purge irqd >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge"; }
installed_by_us=0
if dpkg-query -W -f='${Status}' irqd 2>/dev/null | grep -q installed; then fail "irqd still installed"; fi
[ -z "$(leftovers)" ] || { leftovers >&2; fail "left behind after the purge"; }
echo "purged: nothing left"
