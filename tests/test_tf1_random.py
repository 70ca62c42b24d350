# SPDX-License-Identifier: BSD-3-Clause
"""TF1 RandomUniform, RandomNormal, TruncatedNormal: defaults, errors, dtypes, moments."""

import json
import math
import warnings

import numpy as np
import pytest
from scipy import stats

import weightinit.tf1 as tf
from weightinit.core import fills as _fill
from weightinit.tf1 import _seeds as _tf1_seeds

# Statistical thresholds. Each sample test below checks two statistics (mean and variance)
# against their exact values, as a z-score from the central limit theorem (the sample
# variance's standard error uses the fourth central moment), and runs one Kolmogorov-Smirnov
# test. A two-sided normal tail P(|Z| > 6.3) = 3.0e-10, so both z-scores together fail a
# correct implementation with probability <= 6e-10; the KS test rejects at p < 1e-10. With
# n >= 2**18 the normal approximation of both statistics is far more accurate than that.
# All seeds are fixed, so the tests are deterministic; the p-values say how unlucky a
# correct stream would have to be to fail, while a wrong scale or distribution (>= 1%)
# fails by many standard errors.
# The constructors' dtype notice is tested once (test_dtype_in_constructor_warns).
pytestmark = pytest.mark.filterwarnings("ignore:Passing `dtype`:DeprecationWarning")

Z = 6.3
KS_P = 1e-10
N = 1 << 20


