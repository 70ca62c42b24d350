# SPDX-License-Identifier: BSD-3-Clause
"""Per-call sections: the Python overhead of small calls, and Orthogonal on a large matrix.

Both run in one child process each (see compare.py), with the libraries' default thread
counts, and time weightinit and its peer interleaved, so that both share the same moments
of a noisy machine.
"""

from __future__ import annotations

import gc
import math
import sys
import time
import timeit

from measure import LOAD, shape_str

# The targets: weightinit's time over torch's for a call on a 768-element float32
# tensor, a TF1 call in microseconds, and Python frames from a TF1 __call__ to the binding.
OVERHEAD_ELEMENTS = 768
KAIMING_SHAPE = (768, 768)
TF1_CALL_GOAL_US = 20.0
FRAMES_GOAL = 12
ORTHOGONAL_GOAL = 1.0


def _versions(peers_loaded: dict) -> dict:
    return {name: mod.__version__ for name, mod in peers_loaded.items()}


def skipped(why: str) -> dict:
    """A section that did not run, and why."""
    return {"skipped": why, "notes": [], "versions": {}}


def _load_tf(peers):
    """TensorFlow if it is a requested peer and installed, else None (with the reason)."""
    if "tensorflow" not in peers:
        return None, None
    try:
        import tensorflow as tf
    except ImportError as exc:
        return None, f"tensorflow: not installed ({exc}); skipped"
    return tf, None


def _peers(cfg: dict):
    """(torch, tf, notes) for a section timed against torch (and TF when requested), or
    (None, None, why) when torch is not installed."""
    try:
        import torch
    except ImportError as exc:
        return None, None, f"torch not installed ({exc})"
    tf, why = _load_tf(cfg["peers"])
    return torch, tf, [why] if why else []


def interleaved_best(calls: dict, rounds: int, batch_s: float) -> dict:
    """Best seconds per call of each function in `calls`, timed in alternation.

    Each function is warmed up, then given a loop count that makes one batch last at least
    `batch_s` (as ``timeit``'s autorange does). Every round times one batch of each function
    (``timeit``, garbage collection off), the order reversed every other round; a function's
    result is its fastest batch over the rounds divided by its loop count.
    """
    timers, loops = {}, {}
    for name, fn in calls.items():
        fn()
        timers[name] = timeit.Timer(fn)
        n = 1
        while timers[name].timeit(n) < batch_s and n < 1 << 22:
            n *= 2
        loops[name] = n
    best = {name: math.inf for name in calls}
    names = list(calls)
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            best[name] = min(best[name], timers[name].timeit(loops[name]) / loops[name])
    return best


def frames_to_binding(call) -> int | None:
    """Python frames from `call`'s callee (included) to the frame that calls
    ``weightinit._core.fill`` (included), for its first binding call; None if none is seen.

    A profile hook sees every call of a C function from Python (``c_call``) with the
    function object, so the count does not depend on how the package names the binding.
    """
    from weightinit import _core
    target = _core.fill
    seen = []

    def depth(frame):
        d = 0
        while frame is not None:
            d += 1
            frame = frame.f_back
        return d

    def hook(frame, event, arg):
        if event == "c_call" and arg is target and not seen:
            seen.append(depth(frame))

    base = depth(sys._getframe())  # this frame; `call` runs one below it
    sys.setprofile(hook)
    try:
        call()
    finally:
        sys.setprofile(None)
    # The frames between this one and the binding's caller: `call` itself (a lambda here)
    # does not count, so one is taken off.
    return seen[0] - base - 1 if seen else None


