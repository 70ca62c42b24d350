#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Side-by-side benchmark: weightinit against NumPy, PyTorch, TensorFlow and JAX.

Every case makes a *fresh* tensor (allocation and first-touch page faults included, as
in a real initialization) and reports GB/s of output, the ratio to the *floor* (``np.empty``
plus ``fill(0.5)`` of the same shape and dtype, split in row blocks over the same number of
threads: memory bandwidth and page faults, the cost of any fresh tensor) and the ratio to
the best peer, and the peak memory above the output.

Thread counts that TensorFlow and JAX only accept at start-up are handled with one worker
subprocess per thread setting; each worker runs the floor, weightinit and every peer.
Further sections: the TensorFlow stream (``stream="tensorflow"``) against TensorFlow's own
initializers when TensorFlow is importable (tfstream.py), the kernels alone (ns/element into a cache-resident buffer, 1 thread, for
every target in ``weightinit.cpu_targets()["available"]``), weightinit's peak memory in a
fresh process, the per-call overhead of small calls against torch's, and Orthogonal on a
large matrix against torch's.

The weightinit measured is always the installed package (``pip install .`` first); the
source tree's ``python/`` is never put on the path, so the script runs from anywhere.

Usage::

    python bench/compare.py                 # full run (2 shapes x 2 dtypes x 1/all threads)
    python bench/compare.py --quick         # 4096x4096 only, fewer repetitions
    python bench/compare.py --sections overhead,orthogonal --orthogonal-shape 1024x512
    python bench/compare.py --shapes 16384x16384 --dtypes float32 --threads all \
        --peers torch,jax --output results.md

Modules: peers.py (the library adapters and the laws they draw), measure.py (meters and
the throughput worker), calls.py (overhead and Orthogonal), report.py (the markdown).
See bench/README.md for the method and the meaning of each column.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from calls import orthogonal_section, overhead_section, skipped
from measure import (MALLOC_MMAP_THRESHOLD, UNSET_ENV, all_cpus, machine_info, peak_child,
                     probe, shape_str, worker)
from peers import DISTS, DTYPES, PEERS
from report import render
from tfstream import render_tfstream, tfstream_section

HERE = os.path.dirname(os.path.abspath(__file__))
# The source tree's package: never on the workers' path (it has no built extension).
REPO_PYTHON = os.path.join(os.path.dirname(HERE), "python")

DEFAULT_SHAPES = ((4096, 4096), (16384, 16384))
DEFAULT_ORTHOGONAL_SHAPE = (4096, 2048)
SECTIONS = ("throughput", "kernel", "peak", "overhead", "orthogonal", "tfstream")


def parse_shape(text: str) -> tuple:
    return tuple(int(d) for d in text.lower().replace("*", "x").split("x"))


# ---------------------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------------------

def child_env(threads: int, all_threads: int) -> dict:
    """The environment of a child with `threads` threads (of `all_threads`)."""
    env = dict(os.environ)
    for var in UNSET_ENV:
        env.pop(var, None)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("MALLOC_MMAP_THRESHOLD_", MALLOC_MMAP_THRESHOLD)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    kept = [p for p in paths if os.path.realpath(p) != os.path.realpath(REPO_PYTHON)]
    if kept:
        env["PYTHONPATH"] = os.pathsep.join(kept)
    else:
        env.pop("PYTHONPATH", None)
    if threads < all_threads:
        env["OMP_NUM_THREADS"] = str(threads)
        env["MKL_NUM_THREADS"] = str(threads)
        if threads == 1:
            flags = env.get("XLA_FLAGS", "")
            env["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false "
                                "intra_op_parallelism_threads=1").strip()
    return env


