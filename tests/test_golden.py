# SPDX-License-Identifier: BSD-3-Clause
"""Stream v2 is frozen: every target and thread count reproduces tests/data/golden_v2.txt."""

import math
import pathlib

import numpy as np
import pytest

import weightinit as wi
from weightinit import _core

# The golden file of the stream version the package says it writes (STREAM_VERSION, from C++).
GOLDEN = pathlib.Path(__file__).parent / "data" / f"golden_v{wi.STREAM_VERSION}.txt"
VIEW = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def cases():
    lines = [l for l in GOLDEN.read_text().splitlines() if not l.startswith("#")]
    for head, words in zip(lines[0::2], lines[1::2]):
        name, dtype, dist, *rest = head.split()
        p = [float(x) for x in rest[:4]]
        seed, stream, offset, first, count = (int(x) for x in rest[4:])
        nparams = {"uniform": 2, "normal": 2, "truncated_normal": 4}[dist]
        yield pytest.param(dtype, dist, tuple(p[:nparams]), seed, stream, offset, first, count,
                           [int(w, 16) for w in words.split()],
                           id=f"{name}-{dtype}-{seed:x}-{first}")


@pytest.mark.parametrize("dtype,dist,params,seed,stream,offset,first,count,want", list(cases()))
def test_golden(dtype, dist, params, seed, stream, offset, first, count, want):
    for target in wi.cpu_targets()["available"]:
        wi.set_target(target)
        a = wi.new(count, dtype, "uniform", (0, 1), seed=0)
        wi.fill(a, dist, params, seed=seed, stream=stream, offset=offset, global_shape=(first + a.size,), start=(first,))
        got = [int(x) for x in a.view(VIEW[a.dtype.itemsize])]
        assert got == want, target


def test_golden_file_covers_every_dtype_and_distribution():
    seen = {(c.values[0], c.values[1]) for c in cases()}
    assert seen == {(d, k) for d in ("float32", "float64", "float16", "bfloat16")
                    for k in ("uniform", "normal", "truncated_normal")}
    assert not any(math.isnan(v) for c in cases() for v in c.values[2])
