# SPDX-License-Identifier: BSD-3-Clause
"""The distributions are right: fixed seeds, and every threshold at p <= 1e-9.

A test at p <= 1e-9 fails by chance once in a billion runs; with fixed seeds it never
flakes, and a transform error large enough to matter moves the statistic by many times the
threshold. Kolmogorov-Smirnov tests use scipy's exact/asymptotic p-values.
"""

import ml_dtypes
import numpy as np
import pytest
from optional import require
from scipy import special, stats

import weightinit as wi

P_MIN = 1e-9
Z = 6.1  # two-sided normal quantile of 1e-9: |statistic| < 6.1 sigma


def ks_p(sample, cdf):
    return stats.kstest(np.asarray(sample, np.float64), cdf).pvalue


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lo,hi", [(0.0, 1.0), (-3.0, 5.0), (-0.05, 0.05)])
def test_uniform_ks_and_moments(dtype, lo, hi):
    n = 1 << 20
    a = wi.new(n, dtype, "uniform", (lo, hi), seed=101).astype(np.float64)
    assert a.min() >= lo and a.max() < hi
    assert ks_p(a, stats.uniform(lo, hi - lo).cdf) > P_MIN
    sd = (hi - lo) / np.sqrt(12)
    assert abs(a.mean() - (lo + hi) / 2) < Z * sd / np.sqrt(n)
    # Chi-square over 1024 equal bins.
    counts = np.histogram(a, bins=1024, range=(lo, hi))[0]
    assert stats.chisquare(counts).pvalue > P_MIN


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mean,sd", [(0.0, 1.0), (3.0, 0.02)])
def test_normal_ks_and_moments(dtype, mean, sd):
    n = 1 << 20
    a = wi.new(n, dtype, "normal", (mean, sd), seed=202).astype(np.float64)
    assert ks_p(a, stats.norm(mean, sd).cdf) > P_MIN
    assert abs(a.mean() - mean) < Z * sd / np.sqrt(n)
    # var of the sample variance of a normal: 2 sd^4 / n
    assert abs(a.var() - sd**2) < Z * np.sqrt(2 / n) * sd**2


def test_normal_tails_float32():
    """Tail frequencies beyond 3, 4 and 5 sigma match the normal law (binomial, p <= 1e-9)."""
    n = 1 << 23
    z = np.abs(wi.new(n, "float32", "normal", (0, 1), seed=303).astype(np.float64))
    for k in (3.0, 4.0, 5.0):
        p = 2 * stats.norm.sf(k)
        count = np.count_nonzero(z > k)
        assert stats.binomtest(count, n, p).pvalue > P_MIN, k
    assert z.max() < 6.34  # t >= 2^-33: |z| <= 6.338 in float32 (docs/streams.md §5)


TRUNC = [(-2.0, 2.0), (0.0, np.inf), (3.0, 8.0), (-10.0, -9.5), (-2000.0, 2000.0),
         (-np.inf, -5.0), (-1.0, 3.0), (0.5, 0.5001), (-20.0, -19.0), (-0.3, 0.3)]
