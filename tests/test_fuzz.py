# SPDX-License-Identifier: BSD-3-Clause
"""Fuzzers over the public fill API (weightinit.fill / new / set_num_threads / set_target).

* The argument fuzzer calls the API with random, mostly hostile arguments: every call must
  return its output or raise TypeError / ValueError, never anything else (and never crash or
  hang); a fill that succeeds writes only finite values inside its law's range.
* The differential fuzzer fills random boxes of random tensors through random strided views
  (steps, negative steps, transposes, gaps; NumPy arrays and torch tensors) with random
  dtypes, laws, kernel targets and thread counts, and compares each with the same box of a
  scalar one-thread fill of the whole tensor, bit for bit, checking that no byte outside the
  view changed.

Fixed seeds; WEIGHTINIT_FUZZ_CALLS sets the total number of calls (default 20,000, about 4/5
argument calls, 1/5 differential cases). Long mode: ``WEIGHTINIT_FUZZ_CALLS=1000000 python -m
pytest tests/test_fuzz.py``. A failure names its seed and call index.
"""

from __future__ import annotations

import math
import os

import ml_dtypes
import numpy as np
import pytest

import optional

import weightinit as wi

BF16 = np.dtype(ml_dtypes.bfloat16)

CALLS = int(os.environ.get("WEIGHTINIT_FUZZ_CALLS", "20000"))
SHARDS = 8
ARG_CALLS = CALLS * 4 // 5 // SHARDS
DIFF_CASES = CALLS // 5 // SHARDS

FLOATS = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)] + [BF16]
WORDS = [np.dtype(np.uint32), np.dtype(np.uint64)]
LAWS = ("uniform", "normal", "truncated_normal", "truncated_normal_between", "bits")
NPARAMS = {"uniform": 2, "normal": 2, "truncated_normal": 4, "truncated_normal_between": 4, "bits": 0}
TARGETS = wi.cpu_targets()["available"]

# Values that sit on an edge of some rule: dtype limits, the reach of the normal transform,
# the far-tail limit, subnormals, infinities, NaN.
EDGES = [0.0, -0.0, 1.0, 0.5, 2.0, 1e-3, 1e-9, 1e-15, 1e-300, 5e-324, 2.2250738585072014e-308,
         6.23, 6.34, 8.21, 37.0, 37.5, 38.0, 40.0, 500.0, 65504.0, 65520.0, 1e5,
         3.3895313892515355e38, 3.4028234663852886e38, 3.5e38, 1e300, 1.7976931348623157e308,
         math.inf, math.nan]


def _real(rng):
    """A float: an edge value (either sign), a random magnitude, or a near-edge neighbour."""
    r = rng.random()
    if r < 0.45:
        v = EDGES[rng.integers(len(EDGES))]
    elif r < 0.6:
        v = math.nextafter(EDGES[rng.integers(len(EDGES) - 2)], math.inf)
    else:
        v = float(rng.normal() * 10.0 ** rng.integers(-12, 12))
    return -v if rng.random() < 0.4 else v


def _param(rng):
    """A parameter value: mostly a float, sometimes another real type or a non-number.

    Strings and ints beyond float range are the parameter-typing layer's to refuse; they are
    not generated here."""
    r = rng.random()
    v = _real(rng)
    if r < 0.8:
        return v
    if r < 0.86:
        return np.float32(v) if abs(v) < 3e38 or not math.isfinite(v) else np.float64(v)
    if r < 0.9:
        return int(rng.integers(-100, 100))
    if r < 0.93:
        return np.float64(v)
    return [None, True, 1 + 2j, [1.0], object()][rng.integers(5)]


