# SPDX-License-Identifier: BSD-3-Clause
"""Regenerate tests/data/golden_v2.txt: frozen stream-v2 outputs as hex bits.

Run only for a documented stream-version bump (docs/streams.md); the tests compare every
kernel target and thread count against this file, and so does the C++ test (ctest).

    PYTHONPATH=python python tests/data/make_golden.py

Format: a header line ``name dtype distribution p0 p1 p2 p3 seed stream offset first count``
(parameters as exact decimal of doubles, unused ones 0), then one line of ``count`` hex
words: the raw bits of each element. The file is written on the scalar target.
"""

from __future__ import annotations

import pathlib

import numpy as np

import weightinit as wi

HERE = pathlib.Path(__file__).resolve().parent

# (name, distribution, params); truncated bounds in standard deviations.
DISTRIBUTIONS = [
    ("uniform_pm1", "uniform", (-1.0, 1.0)),
    ("uniform_0_1", "uniform", (0.0, 1.0)),
    ("uniform_glorot", "uniform", (-0.05, 0.05)),
    ("normal_0_1", "normal", (0.0, 1.0)),
    ("normal_3_0.02", "normal", (3.0, 0.02)),
    ("trunc_m2_2", "truncated_normal", (0.0, 1.0, -2.0, 2.0)),
    ("trunc_0_inf", "truncated_normal", (0.0, 1.0, 0.0, float("inf"))),
    ("trunc_3_8", "truncated_normal", (0.0, 1.0, 3.0, 8.0)),
    ("trunc_m10_m9.5", "truncated_normal", (0.0, 1.0, -10.0, -9.5)),
    ("trunc_minf_m5", "truncated_normal", (1.0, 0.5, float("-inf"), -5.0)),
    ("trunc_m20_m19", "truncated_normal", (0.0, 1.0, -20.0, -19.0)),
    ("trunc_m2000_2000", "truncated_normal", (0.0, 0.001, -2000.0, 2000.0)),
    ("trunc_m1_3", "truncated_normal", (0.0, 1.0, -1.0, 3.0)),
    ("trunc_0.1_0.1001", "truncated_normal", (0.0, 1.0, 0.1, 0.1001)),
    ("trunc_100_100.0005", "truncated_normal", (0.0, 1.0, 100.0, 100.0005)),
    ("trunc_minf_m60", "truncated_normal", (0.0, 1.0, float("-inf"), -60.0)),
    # A window 2^11 float64 values wide (float64: docs/streams.md §5.6), and its mirror.
    ("trunc_3_narrow", "truncated_normal", (0.0, 1.0, 3.0, 3.0 + 2.0**-40)),
    ("trunc_m40_narrow", "truncated_normal", (1.0, 2.0, -40.0 - 2.0**-35, -40.0)),
]
DTYPES = ["float32", "float64", "float16", "bfloat16"]
# (seed, stream, offset, first, count): a plain start, and one that starts mid-group with
# 64-bit seed and stream words and an offset, so every part of the counter is exercised.
WINDOWS = [
    (0, 0, 0, 0, 40),
    (0xDEADBEEFCAFEF00D, 0x123456789ABCDEF0, 77, 101, 40),
]


def bits_of(a: np.ndarray) -> list[int]:
    view = {2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
    return [int(x) for x in a.view(view)]


def main() -> None:
    wi.set_target("scalar")
    lines = [
        "# stream v2 golden vectors: see tests/data/make_golden.py (regenerate only for a",
        "# documented stream-version bump, docs/streams.md).",
    ]
    for name, dist, params in DISTRIBUTIONS:
        p = list(params) + [0.0] * (4 - len(params))
        for dtype in DTYPES:
            for seed, stream, offset, first, count in WINDOWS:
                a = wi.new(count, dtype, "uniform", (0, 1), seed=0)
                wi.fill(a, dist, params, seed=seed, stream=stream, offset=offset, global_shape=(first + a.size,), start=(first,))
                head = [name, dtype, dist, *(repr(float(x)) for x in p), str(seed), str(stream),
                        str(offset), str(first), str(count)]
                lines.append(" ".join(head))
                width = a.dtype.itemsize * 2
                lines.append(" ".join(f"{w:0{width}x}" for w in bits_of(a)))
    (HERE / "golden_v2.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
