# SPDX-License-Identifier: BSD-3-Clause
"""The TensorFlow stream against TensorFlow's own initializers (compare.py's ``tfstream``
section).

Each case is one TF1 initializer on one shape and dtype: weightinit.tf1 with
``stream="tensorflow"`` (the same bits as TensorFlow) against TensorFlow 2.x's
``tf.compat.v1`` initializer, run as a graph-mode op in a session (the op is built once and
run repeatedly; every run makes a fresh tensor, as weightinit's call does). GB/s of output,
best of interleaved batches, both libraries at the process's thread count; the ratio is
weightinit over TensorFlow, measured in the same run.
"""

from __future__ import annotations

import warnings

from calls import interleaved_best, skipped

CASES = (
    ("random_uniform_initializer", {}),
    ("random_normal_initializer", {}),
    ("truncated_normal_initializer", {}),
    ("glorot_uniform_initializer", {}),
    ("glorot_normal_initializer", {}),
)


def tfstream_section(cfg: dict) -> dict:
    """GB/s of stream="tensorflow" and of TensorFlow for CASES x dtypes on the first shape."""
    import numpy as np

    import weightinit.tf1 as wtf
    try:
        import tensorflow as tf
    except ImportError as exc:
        return skipped(f"tensorflow not installed ({exc})")
    v1 = tf.compat.v1
    shape = tuple(cfg["shapes"][0]) if cfg["shapes"] else (4096, 4096)
    rows = []
    for dtype in cfg["dtypes"]:
        if dtype not in ("float32", "float64"):
            continue
        for name, kwargs in CASES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ours = getattr(wtf, name)(seed=1, stream="tensorflow", **kwargs)
            g = tf.Graph()
            with g.as_default():
                v1.set_random_seed(1)
                op = getattr(v1, name)(seed=1, **kwargs)(shape, dtype=getattr(tf, dtype))
            sess = v1.Session(graph=g)
            wtf.set_random_seed(1)
            # The first run of TF's op and weightinit's call are the same bits.
            same = np.array_equal(np.asarray(sess.run(op)).view(np.uint8),
                                  ours(shape, dtype=getattr(wtf, dtype)).view(np.uint8))
            best = interleaved_best({"weightinit": lambda: ours(shape, dtype=getattr(wtf, dtype)),
                                     "tensorflow": lambda: sess.run(op)},
                                    rounds=cfg["reps"], batch_s=0.2)
            sess.close()
            nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
            rows.append({"initializer": name, "dtype": dtype, "shape": list(shape),
                         "same_bits_first_run": bool(same),
                         "weightinit_gbs": nbytes / best["weightinit"] / 1e9,
                         "tensorflow_gbs": nbytes / best["tensorflow"] / 1e9})
    return {"rows": rows, "notes": [], "versions": {"tensorflow": tf.__version__}}


def render_tfstream(result: dict) -> str:
    """The section as markdown."""
    if "skipped" in result:
        return f"## TensorFlow stream\n\nskipped: {result['skipped']}\n"
    lines = ["## TensorFlow stream (stream=\"tensorflow\") against TensorFlow "
             f"{result['versions']['tensorflow']}", "",
             "| initializer | dtype | shape | same bits | weightinit GB/s | TensorFlow GB/s | ratio |",
             "| --- | --- | --- | --- | ---: | ---: | ---: |"]
    for r in result["rows"]:
        lines.append(f"| {r['initializer']} | {r['dtype']} | {'x'.join(map(str, r['shape']))} | "
                     f"{'yes' if r['same_bits_first_run'] else 'no'} | {r['weightinit_gbs']:.2f} | "
                     f"{r['tensorflow_gbs']:.2f} | {r['weightinit_gbs'] / r['tensorflow_gbs']:.2f} |")
    return "\n".join(lines) + "\n"
