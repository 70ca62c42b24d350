# SPDX-License-Identifier: BSD-3-Clause
"""TF1 Orthogonal and the convolution-orthogonal family: orthogonality, Haar, errors."""

import json
import math
import warnings

import numpy as np
import pytest

import weightinit.tf1 as tf

pytestmark = pytest.mark.filterwarnings("ignore:Passing `dtype`:DeprecationWarning")


def gram_error(w, gain):
    """max |G - gain^2 I| for the Gram matrix of the flattened w's shorter side."""
    m = w.reshape(-1, w.shape[-1]).astype(np.float64)
    g = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    return np.abs(g - gain**2 * np.eye(len(g))).max()


SHAPES = {"tall": (50, 20), "wide": (20, 50), "square": (32, 32),
          "4d_tall": (3, 3, 8, 16), "4d_wide": (2, 2, 3, 40), "3d": (4, 5, 6)}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_float32(shape, gain):
    w = tf.Orthogonal(gain=gain, seed=3)(shape)
    assert w.shape == shape and w.dtype == np.float32
    assert gram_error(w, gain) < 1e-5 * gain**2


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_orthogonal_other_dtypes(shape):
    assert gram_error(tf.Orthogonal(seed=4)(shape, dtype="float64"), 1.0) < 1e-12
    for dtype, tol in (("float16", 4e-3), ("bfloat16", 3e-2)):
        w = tf.Orthogonal(seed=4)(shape, dtype=dtype)
        assert w.dtype.name == dtype
        assert gram_error(w, 1.0) < tol


def test_orthogonal_is_haar():
    # Mezzadri's sign fix makes Q Haar-distributed; without it (LAPACK's Householder QR)
    # the diagonal of Q is biased (Q[0, 0] < 0 always). For Haar O(n), trace(Q) has mean 0
    # and variance 1, so the mean of 400 traces has sd 0.05; |mean| < 6.3 * 0.05 fails a
    # correct implementation with p = 3e-10, while the unfixed QR gives about -2.4.
    traces = [np.trace(tf.Orthogonal(seed=s)((16, 16), dtype="float64")) for s in range(400)]
    assert abs(np.mean(traces)) < 6.3 * 0.05
    assert abs(np.var(traces) - 1.0) < 0.5
    # Entries of a Haar column have E[q^2] = 1/n exactly (rows are unit vectors): the
    # first entry's mean square over seeds checks the direction is uniform.
    first = np.array([tf.Orthogonal(seed=s)((16, 16), dtype="float64")[0, 0]
                      for s in range(400)])
    assert abs(np.mean(first**2) - 1 / 16) < 6.3 * math.sqrt(2 / 16**2 / 400)


def test_orthogonal_seeds_and_config():
    init = tf.Orthogonal(gain=0.5, seed=8, dtype="float64")
    np.testing.assert_array_equal(init((6, 9)), init((6, 9)))
    assert not np.array_equal(init((6, 9)), tf.Orthogonal(gain=0.5, seed=9)((6, 9), "float64"))
    config = json.loads(json.dumps(init.get_config()))
    assert config == {"gain": 0.5, "seed": 8, "dtype": "float64"}
    np.testing.assert_array_equal(tf.Orthogonal.from_config(config)((6, 9)), init((6, 9)))
    assert tf.Orthogonal().get_config() == {"gain": 1.0, "seed": None, "dtype": "float32"}


def test_orthogonal_errors():
    for shape in [(), (5,)]:
        with pytest.raises(ValueError, match="must be at least two-dimensional"):
            tf.Orthogonal()(shape)
    with pytest.raises(ValueError, match="Expected floating point type, got int32"):
        tf.Orthogonal(dtype="int32")
    with pytest.raises(TypeError, match="produces floating point values"):
        tf.Orthogonal()((3, 3), dtype="int32")
    with pytest.raises(TypeError, match="gain: expected a real number"):
        tf.Orthogonal(gain="1")
    assert tf.Orthogonal(seed=1)((0, 4)).shape == (0, 4)


def test_orthogonal_partitions():
    init = tf.Orthogonal(seed=2)
    with pytest.raises(ValueError, match="partitioned variables are not supported"):
        init((4, 6), partition_info=tf.PartitionInfo([8, 6], [4, 0]))
    with pytest.raises(ValueError, match="partitioned variables are not supported"):
        init((8, 6), partition_info=tf.PartitionInfo([8, 12], [0, 0]))
    # A "partition" that is the whole variable is no partition.
    np.testing.assert_array_equal(init((8, 6), partition_info=tf.PartitionInfo([8, 6], [0, 0])),
                                  init((8, 6)))


# --- convolution-orthogonal ---------------------------------------------------------------

def transfer_error(kernel, gain):
    """max |K(w) K(w)^H - gain^2 I| over a grid of frequencies w, K(w) = sum_i K[i] e^{-i w.i}.

    A kernel whose transfer function has orthonormal rows at every frequency makes the
    circular convolution an isometry (Xiao et al. 2018): the property these kernels promise.
    """
    d = kernel.ndim - 2
    f = np.fft.fftn(kernel.astype(np.float64), s=(9,) * d, axes=tuple(range(d)))
    m = f.reshape(-1, kernel.shape[-2], kernel.shape[-1])
    g = m @ m.conj().transpose(0, 2, 1)
    return np.abs(g - gain**2 * np.eye(kernel.shape[-2])).max()


