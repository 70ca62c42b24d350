# SPDX-License-Identifier: BSD-3-Clause
"""Keras initializers: tf.compat.v1.keras.initializers (keras.v1) and the TF2 classes."""

import ast
import json
import math
import re
import warnings

import numpy as np
import pytest
from scipy import stats

import weightinit
import weightinit.tf1 as tf
from weightinit import keras
from weightinit.keras._stft import stft_kernel
from test_tf1_random import assert_sample, truncated, uniform

v1 = keras.v1

pytestmark = pytest.mark.filterwarnings("ignore:Passing `dtype`:DeprecationWarning")


# --- tf.compat.v1.keras.initializers ------------------------------------------------------

def test_v1_namespace_is_tf1_keras():
    assert tf.keras.initializers is v1
    assert tf.compat.v1.keras.initializers is v1
    assert v1.Initializer is tf.Initializer
    for name in ("Zeros", "zeros", "zero"):
        assert getattr(v1, name) is tf.Zeros
    for name in ("Ones", "ones", "one"):
        assert getattr(v1, name) is tf.Ones
    assert v1.glorot_uniform is tf.GlorotUniform and v1.glorot_normal is tf.GlorotNormal
    assert v1.VarianceScaling is tf.VarianceScaling and v1.orthogonal is tf.Orthogonal
    assert v1.identity is tf.Identity and v1.constant is tf.Constant
    assert v1.he_normal is tf.he_normal and v1.lecun_uniform is tf.lecun_uniform
    assert v1.uniform is v1.random_uniform is v1.RandomUniform
    assert v1.normal is v1.random_normal is v1.RandomNormal
    assert not hasattr(v1, "uniform_unit_scaling")


@pytest.mark.parametrize("cls,parent,config", [
    (v1.RandomNormal, tf.RandomNormal, {"mean": 0.0, "stddev": 0.05}),
    (v1.TruncatedNormal, tf.TruncatedNormal, {"mean": 0.0, "stddev": 0.05}),
    (v1.RandomUniform, tf.RandomUniform, {"minval": -0.05, "maxval": 0.05})])
def test_v1_keras_defaults(cls, parent, config):
    assert issubclass(cls, parent) and cls.__name__ == parent.__name__
    assert cls().get_config() == dict(config, seed=None, dtype="float32")
    assert parent().get_config() != cls().get_config()  # the core classes keep TF's defaults
    x = cls(seed=3)((1 << 20,))
    dist = {tf.RandomNormal: stats.norm(0, 0.05), tf.TruncatedNormal: truncated(0, 0.05),
            tf.RandomUniform: uniform(-0.05, 0.05)}[parent]
    assert_sample(x, dist)
    init = cls(seed=4, dtype="float64")
    again = cls.from_config(json.loads(json.dumps(init.get_config())))
    np.testing.assert_array_equal(again((5, 5)), init((5, 5)))


def test_v1_get():
    assert v1.get(None) is None
    init = v1.get("he_normal")
    assert type(init) is tf.VarianceScaling and init.scale == 2.0
    assert type(v1.get("zero")) is tf.Zeros
    assert v1.get("normal").stddev == 0.05
    assert v1.get("RandomNormal").stddev == 0.05
    # TF 1.15 returns callables unchanged, classes included (not instantiated).
    assert v1.get(tf.Zeros) is tf.Zeros
    fn = lambda shape, dtype=None: np.zeros(shape)  # noqa: E731
    assert v1.get(fn) is fn
    assert type(v1.get({"class_name": "Orthogonal", "config": {"gain": 2.0}})) is tf.Orthogonal
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 5"):
        v1.get(5)
    with pytest.raises(ValueError, match="Unknown initializer: 'uniform_unit_scaling'"):
        v1.get("uniform_unit_scaling")
    with pytest.raises(ValueError, match="Unknown initializer: 'Zeros_'"):
        v1.get("Zeros_")
    with pytest.raises(ValueError, match="Unknown initializer: 'ZEROS'"):
        v1.get("ZEROS")  # case-sensitive


