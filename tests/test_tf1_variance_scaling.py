# SPDX-License-Identifier: BSD-3-Clause
"""TF1 VarianceScaling, Glorot, lecun/he and UniformUnitScaling: fans, formulas, errors."""

import json
import math
import warnings

import numpy as np
import pytest
from scipy import stats

import weightinit
import weightinit.tf1 as tf
from weightinit.core import fills as _fill
from weightinit.tf1 import _seeds as _tf1_seeds
from test_tf1_random import assert_sample, truncated, uniform

pytestmark = pytest.mark.filterwarnings("ignore:Passing `dtype`:DeprecationWarning")

DEFAULT_GRAPH_SEED = _tf1_seeds.DEFAULT_GRAPH_SEED


def spec_fans(shape):
    """fan_in, fan_out as the spec's table gives them, written out per rank."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def spec_params(scale, mode, distribution, shape):
    """The fill call the spec's VarianceScaling formula asks for."""
    fan_in, fan_out = spec_fans(shape)
    n = {"fan_in": max(1.0, fan_in), "fan_out": max(1.0, fan_out),
         "fan_avg": max(1.0, (fan_in + fan_out) / 2.0)}[mode]
    s = scale / n
    # Standard deviation of N(0, 1) truncated to [-2, 2], from its definition.
    c = math.sqrt(1 - 4 * stats.norm.pdf(2) / (2 * stats.norm.cdf(2) - 1))
    if distribution in ("truncated_normal", "normal"):
        return "truncated_normal", (0.0, math.sqrt(s) / c, -2.0, 2.0)
    if distribution == "untruncated_normal":
        return "normal", (0.0, math.sqrt(s))
    return "uniform", (-math.sqrt(3 * s), math.sqrt(3 * s))


SHAPES = [(), (7,), (5, 3), (3, 5, 4), (3, 3, 4, 8), (2, 3, 2, 5, 6)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_fans_every_rank(shape):
    assert weightinit.compute_fans(shape) == spec_fans(shape)
    if len(shape) == 4:
        assert spec_fans(shape) == (36, 72)  # the spec's worked example


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution",
                         ["truncated_normal", "untruncated_normal", "uniform", "normal"])
def test_formula_every_rank(shape, mode, distribution):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        init = tf.VarianceScaling(2.5, mode, distribution, seed=13)
    kind, params = spec_params(2.5, mode, distribution, shape)
    expected = _fill.new(shape, "float32", kind, params, seed=DEFAULT_GRAPH_SEED, stream=13)
    np.testing.assert_array_equal(init(shape), expected)


def test_truncation_constant():
    c = math.sqrt(1 - 4 * stats.norm.pdf(2) / (2 * stats.norm.cdf(2) - 1))
    assert abs(c - 0.87962566103423978) < 1e-15
    assert abs(stats.truncnorm(-2, 2).std() - 0.87962566103423978) < 1e-15


