#!/usr/bin/env python3
# contrib/ansible with Debian's ansible-core against two irqd --simulate "hosts" (connection: local, an
# inventory of 127.0.0.1 ports): balance.yml applies a plan on "piled" (16 queues on CPU 0) and leaves
# "even" alone (piled wants a token, which the playbook reads from the host); --check applies nothing;
# a plan made stale (an affinity changed after it was judged) is reported, not applied; install.yml
# passes --syntax-check, and the role's irqd.conf template makes a config irqd runs with.
# Bounded: 60 s.
# Usage: ansible_test.py IRQD SOURCE_DIR
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet  # noqa: E402
from fleet import call, fail  # noqa: E402


def main():
    irqd, source = sys.argv[1], sys.argv[2]
    playbook = fleet.need("ansible-playbook", "ansible-core")
    contrib = os.path.join(source, "contrib", "ansible")
    work = tempfile.mkdtemp(prefix="irqd-ansible-")
    rates = os.path.join(work, "rates.txt")
    fleet.even_rates(rates)
    hosts = []
    with open(os.path.join(work, "ansible.cfg"), "w") as f:   # none of the machine's settings
        f.write("[defaults]\n")
    env = dict(os.environ, ANSIBLE_HOME=os.path.join(work, "ansible"), ANSIBLE_LOCAL_TEMP=os.path.join(work, "tmp"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_CONFIG=os.path.join(work, "ansible.cfg"),
               ANSIBLE_RETRY_FILES_ENABLED="0")

    def run(*args, timeout=40, tool=playbook):
        return subprocess.run([tool, *args], cwd=contrib, env=env, capture_output=True, text=True, timeout=timeout)

    def run_adhoc(*args):
        return run(*args, tool=os.path.join(os.path.dirname(playbook), "ansible"))

    try:
        # "piled" wants a token for changes (irqd --token-file): the playbook reads it from the host.
        token_file = os.path.join(work, "token")
        with open(os.open(token_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write("fleet-test-token-0123456789\n")
        auth = {"Authorization": "Bearer fleet-test-token-0123456789"}
        piled = fleet.Irqd(irqd, rates, work, "piled", ["--token-file", token_file])
        hosts.append(piled)
        even = fleet.Irqd(irqd, rates, work, "even")
        hosts.append(even)
        if call("POST", piled.url + "/api/v1/balance?apply=true", {})[0] != 401:
            fail("piled should refuse a change without its token")
        piled.pile(cpu=0, headers=auth)
        before = {h.name: h.affinities() for h in hosts}
        if set(before["piled"].values()) != {"0"} or len(set(before["even"].values())) != fleet.CPUS:
            fail(f"unexpected placements before the playbook: {before}")

        inventory = os.path.join(work, "inventory.ini")
        with open(inventory, "w") as f:
            f.write("[irqd]\n")
            for h in hosts:
                token = f" irqd_token_file={token_file}" if h is piled else ""
                f.write(f"{h.name} ansible_connection=local ansible_python_interpreter={sys.executable} "
                        f"irqd_url={h.url}{token}\n")

        r = run("--syntax-check", "-i", inventory, "install.yml", "balance.yml")
        if r.returncode != 0:
            fail(f"--syntax-check: {r.stdout}{r.stderr}")

        check_config_template(run_adhoc, irqd, rates, work)

        # A plan needs samples in its window: the dry run answers 503 until the first ones.
        fleet.wait_until("plans on both hosts", lambda: all(
            call("POST", h.url + "/api/v1/balance", {"window": "10s"}, headers=auth)[0] == 200 for h in hosts), 15)

        def balance(*extra):
            r = run("-i", inventory, "balance.yml", "-e", "irqd_balance_window=10s", *extra)
            if r.returncode != 0:
                fail(f"balance.yml {' '.join(extra)} exited {r.returncode}:\n{r.stdout[-3000:]}{r.stderr[-2000:]}")
            # PLAY RECAP lines: "piled   : ok=4    changed=1    unreachable=0    failed=0 ..."
            recap = re.findall(r"^(\w+)\s+: ok=\d+\s+changed=(\d+)", r.stdout, re.M)
            if len(recap) != len(hosts):
                fail(f"no PLAY RECAP for each host in:\n{r.stdout[-3000:]}")
            return {name: int(n) for name, n in recap}

        checked = balance("--check")
        if checked != {"piled": 0, "even": 0} or piled.affinities() != before["piled"]:
            fail(f"--check should change nothing: changed {checked}")
        changed = balance()
        print(f"balance.yml changed: {changed}")
        if changed != {"piled": 1, "even": 0}:
            fail(f"only piled should have changed, got {changed}")
        after = {h.name: h.affinities() for h in hosts}
        if after["even"] != before["even"]:
            fail(f"even's affinities changed: {before['even']} -> {after['even']}")
        spread = len(set(after["piled"].values()))
        if spread != fleet.CPUS:
            fail(f"piled's queues should be on all {fleet.CPUS} CPUs after the plan, got {after['piled']}")
        applied = {h.name: call("GET", h.url + "/api/v1/balance/history")[1]["revertible"] for h in hosts}
        if applied != {"piled": 1, "even": 0}:
            fail(f"applied plans in irqd's history: {applied}")
        # Balanced now: a second run applies nothing anywhere.
        again = balance()
        if again != {"piled": 0, "even": 0}:
            fail(f"a second run should change nothing, got {again}")
        check_stale_plan(run, inventory, piled, auth, work)
        print("PASS")
    finally:
        for h in hosts:
            h.stop()
        shutil.rmtree(work, ignore_errors=True)


def check_stale_plan(run, inventory, piled, auth, work):
    """The playbook applies the plan it judged, by id: when an affinity changed after that plan was
    made, irqd answers 409 plan_stale and the playbook reports it and applies nothing. The judged plan
    is given with -e (extra vars win over the role's registered one)."""
    piled.pile(cpu=0, headers=auth)
    status, plan = call("POST", piled.url + "/api/v1/balance", {"window": "10s", "min_improvement": 0.1}, headers=auth)
    if status != 200 or plan["move_count"] == 0 or plan["below_threshold"]:
        fail(f"a plan for the piled host: {status} {plan}")
    status, body = call("PUT", piled.url + "/api/v1/interrupts/100/affinity", {"cpu": 1}, headers=auth)
    if status != 200:
        fail(f"moving IRQ 100 by hand: {status} {body}")
    before = fleet.wait_until("the sampler to see IRQ 100 on CPU 1",
                              lambda: (a := piled.affinities()).get("100") == "1" and a, 10)
    judged = os.path.join(work, "judged.json")
    with open(judged, "w") as f:
        json.dump({"irqd_plan": {"json": plan}}, f)
    r = run("-i", inventory, "balance.yml", "--limit", "piled", "-e", "irqd_balance_window=10s", "-e", "@" + judged)
    if r.returncode != 0:
        fail(f"balance.yml with a stale plan exited {r.returncode}:\n{r.stdout[-3000:]}{r.stderr[-2000:]}")
    if f"not applied: plan {plan['id']} no longer fits the machine" not in r.stdout:
        fail(f"balance.yml did not report plan {plan['id']} as stale:\n{r.stdout[-3000:]}")
    if not re.search(r"^piled\s+: ok=\d+\s+changed=0", r.stdout, re.M):
        fail(f"a stale plan should change nothing:\n{r.stdout[-3000:]}")
    if piled.affinities() != before:
        fail("a stale plan moved IRQs")


def check_config_template(run_adhoc, irqd, rates, work):
    """The role's irqd.conf template, rendered by Ansible from irqd_config, is a config irqd runs with."""
    conf = os.path.join(work, "irqd.conf")
    config = {"irqd_config": {"read-only": True, "balance-window": "1m", "log-level": "warn"}}
    r = run_adhoc("localhost", "-c", "local", "-m", "ansible.builtin.template",
                  "-a", f"src=roles/irqd/templates/irqd.conf.j2 dest={conf}", "-e", json.dumps(config))
    if r.returncode != 0:
        fail(f"rendering roles/irqd/templates/irqd.conf.j2: {r.stdout}{r.stderr}")
    with open(conf) as f:
        lines = [line for line in f.read().splitlines() if line and not line.startswith("#")]
    if lines != ["balance-window = 1m", "log-level = warn", "read-only = true"]:
        fail(f"irqd.conf from the template: {lines}")
    host = fleet.Irqd(irqd, rates, work, "configured", ["--config", conf])
    try:
        status, body = call("PUT", host.url + "/api/v1/interrupts/100/affinity", {"cpu": 1})
        if status != 403:
            fail(f"irqd with read-only = true from the template answered a change with {status} {body}")
    finally:
        host.stop()


if __name__ == "__main__":
    main()