@pytest.mark.parametrize("make", [
    lambda: v1.he_normal(seed=1), lambda: v1.lecun_uniform(seed=1),
    lambda: v1.RandomUniform(-1, 2, seed=1), lambda: v1.glorot_normal(seed=1),
    lambda: v1.Constant([1, 2, 3]), lambda: v1.Identity(2.0), lambda: v1.Orthogonal(seed=1),
    lambda: v1.VarianceScaling(3.0, "fan_out", "uniform", seed=1), lambda: v1.Ones()])
def test_v1_serialize_round_trip(make):
    init = make()
    data = json.loads(json.dumps(v1.serialize(init)))
    assert data == {"class_name": type(init).__name__, "config": init.get_config()}
    again = v1.deserialize(data)
    assert type(again) is type(init)
    np.testing.assert_array_equal(again((4, 6)), init((4, 6)))


def test_v1_he_normal_serializes_as_variance_scaling():
    assert v1.serialize(v1.he_normal())["class_name"] == "VarianceScaling"


# --- TF2 Keras ----------------------------------------------------------------------------

# What every random initializer's config holds besides tf-keras's keys: the stream it draws
# on (docs/robustness.md, "Keras configs").
TAG = {"weightinit_stream": f"v{weightinit.STREAM_VERSION}"}


def test_tf2_defaults():
    assert keras.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None,
                                                 **TAG}
    assert keras.TruncatedNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None,
                                                    **TAG}
    assert keras.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05,
                                                  "seed": None, **TAG}
    assert keras.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None, **TAG}
    assert keras.Orthogonal().get_config() == {"gain": 1.0, "seed": None, **TAG}
    assert keras.Identity().get_config() == {"gain": 1.0}
    assert keras.Constant().get_config() == {"value": 0}
    assert keras.Zeros().get_config() == {}
    for cls in (keras.GlorotUniform, keras.GlorotNormal, keras.HeNormal, keras.HeUniform,
                keras.LecunNormal, keras.LecunUniform):
        assert cls(seed=3).get_config() == {"seed": 3, **TAG}
        assert isinstance(cls(), keras.VarianceScaling)
    assert keras.initializers.HeNormal is keras.HeNormal is keras.he_normal


def sorted_sets(message):
    """`message` with each printed set of strings sorted: Keras prints sets ({'fan_in', ...}),
    whose order follows the process's string hashes and how the set was built."""
    return re.sub(r"\{'[^{}]*'\}", lambda m: repr(sorted(ast.literal_eval(m.group(0)))),
                  message)


def test_tf2_variance_scaling_rewrites_normal():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init = keras.VarianceScaling(distribution="Normal", seed=2)
    assert init.get_config()["distribution"] == "truncated_normal"
    # Keras 3's messages.
    with pytest.raises(ValueError) as e:
        keras.VarianceScaling(distribution="Gaussian")
    assert sorted_sets(str(e.value)) == ("Invalid `distribution` argument: gaussian.Please use "
                                         "one of ['truncated_normal', 'uniform', "
                                         "'untruncated_normal']")
    with pytest.raises(ValueError, match="^Argument `scale` must be positive float. "
                                         "Received: scale=0$"):
        keras.VarianceScaling(scale=0)
    for mode in ("fan", "FAN_IN", 3):
        with pytest.raises(ValueError) as e:
            keras.VarianceScaling(mode=mode)
        assert sorted_sets(str(e.value)) == (f"Invalid `mode` argument: {mode}. Please use one "
                                             "of ['fan_avg', 'fan_in', 'fan_out']")
    # What Keras lets through (or crashes on) keeps weightinit's messages naming the argument.
    with pytest.raises(ValueError, match="^`scale` must be positive float.$"):
        keras.VarianceScaling(scale=float("nan"))
    with pytest.raises(TypeError, match="^scale: expected a real number, got str$"):
        keras.VarianceScaling(scale="1")
    with pytest.raises(TypeError, match="^distribution: expected a string, got int$"):
        keras.VarianceScaling(distribution=3)
    with pytest.raises(TypeError, match="^mode: expected a string, got list$"):
        keras.VarianceScaling(mode=["fan_in"])


