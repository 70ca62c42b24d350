# SPDX-License-Identifier: BSD-3-Clause
"""`weightinit init` against the disk it writes to, in one run.

For a preset (default llama-7b) or a transformers config, in the folder given:

* **disk**: the same number of bytes of zeros written through the same folder (64 MiB
  ``os.write`` calls into one new file, ``fdatasync`` at the end): the disk's own sequential
  write speed for this size, page cache and writeback included;
* **weightinit**: ``weightinit init`` in a fresh process (the summary's time: generation,
  writes, fsync and renames), and its peak resident memory (``getrusage`` of the child);
* optionally **dask**: the same checkpoint through ``--dask-scheduler`` on a ``LocalCluster``
  of N worker processes (peak memory: the largest worker's).

Every measurement runs `--reps` times, alternating, and keeps the best; every file is deleted
after its measurement. Prints a markdown table with the ratios and writes JSON with --json.

    python bench/checkpoint_write.py --dir /tmp/wi-bench [--model llama-7b] [--reps 2]
        [--dask-workers 2] [--json out.json]

Needs the free space of one checkpoint in --dir (checked first).
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


def disk_write(folder: str, nbytes: int) -> float:
    """Seconds to write `nbytes` zeros into a new file in `folder`, fdatasync included."""
    zeros = bytes(BLOCK)
    path = os.path.join(folder, "zeros.bin")
    t0 = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        left = nbytes
        while left > 0:
            left -= os.write(fd, zeros[:min(left, BLOCK)] if left < BLOCK else zeros)
        os.fdatasync(fd)
    finally:
        os.close(fd)
    seconds = time.perf_counter() - t0
    os.unlink(path)
    return seconds


def child_peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


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
    parser.add_argument("--dir", required=True, help="folder on the disk to measure")
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
               "cpu": _cpu(), "disk": [], "weightinit": [], "dask": []}
    cluster = None
    try:
        if args.dask_workers:
            from distributed import LocalCluster

            cluster = LocalCluster(n_workers=args.dask_workers, processes=True,
                                   threads_per_worker=1, dashboard_address=None)
        for rep in range(args.reps):
            results["disk"].append(disk_write(folder, nbytes))
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
    rows = [("disk: zeros + fdatasync", disk, "-"),
            ("weightinit init", ours, f"{max(p for _, p in results['weightinit']) / 1e6:.0f} MB")]
    if results["dask"]:
        d, dpeak = min(results["dask"])
        rows.append((f"weightinit init, LocalCluster of {args.dask_workers} processes", d,
                     f"{dpeak / 1e6:.0f} MB (largest worker's peak RSS)"))
    print(f"\n{m.name}: {nbytes / 1e9:.2f} GB into {args.dir} (files of at most "
          f"{args.max_shard_size}), {results['threads']} threads, {results['cpu']}, best of "
          f"{args.reps}\n")
    print("| write | seconds | GB/s | x disk | peak memory |")
    print("|---|---:|---:|---:|---|")
    for name, seconds, mem in rows:
        print(f"| {name} | {seconds:.2f} | {nbytes / 1e9 / seconds:.2f} | {disk / seconds:.2f} "
              f"| {mem} |")
    pairs = [d / w for d, (w, _) in zip(results["disk"], results["weightinit"])]
    print(f"\nweightinit / disk speed, repetition by repetition (the two run back to back): "
          + ", ".join(f"{r:.2f}" for r in pairs) + f"; best {max(pairs):.2f}")
    results["ratios"] = pairs
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
