# SPDX-License-Identifier: BSD-3-Clause
"""weightinit._core.orthogonal: the one orthogonal-matrix routine, seen from Python.

Orthogonality within a bound that scales with n times the working precision, the draw
convention (Q R gives back the normal matrix of the fill layer), Haar moments over many
seeds, the rounding of 16-bit outputs, the same bits for every thread count and target, the
wide matrix as the tall one transposed, and the argument errors.
"""

import math
import threading

import ml_dtypes
import numpy as np
import pytest

import weightinit as wi
from weightinit import _core

# Unit roundoff of the working precision (float for 16/32-bit outputs, double for float64)
# and of the output format.
WORKING_EPS = {"float16": 2.0**-24, "bfloat16": 2.0**-24, "float32": 2.0**-24, "float64": 2.0**-53}
OUTPUT_EPS = {"float16": 2.0**-11, "bfloat16": 2.0**-8, "float32": 2.0**-24, "float64": 2.0**-53}
DTYPES = ["float32", "float64", "float16", "bfloat16"]


def dtype_of(name):
    if name == "bfloat16":
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def make(rows, cols, dtype="float32", gain=1.0, seed=5, stream=0, offset=0, shape=None):
    out = np.empty(shape if shape is not None else (rows, cols), dtype=dtype_of(dtype))
    _core.orthogonal(out, rows, cols, gain, seed, stream=stream, offset=offset)
    return out


def gram_error(w, gain):
    m = w.reshape(-1, w.shape[-1]).astype(np.float64)
    g = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    return float(np.abs(g - gain**2 * np.eye(len(g))).max())


