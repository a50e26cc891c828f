#!/usr/bin/env python3
"""One heavy GET at a time (RUNS times) while GET /api/v1/health is asked again and again on another
keep-alive connection: prints the heavy request's median time and the health latencies meanwhile.

usage: heavy_probe.py PORT PATH RUNS [gzip]   (127.0.0.1 only; stops by itself)
env PAUSE: seconds to wait between heavy requests (e.g. 1.2 at 1 s sampling, so none is a cached answer)
"""
import http.client
import os
import statistics
import sys
import threading
import time

port, path, runs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
headers = {"Accept-Encoding": "gzip"} if len(sys.argv) > 4 and sys.argv[4] == "gzip" else {}
pause = float(os.environ.get("PAUSE", "0"))


def heavy(times, sizes):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.monotonic()
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    body = r.read()
    times.append(time.monotonic() - t0)
    sizes.append(len(body))
    c.close()


times, sizes, health = [], [], []
probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
for _ in range(runs):
    t = threading.Thread(target=heavy, args=(times, sizes))
    t.start()
    while t.is_alive():
        t0 = time.monotonic()
        probe.request("GET", "/api/v1/health")
        probe.getresponse().read()
        health.append((time.monotonic() - t0) * 1000)
        time.sleep(0.002)
    t.join()
    time.sleep(pause)
health.sort()
p99 = health[min(len(health) - 1, int(len(health) * 0.99))] if health else float("nan")
print("%s%s: median %.3f s, %d bytes; health during it: n=%d p50 %.1f ms p99 %.1f ms max %.1f ms" % (
    path, " (gzip)" if headers else "", statistics.median(times), sizes[-1], len(health),
    health[len(health) // 2] if health else float("nan"), p99, health[-1] if health else float("nan")))
