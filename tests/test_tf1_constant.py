# SPDX-License-Identifier: BSD-3-Clause
"""TF1 Zeros, Ones, Constant (graph-mode semantics) and Identity."""

import json
import warnings

import ml_dtypes
import numpy as np
import pytest

import weightinit.tf1 as tf

pytestmark = pytest.mark.filterwarnings("ignore:Passing `dtype`:DeprecationWarning")

ALL_DTYPES = ["bool", "int8", "uint16", "int32", "int64", "float16", "bfloat16", "float32",
              "float64", "complex64"]


# --- Zeros / Ones -------------------------------------------------------------------------

@pytest.mark.parametrize("cls,value", [(tf.Zeros, 0), (tf.Ones, 1)])
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_zeros_ones(cls, value, dtype):
    x = cls()((3, 4), dtype=dtype)
    assert x.dtype.name == dtype and x.shape == (3, 4)
    assert (x == np.array(value).astype(x.dtype)).all()
    y = cls(dtype=dtype)((2,))
    assert y.dtype.name == dtype
    assert cls(dtype=dtype).get_config() == {"dtype": dtype}


@pytest.mark.parametrize("cls", [tf.Zeros, tf.Ones])
def test_zeros_ones_defaults_and_errors(cls):
    assert cls().get_config() == {"dtype": "float32"}
    assert cls()(()).shape == () and cls()(()).dtype == np.float32
    assert cls()([0, 3]).shape == (0, 3)
    assert cls.from_config(json.loads(json.dumps(cls(dtype="int64").get_config())))(
        (2,)).dtype == np.int64
    for dtype in ("U", "object", "floot"):
        with pytest.raises(TypeError, match="dtype"):
            cls(dtype=dtype)
    assert bool(tf.Ones()((1,), dtype=bool)[0]) is True
    assert bool(tf.Zeros()((1,), dtype=bool)[0]) is False


def test_dtype_objects_with_a_name():
    class FakeTFDtype:
        name = "float16"
    assert tf.Zeros()((2,), dtype=FakeTFDtype()).dtype == np.float16
    assert tf.Zeros()((2,), dtype=tf.bfloat16).dtype == ml_dtypes.bfloat16
    assert tf.Zeros()((2,), dtype=np.float64).dtype == np.float64


# --- Constant -----------------------------------------------------------------------------

def test_constant_defaults():
    assert tf.Constant().get_config() == {"value": 0, "dtype": "float32"}
    np.testing.assert_array_equal(tf.Constant()((2, 2)), np.zeros((2, 2), np.float32))
    np.testing.assert_array_equal(tf.Constant(2.5)((2, 3)), np.full((2, 3), 2.5, np.float32))


def test_constant_pads_with_the_last_element():
    x = tf.Constant(list(range(8)))((3, 4))
    np.testing.assert_array_equal(x, [[0, 1, 2, 3], [4, 5, 6, 7], [7, 7, 7, 7]])
    assert x.dtype == np.float32
    np.testing.assert_array_equal(tf.Constant([])((2, 2)), np.zeros((2, 2)))
    np.testing.assert_array_equal(tf.Constant([[1, 2], [3, 4]])((5,), dtype="int32"),
                                  [1, 2, 3, 4, 4])


