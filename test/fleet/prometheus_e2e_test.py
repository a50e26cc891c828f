#!/usr/bin/env python3
# A real Prometheus (Debian's) on 127.0.0.1 scrapes two irqd --simulate "hosts" every second with
# prometheus/irqd-rules.yml (a test copy: 10 s windows, `for: 2s`); "piled" has its 16 queues on CPU 0,
# "even" is scraped with ?per_irq=false.
# The imbalance series exists for both, IrqdInterruptImbalance is pending or firing for "piled" only,
# every query of grafana/irqd.json evaluates (with data, but for metrics without samples), and after
# POST /api/v1/balance?apply=true on "piled" its imbalance drops and the alert goes. Bounded: 60 s.
# Usage: prometheus_e2e_test.py IRQD SOURCE_DIR
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet  # noqa: E402
from fleet import call, fail, wait_until  # noqa: E402

START = time.monotonic()
LIMIT = 60


def left():
    return max(1.0, LIMIT - (time.monotonic() - START))


def test_rules(src, dst):
    """The shipped rules with windows and `for:` short enough for a test of seconds."""
    with open(src) as f:
        text = f.read()
    text = text.replace("[5m]", "[10s]").replace("[10m]", "[10s]")
    text = re.sub(r"for: \d+m", "for: 2s", text)
    with open(dst, "w") as f:
        f.write(text)


def main():
    irqd, source = sys.argv[1], sys.argv[2]
    prometheus = fleet.need("prometheus", "prometheus")
    work = tempfile.mkdtemp(prefix="irqd-fleet-")
    rates = os.path.join(work, "rates.txt")
    fleet.even_rates(rates)
    hosts, prom, prom_log = [], None, None
    try:
        piled = fleet.Irqd(irqd, rates, work, "piled")
        hosts.append(piled)
        even = fleet.Irqd(irqd, rates, work, "even")
        hosts.append(even)
        piled.pile(cpu=0)
        if set(piled.affinities().values()) != {"0"}:
            fail(f"piled: queues not all on CPU 0 after the batch: {piled.affinities()}")

        rules = os.path.join(work, "irqd-rules.yml")
        test_rules(os.path.join(source, "prometheus", "irqd-rules.yml"), rules)
        port = fleet.free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            json.dump({"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                       "rule_files": [rules],
                       "scrape_configs": [{"job_name": "irqd", "static_configs": [
                           {"targets": [piled.hostport]},
                           # as docs/fleet.md scrapes big hosts: GET /metrics?per_irq=false
                           {"targets": [even.hostport], "labels": {"__param_per_irq": "false"}}]}]}, f)   # JSON is YAML
        prom_log = open(os.path.join(work, "prometheus.log"), "w")
        prom = subprocess.Popen([prometheus, f"--config.file={config}", f"--storage.tsdb.path={work}/data",
                                 f"--web.listen-address=127.0.0.1:{port}"], stdout=prom_log, stderr=prom_log)
        api = f"http://127.0.0.1:{port}/api/v1"

        def query(expr):
            status, body = call("GET", f"{api}/query?query={urllib.parse.quote(expr)}")
            if status != 200 or body.get("status") != "success":
                fail(f"query {expr!r}: {status} {body}")
            return {r["metric"].get("instance", ""): float(r["value"][1]) for r in body["data"]["result"]}, body

        def alerts():
            status, body = call("GET", f"{api}/alerts")
            if status != 200:
                return {}
            return {(a["labels"]["instance"], a["labels"].get("cpu")): a["state"]
                    for a in body["data"]["alerts"] if a["labels"]["alertname"] == "IrqdInterruptImbalance"}

        imbalance = "instance:irqd_device_interrupts:imbalance5m"
        def ready():
            if prom.poll() is not None:
                fail(f"prometheus exited with {prom.returncode}; see {prom_log.name}")
            try:
                return call("GET", f"{api}/status/buildinfo", timeout=1)[0] == 200
            except OSError:
                return False
        wait_until("Prometheus to answer", ready, left())
        both = wait_until("the imbalance series of both hosts",
                          lambda: (v := query(imbalance)[0]) and len(v) == 2 and v, left())
        print(f"imbalance: {both}")
        if not both[piled.hostport] > 4 or not both[even.hostport] < 1.5:
            fail(f"imbalance should be 8 for piled and 1 for even, got {both}")
        per_irq = query("count by (instance) (node_interrupts_total)")[0]
        if set(per_irq) != {piled.hostport} or per_irq[piled.hostport] != fleet.CPUS * fleet.IRQS:
            fail(f"node_interrupts_total should come from piled only (per_irq=false on even): {per_irq}")
        state = wait_until("IrqdInterruptImbalance for piled", alerts, left())
        print(f"alerts: {state}")
        if set(state) != {(piled.hostport, "0")} or state[(piled.hostport, "0")] not in ("pending", "firing"):
            fail(f"IrqdInterruptImbalance should be pending or firing for CPU 0 of piled only, got {state}")

        check_dashboard(source, piled, query)

        status, plan = call("POST", piled.url + "/api/v1/balance?apply=true", {"window": "10s"})
        if status != 200 or not plan.get("applied") or plan.get("move_count", 0) < 8:
            fail(f"applying a plan on piled: {status} {plan}")
        print(f"plan applied on piled: {plan['move_count']} moves")
        after = wait_until("piled's imbalance to drop below 1.5",
                           lambda: (v := query(imbalance)[0]).get(piled.hostport, 99) < 1.5 and v, left())
        print(f"imbalance after the plan: {after}")
        wait_until("IrqdInterruptImbalance to end", lambda: not alerts(), left())
        check_annotations(source, piled, query)
        print(f"PASS in {time.monotonic() - START:.1f} s")
    finally:
        if prom:
            prom.terminate()
            try:
                prom.wait(10)
            except subprocess.TimeoutExpired:
                prom.kill()
                prom.wait()
        for h in hosts:
            h.stop()
        if prom_log:
            prom_log.close()
        shutil.rmtree(work, ignore_errors=True)


def check_dashboard(source, host, query):
    """Every panel's queries evaluate, and return data unless they read a metric with no sample in /metrics
    (the softnet ones before irqd samples softnet; refused writes)."""
    dash = fleet.dashboard(source)
    # Names with at least one sample now (irqd_affinity_write_errors_total has none until a refusal).
    exported = set(re.findall(r"^([a-z_]+)[{ ]", fleet.get_text(host.url + "/metrics"), re.M))
    checked = 0
    for panel in dash["panels"]:
        for target in panel.get("targets", []):
            expr = fleet.fill_variables(target["expr"], host.hostport, "10s")
            names = set(re.findall(r"(?<![:\w])((?:node|irqd)_[a-z_]+)(?![:\w])", expr))
            result, _ = query(expr)
            missing = names - exported
            if not result and not missing:
                fail(f"panel {panel['title']!r}: {expr!r} returned no data")
            checked += 1
    print(f"dashboard: {checked} queries evaluated")


def check_annotations(source, host, query):
    """The dashboard's annotations mark the plan just applied and the affinity writes on `host`."""
    dash = fleet.dashboard(source)
    for a in dash["annotations"]["list"]:
        expr = fleet.fill_variables(a["expr"], host.hostport, "10s")
        result, _ = query(expr)
        if host.hostport not in result:
            fail(f"annotation {a['name']!r}: {expr!r} has no event for {host.name}")
    print(f"dashboard: {len(dash['annotations']['list'])} annotations have events")


if __name__ == "__main__":
    main()
