#!/usr/bin/env python3
# grafana/irqd.json checked structurally: valid JSON for Grafana 9+, the $datasource and $host variables,
# panels with unique ids, a place on the grid and Prometheus queries limited to $host (but the "Fleet:"
# ones), annotations; then every query parses (promtool check rules on a file with each as a recording
# rule). prometheus_e2e_test.py evaluates them against a real Prometheus. Usage: grafana_test.py SOURCE_DIR
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fleet  # noqa: E402
from fleet import fail  # noqa: E402


def main():
    source = sys.argv[1]
    try:
        dash = fleet.dashboard(source)
    except ValueError as e:
        fail(f"grafana/irqd.json is not valid JSON: {e}")
    if dash.get("schemaVersion", 0) < 36:
        fail(f"schemaVersion {dash.get('schemaVersion')}: Grafana 9 writes 36 or later")
    if not dash.get("uid") or not dash.get("title"):
        fail("the dashboard needs a uid and a title")
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    ds = variables.get("datasource", {})
    if ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail(f"no Prometheus data source variable: {ds}")
    host = variables.get("host", {})
    if host.get("type") != "query" or "label_values(irqd_build_info, instance)" not in json.dumps(host.get("query")):
        fail(f"$host should list the instances of irqd_build_info: {host}")
    if not (host.get("multi") and host.get("includeAll") and host.get("allValue") == ".*"):
        fail("$host should allow several hosts and All (.*)")

    queries = []   # (where, expr)
    ids = set()
    for panel in dash["panels"]:
        where = f"panel {panel.get('id')} {panel.get('title')!r}"
        if panel.get("id") in ids:
            fail(f"{where}: id used twice")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        if not all(grid.get(k, 0) > 0 for k in ("w", "h")) or grid.get("x", 0) + grid.get("w", 0) > 24:
            fail(f"{where}: gridPos {grid} is off the 24-column grid")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            fail(f"{where}: should use the $datasource variable")
        targets = panel.get("targets", [])
        if not targets or len({t.get("refId") for t in targets}) != len(targets):
            fail(f"{where}: needs targets with distinct refIds")
        for t in targets:
            expr = t.get("expr", "")
            if not panel["title"].startswith("Fleet:") and 'instance=~"$host"' not in expr:
                fail(f"{where}: {expr!r} is not limited to $host")
            queries.append((where, expr))
    annotations = dash["annotations"]["list"]
    if not any("irqd_balance_runs_total" in a.get("expr", "") for a in annotations):
        fail("no annotation from irqd_balance_runs_total")
    queries += [(f"annotation {a['name']!r}", a["expr"]) for a in annotations]
    print(f"structure: {len(dash['panels'])} panels, {len(queries)} queries, variables {sorted(variables)}")

    promtool = shutil.which("promtool")
    if not promtool:
        fleet.skip("structure passed, but promtool is not installed to parse the queries "
                   "(Debian 12: apt-get install prometheus; test/fleet/deps.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="irqd-grafana-") as work:
        rules = os.path.join(work, "queries.yml")
        with open(rules, "w") as f:   # JSON is YAML
            json.dump({"groups": [{"name": "dashboard", "rules": [
                {"record": f"dashboard:query_{i}", "expr": fleet.fill_variables(expr, "host:8080", "1m")}
                for i, (_, expr) in enumerate(queries)]}]}, f)
        r = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True)
        if r.returncode != 0:
            fail("a dashboard query does not parse:\n" + r.stdout + r.stderr
                 + "\n".join(f"query_{i}: {w}: {e}" for i, (w, e) in enumerate(queries)))
    print(f"PASS: {len(queries)} queries parse")


if __name__ == "__main__":
    main()
