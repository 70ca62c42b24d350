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
A second part times the kernels alone: ns/element into a cache-resident buffer, 1 thread,
for every target in ``weightinit.cpu_targets()["available"]``.

Usage::

    python bench/compare.py                 # full run (2 shapes x 2 dtypes x 1/all threads)
    python bench/compare.py --quick         # 4096x4096 only, fewer repetitions
    python bench/compare.py --shapes 16384x16384 --dtypes float32 --threads all \
        --peers torch,jax --output results.md

See bench/README.md for the method and the meaning of each column.
"""

from __future__ import annotations

import argparse
import gc
import glob
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
REPO_PYTHON = os.path.join(REPO, "python")

PEERS = ("numpy", "torch", "tensorflow", "jax")
DISTS = ("uniform", "normal", "truncated_normal", "glorot_uniform", "he_normal")
DTYPES = ("float32", "bfloat16")
DEFAULT_SHAPES = ((4096, 4096), (16384, 16384))
KERNEL_DISTS = ("uniform", "normal", "truncated_normal")
KERNEL_ELEMENTS = 1 << 16

# TF/Keras/JAX he_normal draws a truncated normal (±2σ) whose stddev is divided by the
# stddev of a standard normal truncated to [-2, 2], so that the result has variance 2/fan_in.
TRUNC_STD_2SIGMA = 0.87962566103423978
# Variables that slow NumPy on this machine; never passed to the workers.
UNSET_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
MIB = 1 << 20
# glibc's malloc serves large blocks with mmap only above a threshold that it raises after
# each free (up to 32 MiB), after which a "fresh" tensor may reuse resident heap memory and
# skip its page faults. A fixed threshold makes every tensor of 16 MiB or more a fresh mapping
# in every library, as on the first call.
MALLOC_MMAP_THRESHOLD = str(16 * MIB)

# Targets from the issue: ratio of weightinit's GB/s to the floor's.
GOALS = {"uniform": 0.85, "glorot_uniform": 0.85,
         "normal": 0.6, "truncated_normal": 0.6, "he_normal": 0.6}
PEAK_GOAL_MIB = 16
# A case during which other processes kept more CPUs than this busy is marked "*".
LOAD_WARN = 0.25


class Skip(Exception):
    """A case this library cannot run; the message goes into the notes."""


# ---------------------------------------------------------------------------------------
# Memory: peak resident set above a baseline, without psutil or tracemalloc
# ---------------------------------------------------------------------------------------

def _status_kib(key: str):
    """A ``/proc/self/status`` field in KiB (VmRSS, VmHWM), or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter (VmHWM and ru_maxrss) to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class PeakMeter:
    """Peak RSS of a block of code above the RSS at its start, in bytes (None if unknown)."""

    def __init__(self):
        self.can_reset = reset_peak()

    def start(self):
        gc.collect()
        self.base = _status_kib("VmRSS")
        if self.can_reset:
            reset_peak()

    def stop(self):
        if not self.can_reset or self.base is None:
            return None
        hwm = _status_kib("VmHWM")
        return None if hwm is None else (hwm - self.base) * 1024


# ---------------------------------------------------------------------------------------
# Shapes, fans, threads
# ---------------------------------------------------------------------------------------

def parse_shape(text: str) -> tuple:
    return tuple(int(d) for d in text.lower().replace("*", "x").split("x"))


def shape_str(shape) -> str:
    return "×".join(str(d) for d in shape)


def fans(shape) -> tuple:
    """(fan_in, fan_out) in the TF/Keras/JAX layout (..., in, out)."""
    if len(shape) < 2:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def glorot_limit(shape) -> float:
    fan_in, fan_out = fans(shape)
    return math.sqrt(6.0 / (fan_in + fan_out))


def he_stddev(shape) -> float:
    return math.sqrt(2.0 / fans(shape)[0]) / TRUNC_STD_2SIGMA