CONV = [
    (tf.ConvolutionOrthogonal1D, (1, 3, 5)), (tf.ConvolutionOrthogonal1D, (6, 4, 4)),
    (tf.ConvolutionOrthogonal2D, (1, 1, 3, 3)), (tf.ConvolutionOrthogonal2D, (2, 2, 4, 6)),
    (tf.ConvolutionOrthogonal2D, (4, 4, 5, 8)), (tf.ConvolutionOrthogonal3D, (3, 3, 3, 2, 4)),
    (tf.ConvolutionDeltaOrthogonal, (3, 4, 8)), (tf.ConvolutionDeltaOrthogonal, (4, 5, 6, 6)),
    (tf.ConvolutionDeltaOrthogonal, (3, 3, 2, 2, 5)),
]


@pytest.mark.parametrize("cls,shape", CONV, ids=lambda v: getattr(v, "__name__", str(v)))
def test_convolution_kernels_are_isometries(cls, shape):
    kernel = cls(gain=1.5, seed=6)(shape)
    assert kernel.shape == shape and kernel.dtype == np.float32
    assert transfer_error(kernel, 1.5) < 1e-5
    assert transfer_error(cls(seed=6)(shape, dtype="float64"), 1.0) < 1e-12
    # A kernel that is merely "some matrix" fails the check by O(1).
    assert transfer_error(kernel * 1.01, 1.5) > 1e-2


def test_delta_orthogonal_layout():
    kernel = tf.ConvolutionDeltaOrthogonal(gain=2.0, seed=1)((4, 5, 3, 7))
    centre = kernel[1, 2]  # ((4 - 1) // 2, (5 - 1) // 2)
    assert np.abs(centre @ centre.T - 4 * np.eye(3)).max() < 1e-5
    rest = kernel.copy()
    rest[1, 2] = 0
    assert not rest.any()


def test_convolution_kernels_are_random():
    kernels = [tf.ConvolutionOrthogonal2D(seed=s)((3, 3, 4, 4)) for s in (1, 2)]
    assert not np.allclose(*kernels)
    # Spread over all kernel positions (not a delta kernel): every tap carries weight.
    assert all(np.abs(kernels[0][i, j]).sum() > 0 for i in range(3) for j in range(3))


@pytest.mark.parametrize("cls", [tf.ConvolutionDeltaOrthogonal, tf.ConvolutionOrthogonal1D,
                                 tf.ConvolutionOrthogonal2D, tf.ConvolutionOrthogonal3D])
def test_convolution_seeds_and_config(cls):
    shape = {tf.ConvolutionOrthogonal1D: (3, 2, 4), tf.ConvolutionOrthogonal3D: (2, 2, 2, 2, 4)
             }.get(cls, (3, 3, 2, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dtype notice for this family, as in TF
        init = cls(gain=0.5, seed=12, dtype="float64")
    first = init(shape)
    # Unlike TF (which bumps the instance's seed per draw), a seeded instance repeats.
    np.testing.assert_array_equal(init(shape), first)
    config = json.loads(json.dumps(init.get_config()))
    assert config == {"gain": 0.5, "seed": 12, "dtype": "float64"}
    np.testing.assert_array_equal(cls.from_config(config)(shape), first)
    assert cls().get_config() == {"gain": 1.0, "seed": None, "dtype": "float32"}
    with pytest.raises(ValueError, match="partitioned variables are not supported"):
        init(shape[:-1] + (2,), partition_info=tf.PartitionInfo(list(shape),
                                                                [0] * (len(shape) - 1) + [2]))
    with pytest.raises(ValueError, match="Expected floating point type"):
        cls(dtype="int32")
    assert init((0,) * (len(shape) - 2) + (2, 4)).size == 0


def test_convolution_errors():
    with pytest.raises(ValueError, match="at least three-dimensional and at most five"):
        tf.ConvolutionDeltaOrthogonal()((3, 3))
    with pytest.raises(ValueError, match="at least three-dimensional and at most five"):
        tf.ConvolutionDeltaOrthogonal()((3, 3, 3, 3, 2, 2))
    for cls, shape in [(tf.ConvolutionDeltaOrthogonal, (3, 5, 4)),
                       (tf.ConvolutionOrthogonal1D, (3, 5, 4)),
                       (tf.ConvolutionOrthogonal2D, (3, 3, 5, 4)),
                       (tf.ConvolutionOrthogonal3D, (3, 3, 3, 5, 4))]:
        with pytest.raises(ValueError, match="^In_filters cannot be greater than out_filters.$"):
            cls()(shape)
    for cls, shape, word in [(tf.ConvolutionOrthogonal1D, (3, 3), "three-dimensional"),
                             (tf.ConvolutionOrthogonal2D, (3, 3, 4), "four-dimensional"),
                             (tf.ConvolutionOrthogonal3D, (3, 3, 3, 4), "five-dimensional")]:
        with pytest.raises(ValueError, match=f"The tensor to initialize must be {word}"):
            cls()(shape)
    with pytest.raises(ValueError, match="^Kernel sizes must be equal.$"):
        tf.ConvolutionOrthogonal2D()((3, 2, 4, 4))
    with pytest.raises(ValueError, match="^Kernel sizes must be equal.$"):
        tf.ConvolutionOrthogonal3D()((3, 3, 2, 4, 4))
    with pytest.raises(NotImplementedError):
        tf.ConvolutionOrthogonal()((3, 3, 4, 4))
    assert tf.convolutional_orthogonal_2d is tf.ConvolutionOrthogonal2D
    assert tf.convolutional_delta_orthogonal is tf.ConvolutionDeltaOrthogonal
