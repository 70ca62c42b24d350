# SPDX-License-Identifier: BSD-3-Clause
"""`weightinit init` against the disk it writes to, in one run.

For a preset (default llama-7b) or a transformers config, in the folder given:

* **disk**: the same number of bytes of zeros written through the same folder (64 MiB
  ``os.write`` calls into one new file, ``fdatasync`` at the end), once plainly and once
  starting each block's writeback at once (``posix_fadvise``, as the writer does): the
  disk's own sequential write speed for this size is the faster of the two;
* **weightinit**: ``weightinit init`` in a fresh process (the summary's time: generation,
  writes, fsync and renames), and its peak resident memory (``getrusage`` of the child);
* optionally **dask**: the same checkpoint through ``--dask-scheduler`` on a ``LocalCluster``
  of N worker processes (peak memory: the largest worker's).

Every measurement runs `--reps` times, alternating, and keeps the best; every file is deleted
after its measurement. Prints a markdown table with the ratios and writes JSON with --json.

    python bench/checkpoint_write.py [--dir .] [--model llama-7b] [--reps 2]
        [--dask-workers 2] [--json out.json]

Needs the free space of one checkpoint in --dir, by default the current folder (checked first).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

BLOCK = 64 << 20


def model_bytes(model: str, hf_config: str | None, max_shard_size: str) -> tuple:
    from weightinit import checkpoint
    from weightinit.checkpoint.cli import parse_size

    if hf_config:
        from weightinit.checkpoint import hf

        m = hf.model_from_hf_config(hf_config)
    else:
        m = checkpoint.load_model(model)
    files = checkpoint.layout(m, parse_size(max_shard_size), {})
    return m, sum(f.size for f in files)


def disk_write(folder: str, nbytes: int, hinted: bool = False) -> float:
    """Seconds to write `nbytes` zeros into a new file in `folder`, fdatasync included.

    `hinted`: after each block, ``posix_fadvise(DONTNEED)`` on it (starts its writeback at
    once) and on the block before (frees its pages), as the checkpoint writer does; without,
    the kernel starts writeback at its dirty-page thresholds.
    """
    zeros = bytes(BLOCK)
    path = os.path.join(folder, "zeros.bin")
    t0 = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        left, offset = nbytes, 0
        while left > 0:
            n = os.write(fd, zeros[:min(left, BLOCK)] if left < BLOCK else zeros)
            if hinted:
                os.posix_fadvise(fd, offset, n, os.POSIX_FADV_DONTNEED)
                if offset:
                    os.posix_fadvise(fd, offset - BLOCK, BLOCK, os.POSIX_FADV_DONTNEED)
            left -= n
            offset += n
        os.fdatasync(fd)
    finally:
        os.close(fd)
    seconds = time.perf_counter() - t0
    os.unlink(path)
    return seconds


FILL_ONLY = """
import sys, time, numpy as np
from weightinit import checkpoint, shard
m = checkpoint.load_model(sys.argv[1]) if sys.argv[2] == "-" else None
if m is None:
    from weightinit.checkpoint import hf
    m = hf.model_from_hf_config(sys.argv[2])
buf = np.empty(checkpoint.CHUNK_BYTES, np.uint8)
t0 = time.perf_counter()
for p in m.parameters:
    for first, rows in checkpoint._chunks(p, checkpoint.CHUNK_BYTES):
        row = p.nbytes // p.shape[0] if p.shape else p.nbytes
        if rows * row > buf.nbytes:
            buf = np.empty(rows * row, np.uint8)
        view = buf[:rows * row].view(p.dtype).reshape((rows,) + p.shape[1:] if p.shape else ())
        start = (first,) + (0,) * (len(p.shape) - 1) if p.shape else ()
        shard.fill_box(view, p.initializer, p.shape, start, seed=0, stream=p.stream)