def row_blocks(n_rows: int, parts: int) -> list:
    """`parts` contiguous [start, stop) row ranges covering n_rows (empty ones dropped)."""
    parts = max(1, min(parts, n_rows))
    edges = [n_rows * i // parts for i in range(parts + 1)]
    return [(edges[i], edges[i + 1]) for i in range(parts) if edges[i] < edges[i + 1]]


def all_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def np_dtype(name: str):
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


# ---------------------------------------------------------------------------------------
# The libraries. Each `prepare(dist, shape, dtype)` returns a function that makes one
# fresh, fully computed tensor (raising Skip when the library has no such initializer).
# ---------------------------------------------------------------------------------------

class Floor:
    """np.empty + fill(0.5), in row blocks over the worker's threads (NumPy drops the GIL)."""

    name = "floor"

    def __init__(self, threads: int, pool):
        self.threads, self.pool = threads, pool

    def prepare(self, shape, dtype):
        dt = np_dtype(dtype)
        blocks = row_blocks(shape[0], self.threads)
        # bfloat16 0.5 is the bit pattern 0x3F00: fill through a uint16 view, same bytes.
        view_dt, value = (np.uint16, 0x3F00) if dtype == "bfloat16" else (dt, 0.5)

        def run():
            out = np.empty(shape, dt)
            flat = out.view(view_dt)
            if len(blocks) == 1:
                flat.fill(value)
            else:
                list(self.pool.map(lambda b: flat[b[0]:b[1]].fill(value), blocks))
            return out
        return run


class WeightInit:
    name = "weightinit"

    def __init__(self, threads: int):
        import weightinit as wi
        self.wi = wi
        wi.set_num_threads(threads)
        self.version = wi.__version__
        self.target = wi.cpu_targets()["active"]
        self.seed = 0

    @staticmethod
    def spec(dist, shape):
        """(distribution, params) of the fill layer for a benchmark initializer."""
        if dist == "uniform":
            return "uniform", (0.0, 1.0)
        if dist == "normal":
            return "normal", (0.0, 1.0)
        if dist == "truncated_normal":
            return "truncated_normal", (0.0, 1.0, -2.0, 2.0)
        if dist == "glorot_uniform":
            lim = glorot_limit(shape)
            return "uniform", (-lim, lim)
        if dist == "he_normal":
            return "truncated_normal", (0.0, he_stddev(shape), -2.0, 2.0)
        raise Skip(f"unknown initializer {dist}")

    def prepare(self, dist, shape, dtype):
        distribution, params = self.spec(dist, shape)
        wi = self.wi

        def run():
            self.seed += 1
            return wi.new(shape, dtype, distribution, params, seed=self.seed)
        return run


class NumPyPeer:
    """NumPy's Generator (PCG64). With n threads: NumPy's documented multithreaded recipe,
    one generator per row block from SeedSequence.spawn, filled in a thread pool."""

    name = "numpy"

    def __init__(self, threads: int, pool):
        self.threads, self.pool = threads, pool
        self.version = np.__version__
        self.seq = np.random.SeedSequence(0)

    def prepare(self, dist, shape, dtype):
        if dist in ("truncated_normal", "he_normal"):
            raise Skip("NumPy has no truncated normal")
        out_dt = np_dtype(dtype)
        f32 = np.float32
        lim = glorot_limit(shape)
        blocks = row_blocks(shape[0], self.threads)

        def draw(gen, view):
            """Fill the float32 array `view` with the distribution."""
            if dist == "normal":
                gen.standard_normal(dtype=f32, out=view)
            else:
                gen.random(dtype=f32, out=view)
                if dist == "glorot_uniform":
                    view *= 2 * lim
                    view -= lim

        def block(args):
            gen, (lo, hi), out = args
            if out.dtype == f32:
                draw(gen, out[lo:hi])
            else:  # float32 draw, then the ml_dtypes cast into the bfloat16 output
                tmp = np.empty((hi - lo,) + tuple(shape[1:]), f32)
                draw(gen, tmp)
                out[lo:hi] = tmp

        def run():
            gens = [np.random.Generator(np.random.PCG64(s)) for s in self.seq.spawn(len(blocks))]
            out = np.empty(shape, out_dt)
            work = [(g, b, out) for g, b in zip(gens, blocks)]
            if len(work) == 1:
                block(work[0])
            else:
                list(self.pool.map(block, work))
            return out
        return run


class TorchPeer:
    name = "torch"

    def __init__(self, threads: int):
        import torch
        self.torch = torch
        torch.set_num_threads(threads)
        if threads == 1:
            try:
                torch.set_num_interop_threads(1)
            except RuntimeError:
                pass
        torch.manual_seed(0)
        self.version = torch.__version__

    def prepare(self, dist, shape, dtype):
        torch = self.torch
        tdt = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
        init = torch.nn.init
        if dist == "uniform":
            op = lambda t: t.uniform_()  # noqa: E731
        elif dist == "normal":
            op = lambda t: t.normal_()  # noqa: E731
        elif dist == "truncated_normal":
            op = lambda t: init.trunc_normal_(t, 0.0, 1.0, -2.0, 2.0)  # noqa: E731
        elif dist == "glorot_uniform":
            op = init.xavier_uniform_
        elif dist == "he_normal":
            # torch's kaiming_normal_ is not truncated; the truncated He normal is trunc_normal_.
            std = he_stddev(shape)
            op = lambda t: init.trunc_normal_(t, 0.0, std, -2 * std, 2 * std)  # noqa: E731
        else:
            raise Skip(dist)

        def run():
            with torch.no_grad():
                t = torch.empty(shape, dtype=tdt)
                op(t)
            return t
        return run


class TensorFlowPeer:
    name = "tensorflow"

    def __init__(self, threads: int):
        import tensorflow as tf
        self.tf = tf
        # Must happen before TF runs any op: this is why each thread setting is a subprocess.
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        if threads == 1:
            tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.random.set_seed(0)
        self.version = tf.__version__
        self.keras = tf.keras
        self.keras_version = getattr(tf.keras, "__version__", None) or getattr(
            tf.keras, "version", lambda: "?")()

    def prepare(self, dist, shape, dtype):
        tf = self.tf
        tdt = {"float32": tf.float32, "bfloat16": tf.bfloat16}[dtype]
        if dist == "uniform":
            return lambda: tf.random.uniform(shape, dtype=tdt)
        if dist == "normal":
            return lambda: tf.random.normal(shape, dtype=tdt)
        if dist == "truncated_normal":
            return lambda: tf.random.truncated_normal(shape, dtype=tdt)
        if dist == "glorot_uniform":
            ini = self.keras.initializers.GlorotUniform()
            return lambda: ini(shape, dtype=dtype)
        if dist == "he_normal":
            ini = self.keras.initializers.HeNormal()
            return lambda: ini(shape, dtype=dtype)
        raise Skip(dist)


class JaxPeer:
    """jax.random / jax.nn.initializers, jit-compiled ahead of time (compilation not timed)."""

    name = "jax"

    def __init__(self, threads: int):
        import jax
        import jax.numpy as jnp
        self.jax, self.jnp = jax, jnp
        self.version = jax.__version__
        self.key = jax.random.key(0)
        self.prng = str(jax.config.jax_default_prng_impl)

    def prepare(self, dist, shape, dtype):
        jax, jnp = self.jax, self.jnp
        jdt = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}[dtype]
        inits = jax.nn.initializers
        if dist == "uniform":
            fn = lambda k: jax.random.uniform(k, shape, jdt)  # noqa: E731
        elif dist == "normal":
            fn = lambda k: jax.random.normal(k, shape, jdt)  # noqa: E731
        elif dist == "truncated_normal":
            fn = lambda k: jax.random.truncated_normal(k, -2.0, 2.0, shape, jdt)  # noqa: E731
        elif dist == "glorot_uniform":
            ini = inits.glorot_uniform()
            fn = lambda k: ini(k, shape, jdt)  # noqa: E731
        elif dist == "he_normal":
            ini = inits.he_normal()
            fn = lambda k: ini(k, shape, jdt)  # noqa: E731
        else:
            raise Skip(dist)
        compiled = jax.jit(fn).lower(self.key).compile()
        key = self.key
        return lambda: compiled(key).block_until_ready()


# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------

class LoadMeter:
    """CPU time not ours: the machine's busy time from /proc/stat (steal included: time the
    hypervisor gave our virtual CPUs to someone else) minus this process's own CPU time
    (all its threads). Benchmarks on a shared machine are only as good as this is small."""

    def __init__(self):
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.ok = self._busy() is not None

    def _busy(self):
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal (guest time is inside user)
        return (sum(v[:8]) - v[3] - v[4]) / self.tick

    def sample(self):
        t = os.times()
        return (self._busy() if self.ok else 0.0), t.user + t.system

    def other(self, before, after) -> float:
        """CPU seconds not ours between two samples, less 2 clock ticks: both counters
        advance in whole ticks (10 ms), which alone would flag every millisecond case."""
        return max(0.0, (after[0] - before[0]) - (after[1] - before[1]) - 2.0 / self.tick)


LOAD = LoadMeter()


def measure(run, reps: int, budget: float, meter: PeakMeter) -> dict:
    """Time `run` up to `reps` times (fewer once `budget` seconds are spent, at least once).

    Each repetition makes a fresh tensor; its peak RSS above the RSS before is recorded
    while the tensor is still alive, then the tensor is dropped. `other_load` is the mean
    number of CPUs that other processes kept busy during the timed calls.
    """
    times, peaks, other = [], [], 0.0
    for _ in range(max(1, reps)):
        meter.start()
        s0 = LOAD.sample()
        t0 = time.perf_counter()
        out = run()
        dt = time.perf_counter() - t0
        other += LOAD.other(s0, LOAD.sample())
        peak = meter.stop()
        del out
        times.append(dt)
        if peak is not None:
            peaks.append(peak)
        if sum(times) >= budget:
            break
    return {"best_s": min(times), "median_s": statistics.median(times), "reps": len(times),
            "peak_bytes": max(peaks) if peaks else None,
            "other_load": other / sum(times) if LOAD.ok else None}


def time_kernel(fill, n: int, min_time: float = 0.05, trials: int = 5) -> float:
    """Best seconds per call of `fill` over `trials` batches of at least `min_time` each."""
    fill()
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            fill()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time or reps >= 1 << 20:
            break
        reps *= 2
    best = elapsed
    for _ in range(trials - 1):
        t0 = time.perf_counter()
        for _ in range(reps):
            fill()
        best = min(best, time.perf_counter() - t0)
    return best / reps


