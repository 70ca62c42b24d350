# SPDX-License-Identifier: BSD-3-Clause
"""The markdown report of a benchmark run (compare.py writes the JSON itself)."""

from __future__ import annotations

import math

import numpy as np

from measure import KERNEL_DISTS, MALLOC_MMAP_THRESHOLD, MIB, UNSET_ENV, shape_str
from peers import DTYPES

# Targets from the issue: ratio of weightinit's GB/s to the floor's.
GOALS = {"uniform": 0.85, "glorot_uniform": 0.85,
         "normal": 0.6, "truncated_normal": 0.6, "he_normal": 0.6}
PEAK_GOAL_MIB = 16
# A case during which other processes kept more CPUs than this busy is marked "*".
LOAD_WARN = 0.25


def gbs(row) -> float:
    return row["bytes"] / row["best_s"] / 1e9


def fmt_ratio(x) -> str:
    return "–" if x is None else f"{x:.2f}×"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def fmt_mib(b) -> str:
    return "–" if b is None else f"{b / MIB:+.1f}"


def render(cfg: dict, outs: list, peaks: list, info: dict, wall: float, where: dict,
           overhead: dict | None = None, orthogonal: dict | None = None) -> str:
    """The markdown report: header, throughput, peak memory, kernel, overhead, orthogonal."""
    lines = []
    add = lines.append
    add("# weightinit vs peers: fresh-tensor initialization throughput")
    add("")
    add(f"- Machine: {info['model']}, {info['cpus']} CPUs ({info['flags']}), {info['memory']}; "
        f"Python {info['python']}; run took {wall / 60:.1f} min.")
    add(f"- weightinit measured: the installed package in {where['package']}.")
    calls = [c for c in (overhead, orthogonal) if c]
    versions = {"weightinit": f"{where['version']} (target {where['target']}, {where['build']})"}
    for o in outs + calls:
        versions.update(o["versions"])
    versions.setdefault("numpy", np.__version__)
    add("- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".")
    rows = [r for o in outs for r in o["results"]]
    if rows:
        add("- One worker process per thread setting runs the floor, weightinit and every peer "
            "(TensorFlow's and JAX's thread counts are fixed at start-up). "
            "1-thread workers are pinned to one CPU and set every library to 1 thread "
            "(torch.set_num_threads, TF intra/inter-op 1, XLA_FLAGS without Eigen "
            "multithreading).")
        add(f"- Each case: a fresh tensor per repetition, best of up to {cfg['reps']} "
            f"repetitions (fewer once {cfg['budget']:g} s are spent); GB/s = output bytes / best "
            f"time. Workers run with MALLOC_MMAP_THRESHOLD_={MALLOC_MMAP_THRESHOLD} (every tensor "
            "of 16 MiB or more is a fresh mapping, page faults included) and without "
            + " / ".join(UNSET_ENV) + ".")
        add("- numpy with n threads: one Generator per row block (SeedSequence.spawn) in a "
            "thread pool; its bfloat16 is a float32 draw cast by ml_dtypes (cast counted). "
            "torch he_normal = trunc_normal_(0, σ, ±2σ) (kaiming_normal_ is not truncated). "
            "TF glorot/he = tf.keras.initializers; JAX = jax.random / jax.nn.initializers, "
            "compiled ahead of time. The laws of weightinit, numpy and torch come from "
            "weightinit's law table.")
    loads = [(f"{'all' if o['threads'] == cfg['all_threads'] else o['threads']}-thread worker",
              o.get("other_load"), o.get("wall_s", 0)) for o in outs]
    loads += [(f"{name} section", c.get("other_load"), c.get("wall_s", 0))
              for name, c in (("overhead", overhead), ("orthogonal", orthogonal)) if c]
    if any(x is not None for _, x, _ in loads):
        add("- CPU time not ours (busy + hypervisor steal time from /proc/stat minus this "
            "benchmark's own CPU time): " + "; ".join(
                f"{what} ({_minutes(w)}) {x:.2f} CPUs on average"
                for what, x, w in loads if x is not None)
            + f". Cells marked * ran while other processes or steal took > {LOAD_WARN} CPUs: "
            "treat them as noisy.")
    builds = {o["versions"].get("weightinit") for o in outs} - {versions["weightinit"]}
    if builds:
        add("- Warning: the weightinit extension changed during the run: " + "; ".join(
            sorted(b for b in builds if b)) + ".")
    notes = sorted({n for o in outs + calls for n in o["notes"]})
    for n in notes:
        add(f"- Note: {n}")
    add("")
    if rows:
        render_throughput(add, cfg, rows)
    if peaks:
        render_fresh_peaks(add, peaks)
    kern = next((o["kernel"] for o in outs if o.get("kernel")), None)
    if kern:
        render_kernel(add, kern)
    if overhead:
        render_overhead(add, overhead)
    if orthogonal:
        render_orthogonal(add, orthogonal)
    return "\n".join(lines)


def render_throughput(add, cfg: dict, rows: list) -> None:
    """The throughput table and the per-case peak memory table."""
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
    add("×floor = weightinit / floor; ×uniform = weightinit / weightinit's own uniform in the "
        "same case (stream v2 aims at ≥ 0.75 for normal and truncated normal); ×best peer = "
        "weightinit / the fastest peer; goal = the "
        "issue's ×floor target (✓ met, ✗ not yet); bf16/f32 = weightinit bfloat16 elements/s "
        "over float32 elements/s (goal ≥ 1).")
    add("")
    head = (["shape", "dtype", "threads", "init", "floor", "weightinit", "×floor", "goal",
             "×uniform", "×best peer", "best peer"] + peers + ["bf16/f32"])
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
                    uni = get(shape, dtype, t, "uniform", "weightinit")
                    xu = w / gbs(uni) if (w and uni and dist != "uniform") else None
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
                         fmt_ratio(xu), fmt_ratio(xp), best_peer or "–"] + cells + [ratio16]) + " |")
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


