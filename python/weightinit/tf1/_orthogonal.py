# SPDX-License-Identifier: BSD-3-Clause
"""Orthogonal and the convolution-orthogonal TF1 initializers (QR of normal matrices)."""

from __future__ import annotations

import math

import numpy as np

from ..core import fills as _fill
from ..core.fills import check_shape
from ._base import (DEFAULT_DTYPE, Initializer, call_dtype, ctor_dtype, is_split,
                        partition_box, plain, real)
from ._seeds import check_seed


class NormalDraws:
    """Standard-normal matrices drawn one after another from one (key, stream).

    Draw ``j`` starts at the counter block right after draw ``j - 1`` ends (the fill layer's
    block count: 16 blocks per 64 elements of float32, per 32 of float64), so any number of
    draws shares one stream without overlap. Matrices are float64 for float64 output and
    float32 otherwise (NumPy's QR has no 16-bit types).
    """

    def __init__(self, key_stream, dt: np.dtype):
        self._key, self._stream = key_stream
        self._dt = np.dtype(np.float64) if dt == np.float64 else np.dtype(np.float32)
        self._offset = 0

    def normal(self, shape) -> np.ndarray:
        """The next standard-normal array of `shape`."""
        out = _fill.new(shape, self._dt, "normal", (0.0, 1.0), seed=self._key,
                        stream=self._stream, offset=self._offset)
        group = 64 if self._dt.itemsize == 4 else 32
        self._offset += 16 * -(-out.size // group)
        return out

    def haar(self, rows: int, cols: int) -> np.ndarray:
        """A ``rows x cols`` matrix (``rows >= cols``) with orthonormal columns, Haar-distributed.

        ``A = Q R`` for a normal ``A``; multiplying column ``j`` of ``Q`` by
        ``sign(R[j, j])`` makes the factorization unique, hence independent of the QR
        algorithm and Haar-distributed (Mezzadri, "How to generate random matrices from the
        classical compact groups", 2007).
        """
        q, r = np.linalg.qr(self.normal((rows, cols)))
        q *= np.sign(np.diagonal(r))
        return q

    def projection(self, n: int) -> np.ndarray:
        """A random symmetric projection ``C C^T``, ``C = Q diag(m)``: ``Q`` Haar ``n x n``,
        ``m`` a 0/1 mask from the signs of ``n`` more normals."""
        c = self.haar(n, n) * (self.normal((n,)) > 0)
        return c @ c.T


def refuse_split(name: str, shape: tuple, box) -> None:
    """ValueError for a real partition: an orthogonal matrix is a property of the whole."""
    if is_split(shape, box):
        raise ValueError(
            f"{name}: partitioned variables are not supported: orthogonality is a property of "
            f"the whole matrix, and a partition of shape {list(shape)} of full_shape "
            f"{list(box[0])} cannot be drawn on its own (TF would make each partition "
            f"orthogonal by itself). Initialize the full shape and split the result instead.")


def check_orthogonal_shape(shape: tuple) -> None:
    if len(shape) < 2:
        raise ValueError("The tensor to initialize must be at least two-dimensional")


def orthogonal(shape: tuple, dt: np.dtype, gain: float, key_stream) -> np.ndarray:
    """``gain`` times a (semi-)orthogonal matrix reshaped to `shape` (see :class:`Orthogonal`)."""
    check_orthogonal_shape(shape)
    rows, cols = math.prod(shape[:-1]), shape[-1]
    if rows * cols == 0:
        return np.zeros(shape, dtype=dt)
    q = NormalDraws(key_stream, dt).haar(max(rows, cols), min(rows, cols))
    if rows < cols:
        q = q.T
    return (np.ascontiguousarray(q).reshape(shape) * gain).astype(dt)


class Orthogonal(Initializer):
    """Initializer that generates an orthogonal matrix (``tf.compat.v1.orthogonal_initializer``).

    The shape is flattened to ``rows x cols`` with ``rows = prod(shape[:-1])``,
    ``cols = shape[-1]``. A normal matrix of shape ``(max, min)`` of the two is factored
    ``A = Q R``, the columns of ``Q`` are multiplied by ``sign(diag(R))`` (Haar measure), ``Q``
    is transposed when ``rows < cols``, reshaped to `shape` and multiplied by `gain`. So
    ``W^T W = gain^2 I`` (``rows >= cols``) or ``W W^T = gain^2 I`` (``rows < cols``) for the
    flattened ``W``.

    Parameters
    ----------
    gain : float, default 1.0
        Multiplicative factor.
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64 (16-bit results are computed in float32).

    Raises
    ------
    ValueError
        At call time, for a shape of rank < 2 ("The tensor to initialize must be at least
        two-dimensional"), or a ``partition_info`` that makes the call a proper part of a
        larger variable.

    Notes
    -----
    TF ignores ``partition_info`` and makes every partition orthogonal on its own (equally
    shaped partitions of a seeded initializer are then identical). weightinit refuses real
    partitions instead: it cannot give a partition its box of the whole orthogonal matrix
    without computing the whole matrix.
    """

    def __init__(self, gain=1.0, seed=None, dtype=DEFAULT_DTYPE):
        real(gain, "gain")
        self.gain = gain
        self.seed = check_seed(seed)
        self.dtype = ctor_dtype(dtype, float_only=True)

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new array of `shape` and `dtype` (default: the constructor's)."""
        dt = call_dtype(dtype, self.dtype, "Orthogonal")
        shape = check_shape(shape)
        check_orthogonal_shape(shape)
        refuse_split("Orthogonal", shape, partition_box(shape, partition_info))
        return orthogonal(shape, dt, real(self.gain, "gain"), self._key_stream(None))

    def get_config(self) -> dict:
        return {"gain": plain(self.gain), "seed": self.seed, "dtype": self.dtype.name}


# --- convolution-orthogonal ---------------------------------------------------------------

class _ConvolutionBase(Initializer):
    """Constructor and config shared by the convolution-orthogonal family."""

    def __init__(self, gain=1.0, seed=None, dtype=DEFAULT_DTYPE):
        real(gain, "gain")
        self.gain = gain
        self.seed = check_seed(seed)
        self.dtype = ctor_dtype(dtype, float_only=True, deprecated=False)

    def get_config(self) -> dict:
        return {"gain": plain(self.gain), "seed": self.seed, "dtype": self.dtype.name}

    def _draw(self, shape, dtype, partition_info, kernel):
        """Common tail of a call: dtype, partition refusal, empty shapes, gain, one stream."""
        dt = call_dtype(dtype, self.dtype, type(self).__name__)
        refuse_split(type(self).__name__, shape, partition_box(shape, partition_info))
        if math.prod(shape) == 0:
            return np.zeros(shape, dtype=dt)
        draws = NormalDraws(self._key_stream(None), dt)
        return (kernel(draws) * real(self.gain, "gain")).astype(dt)


def _check_filters(shape: tuple) -> None:
    if shape[-2] > shape[-1]:
        raise ValueError("In_filters cannot be greater than out_filters.")


class ConvolutionDeltaOrthogonal(_ConvolutionBase):
    """Initializer that generates a delta orthogonal kernel for ConvNets.

    ``convolutional_delta_orthogonal``.

    For a kernel of shape ``(k1, [k2, [k3,]] in, out)`` with ``in <= out``: zero everywhere
    except at the spatial centre ``((k1 - 1) // 2, ...)``, which holds ``gain`` times the first
    `in` rows of a Haar-orthogonal ``out x out`` matrix (QR of a normal matrix, sign-fixed).
    The convolution then preserves norms (Xiao et al., "Dynamical isometry and a mean field
    theory of CNNs", ICML 2018).

    Parameters
    ----------
    gain : float, default 1.0
        Multiplicative factor.
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64.

    Raises
    ------
    ValueError
        At call time: rank not 3, 4 or 5; ``in > out``; a real partition (see
        :class:`Orthogonal`).
    """

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new kernel of `shape` and `dtype` (default: the constructor's)."""
        shape = check_shape(shape)
        if not 3 <= len(shape) <= 5:
            raise ValueError("The tensor to initialize must be at least three-dimensional and "
                             "at most five-dimensional")
        _check_filters(shape)

        def kernel(draws):
            q = draws.haar(shape[-1], shape[-1])[:shape[-2], :]
            out = np.zeros(shape, dtype=q.dtype)
            out[tuple((k - 1) // 2 for k in shape[:-2])] = q
            return out

        return self._draw(shape, dtype, partition_info, kernel)


def _block_kernel(projections) -> np.ndarray:
    """The ``2 x ... x 2`` kernel of matrices ``F1 F2 ... Fd``, ``Fk = Pk`` at index 0 and
    ``I - Pk`` at index 1: its transfer function ``prod_k (Pk + (I - Pk) z_k)`` is unitary on
    the unit torus because each factor is (``Pk`` a symmetric projection)."""
    d, n = len(projections), projections[0].shape[0]
    eye = np.eye(n, dtype=projections[0].dtype)
    factors = [(p, eye - p) for p in projections]
    out = np.empty((2,) * d + (n, n), dtype=eye.dtype)
    for index in np.ndindex(*(2,) * d):
        m = factors[0][index[0]]
        for k in range(1, d):
            m = m @ factors[k][index[k]]
        out[index] = m
    return out


def _matrix_conv(a: np.ndarray, b: np.ndarray, d: int) -> np.ndarray:
    """Full d-dimensional convolution of two kernels of matrices: entry ``i`` of the result
    is ``sum_j a[j] @ b[i - j]`` (so transfer functions multiply)."""
    n = a.shape[-1]
    size = tuple(x + y - 1 for x, y in zip(a.shape[:d], b.shape[:d]))
    out = np.zeros(size + (n, n), dtype=a.dtype)
    for index in np.ndindex(*b.shape[:d]):
        window = tuple(slice(i, i + k) for i, k in zip(index, a.shape[:d]))
        out[window] += a @ b[index]
    return out


def _orthogonal_kernel(draws: NormalDraws, d: int, ksize: int, cin: int, cout: int):
    """A ``(ksize,) * d + (cin, cout)`` kernel whose transfer function has orthonormal rows.

    ``orth`` = the first `cin` rows of a Haar ``cout x cout`` matrix; the kernel starts from
    a block kernel of `d` fresh projections and is convolved ``ksize - 2`` times with further
    block kernels, then every entry is left-multiplied by ``orth`` (Xiao et al. 2018,
    Algorithm 2). Draw order: ``orth``, then per block kernel each projection's matrix and
    mask.
    """
    orth = draws.haar(cout, cout)[:cin, :]
    if ksize == 1:
        return orth.reshape((1,) * d + (cin, cout))
    kernel = _block_kernel([draws.projection(cout) for _ in range(d)])
    for _ in range(ksize - 2):
        kernel = _matrix_conv(kernel, _block_kernel([draws.projection(cout) for _ in range(d)]),
                              d)
    return orth @ kernel


class ConvolutionOrthogonal(_ConvolutionBase):
    """Base of the orthogonal-convolution initializers (``ConvolutionOrthogonal1D/2D/3D``).

    Their kernels make the (circular) convolution an isometry: for every frequency the
    kernel's transfer function ``K(z) = sum_i K[i] z^i`` has orthonormal rows times `gain`
    (Xiao et al., "Dynamical isometry and a mean field theory of CNNs", ICML 2018).

    Parameters
    ----------
    gain : float, default 1.0
        Multiplicative factor.
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64.

    Notes
    -----
    TF increments the instance's `seed` after each matrix it draws, so a seeded instance
    never repeats itself and its config changes on every call. weightinit draws the matrices
    one after another from the call's single stream instead: a seeded instance returns the
    same kernel on every call and its config never changes.
    """

    _rank = 0
    _rank_name = ""

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new kernel of `shape` and `dtype`; abstract in the base class.

        Raises
        ------
        NotImplementedError
            In the base class.
        ValueError
            For a shape of the wrong rank, ``in > out``, unequal kernel sizes or a real
            partition.
        """
        if not self._rank:
            raise NotImplementedError
        shape = check_shape(shape)
        if len(shape) != self._rank:
            raise ValueError(f"The tensor to initialize must be {self._rank_name}")
        _check_filters(shape)
        if len(set(shape[:-2])) > 1:
            raise ValueError("Kernel sizes must be equal.")
        d = self._rank - 2
        return self._draw(shape, dtype, partition_info,
                          lambda draws: _orthogonal_kernel(draws, d, shape[0], shape[-2],
                                                           shape[-1]))


class ConvolutionOrthogonal1D(ConvolutionOrthogonal):
    """Orthogonal kernel for 1-D convolutions (``convolutional_orthogonal_1d``).

    Shape ``(k, in, out)``, ``in <= out``. Block kernel ``[P, I - P]`` for a random symmetric
    projection ``P``; see :class:`ConvolutionOrthogonal`.
    """

    _rank = 3
    _rank_name = "three-dimensional"


class ConvolutionOrthogonal2D(ConvolutionOrthogonal):
    """Orthogonal kernel for 2-D convolutions (``convolutional_orthogonal_2d``).

    Shape ``(k, k, in, out)``, ``in <= out``. Block kernel
    ``[[P1 P2, P1 (I - P2)], [(I - P1) P2, (I - P1)(I - P2)]]``; see
    :class:`ConvolutionOrthogonal`.
    """

    _rank = 4
    _rank_name = "four-dimensional"


class ConvolutionOrthogonal3D(ConvolutionOrthogonal):
    """Orthogonal kernel for 3-D convolutions (``convolutional_orthogonal_3d``).

    Shape ``(k, k, k, in, out)``, ``in <= out``. Block kernel of entries ``A B C``, each
    factor ``Pk`` or ``I - Pk``; see :class:`ConvolutionOrthogonal`.
    """

    _rank = 5
    _rank_name = "five-dimensional"
