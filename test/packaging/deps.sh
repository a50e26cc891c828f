#!/usr/bin/env bash
# Installs what the packaging tests and the man pages need on top of scripts/deps.sh (run as
# root on Debian 12): shellcheck, systemd-analyze, help2man, dpkg-shlibdeps, file,
# systemd-nspawn, lintian, rpmbuild and rpm (Debian's rpm), and strace. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ./scripts/deps.sh shellcheck systemd systemd-container help2man dpkg-dev file gzip \
    lintian rpm strace "$@"