# Windows far out, where the probabilities leave the doubles (drawn in log space), and
# narrow ones: float64 output is continuous enough for a KS test.
FAR = [(100.0, 100.0005), (1000.0, 1001.0), (-np.inf, -60.0), (37.0, 37.0005),
       (-1001.0, -1000.0), (60.0, np.inf), (5.0, 5.000001), (-40.0, -39.0)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("a,b", TRUNC)
def test_truncated_normal_matches_scipy(dtype, a, b):
    n = 1 << 19
    mean, sd = 0.25, 1.5
    x = wi.new(n, dtype, "truncated_normal", (mean, sd, a, b), seed=404).astype(np.float64)
    lo, hi = mean + sd * a, mean + sd * b
    assert x.min() >= lo and x.max() <= hi
    law = stats.truncnorm(a, b, loc=mean, scale=sd)
    assert ks_p(x, law.cdf) > P_MIN
    assert abs(x.mean() - law.mean()) < Z * law.std() / np.sqrt(n)


@pytest.mark.parametrize("a,b", FAR)
def test_far_and_narrow_windows_match_scipy(a, b):
    n = 1 << 17
    x = wi.new(n, "float64", "truncated_normal", (0.0, 1.0, a, b), seed=414)
    assert np.all(np.isfinite(x)) and x.min() >= a and x.max() <= b
    law = stats.truncnorm(a, b)
    assert ks_p(x, law.cdf) > P_MIN


def _float32_cells(law, lo, hi):
    """The float32 values from lo to hi and the law's mass that rounds to each."""
    v = [np.float32(lo)]
    while v[-1] < np.float32(hi):
        v.append(np.nextafter(v[-1], np.float32(np.inf)))
    v = np.array(v, np.float64)
    edges = np.concatenate([[-np.inf], (v[:-1] + v[1:]) / 2, [np.inf]])
    return v, np.diff(law.cdf(edges))


@pytest.mark.parametrize("a,b", [(100.0, 100.0005), (1000.0, 1001.0), (-np.inf, -60.0),
                                 (37.0, 37.0005), (-1001.0, -1000.0)])
def test_far_windows_float32_are_the_law_rounded(a, b):
    """float32 far out holds few values (ulp 6e-5 at 1000): chi-square of the counts of each
    float32 value against the law's mass that rounds to it."""
    n = 1 << 18
    x = wi.new(n, "float32", "truncated_normal", (0.0, 1.0, a, b), seed=415)
    assert np.all(np.isfinite(x)) and x.min() >= a and x.max() <= b
    law = stats.truncnorm(a, b)
    v, mass = _float32_cells(law, x.min(), x.max())
    counts = np.array([np.count_nonzero(x == np.float32(c)) for c in v])
    assert counts.sum() == n
    assert _pooled_chisquare_p(counts, mass) > P_MIN


def _pooled_chisquare_p(counts, mass):
    """Chi-square p-value of `counts` against masses proportional to `mass`, the cells
    expected below 5 pooled into their neighbours (chi-square's validity)."""
    n = int(np.sum(counts))
    exp = np.asarray(mass, np.float64) * n / np.sum(mass)
    keep_c, keep_e, acc_c, acc_e = [], [], 0, 0.0
    for c, e in zip(counts, exp):
        acc_c += c
        acc_e += e
        if acc_e >= 5:
            keep_c.append(acc_c)
            keep_e.append(acc_e)
            acc_c, acc_e = 0, 0.0
    keep_c[-1] += acc_c
    keep_e[-1] += acc_e
    if len(keep_c) < 2:
        return 1.0
    keep_e = np.array(keep_e) * n / np.sum(keep_e)
    return stats.chisquare(keep_c, keep_e).pvalue


def _next_up(dtype, v):
    """The next value of `dtype` above the finite non-negative `v` (its bits plus one)."""
    a = np.array([v], dtype)
    bits = {2: np.uint16, 4: np.uint32}[a.itemsize]
    return (a.view(bits) + 1).view(dtype)[0]


@pytest.mark.parametrize("lo", [0.5, 3.0, 40.0, 1000.0, -3.0])
@pytest.mark.parametrize("k", [2, 3, 8, 32, 2048])
def test_narrow_float64_windows_are_the_law_rounded(lo, k):
    """float64 windows k values wide from `lo` (upwards; downwards from -3): each value's
    count against the law's mass over its rounding cell, computed with mpmath at 50 digits
    (the cells' edges, half-way between float64 values, are not doubles). For k > 64 the
    values are pooled in 64 runs of consecutive values."""
    mpmath = require("mpmath", extra="test")
    mpmath.mp.dps = 50
    step = np.uint64(1) if lo > 0 else np.uint64(2**64 - 1)  # away from 0 either way
    bits = np.array([lo]).view(np.uint64)[0] + step * np.arange(k, dtype=np.uint64)
    v = np.sort(bits.view(np.float64))
    n = 1 << 19
    x = wi.new(n, "float64", "truncated_normal_between", (0.0, 1.0, v[0], v[-1]), seed=417)
    assert x.min() >= v[0] and x.max() <= v[-1]
    rank = np.searchsorted(v, x)
    assert np.array_equal(v[rank], x)  # every value is one of the window's
    runs = min(k, 64)
    group = rank * runs // k
    counts = np.bincount(group, minlength=runs)
    mv = [mpmath.mpf(float(c)) for c in v]
    edges = [mv[0]] + [(mv[j] + mv[j + 1]) / 2 for j in range(k - 1)] + [mv[-1]]
    starts = [j * k // runs for j in range(runs)] + [k]
    # The tail beyond the window's side of 0 keeps its precision far out (mpmath's
    # exponents are unbounded): S(e) for a window above 0, Φ(e) below.
    tail = (lambda e: mpmath.ncdf(-e)) if lo > 0 else mpmath.ncdf
    mass = [abs(tail(edges[starts[j]]) - tail(edges[starts[j + 1]])) for j in range(runs)]
    total = sum(mass)
    assert _pooled_chisquare_p(counts, [float(m / total) for m in mass]) > P_MIN


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
@pytest.mark.parametrize("lo", [0.5, 3.0, 40.0])
@pytest.mark.parametrize("k", [2, 3, 8, 32])
def test_narrow_windows_are_the_law_rounded(dtype, lo, k):
    """A window only k values of the dtype wide, [v_0, v_k-1] in standard deviations,
    near the centre, at 3 and at 40 (the far kernel): the count of each value against the
    law's mass over the values' rounding cells, S(e_j) - S(e_j+1) with S the upper tail,
    formed as S(e_j) (1 - exp(ln S(e_j+1) - ln S(e_j))) so that 40 standard deviations out
    it keeps its precision."""
    if dtype == "bfloat16":
        dt = ml_dtypes.bfloat16
    else:
        dt = np.dtype(dtype).type
    v = [dt(lo)]
    for _ in range(k - 1):
        v.append(_next_up(dt, v[-1]))
    vals = np.array([float(c) for c in v])
    n = 1 << 19
    x = wi.new(n, dtype, "truncated_normal_between", (0.0, 1.0, vals[0], vals[-1]), seed=416)
    counts = np.array([np.count_nonzero(x == c) for c in v])
    assert counts.sum() == n  # every value is one of the window's
    edges = np.concatenate([[vals[0]], (vals[:-1] + vals[1:]) / 2, [vals[-1]]])
    log_s = special.log_ndtr(-edges)
    mass = np.exp(log_s[:-1] - log_s[0]) * -np.expm1(log_s[1:] - log_s[:-1])
    assert _pooled_chisquare_p(counts, mass) > P_MIN


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_sixteen_bit_moments_and_bounds(dtype):
    n = 1 << 20
    x = wi.new(n, dtype, "truncated_normal", (0, 0.02, -2, 2), seed=505).astype(np.float64)
    assert x.min() >= -0.04 and x.max() <= 0.04
    law = stats.truncnorm(-2, 2, scale=0.02)
    # Rounding to 8 (bfloat16) or 11 (float16) significant bits moves the mean by far less
    # than the sampling error; the variance gains at most (ulp/2)^2/3.
    assert abs(x.mean()) < Z * law.std() / np.sqrt(n)
    assert abs(x.std() / law.std() - 1) < 0.01
    u = wi.new(n, dtype, "uniform", (-1, 1), seed=506).astype(np.float64)
    assert u.min() >= -1 and u.max() < 1
    assert abs(u.mean()) < Z * (2 / np.sqrt(12)) / np.sqrt(n)


def test_transform_accuracy_float32():
    """float32 normal (docs/streams.md §5): every value within 4 ulp of the quantile interval
    [Φ⁻¹(w 2^-32), Φ⁻¹((w + 1) 2^-32)] of its word w, and non-decreasing in the word.
    (bench/accuracy.cpp sweeps all 2^32 words; this is 2^20 of them.)"""
    n = 1 << 20
    words = np.empty(n, np.uint32)
    wi.fill(words, "bits", (), seed=606)
    z = wi.new(n, "float32", "normal", (0, 1), seed=606).astype(np.float64)

    def bound(w):  # Φ⁻¹(w 2^-32) from the side that keeps its precision
        w = w.astype(np.float64)
        q = (w - 2.0**31) * 2.0**-32
        tail = np.where(q < 0, w, 2.0**32 - w) * 2.0**-32
        return np.where(np.abs(q) < 0.4, np.sqrt(2) * special.erfinv(2 * q),
                        np.sign(q) * -special.ndtri(np.maximum(tail, 1e-300)))

    lo, hi = bound(words), bound(words + np.uint64(1))
    ulp = np.spacing(np.abs(z).astype(np.float32)).astype(np.float64)
    err = np.maximum(np.maximum(lo - z, z - hi), 0) / ulp
    assert err.max() <= 4
    order = np.argsort(words, kind="stable")
    assert np.all(np.diff(z[order]) >= 0)


def test_transform_accuracy_float64():
    """float64 normal: within 8 ulp of Φ⁻¹((W + 1/2) 2^-64) for its 64-bit word W (SciPy's
    erfinv near the centre, ndtri in the tails, as the reference)."""
    n = 1 << 18
    words = np.empty(n, np.uint64)
    wi.fill(words, "bits", (), seed=707)
    z = wi.new(n, "float64", "normal", (0, 1), seed=707)
    s = (words ^ np.uint64(1 << 63)).view(np.int64)  # W - 2^63
    q = (s.astype(np.float64) + 0.5) * 2.0**-64
    tail = (np.where(s < 0, words, ~words).astype(np.float64) + 0.5) * 2.0**-64
    ref = np.where(np.abs(q) < 0.4, np.sqrt(2) * special.erfinv(2 * q),
                   np.sign(q) * -special.ndtri(tail))
    err = np.abs(z - ref) / np.spacing(np.abs(ref))
    assert err.max() <= 8