@pytest.mark.parametrize("cls,scale,mode,distribution", [
    (keras.GlorotUniform, 1.0, "fan_avg", "uniform"),
    (keras.GlorotNormal, 1.0, "fan_avg", "truncated_normal"),
    (keras.HeUniform, 2.0, "fan_in", "uniform"),
    (keras.HeNormal, 2.0, "fan_in", "truncated_normal"),
    (keras.LecunUniform, 1.0, "fan_in", "uniform"),
    (keras.LecunNormal, 1.0, "fan_in", "truncated_normal")])
def test_tf2_presets(cls, scale, mode, distribution):
    init = cls(seed=6)
    assert (init.scale, init.mode, init.distribution) == (scale, mode, distribution)
    shape = (3, 3, 64, 32)
    fan = {"fan_in": 576, "fan_avg": (576 + 288) / 2}[mode]
    sd = math.sqrt(scale / fan)
    x = init(shape)
    if distribution == "uniform":
        assert_sample(x, uniform(-sd * math.sqrt(3), sd * math.sqrt(3)))
    else:
        assert_sample(x, truncated(0, sd / 0.87962566103423978))
    # The same formula as the v1 class.
    v1_init = tf.VarianceScaling(scale, mode, distribution, seed=0)
    assert abs(v1_init(shape).std() - x.std()) < 0.02 * sd


@pytest.mark.parametrize("make,dist", [
    (lambda: keras.RandomNormal(1.0, 0.5, seed=1), stats.norm(1.0, 0.5)),
    (lambda: keras.TruncatedNormal(1.0, 0.5, seed=1), truncated(1.0, 0.5)),
    (lambda: keras.RandomUniform(-2, 3, seed=1), uniform(-2, 3)),
    (lambda: keras.VarianceScaling(4.0, "fan_out", "untruncated_normal", seed=1),
     stats.norm(0, math.sqrt(4.0 / 1024)))], ids=["normal", "truncated", "uniform", "vs"])
def test_tf2_moments(make, dist):
    assert_sample(make()((1024, 1024)), dist)


def test_tf2_seeds():
    init = keras.RandomNormal(seed=5)
    first = init((6, 7))
    np.testing.assert_array_equal(init((6, 7)), first)  # stateless: repeats
    # Documented mapping: Philox key = seed, stream 0 (equal to a plain fill-layer call).
    np.testing.assert_array_equal(first, weightinit.new((6, 7), "float32", "normal",
                                                        (0.0, 0.05), seed=5))
    np.testing.assert_array_equal(keras.RandomNormal(seed=-1)((3,)),
                                  weightinit.new((3,), "float32", "normal", (0.0, 0.05),
                                                 seed=2**64 - 1))
    # The TF1 graph seed does not reach TF2 initializers.
    tf.set_random_seed(3)
    np.testing.assert_array_equal(init((6, 7)), first)


def test_tf2_seed_arguments():
    # What Keras 3 refuses: its ValueError. A bool, which Keras takes as an int: refused too.
    for bad in ("3", 1.5, [1], {"seed": 1} if keras.KERAS is None else b"1"):
        message = ("`seed` argument should be an instance of `keras.random.SeedGenerator()` "
                   f"or an integer. Received: seed={bad}")
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            keras.RandomNormal(seed=bad)
    with pytest.raises(TypeError, match="^seed: expected an integer.* or None, got bool$"):
        keras.HeNormal(seed=True)
    np.testing.assert_array_equal(as_numpy(keras.HeNormal(seed=np.int64(3))((4,))),
                                  as_numpy(keras.HeNormal(seed=3)((4,))))


