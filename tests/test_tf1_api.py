# SPDX-License-Identifier: BSD-3-Clause
"""The TF1 API surface: names, aliases, TF module paths, base class, configs, the example."""

import importlib
import json
import pathlib
import pickle
import runpy
import warnings

import numpy as np
import pytest

import weightinit
import weightinit.tf1 as tf

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "tf1_example.py"


def test_all_is_reexported_at_top_level():
    assert len(set(tf.__all__)) == len(tf.__all__)
    for name in tf.__all__:
        assert getattr(weightinit, name) is getattr(tf, name)
        assert name in weightinit.__all__


def test_module_aliases_are_the_classes():
    pairs = {"zeros_initializer": "Zeros", "ones_initializer": "Ones",
             "constant_initializer": "Constant", "random_uniform_initializer": "RandomUniform",
             "random_normal_initializer": "RandomNormal",
             "truncated_normal_initializer": "TruncatedNormal",
             "uniform_unit_scaling_initializer": "UniformUnitScaling",
             "variance_scaling_initializer": "VarianceScaling",
             "glorot_uniform_initializer": "GlorotUniform",
             "glorot_normal_initializer": "GlorotNormal",
             "orthogonal_initializer": "Orthogonal", "identity_initializer": "Identity",
             "convolutional_delta_orthogonal": "ConvolutionDeltaOrthogonal",
             "convolutional_orthogonal_1d": "ConvolutionOrthogonal1D",
             "convolutional_orthogonal_2d": "ConvolutionOrthogonal2D",
             "convolutional_orthogonal_3d": "ConvolutionOrthogonal3D"}
    for alias, name in pairs.items():
        assert getattr(tf, alias) is getattr(tf, name)
    assert type(tf.zeros_initializer()) is tf.Zeros


def test_initializers_namespace():
    names = {"zeros": tf.Zeros, "ones": tf.Ones, "constant": tf.Constant,
             "random_uniform": tf.RandomUniform, "random_normal": tf.RandomNormal,
             "truncated_normal": tf.TruncatedNormal,
             "uniform_unit_scaling": tf.UniformUnitScaling,
             "variance_scaling": tf.VarianceScaling, "glorot_uniform": tf.GlorotUniform,
             "glorot_normal": tf.GlorotNormal, "orthogonal": tf.Orthogonal,
             "identity": tf.Identity, "lecun_normal": tf.lecun_normal,
             "lecun_uniform": tf.lecun_uniform, "he_normal": tf.he_normal,
             "he_uniform": tf.he_uniform}
    for name, obj in names.items():
        assert getattr(tf.initializers, name) is obj
        assert getattr(tf.compat.v1.initializers, name) is obj
    assert tf.initializers.random_normal().stddev == 1.0  # the core class, not Keras's


def test_compat_v1_import_paths():
    assert tf.compat.v1 is tf
    module = importlib.import_module("weightinit.tf1.compat.v1")
    assert module is tf
    from weightinit.tf1.compat.v1 import glorot_uniform_initializer
    assert glorot_uniform_initializer is tf.GlorotUniform
    assert tf.random.set_random_seed is tf.set_random_seed
    assert tf.compat.v1.random.get_seed is tf.get_seed
    tf.disable_v2_behavior()
    tf.disable_eager_execution()


def test_dtype_names():
    for name in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                 "uint16", "uint32", "uint64", "bool", "complex64", "complex128"):
        assert getattr(tf, name) == np.dtype(name)
    assert tf.half == np.float16 and tf.double == np.float64
    assert tf.bfloat16.name == "bfloat16"
    assert tf.Ones()((2,), dtype=tf.bfloat16).dtype.name == "bfloat16"
    assert "float32" not in tf.__all__  # dtypes stay off weightinit's top level


def test_base_class():
    init = tf.Initializer()
    with pytest.raises(NotImplementedError):
        init((2, 2))
    assert init.get_config() == {}
    assert type(tf.Initializer.from_config({})) is tf.Initializer
    assert isinstance(tf.GlorotUniform(), tf.Initializer)


def every_class_configured():
    """Each class with non-default arguments, and a shape it accepts."""
    return [
        (tf.Zeros(dtype="int16"), (3, 4)),
        (tf.Ones(dtype="bool"), (3, 4)),
        (tf.Constant([[1, 2], [3, 4]], dtype="float64"), (3, 4)),
        (tf.Constant(np.arange(4, dtype=np.int8)), (3, 4)),
        (tf.RandomUniform(-1, 4, seed=3, dtype="float16"), (3, 4)),
        (tf.RandomUniform(-10, 10, seed=3, dtype="int32"), (3, 4)),
        (tf.RandomNormal(2.0, 0.5, seed=3, dtype="float64"), (3, 4)),
        (tf.TruncatedNormal(-1.0, 0.25, seed=3, dtype="bfloat16"), (3, 4)),
        (tf.UniformUnitScaling(1.5, seed=3, dtype="float64"), (3, 4)),
        (tf.VarianceScaling(0.5, "fan_out", "untruncated_normal", seed=3), (3, 4)),
        (tf.GlorotUniform(seed=3), (3, 4)),
        (tf.GlorotNormal(seed=3), (3, 4)),
        (tf.Orthogonal(2.0, seed=3, dtype="float64"), (3, 4)),
        (tf.Identity(0.5, dtype="float16"), (3, 4)),
        (tf.ConvolutionDeltaOrthogonal(0.5, seed=3), (3, 3, 2, 4)),
        (tf.ConvolutionOrthogonal1D(0.5, seed=3), (3, 2, 4)),
        (tf.ConvolutionOrthogonal2D(0.5, seed=3), (3, 3, 2, 4)),
        (tf.ConvolutionOrthogonal3D(0.5, seed=3), (2, 2, 2, 2, 4)),
    ]


with warnings.catch_warnings():  # collection time: outside the module's filter
    warnings.simplefilter("ignore", DeprecationWarning)
    CLASS_IDS = [f"{type(i).__name__}-{k}" for k, (i, _) in enumerate(every_class_configured())]


@pytest.mark.parametrize("index", range(len(CLASS_IDS)), ids=CLASS_IDS)
def test_integer_array_shapes(index):
    """A NumPy integer array is a shape, as TF reads it (was "Unable to cast Python instance of
    type <class 'numpy.ndarray'> to C++ type '?'")."""
    init, shape = every_class_configured()[index]
    for array in (np.array(shape), np.array(shape, np.int32), np.array(shape, np.uint8)):
        np.testing.assert_array_equal(init(array), init(shape))


@pytest.mark.parametrize("index", range(len(CLASS_IDS)), ids=CLASS_IDS)
def test_config_round_trip_through_json(index):
    init, shape = every_class_configured()[index]
    text = json.dumps(init.get_config())
    with warnings.catch_warnings():
        # from_config gives no constructor dtype notice (UniformUnitScaling still says that
        # it is deprecated).
        warnings.filterwarnings("error", message="Passing `dtype`")
        again = type(init).from_config(json.loads(text))
    assert again.get_config() == json.loads(text)
    a, b = init(shape), again(shape)
    assert a.dtype == b.dtype and a.shape == shape
    np.testing.assert_array_equal(a, b)
    assert repr(again).startswith(type(init).__name__ + "(")
    restored = pickle.loads(pickle.dumps(init))
    np.testing.assert_array_equal(restored(shape), a)


def test_example_runs(capsys):
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "lstm kernel rows orthonormal: True" in out
