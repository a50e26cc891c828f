#!/usr/bin/env bash
# Inspects what cpack built (packaging/cpack): the programs in the .deb are static (no PT_INTERP,
# no NEEDED, no GLIBC_/GLIBCXX_ version needs), the .deb is one dpkg 1.17 (Ubuntu 14.04) reads
# (control.tar.gz, data.tar.xz, no .zst member) and depends on nothing, lintian finds no error and
# no warning beyond the ones docs/install.md explains, the RPM lists the programs, the unit and the
# config with its scripts and needs no library, and the .tar.gz holds the programs, unit, upstart
# job, init script and config.
# Usage: static_package_test.sh PACKAGE_DIR VERSION
set -euo pipefail
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"
pkgs=$1 version=$2

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
for tool in dpkg-deb readelf ar tar; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
deb=$(first "$pkgs"/irqd_"$version"_*.deb)
[ -n "$deb" ] || fail "no irqd_${version}_*.deb in $pkgs (the packaging/cpack test makes it)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "static programs: $(basename "$deb")"
dpkg-deb -x "$deb" "$work/root"
for program in usr/sbin/irqd usr/bin/irqctl; do
    file=$work/root/$program
    headers=$(readelf -lW "$file")
    case "$headers" in *'Requesting program interpreter'*) fail "$program has a PT_INTERP" ;; esac
    needed=$(readelf -dW "$file" | grep '(NEEDED)' || true)
    [ -z "$needed" ] || fail "$program needs shared libraries: $needed"
    versions=$(readelf -VW "$file" | grep -oE '(GLIBC|GLIBCXX|CXXABI|GCC)_[0-9.]+' | sort -u | xargs || true)
    [ -z "$versions" ] || fail "$program needs symbol versions: $versions"
    echo "$program: $(stat -c %s "$file") bytes, no PT_INTERP, no NEEDED, no symbol version needs"
done

step "the .deb for dpkg 1.17: members and Depends"
members=$(ar t "$deb" | xargs)
echo "ar t: $members"
[ "$members" = "debian-binary control.tar.gz data.tar.xz" ] ||
    fail "members are '$members', want 'debian-binary control.tar.gz data.tar.xz' (dpkg 1.17.5 reads no control.tar.xz, no zstd)"
for field in Depends Pre-Depends Recommends; do
    value=$(dpkg-deb -f "$deb" "$field")
    [ -z "$value" ] || fail "$field: $value (the static programs need nothing)"
done
echo "Depends, Pre-Depends, Recommends: empty"

step "lintian"
if command -v lintian >/dev/null; then
    # Tags docs/install.md lists with the reason each is kept.
    allowed="maintainer-script-calls-systemctl package-installs-deprecated-upstart-configuration"
    allowed="$allowed shared-library-lacks-prerequisites"
    lintian --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1 || true
    grep -v 'running with root privileges' "$work/lintian" | sed 's/^/  /' || true
    if grep -q '^E: ' "$work/lintian"; then fail "lintian errors"; fi
    unexplained=$(grep '^W: ' "$work/lintian" | awk '{ print $3 }' | sort -u | while read -r tag; do
        case " $allowed " in *" $tag "*) ;; *) echo "$tag" ;; esac
    done)
    [ -z "$unexplained" ] || fail "lintian warnings not explained in docs/install.md: $unexplained"
    echo "lintian: no errors, no unexplained warning"
else
    echo "lintian is not installed (test/packaging/deps.sh installs it): not checked"
fi

step "RPM"
rpm_file=$(first "$pkgs"/irqd-"$version"-*.rpm)
if [ -n "$rpm_file" ] && command -v rpm >/dev/null; then
    rpm -qlp "$rpm_file" 2>/dev/null >"$work/rpm-files"
    for path in /usr/sbin/irqd /usr/bin/irqctl /lib/systemd/system/irqd.service /etc/irqd/irqd.conf \
        /etc/default/irqd /usr/lib/irqd/irqd-systemd-compat; do
        grep -qxF "$path" "$work/rpm-files" || fail "rpm -qlp does not list $path"
    done
    for path in /etc/init.d/irqd /etc/init/irqd.conf /lib /usr /etc; do
        if grep -qxF "$path" "$work/rpm-files"; then fail "the RPM owns $path"; fi
    done
    rpm -qcp "$rpm_file" 2>/dev/null >"$work/rpm-config"
    grep -qxF /etc/irqd/irqd.conf "$work/rpm-config" || fail "irqd.conf is not %config"
    rpm -qp --scripts "$rpm_file" 2>/dev/null >"$work/rpm-scripts"
    for phase in postinstall preuninstall postuninstall; do
        grep -q "^$phase scriptlet" "$work/rpm-scripts" || fail "the RPM has no $phase script"
    done
    grep -q 'systemctl enable irqd.service' "$work/rpm-scripts" || fail "%post does not enable irqd"
    requires=$(rpm -qp --requires "$rpm_file" 2>/dev/null | grep -v '^rpmlib(' | grep -vxF /bin/sh | xargs || true)
    [ -z "$requires" ] || fail "the RPM requires: $requires"
    echo "$(basename "$rpm_file"): $(wc -l <"$work/rpm-files") paths, %config, scripts, no Requires"
else
    echo "no RPM (rpmbuild or rpm missing; test/packaging/deps.sh installs them): not checked"
fi

step ".tar.gz"
tgz=$(first "$pkgs"/irqd-"$version"-Linux-*.tar.gz)
[ -n "$tgz" ] || fail "no irqd-$version-Linux-*.tar.gz"
tar -tzf "$tgz" | sed 's#^\./##; s#^/##' >"$work/tgz-files"
for path in usr/sbin/irqd usr/bin/irqctl lib/systemd/system/irqd.service etc/init/irqd.conf etc/init.d/irqd \
    etc/irqd/irqd.conf etc/default/irqd usr/share/irqd/interrupts-per-day.txt; do
    grep -qxF "$path" "$work/tgz-files" || fail "the .tar.gz lacks $path"
done
echo "$(basename "$tgz"): $(wc -l <"$work/tgz-files") entries, programs and boot files from /"