def test_tf2_unseeded_repeats_and_warns():
    init = keras.HeUniform()
    first = init((5, 5))
    with pytest.warns(UserWarning, match="HeUniform is unseeded and being called multiple"):
        second = init((5, 5))
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(keras.HeUniform()((5, 5)), first)  # a new instance, a new seed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seeded = keras.HeUniform(seed=1)
        seeded((2, 2))
        seeded((2, 2))


def as_numpy(x):
    """A call's result as NumPy: a Keras backend tensor (Keras 3 installed) or the array."""
    return x if keras.KERAS is None else keras.KERAS.ops.convert_to_numpy(x)


def test_tf2_dtypes():
    assert as_numpy(keras.RandomNormal(seed=1)((2,))).dtype == np.float32
    assert as_numpy(keras.RandomNormal(seed=1)((2,), dtype="bfloat16")).dtype.name == "bfloat16"
    with pytest.raises(ValueError, match="Expected floating point type, got int32"):
        keras.RandomNormal()((2,), dtype="int32")
    with pytest.raises(ValueError, match="Expected floating point type, got int64"):
        keras.Orthogonal()((2, 2), dtype="int64")
    x = as_numpy(keras.RandomUniform(-3, 9, seed=2)((1000,), dtype="int32"))
    assert x.dtype == np.int32 and x.min() == -3 and x.max() == 8
    with pytest.raises(TypeError, match="Expected int32, but got -0.05"):
        keras.RandomUniform()((2,), dtype="int32")
    with pytest.raises(ValueError, match="Expected float or integer dtype, got bool"):
        keras.RandomUniform()((2,), dtype=bool)
    assert as_numpy(keras.Zeros()((2,), dtype=bool)).dtype == bool
    assert as_numpy(keras.Ones()((2,), dtype="int8")).tolist() == [1, 1]


def test_tf2_random_uniform_inverted_bounds_refused():
    # Keras 3 draws backend-dependent values for them (all minval on JAX, (maxval, minval]
    # on torch): refused at construction, equal bounds kept (every value the bound).
    for minval, maxval in ((1, -1), (0.5, -0.5), (np.float32(2), 1)):
        message = f"minval, maxval: minval must not exceed maxval, got minval={minval!r}, " \
                  f"maxval={maxval!r}"
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            keras.RandomUniform(minval, maxval)
        with pytest.raises(ValueError, match="^minval, maxval: "):
            keras.RandomUniform.from_config({"minval": minval, "maxval": maxval, "seed": 1})
    np.testing.assert_array_equal(as_numpy(keras.RandomUniform(1.0, 1.0, seed=1)((3,))), 1.0)


def test_tf2_stream_tag():
    """Random initializers' configs name their stream; reading one checks it (a config without
    it, as Keras and earlier weightinit versions write, is this stream's)."""
    init = keras.HeNormal(seed=1)
    assert init.get_config() == {"seed": 1, **TAG}
    assert repr(init) == "HeNormal(seed=1)"  # the constructor's arguments only
    np.testing.assert_array_equal(keras.HeNormal.from_config({"seed": 1})((3, 4)), init((3, 4)))
    np.testing.assert_array_equal(keras.HeNormal.from_config(init.get_config())((3, 4)),
                                  init((3, 4)))
    np.testing.assert_array_equal(keras.Zeros.from_config(TAG)((2,)), 0.0)
    for other in ("v1", "v3", 2, None):
        with pytest.raises(ValueError, match=f"^weightinit_stream: the config names weightinit's "
                                             f"stream {re.escape(repr(other))}; this weightinit "
                                             f"draws stream 'v{weightinit.STREAM_VERSION}'"):
            keras.HeNormal.from_config({"seed": 1, "weightinit_stream": other})
    with pytest.raises(ValueError, match="^weightinit_stream: "):
        keras.deserialize({"class_name": "RandomNormal",
                           "config": {"seed": 1, "weightinit_stream": "v1"}})