def _params(rng, law):
    n = NPARAMS.get(law, 2)
    r = rng.random()
    if r < 0.03:
        return [None, 5, 1.0][rng.integers(3)]
    if r < 0.08:
        n = int(rng.integers(0, 6))
    out = [_param(rng) for _ in range(n)]
    if law in ("uniform", "truncated_normal_between") and n >= 2 and rng.random() < 0.7:
        # Mostly ordered bounds, so that the law's own checks are reached.
        lo, hi = out[-2], out[-1]
        try:
            if float(lo) > float(hi):
                out[-2], out[-1] = hi, lo
        except (TypeError, ValueError):
            pass
    if law == "truncated_normal" and rng.random() < 0.5:
        a = float(rng.normal() * 10.0 ** rng.integers(-3, 2))
        out[2:4] = [a, a + float(10.0 ** rng.uniform(-16, 1))]
    if law in ("normal", "truncated_normal", "truncated_normal_between") and n >= 2 and rng.random() < 0.5:
        out[1] = abs(float(rng.normal())) * 10.0 ** int(rng.integers(-5, 6))
    return tuple(out) if rng.random() < 0.9 else list(out)


def _int_arg(rng):
    r = rng.random()
    if r < 0.85:
        return int(rng.integers(0, 1 << 62)) if rng.random() < 0.5 else int(rng.integers(0, 10))
    return [2**64 - 1, 2**64, -1, 2**63, 1.5, True, None, np.uint64(5), np.int8(-1), "1"][rng.integers(10)]


def _out(rng):
    r = rng.random()
    if r < 0.03:
        return [[1.0, 2.0], None, "abc", 3.0][rng.integers(4)]
    dts = FLOATS + WORDS + [np.dtype(np.int32), np.dtype(">f4"), np.dtype(np.complex64), np.dtype(bool)]
    dt = FLOATS[rng.integers(len(FLOATS))] if rng.random() < 0.75 else dts[rng.integers(len(dts))]
    rank = int(rng.integers(0, 4))
    shape = tuple(int(rng.integers(0, 9)) if rng.random() < 0.9 else int(rng.integers(9, 120))
                  for _ in range(rank))
    a = np.zeros(shape, dt)
    r = rng.random()
    if rank and r < 0.1:
        a = a[::2] if rng.random() < 0.5 else a[::-1]
    elif rank > 1 and r < 0.15:
        a = a.T
    elif r < 0.18:
        a.flags.writeable = False
    elif rank and r < 0.2:
        a = np.lib.stride_tricks.as_strided(a, shape, (0,) * rank, writeable=True)
    return a


def _box(rng, shape):
    r = rng.random()
    if r < 0.7:
        return None, None
    if r < 0.9:
        g = tuple(d + int(rng.integers(0, 5)) for d in shape)
        s = tuple(int(rng.integers(0, gd - d + 1)) for gd, d in zip(g, shape))
        return g, s
    choices = [((1 << 62,) * len(shape), (0,) * len(shape)), (shape, tuple(d + 1 for d in shape)),
               (shape + (1,), None), ((-1,) * len(shape), None), ([2.5] * len(shape), None),
               (shape, (-1,) * len(shape)), ("ab", None)]
    return choices[rng.integers(len(choices))]


def _check_values(out, law, params):
    """A successful float fill: finite values inside the law's range."""
    if not (isinstance(out, np.ndarray) and out.dtype in FLOATS) or out.size == 0:
        return None
    v = out.astype(np.float64)
    if not np.isfinite(v).all():
        return "non-finite value written"
    p = [float(x) for x in params]
    if law == "uniform" and not (v.min() >= p[0] and v.max() < p[1]):
        return f"uniform value outside [{p[0]}, {p[1]})"
    if law == "truncated_normal":
        lo, hi = p[0] + p[1] * p[2], p[0] + p[1] * p[3]
        if not (v.min() >= lo and v.max() <= hi):
            return f"truncated value outside [{lo}, {hi}]"
    if law == "truncated_normal_between" and not (v.min() >= p[2] and v.max() <= p[3]):
        return f"truncated value outside [{p[2]}, {p[3]}]"
    return None


