# SPDX-License-Identifier: BSD-3-Clause
"""Property tests (hypothesis): any box of any tensor, and any split of a flat range, give
the same bits as the whole. Derandomized, so a run never differs from the last."""

import numpy as np
from hypothesis import given, settings, strategies as st

import weightinit as wi
from weightinit import _core

DISTS = st.sampled_from([
    ("uniform", (-1.0, 2.0)),
    ("normal", (0.0, 1.0)),
    ("truncated_normal", (0.1, 0.5, -2.0, 2.0)),
    ("truncated_normal", (0.0, 1.0, 1.0, 1.5)),
])
DTYPES = st.sampled_from(["float32", "float64", "float16"])


@st.composite
def shape_and_box(draw):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.integers(1, 70)) for _ in range(rank))
    start = tuple(draw(st.integers(0, n - 1)) for n in shape)
    size = tuple(draw(st.integers(1, n - s)) for n, s in zip(shape, start))
    return shape, start, size


@settings(max_examples=150, deadline=None, derandomize=True)
@given(shape_and_box(), DISTS, DTYPES, st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1))
def test_any_box_equals_slice(box, dist, dtype, seed, stream):
    (shape, start, size), (name, params) = box, dist
    whole = wi.new(shape, dtype, name, params, seed=seed, stream=stream)
    part = np.empty(size, dtype)
    wi.fill(part, name, params, seed=seed, stream=stream, global_shape=shape, start=start)
    sl = tuple(slice(s, s + n) for s, n in zip(start, size))
    assert np.array_equal(part.view(np.uint8), np.ascontiguousarray(whole[sl]).view(np.uint8))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.integers(0, 300), st.lists(st.integers(0, 300), max_size=4), DISTS, DTYPES,
       st.integers(0, 2**63 - 400))
def test_any_split_equals_whole(n, cuts, dist, dtype, first):
    name, params = dist
    whole = np.empty(n, dtype)
    wi.fill(whole, name, params, seed=9, stream=0, offset=0, global_shape=(first + whole.size,), start=(first,))
    edges = sorted({0, n, *(c for c in cuts if c <= n)})
    parts = []
    for lo, hi in zip(edges, edges[1:]):
        p = np.empty(hi - lo, dtype)
        wi.fill(p, name, params, seed=9, stream=0, offset=0, global_shape=(first + lo + p.size,), start=(first + lo,))
        parts.append(p)
    joined = np.concatenate(parts) if parts else np.empty(0, dtype)
    assert np.array_equal(joined.view(np.uint8), whole.view(np.uint8))
