# SPDX-License-Identifier: BSD-3-Clause
"""Bad arguments to the TF1 classes: each raises its exception with its message.

The same cases run through the C++ API in tests/cpp/test_initializers.cpp (test_errors),
with the C++ messages; here they run through weightinit.tf1, whose shells add TF's
messages that quote Python values ("Expected int32, but got 0.5 of type 'float'.").
"""

import math
import re

import numpy as np
import pytest

import weightinit.tf1 as tf

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FLOATS = " produces floating point values (float16, bfloat16, float32, float64), got "
NAN, INF = math.nan, math.inf
P = tf.PartitionInfo

CASES = [
    # dtypes: float-only constructors refuse integer types (ValueError), calls TypeError; the
    # dtype comes before the shape.
    ("normal-ctor-int32", lambda: tf.RandomNormal(dtype="int32"), ValueError,
     "Expected floating point type, got int32."),
    ("normal-ctor-int8", lambda: tf.RandomNormal(dtype="int8"), ValueError,
     "Expected floating point type, got int8."),
    ("normal-call-int64", lambda: tf.RandomNormal()((2,), "int64"), TypeError,
     "dtype: RandomNormal" + FLOATS + "int64"),
    ("normal-call-complex", lambda: tf.RandomNormal()((2,), "complex64"), TypeError,
     "dtype: RandomNormal" + FLOATS + "complex64"),
    ("glorot-call-int32", lambda: tf.GlorotUniform()((2, 2), "int32"), TypeError,
     "dtype: GlorotUniform" + FLOATS + "int32"),
    ("he-uniform-call-int32", lambda: tf.he_uniform()((2, 2), "int32"), TypeError,
     "dtype: VarianceScaling" + FLOATS + "int32"),
    ("unit-scaling-ctor-int32", lambda: tf.UniformUnitScaling(dtype="int32"), ValueError,
     "Expected floating point type, got int32."),
    ("identity-ctor-int32", lambda: tf.Identity(dtype="int32"), ValueError,
     "Expected floating point type, got int32."),
    ("dtype-before-shape", lambda: tf.Orthogonal()((-1,), "int32"), TypeError,
     "dtype: Orthogonal" + FLOATS + "int32"),
    # RandomUniform's bounds: TF's TypeError quotes the Python value.
    ("uniform-no-maxval", lambda: tf.RandomUniform(dtype="int32")((2,)), ValueError,
     "Must specify maxval for integer dtype int32"),
    ("uniform-no-maxval-first", lambda: tf.RandomUniform(0.5)((2,), "int32"), ValueError,
     "Must specify maxval for integer dtype int32"),
    ("uniform-float-minval", lambda: tf.RandomUniform(0.5, 3)((2,), "int32"), TypeError,
     "minval: Expected int32, but got 0.5 of type 'float'."),
    ("uniform-small-maxval", lambda: tf.RandomUniform(maxval=1e-5)((2,), "int64"), TypeError,
     "maxval: Expected int64, but got 1e-05 of type 'float'."),
    ("uniform-integral-float", lambda: tf.RandomUniform(maxval=123456789.0)((2,), "int64"),
     TypeError, "maxval: Expected int64, but got 123456789.0 of type 'float'."),
    ("uniform-numpy-float", lambda: tf.RandomUniform(np.float32(1.5), 3)((2,), "int32"),
     TypeError, f"minval: Expected int32, but got {np.float32(1.5)!r} of type 'float32'."),
    ("uniform-int32-range", lambda: tf.RandomUniform(0, 2**40)((2,), "int32"), ValueError,
     "maxval: 1099511627776 is out of range for int32"),
    ("uniform-int32-range-below", lambda: tf.RandomUniform(-2**31 - 1, 3)((2,), "int32"),
     ValueError, "minval: -2147483649 is out of range for int32"),
    ("uniform-empty-range", lambda: tf.RandomUniform(5, 5)((2,), "int32"), ValueError,
     "Need minval < maxval, got 5 >= 5"),
    ("uniform-invalid-dtype", lambda: tf.RandomUniform(0, 5)((3,), "int8"), ValueError,
     "Invalid dtype int8: random_uniform supports float16, bfloat16, float32, float64, "
     "int32, int64"),
    ("uniform-invalid-ctor-dtype", lambda: tf.RandomUniform(0, 5, dtype="uint8"), ValueError,
     "Invalid dtype uint8: random_uniform supports"),
    ("uniform-inf", lambda: tf.RandomUniform(INF, 1)((2,)), ValueError,
     "minval: must be finite, got inf"),
    ("uniform-nan-maxval", lambda: tf.RandomUniform(0, NAN)((2,)), ValueError,
     "maxval: must be finite, got nan"),
    ("uniform-float32-range", lambda: tf.RandomUniform(-1e300, 1)((2,)), ValueError,
     "low, high: [-1.0000000000000001e+300, 1) is outside the float32 range"),
    ("uniform-bool-bound", lambda: tf.RandomUniform(True), TypeError,
     "minval: expected a real number, got bool"),
    # Normal laws.
    ("normal-inf-stddev", lambda: tf.RandomNormal(0, -INF)((2,)), ValueError,
     "stddev: must be finite, got -inf"),
    ("normal-nan-stddev", lambda: tf.RandomNormal(0, NAN)((2,)), ValueError,
     "stddev: must be finite, got nan"),
    ("truncated-nan-mean", lambda: tf.TruncatedNormal(NAN)((2,)), ValueError,
     "mean: must be finite, got nan"),
    ("normal-str-mean", lambda: tf.RandomNormal("0"), TypeError,
     "mean: expected a real number, got str"),
    ("normal-float-seed", lambda: tf.RandomNormal(seed=1.5), TypeError,
     "seed: expected an integer or None, got float"),
    # VarianceScaling's constructor, in TF's order.
    ("vs-scale-0", lambda: tf.VarianceScaling(0, "bad", "bad", dtype="int32"), ValueError,
     "`scale` must be positive float."),
    ("vs-scale-negative", lambda: tf.VarianceScaling(-1.0), ValueError,
     "`scale` must be positive float."),
    ("vs-scale-nan", lambda: tf.VarianceScaling(NAN), ValueError,
     "`scale` must be positive float."),
    ("vs-mode", lambda: tf.VarianceScaling(mode="FAN_IN", distribution="bad"), ValueError,
     "Invalid `mode` argument: FAN_IN (expected one of fan_in, fan_out, fan_avg)"),
    ("vs-mode-quote", lambda: tf.VarianceScaling(mode="it's"), ValueError,
     "Invalid `mode` argument: it's (expected one of fan_in, fan_out, fan_avg)"),
    ("vs-mode-type", lambda: tf.VarianceScaling(mode=3), TypeError,
     "mode: expected a string, got int"),
    ("vs-distribution", lambda: tf.VarianceScaling(distribution="Gaussian"), ValueError,
     "Invalid `distribution` argument: Gaussian (expected one of normal, uniform, "
     "truncated_normal, untruncated_normal)"),
    ("vs-dtype", lambda: tf.VarianceScaling(dtype="int64"), ValueError,
     "Expected floating point type, got int64."),
    ("vs-scale-inf", lambda: tf.VarianceScaling(INF, seed=1)((3, 4)), ValueError,
     "stddev: must be finite and > 0, got inf"),
    ("vs-scale-1e300", lambda: tf.VarianceScaling(1e300, distribution="uniform", seed=1)((3, 4)),
     ValueError, "low, high: [-9.9999999999999998e+149, 9.9999999999999998e+149) is outside "
     "the float32 range"),
    ("unit-scaling-inf", lambda: tf.UniformUnitScaling(INF)((3, 4)), ValueError,
     "factor: must be finite, got inf"),
    # Identity and Orthogonal.
    ("identity-rank-3", lambda: tf.Identity()((3, 4, 5)), ValueError,
     "Identity matrix initializer can only be used for 2D matrices."),
    ("identity-full-rank-3", lambda: tf.Identity()((2, 3), partition_info=P([4, 3, 1], [0, 0, 0])),
     ValueError, "Identity matrix initializer can only be used for 2D matrices."),
    ("orthogonal-rank-1", lambda: tf.Orthogonal()((5,)), ValueError,
     "The tensor to initialize must be at least two-dimensional"),
    ("orthogonal-partition", lambda: tf.Orthogonal(seed=1)((2, 3), partition_info=P([4, 3], [2, 0])),
     ValueError, "Orthogonal: partitioned variables are not supported: orthogonality is a "
     "property of the whole matrix, and a partition of shape [2, 3] of full_shape [4, 3] "
     "cannot be drawn on its own (TF would make each partition orthogonal by itself). "
     "Initialize the full shape and split the result instead."),
    ("orthogonal-partition-exceeds",
     lambda: tf.Orthogonal(seed=1)((4, 3), partition_info=P([4, 3], [1, 0])), ValueError,
     "partition_info: with var_offset=[1, 0], a partition of shape [4, 3] would exceed "
     "full_shape=[4, 3] in dimension 0"),
    # Constant: TF's conversion messages, then the layout's.
    ("constant-too-many", lambda: tf.Constant(list(range(8)))((2, 3)), ValueError,
     "Too many elements provided. Needed at most 6, but received 8"),
    ("constant-verify", lambda: tf.Constant([1, 2, 3], verify_shape=True)((3, 1)), TypeError,
     "Expected Tensor's shape: [3, 1], got [3]."),
    ("constant-verify-at-call", lambda: tf.Constant(7)((2,), verify_shape=True), TypeError,
     "Expected Tensor's shape: [2], got []."),
    ("constant-float-int32", lambda: tf.Constant([1, 2.5])((2,), "int32"), TypeError,
     "Expected int32, but got 2.5 of type 'float'."),
    ("constant-float-int64", lambda: tf.Constant([-1e20])((2,), "int64"), TypeError,
     "Expected int64, but got -1e+20 of type 'float'."),
    ("constant-range", lambda: tf.Constant([-2**63, 2**40])((2,), "int32"), ValueError,
     "value: -9223372036854775808 is out of range for int32"),
    # Partitions.
    ("partition-lengths", lambda: P([4, 6], [0]), ValueError,
     "Expected equal length, but `var_offset` is of length 1 while full_shape is of length 2."),
    ("partition-offset", lambda: P([4, 6], [0, 6]), ValueError,
     "Expected 0 <= offset < shape but found offset=6, shape=6 for var_offset=[0, 6], "
     "full_shape=[4, 6]"),
    ("partition-exceeds", lambda: tf.RandomNormal(seed=1)((3, 6), partition_info=P([4, 6], [2, 0])),
     ValueError, "partition_info: with var_offset=[2, 0], a partition of shape [3, 6] would "
     "exceed full_shape=[4, 6] in dimension 0"),
    ("partition-rank", lambda: tf.RandomNormal(seed=1)((3,), partition_info=P([4, 6], [0, 0])),
     ValueError, "partition_info: a partition of shape [3] (rank 1) cannot lie in full_shape "
     "[4, 6] (rank 2)"),
    ("partition-type", lambda: tf.RandomNormal(seed=1)((3,), partition_info=[4, 6]), TypeError,
     "partition_info: expected a PartitionInfo (with full_shape and var_offset), got list"),
    # Shapes.
    ("zeros-negative", lambda: tf.Zeros()((3, -1)), ValueError,
     "shape: dimensions must be non-negative, got [3, -1]"),
    ("ones-negative", lambda: tf.Ones()((-2,)), ValueError,
     "shape: dimensions must be non-negative, got [-2]"),
    ("normal-huge", lambda: tf.RandomNormal()((2**32, 2**31)), ValueError,
     "shape: [4294967296, 2147483648] has 2^63 elements or more"),
    ("shape-float", lambda: tf.RandomNormal()((2, 1.5)), TypeError,
     "shape: dimensions must be integers, got 1.5"),
    ("shape-none", lambda: tf.RandomNormal()(None), TypeError,
     "shape: expected a sequence of integers, got None"),
    ("shape-array-2d", lambda: tf.RandomNormal()(np.array([[2, 3]])), TypeError,
     "shape: operator.index() of a ndarray raised TypeError: "),
    ("shape-array-float", lambda: tf.GlorotUniform()(np.array([2.0, 3.0])), TypeError,
     "shape: dimensions must be integers, got "),
    ("shape-beyond-int64", lambda: tf.RandomNormal()(10**30), ValueError,
     "shape: 1000000000000000000000000000000 is outside the 64-bit integer range"),
    ("uniform-beyond-float64", lambda: tf.RandomUniform(0, 10**400), ValueError,
     "maxval: 1000000000000000...0000000000000000 (401 digits) is beyond the float64 range"),
    ("uniform-array-bound", lambda: tf.RandomUniform(0, np.ones(2)), TypeError,
     "maxval: float() of a ndarray raised TypeError: "),
    # The convolution-orthogonal family checks the shape first.
    ("delta-rank-first", lambda: tf.ConvolutionDeltaOrthogonal()((3, 3), "int32"), ValueError,
     "The tensor to initialize must be at least three-dimensional and at most five-dimensional"),
    ("delta-ctor-int32", lambda: tf.ConvolutionDeltaOrthogonal(dtype="int32"), ValueError,
     "Expected floating point type, got int32."),
    ("delta-call-int32", lambda: tf.ConvolutionDeltaOrthogonal()((3, 3, 3), "int32"), TypeError,
     "dtype: ConvolutionDeltaOrthogonal" + FLOATS + "int32"),
    ("delta-partition",
     lambda: tf.ConvolutionDeltaOrthogonal(seed=1)((2, 3, 3), partition_info=P([4, 3, 3], [2, 0, 0])),
     ValueError, "ConvolutionDeltaOrthogonal: partitioned variables are not supported"),
    ("conv2d-filters", lambda: tf.ConvolutionOrthogonal2D()((3, 3, 8, 4)), ValueError,
     "In_filters cannot be greater than out_filters."),
    ("conv2d-sizes-first", lambda: tf.ConvolutionOrthogonal2D()((3, 2, 4, 4), "int32"),
     ValueError, "Kernel sizes must be equal."),
    ("conv3d-rank", lambda: tf.ConvolutionOrthogonal3D()((3, 3, 4, 4)), ValueError,
     "The tensor to initialize must be five-dimensional"),
    ("conv1d-negative-first", lambda: tf.ConvolutionOrthogonal1D()((3, 4, -4), "int32"),
     ValueError, "shape: dimensions must be non-negative, got [3, 4, -4]"),
    ("conv1d-call-int64", lambda: tf.ConvolutionOrthogonal1D()((3, 4, 4), "int64"), TypeError,
     "dtype: ConvolutionOrthogonal1D" + FLOATS + "int64"),
]


@pytest.mark.parametrize("call,error,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call()


@pytest.mark.parametrize("call", [
    lambda: tf.RandomUniform(5, 5)((0,), "int32"),
    lambda: tf.RandomUniform(-1e300, 1)((0, 2)),
    lambda: tf.Constant([1, 2, 3], verify_shape=True)((3,)),
    lambda: tf.Constant([[1, 2, 3], [4, 5, 6]])((2, 3), verify_shape=True),
    lambda: tf.Constant(list(range(8)), verify_shape=True)((0, 4)),
    lambda: tf.ConvolutionOrthogonal1D(seed=3)((0, 4, 4)),
    lambda: tf.Orthogonal(seed=1)((0, 5)),
], ids=["uniform-empty-range-empty", "uniform-range-empty", "constant-verify-equal",
        "constant-verify-nested", "constant-too-many-empty", "conv1d-empty", "orthogonal-empty"])
def test_no_error(call):
    """The cases next to an error that raise nothing (empty shapes take no value)."""
    call()
