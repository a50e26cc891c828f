#!/usr/bin/env python3
"""Checks upstart/irqd.conf without upstart (Debian 12 has no init-checkconf): every stanza is one
upstart knows, with arguments of the right shape, event expressions balance, script blocks are
closed and pass "sh -n", and the stanzas irqd's boot relies on are there.
Usage: check_upstart.py JOB_FILE"""
import re
import subprocess
import sys

# Stanzas of upstart 1.12 (init(5)) and whether they take a script block.
STANZAS = {
    "author", "description", "version", "usage", "emits", "instance", "manual", "start", "stop",
    "respawn", "task", "normal", "console", "env", "export", "exec", "script", "pre-start",
    "post-start", "pre-stop", "post-stop", "expect", "kill", "nice", "oom", "limit", "umask",
    "chroot", "chdir", "setuid", "setgid", "apparmor", "cgroup", "reload",
}
BLOCK_STANZAS = {"script", "pre-start", "post-start", "pre-stop", "post-stop"}
EVENT = re.compile(r"[A-Za-z0-9_.:-]+")
EVENT_ARG = re.compile(r"[A-Za-z0-9_]+!?=\S+|\[!?[0-9A-Za-z]+\]|[^\s()]+")


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check_event_expression(text, where):
    """EXPR := TERM (('and'|'or') TERM)* ; TERM := '(' EXPR ')' | EVENT ARG*"""
    tokens = re.findall(r"\(|\)|[^\s()]+", text)
    pos = 0

    def term():
        nonlocal pos
        if pos >= len(tokens):
            fail(f"{where}: event expression ends early: '{text}'")
        if tokens[pos] == "(":
            pos += 1
            expr()
            if pos >= len(tokens) or tokens[pos] != ")":
                fail(f"{where}: unbalanced parentheses in '{text}'")
            pos += 1
            return
        if tokens[pos] in ("and", "or", ")") or not EVENT.fullmatch(tokens[pos]):
            fail(f"{where}: expected an event name, found '{tokens[pos]}' in '{text}'")
        pos += 1
        while pos < len(tokens) and tokens[pos] not in ("and", "or", "(", ")"):
            if not EVENT_ARG.fullmatch(tokens[pos]):
                fail(f"{where}: bad event argument '{tokens[pos]}'")
            pos += 1

    def expr():
        nonlocal pos
        term()
        while pos < len(tokens) and tokens[pos] in ("and", "or"):
            pos += 1
            term()

    expr()
    if pos != len(tokens):
        fail(f"{where}: unexpected '{tokens[pos]}' in '{text}'")


def parse(path):
    """Returns (stanzas as (line, keyword, arguments), script blocks as (keyword, body))."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    stanzas, blocks = [], []
    i = 0
    while i < len(lines):
        number, line = i + 1, lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        # A stanza may continue on the next line after a trailing backslash.
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + " " + lines[i].strip()
            i += 1
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        where = f"{path}:{number}"
        if keyword not in STANZAS:
            fail(f"{where}: unknown stanza '{keyword}'")
        if keyword in BLOCK_STANZAS and (keyword == "script" or rest == "script"):
            body = []
            while i < len(lines) and lines[i].strip() != "end script":
                body.append(lines[i])
                i += 1
            if i == len(lines):
                fail(f"{where}: '{line}' has no 'end script'")
            i += 1
            blocks.append((keyword, "\n".join(body)))
            stanzas.append((number, keyword, "script"))
            continue
        stanzas.append((number, keyword, rest))
    return stanzas, blocks


def main():
    path = sys.argv[1]
    stanzas, blocks = parse(path)
    seen = {}
    for number, keyword, rest in stanzas:
        where = f"{path}:{number}"
        seen.setdefault(keyword, []).append(rest)
        if keyword in ("start", "stop"):
            if not rest.startswith("on "):
                fail(f"{where}: '{keyword}' must be followed by 'on EVENTS'")
            check_event_expression(rest[3:], where)
        elif keyword == "respawn" and rest and not re.fullmatch(r"limit (\d+ \d+|unlimited)", rest):
            fail(f"{where}: 'respawn {rest}' is not 'respawn limit COUNT INTERVAL'")
        elif keyword == "normal" and not re.fullmatch(r"exit( ([0-9]+|[A-Z]+))+", rest):
            fail(f"{where}: 'normal {rest}' is not 'normal exit STATUS...'")
        elif keyword == "console" and rest not in ("log", "output", "owner", "none"):
            fail(f"{where}: 'console {rest}'")
        elif keyword == "umask" and not re.fullmatch(r"0?[0-7]{3}", rest):
            fail(f"{where}: 'umask {rest}'")
        elif keyword == "expect" and rest not in ("fork", "daemon", "stop"):
            fail(f"{where}: 'expect {rest}'")
        elif keyword in ("description", "author") and not re.fullmatch(r'"[^"]*"', rest):
            fail(f"{where}: {keyword} wants one quoted string")
    for keyword in ("start", "stop"):
        if len(seen.get(keyword, [])) > 1:
            fail(f"{path}: more than one '{keyword}' stanza")
    if "exec" in seen and "script" in seen:
        fail(f"{path}: both 'exec' and 'script' start the job")

    for keyword, body in blocks:
        result = subprocess.run(["sh", "-n"], input=body, text=True, capture_output=True)
        if result.returncode != 0:
            fail(f"{path}: the {keyword} block does not parse: {result.stderr.strip()}")

    # What irqd's boot relies on.
    start = " ".join(seen.get("start", []))
    if "runlevel [2345]" not in start:
        fail(f"{path}: irqd must start on runlevel [2345] (filesystems and network up)")
    if seen.get("stop") != ["on runlevel [!2345]"]:
        fail(f"{path}: irqd must stop on runlevel [!2345]")
    if "" not in seen.get("respawn", []) or "limit 10 5" not in seen.get("respawn", []):
        fail(f"{path}: wants 'respawn' and 'respawn limit 10 5'")
    if "expect" in seen:
        fail(f"{path}: irqd does not fork; 'expect' would make upstart track the wrong process")
    main_script = [body for keyword, body in blocks if keyword == "script"]
    if len(main_script) != 1:
        fail(f"{path}: wants one 'script' block")
    body = main_script[0]
    if not re.search(r"^\s*\.\s+/etc/default/irqd\s*$", body, re.M):
        fail(f"{path}: the script block must source /etc/default/irqd")
    if not re.search(r"^\s*exec /usr/sbin/irqd --config /etc/irqd/irqd\.conf \$IRQD_ARGS\s*$", body, re.M):
        fail(f"{path}: the script block must 'exec /usr/sbin/irqd --config /etc/irqd/irqd.conf $IRQD_ARGS'")
    print(f"{path}: {len(stanzas)} stanzas, {len(blocks)} script blocks: OK")


if __name__ == "__main__":
    main()
