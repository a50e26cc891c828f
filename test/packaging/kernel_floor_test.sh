#!/usr/bin/env bash
# Runs the static irqd and irqctl as on a Linux 3.13 kernel (Ubuntu 14.04): under strace, every
# system call added after 3.13 fails with ENOSYS. irqd on the simulated machine must start, serve
# HTTP, the WebSocket stream and a Unix socket, write affinities and stop cleanly; irqctl must
# reach it by 127.0.0.1, localhost and unix:. Then lists the system calls both made, and which of
# the newer ones they tried (glibc and libstdc++ fall back from each on ENOSYS).
# Usage: kernel_floor_test.sh IRQD IRQCTL
# Exit 77 (skipped) without strace or when ptrace is not allowed.
set -euo pipefail
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"
irqd=$1 irqctl=$2

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v strace >/dev/null || skip "strace is not installed (test/packaging/deps.sh installs it)"
strace -qq -e trace=none true 2>/dev/null || skip "strace cannot trace here (ptrace not allowed)"

# x86_64 system calls of kernels after 3.13, with the release that added each.
newer="sched_setattr:3.14 sched_getattr:3.14 renameat2:3.15 seccomp:3.17 getrandom:3.17
memfd_create:3.17 kexec_file_load:3.17 bpf:3.18 execveat:3.19 userfaultfd:4.3 membarrier:4.3
mlock2:4.4 copy_file_range:4.5 preadv2:4.6 pwritev2:4.6 pkey_mprotect:4.9 pkey_alloc:4.9
pkey_free:4.9 statx:4.11 io_pgetevents:4.18 rseq:4.18 pidfd_send_signal:5.1 io_uring_setup:5.1
io_uring_enter:5.1 io_uring_register:5.1 open_tree:5.2 move_mount:5.2 fsopen:5.2 fsconfig:5.2
fsmount:5.2 fspick:5.2 pidfd_open:5.3 clone3:5.3 openat2:5.6 pidfd_getfd:5.6 faccessat2:5.8
close_range:5.9 process_madvise:5.10 epoll_pwait2:5.11 mount_setattr:5.12
landlock_create_ruleset:5.13 landlock_add_rule:5.13 landlock_restrict_self:5.13 quotactl_fd:5.14
memfd_secret:5.14 process_mrelease:5.15 futex_waitv:5.16 set_mempolicy_home_node:5.17"
# shellcheck disable=SC2086 # one entry per word
names=$(printf '%s\n' $newer | cut -d: -f1 | paste -sd, -)

work=$(mktemp -d)
pid=
trap cleanup_work_dir EXIT
as_313() { strace -f -qq -o "$work/trace.$1" -e trace=all -e inject="$names":error=ENOSYS "${@:2}"; }

# strace -f runs irqd as its child; SIGTERM to strace would detach, so irqd's pid is read back.
as_313 irqd "$irqd" --simulate --listen 127.0.0.1:0 --unix-socket "$work/sock" --interval 200ms \
    >"$work/irqd.log" 2>&1 &
tracer=$!
port=$(listening_port "$work/irqd.log" "$tracer")
url=http://127.0.0.1:$port
[ -n "$port" ] || { cat "$work/irqd.log" >&2; fail "irqd did not start with the newer system calls refused"; }
pid=$(awk '$2 ~ /^execve\(/ { print $1; exit }' "$work/trace.irqd")
[ -n "$pid" ] || fail "no irqd pid in the trace"
sleep 1

as_313 ctl1 "$irqctl" --url "$url" summary >"$work/out1" || { cat "$work/out1" >&2; fail "irqctl summary"; }
as_313 ctl2 "$irqctl" --url "http://localhost:$port" set 140 1 >"$work/out2" ||
    { cat "$work/out2" >&2; fail "irqctl set 140 1 by localhost"; }
as_313 ctl3 "$irqctl" --url "unix:$work/sock" watch --count 2 >"$work/out3" ||
    { cat "$work/out3" >&2; fail "irqctl watch over the Unix socket"; }
as_313 ctl4 "$irqctl" --url "$url" balance --apply >"$work/out4" || { cat "$work/out4" >&2; fail "irqctl balance --apply"; }
as_313 ctl5 "$irqctl" --url "$url" revert >"$work/out5" || { cat "$work/out5" >&2; fail "irqctl revert"; }
status=0
as_313 ctl6 "$irqctl" --url http://irqd.invalid:1 summary >"$work/out6" 2>&1 || status=$?
[ "$status" = 1 ] || { cat "$work/out6" >&2; fail "irqctl with an unknown host exited $status"; }
procfs=$(sed -n 's/.*event=started .*procfs=\([^ ]*\).*/\1/p' "$work/irqd.log")
# set 140 1, then a plan applied and reverted: IRQ 140 is back on CPU 1.
[ "$(cat "$procfs/irq/140/smp_affinity_list" 2>/dev/null)" = 1 ] ||
    fail "IRQ 140's affinity in $procfs is not 1 after set, balance --apply and revert"
echo "irqd and irqctl work with every system call after 3.13 refused (ENOSYS)"

kill "$pid"
status=0
wait "$tracer" || status=$?
pid=
[ "$status" = 0 ] || { tail -5 "$work/irqd.log" >&2; fail "irqd exited $status on SIGTERM"; }

for who in irqd irqctl; do
    files=$work/trace.irqd
    [ "$who" = irqctl ] && files=$(ls "$work"/trace.ctl*)
    # shellcheck disable=SC2086 # a list of files
    called=$(sed -E 's/^[0-9]+ +//; s/\(.*//' $files | grep -E '^[a-z0-9_]+$' | sort -u)
    echo "$who calls: $(echo "$called" | xargs)"
    tried=""
    for entry in $newer; do
        if grep -qx "${entry%%:*}" <<<"$called"; then tried="$tried ${entry%%:*} (${entry#*:})"; fi
    done
    echo "$who tried, got ENOSYS and went on:${tried:- nothing}"
done
