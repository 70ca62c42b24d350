# SPDX-License-Identifier: BSD-3-Clause
"""The random weightinit.init functions: laws, bounds, errors and thread independence.

Statistics use fixed seeds and thresholds at p <= 1e-9 for a correct implementation:
Z = 6.2 standard errors (two-sided normal tail 5.6e-10); a moment test on n draws uses the
CLT standard error of the sample mean, sigma / sqrt(n), or of the mean of (x - mu)^2,
var * sqrt(kurtosis - 1) / sqrt(n). KS tests (scipy) require p > 1e-9.
"""

import math
import warnings

import ml_dtypes
import numpy as np
import pytest
from optional import require

import weightinit
from weightinit import init

Z = 6.2

BF16 = np.dtype(ml_dtypes.bfloat16)
FLOATS = [np.dtype(t) for t in (np.float16, np.float32, np.float64, BF16)]


def assert_moments(x, mean, var, kurtosis):
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    assert abs(x.mean() - mean) <= Z * math.sqrt(var / n), (x.mean(), mean)
    m2 = np.mean((x - mean) ** 2)
    assert abs(m2 - var) <= Z * var * math.sqrt((kurtosis - 1) / n), (m2, var)


def assert_ks(x, cdf):
    stats = require("scipy.stats", extra="test")
    assert stats.kstest(np.asarray(x, np.float64).ravel(), cdf).pvalue > 1e-9