def kernel_section(quick: bool) -> dict:
    """ns/element of weightinit fills into a cache-resident buffer, 1 thread, per target."""
    import weightinit as wi
    wi.set_num_threads(1)
    targets = wi.cpu_targets()
    active = targets["active"]
    dtypes = ["float32"]
    try:
        np_dtype("bfloat16")
        dtypes.append("bfloat16")
    except ImportError:
        pass
    min_time = 0.02 if quick else 0.05
    rows = []
    tiny = np.empty(1, np.float32)
    try:
        for target in targets["available"]:
            wi.set_target(target)
            overhead = time_kernel(lambda: wi.fill(tiny, "uniform", (0.0, 1.0), seed=1), 1,
                                   min_time)
            for dtype in dtypes:
                buf = np.empty(KERNEL_ELEMENTS, np_dtype(dtype))
                for dist in KERNEL_DISTS:
                    distribution, params = WeightInit.spec(dist, (KERNEL_ELEMENTS,))
                    s0, t0 = LOAD.sample(), time.perf_counter()
                    per_call = time_kernel(
                        lambda: wi.fill(buf, distribution, params, seed=1), KERNEL_ELEMENTS,
                        min_time)
                    other = LOAD.other(s0, LOAD.sample()) / (time.perf_counter() - t0)
                    rows.append({"target": target, "dtype": dtype, "dist": dist,
                                 "ns_per_element": per_call / KERNEL_ELEMENTS * 1e9,
                                 "net_ns_per_element":
                                     max(per_call - overhead, 0.0) / KERNEL_ELEMENTS * 1e9,
                                 "call_overhead_us": overhead * 1e6,
                                 "other_load": other if LOAD.ok else None})
                    print(f"  kernel {target:8s} {dtype:8s} {dist:16s} "
                          f"{rows[-1]['ns_per_element']:.3f} ns/element", file=sys.stderr)
    finally:
        wi.set_target(active)
    # NumPy's Generator into the same float32 buffer, for scale.
    ref = []
    gen = np.random.default_rng(0)
    buf = np.empty(KERNEL_ELEMENTS, np.float32)
    for dist, call in (("uniform", lambda: gen.random(dtype=np.float32, out=buf)),
                       ("normal", lambda: gen.standard_normal(dtype=np.float32, out=buf))):
        ref.append({"dist": dist,
                    "ns_per_element": time_kernel(call, KERNEL_ELEMENTS, min_time)
                    / KERNEL_ELEMENTS * 1e9})
    return {"rows": rows, "numpy": ref, "elements": KERNEL_ELEMENTS, "active": active}


# ---------------------------------------------------------------------------------------
# Worker: one process, one thread setting, every library
# ---------------------------------------------------------------------------------------

def load_peer(name: str, threads: int, pool):
    if name == "numpy":
        return NumPyPeer(threads, pool)
    if name == "torch":
        return TorchPeer(threads)
    if name == "tensorflow":
        return TensorFlowPeer(threads)
    if name == "jax":
        return JaxPeer(threads)
    raise ValueError(name)