def render_fresh_peaks(add, peaks: list) -> None:
    """weightinit's peak memory in a fresh process."""
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


def render_kernel(add, kern: dict) -> None:
    """ns/element per target and dtype, and NumPy for scale."""
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


def _goal(value, goal, unit: str = "×") -> str:
    if goal is None or value is None:
        return "–"
    return f"≤ {goal:g}{unit} {'✓' if value <= goal else '✗'}"


def _load_line(add, section: dict) -> None:
    """How busy other processes kept the CPUs during a section, flagged when noisy."""
    load = section.get("other_load")
    if load is not None:
        add(f"Other processes (and steal) kept {load:.2f} CPUs busy on average during this "
            "section" + (": noisy, rerun on a quieter machine." if load > LOAD_WARN else "."))
        add("")


def render_overhead(add, ov: dict) -> None:
    """Small calls: weightinit's µs, the peer's µs, the ratio and the goal."""
    add("## Per-call overhead (µs per call, best of many; lower is better)")
    add("")
    if "skipped" in ov:
        add(f"Not run: {ov['skipped']}.")
        add("")
        return
    add(f"One process, default threads (weightinit {ov['threads']['weightinit']}, torch "
        f"{ov['threads']['torch']}). Each call is timed in batches of ≥ {ov['batch_s'] * 1e3:g} ms "
        f"(`timeit`), weightinit's and the peer's batches alternating for {ov['rounds']} "
        "rounds; the best batch / its loop count. ratio = weightinit's time / the peer's "
        "(lower is better); the goals are the issue's.")
    add("")
    add("| call | weightinit µs | peer | peer µs | ratio | goal |")
    add("|---|---:|---|---:|---:|---|")
    for r in ov["rows"]:
        if r["goal_us"] is not None:
            goal = _goal(r["weightinit_us"], r["goal_us"], " µs")
        else:
            goal = _goal(r["ratio"], r["goal_ratio"])
        peer_us = f"{r['peer_us']:.2f}" if r["peer_us"] else "–"
        add(f"| {r['call']} | {r['weightinit_us']:.2f} | {r['peer'] if r['peer_us'] else '–'} "
            f"| {peer_us} | {fmt_ratio(r['ratio'])} | {goal} |")
    add("")
    frames = ov["frames"]
    add("Python frames from a TF1 `__call__` to the binding call (`TruncatedNormal(stddev=0.02, "
        "seed=1)((768,))`, `__call__` and the binding's caller included): "
        + ("not seen (the binding was not called from Python)" if frames is None else
           f"{frames} ({_goal(frames, ov['frames_goal'], '')})") + ".")
    add("")
    _load_line(add, ov)


def render_orthogonal(add, orth: dict) -> None:
    """Orthogonal on one large shape: seconds and ratio to torch."""
    if "skipped" in orth:
        add("## Orthogonal")
        add("")
        add(f"Not run: {orth['skipped']}.")
        add("")
        return
    add(f"## Orthogonal, {shape_str(orth['shape'])} float32 (seconds; lower is better)")
    add("")
    add(f"One process, default threads (weightinit {orth['threads']['weightinit']}, torch "
        f"{orth['threads']['torch']}); each call makes a fresh tensor; the libraries take "
        "turns; best of the repetitions. ratio = time / torch's `nn.init.orthogonal_` "
        f"(goal ≤ {orth['goal_ratio']:g}× for weightinit).")
    add("")
    add("| call | best s | reps | ratio to torch | goal |")
    add("|---|---:|---:|---:|---|")
    for r in orth["rows"]:
        goal = _goal(r["ratio"], orth["goal_ratio"]) if r["call"].startswith("weightinit") else "–"
        add(f"| {r['call']} | {r['best_s']:.3f} | {r['reps']} | {fmt_ratio(r['ratio'])} | "
            f"{goal} |")
    add("")
    _load_line(add, orth)
