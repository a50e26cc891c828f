#!/usr/bin/env bash
# Keeps etc/irqd/irqd.conf in step with the daemon: every option "irqd --help" lists is in the file,
# commented out, with the default --help shows; the file with every line uncommented is accepted by
# irqd, which then runs (on the simulated machine). Also checks etc/default/irqd.
# Usage: check_config.sh IRQD_BINARY CONF_FILE DEFAULT_FILE SEED_FILE
set -euo pipefail
irqd=$1 conf=$2 default_file=$3 seed=$4

# Options the daemon owner is adding; checked like the others once --help lists them.
pending=""
# Options that are not settings.
skip="help version config"

fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$irqd" --help >"$tmp/help"
# "  -i [ --interval ] DURATION (=1s)   text" -> "interval 1s"; switches have no "(=...)"; an
# optional value shows as "--restore [=yes|no(=yes)] (=yes)".
sed -n -E 's/^  (-[a-zA-Z] \[ )?--([a-z0-9-]+)( \])?( [A-Za-z:_]+| \[=[^]]*\])?( \(=([^)]*)\))?.*/\2 \6/p' "$tmp/help" >"$tmp/options"
[ "$(wc -l <"$tmp/options")" -ge 20 ] || fail "found only $(wc -l <"$tmp/options") options in irqd --help"

if grep -Ev '^[[:space:]]*(#|$)' "$conf"; then
    fail "$conf sets the lines above: every option must stay commented out (the defaults live in irqd)"
fi

while read -r name default; do
    case " $skip " in *" $name "*) continue ;; esac
    line=$(grep -E "^#$name = " "$conf" || true)
    [ -n "$line" ] || fail "$conf lacks '#$name = ...' (irqd --help lists --$name)"
    [ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || fail "$conf has '#$name = ' more than once"
    value=${line#"#$name = "}
    if [ -n "$default" ]; then
        [ "$value" = "$default" ] || fail "$conf: '#$name = $value' but irqd's default is '$default'"
    elif grep -qE -- "^  --$name( |$)" "$tmp/help" && ! grep -qE -- "^  --$name [A-Z]" "$tmp/help"; then
        # A switch: "name = false" is its default.
        [ "$value" = false ] || fail "$conf: switch '#$name = $value' should show its default, false"
    fi
done <"$tmp/options"

# Options in the file that irqd does not know (yet).
unknown=""
while read -r name; do
    if ! grep -qE "^$name " "$tmp/options"; then
        case " $pending " in
            *" $name "*) echo "NOTE: --$name is in $conf but not yet in irqd --help (left out of the run below)" ;;
            *) fail "$conf has '#$name' which irqd does not know" ;;
        esac
        unknown="$unknown $name"
    fi
done < <(sed -n -E 's/^#([a-z0-9-]+) = .*/\1/p' "$conf")

# Uncomment everything irqd knows; the machine is simulated and the port free, so it runs anywhere.
: >"$tmp/all.conf"
while IFS= read -r line; do
    name=${line%% = *}
    case " $unknown simulate simulate-faults " in *" $name "*) continue ;; esac
    printf '%s\n' "$line" >>"$tmp/all.conf"
done < <(sed -n -E 's/^#([a-z0-9-]+ = .*)/\1/p' "$conf")
"$irqd" --config "$tmp/all.conf" --simulate "$seed" --read-only --listen 127.0.0.1:0 >"$tmp/run.out" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
    grep -q "listening on" "$tmp/run.out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if ! kill -0 "$pid" 2>/dev/null; then
    cat "$tmp/run.out" >&2
    fail "irqd exited with every option of $conf set"
fi
grep -q "listening on" "$tmp/run.out" || { cat "$tmp/run.out" >&2; fail "irqd did not start listening"; }
kill "$pid"
wait "$pid" || true
pid=
echo "irqd runs with all $(wc -l <"$tmp/all.conf") options of $conf set"

# /etc/default/irqd is sourced by sh: it must parse and leave IRQD_ARGS empty.
sh -n "$default_file" || fail "$default_file does not parse"
# shellcheck disable=SC2016 # expanded by the inner sh
args=$(env -i sh -c '. "$1"; printf %s "${IRQD_ARGS-unset}"' sh "$default_file")
[ -z "$args" ] || fail "$default_file sets IRQD_ARGS to '$args', expected empty"
echo "$conf and $default_file: OK"
