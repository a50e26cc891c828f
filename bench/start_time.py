#!/usr/bin/env python3
"""Start time and size of irqd/irqctl builds side by side (docs/benchmarks.md, "Static binaries").
For each build directory: the stripped size of irqd and irqctl; the time from exec of irqd (on a
fake 2-CPU /proc and /sys tree, --listen 127.0.0.1:0) until GET /api/v1/health answers 200; the
time of `irqctl --version` (exec to exit). Runs alternate between the builds, so that a busy
machine disturbs both alike. Talks only to 127.0.0.1.
Usage: bench/start_time.py [--runs N] NAME=BUILD_DIR..."""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request


def fake_tree(root):
    proc, sys_ = os.path.join(root, "proc"), os.path.join(root, "sys")
    os.makedirs(os.path.join(sys_, "devices/system/cpu"))
    os.makedirs(os.path.join(sys_, "devices/system/node/node0"))
    os.makedirs(proc)
    with open(os.path.join(proc, "interrupts"), "w") as f:
        f.write("           CPU0       CPU1\n 24:       1000       2000   PCI-MSI 1-edge      eth0-TxRx-0\n")
    os.makedirs(os.path.join(proc, "irq/24"))
    for name, text in (("smp_affinity_list", "0-1"), ("effective_affinity_list", "0-1"), ("node", "0")):
        with open(os.path.join(proc, "irq/24", name), "w") as f:
            f.write(text + "\n")
    for name, text in (("devices/system/cpu/online", "0-1"), ("devices/system/cpu/isolated", ""),
                       ("devices/system/cpu/nohz_full", ""), ("devices/system/node/node0/cpulist", "0-1")):
        with open(os.path.join(sys_, name), "w") as f:
            f.write(text + "\n")
    return proc, sys_


def start_once(irqd, proc, sys_):
    t0 = time.perf_counter()
    p = subprocess.Popen([irqd, "--procfs", proc, "--sysfs", sys_, "--listen", "127.0.0.1:0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in p.stdout:
            if "listening on http://127.0.0.1:" in line:
                port = line.split("127.0.0.1:")[1].split("/")[0]
                break
        if port is None:
            raise RuntimeError("irqd did not start")
        for _ in range(1000):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.001)
        raise RuntimeError("health never answered")
    finally:
        p.terminate()
        p.wait()


def exec_once(irqctl):
    t0 = time.perf_counter()
    subprocess.run([irqctl, "--version"], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def stripped_size(path, tmp):
    copy = os.path.join(tmp, os.path.basename(path) + ".stripped")
    shutil.copy(path, copy)
    subprocess.run(["strip", copy], check=True)
    return os.path.getsize(copy)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("builds", nargs="+", help="NAME=BUILD_DIR")
    args = ap.parse_args()
    builds = [b.split("=", 1) for b in args.builds]
    with tempfile.TemporaryDirectory() as tmp:
        proc, sys_ = fake_tree(tmp)
        start = {n: [] for n, _ in builds}
        run = {n: [] for n, _ in builds}
        for _ in range(args.runs):
            for name, d in builds:
                start[name].append(start_once(os.path.join(d, "irqd"), proc, sys_))
                run[name].append(exec_once(os.path.join(d, "irqctl")))
        print(f"{'build':10} {'irqd stripped':>14} {'irqctl stripped':>16} {'start→health median (min)':>28} "
              f"{'irqctl --version median (min)':>30}")
        for name, d in builds:
            s, r = start[name], run[name]
            print(f"{name:10} {stripped_size(os.path.join(d, 'irqd'), tmp):>14,} "
                  f"{stripped_size(os.path.join(d, 'irqctl'), tmp):>16,} "
                  f"{statistics.median(s) * 1000:>17.1f} ms ({min(s) * 1000:.1f})"
                  f"{statistics.median(r) * 1000:>20.2f} ms ({min(r) * 1000:.2f})")


if __name__ == "__main__":
    main()