def assert_sample(x, dist, ks=True):
    """`x` is a sample of the scipy distribution `dist` (mean, variance, and KS)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    m1, m2, m3, m4 = (dist.moment(k) for k in (1, 2, 3, 4))
    var = m2 - m1**2
    mu4 = m4 - 4 * m3 * m1 + 6 * m2 * m1**2 - 3 * m1**4
    mean_err = abs(x.mean() - m1)
    assert mean_err < Z * math.sqrt(var / n), (x.mean(), m1)
    var_err = abs(x.var() - var)
    assert var_err < Z * math.sqrt((mu4 - var**2) / n) + 2 * m1**2 / n, (x.var(), var)
    if ks:
        assert stats.kstest(x[: 1 << 18], dist.cdf).pvalue > KS_P


def uniform(low, high):
    return stats.uniform(loc=low, scale=high - low)


def truncated(mean, stddev):
    return stats.truncnorm(-2.0, 2.0, loc=mean, scale=stddev)


# --- defaults and configs -----------------------------------------------------------------

def test_defaults():
    assert tf.RandomUniform().get_config() == {
        "minval": 0, "maxval": None, "seed": None, "dtype": "float32"}
    for cls in (tf.RandomNormal, tf.TruncatedNormal):
        assert cls().get_config() == {"mean": 0.0, "stddev": 1.0, "seed": None,
                                      "dtype": "float32"}


@pytest.mark.parametrize("init", [
    lambda: tf.RandomUniform(-2, 3.5, seed=4, dtype="float64"),
    lambda: tf.RandomUniform(-3, 9, seed=4, dtype="int32"),
    lambda: tf.RandomNormal(np.float32(1.5), 0.25, seed=np.int64(9), dtype="float16"),
    lambda: tf.TruncatedNormal(-1, 2, seed=2**40),
], ids=["uniform", "int", "normal", "truncated"])
def test_config_round_trip(init):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        a = init()
        config = json.loads(json.dumps(a.get_config()))
        b = type(a).from_config(config)
    assert b.get_config() == a.get_config()
    np.testing.assert_array_equal(a((7, 9)), b((7, 9)))
    assert a((7, 9)).dtype == np.dtype(a.get_config()["dtype"])


def test_dtype_in_constructor_warns():
    with pytest.warns(DeprecationWarning, match="dtype argument instead"):
        tf.RandomNormal(dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tf.RandomNormal()
        tf.RandomUniform(0, 1, seed=1)


# --- RandomUniform ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_moments_and_bounds(dtype):
    x = tf.RandomUniform(-3, 5, seed=11)((N,), dtype=dtype)
    assert x.dtype == dtype
    assert x.min() >= -3 and x.max() < 5
    assert_sample(x, uniform(-3, 5))


def test_uniform_default_range():
    x = tf.RandomUniform(seed=5)((1 << 18,))
    assert x.min() >= 0 and x.max() < 1
    assert_sample(x, uniform(0, 1))


def test_uniform_reversed_and_degenerate_bounds():
    # TF's formula minval + U (maxval - minval) with minval > maxval gives (maxval, minval].
    x = tf.RandomUniform(5, -3, seed=2)((N,))
    assert x.min() > -3 and x.max() <= 5
    np.testing.assert_array_equal(x, -tf.RandomUniform(-5, 3, seed=2)((N,)))
    assert_sample(x, uniform(-3, 5))
    np.testing.assert_array_equal(tf.RandomUniform(2.5, 2.5, seed=1)((3, 4)),
                                  np.full((3, 4), 2.5, np.float32))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_uniform_16_bit(dtype):
    x = tf.RandomUniform(-1, 2, seed=3)((1 << 16,), dtype=dtype)
    assert x.dtype.name == dtype
    y = x.astype(np.float64)
    assert y.min() >= -1 and y.max() < 2
    assert abs(y.mean() - 0.5) < 0.05


@pytest.mark.parametrize("dtype,low,high", [
    ("int32", -3, 9), ("int32", -2**31, 2**31 - 1), ("int64", -5, 1000),
    ("int64", -2**62, 2**62)])
def test_uniform_int_is_tf_rule(dtype, low, high):
    # minval + (w mod (maxval - minval)) for the element's raw word (TF's rule), computed
    # here with Python integers from the same stream.
    x = tf.RandomUniform(low, high, seed=8)((5, 7), dtype=dtype)
    assert x.dtype == dtype
    bits = np.empty((5, 7), np.uint32 if dtype == "int32" else np.uint64)
    _fill.fill(bits, "bits", (), seed=_tf1_seeds.DEFAULT_GRAPH_SEED, stream=8)
    expected = [low + int(w) % (high - low) for w in bits.ravel()]
    assert x.ravel().tolist() == expected


def test_uniform_int_moments():
    x = tf.RandomUniform(-3, 9, seed=12)((N,), dtype="int32")
    assert x.min() == -3 and x.max() == 8
    # Discrete uniform on {-3, ..., 8}; the modulo bias is 12 / 2**32, far below the test.
    assert_sample(x, stats.randint(-3, 9), ks=False)
    counts = np.bincount(x + 3, minlength=12)
    assert stats.chisquare(counts).pvalue > KS_P


def test_uniform_errors():
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype int32"):
        tf.RandomUniform()((3,), dtype="int32")
    with pytest.raises(ValueError, match="Invalid dtype int8"):
        tf.RandomUniform(0, 5)((3,), dtype="int8")
    with pytest.raises(ValueError, match="Invalid dtype bool"):
        tf.RandomUniform(0, 5)((3,), dtype=bool)
    with pytest.raises(TypeError, match=r"Expected int32, but got 0\.5 of type 'float'"):
        tf.RandomUniform(0.5, 5)((3,), dtype="int32")
    with pytest.raises(ValueError, match="Need minval < maxval, got 5 >= 5"):
        tf.RandomUniform(5, 5)((3,), dtype="int64")
    # ... checked only for a non-empty output, as in TF.
    assert tf.RandomUniform(5, 5)((0, 3), dtype="int64").shape == (0, 3)
    with pytest.raises(ValueError, match="maxval: 2147483648 is out of range for int32"):
        tf.RandomUniform(0, 2**31)((3,), dtype="int32")
    with pytest.raises(ValueError, match="maxval: must be finite"):
        tf.RandomUniform(0, math.inf)((3,))
    with pytest.raises(TypeError, match="minval: expected a real number"):
        tf.RandomUniform("0", 1)
    # The constructor stores any dtype (no float check); the call refuses it.
    init = tf.RandomUniform(0, 4, dtype="int32")
    assert init.get_config()["dtype"] == "int32"


# --- RandomNormal / TruncatedNormal -------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_moments(dtype):
    x = tf.RandomNormal(1.5, 2.0, seed=21)((N,), dtype=dtype)
    assert x.dtype == dtype
    assert_sample(x, stats.norm(1.5, 2.0))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_truncated_moments_and_bounds(dtype):
    x = tf.TruncatedNormal(-1.0, 0.5, seed=22)((N,), dtype=dtype)
    y = x.astype(np.float64)
    assert y.min() >= -2.0 and y.max() <= 0.0  # mean -+ 2 stddev, rounded inward
    assert_sample(x, truncated(-1.0, 0.5))
    # The standard deviation after truncation is 0.8796... times the stddev argument.
    assert abs(y.std() / 0.5 - 0.87962566103423978) < 0.002


def test_negative_and_zero_stddev():
    # TF does not check the sign: z * stddev + mean with stddev < 0 mirrors the draw.
    for cls in (tf.RandomNormal, tf.TruncatedNormal):
        x = cls(1.0, -2.0, seed=3)((N,))
        np.testing.assert_array_equal(x, -cls(-1.0, 2.0, seed=3)((N,)))
        np.testing.assert_array_equal(cls(0.25, 0.0, seed=3)((2, 3)),
                                      np.full((2, 3), 0.25, np.float32))
    assert_sample(tf.RandomNormal(1.0, -2.0, seed=4)((N,)), stats.norm(1.0, 2.0))


@pytest.mark.parametrize("cls", [tf.RandomNormal, tf.TruncatedNormal])
def test_normal_dtypes_and_errors(cls):
    for dtype in ("float16", "bfloat16", "float32", "float64"):
        assert cls(seed=1)((4, 4), dtype=dtype).dtype.name == dtype
        assert cls(seed=1, dtype=dtype)((4, 4)).dtype.name == dtype
    with pytest.raises(ValueError, match="Expected floating point type, got int32"):
        cls(dtype="int32")
    with pytest.raises(TypeError, match="dtype: unknown dtype"):
        cls(dtype="floot32")
    # A call-time dtype is not re-checked by TF; its op then fails with a TypeError.
    with pytest.raises(TypeError, match="produces floating point values.*got int32"):
        cls()((3,), dtype="int32")
    with pytest.raises(ValueError, match="stddev: must be finite"):
        cls(0.0, math.nan)((3,))
    with pytest.raises(TypeError, match="mean: expected a real number"):
        cls(mean=None)
    with pytest.raises(TypeError, match="seed: expected an integer or None, got float"):
        cls(seed=1.5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_truncated_16_bit_bounds(dtype):
    y = tf.TruncatedNormal(0.0, 1.0, seed=5)((1 << 16,), dtype=dtype).astype(np.float64)
    assert y.min() >= -2.0 and y.max() <= 2.0


def test_shapes():
    init = tf.RandomNormal(seed=1)
    assert init(()).shape == ()
    assert init(5).shape == (5,)
    assert init([2, 0, 3]).shape == (2, 0, 3)
    with pytest.raises(ValueError, match="shape: dimensions must be non-negative"):
        init((2, -1))
    with pytest.raises(TypeError, match="shape: dimensions must be integers"):
        init((2, 1.5))
