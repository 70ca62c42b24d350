# SPDX-License-Identifier: BSD-3-Clause
"""Ctrl-C latency of a long fill: SIGINT to a child process that fills a large array, time
from the signal to the child's KeyboardInterrupt (CLOCK_MONOTONIC, shared by both processes
on Linux), and whether the fill stopped early. Also the cost of the interrupt polling: the
same fill's time with and without a busy Python thread competing for the GIL.

    python bench/interrupt_latency.py [--gib 4] [--threads 1,2] [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import time

CHILD = """
import json, sys, threading, time
import numpy as np
import weightinit as wi
wi.set_num_threads({threads})
a = np.zeros({n}, np.float32)
if {busy}:
    threading.Thread(target=lambda: [sum(range(1000)) for _ in iter(int, 1)], daemon=True).start()
print("ready", flush=True)
t0 = time.monotonic()
try:
    wi.fill(a, "normal", (0.0, 1.0), seed=1)
    res = {{"interrupted": False}}
except KeyboardInterrupt:
    res = {{"interrupted": True}}
res["t_end"] = time.monotonic()
res["t_start"] = t0
res["last_written"] = bool(a[-1] != 0)
print(json.dumps(res), flush=True)
"""


def run(n: int, threads: int, delay: float | None, busy: bool = False) -> dict:
    p = subprocess.Popen([sys.executable, "-c", CHILD.format(n=n, threads=threads, busy=busy)],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    t_signal = None
    if delay is not None:
        time.sleep(delay)
        t_signal = time.monotonic()
        p.send_signal(signal.SIGINT)
    res = json.loads(p.stdout.readline())
    p.wait()
    if t_signal is not None:
        res["latency_ms"] = (res["t_end"] - t_signal) * 1e3
    res["fill_ms"] = (res["t_end"] - res["t_start"]) * 1e3
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gib", type=float, default=4.0)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    n = int(a.gib * (1 << 30)) // 4
    print(f"float32 normal fill of {a.gib:g} GiB ({n} elements)")
    for threads in (int(t) for t in a.threads.split(",")):
        whole = [run(n, threads, None)["fill_ms"] for _ in range(2)]
        busy = [run(n, threads, None, busy=True)["fill_ms"] for _ in range(2)]
        lat, early = [], 0
        for r in range(a.reps):
            res = run(n, threads, delay=0.25 + 0.5 * r / max(1, a.reps - 1) * min(1.0, min(whole) / 1e3))
            if res["interrupted"]:
                lat.append(res["latency_ms"])
                early += not res["last_written"]
        print(f"{threads} thread(s): whole fill {min(whole):.0f} ms (busy GIL thread: {min(busy):.0f} ms); "
              f"Ctrl-C -> KeyboardInterrupt: min {min(lat):.1f} / median {statistics.median(lat):.1f} / "
              f"max {max(lat):.1f} ms over {len(lat)} signals, {early} stopped before the end")


if __name__ == "__main__":
    main()
