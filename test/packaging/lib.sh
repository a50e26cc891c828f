#!/usr/bin/env bash
# Helpers the packaging tests source (bash): a glob's first file, and irqd's port from its log.

# The first of the files a glob matched, or nothing.
first() { for f in "$@"; do [ -e "$f" ] && { echo "$f"; return; }; done; return 0; }

# The port of "irqd ... listening on http://127.0.0.1:PORT/" in LOG, waiting up to 10 s while PID
# lives; nothing when irqd did not get that far.
listening_port() {
    local log=$1 pid=$2 port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$log" | head -1)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$port"
}

# For "trap cleanup_work_dir EXIT": stops irqd ($pid, when set) and removes $work.
# shellcheck disable=SC2154 # both are set by the script that sources this
cleanup_work_dir() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