def worker(cfg: dict) -> dict:
    threads = cfg["threads"]
    if cfg["pin"]:
        cpus = sorted(os.sched_getaffinity(0))[:threads]
        os.sched_setaffinity(0, cpus)
    pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
    notes, versions = [], {}
    meter = PeakMeter()
    if not meter.can_reset:
        notes.append("/proc/self/clear_refs not writable: no per-case peak memory")

    libs = [WeightInit(threads)]
    versions["weightinit"] = f"{libs[0].version} (target {libs[0].target}, {core_build()})"
    for name in cfg["peers"]:
        try:
            lib = load_peer(name, threads, pool)
        except ImportError as exc:
            notes.append(f"{name}: not installed ({exc}); skipped")
            continue
        libs.append(lib)
        versions[name] = lib.version
        if name == "tensorflow":
            versions["keras"] = str(lib.keras_version)
        if name == "jax":
            versions["jax PRNG"] = lib.prng
    floor = Floor(threads, pool)

    dtypes = list(cfg["dtypes"])
    if "bfloat16" in dtypes:
        try:
            np_dtype("bfloat16")
        except ImportError:
            dtypes.remove("bfloat16")
            notes.append("ml_dtypes not installed: bfloat16 skipped")

    results, seen = [], {}
    w_sample, w_t0 = LOAD.sample(), time.perf_counter()
    for shape in sorted((tuple(s) for s in cfg["shapes"]), key=math.prod):
        shape = tuple(shape)
        for dtype in dtypes:
            base = {"shape": list(shape), "dtype": dtype, "threads": threads,
                    "bytes": math.prod(shape) * np_dtype(dtype).itemsize,
                    "elements": math.prod(shape)}
            small = tuple(min(d, 64) for d in shape)
            floor.prepare(small, dtype)()
            for dist in cfg["dists"]:
                # The floor is cheap: measured again before each initializer, the table uses
                # the best of all (the machine's capability, robust to a noisy moment).
                res = measure(floor.prepare(shape, dtype), cfg["reps"], cfg["budget"], meter)
                results.append(dict(base, lib="floor", dist="-", **res))
                print(f"[{threads} thr] {shape_str(shape)} {dtype} floor "
                      f"{base['bytes'] / res['best_s'] / 1e9:.2f} GB/s", file=sys.stderr)
                for lib in libs:
                    key = (lib.name, dist, dtype)
                    row = dict(base, lib=lib.name, dist=dist)
                    prev = seen.get(key)
                    if prev is not None:
                        projected = prev[1] * base["elements"] / prev[0]
                        if projected > cfg["case_limit"]:
                            row["skipped"] = f"~{projected:.1f} s projected > --case-limit"
                            results.append(row)
                            continue
                    try:
                        lib.prepare(dist, small, dtype)()  # load code, JIT the small case
                        run = lib.prepare(dist, shape, dtype)
                        res = measure(run, cfg["reps"], cfg["budget"], meter)
                    except Skip as exc:
                        row["skipped"] = str(exc)
                        results.append(row)
                        continue
                    except Exception as exc:  # a peer's failure must not stop the others
                        row["skipped"] = f"error: {type(exc).__name__}: {exc}"[:200]
                        results.append(row)
                        print(f"  {lib.name} {dist} {dtype}: {row['skipped']}", file=sys.stderr)
                        continue
                    del run
                    seen[key] = (base["elements"], res["best_s"])
                    results.append(dict(row, **res))
                    print(f"[{threads} thr] {shape_str(shape)} {dtype} {dist:16s} {lib.name:10s} "
                          f"{base['bytes'] / res['best_s'] / 1e9:7.3f} GB/s "
                          f"({res['reps']} reps, best {res['best_s']:.3f} s)", file=sys.stderr)
                    gc.collect()
    out = {"threads": threads, "results": results, "notes": notes, "versions": versions}
    if cfg["kernel"]:
        out["kernel"] = kernel_section(cfg["quick"])
    wall = time.perf_counter() - w_t0
    out["wall_s"] = wall
    out["other_load"] = LOAD.other(w_sample, LOAD.sample()) / wall if LOAD.ok else None
    if pool is not None:
        pool.shutdown()
    return out


def core_build() -> str:
    """Which weightinit extension was measured: its file's modification time (others may
    rebuild it between two runs)."""
    try:
        import weightinit
        path = os.path.realpath(weightinit._core.__file__)
        built = time.localtime(os.path.getmtime(path))
        return "_core built " + time.strftime("%Y-%m-%d %H:%M", built)
    except (AttributeError, OSError):
        return "_core build unknown"


def peak_child(shape, dtype: str, dist: str) -> dict:
    """In a fresh process: peak RSS of one ``weightinit.new`` above the RSS before it."""
    import weightinit as wi
    wi.set_num_threads(all_cpus())
    distribution, params = WeightInit.spec(dist, shape)
    wi.new((256, 256), dtype, distribution, params, seed=1)  # start the pool, load code
    gc.collect()
    rss_before = _status_kib("VmRSS")
    reset = reset_peak()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = wi.new(shape, dtype, distribution, params, seed=2)
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # With the counter reset, ru_maxrss is the peak since just before the fill; without it,
    # it is the process's peak, which in a fresh process is about the RSS before the fill.
    base = rss_before if (reset and rss_before is not None) else maxrss_before
    return {"shape": list(shape), "dtype": dtype, "dist": dist, "bytes": out.nbytes,
            "peak_over_output": (maxrss_after - base) * 1024 - out.nbytes,
            "method": "clear_refs + ru_maxrss" if reset else "ru_maxrss delta"}


# ---------------------------------------------------------------------------------------
# Parent: run the workers, print the tables
# ---------------------------------------------------------------------------------------

def child_env(threads: int, all_threads: int) -> dict:
    env = dict(os.environ)
    for var in UNSET_ENV:
        env.pop(var, None)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("MALLOC_MMAP_THRESHOLD_", MALLOC_MMAP_THRESHOLD)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    # The source tree's package only where it carries a built extension (a developer's
    # checkout); otherwise the installed weightinit is measured.
    built = glob.glob(os.path.join(REPO_PYTHON, "weightinit", "_core*"))
    if REPO_PYTHON not in paths and built:
        paths.append(REPO_PYTHON)
    env["PYTHONPATH"] = os.pathsep.join(paths)
    if threads < all_threads:
        env["OMP_NUM_THREADS"] = str(threads)
        env["MKL_NUM_THREADS"] = str(threads)
        if threads == 1:
            flags = env.get("XLA_FLAGS", "")
            env["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false "
                                "intra_op_parallelism_threads=1").strip()
    return env