def test_tf2_orthogonal_identity_constant():
    w = keras.Orthogonal(gain=2.0, seed=3)((10, 4))
    assert np.abs(w.T @ w - 4 * np.eye(4)).max() < 1e-5
    np.testing.assert_array_equal(keras.Identity(0.5)((2, 3)), 0.5 * np.eye(2, 3))
    with pytest.raises(ValueError, match=r"^Identity matrix initializer can only be used for 2D "
                                         r"matrices. Received: shape=\(2, 2, 2\) of rank 3.$"):
        keras.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match=r"^The tensor to initialize must be at least "
                                         r"two-dimensional. Received: shape=\[3\] of rank 1.$"):
        keras.Orthogonal()([3])
    np.testing.assert_array_equal(keras.Constant(3)((2, 2)), np.full((2, 2), 3.0))
    np.testing.assert_array_equal(keras.Constant([1, 2, 3, 4])((2, 2)), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(keras.Constant([1, 2])((3, 2)), [[1, 2]] * 3)
    with pytest.raises(ValueError, match=r"a value of shape \(3,\) cannot fill shape \(2, 2\)"):
        keras.Constant([1, 2, 3])((2, 2))


def test_tf2_partition_keywords():
    init = keras.GlorotNormal(seed=4)
    whole = init((8, 6))
    part = init((8, 6), partition_shape=(3, 6), partition_offset=(5, 0))
    np.testing.assert_array_equal(part, whole[5:])
    value = np.arange(48.0).reshape(8, 6)
    np.testing.assert_array_equal(
        keras.Constant(value)((8, 6), partition_shape=(2, 3), partition_offset=(1, 3)),
        value[1:3, 3:])
    assert keras.Zeros()((8, 6), partition_shape=(2, 6), partition_offset=(0, 0)).shape == (2, 6)
    for cls in (keras.Orthogonal, keras.Identity):
        with pytest.raises(ValueError, match="doesn't support partition-related arguments"):
            cls()((8, 6), partition_shape=(4, 6), partition_offset=(0, 0))
    with pytest.raises(TypeError, match=r"Unknown keyword arguments: \['partition_info'\]"):
        init((8, 6), partition_info=None)


def test_tf2_get():
    assert keras.get(None) is None
    for name, cls in [("normal", keras.RandomNormal), ("uniform", keras.RandomUniform),
                      ("one", keras.Ones), ("zero", keras.Zeros), ("he_normal", keras.HeNormal),
                      ("HeNormal", keras.HeNormal), ("GlorotUniformV2", keras.GlorotUniform),
                      ("variance_scaling", keras.VarianceScaling),
                      ("truncated_normal", keras.TruncatedNormal)]:
        assert type(keras.get(name)) is cls
    assert type(keras.get(keras.LecunNormal)) is keras.LecunNormal  # classes: instantiated
    init = keras.Orthogonal(seed=1)
    assert keras.get(init) is init
    assert type(keras.get("Initializer")) is keras.Initializer  # Keras 3's table has it
    with pytest.raises(ValueError, match="^Could not interpret initializer identifier: 3.5$"):
        keras.get(3.5)
    with pytest.raises(ValueError, match="^Could not interpret initializer identifier: "
                                         "henormal$"):
        keras.get("henormal")
    with pytest.raises(ValueError, match=re.escape(
            "Could not interpret initializer identifier: {'class_name': 'Foo', 'config': {}}")):
        keras.get({"class_name": "Foo", "config": {}})


@pytest.mark.parametrize("values", [np.arange(6.0).reshape(2, 3), np.float64(2.5),
                                    np.array([1, 2], dtype=np.int8)])
def test_tf2_get_of_values(values):
    """Keras 3's get of an array (or NumPy scalar): a function returning those values in the
    call's dtype, for their shape only."""
    init = keras.get(values)
    out = as_numpy(init(values.shape))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.asarray(values, dtype=np.float32))
    assert as_numpy(init(list(values.shape), "float16")).dtype == np.float16
    message = (f"Expected `shape` to be {values.shape} for direct tensor as initializer. "
               "Received shape=(4, 4)")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        init((4, 4))
    with pytest.raises(TypeError, match="^shape: dimensions must be integers"):
        init((None,))