# --- uniform_ -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_uniform_range_and_moments(dtype):
    a, b = -0.3, 0.7
    x = np.empty((256, 512), dtype)
    assert init.uniform_(x, a, b, generator=1) is x
    v = x.astype(np.float64)
    assert v.min() >= a and v.max() < b  # [a, b) holds in the output dtype
    assert_moments(v, (a + b) / 2, (b - a) ** 2 / 12, 1.8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_ks(dtype):
    x = init.uniform_(np.empty(100_000, dtype), -2.0, 3.0, generator=2)
    assert_ks(x, lambda t: np.clip((t + 2.0) / 5.0, 0, 1))


def test_uniform_defaults_are_0_1():
    x = init.uniform_(np.empty(4096), generator=3)
    assert 0.0 <= x.min() and x.max() < 1.0 and x.max() > 0.99


def test_uniform_equal_bounds_fill_the_bound():
    x = init.uniform_(np.empty(100, np.float32), 0.25, 0.25, generator=0)
    assert (x == 0.25).all()


@pytest.mark.parametrize("a, b, message", [
    (2, 1, "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
    (2.5, 1e-7, "uniform_ expects to return a [from, to) range, but found from=2.5 > to=1e-07"),
])
def test_uniform_reversed_bounds_is_torchs_runtime_error(a, b, message):
    with pytest.raises(RuntimeError) as info:
        init.uniform_(np.empty(3, np.float32), a, b)
    assert str(info.value) == message


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"a": -math.inf}, ValueError, "^a: must be finite"),
    ({"b": math.nan}, ValueError, "^b: must be finite"),
    ({"a": "0"}, TypeError, "^a: expected a real number"),
    ({"b": True}, TypeError, "^b: expected a real number"),
    ({"a": -3e38, "b": 3e38}, ValueError, "overflow"),
])
def test_uniform_bad_bounds(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        init.uniform_(np.empty(3, np.float32), **kwargs)


# --- normal_ ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_normal_moments(dtype):
    x = np.empty((256, 512), dtype)
    assert init.normal_(x, 0.5, 2.0, generator=4) is x
    assert_moments(x, 0.5, 4.0, 3.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normal_ks(dtype):
    stats = require("scipy.stats", extra="test")
    x = init.normal_(np.empty(100_000, dtype), -1.0, 0.1, generator=5)
    assert_ks(x, stats.norm(-1.0, 0.1).cdf)


def test_normal_zero_std_fills_the_mean():
    x = init.normal_(np.empty(10, np.float64), 3.5, 0.0)
    assert (x == 3.5).all()


def test_normal_negative_std_is_torchs_runtime_error():
    for std, text in [(-1, "-1"), (-0.5, "-0.5")]:
        with pytest.raises(RuntimeError) as info:
            init.normal_(np.empty(3, np.float32), 0.0, std)
        assert str(info.value) == f"normal expects std >= 0.0, but found std {text}"


@pytest.mark.parametrize("kwargs, match", [
    ({"mean": math.nan}, "^mean: must be finite"),
    ({"std": math.inf}, "^std: must be finite"),
])
def test_normal_non_finite(kwargs, match):
    with pytest.raises(ValueError, match=match):
        init.normal_(np.empty(3, np.float32), **kwargs)


# --- trunc_normal_ ------------------------------------------------------------------------

TRUNC_CASES = [  # (mean, std, a, b): centred, skewed, narrow, one-sided far window
    (0.0, 1.0, -2.0, 2.0),
    (0.1, 0.5, -0.3, 0.7),
    (0.0, 1.0, 0.5, 0.55),
    (0.0, 1.0, 5.0, 6.0),
    (2.0, 0.25, -math.inf, 1.75),
]


def _truncnorm(mean, std, a, b):
    stats = require("scipy.stats", extra="test")
    return stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("case", TRUNC_CASES)
def test_trunc_normal_bounds_and_moments(dtype, case):
    mean, std, a, b = case
    law = _truncnorm(*case)
    x = np.empty((256, 256), dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the far window warns, tested below
        assert init.trunc_normal_(x, mean, std, a, b, generator=6) is x
    v = x.astype(np.float64)
    assert v.min() >= a and v.max() <= b
    m, var = law.stats("mv")
    kurt = float(law.stats("k")) + 3.0
    # The law's own moments; 16-bit rounding (relative 2^-9) is far below Z standard errors.
    assert_moments(v, float(m), float(var), kurt)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", TRUNC_CASES)
def test_trunc_normal_ks(dtype, case):
    x = np.empty(100_000, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        init.trunc_normal_(x, *case, generator=7)
    assert_ks(x, _truncnorm(*case).cdf)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("std", [1e-3, 1e-6, 1e-9])
def test_trunc_normal_tiny_std_has_no_outliers(dtype, std):
    # torch issues 145498 / 155588: with std << b - a the inverse-CDF-plus-clamp algorithm
    # put rare values exactly at a or b. Here no value is further than the largest normal
    # quantile the stream can reach (docs/streams.md §5.4: 6.3380 std for 16/32-bit outputs,
    # 9.1553 for float64).
    x = init.trunc_normal_(np.empty(1 << 18, dtype), 0.0, std, generator=8)
    v = x.astype(np.float64)
    reach = 9.1553 if dtype == np.float64 else 6.3380  # 16-bit rounding adds at most 2^-8 relative
    assert np.abs(v).max() <= reach * std * (1 + 2**-7)
    assert not np.isin(v, [-2.0, 2.0]).any()


def test_trunc_normal_defaults_and_absolute_bounds():
    # a, b are absolute: with std=0.02 nothing reaches +-2, and the law is the plain normal.
    x = init.trunc_normal_(np.empty(1 << 17, np.float32), std=0.02, generator=9)
    assert_moments(x, 0.0, 0.02**2, 3.0)
    y = init.trunc_normal_(np.empty(1 << 17, np.float32), generator=9)
    assert y.min() >= -2.0 and y.max() <= 2.0 and y.max() > 1.95


def test_trunc_normal_float64_bound_rounding():
    # mean + std * ((a - mean) / std) rounds one ulp below a here; the bound passed to the
    # core is nudged so that no output falls below a. A 3-ulp window makes clamping common.
    mean, std, a = 0.236, 0.407, -0.435
    b = float(np.nextafter(np.nextafter(np.nextafter(a, 1), 1), 1))
    assert mean + std * ((a - mean) / std) < a
    x = init.trunc_normal_(np.empty(4096), mean, std, a, b, generator=0)
    assert x.min() >= a and x.max() <= b


def test_trunc_normal_equal_bounds_fill_the_bound():
    x = init.trunc_normal_(np.empty(10, np.float32), 0.0, 1.0, 0.5, 0.5)
    assert (x == 0.5).all()


@pytest.mark.parametrize("mean, a, b", [(5.0, -2.0, 2.0), (-2.1, 0.0, 1.0)])
def test_trunc_normal_warns_when_mean_is_far(mean, a, b):
    with pytest.warns(UserWarning) as rec:
        x = init.trunc_normal_(np.empty(1000), mean, 1.0, a, b, generator=1)
    assert str(rec[0].message) == ("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                                   "The distribution of values may be incorrect.")
    assert rec[0].filename == __file__
    assert x.min() >= a and x.max() <= b


def test_trunc_normal_no_warning_within_two_std():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init.trunc_normal_(np.empty(10), 3.9, 1.0, -2.0, 2.0)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"std": 0.0}, ValueError, "^std: must be > 0"),
    ({"std": -1.0}, ValueError, "^std: must be > 0"),
    ({"a": 1.0, "b": -1.0}, ValueError, "^a, b: need a <= b"),
    ({"a": math.inf, "b": math.inf}, ValueError, "^a, b: need a <= b"),
    ({"a": math.nan}, ValueError, "^a: must be a number"),
    ({"mean": math.inf}, ValueError, "^mean: must be finite"),
    ({"std": "1"}, TypeError, "^std: expected a real number"),
])
def test_trunc_normal_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        init.trunc_normal_(np.empty(3, np.float32), **kwargs)


def test_trunc_normal_window_beyond_37_std_is_drawn():
    # Far tails are exact (docs/streams.md §5: the tail probability in log space); torch warns
    # that the mean lies more than 2 std from the window, and so do we.
    with pytest.warns(UserWarning):
        x = init.trunc_normal_(np.empty(1000, np.float64), 0.0, 1.0, 40.0, 41.0)
    assert np.all(np.isfinite(x)) and x.min() >= 40.0 and x.max() <= 41.0
    # The law's mean is 40 + 1/40 - 2/40^3 + ...: the sample's is within 6 sigma (sd ~ 1/40).
    assert abs(x.mean() - 40.02497) < 6 * (1 / 40) / np.sqrt(1000)


# --- xavier / kaiming normal: the std formulas --------------------------------------------

@pytest.mark.parametrize("fn, shape, kwargs, std", [
    (init.xavier_normal_, (256, 512), {}, math.sqrt(2 / 768)),
    (init.xavier_normal_, (32, 16, 3, 3), {"gain": 3.0}, 3 * math.sqrt(2 / (144 + 288))),
    (init.kaiming_normal_, (256, 512), {}, math.sqrt(2 / 512)),
    (init.kaiming_normal_, (256, 512), {"mode": "fan_out"}, math.sqrt(2 / 256)),
    (init.kaiming_normal_, (32, 16, 3, 3), {"nonlinearity": "selu"}, 0.75 / math.sqrt(144)),
    (init.kaiming_normal_, (256, 512), {"a": 0.2}, math.sqrt(2 / 1.04 / 512)),
])
def test_scaled_normal_std(fn, shape, kwargs, std):
    x = np.empty(shape, np.float32)
    assert fn(x, generator=10, **kwargs) is x
    assert_moments(x, 0.0, std**2, 3.0)
    # Untruncated, unlike TF's 2-std cut: P(|z| > 2.5) = 0.0124, so among n >= 4608 draws
    # none beyond 2.5 std has probability (1 - 0.0124)**4608 < 1e-24.
    assert np.abs(x).max() > 2.5 * std


@pytest.mark.parametrize("fn, kwargs, bound", [
    (init.xavier_uniform_, {}, math.sqrt(6 / 768)),
    (init.kaiming_uniform_, {}, math.sqrt(6 / 512)),
])
def test_scaled_uniform_moments(fn, kwargs, bound):
    x = fn(np.empty((256, 512), np.float64), generator=12, **kwargs)
    assert_moments(x, 0.0, bound**2 / 3, 1.8)


def test_negative_gain_fails_like_torch():
    with pytest.raises(RuntimeError, match="uniform_ expects"):
        init.xavier_uniform_(np.empty((3, 3), np.float32), gain=-1.0)
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        init.xavier_normal_(np.empty((3, 3), np.float32), gain=-1.0)


# --- orthogonal_ --------------------------------------------------------------------------

ORTHO_TOL = {"float16": 3e-3, "bfloat16": 2.5e-2, "float32": 2e-6, "float64": 1e-13}


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("shape", [(6, 6), (3, 7), (7, 3), (4, 2, 3, 3), (5, 1)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_orthogonal(dtype, shape, gain):
    x = np.empty(shape, dtype)
    assert init.orthogonal_(x, gain=gain, generator=13) is x
    rows = shape[0]
    w = x.reshape(rows, -1).astype(np.float64)  # torch's rule: keep dim 0, flatten the rest
    gram = w @ w.T if rows < w.shape[1] else w.T @ w
    tol = ORTHO_TOL[dtype.name] * gain**2 * max(w.shape)
    np.testing.assert_allclose(gram, gain**2 * np.eye(len(gram)), atol=tol)


def test_orthogonal_is_haar():
    # The sign correction makes Q Haar-distributed; then trace(Q) has mean 0 and variance 1
    # (n >= 2) and is close to N(0, 1) for n = 128, so the sum of 4 independent traces is
    # ~ N(0, 4): |sum| < 2 Z has p < 1e-9. Without the correction LAPACK's sign convention
    # gives traces near -6 each (sum near -24) for these seeds.
    total = sum(np.trace(init.orthogonal_(np.empty((128, 128)), generator=seed)) for seed in range(4))
    assert abs(total) < 2 * Z


def test_orthogonal_errors_and_empty():
    for shape in [(), (5,)]:
        with pytest.raises(ValueError) as info:
            init.orthogonal_(np.empty(shape, np.float32))
        assert str(info.value) == "Only tensors with 2 or more dimensions are supported"
    x = np.empty((0, 4), np.float32)
    assert init.orthogonal_(x) is x
    with pytest.raises(TypeError, match="dtype"):
        init.orthogonal_(np.zeros((3, 3), np.int32))


# --- sparse_ ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("shape, sparsity, zeros", [
    ((10, 4), 0.25, 3), ((100, 300), 0.1, 10), ((7, 5), 0.0, 0), ((7, 5), 1.0, 7), ((9, 3), 0.34, 4),
])
def test_sparse_zero_count_per_column(dtype, shape, sparsity, zeros):
    x = np.empty(shape, dtype)
    assert init.sparse_(x, sparsity, generator=14) is x
    if dtype.itemsize >= 4:  # 16-bit rounding could make a tiny normal value zero as well
        assert ((x == 0).sum(axis=0) == zeros).all()
    else:
        assert ((x == 0).sum(axis=0) >= zeros).all()


def test_sparse_values_and_uniform_row_choice():
    rows, cols, sparsity = 10, 20_000, 0.3
    x = init.sparse_(np.empty((rows, cols)), sparsity, std=0.5, generator=15)
    zero = x == 0
    assert_moments(x[~zero], 0.0, 0.25, 3.0)
    # Each row is zeroed in a column with probability 3/10: counts ~ Binomial(20000, 0.3).
    p = 3 / rows
    counts = zero.sum(axis=1)
    assert (np.abs(counts - cols * p) <= Z * math.sqrt(cols * p * (1 - p))).all()


def test_sparse_errors():
    for shape in [(5,), (2, 3, 4)]:
        with pytest.raises(ValueError) as info:
            init.sparse_(np.empty(shape, np.float32), 0.5)
        assert str(info.value) == "Only tensors with 2 dimensions are supported"
    for sparsity in [-0.1, 1.5]:
        with pytest.raises(ValueError, match="^sparsity: must be in"):
            init.sparse_(np.empty((4, 4), np.float32), sparsity)
    with pytest.raises(RuntimeError, match="^normal expects std >= 0.0, but found std -1$"):
        init.sparse_(np.empty((4, 4), np.float32), 0.5, std=-1)


# --- what every random function shares ----------------------------------------------------

RANDOM_CALLS = {
    "uniform_": lambda x, g: init.uniform_(x, -1, 2, generator=g),
    "normal_": lambda x, g: init.normal_(x, 1, 3, generator=g),
    "trunc_normal_": lambda x, g: init.trunc_normal_(x, 0, 1, -1, 0.5, generator=g),
    "xavier_uniform_": lambda x, g: init.xavier_uniform_(x, generator=g),
    "xavier_normal_": lambda x, g: init.xavier_normal_(x, generator=g),
    "kaiming_uniform_": lambda x, g: init.kaiming_uniform_(x, generator=g),
    "kaiming_normal_": lambda x, g: init.kaiming_normal_(x, generator=g),
    "orthogonal_": lambda x, g: init.orthogonal_(x, generator=g),
    "sparse_": lambda x, g: init.sparse_(x, 0.3, generator=g),
}


@pytest.mark.parametrize("name", sorted(RANDOM_CALLS))
def test_values_do_not_depend_on_threads(name):
    shape = (64, 1024) if name == "orthogonal_" else (512, 1024)  # 2^19: many chunks
    before = weightinit.get_num_threads()
    results = []
    try:
        for threads in (1, 2, 3, 4):
            weightinit.set_num_threads(threads)
            x = RANDOM_CALLS[name](np.empty(shape, np.float32), 99)
            results.append(x.view(np.uint32).copy())
    finally:
        weightinit.set_num_threads(before)
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])


@pytest.mark.parametrize("name", sorted(RANDOM_CALLS))
def test_random_functions_need_float_arrays(name):
    with pytest.raises(TypeError, match="^tensor: dtype must be float16, bfloat16, float32 or float64"):
        RANDOM_CALLS[name](np.zeros((4, 4), np.int32), 0)
    with pytest.raises(TypeError, match="^tensor: expected a numpy.ndarray or torch.Tensor"):
        RANDOM_CALLS[name]([[0.0] * 4] * 4, 0)
    with pytest.raises(TypeError, match="^tensor: dtype must be"):
        RANDOM_CALLS[name](np.zeros((4, 4), ">f4"), 0)  # byte-swapped floats
    ro = np.zeros((4, 4), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="^tensor: array is read-only"):
        RANDOM_CALLS[name](ro, 0)


@pytest.mark.parametrize("name", sorted(RANDOM_CALLS))
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_every_dtype_is_filled(name, dtype):
    x = np.full((16, 8), np.nan, dtype)
    assert RANDOM_CALLS[name](x, 5) is x
    assert np.isfinite(x.astype(np.float64)).all() and np.unique(x.astype(np.float64)).size > 20