@pytest.mark.parametrize("shard", range(SHARDS))
def test_argument_fuzzer(shard):
    rng = np.random.default_rng(0xF022 + shard)
    counts = {"ok": 0, "TypeError": 0, "ValueError": 0}
    for call in range(ARG_CALLS):
        kind = rng.random()
        if kind < 0.02:
            n = [1, 2, 3, 4, 0, -1, 257, 2**31, 2**100, 2.0, True, None][rng.integers(12)]
            fn, args, kwargs = wi.set_num_threads, (n,), {}
        elif kind < 0.03:
            name = (TARGETS + ["bogus", "", "AVX2", None])[rng.integers(len(TARGETS) + 4)]
            fn, args, kwargs = wi.set_target, (name,), {}
        else:
            law = LAWS[rng.integers(len(LAWS))] if rng.random() < 0.95 else ["gamma", "", None, 3][rng.integers(4)]
            params = _params(rng, law)
            kwargs = {"seed": _int_arg(rng)}
            for k in ("stream", "offset"):
                if rng.random() < 0.3:
                    kwargs[k] = _int_arg(rng)
            if kind < 0.15:
                shape = tuple(int(x) for x in rng.integers(0, 7, size=rng.integers(0, 3)))
                dt = (["float16", "bfloat16", "float32", "float64", "int32", "float33", None]
                      [rng.integers(7)])
                fn, args = wi.new, (shape, dt, law, params)
            else:
                out = _out(rng)
                g, s = _box(rng, out.shape if isinstance(out, np.ndarray) else ())
                if g is not None:
                    kwargs["global_shape"] = g
                if s is not None:
                    kwargs["start"] = s
                fn, args = wi.fill, (out, law, params)
        where = f"shard {shard}, call {call}: {fn.__name__}{args!r:.300} {kwargs!r:.200}"
        try:
            res = fn(*args, **kwargs)
        except (TypeError, ValueError) as e:
            counts["TypeError" if isinstance(e, TypeError) else "ValueError"] += 1
            assert str(e), f"empty message: {where}"
            # pybind11's own conversion errors name no argument.
            assert not any(t in str(e) for t in ("Invoked with", "Unable to cast")), \
                f"{e} at {where}"
            continue
        except BaseException as e:  # noqa: BLE001 - anything else is the finding
            pytest.fail(f"{type(e).__name__}: {e} at {where}")
        counts["ok"] += 1
        if fn is wi.fill:
            assert res is args[0], where
        if fn in (wi.fill, wi.new):
            bad = _check_values(res, args[-2], args[-1])
            assert bad is None, f"{bad} at {where}"
    # The fuzzer reaches both sides: plenty of accepted fills and of refusals.
    assert counts["ok"] > ARG_CALLS // 10 and counts["ValueError"] > ARG_CALLS // 10, counts


# --- the differential fuzzer --------------------------------------------------------------

def _law(rng, dt):
    if dt in WORDS:
        return "bits", ()
    r = rng.random()
    mean = float(rng.normal() * 10.0 ** rng.integers(-2, 3))
    sd = float(10.0 ** rng.uniform(-3, 1))
    if r < 0.25:
        lo = float(rng.normal() * 10.0 ** rng.integers(-2, 3))
        return "uniform", (lo, lo + float(10.0 ** rng.uniform(-2, 2)))
    if r < 0.5:
        return "normal", (mean, sd)
    if r < 0.8:
        a = float(rng.uniform(-6, 6))
        b = math.inf if rng.random() < 0.2 else a + float(10.0 ** rng.uniform(-2, 1))
        if rng.random() < 0.2:
            a = -math.inf
        return "truncated_normal", (mean, sd, a, b)
    lo = mean + sd * float(rng.uniform(-3, 2))
    return "truncated_normal_between", (mean, sd, lo, lo + sd * float(10.0 ** rng.uniform(-1, 0.7)))


