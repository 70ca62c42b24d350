# SPDX-License-Identifier: BSD-3-Clause
"""Write tests/data/tf_stream_v1.txt: TensorFlow's own TF1 initializer values, as digests.

Runs where TensorFlow is installed (not in CI)::

    python tests/data/make_tf_golden.py            # writes the file
    python tests/data/make_tf_golden.py --compare  # and counts mismatches against weightinit

Every case builds a fresh ``tf.compat.v1`` graph, sets its graph seed, calls the initializer
(``seed=`` its op seed, or none: TF 2.21's per-graph automatic op seed 0, 1, 2, ...) and runs
the ops once in a session. A line holds the case and the SHA-256 of the little-endian bytes
of the whole tensor, plus 64 raw values at a stride (hex of the bits) for diagnosis and for
the float64 normals, whose last bit can differ (docs/streams.md).

Line format (``|``-separated): name, JSON kwargs, shape, dtype, graph seed, op seed (``auto``
for the counter), element count, sha256, stride, the strided raw values (space-separated hex).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tf_stream_v1.txt")

# (name, kwargs, dtypes): `name` is the tf.compat.v1 initializer (also weightinit.tf1's name).
INITIALIZERS = [
    ("random_uniform_initializer", {}, ("float32", "float64", "float16", "bfloat16")),
    ("random_uniform_initializer", {"minval": -3.5, "maxval": 2.25},
     ("float32", "float64", "float16", "bfloat16")),
    ("random_uniform_initializer", {"minval": -5, "maxval": 1000}, ("int32", "int64")),
    ("random_uniform_initializer", {"minval": -(2 ** 40), "maxval": 2 ** 40 + 7}, ("int64",)),
    ("random_normal_initializer", {"mean": 0.5, "stddev": 2.0},
     ("float32", "float64", "float16", "bfloat16")),
    ("truncated_normal_initializer", {"mean": -1.0, "stddev": 0.5},
     ("float32", "float64", "float16", "bfloat16")),
    ("uniform_unit_scaling_initializer", {"factor": 1.43},
     ("float32", "float64", "float16", "bfloat16")),
    ("variance_scaling_initializer",
     {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
     ("float32", "float64", "float16", "bfloat16")),
    ("variance_scaling_initializer",
     {"scale": 0.7, "mode": "fan_avg", "distribution": "untruncated_normal"},
     ("float32", "float64", "float16", "bfloat16")),
    ("variance_scaling_initializer", {"scale": 1.5, "mode": "fan_in", "distribution": "uniform"},
     ("float32", "float64", "float16", "bfloat16")),
    ("glorot_uniform_initializer", {}, ("float32", "float64", "float16", "bfloat16")),
    ("glorot_normal_initializer", {}, ("float32", "float64", "float16", "bfloat16")),
    ("he_normal", {}, ("float32", "float64")),
    ("he_uniform", {}, ("float32", "float64")),
    ("lecun_normal", {}, ("float32", "float64")),
    ("lecun_uniform", {}, ("float32", "float64")),
]
# Shapes: >= 10^5 elements each, one with a partial last group, one conv kernel; plus tiny.
SHAPES = [(320, 320), (3, 3, 61, 197), (100003,), (3, 5)]
# (graph seed, op seed): both set, op seed only (TF's default graph seed), and a seed pair
# that get_seed maps from (0, 0) to (0, 2**31 - 1).
SEEDS = [(11, 7), (None, 5), (0, 0)]
STRIDE_SAMPLES = 64


def tf_module():
    import tensorflow as tf  # noqa: PLC0415 - only where TF is installed

    return tf


def initializer(mod, name, kwargs, seed):
    """The initializer `name` of `mod` (tf.compat.v1 or weightinit.tf1)."""
    if name in ("he_normal", "he_uniform", "lecun_normal", "lecun_uniform"):
        return getattr(mod.initializers, name)(seed=seed, **kwargs)
    return getattr(mod, name)(seed=seed, **kwargs)


def tf_values(cases):
    """TF's tensors for `cases` [(name, kwargs, shape, dtype, graph_seed, op_seed)], each in a
    fresh graph (the automatic op seed cases: one graph per group, in order)."""
    tf = tf_module()
    v1 = tf.compat.v1
    out = []
    for name, kwargs, shape, dtype, gseed, oseed in cases:
        g = tf.Graph()
        with g.as_default():
            if gseed is not None:
                v1.set_random_seed(gseed)
            if oseed == "auto":
                # Three unseeded calls in one graph: op seeds 0, 1, 2; keep the third.
                init = initializer(v1, name, kwargs, None)
                ts = [init(shape, dtype=getattr(tf, dtype)) for _ in range(3)]
                t = ts[-1]
            else:
                t = initializer(v1, name, kwargs, oseed)(shape, dtype=getattr(tf, dtype))
            with v1.Session(graph=g) as sess:
                out.append(np.asarray(sess.run(t)))
    return out


def wi_values(cases):
    import warnings

    import weightinit.tf1 as wtf

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, kwargs, shape, dtype, gseed, oseed in cases:
            wtf.reset_default_graph()
            if gseed is not None:
                wtf.set_random_seed(gseed)
            kw = dict(kwargs, stream="tensorflow")
            dt = getattr(wtf, dtype)
            if oseed == "auto":
                init = initializer(wtf, name, kw, None)
                arr = [init(shape, dtype=dt) for _ in range(3)][-1]
            else:
                arr = initializer(wtf, name, kw, oseed)(shape, dtype=dt)
            out.append(np.asarray(arr))
    return out


def raw(a: np.ndarray) -> np.ndarray:
    """The bits of `a` as unsigned integers (little-endian order for the digest)."""
    return np.ascontiguousarray(a).reshape(-1).view(f"<u{a.dtype.itemsize}")


def cases():
    out = []
    for name, kwargs, dtypes in INITIALIZERS:
        for dtype in dtypes:
            for shape in SHAPES:
                for gseed, oseed in SEEDS:
                    out.append((name, kwargs, shape, dtype, gseed, oseed))
            out.append((name, kwargs, SHAPES[0], dtype, 42, "auto"))
    return out


def line(case, arr) -> str:
    name, kwargs, shape, dtype, gseed, oseed = case
    bits = raw(arr)
    stride = max(1, bits.size // STRIDE_SAMPLES)
    sample = " ".join(f"{int(b):x}" for b in bits[::stride][:STRIDE_SAMPLES])
    return "|".join([name, json.dumps(kwargs, sort_keys=True), ",".join(map(str, shape)), dtype,
                     "none" if gseed is None else str(gseed), str(oseed), str(bits.size),
                     hashlib.sha256(bits.tobytes()).hexdigest(), str(stride), sample])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--compare", action="store_true",
                    help="also count mismatching elements of weightinit's stream='tensorflow'")
    args = ap.parse_args(argv)
    cs = cases()
    tfv = tf_values(cs)
    tf = tf_module()
    with open(OUT, "w") as f:
        f.write(f"# TensorFlow {tf.__version__} tf.compat.v1 initializers, graph mode, "
                "written by tests/data/make_tf_golden.py\n")
        for c, a in zip(cs, tfv):
            f.write(line(c, a) + "\n")
    print(f"wrote {len(cs)} cases to {OUT}")
    if args.compare:
        wiv = wi_values(cs)
        totals: dict = {}
        for c, a, b in zip(cs, tfv, wiv):
            key = (c[0] + (" " + json.dumps(c[1]) if c[1] else ""), c[3])
            bad = int(np.count_nonzero(raw(a) != raw(b))) if a.shape == b.shape else a.size
            n, m = totals.get(key, (0, 0))
            totals[key] = (n + a.size, m + bad)
        for (name, dtype), (n, m) in totals.items():
            print(f"{name:90s} {dtype:9s} {m:8d} / {n} mismatches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