SHAPES = [(200, 70), (70, 200), (130, 130), (300, 1), (1, 300), (257, 129), (1, 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=[f"{r}x{c}" for r, c in SHAPES])
def test_orthogonality(shape, dtype):
    # Householder QR in unit roundoff u keeps |Q^T Q - I| below c n u to first order
    # (Higham, Accuracy and Stability of Numerical Algorithms, Thm 19.4 / 19.13; observed
    # about 10 u at n = 4096), so 4 n u; rounding the output to its format (unit roundoff u')
    # moves each Gram entry by at most 2 u' gain^2 (Cauchy-Schwarz).
    gain = 1.75
    w = make(*shape, dtype=dtype, gain=gain)
    assert w.dtype == dtype_of(dtype)
    n = max(shape)
    bound = gain**2 * (4 * n * WORKING_EPS[dtype] + 2 * OUTPUT_EPS[dtype])
    assert gram_error(w, gain) <= bound


def test_any_ndim_and_empty():
    flat = make(20, 6)
    assert make(20, 6, shape=(4, 5, 6)).tobytes() == flat.tobytes()
    assert make(20, 6, shape=(120,)).tobytes() == flat.tobytes()
    for rows, cols in ((0, 5), (5, 0), (0, 0)):
        out = np.empty((rows, cols), dtype=np.float32)
        _core.orthogonal(out, rows, cols, 1.0, 1)  # nothing to write, no error


@pytest.mark.parametrize("rows, cols, dtype", [(150, 40, "float32"), (40, 150, "float32"),
                                               (140, 140, "float64"), (9, 1, "float64"),
                                               (1, 9, "float32")])
def test_draw_convention(rows, cols, dtype):
    """A (n x k) holds elements i * k + j of the normal fill in the working precision;
    W is Q (or Q^T) of A = Q R with R's diagonal made positive."""
    seed, stream, offset = 99, 3, 17
    w = make(rows, cols, dtype=dtype, seed=seed, stream=stream, offset=offset).astype(np.float64)
    n, k = max(rows, cols), min(rows, cols)
    a = np.empty((n, k), dtype=dtype)
    _core.fill(a, _core.Law.normal(0.0, 1.0), seed, stream=stream, offset=offset)
    a = a.astype(np.float64)
    q = w if rows >= cols else w.T
    r = q.T @ a
    tol = 4 * n * WORKING_EPS[dtype] * math.sqrt(n) * np.abs(a).max()  # Higham Thm 19.4
    assert np.abs(q @ np.triu(r) - a).max() <= tol
    assert np.abs(np.tril(r, -1)).max(initial=0.0) <= tol
    assert np.diagonal(r).min() > 0  # the sign fix
    first = a[:, 0] / np.linalg.norm(a[:, 0])
    assert np.abs(q[:, 0] - first).max() <= 4 * n * WORKING_EPS[dtype]


def test_haar_moments():
    """X = sqrt(n) W[i, j] of a Haar orthogonal n x n matrix: W[i, j]^2 ~ Beta(1/2, (n-1)/2),
    so E X = 0, E X^2 = 1, E X^4 = 3n / (n + 2) (a normal would give 3). Over 20000 fixed
    seeds the sample means have standard errors sqrt(Var / 20000); each test allows 6.11 of
    them (two-sided p = 1e-9). Without the sign fix Householder's W[0, 0] is never positive
    (mean about -0.85 here)."""
    n, draws = 8, 20000
    # E X^8 = n^4 (1/2)_4 / (n/2)_4 with (x)_4 the rising factorial.
    e4 = 3 * n / (n + 2)
    e8 = n**4 * (0.5 * 1.5 * 2.5 * 3.5) / ((n / 2) * (n / 2 + 1) * (n / 2 + 2) * (n / 2 + 3))
    out = np.empty((n, n))
    corner, last = np.empty(draws), np.empty(draws)
    for s in range(draws):
        _core.orthogonal(out, n, n, 1.0, 1000 + s)
        corner[s], last[s] = out[0, 0], out[n - 1, n - 1]
    z = 6.11
    for x in (math.sqrt(n) * corner, math.sqrt(n) * last):
        assert abs(x.mean()) < z * math.sqrt(1.0 / draws)
        assert abs((x**2).mean() - 1.0) < z * math.sqrt((e4 - 1.0) / draws)
        assert abs((x**4).mean() - e4) < z * math.sqrt((e8 - e4**2) / draws)


def test_rounding_once():
    # gain 1.5 times a float is exact in double, and NumPy's float64 -> float16 cast rounds
    # once: the float16 output must be exactly that (through float32 would round twice).
    q = make(300, 200, "float32").astype(np.float64)
    assert make(300, 200, "float16", gain=1.5).tobytes() == (1.5 * q).astype(np.float16).tobytes()
    assert make(300, 200, "float32", gain=1.5).tobytes() == (1.5 * q).astype(np.float32).tobytes()
    q64 = make(90, 40, "float64")
    assert make(90, 40, "float64", gain=0.3).tobytes() == (0.3 * q64).tobytes()


def test_wide_is_tall_transposed():
    for dtype in ("float32", "float64"):
        tall, wide = make(300, 140, dtype), make(140, 300, dtype)
        assert wide.tobytes() == np.ascontiguousarray(tall.T).tobytes()


@pytest.mark.parametrize("rows, cols, dtype", [(700, 300, "float32"), (300, 700, "float32"),
                                               (520, 520, "float64"), (1000, 3, "float16")])
def test_thread_invariance(rows, cols, dtype):
    wi.set_num_threads(1)
    want = make(rows, cols, dtype, gain=1.25).tobytes()
    for threads in (2, 3, 7):
        wi.set_num_threads(threads)
        assert make(rows, cols, dtype, gain=1.25).tobytes() == want, threads


@pytest.mark.parametrize("rows, cols, dtype", [(200, 130, "float32"), (130, 200, "float64")])
def test_target_invariance(rows, cols, dtype):
    want = make(rows, cols, dtype, gain=0.75).tobytes()
    for target in wi.cpu_targets()["available"]:
        wi.set_target(target)
        assert make(rows, cols, dtype, gain=0.75).tobytes() == want, target


def test_concurrent_calls():
    # Calls from several Python threads (the GIL is released) give the serial bits.
    want = make(400, 300).tobytes()
    results = [None] * 4

    def run(i):
        results[i] = make(400, 300).tobytes()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 4


def test_streams():
    base = make(20, 10, seed=1).tobytes()
    assert make(20, 10, seed=1).tobytes() == base
    assert make(20, 10, seed=2).tobytes() != base
    assert make(20, 10, seed=1, stream=1).tobytes() != base
    assert make(20, 10, seed=1, offset=16).tobytes() != base


def test_errors():
    out = np.empty((4, 3), dtype=np.float32)
    with pytest.raises(TypeError, match="out"):
        _core.orthogonal([[0.0] * 3] * 4, 4, 3, 1.0, 1)
    with pytest.raises(TypeError, match="out"):
        _core.orthogonal(np.empty((4, 3), dtype=np.int32), 4, 3, 1.0, 1)
    with pytest.raises(TypeError, match="out"):
        _core.orthogonal(np.empty((4, 3), dtype=np.uint32), 4, 3, 1.0, 1)
    with pytest.raises(TypeError, match="byte order"):
        _core.orthogonal(np.empty((4, 3), dtype=">f4"), 4, 3, 1.0, 1)
    with pytest.raises(ValueError, match="C-contiguous"):
        _core.orthogonal(np.empty((4, 6), dtype=np.float32)[:, ::2], 4, 3, 1.0, 1)
    ro = np.empty((4, 3), dtype=np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        _core.orthogonal(ro, 4, 3, 1.0, 1)
    with pytest.raises(ValueError, match="out: has 12 elements"):
        _core.orthogonal(out, 3, 3, 1.0, 1)
    with pytest.raises(ValueError, match="out: has 12 elements"):
        _core.orthogonal(out, 2**40, 2**40, 1.0, 1)
    with pytest.raises(ValueError, match="rows"):
        _core.orthogonal(out, -4, -3, 1.0, 1)
    with pytest.raises(ValueError, match="cols"):
        _core.orthogonal(out, 4, 2**70, 1.0, 1)
    for bad in (4.0, True, "4", None):
        with pytest.raises(TypeError, match="rows"):
            _core.orthogonal(out, bad, 3, 1.0, 1)
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="gain"):
            _core.orthogonal(out, 4, 3, bad, 1)
    for bad in ("1", None, True):
        with pytest.raises(TypeError, match="gain"):
            _core.orthogonal(out, 4, 3, bad, 1)
    for name in ("source", "stream", "offset"):
        args = {"source": 1, "stream": 0, "offset": 0}
        for bad in (-1, 2**64):
            with pytest.raises(ValueError, match=name):
                _core.orthogonal(out, 4, 3, 1.0, **dict(args, **{name: bad}))
        with pytest.raises(TypeError, match=name):
            _core.orthogonal(out, 4, 3, 1.0, **dict(args, **{name: 1.5}))