def test_constant_flattens_row_major():
    value = np.arange(6).reshape(3, 2)
    np.testing.assert_array_equal(tf.Constant(value)((2, 3)), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(tf.Constant(value)((6,)), np.arange(6))


def test_constant_too_many_and_verify_shape():
    with pytest.raises(ValueError,
                       match="^Too many elements provided. Needed at most 6, but received 8$"):
        tf.Constant(list(range(8)))((2, 3))
    with pytest.raises(TypeError, match=r"^Expected Tensor's shape: \[3, 4\], got \[8\]\.$"):
        tf.Constant(list(range(8)), verify_shape=True)((3, 4))
    with pytest.raises(TypeError, match=r"Expected Tensor's shape: \[3, 4\], got \[\]\."):
        tf.Constant(1.0)((3, 4), verify_shape=True)
    # The call's verify_shape overrides the constructor's; None means the constructor's.
    tf.Constant(list(range(8)), verify_shape=True)((3, 4), verify_shape=False)
    tf.Constant(np.ones((3, 4)), verify_shape=True)((3, 4))
    # Zero elements: the value is not used at all (no count or shape check).
    assert tf.Constant(list(range(8)), verify_shape=True)((0, 4)).shape == (0, 4)
    # verify_shape comes before the element count, as in TF.
    with pytest.raises(TypeError, match="Expected Tensor's shape"):
        tf.Constant(list(range(20)), verify_shape=True)((3, 4))


def test_constant_type_checks():
    with pytest.raises(TypeError, match=r"^Expected int32, but got 0\.5 of type 'float'\.$"):
        tf.Constant(0.5, dtype="int32")((2,))
    with pytest.raises(TypeError, match=r"Expected int64, but got 2\.0 of type 'float'"):
        tf.Constant([1, 2.0])((2,), dtype="int64")
    with pytest.raises(TypeError, match=r"^Expected bool, but got 0 of type 'int'\.$"):
        tf.Constant()((2,), dtype=bool)
    with pytest.raises(TypeError, match=r"Expected float32, but got 'a' of type 'str'"):
        tf.Constant(["a"])((2,))
    np.testing.assert_array_equal(tf.Constant([True, False])((3,), dtype=bool),
                                  [True, False, False])
    np.testing.assert_array_equal(tf.Constant([1, 2])((2,), dtype="float64"), [1.0, 2.0])
    # NumPy values are cast without checks, as TF does.
    np.testing.assert_array_equal(tf.Constant(np.array([1.7, -2.2]))((2,), dtype="int32"),
                                  [1, -2])
    assert tf.Constant(np.float64(0.9))((1,), dtype="int8")[0] == 0
    with pytest.raises(ValueError, match="must be a dense tensor"):
        tf.Constant([[1, 2], [3]])((3,))
    with pytest.raises(ValueError, match="value: 300 is out of range for uint8"):
        tf.Constant([1, 300])((2,), dtype="uint8")
    with pytest.raises(ValueError, match="out of range for int64"):
        tf.Constant([2**70])((1,), dtype="int64")
    assert tf.Constant([2**70])((1,), dtype="float64")[0] == 2.0**70


def test_constant_constructor_type_error():
    for bad in ({"a": 1}, None, object(), range(3)):
        with pytest.raises(TypeError, match=r"^Invalid type for initial value: <class '\w+'> "
                                            r"\(expected Python scalar, list or tuple of "
                                            r"values, or numpy.ndarray\)\.$"):
            tf.Constant(bad)


@pytest.mark.parametrize("value,dtype", [
    ([1, 2, 3], "int32"), ((0.5, 1.5), "float64"), (np.arange(6).reshape(2, 3), "float32"),
    (np.float32(2.5), "float16"), (np.array([1.5, 2.5], ml_dtypes.bfloat16), "bfloat16"),
    ([True, False], "bool"), (7, "uint8")])
def test_constant_config_round_trip(value, dtype):
    init = tf.Constant(value, dtype=dtype, verify_shape=True)
    config = json.loads(json.dumps(init.get_config()))
    assert set(config) == {"value", "dtype"}  # verify_shape is not part of TF's config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        again = tf.Constant.from_config(config)
    np.testing.assert_array_equal(again((2, 3)), init((2, 3), verify_shape=False))
    assert again((2, 3)).dtype.name == dtype


# --- Identity -----------------------------------------------------------------------------

def test_identity():
    assert tf.Identity().get_config() == {"gain": 1.0, "dtype": "float32"}
    np.testing.assert_array_equal(tf.Identity()((4, 4)), np.eye(4, dtype=np.float32))
    x = tf.Identity(gain=3.0)((3, 5), dtype="float64")
    assert x.dtype == np.float64 and x.sum() == 9.0
    np.testing.assert_array_equal(x, 3.0 * np.eye(3, 5))
    np.testing.assert_array_equal(tf.Identity(gain=-0.5)((5, 3)), -0.5 * np.eye(5, 3))
    for dtype in ("float16", "bfloat16"):
        assert tf.Identity()((2, 2), dtype=dtype).dtype.name == dtype
    init = tf.Identity(gain=2.0, dtype="float64")
    config = json.loads(json.dumps(init.get_config()))
    np.testing.assert_array_equal(tf.Identity.from_config(config)((2, 3)), init((2, 3)))


def test_identity_errors():
    for shape in [(), (3,), (2, 2, 2)]:
        with pytest.raises(ValueError, match="^Identity matrix initializer can only be used for "
                                             "2D matrices.$"):
            tf.Identity()(shape)
    with pytest.raises(ValueError, match="Expected floating point type, got int32"):
        tf.Identity(dtype="int32")
    with pytest.raises(TypeError, match="produces floating point values"):
        tf.Identity()((2, 2), dtype="int32")
