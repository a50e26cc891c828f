# Helpers of the fleet tests: "hosts" that are irqd --simulate instances on 127.0.0.1 (8 CPUs, 16 NIC
# queues, evenly placed), piling their queues onto one CPU, JSON over HTTP, bounded waits, skips (77).
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

SKIP = 77
CPUS = 8
IRQS = 16
PER_IRQ = 2000          # interrupts per second of each queue


def skip(message):
    print(f"SKIP: {message}", flush=True)
    sys.exit(SKIP)


def need(tool, package):
    path = shutil.which(tool)
    if not path:
        skip(f"{tool} is not installed (Debian 12: apt-get install {package}; test/fleet/deps.sh installs it)")
    return path


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, check, timeout, step=0.25):
    """Calls check() until it returns something true (returned) or `timeout` seconds pass (fails)."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


def even_rates(path):
    """A per-day rates file: IRQ 100+i fires PER_IRQ/s on CPU i % CPUS alone. The first half of the
    IRQs are eth0's queues, the second half eth1's: the simulator puts the two NICs on two NUMA
    nodes (a plan keeps each NIC's queues on its node's half of the CPUs), as on a two-socket server."""
    half = IRQS // 2
    lines = ["".join(f"CPU{c}".rjust(11) for c in range(CPUS))]
    for i in range(IRQS):
        counts = [PER_IRQ * 86400 if c == i % CPUS else 0 for c in range(CPUS)]
        lines.append(f"{100 + i:4d}: " + " ".join(str(n).rjust(10) for n in counts)
                     + f"   IR-PCI-MSI-edge      eth{i // half}-TxRx-{i % half}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def call(method, url, body=None, timeout=10, headers=None):
    """(status, parsed JSON or None). Every body is sent as application/json."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None


def dashboard(source):
    with open(os.path.join(source, "grafana", "irqd.json")) as f:
        return json.load(f)


def fill_variables(expr, host, rate_interval):
    """A dashboard query as Grafana sends it: $host as an escaped regex (a PromQL string, so the
    backslashes doubled), $__rate_interval and $__interval as durations."""
    regex = re.escape(host).replace("\\", "\\\\")
    return (expr.replace("$host", regex).replace("$__rate_interval", rate_interval)
            .replace("$__interval", rate_interval))


def get_text(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


class Irqd:
    """irqd --simulate on 127.0.0.1, a free port; stopped (SIGTERM to its own PID) by stop()."""

    def __init__(self, binary, rates, workdir, name, args=()):
        self.name = name
        self.out = os.path.join(workdir, f"{name}.out")
        self.log = open(os.path.join(workdir, f"{name}.log"), "w")
        with open(self.out, "w") as out:
            self.proc = subprocess.Popen(
                [binary, "--simulate", rates, "--listen", "127.0.0.1:0", "--history", "1s:10m", *args],
                stdout=out, stderr=self.log)
        line = wait_until(f"{name} to print its URL", self._url_line, 15)
        self.url = line.split(" listening on ")[1].split("/ ")[0]
        self.hostport = self.url.removeprefix("http://")

    def _url_line(self):
        if self.proc.poll() is not None:
            fail(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
        with open(self.out) as f:
            text = f.read()
        return text if " listening on " in text else None

    def pile(self, cpu=0, headers=None):
        """Every queue onto one CPU, in one all-or-nothing batch."""
        changes = [{"irq": 100 + i, "cpu": cpu} for i in range(IRQS)]
        def piled():
            status, body = call("POST", self.url + "/api/v1/affinity", {"changes": changes}, headers=headers)
            return status == 200 and body
        return wait_until(f"{self.name} to accept the affinity batch", piled, 15)

    def affinities(self):
        """IRQ -> affinity list, once a sample has all the queues."""
        def rows():
            status, body = call("GET", self.url + "/api/v1/interrupts?window=10s")
            if status != 200:
                fail(f"{self.name}: GET /api/v1/interrupts answered {status}")
            return len(body["irqs"]) == IRQS and body["irqs"]
        return {r["irq"]: r["affinity"] for r in wait_until(f"{self.name}'s first sample", rows, 10)}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
