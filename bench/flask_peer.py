#!/usr/bin/env python3
"""The peer for small GETs: a minimal Flask server like the seed's, one route that reads
/proc/interrupts (from PROCFS) and answers it as JSON, so wrk can compare it with irqd on the same data.

usage: flask_peer.py PORT [PROCFS]   (127.0.0.1 only; Debian's python3-flask)
"""
import sys

from flask import Flask, jsonify

app = Flask(__name__)
procfs = sys.argv[2] if len(sys.argv) > 2 else "/proc"


@app.route("/api/v1/interrupts")
def interrupts():
    with open(procfs + "/interrupts") as f:
        lines = f.read().splitlines()
    cpus = lines[0].split()
    rows = []
    for line in lines[1:]:
        irq, _, rest = line.partition(":")
        fields = rest.split()
        counts = []
        for f in fields[:len(cpus)]:
            if not f.isdigit():
                break
            counts.append(int(f))
        rows.append({"irq": irq.strip(), "counts": counts, "name": " ".join(fields[len(counts):])})
    return jsonify({"cpus": cpus, "irqs": rows})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