def overhead_section(cfg: dict) -> dict:
    """weightinit's small calls against torch's (and TF's, when requested), best of many."""
    import weightinit as wi
    torch, tf, notes = _peers(cfg)
    if torch is None:
        return skipped(notes)
    rounds, batch_s = (25, 0.01) if cfg["quick"] else (50, 0.02)
    vec = torch.empty(OVERHEAD_ELEMENTS, dtype=torch.float32)
    mat = torch.empty(KAIMING_SHAPE, dtype=torch.float32)
    ours, tinit = wi.init, torch.nn.init
    sqrt5 = math.sqrt(5)
    n = OVERHEAD_ELEMENTS
    ini = wi.tf1.TruncatedNormal(stddev=0.02, seed=1)
    tf_ini = tf.compat.v1.truncated_normal_initializer(stddev=0.02, seed=1) if tf else None
    shape = (n,)
    # (what, weightinit's call, peer, peer's call or None, goal: ratio to the peer, µs)
    cases = [
        (f"init.normal_ ({n} float32)", lambda: ours.normal_(vec),
         "torch", lambda: tinit.normal_(vec), 1.0, None),
        (f"init.zeros_ ({n} float32)", lambda: ours.zeros_(vec),
         "torch", lambda: tinit.zeros_(vec), 1.25, None),
        (f"init.ones_ ({n} float32)", lambda: ours.ones_(vec),
         "torch", lambda: tinit.ones_(vec), 1.25, None),
        (f"init.constant_(t, 0.5) ({n} float32)", lambda: ours.constant_(vec, 0.5),
         "torch", lambda: tinit.constant_(vec, 0.5), 1.25, None),
        (f"init.kaiming_uniform_(w, a=√5) ({shape_str(KAIMING_SHAPE)} float32)",
         lambda: ours.kaiming_uniform_(mat, a=sqrt5),
         "torch", lambda: tinit.kaiming_uniform_(mat, a=sqrt5), None, None),
        (f"tf1.TruncatedNormal(stddev=0.02, seed=1)(({n},))",
         lambda: wi.tf1.TruncatedNormal(stddev=0.02, seed=1)(shape),
         "tensorflow", (lambda: tf.compat.v1.truncated_normal_initializer(
             stddev=0.02, seed=1)(shape)) if tf else None, None, TF1_CALL_GOAL_US),
        (f"the same TF1 instance called again (({n},))", lambda: ini(shape),
         "tensorflow", (lambda: tf_ini(shape)) if tf else None, None, TF1_CALL_GOAL_US),
    ]
    rows = []
    s0, t0 = LOAD.sample(), time.perf_counter()
    for what, mine, peer_name, peer, goal_ratio, goal_us in cases:
        calls = {"weightinit": mine}
        if peer is not None:
            calls[peer_name] = peer
        best = interleaved_best(calls, rounds, batch_s)
        row = {"call": what, "weightinit_us": best["weightinit"] * 1e6, "peer": peer_name,
               "peer_us": best[peer_name] * 1e6 if peer_name in best else None,
               "goal_ratio": goal_ratio, "goal_us": goal_us}
        row["ratio"] = row["weightinit_us"] / row["peer_us"] if row["peer_us"] else None
        rows.append(row)
        print(f"  overhead {what}: {row['weightinit_us']:.2f} µs"
              + (f", {peer_name} {row['peer_us']:.2f} µs, {row['ratio']:.2f}×"
                 if row["peer_us"] else ""), file=sys.stderr)
    frames = frames_to_binding(lambda: ini(shape))
    print(f"  frames from a TF1 __call__ to the binding: {frames}", file=sys.stderr)
    loaded = {"torch": torch}
    if tf:
        loaded["tensorflow"] = tf
    return {"rows": rows, "frames": frames, "frames_goal": FRAMES_GOAL, "rounds": rounds,
            "batch_s": batch_s, "threads": {"weightinit": wi.get_num_threads(),
                                            "torch": torch.get_num_threads()},
            "other_load": LOAD.mean_since(s0, t0), "wall_s": time.perf_counter() - t0,
            "notes": notes,
            "versions": _versions(loaded)}


def orthogonal_section(cfg: dict) -> dict:
    """init.orthogonal_ and tf1.Orthogonal against torch's (and TF's) on one shape."""
    import weightinit as wi
    torch, tf, notes = _peers(cfg)
    if torch is None:
        return skipped(notes)
    shape = tuple(cfg["orthogonal_shape"])
    reps, budget = cfg["reps"], cfg["budget"]
    calls = {
        "weightinit init.orthogonal_": lambda: wi.init.orthogonal_(torch.empty(shape)),
        "torch nn.init.orthogonal_": lambda: torch.nn.init.orthogonal_(torch.empty(shape)),
        "weightinit tf1.Orthogonal()": lambda: wi.tf1.Orthogonal()(shape),
    }
    if tf:
        calls["tensorflow compat.v1.orthogonal_initializer()"] = (
            lambda: tf.compat.v1.orthogonal_initializer()(shape).numpy())
    small = tuple(min(d, 64) for d in shape)
    wi.init.orthogonal_(torch.empty(small))  # load code, start thread pools
    torch.nn.init.orthogonal_(torch.empty(small))
    wi.tf1.Orthogonal()(small)
    if tf:
        tf.compat.v1.orthogonal_initializer()(small)
    times = {name: [] for name in calls}
    s0, t0 = LOAD.sample(), time.perf_counter()
    # Round-robin, so that every library meets the same noisy moments; a library stops
    # repeating once `budget` seconds are spent on it (a one-minute call runs once).
    for _ in range(max(1, reps)):
        for name, call in calls.items():
            if times[name] and (len(times[name]) >= reps or sum(times[name]) >= budget):
                continue
            gc.collect()
            start = time.perf_counter()
            out = call()
            times[name].append(time.perf_counter() - start)
            del out
            print(f"  orthogonal {shape_str(shape)} {name}: {times[name][-1]:.2f} s",
                  file=sys.stderr)
    best = {name: min(t) for name, t in times.items()}
    ref = best["torch nn.init.orthogonal_"]
    rows = [{"call": name, "best_s": best[name], "reps": len(times[name]),
             "ratio": best[name] / ref} for name in calls]
    loaded = {"torch": torch}
    if tf:
        loaded["tensorflow"] = tf
    return {"shape": list(shape), "rows": rows, "goal_ratio": ORTHOGONAL_GOAL,
            "threads": {"weightinit": wi.get_num_threads(), "torch": torch.get_num_threads()},
            "other_load": LOAD.mean_since(s0, t0), "wall_s": time.perf_counter() - t0,
            "notes": notes,
            "versions": _versions(loaded)}