def run_child(args: list, env: dict) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as f:
        path = f.name
    try:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__)] + args + [path],
                              env=env, stdout=sys.stderr)
        if proc.returncode != 0:
            raise RuntimeError(f"child {args[:2]} exited with {proc.returncode}")
        with open(path) as f:
            return json.load(f)
    finally:
        os.unlink(path)


def machine_info() -> dict:
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    flags = ", ".join(x for x in ("avx2", "avx512f", "avx512bw", "avx512_bf16")
                                      if x in have)
                    break
    except OSError:
        pass
    mem = ""
    try:
        mem = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return {"model": model, "cpus": all_cpus(), "flags": flags, "memory": mem,
            "python": platform.python_version()}


def gbs(row) -> float:
    return row["bytes"] / row["best_s"] / 1e9


def fmt_ratio(x) -> str:
    return "–" if x is None else f"{x:.2f}×"


def fmt_mib(b) -> str:
    return "–" if b is None else f"{b / MIB:+.1f}"


def render(cfg: dict, outs: list, peaks: list, info: dict, wall: float) -> str:
    lines = []
    add = lines.append
    add("# weightinit vs peers: fresh-tensor initialization throughput")
    add("")
    add(f"- Machine: {info['model']}, {info['cpus']} CPUs ({info['flags']}), {info['memory']}; "
        f"Python {info['python']}; run took {wall / 60:.1f} min.")
    versions = {}
    for o in outs:
        versions.update(o["versions"])
    versions.setdefault("numpy", np.__version__)
    add("- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    add("- One worker process per thread setting runs the floor, weightinit and every peer "
        "(TensorFlow's and JAX's thread counts are fixed at start-up). "
        "1-thread workers are pinned to one CPU and set every library to 1 thread "
        "(torch.set_num_threads, TF intra/inter-op 1, XLA_FLAGS without Eigen multithreading).")
    add(f"- Each case: a fresh tensor per repetition, best of up to {cfg['reps']} repetitions "
        f"(fewer once {cfg['budget']:g} s are spent); GB/s = output bytes / best time. "
        f"Workers run with MALLOC_MMAP_THRESHOLD_={MALLOC_MMAP_THRESHOLD} (every tensor of "
        "16 MiB or more is a fresh mapping, page faults included) and without "
        + " / ".join(UNSET_ENV) + ".")
    add("- numpy with n threads: one Generator per row block (SeedSequence.spawn) in a thread "
        "pool; its bfloat16 is a float32 draw cast by ml_dtypes (cast counted). "
        "torch he_normal = trunc_normal_(0, σ, ±2σ) (kaiming_normal_ is not truncated). "
        "TF glorot/he = tf.keras.initializers; JAX = jax.random / jax.nn.initializers, "
        "compiled ahead of time.")
    loads = [(o["threads"], o.get("other_load"), o.get("wall_s", 0)) for o in outs]
    if any(x is not None for _, x, _ in loads):
        add("- CPU time not ours (busy + hypervisor steal time from /proc/stat minus this "
            "benchmark's own CPU time): " + "; ".join(
                f"{'all' if t == cfg['all_threads'] else t}-thread worker ({w / 60:.1f} min) "
                f"{x:.2f} CPUs on average" for t, x, w in loads if x is not None)
            + f". Cells marked * ran while other processes or steal took > {LOAD_WARN} CPUs: "
            "treat them as noisy.")
    builds = {o["versions"].get("weightinit") for o in outs}
    if len(builds) > 1:
        add("- Warning: the weightinit extension changed between workers: " + "; ".join(
            sorted(b for b in builds if b)) + ".")
    notes = sorted({n for o in outs for n in o["notes"]})
    for n in notes:
        add(f"- Note: {n}")
    add("")

    rows = [r for o in outs for r in o["results"]]
    index = {}
    for r in rows:  # repeated measurements of a case (the floor): keep the fastest
        key = (tuple(r["shape"]), r["dtype"], r["threads"], r["dist"], r["lib"])
        old = index.get(key)
        if old is None or ("best_s" in r and ("best_s" not in old or r["best_s"] < old["best_s"])):
            index[key] = r
    peers = [p for p in cfg["peers"]]
    all_threads = cfg["all_threads"]

    def thr_label(t):
        return f"all ({t})" if t == all_threads else str(t)

    def star(r):
        load = r.get("other_load")
        return "*" if (load is not None and load > LOAD_WARN) else ""

    def get(shape, dtype, t, dist, lib):
        r = index.get((shape, dtype, t, dist, lib))
        return None if (r is None or "best_s" not in r) else r

    shapes = sorted({tuple(r["shape"]) for r in rows}, key=math.prod)
    threads = sorted({r["threads"] for r in rows})
    dtypes = [d for d in DTYPES if any(r["dtype"] == d for r in rows)]
    dists = [d for d in cfg["dists"]]

    add("## Throughput (GB/s of output; higher is better)")
    add("")
    add("×floor = weightinit / floor; ×best peer = weightinit / the fastest peer; goal = the "
        "issue's ×floor target (✓ met, ✗ not yet); bf16/f32 = weightinit bfloat16 elements/s "
        "over float32 elements/s (goal ≥ 1).")
    add("")
    head = (["shape", "dtype", "threads", "init", "floor", "weightinit", "×floor", "goal",
             "×best peer", "best peer"] + peers + ["bf16/f32"])
    add("| " + " | ".join(head) + " |")
    add("|" + "|".join(["---"] * 4 + ["---:"] * (len(head) - 4)) + "|")
    summary = []
    for shape in shapes:
        for t in threads:
            for dtype in dtypes:
                fl = get(shape, dtype, t, "-", "floor")
                for dist in dists:
                    wi_row = get(shape, dtype, t, dist, "weightinit")
                    if fl is None and wi_row is None:
                        continue
                    peer_vals = {}
                    cells = []
                    for p in peers:
                        r = index.get((shape, dtype, t, dist, p))
                        if r is not None and "best_s" in r:
                            peer_vals[p] = gbs(r)
                            cells.append(f"{gbs(r):.3f}{star(r)}")
                        elif r is not None:
                            cells.append("n/a")
                        else:
                            cells.append("–")
                    best_peer = max(peer_vals, key=peer_vals.get) if peer_vals else None
                    w = gbs(wi_row) if wi_row else None
                    xf = w / gbs(fl) if (w and fl) else None
                    xp = w / peer_vals[best_peer] if (w and best_peer) else None
                    goal = GOALS.get(dist)
                    goal_s = "–" if (goal is None or xf is None) else (
                        f"{goal:g} {'✓' if xf >= goal else '✗'}")
                    if goal is not None and xf is not None:
                        summary.append(xf >= goal)
                    ratio16 = "–"
                    if dtype == "bfloat16" and wi_row:
                        f32 = get(shape, "float32", t, dist, "weightinit")
                        if f32:
                            r16 = f32["best_s"] / wi_row["best_s"]
                            ratio16 = f"{r16:.2f} {'✓' if r16 >= 1 else '✗'}"
                    add("| " + " | ".join(
                        [shape_str(shape), dtype, thr_label(t), dist,
                         f"{gbs(fl):.2f}{star(fl)}" if fl else "–",
                         f"{w:.3f}{star(wi_row)}" if w else "–", fmt_ratio(xf), goal_s,
                         fmt_ratio(xp), best_peer or "–"] + cells + [ratio16]) + " |")
    add("")
    if summary:
        add(f"×floor goals met: {sum(summary)} of {len(summary)} cases.")
        add("")

    skipped = sorted({(r["lib"], r["dist"], r["skipped"]) for r in rows if "skipped" in r})
    if skipped:
        add("n/a: " + "; ".join(f"{lib} {dist}: {why}" for lib, dist, why in skipped) + ".")
        add("")

    add("## Peak memory above the output (MiB, per case, same process)")
    add("")
    add("Peak RSS during one fresh-tensor call minus the RSS before it minus the output's size "
        "(VmHWM after resetting it through /proc/self/clear_refs; max over repetitions). "
        "Memory a library's allocator already holds is not counted.")
    add("")
    head = ["shape", "dtype", "threads", "init", "output MiB", "floor", "weightinit"] + peers
    add("| " + " | ".join(head) + " |")
    add("|" + "|".join(["---"] * 4 + ["---:"] * (len(head) - 4)) + "|")
    for shape in shapes:
        for t in threads:
            for dtype in dtypes:
                fl = get(shape, dtype, t, "-", "floor")
                for dist in dists:
                    cells = []
                    nbytes = None
                    for lib in ["floor", "weightinit"] + peers:
                        r = fl if lib == "floor" else get(shape, dtype, t, dist, lib)
                        if r is None or r.get("peak_bytes") is None:
                            cells.append("–")
                            continue
                        nbytes = r["bytes"]
                        cells.append(fmt_mib(r["peak_bytes"] - r["bytes"]))
                    if nbytes is None:
                        continue
                    add("| " + " | ".join([shape_str(shape), dtype, thr_label(t), dist,
                                           f"{nbytes / MIB:.0f}"] + cells) + " |")
    add("")

    if peaks:
        add(f"## weightinit peak memory, fresh process (goal: output + < {PEAK_GOAL_MIB} MiB)")
        add("")
        add("One `weightinit.new` with all threads in a new process, after a small warm-up fill; "
            "ru_maxrss after it minus the RSS before it (peak counter reset through "
            "/proc/self/clear_refs).")
        add("")
        add("| shape | dtype | distribution | output MiB | above output MiB | goal | method |")
        add("|---|---|---|---:|---:|---|---|")
        for p in peaks:
            over = p["peak_over_output"] / MIB
            add(f"| {shape_str(p['shape'])} | {p['dtype']} | {p['dist']} | "
                f"{p['bytes'] / MIB:.0f} | {over:+.1f} | "
                f"{'✓' if over < PEAK_GOAL_MIB else '✗'} | {p['method']} |")
        add("")

    kern = next((o["kernel"] for o in outs if o.get("kernel")), None)
    if kern:
        add(f"## Kernel: ns/element into a cache-resident buffer ({kern['elements']} elements, "
            "1 thread, repeated fills; lower is better)")
        add("")
        add("raw = whole `weightinit.fill` call / elements; net = after subtracting the time of "
            "a 1-element fill (the Python call overhead, shown in µs).")
        add("")
        add("| target | dtype | uniform raw | uniform net | normal raw | normal net | "
            "truncated raw | truncated net | call µs | other CPUs |")
        add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        by = {}
        for r in kern["rows"]:
            by.setdefault((r["target"], r["dtype"]), {})[r["dist"]] = r
        for (target, dtype), d in by.items():
            cells = []
            for dist in KERNEL_DISTS:
                r = d.get(dist)
                cells += ([f"{r['ns_per_element']:.3f}", f"{r['net_ns_per_element']:.3f}"]
                          if r else ["–", "–"])
            over = next(iter(d.values()))["call_overhead_us"]
            loads = [r["other_load"] for r in d.values() if r.get("other_load") is not None]
            mark = " (default)" if target == kern["active"] else ""
            add(f"| {target}{mark} | {dtype} | " + " | ".join(cells) + f" | {over:.2f} | "
                + (f"{max(loads):.2f}" if loads else "–") + " |")
        add("")
        add("NumPy Generator into the same float32 buffer: " + ", ".join(
            f"{r['dist']} {r['ns_per_element']:.3f} ns/element" for r in kern["numpy"]) + ".")
        add("")
    return "\n".join(lines)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="4096x4096 only, fewer repetitions, shorter kernel timings")
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
    ap.add_argument("--no-kernel", action="store_true", help="skip the kernel section")
    ap.add_argument("--no-peak", action="store_true", help="skip the fresh-process peak check")
    ap.add_argument("--output", help="also write the markdown to this file")
    ap.add_argument("--json", help="also write the raw results as JSON to this file")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Internal entry points of the subprocesses.
    if argv and argv[0] == "--worker":
        result = worker(json.loads(argv[1]))
        with open(argv[2], "w") as f:
            json.dump(result, f)
        return 0
    if argv and argv[0] == "--peak-child":
        shape, dtype, dist = json.loads(argv[1])
        with open(argv[2], "w") as f:
            json.dump(peak_child(tuple(shape), dtype, dist), f)
        return 0

    args = parse_args(argv)
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
    cfg = {"shapes": shapes, "peers": peers, "dtypes": args.dtypes.split(","), "dists": dists,
           "reps": args.reps or (3 if args.quick else 5),
           "budget": args.budget or (1.5 if args.quick else 4.0),
           "case_limit": args.case_limit, "quick": args.quick, "all_threads": all_threads}

    info = machine_info()
    print(f"weightinit benchmark on {info['model']} ({all_threads} CPUs); threads {threads}, "
          f"shapes {[shape_str(s) for s in shapes]}; progress below, tables at the end.",
          file=sys.stderr)
    t0 = time.perf_counter()
    outs = []
    kernel_done = args.no_kernel
    for t in threads:
        wcfg = dict(cfg, threads=t, pin=t < all_threads, kernel=(t == 1 and not kernel_done))
        kernel_done = kernel_done or wcfg["kernel"]
        outs.append(run_child(["--worker", json.dumps(wcfg)], child_env(t, all_threads)))
    if not kernel_done:
        wcfg = dict(cfg, threads=1, pin=True, kernel=True, shapes=[], peers=[])
        outs.append(run_child(["--worker", json.dumps(wcfg)], child_env(1, all_threads)))

    peaks = []
    if not args.no_peak:
        for shape in shapes:
            for dtype in cfg["dtypes"]:
                for dist in ("uniform", "normal", "truncated_normal"):
                    try:
                        peaks.append(run_child(["--peak-child", json.dumps([shape, dtype, dist])],
                                               child_env(all_threads, all_threads)))
                    except RuntimeError as exc:
                        print(f"peak check {shape} {dtype} {dist}: {exc}", file=sys.stderr)
    wall = time.perf_counter() - t0
    text = render(cfg, outs, peaks, info, wall)
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"config": cfg, "machine": info, "workers": outs, "peaks": peaks,
                       "wall_s": wall}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
