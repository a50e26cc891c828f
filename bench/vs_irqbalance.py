#!/usr/bin/env python3
# The Python half of bench/vs_irqbalance.sh: makes each case's rates, builds the fake /proc and /sys
# irqbalance reads (with a marker file in proc/irq), advances its counters in place (same inode, so
# a bind mount sees the new counts), and scores a placement (irqbalance's smp_affinity files, or an
# irqd plan) against the same rates: max load, lower bound, moves.
# Usage: vs_irqbalance.py case NAME OUT_RATES [GEN_INTERRUPTS]   (seed | nic16 | big64)
#        vs_irqbalance.py tree RATES ROOT
#        vs_irqbalance.py advance RATES ROOT SECONDS
#        vs_irqbalance.py score RATES (--irqbalance ROOT | --irqd PLAN_JSON)
import json
import os
import re
import shutil
import subprocess
import sys

MARKER = ".irqd-fake-marker"
ROW = re.compile(r"^\s*(\d+):((?:\s+\d+)+)\s+(.*)$")


def read_rates(path):
    """CPU count and rows (irq, per-CPU counts, description) of a /proc/interrupts-style file."""
    with open(path) as f:
        lines = f.read().splitlines()
    ncpu = len(lines[0].split())
    rows = []
    for line in lines[1:]:
        m = ROW.match(line)
        if not m:
            continue
        counts = [int(x) for x in m.group(2).split()][:ncpu]
        rows.append((int(m.group(1)), counts + [0] * (ncpu - len(counts)), m.group(3).strip()))
    return ncpu, rows


def name_of(desc):
    return desc.split()[-1] if desc.split() else ""


def nic_of(desc):
    m = re.match(r"^(eth\d+)-TxRx-\d+$", name_of(desc))
    return m.group(1) if m else None


def nodes_of(ncpu):
    """As irqd's simulator: two nodes, each half of the CPUs, from 4 CPUs on; one below."""
    if ncpu < 4:
        return [list(range(ncpu))]
    half = ncpu // 2
    return [list(range(half)), list(range(half, ncpu))]


def node_of_nic(nic, nics):
    """As irqd's simulator: NICs alternate between the nodes in order of appearance."""
    return nics.index(nic) % 2


def mask(cpus, ncpu):
    bits = 0
    for c in cpus:
        bits |= 1 << c
    words = max(1, (ncpu + 31) // 32)
    return ",".join("%08x" % ((bits >> (32 * w)) & 0xffffffff) for w in reversed(range(words)))


def cpu_list(cpus):
    cpus = sorted(cpus)
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else "%d-%d" % (cpus[i], cpus[j]))
        i = j + 1
    return ",".join(out)


def parse_mask(text):
    bits = int(text.strip().replace(",", ""), 16)
    return [c for c in range(bits.bit_length()) if bits >> c & 1]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def write_in_place(path, text):
    """Same inode: a file bind-mounted over /proc/interrupts shows the new text."""
    with open(path, "r+") as f:
        f.seek(0)
        f.write(text)
        f.truncate()


def interrupts_text(ncpu, rows, seconds):
    """/proc/interrupts with each IRQ's counts at `seconds` of its rate per day (all on its CPUs now)."""
    head = " " * 11 + "".join("CPU%-8d" % c for c in range(ncpu)).rstrip()
    out = [head]
    for irq, counts, desc in rows:
        per_cpu = [1000 for c in counts]
        out.append("%4d: " % irq + "".join("%10d " % v for v in per_cpu) + "  " + desc)
    out.append(" ERR:          0")
    return "\n".join(out) + "\n"


def stat_text(ncpu, rows, seconds):
    """/proc/stat at the start: every CPU's irq and softirq time at 100 (advance() runs it on)."""
    lines = []
    for c in range(ncpu):
        lines.append("cpu%d 1000 0 1000 100000 0 100 100 0 0 0" % c)
    total = [sum(int(line.split()[i]) for line in lines) for i in range(1, 11)]
    return "cpu  " + " ".join(map(str, total)) + "\n" + "\n".join(lines) + "\nintr 0\nctxt 0\nbtime 0\nprocesses 1\n"


