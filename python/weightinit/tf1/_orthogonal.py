# SPDX-License-Identifier: BSD-3-Clause
"""Orthogonal and the convolution-orthogonal TF1 initializers: shells over the C++ classes,
whose QR and matrix products decide every value (so both APIs give the same bits)."""

from __future__ import annotations

from typing import Any

from ..core import door
from . import surface
from ._base import Initializer
from .surface import DEFAULT_DTYPE

_tf1 = door.tf1


class _GainSeedDtype(Initializer):
    """Constructor and config shared by Orthogonal and the convolution-orthogonal family."""

    _config = ("gain", "seed")
    _deprecated_dtype = True  # TF 1.15's notice for a constructor dtype (not for the family)

    def __init__(self, gain: float = 1.0, seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        self.gain = gain
        self.seed = seed
        self.dtype = surface.ctor_dtype(dtype, deprecated=self._deprecated_dtype)
        # Accepted for a uniform surface; "tensorflow" is refused at call time (ValueError).
        self.stream = door.tf1.check_stream(stream)
        if self._cpp is not None:
            self._build()


class Orthogonal(_GainSeedDtype):
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
    stream : {None, "weightinit", "tensorflow"}, default None
        Kept in the config like the other TF1 initializers' `stream`; a call on the
        ``"tensorflow"`` stream (given here or by :func:`weightinit.tf1.set_stream`) raises
        ValueError: TensorFlow's values come from LAPACK's QR.

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

    _cpp: Any = _tf1.Orthogonal


# --- convolution-orthogonal ---------------------------------------------------------------

class ConvolutionDeltaOrthogonal(_GainSeedDtype):
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
    stream : {None, "weightinit", "tensorflow"}, default None
        Kept in the config like the other TF1 initializers' `stream`; a call on the
        ``"tensorflow"`` stream (given here or by :func:`weightinit.tf1.set_stream`) raises
        ValueError: TensorFlow's values come from LAPACK's QR.

    Raises
    ------
    ValueError
        At call time: rank not 3, 4 or 5; ``in > out``; a real partition (see
        :class:`Orthogonal`).
    """

    _cpp: Any = _tf1.ConvolutionDeltaOrthogonal
    _deprecated_dtype = False


class ConvolutionOrthogonal(_GainSeedDtype):
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
    stream : {None, "weightinit", "tensorflow"}, default None
        Kept in the config like the other TF1 initializers' `stream`; a call on the
        ``"tensorflow"`` stream (given here or by :func:`weightinit.tf1.set_stream`) raises
        ValueError: TensorFlow's values come from LAPACK's QR.

    Notes
    -----
    TF increments the instance's `seed` after each matrix it draws, so a seeded instance
    never repeats itself and its config changes on every call. weightinit draws the matrices
    one after another from the call's single stream instead: a seeded instance returns the
    same kernel on every call and its config never changes.
    """

    _deprecated_dtype = False


class ConvolutionOrthogonal1D(ConvolutionOrthogonal):
    """Orthogonal kernel for 1-D convolutions (``convolutional_orthogonal_1d``).

    Shape ``(k, in, out)``, ``in <= out``. Block kernel ``[P, I - P]`` for a random symmetric
    projection ``P``; see :class:`ConvolutionOrthogonal`.
    """

    _cpp: Any = _tf1.ConvolutionOrthogonal1D


class ConvolutionOrthogonal2D(ConvolutionOrthogonal):
    """Orthogonal kernel for 2-D convolutions (``convolutional_orthogonal_2d``).

    Shape ``(k, k, in, out)``, ``in <= out``. Block kernel
    ``[[P1 P2, P1 (I - P2)], [(I - P1) P2, (I - P1)(I - P2)]]``; see
    :class:`ConvolutionOrthogonal`.
    """

    _cpp: Any = _tf1.ConvolutionOrthogonal2D


class ConvolutionOrthogonal3D(ConvolutionOrthogonal):
    """Orthogonal kernel for 3-D convolutions (``convolutional_orthogonal_3d``).

    Shape ``(k, k, k, in, out)``, ``in <= out``. Block kernel of entries ``A B C``, each
    factor ``Pk`` or ``I - Pk``; see :class:`ConvolutionOrthogonal`.
    """

    _cpp: Any = _tf1.ConvolutionOrthogonal3D