def run_child(args: list, env: dict, capture: bool = False) -> dict:
    """Run this script with `args` in a new process; return the JSON it writes."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as f:
        path = f.name
    try:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__)] + args + [path],
                              env=env, stdout=sys.stderr,
                              stderr=subprocess.PIPE if capture else None, text=True)
        if proc.returncode != 0:
            last = proc.stderr.strip().splitlines()[-1:] if capture and proc.stderr else []
            detail = f": {last[0]}" if last else ""
            raise RuntimeError(f"child {args[:1]} exited with {proc.returncode}{detail}")
        with open(path) as f:
            return json.load(f)
    finally:
        os.unlink(path)


def child_main(argv: list) -> int | None:
    """The subprocesses' entry points: ``--NAME JSON OUT``; None when argv is not one."""
    entries = {
        "--worker": worker,
        "--peak-child": lambda a: peak_child(tuple(a[0]), a[1], a[2]),
        "--overhead-child": overhead_section,
        "--orthogonal-child": orthogonal_section,
        "--tfstream-child": tfstream_section,
        "--probe-child": lambda a: probe(),
    }
    if not argv or argv[0] not in entries:
        return None
    result = entries[argv[0]](json.loads(argv[1]))
    with open(argv[2], "w") as f:
        json.dump(result, f)
    return 0


def installed_weightinit(env: dict) -> dict:
    """Where the children find weightinit; exit with a clear message if they cannot."""
    try:
        return run_child(["--probe-child", "null"], env, capture=True)
    except RuntimeError as exc:
        raise SystemExit(
            f"weightinit cannot be imported by {sys.executable} ({exc}).\n"
            "The benchmark measures the installed package only: install it first, e.g. "
            "`pip install .` in the repository root.") from None


# ---------------------------------------------------------------------------------------
# Arguments and orchestration
# ---------------------------------------------------------------------------------------

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="4096x4096 only, fewer repetitions, shorter kernel and overhead timings")
    ap.add_argument("--sections", default=",".join(SECTIONS),
                    help=f"comma list from {','.join(SECTIONS)} (default: all)")
    ap.add_argument("--shapes", help="comma list like 4096x4096,16384x16384")
    ap.add_argument("--threads", default="1,all", help="comma list of counts or 'all'")
    ap.add_argument("--peers", default=",".join(PEERS),
                    help=f"comma list from {','.join(PEERS)} (or 'none')")
    ap.add_argument("--dtypes", default=",".join(DTYPES))
    ap.add_argument("--dists", default=",".join(DISTS))
    ap.add_argument("--reps", type=int, help="max repetitions per case (default 5, 3 with --quick)")
    ap.add_argument("--budget", type=float,
                    help="stop repeating a case once this many seconds are spent (default 4)")
    ap.add_argument("--case-limit", type=float, default=120.0,
                    help="skip a case whose time, projected from a smaller shape, exceeds this")
    ap.add_argument("--orthogonal-shape", default="x".join(map(str, DEFAULT_ORTHOGONAL_SHAPE)),
                    help="matrix shape of the Orthogonal section (default 4096x2048)")
    ap.add_argument("--no-kernel", action="store_true", help="skip the kernel section")
    ap.add_argument("--no-peak", action="store_true", help="skip the fresh-process peak check")
    ap.add_argument("--no-overhead", action="store_true", help="skip the per-call overhead")
    ap.add_argument("--no-orthogonal", action="store_true", help="skip the Orthogonal section")
    ap.add_argument("--output", help="also write the markdown to this file")
    ap.add_argument("--json", help="also write the raw results as JSON to this file")
    return ap.parse_args(argv)