def make_case(name, out, gen):
    if name == "seed":
        shutil.copyfile("/work/shared/seed/interrupts-per-day.txt" if not gen else gen, out)
        return
    if name == "nic16":
        # Two NICs of 16 queues each (eth0 on node 0, eth1 on node 1), all piled on CPU 0 as a driver
        # without affinity hints leaves them; queue rates skewed as RSS hashing makes them; a few others.
        ncpu = 16
        rows = []
        irq = 100
        for nic in range(2):
            for q in range(16):
                rate = (3 + (q * 7 + nic * 5) % 11) * 10_000_000 * (2 if q in (0, 5) else 1)
                counts = [0] * ncpu
                counts[0] = rate
                rows.append((irq, counts, "IR-PCI-MSI %d-edge      eth%d-TxRx-%d" % (irq * 16, nic, q)))
                irq += 1
        for n, rate in (("nvme0q1", 40_000_000), ("nvme0q2", 35_000_000), ("ahci[0000:00:17.0]", 2_000_000),
                        ("xhci_hcd", 500_000), ("i801_smbus", 1000), ("eth0", 100), ("eth1", 100)):
            counts = [0] * ncpu
            counts[irq % ncpu] = rate
            rows.append((irq, counts, "IR-PCI-MSI %d-edge      %s" % (irq * 16, n)))
            irq += 1
    else:   # big64: the shared generator's 64 x 4096, rates = one step of its counters
        gen = gen or "/work/shared/tools/gen_interrupts.py"
        a = subprocess.run([sys.executable, gen, "64", "4096", "1", "0"], capture_output=True, text=True, check=True).stdout
        b = subprocess.run([sys.executable, gen, "64", "4096", "1", "1"], capture_output=True, text=True, check=True).stdout
        ta, tb = a.splitlines(), b.splitlines()
        ncpu = 64
        rows = []
        for la, lb in zip(ta[1:], tb[1:]):
            ma, mb = ROW.match(la), ROW.match(lb)
            if not ma or not mb:
                continue
            ca = [int(x) for x in ma.group(2).split()]
            cb = [int(x) for x in mb.group(2).split()]
            rate = [((y - x) % (1 << 32)) * 86400 // 10 for x, y in zip(ca, cb)]   # a step = 10 s
            rows.append((int(ma.group(1)), rate, ma.group(3).strip()))
    head = " " * 11 + "".join("CPU%-8d" % c for c in range(ncpu)).rstrip()
    with open(out, "w") as f:
        f.write(head + "\n")
        for irq, counts, desc in rows:
            f.write("%4d: " % irq + "".join("%12d " % v for v in counts) + "  " + desc + "\n")


def tree(rates, root):
    ncpu, rows = read_rates(rates)
    nodes = nodes_of(ncpu)
    node_cpu = {c: n for n, cs in enumerate(nodes) for c in cs}
    proc, sysfs = os.path.join(root, "proc"), os.path.join(root, "sys")
    nics = []
    for _, _, desc in rows:
        nic = nic_of(desc)
        if nic and nic not in nics:
            nics.append(nic)
    write(os.path.join(proc, "interrupts"), interrupts_text(ncpu, rows, 0))
    write(os.path.join(proc, "stat"), stat_text(ncpu, rows, 0))
    write(os.path.join(proc, "irq", MARKER), "irqd vs_irqbalance fake tree\n")
    write(os.path.join(proc, "irq", "default_smp_affinity"), mask(range(ncpu), ncpu) + "\n")
    for irq, counts, desc in rows:
        on = [c for c in range(ncpu) if counts[c]] or list(range(ncpu))
        nic = nic_of(desc)
        node = node_of_nic(nic, nics) if nic and len(nodes) > 1 else (0 if len(nodes) == 1 else -1)
        d = os.path.join(proc, "irq", str(irq))
        write(os.path.join(d, "smp_affinity"), mask(on, ncpu) + "\n")
        write(os.path.join(d, "smp_affinity_list"), cpu_list(on) + "\n")
        write(os.path.join(d, "effective_affinity"), mask(on[:1], ncpu) + "\n")
        write(os.path.join(d, "effective_affinity_list"), cpu_list(on[:1]) + "\n")
        write(os.path.join(d, "affinity_hint"), mask([], ncpu) + "\n")
        write(os.path.join(d, "node"), "%d\n" % node)
    cpu = os.path.join(sysfs, "devices/system/cpu")
    everything = cpu_list(range(ncpu)) + "\n"
    for f in ("online", "possible", "present"):
        write(os.path.join(cpu, f), everything)
    write(os.path.join(cpu, "isolated"), "\n")
    write(os.path.join(cpu, "nohz_full"), "(null)\n")
    write(os.path.join(cpu, "offline"), "\n")
    write(os.path.join(cpu, "kernel_max"), "%d\n" % (max(ncpu, 64) - 1))
    for c in range(ncpu):
        d = os.path.join(cpu, "cpu%d" % c)
        n = node_cpu[c]
        write(os.path.join(d, "online"), "1\n")
        t = os.path.join(d, "topology")
        write(os.path.join(t, "core_id"), "%d\n" % c)
        write(os.path.join(t, "physical_package_id"), "%d\n" % n)
        write(os.path.join(t, "die_id"), "0\n")
        for key, cs in (("thread_siblings", [c]), ("core_siblings", nodes[n]), ("core_cpus", [c]),
                        ("package_cpus", nodes[n]), ("die_cpus", nodes[n])):
            write(os.path.join(t, key), mask(cs, ncpu) + "\n")
            write(os.path.join(t, key + "_list"), cpu_list(cs) + "\n")
        # L1 and L2 per core, L3 per package (node), as on most x86 servers
        for index, (level, kind, cs) in enumerate(((1, "Data", [c]), (1, "Instruction", [c]), (2, "Unified", [c]),
                                                   (3, "Unified", nodes[n]))):
            cd = os.path.join(d, "cache", "index%d" % index)
            write(os.path.join(cd, "level"), "%d\n" % level)
            write(os.path.join(cd, "type"), kind + "\n")
            write(os.path.join(cd, "shared_cpu_map"), mask(cs, ncpu) + "\n")
            write(os.path.join(cd, "shared_cpu_list"), cpu_list(cs) + "\n")
        os.symlink("../node/node%d" % n, os.path.join(d, "node%d" % n))
    node = os.path.join(sysfs, "devices/system/node")
    for f in ("online", "possible", "has_cpu", "has_memory", "has_normal_memory"):
        write(os.path.join(node, f), cpu_list(range(len(nodes))) + "\n")
    for n, cs in enumerate(nodes):
        write(os.path.join(node, "node%d" % n, "cpumap"), mask(cs, ncpu) + "\n")
        write(os.path.join(node, "node%d" % n, "cpulist"), cpu_list(cs) + "\n")
    # One PCI function per NIC (class 0x020000, ethernet) holding its queue IRQs' MSI-X vectors; real
    # directories, not links into /sys/devices/pci..., so that only the bound trees are read.
    pci = os.path.join(sysfs, "bus/pci/devices")
    os.makedirs(pci, exist_ok=True)
    for i, nic in enumerate(nics):
        d = os.path.join(pci, "0000:%02x:00.0" % (0x10 + i))
        n = node_of_nic(nic, nics) if len(nodes) > 1 else 0
        for f, v in (("class", "0x020000"), ("vendor", "0x8086"), ("device", "0x1572"), ("irq", "0"),
                     ("subsystem_vendor", "0x8086"), ("subsystem_device", "0x0000"),
                     ("numa_node", str(n if len(nodes) > 1 else -1)), ("enable", "1"),
                     ("local_cpus", mask(nodes[n], ncpu)), ("local_cpulist", cpu_list(nodes[n]))):
            write(os.path.join(d, f), v + "\n")
        for irq, _, desc in rows:
            if nic_of(desc) == nic:
                write(os.path.join(d, "msi_irqs", str(irq)), "msix\n")
        write(os.path.join(d, "net", nic, "ifindex"), "%d\n" % (i + 2))


def advance(rates, root, seconds):
    """Runs the fake machine `seconds` on: each IRQ's interrupts land on the CPUs of its smp_affinity
    now (split evenly), so a placement irqbalance wrote shows in the next counts and in /proc/stat's
    irq and softirq time (the busiest CPU of the rates' own placement: half its time in IRQs)."""
    ncpu, rows = read_rates(rates)
    state_path = os.path.join(root, "state.json")
    if os.path.exists(state_path):
        with open(state_path) as f:
            state = json.load(f)
    else:
        state = {"counts": {str(irq): [1000] * ncpu for irq, _, _ in rows}, "irq_time": [100] * ncpu}
    peak = max(max(sum(counts[c] for _, counts, _ in rows) for c in range(ncpu)), 1)
    added = [0.0] * ncpu
    for irq, counts, _ in rows:
        cpus = parse_mask(open(os.path.join(root, "proc", "irq", str(irq), "smp_affinity")).read()) or [0]
        cpus = [c for c in cpus if c < ncpu] or [0]
        n = sum(counts) * float(seconds) / 86400
        for c in cpus:
            state["counts"][str(irq)][c] += int(n / len(cpus))
            added[c] += sum(counts) / len(cpus)
    for c in range(ncpu):
        state["irq_time"][c] += int(50 * float(seconds) * added[c] / peak)
    with open(state_path, "w") as f:
        json.dump(state, f)
    head = " " * 11 + "".join("CPU%-8d" % c for c in range(ncpu)).rstrip()
    lines = [head] + ["%4d: " % irq + "".join("%10d " % v for v in state["counts"][str(irq)]) + "  " + desc
                      for irq, _, desc in rows] + [" ERR:          0"]
    write_in_place(os.path.join(root, "proc", "interrupts"), "\n".join(lines) + "\n")
    stat = ["cpu%d 1000 0 1000 100000 0 %d %d 0 0 0" % (c, t, t) for c, t in enumerate(state["irq_time"])]
    total = [sum(int(line.split()[i]) for line in stat) for i in range(1, 11)]
    write_in_place(os.path.join(root, "proc", "stat"),
                   "cpu  " + " ".join(map(str, total)) + "\n" + "\n".join(stat) + "\nintr 0\nctxt 0\nbtime 0\nprocesses 1\n")


def score(rates, placement, ncpu, moved):
    """placement: irq -> CPUs the IRQ may go to (its load split evenly over them, as a generous
    reading of a mask wider than one CPU) and the one-CPU reading (lowest CPU of the mask)."""
    _, rows = read_rates(rates)
    total = sum(sum(c) for _, c, _ in rows)
    largest = max(sum(c) for _, c, _ in rows)
    lower = max(-(-total // ncpu), largest)
    even = [0.0] * ncpu
    first = [0] * ncpu
    wide = 0
    queues = {}   # (NIC, CPU) -> its queues there, by the one-CPU reading
    for irq, counts, desc in rows:
        load = sum(counts)
        cpus = placement.get(irq) or [c for c in range(ncpu) if counts[c]] or list(range(ncpu))
        wide += len(cpus) > 1
        for c in cpus:
            even[c] += load / len(cpus)
        first[cpus[0]] += load
        if nic_of(desc):
            queues[(nic_of(desc), cpus[0])] = queues.get((nic_of(desc), cpus[0]), 0) + 1
    return {"irqs": len(rows), "cpus": ncpu, "total": total, "lower_bound": lower,
            "max_load_split": round(max(even)), "ratio_split": round(max(even) / lower, 4),
            "max_load_one_cpu": max(first), "ratio_one_cpu": round(max(first) / lower, 4),
            "moves": moved, "wider_than_one_cpu": wide,
            "nic_queues_per_cpu": max(queues.values()) if queues else 0}


def main():
    cmd = sys.argv[1]
    if cmd == "case":
        make_case(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif cmd == "tree":
        tree(sys.argv[2], sys.argv[3])
    elif cmd == "advance":
        advance(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "score":
        rates, how, where = sys.argv[2], sys.argv[3], sys.argv[4]
        ncpu, rows = read_rates(rates)
        placement, moved = {}, 0
        initial = {irq: [c for c in range(ncpu) if counts[c]] or list(range(ncpu)) for irq, counts, _ in rows}
        if how == "--irqbalance":
            for irq, _, _ in rows:
                cpus = parse_mask(open(os.path.join(where, "proc", "irq", str(irq), "smp_affinity")).read())
                placement[irq] = cpus
                moved += cpus != initial[irq]
        else:
            with open(where) as f:
                plan = json.load(f)
            for m in plan["moves"]:
                placement[int(m["irq"])] = [int(m["to"])]
            moved = len(plan["moves"])
        print(json.dumps(score(rates, placement, ncpu, moved)))


if __name__ == "__main__":
    main()