print(time.perf_counter() - t0)
"""


def fill_only(args) -> float:
    """Seconds to generate every tensor of the model into one reused buffer, no file: the
    bound the CPU sets (a fresh process, the same threads)."""
    done = subprocess.run([sys.executable, "-c", FILL_ONLY, args.model, args.hf_config or "-"],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"fill-only run failed: {done.stderr.strip()}")
    return float(done.stdout.split()[-1])


def weightinit_write(folder: str, args, extra=()) -> tuple:
    """(seconds, peak RSS bytes of the child) of one `weightinit init` run."""
    out = os.path.join(folder, "ckpt")
    source = ["--hf-config", args.hf_config] if args.hf_config else [args.model]
    cmd = [sys.executable, "-m", "weightinit", "init", *source, "-o", out, "-q",
           "--max-shard-size", args.max_shard_size, *extra]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"weightinit init failed: {done.stderr.strip()}")
    m = re.search(r"written in ([0-9.]+) s: .*peak memory ([0-9.]+) (B|kB|MB|GB)", done.stdout)
    seconds = float(m.group(1))
    peak = float(m.group(2)) * {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[m.group(3)]
    shutil.rmtree(out)
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=".",
                        help="folder on the disk to measure (default: the current folder; the "
                             "files go in a temporary folder inside it, removed at the end)")
    parser.add_argument("--model", default="llama-7b", help="a preset or model file")
    parser.add_argument("--hf-config", help="a transformers config.json instead of --model")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--dask-workers", type=int, default=0,
                        help="also write through a LocalCluster of this many processes")
    parser.add_argument("--max-shard-size", default="5GB",
                        help="passed to weightinit init (more files give Dask workers more to "
                             "share)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="wi-bench-", dir=args.dir)
    m, nbytes = model_bytes(args.model, args.hf_config, args.max_shard_size)
    free = shutil.disk_usage(folder).free
    if free < nbytes * 1.05:
        raise SystemExit(f"{folder}: needs {nbytes / 1e9:.2f} GB free, has {free / 1e9:.2f} GB")
    import weightinit as wi

    results = {"model": m.name, "bytes": nbytes, "threads": wi.get_num_threads(),
               "cpu": _cpu(), "disk": [], "disk_plain": [], "disk_hinted": [],
               "weightinit": [], "dask": [], "fill_only": []}
    cluster = None
    try:
        if args.dask_workers:
            from distributed import LocalCluster

            cluster = LocalCluster(n_workers=args.dask_workers, processes=True,
                                   threads_per_worker=1, dashboard_address=None)
        for rep in range(args.reps):
            results["disk_plain"].append(disk_write(folder, nbytes))
            if hasattr(os, "posix_fadvise"):
                results["disk_hinted"].append(disk_write(folder, nbytes, hinted=True))
            # The disk's speed: the faster of the two ways of writing the zeros.
            results["disk"].append(min(results["disk_plain"][-1],
                                       *results["disk_hinted"][-1:]))
            results["fill_only"].append(fill_only(args))
            results["weightinit"].append(weightinit_write(folder, args))
            if cluster is not None:
                seconds, _ = weightinit_write(folder, args,
                                              ["--dask-scheduler", cluster.scheduler_address])
                from distributed import Client

                with Client(cluster) as client:
                    peak = max(client.run(_peak_rss).values())
                results["dask"].append((seconds, peak))
            print(f"rep {rep + 1}: disk {results['disk'][-1]:.2f} s, weightinit "
                  f"{results['weightinit'][-1][0]:.2f} s"
                  + (f", dask {results['dask'][-1][0]:.2f} s" if cluster else ""),
                  file=sys.stderr, flush=True)
    finally:
        if cluster is not None:
            cluster.close()
        shutil.rmtree(folder, ignore_errors=True)

    disk = min(results["disk"])
    ours, peak = min(results["weightinit"])
    rows = [("disk: zeros + fdatasync", min(results["disk_plain"]), "-")]
    if results["disk_hinted"]:
        rows.append(("disk: zeros + fdatasync, writeback started per block (fadvise)",
                     min(results["disk_hinted"]), "-"))
    rows.append(("generation alone (the same tensors into one reused buffer, no file)",
                 min(results["fill_only"]), "-"))
    rows.append(("weightinit init", ours,
                 f"{max(p for _, p in results['weightinit']) / 1e6:.0f} MB"))
    if results["dask"]:
        d, dpeak = min(results["dask"])
        rows.append((f"weightinit init, LocalCluster of {args.dask_workers} processes", d,
                     f"{dpeak / 1e6:.0f} MB (largest worker's peak RSS)"))
    print(f"\n{m.name}: {nbytes / 1e9:.2f} GB into {args.dir} (files of at most "
          f"{args.max_shard_size}), {results['threads']} threads, {results['cpu']}, best of "
          f"{args.reps}\n")
    print("x disk: against the faster of the disk's two lines.\n")
    print("| write | seconds | GB/s | x disk | peak memory |")
    print("|---|---:|---:|---:|---|")
    for name, seconds, mem in rows:
        print(f"| {name} | {seconds:.2f} | {nbytes / 1e9 / seconds:.2f} | {disk / seconds:.2f} "
              f"| {mem} |")
    pairs = [d / w for d, (w, _) in zip(results["disk"], results["weightinit"])]
    print(f"\nweightinit / disk speed, repetition by repetition (the two run back to back): "
          + ", ".join(f"{r:.2f}" for r in pairs) + f"; best {max(pairs):.2f}")
    results["ratios"] = pairs
    bound = [max(d, g) / w for d, g, (w, _) in zip(results["disk"], results["fill_only"],
                                                   results["weightinit"])]
    print("weightinit / the slower of disk and generation alone (the bound of a writer that "
          "overlaps them perfectly), repetition by repetition: "
          + ", ".join(f"{r:.2f}" for r in bound) + f"; best {max(bound):.2f}")
    results["ratios_to_bound"] = bound
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


def _peak_rss() -> int:
    """Peak resident bytes of this (worker) process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu() -> str:
    from weightinit.checkpoint.cli import cpu_name

    return cpu_name()


if __name__ == "__main__":
    sys.exit(main())