@pytest.mark.parametrize("make", [
    lambda: keras.HeNormal(seed=1), lambda: keras.RandomUniform(-1, 2, seed=1),
    lambda: keras.VarianceScaling(3.0, "fan_avg", "uniform", seed=1),
    lambda: keras.Orthogonal(0.5, seed=1), lambda: keras.Constant(np.arange(6.0)),
    lambda: keras.Identity(2.0), lambda: keras.Ones(), lambda: keras.TruncatedNormal(seed=1)])
def test_tf2_serialize_round_trip(make):
    init = make()
    data = json.loads(json.dumps(keras.serialize(init)))
    name = type(init).__name__
    assert data == {"module": "weightinit.keras", "class_name": name,
                    "config": init.get_config(), "registered_name": f"weightinit>{name}"}
    keras3 = {"module": "keras.initializers", "class_name": name, "config": data["config"],
              "registered_name": None}  # a config Keras 3 wrote for its own class
    for form in (data, keras3, {"class_name": name, "config": data["config"]}):
        again = keras.deserialize(form)
        assert type(again) is type(init)
        np.testing.assert_array_equal(again((2, 3)), init((2, 3)))


def test_tf2_from_config_drops_dtype():
    init = keras.RandomNormal.from_config({"mean": 1.0, "stddev": 2.0, "seed": 3,
                                           "dtype": "float64"})
    assert init.get_config() == {"mean": 1.0, "stddev": 2.0, "seed": 3, **TAG}
    # A v1 config (with its dtype) deserializes into the TF2 class.
    with pytest.warns(DeprecationWarning, match="`normal` is a deprecated alias"):
        data = v1.serialize(tf.VarianceScaling(2.0, "fan_in", "normal", seed=4))
    again = keras.deserialize(data)
    assert type(again) is keras.VarianceScaling
    assert again.get_config()["distribution"] == "truncated_normal"


def test_tf2_base_class():
    with pytest.raises(NotImplementedError, match="^Initializer subclasses must implement the "
                                                  r"`__call__\(\)` method.$"):
        keras.Initializer()((2,))
    assert keras.Initializer().get_config() == {}


# --- STFT (Keras 3) -----------------------------------------------------------------------

def stft_reference(shape, side, window, scaling):
    """The STFT kernel in float64 from its definition (Keras's docstring): cos / sin of
    -2 pi t k / n, times the window over its scaling."""
    t = np.arange(shape[0]).reshape(-1, 1, 1)
    k = np.arange(shape[2]).reshape(1, 1, -1)
    a = -2 * np.pi * t * k / (2 * (shape[2] - 1))
    kernel = np.cos(a) if side == "real" else np.sin(a)
    if window is None:
        return kernel
    w = np.asarray(window, dtype=np.float64).reshape(-1, 1, 1)
    s = {"density": np.sqrt(np.sum(w ** 2)), "spectrum": np.sum(np.abs(w)), None: 1.0}[scaling]
    return kernel * w / s


@pytest.mark.parametrize("side,window,scaling,periodic", [
    ("real", None, "density", False), ("imag", "hann", "density", False),
    ("real", "hamming", "spectrum", True), ("imag", "tukey", None, False),
    ("real", [0.5, 1.0, 2.0, 1.0, 0.5, 0.25, 0.125], "spectrum", False)])