def choose_sections(args) -> set:
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    for s in sections:
        if s not in SECTIONS:
            raise SystemExit(f"--sections: unknown section {s!r} (choose from "
                             f"{', '.join(SECTIONS)})")
    for name in ("kernel", "peak", "overhead", "orthogonal"):
        if getattr(args, f"no_{name}"):
            sections.discard(name)
    return sections


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    code = child_main(argv)
    if code is not None:
        return code

    args = parse_args(argv)
    sections = choose_sections(args)
    all_threads = all_cpus()
    if args.shapes:
        shapes = [parse_shape(s) for s in args.shapes.split(",")]
    else:
        shapes = [DEFAULT_SHAPES[0]] if args.quick else list(DEFAULT_SHAPES)
    threads = sorted({all_threads if t.strip() == "all" else int(t)
                      for t in args.threads.split(",")})
    peers = [] if args.peers == "none" else [p.strip() for p in args.peers.split(",")]
    for p in peers:
        if p not in PEERS:
            raise SystemExit(f"--peers: unknown peer {p!r} (choose from {', '.join(PEERS)})")
    dists = [d.strip() for d in args.dists.split(",")]
    for d in dists:
        if d not in DISTS:
            raise SystemExit(f"--dists: unknown {d!r} (choose from {', '.join(DISTS)})")
    orthogonal_shape = parse_shape(args.orthogonal_shape)
    if len(orthogonal_shape) < 2:
        raise SystemExit("--orthogonal-shape: needs 2 or more dimensions, like 4096x2048")
    cfg = {"shapes": shapes, "peers": peers, "dtypes": args.dtypes.split(","), "dists": dists,
           "reps": args.reps or (3 if args.quick else 5),
           "budget": args.budget or (1.5 if args.quick else 4.0),
           "case_limit": args.case_limit, "quick": args.quick, "all_threads": all_threads,
           "sections": sorted(sections), "orthogonal_shape": orthogonal_shape}

    env_all = child_env(all_threads, all_threads)
    if env_all.get("PYTHONPATH") != os.environ.get("PYTHONPATH"):
        print(f"note: {REPO_PYTHON} left out of the children's PYTHONPATH (the source tree has "
              "no built extension; the installed package is measured)", file=sys.stderr)
    where = installed_weightinit(env_all)
    info = machine_info()
    print(f"weightinit benchmark on {info['model']} ({all_threads} CPUs); sections "
          f"{', '.join(s for s in SECTIONS if s in sections)}; threads {threads}, shapes "
          f"{[shape_str(s) for s in shapes]}; weightinit {where['version']} from "
          f"{where['package']}; progress below, tables at the end.", file=sys.stderr)
    t0 = time.perf_counter()
    outs = []
    kernel_done = "kernel" not in sections
    if "throughput" in sections:
        for t in threads:
            wcfg = dict(cfg, threads=t, pin=t < all_threads, kernel=(t == 1 and not kernel_done))
            kernel_done = kernel_done or wcfg["kernel"]
            outs.append(run_child(["--worker", json.dumps(wcfg)], child_env(t, all_threads)))
    if not kernel_done:
        wcfg = dict(cfg, threads=1, pin=True, kernel=True, shapes=[], peers=[])
        outs.append(run_child(["--worker", json.dumps(wcfg)], child_env(1, all_threads)))

    peaks = []
    if "peak" in sections:
        for shape in shapes:
            for dtype in cfg["dtypes"]:
                for dist in ("uniform", "normal", "truncated_normal"):
                    try:
                        peaks.append(run_child(["--peak-child", json.dumps([shape, dtype, dist])],
                                               env_all))
                    except RuntimeError as exc:
                        print(f"peak check {shape} {dtype} {dist}: {exc}", file=sys.stderr)
    calls = {}
    for name in ("overhead", "orthogonal"):
        if name in sections:
            try:
                calls[name] = run_child([f"--{name}-child", json.dumps(cfg)], env_all)
            except RuntimeError as exc:  # the other sections' results are still reported
                print(f"{name} section: {exc}", file=sys.stderr)
                calls[name] = skipped(f"error: {exc}")
    overhead, orthogonal = calls.get("overhead"), calls.get("orthogonal")
    wall = time.perf_counter() - t0
    text = render(cfg, outs, peaks, info, wall, where, overhead, orthogonal)
    if "tfstream" in sections:  # TensorFlow's own stream, when TensorFlow is importable
        try:
            text += "\n" + render_tfstream(run_child(["--tfstream-child", json.dumps(cfg)], env_all))
        except RuntimeError as exc:
            text += f"\n## TensorFlow stream\n\nerror: {exc}\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"config": cfg, "machine": info, "weightinit": where, "workers": outs,
                       "peaks": peaks, "overhead": overhead, "orthogonal": orthogonal,
                       "wall_s": wall}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