@pytest.mark.parametrize("distribution,dist", [
    ("truncated_normal", lambda sd: truncated(0, sd / 0.87962566103423978)),
    ("untruncated_normal", lambda sd: stats.norm(0, sd)),
    ("uniform", lambda sd: uniform(-sd * math.sqrt(3), sd * math.sqrt(3))),
], ids=["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_moments(distribution, dist, mode):
    shape = (3, 3, 64, 128)  # fans 576 / 1152; four seeds give 294912 elements
    fan = {"fan_in": 576, "fan_out": 1152, "fan_avg": 864}[mode]
    x = np.concatenate([tf.VarianceScaling(2.0, mode, distribution, seed=s)(shape).ravel()
                        for s in range(7, 11)])
    sd = math.sqrt(2.0 / fan)
    assert_sample(x, dist(sd))
    assert abs(x.std() / sd - 1) < 0.01  # the final stddev is sqrt(scale / n) for all three


def test_defaults_and_config():
    init = tf.VarianceScaling()
    assert init.get_config() == {"scale": 1.0, "mode": "fan_in",
                                 "distribution": "truncated_normal", "seed": None,
                                 "dtype": "float32"}
    init = tf.VarianceScaling(2, "fan_avg", "Uniform", seed=3, dtype="float64")
    assert init.distribution == "uniform"
    config = json.loads(json.dumps(init.get_config()))
    assert config == {"scale": 2, "mode": "fan_avg", "distribution": "uniform", "seed": 3,
                      "dtype": "float64"}
    np.testing.assert_array_equal(tf.VarianceScaling.from_config(config)((4, 6)), init((4, 6)))


def test_normal_alias():
    with pytest.warns(DeprecationWarning, match="`normal` is a deprecated alias"):
        init = tf.VarianceScaling(distribution="normal", seed=4)
    assert init.get_config()["distribution"] == "normal"
    np.testing.assert_array_equal(init((6, 7)),
                                  tf.VarianceScaling(distribution="truncated_normal",
                                                     seed=4)((6, 7)))


def test_errors_in_tf_order():
    for scale in (0, -1.0, math.nan):
        with pytest.raises(ValueError, match="^`scale` must be positive float.$"):
            tf.VarianceScaling(scale, mode="bad", distribution="bad", dtype="int32")
    with pytest.raises(ValueError, match="^Invalid `mode` argument: FAN_IN "):
        tf.VarianceScaling(mode="FAN_IN", distribution="bad", dtype="int32")
    with pytest.raises(ValueError, match="^Invalid `distribution` argument: gaussian "):
        tf.VarianceScaling(distribution="gaussian", dtype="int32")
    with pytest.raises(ValueError, match="Expected floating point type, got int32."):
        tf.VarianceScaling(dtype="int32")
    with pytest.raises(TypeError, match="scale: expected a real number"):
        tf.VarianceScaling("1")
    with pytest.raises(TypeError, match="produces floating point values"):
        tf.VarianceScaling()((2, 2), dtype="int64")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_dtypes(dtype):
    assert tf.VarianceScaling(seed=1)((4, 5), dtype=dtype).dtype.name == dtype
    assert tf.VarianceScaling(seed=1, dtype=dtype)((4, 5)).dtype.name == dtype


def test_empty_shapes_use_the_fan_guard():
    for shape in [(0,), (0, 5), (2, 0, 3), (3, 3, 0, 8)]:
        for mode in ("fan_in", "fan_out", "fan_avg"):
            assert tf.VarianceScaling(mode=mode, seed=1)(shape).shape == shape


# --- Glorot -------------------------------------------------------------------------------

@pytest.mark.parametrize("cls,distribution", [(tf.GlorotUniform, "uniform"),
                                              (tf.GlorotNormal, "truncated_normal")])
def test_glorot(cls, distribution):
    init = cls(seed=5)
    assert isinstance(init, tf.VarianceScaling)
    assert (init.scale, init.mode, init.distribution) == (1.0, "fan_avg", distribution)
    assert init.get_config() == {"seed": 5, "dtype": "float32"}
    for shape in [(5, 3), (3, 3, 4, 8)]:
        kind, params = spec_params(1.0, "fan_avg", distribution, shape)
        expected = _fill.new(shape, "float32", kind, params, seed=DEFAULT_GRAPH_SEED, stream=5)
        np.testing.assert_array_equal(init(shape), expected)
    fan_in, fan_out = 64 * 9, 32 * 9
    x = init((3, 3, 64, 32))
    sd = math.sqrt(2 / (fan_in + fan_out))
    if distribution == "uniform":
        limit = math.sqrt(6 / (fan_in + fan_out))
        assert -limit <= x.min() and x.max() < limit
        assert_sample(x, uniform(-limit, limit))
    else:
        assert_sample(x, truncated(0, sd / 0.87962566103423978))


@pytest.mark.parametrize("cls", [tf.GlorotUniform, tf.GlorotNormal])
def test_glorot_drops_dtype_as_tf(cls):
    # TF 1.15's Glorot constructors never forward dtype: no check, float32 stored and used.
    with pytest.warns(DeprecationWarning):
        init = cls(seed=1, dtype="int32")
    assert init.dtype == np.float32
    assert init.get_config() == {"seed": 1, "dtype": "float32"}
    assert init((3, 4)).dtype == np.float32
    assert init((3, 4), dtype="float64").dtype == np.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        json_config = json.loads(json.dumps(cls(seed=2).get_config()))
    np.testing.assert_array_equal(cls.from_config(json_config)((4, 4)), cls(seed=2)((4, 4)))


def test_golden_stream_mapping():
    # The spec's golden setting: set_random_seed(11); glorot_uniform_initializer(seed=7) on
    # (3, 5): key 11, stream 7, uniform on [-sqrt(6/8), sqrt(6/8)).
    tf.set_random_seed(11)
    x = tf.glorot_uniform_initializer(seed=7)((3, 5))
    limit = math.sqrt(6 / 8)
    np.testing.assert_array_equal(
        x, _fill.new((3, 5), "float32", "uniform", (-limit, limit), seed=11, stream=7))


# --- lecun / he ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn,scale,distribution", [
    (tf.lecun_normal, 1.0, "truncated_normal"), (tf.lecun_uniform, 1.0, "uniform"),
    (tf.he_normal, 2.0, "truncated_normal"), (tf.he_uniform, 2.0, "uniform")])