def test_stft_values(side, window, scaling, periodic):
    from scipy import signal
    shape = (7, 1, 9)
    init = keras.STFT(side, window, scaling, periodic)
    values = window if not isinstance(window, str) else signal.get_window(window, 7, periodic)
    expected = stft_reference(shape, side, values, scaling)
    # As in Keras, the argument a of cos / sin is computed in the dtype: the rounding of k / n
    # and of two products each move it by up to |a| * eps / 2, the value by as much; the
    # window, its scaling and the result add a few eps (values here are at most 1).
    a_max = 2 * np.pi * 6 * 8 / 16
    for dtype in ("float32", "float16"):
        atol = np.finfo(dtype).eps * (1.5 * a_max + 4)
        out = as_numpy(init(shape, dtype))
        assert out.shape == shape and out.dtype == np.dtype(dtype)
        np.testing.assert_allclose(out.astype(np.float64), expected, rtol=0, atol=atol)
    # float64 (which Keras's jax backend truncates to float32 by default): the kernel itself.
    np.testing.assert_allclose(
        stft_kernel(7, 9, side, window, scaling, periodic, np.dtype("float64")), expected,
        rtol=0, atol=1e-13)
    assert as_numpy(init(shape)).dtype == np.float32
    config = init.get_config()
    assert config == {"side": side, "window": window, "periodic": periodic, "scaling": scaling}
    assert json.loads(json.dumps(config)) == config
    np.testing.assert_array_equal(as_numpy(keras.STFT.from_config(config)(shape)),
                                  as_numpy(init(shape)))
    again = keras.deserialize(json.loads(json.dumps(keras.serialize(init))))
    assert type(again) is keras.STFT and again.get_config() == config
    for name in ("STFT", "stft", "STFTInitializer"):
        assert type(keras.get(name)) is keras.STFT


def test_stft_arguments():
    from scipy import signal
    assert keras.STFT().get_config() == {"side": "real", "window": "hann", "periodic": False,
                                         "scaling": "density"}
    window = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    assert keras.STFT(window=window).get_config()["window"] == [1.0, 2.0, 3.0]  # JSON-ready
    # Keras 3's messages.
    with pytest.raises(ValueError, match="^side should be 'real' or 'imag', not imaginary$"):
        keras.STFT("imaginary")
    with pytest.raises(ValueError, match="^Scaling is invalid, it must be `None`, 'density' or "
                                         "'spectrum'. Received scaling=l2$"):
        keras.STFT("real", scaling="l2")
    with pytest.raises(ValueError) as scipy_error:
        signal.get_window("unknown", 1)
    with pytest.raises(ValueError, match=f"^{re.escape(str(scipy_error.value))}$"):
        keras.STFT("real", window="unknown")  # SciPy's error, as in Keras
    with pytest.raises(ValueError, match=re.escape(
            "The shape of `window` must be equal to [frame_length].Received: window "
            "shape=(3,)")):
        keras.STFT(window=window)((4, 1, 5))
    # Beyond Keras (whose kernel would be NaN, or ignore the shape): weightinit's messages.
    with pytest.raises(ValueError, match=r"^shape: STFT makes kernels of shape \(frame_length, "
                                         r"1, fft_length // 2 \+ 1\), got \(4, 2, 5\)$"):
        keras.STFT()((4, 2, 5))
    with pytest.raises(ValueError, match="^shape: STFT makes kernels"):
        keras.STFT()((4, 5))
    with pytest.raises(ValueError, match=r"^shape: the last dimension \(fft_length // 2 \+ 1\) "
                                         "must not be 1"):
        keras.STFT(window=None)((4, 1, 1))
    with pytest.raises(ValueError, match="^window: the 'density' scaling of this window is 0"):
        keras.STFT(window=[0.0, 0.0])((2, 1, 3))
    with pytest.raises(TypeError, match="^window: expected a scipy.signal window name, an "
                                        "array of numbers or None, got"):
        keras.STFT(window=["a", "b"])((2, 1, 3))
    with pytest.raises(ValueError, match="^Expected floating point type, got int32.$"):
        keras.STFT()((4, 1, 5), "int32")
    with pytest.raises(ValueError, match="doesn't support partition-related arguments"):
        keras.STFT()((4, 1, 5), partition_shape=(2, 1, 5), partition_offset=(0, 0, 0))
