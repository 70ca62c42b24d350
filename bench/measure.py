# SPDX-License-Identifier: BSD-3-Clause
"""Meters and the throughput worker: time, peak memory, CPU load from others, the machine.

Every function that imports weightinit runs in a worker subprocess (see compare.py), never in
the parent: each thread setting gets its own process, and only the installed package is seen.
"""

from __future__ import annotations

import gc
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from peers import Floor, Skip, WeightInit, law, load_peer, np_dtype

MIB = 1 << 20
# Variables that slow NumPy on this machine; never passed to the workers.
UNSET_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# glibc's malloc serves large blocks with mmap only above a threshold that it raises after
# each free (up to 32 MiB), after which a "fresh" tensor may reuse resident heap memory and
# skip its page faults. A fixed threshold makes every tensor of 16 MiB or more a fresh mapping
# in every library, as on the first call.
MALLOC_MMAP_THRESHOLD = str(16 * MIB)
KERNEL_DISTS = ("uniform", "normal", "truncated_normal")
KERNEL_ELEMENTS = 1 << 16


def shape_str(shape) -> str:
    return "×".join(str(d) for d in shape)


def all_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------------------------------
# Memory: peak resident set above a baseline, without psutil or tracemalloc
# ---------------------------------------------------------------------------------------

def status_kib(key: str):
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
        self.base = status_kib("VmRSS")
        if self.can_reset:
            reset_peak()

    def stop(self):
        if not self.can_reset or self.base is None:
            return None
        hwm = status_kib("VmHWM")
        return None if hwm is None else (hwm - self.base) * 1024


# ---------------------------------------------------------------------------------------
# CPU time of other processes
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

    def mean_since(self, before, t0: float):
        """Mean CPUs kept busy by others since the sample `before` taken at `t0`."""
        if not self.ok:
            return None
        return self.other(before, self.sample()) / max(time.perf_counter() - t0, 1e-9)


LOAD = LoadMeter()


# ---------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------

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
                    the_law = law(dist, (KERNEL_ELEMENTS,))
                    kind, params = the_law.kind, the_law.params
                    s0, t0 = LOAD.sample(), time.perf_counter()
                    per_call = time_kernel(
                        lambda: wi.fill(buf, kind, params, seed=1), KERNEL_ELEMENTS, min_time)
                    rows.append({"target": target, "dtype": dtype, "dist": dist,
                                 "ns_per_element": per_call / KERNEL_ELEMENTS * 1e9,
                                 "net_ns_per_element":
                                     max(per_call - overhead, 0.0) / KERNEL_ELEMENTS * 1e9,
                                 "call_overhead_us": overhead * 1e6,
                                 "other_load": LOAD.mean_since(s0, t0)})
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

def worker(cfg: dict) -> dict:
    """Floor, weightinit and every peer on every shape, dtype and initializer of `cfg`."""
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
    out["wall_s"] = time.perf_counter() - w_t0
    out["other_load"] = LOAD.mean_since(w_sample, w_t0)
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


def probe() -> dict:
    """Where the weightinit this interpreter imports lives (run in a child, before anything)."""
    import weightinit
    return {"version": weightinit.__version__,
            "package": os.path.dirname(os.path.realpath(weightinit.__file__)),
            "core": os.path.realpath(weightinit._core.__file__),
            "target": weightinit.cpu_targets()["active"], "build": core_build()}


def peak_child(shape, dtype: str, dist: str) -> dict:
    """In a fresh process: peak RSS of one ``weightinit.new`` above the RSS before it."""
    import weightinit as wi
    wi.set_num_threads(all_cpus())
    the_law = law(dist, shape)
    kind, params = the_law.kind, the_law.params
    wi.new((256, 256), dtype, kind, params, seed=1)  # start the pool, load code
    gc.collect()
    rss_before = status_kib("VmRSS")
    reset = reset_peak()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = wi.new(shape, dtype, kind, params, seed=2)
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # With the counter reset, ru_maxrss is the peak since just before the fill; without it,
    # it is the process's peak, which in a fresh process is about the RSS before the fill.
    base = rss_before if (reset and rss_before is not None) else maxrss_before
    return {"shape": list(shape), "dtype": dtype, "dist": dist, "bytes": out.nbytes,
            "peak_over_output": (maxrss_after - base) * 1024 - out.nbytes,
            "method": "clear_refs + ru_maxrss" if reset else "ru_maxrss delta"}


def machine_info() -> dict:
    """CPU model, CPU count, SIMD flags, memory and Python version of this machine."""
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