def test_lecun_he(fn, scale, distribution):
    init = fn(seed=9)
    assert type(init) is tf.VarianceScaling
    assert init.get_config() == {"scale": scale, "mode": "fan_in",
                                 "distribution": distribution, "seed": 9, "dtype": "float32"}
    assert type(fn()).__name__ == "VarianceScaling"
    shape = (3, 3, 32, 64)
    x = init(shape)
    sd = math.sqrt(scale / (9 * 32))
    if distribution == "uniform":
        assert_sample(x, uniform(-sd * math.sqrt(3), sd * math.sqrt(3)))
    else:
        assert_sample(x, truncated(0, sd / 0.87962566103423978))


# --- UniformUnitScaling -------------------------------------------------------------------

def test_uniform_unit_scaling():
    with pytest.warns(DeprecationWarning, match="UniformUnitScaling is deprecated"):
        init = tf.UniformUnitScaling(1.43, seed=6)
    assert init.get_config() == {"factor": 1.43, "seed": 6, "dtype": "float32"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert tf.UniformUnitScaling().get_config() == {"factor": 1.0, "seed": None,
                                                        "dtype": "float32"}
        with pytest.raises(ValueError, match="Expected floating point type"):
            tf.UniformUnitScaling(dtype="int32")
    for shape in [(), (7,), (4, 6), (3, 3, 4, 8)]:
        input_size = max(1.0, float(math.prod(shape[:-1])))
        max_val = math.sqrt(3 / input_size) * 1.43
        expected = _fill.new(shape, "float32", "uniform", (-max_val, max_val),
                             seed=DEFAULT_GRAPH_SEED, stream=6)
        np.testing.assert_array_equal(init(shape), expected)
    # For rank >= 2 it is VarianceScaling(factor**2, "fan_in", "uniform") (up to the last
    # bit of the bound, computed in another order); for rank 1 it is not.
    vs = tf.VarianceScaling(1.43**2, "fan_in", "uniform", seed=6)
    np.testing.assert_allclose(init((40, 30)), vs((40, 30)), rtol=1e-6)
    assert np.abs(init((1000,))).max() > 10 * np.abs(vs((1000,))).max()
    limit = math.sqrt(3 / 256) * 1.43
    assert_sample(init((256, 1024)), uniform(-limit, limit))
