#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Orthogonal matrices: weightinit's own QR against torch.nn.init.orthogonal_ and NumPy.

Three ways to make the same kind of matrix (gain times the sign-fixed Q of a normal
matrix), each writing into a preallocated array:

* ``weightinit``: ``weightinit._core.orthogonal`` (blocked Householder QR in float for
  16/32-bit outputs, in double for float64; threaded; same bits for any thread count);
* ``torch``: ``torch.nn.init.orthogonal_`` (LAPACK geqrf + orgqr of the tensor's dtype,
  through torch's BLAS);
* ``numpy``: a float64 normal matrix, ``numpy.linalg.qr`` (LAPACK in float64 whatever the
  output dtype), the sign fix and a cast: the path ``weightinit.init.orthogonal_`` took.

One worker process per thread setting runs all three side by side, alternating them
repetition by repetition, and reports the best time of each; BLAS threads are set through
the environment before the worker starts. The ratio column is weightinit's time over
torch's (below 1: weightinit is faster). Process CPU seconds are reported next to the wall
seconds: on a machine shared with other work they show the work done, not the waiting (with
one thread they compare the two directly; with more, threads that spin while waiting count
too). It also reports max |W^T W - gain^2 I| (or W W^T for wide matrices) of weightinit's
output, in float64.

Usage::

    python bench/orthogonal.py                       # default shapes, 1 and all threads
    python bench/orthogonal.py --threads 1 --reps 3 --shapes 4096x2048:float32

Run it against an installed build (``pip install .``) from any directory: it imports the
installed ``weightinit``, never the source tree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

DEFAULT_SHAPES = ("4096x2048:float32", "1024x1024:float32", "2048x4096:float32",
                  "4096x2048:float64")
BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _import_installed():
    """weightinit from site-packages: drop this script's own tree from sys.path first."""
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    sys.path[:] = [p for p in sys.path
                   if os.path.abspath(p or os.getcwd()) not in (here, repo,
                                                                  os.path.join(repo, "python"))]
    import weightinit
    from weightinit import _core
    return weightinit, _core


def _parse_shape(text: str):
    dims, _, dtype = text.partition(":")
    rows, cols = (int(x) for x in dims.split("x"))
    return rows, cols, dtype or "float32"


def _orthogonality_error(w, gain: float) -> float:
    import numpy as np
    m = w.astype(np.float64)
    g = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    return float(np.max(np.abs(g - gain * gain * np.eye(g.shape[0]))))


def _worker(threads: int, shapes, reps: int, peers) -> None:
    import numpy as np
    weightinit, core = _import_installed()
    weightinit.set_num_threads(threads)
    torch = None
    if "torch" in peers:
        import torch
        torch.set_num_threads(threads)
    gain = 1.0
    for text in shapes:
        rows, cols, dtype = _parse_shape(text)
        out = np.empty((rows, cols), dtype=dtype)
        makers = {"weightinit": lambda: core.orthogonal(out, rows, cols, gain, 1)}
        if torch is not None:
            t = torch.empty((rows, cols), dtype=getattr(torch, dtype))
            makers["torch"] = lambda: torch.nn.init.orthogonal_(t, gain=gain)
        if "numpy" in peers:
            flat = np.empty((max(rows, cols), min(rows, cols)), dtype=np.float64)
            target = np.empty((rows, cols), dtype=dtype)

            def numpy_qr():
                core.fill(flat, core.Law.normal(0.0, 1.0), 1)
                q, r = np.linalg.qr(flat)
                signs = np.sign(np.diagonal(r))
                signs[signs == 0] = 1.0
                q *= signs
                np.multiply(q.T if rows < cols else q, gain, out=target, casting="unsafe")

            makers["numpy"] = numpy_qr
        best = {name: float("inf") for name in makers}
        best_cpu = dict(best)
        for _ in range(reps):
            for name, make in makers.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                make()
                best[name] = min(best[name], time.perf_counter() - start)
                best_cpu[name] = min(best_cpu[name], time.process_time() - start_cpu)
        core.orthogonal(out, rows, cols, gain, 1)
        print(json.dumps({"threads": threads, "shape": text, "seconds": best, "cpu": best_cpu,
                          "error": _orthogonality_error(out, gain)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(DEFAULT_SHAPES),
                        help="comma-separated ROWSxCOLS:DTYPE (default: %(default)s)")
    parser.add_argument("--threads", default="1,all",
                        help="comma-separated thread counts, 'all' = usable CPUs")
    parser.add_argument("--reps", type=int, default=5, help="repetitions; the best counts")
    parser.add_argument("--peers", default="torch,numpy", help="torch, numpy or both")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    shapes = [s for s in args.shapes.split(",") if s]
    peers = [p for p in args.peers.split(",") if p]
    if args.worker is not None:
        _worker(args.worker, shapes, args.reps, peers)
        return
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    counts = []
    for t in args.threads.split(","):
        n = cpus if t == "all" else int(t)
        if n not in counts:
            counts.append(n)
    rows = []
    for n in counts:
        env = dict(os.environ, **{name: str(n) for name in BLAS_ENV})
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), "--shapes",
               ",".join(shapes), "--reps", str(args.reps), "--peers", ",".join(peers)]
        done = subprocess.run(cmd, env=env, cwd=os.path.expanduser("~"), check=True,
                              capture_output=True, text=True)
        rows += [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    names = ["weightinit"] + [p for p in ("torch", "numpy") if p in peers]
    others = [p for p in ("torch", "numpy") if p in peers]
    header = (["shape", "threads"] + [f"{n} s" for n in names]
              + [f"weightinit / {p}" for p in others]
              + [f"{n} CPU s" for n in names] + [f"CPU weightinit / {p}" for p in others]
              + ["max |W^T W - I|"])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        s, c = r["seconds"], r["cpu"]
        cells = [r["shape"], str(r["threads"])] + [f"{s[n]:.3f}" for n in names]
        cells += [f"{s['weightinit'] / s[p]:.2f}" for p in others]
        cells += [f"{c[n]:.3f}" for n in names]
        cells += [f"{c['weightinit'] / c[p]:.2f}" for p in others]
        cells.append(f"{r['error']:.1e}")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