def _geometry(rng):
    """(global shape, start, box shape), at most about 300k elements in the global tensor."""
    rank = int(rng.integers(1, 5))
    large = rng.random() < 0.08
    budget = int(rng.integers(70_000, 300_000)) if large else int(rng.integers(1, 3000))
    g = []
    for k in range(rank):
        left = max(1, budget // max(1, math.prod(g)))
        g.append(int(rng.integers(1, max(2, int(left ** (1 / (rank - k))) * 2))))
    g = tuple(max(1, min(d, budget)) for d in g)
    start, box = [], []
    for d in g:
        s = int(rng.integers(0, d)) if rng.random() < 0.7 else 0
        e = int(rng.integers(1, d - s + 1)) if rng.random() < 0.6 else d - s
        start.append(s)
        box.append(e)
    return g, tuple(start), tuple(box)


def _view(parent, box, perm, steps, pads):
    """The view of `parent` (laid out in axis order `perm`) that has shape `box`."""
    sl = []
    for i, ax in enumerate(perm):
        n, s, p = box[ax], steps[ax], pads[ax]
        if s > 0:
            sl.append(slice(p, p + n * s, s))
        else:
            first = p + n * (-s) - 1
            sl.append(slice(first, p - 1 if p > 0 else None, s))
    v = parent[tuple(sl)]
    order = np.argsort(perm)
    return v.transpose(order) if isinstance(v, np.ndarray) else v.permute(*order.tolist())


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


@pytest.mark.parametrize("shard", range(SHARDS))
def test_differential_fuzzer(shard):
    torch = optional.installed("torch") if shard % 2 == 1 else None
    rng = np.random.default_rng(0xD1FF + shard)
    threads_before = wi.get_num_threads()
    checked = 0
    for case in range(DIFF_CASES):
        dt = FLOATS[rng.integers(len(FLOATS))] if rng.random() < 0.85 else WORDS[rng.integers(2)]
        law, params = _law(rng, dt)
        seed, stream = int(rng.integers(0, 1 << 63)) * 2 + int(rng.integers(2)), int(rng.integers(0, 4))
        offset = int(rng.integers(0, 1 << 62)) if rng.random() < 0.3 else 0
        g, start, box = _geometry(rng)
        where = (f"shard {shard}, case {case}: {dt} {law}{params} seed={seed} stream={stream} "
                 f"offset={offset} global={g} start={start} box={box}")
        # The reference: scalar target, one thread, the whole tensor, then the box.
        wi.set_target("scalar")
        wi.set_num_threads(1)
        full = np.empty(g, dt)
        try:
            wi.fill(full, law, params, seed=seed, stream=stream, offset=offset)
        except ValueError:
            continue  # a law the policy refuses (an overflow in float16, say): not this test's
        want = full[tuple(slice(s, s + e) for s, e in zip(start, box))]
        # The view under test: random axis order, steps (some negative), gaps at the edges.
        rank = len(g)
        perm = rng.permutation(rank)
        use_torch = torch is not None and dt in FLOATS and dt != BF16 and rng.random() < 0.3
        steps = [int(rng.choice([1, 1, 1, 2, 3])) * (1 if use_torch or rng.random() < 0.8 else -1)
                 for _ in range(rank)]
        pads = [int(rng.integers(0, 3)) for _ in range(rank)]
        alloc = tuple(box[ax] * abs(steps[ax]) + 2 * pads[ax] for ax in perm)
        before = rng.integers(0, 256, size=math.prod(alloc) * dt.itemsize, dtype=np.uint8)
        parent = before.copy().view(dt).reshape(alloc)
        expect = before.copy().view(dt).reshape(alloc)
        _view(expect, box, perm, steps, pads)[...] = want
        target = TARGETS[rng.integers(len(TARGETS))]
        wi.set_target(target)
        wi.set_num_threads(int(rng.choice([1, 2, 3, 4, 8])))
        out = _view(torch.from_numpy(parent) if use_torch else parent, box, perm, steps, pads)
        try:
            wi.fill(out, law, params, seed=seed, stream=stream, offset=offset, global_shape=g,
                    start=start)
        except BaseException as e:  # noqa: BLE001
            pytest.fail(f"{type(e).__name__}: {e} at {where}, target {target}")
        got = _view(parent, box, perm, steps, pads)
        assert np.array_equal(_bits(got), _bits(want)), f"values differ at {where}, target {target}"
        assert np.array_equal(parent.view(np.uint8), expect.view(np.uint8)), (
            f"bytes outside the view changed at {where}, target {target}")
        checked += 1
    wi.set_num_threads(threads_before)
    assert checked > DIFF_CASES // 2
