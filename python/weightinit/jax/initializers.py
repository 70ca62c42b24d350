# SPDX-License-Identifier: BSD-3-Clause
"""``jax.nn.initializers`` with weightinit's values: the same functions, arguments and defaults.

Every builder returns ``init(key, shape, dtype=<the builder's dtype>, out_sharding=None)``,
JAX's initializer protocol, as ``flax.linen`` and ``flax.nnx`` layers call it::

    import flax.linen as nn
    from weightinit.jax import initializers

    layer = nn.Dense(64, kernel_init=initializers.lecun_normal())

* **Laws as JAX's.** Shapes follow JAX: a kernel is ``(..., in, out)`` and the fans come from
  ``in_axis`` / ``out_axis`` / ``batch_axis`` exactly as ``jax.nn.initializers`` computes
  them (a ``(in, out)`` Dense kernel has ``fan_in = in``); ``variance_scaling``'s law is the
  law table's ``jax_variance_scaling``: ``"normal"`` is the untruncated normal there,
  ``"truncated_normal"`` cuts at 2 standard deviations and divides by 0.87962566103423978.
* **Values from the key.** The values are a pure function of the key (typed,
  ``jax.random.key``, or raw, ``jax.random.PRNGKey``), its shape and dtype: the key's data
  becomes weightinit's Philox key and stream id (docs/streams.md, "JAX keys"), and the tensor
  is written on the host by weightinit's one fill door. Equal keys give equal arrays;
  different keys (``jax.random.split``) different ones. They are not the numbers JAX's own
  initializers draw (another generator), but they are the same on every machine.
* **Transformations.** Under ``jax.jit`` (with the shape static) and ``jax.vmap`` over keys,
  the values are made on the host by ``jax.pure_callback`` when the computation runs. Not
  differentiable with respect to anything (the key is not).
* **Sharding.** ``out_sharding`` (a ``NamedSharding``, or a ``PartitionSpec`` under
  ``jax.set_mesh``) lays the result out: with a concrete key each shard is made on its own
  (orthogonal matrices: whole, then placed); under ``jax.jit`` a sharding constraint.
* **Dtypes.** float16, bfloat16, float32 and float64 (float64 needs ``jax_enable_x64``;
  without it JAX's rule applies: float32 and a UserWarning). Complex dtypes are not
  supported (TypeError).
* **Differences from JAX.** A shape with no elements gives an empty array (JAX's variance
  scaling divides by a zero fan there); ``variance_scaling`` refuses a scale that is not
  positive and finite (JAX's documented domain) and checks its mode and distribution when
  built; an axis out of range is a ValueError naming the argument (JAX: IndexError);
  ``orthogonal`` and ``delta_orthogonal`` accept ``out_sharding``.

``zeros``, ``ones`` and ``constant`` do not depend on the key: they are JAX's own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol, Union, runtime_checkable

import jax
import jax.nn.initializers as _jax_init
import numpy as np

from ..core import door
from ..core import Law
from . import _host
from ._host import Draw, OutSharding

__all__ = [
    "Initializer",
    "constant", "zeros", "ones",
    "uniform", "normal", "truncated_normal",
    "variance_scaling",
    "glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal",
    "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal",
    "lecun_uniform", "lecun_normal",
    "orthogonal", "delta_orthogonal",
]

Axes = Union[int, Sequence[int]]
DTypeLike = Any
RealNumeric = Any  # a Python or NumPy number, or a concrete 0-d array


@runtime_checkable
class Initializer(Protocol):
    """``jax.nn.initializers.Initializer``: ``init(key, shape, dtype=None, out_sharding=None)``."""

    def __call__(self, key: jax.Array, shape: Sequence[int], dtype: DTypeLike = None,
                 out_sharding: OutSharding = None) -> jax.Array: ...


# --- constants: no key, JAX's own --------------------------------------------------------------

def zeros(key: jax.Array, shape: Sequence[int], dtype: DTypeLike = None,
          out_sharding: OutSharding = None) -> jax.Array:
    """An array of zeros (``jax.nn.initializers.zeros``); `key` is ignored."""
    return _jax_init.zeros(key, shape, dtype, out_sharding)


def ones(key: jax.Array, shape: Sequence[int], dtype: DTypeLike = None,
         out_sharding: OutSharding = None) -> jax.Array:
    """An array of ones (``jax.nn.initializers.ones``); `key` is ignored."""
    return _jax_init.ones(key, shape, dtype, out_sharding)


def constant(value: Any, dtype: DTypeLike = None) -> Initializer:
    """Arrays full of `value` (``jax.nn.initializers.constant``); the key is ignored."""
    init: Initializer = _jax_init.constant(value, dtype)
    return init


# --- the builders ---------------------------------------------------------------------------

class _Random:
    """``init(key, shape, dtype, out_sharding)`` of one random initializer.

    `make` maps (shape, dtype) to a :class:`~weightinit.jax._host.Draw`; it raises what the
    arguments' checks raise.
    """

    def __init__(self, name: str, make: Any, dtype: DTypeLike) -> None:
        if dtype is not None:
            _host.float_dtype(dtype, warn=False)  # a bad dtype fails when built, not when called
        self._name = name
        self._make = make
        self._dtype = dtype
        self.__name__ = self.__qualname__ = name

    def __repr__(self) -> str:
        return f"<weightinit.jax.initializers.{self._name} initializer>"

    def __call__(self, key: jax.Array, shape: Sequence[int], dtype: DTypeLike = None,
                 out_sharding: OutSharding = None) -> jax.Array:
        """The initialized array of `shape` and `dtype` (the builder's dtype when None).

        Parameters
        ----------
        key : jax.Array
            One PRNG key, typed (``jax.random.key``) or raw (``jax.random.PRNGKey``).
        shape : sequence of int
            Static, also under ``jax.jit``.
        dtype : dtype, optional
            float16, bfloat16, float32 or float64; None: the builder's, else JAX's default
            float dtype.
        out_sharding : NamedSharding or PartitionSpec, optional
            The result's sharding.

        Raises
        ------
        TypeError
            A bad key, shape, dtype or out_sharding.
        ValueError
            A shape or axis the initializer cannot take.
        """
        dims = _host.check_shape(shape)
        dt = _host.float_dtype(self._dtype if dtype is None else dtype)
        return _host.realize(self._make(dims, dt), key, out_sharding)


def _law_draw(law: Law) -> Any:
    """A `make` for a law that does not depend on the shape."""
    def make(shape: tuple[int, ...], dtype: np.dtype) -> Draw:
        return Draw(shape, dtype, law)
    return make


def uniform(scale: RealNumeric = 1e-2, dtype: DTypeLike = None) -> Initializer:
    """Uniform on ``[0, scale)`` (``jax.nn.initializers.uniform``).

    Parameters
    ----------
    scale : float
        The upper bound (a negative scale gives ``(scale, 0]``, as JAX's product does).
    dtype : dtype, optional
        The initializer's default dtype.
    """
    s = _host.real(scale, "scale")
    return _Random("uniform", _law_draw(Law.uniform(0.0, s)), dtype)


def normal(stddev: RealNumeric = 1e-2, dtype: DTypeLike = None) -> Initializer:
    """Normal with mean 0 and standard deviation `stddev` (``jax.nn.initializers.normal``)."""
    s = _host.real(stddev, "stddev")
    return _Random("normal", _law_draw(Law.normal(0.0, s)), dtype)


def truncated_normal(stddev: RealNumeric = 1e-2, dtype: DTypeLike = None,
                     lower: RealNumeric = -2.0, upper: RealNumeric = 2.0) -> Initializer:
    """``stddev`` times a standard normal truncated to ``(lower, upper)``
    (``jax.nn.initializers.truncated_normal``).

    As in JAX, `stddev` is the standard deviation before truncation (no correction) and the
    bounds are in units of it; values lie in ``[lower * stddev, upper * stddev]``.

    Raises
    ------
    ValueError
        ``lower >= upper`` (either may be infinite), or a NaN.
    """
    s = _host.real(stddev, "stddev")
    law = door.laws.jax_truncated_normal(s, _bound(lower, "lower"), _bound(upper, "upper"))
    return _Random("truncated_normal", _law_draw(law), dtype)


def _bound(value: RealNumeric, argname: str) -> float:
    """A truncation bound: a real number or an infinity."""
    try:
        return _host.real(value, argname)
    except ValueError:
        if math.isinf(float(value)):
            return float(value)
        raise


def _fans(shape: tuple[int, ...], in_axis: Union[int, tuple[int, ...]],
          out_axis: Union[int, tuple[int, ...]],
          batch_axis: Union[int, tuple[int, ...]]) -> tuple[float, float]:
    """JAX's ``_compute_fans``: (fan_in, fan_out), the law table's ``jax_fans``.

    Axes not in `in_axis`, `out_axis` or `batch_axis` form the receptive field:
    ``fan_in = in_size * prod(shape) / in_size / out_size / batch_size``. Overlapping axes are
    allowed, as in JAX (Flax's embedding kernels use ``in_axis=-2, out_axis=0``), and then
    give fractional fans; a shape with no elements gives ``(0.0, 0.0)``.
    """
    fan_in, fan_out = door.laws.jax_fans(shape, in_axis, out_axis, batch_axis)
    return fan_in, fan_out


def variance_scaling(scale: RealNumeric, mode: str, distribution: str, in_axis: Axes = -2,
                     out_axis: Axes = -1, batch_axis: Axes = (),
                     dtype: DTypeLike = None) -> Initializer:
    """Variance scaling (``jax.nn.initializers.variance_scaling``).

    With ``n`` = fan_in, fan_out, (fan_in + fan_out) / 2 or sqrt(fan_in * fan_out) for `mode`
    ``"fan_in"``, ``"fan_out"``, ``"fan_avg"``, ``"fan_geo_avg"``: ``"truncated_normal"``
    draws a normal truncated to 2 of its standard deviations, with standard deviation
    ``sqrt(scale / n)`` after truncation; ``"normal"`` the untruncated normal with that
    standard deviation; ``"uniform"`` uniform on ``[-sqrt(3 scale / n), sqrt(3 scale / n))``.

    Parameters
    ----------
    scale : float
        Positive.
    mode, distribution : str
        As above.
    in_axis, out_axis, batch_axis : int or sequence of int
        The input, output and ignored axes of the weights; the others are the receptive
        field. JAX's fans: a ``(in, out)`` kernel has fan_in ``in``, a ``(kh, kw, in, out)``
        one ``kh * kw * in``.
    dtype : dtype, optional
        The initializer's default dtype.

    Raises
    ------
    TypeError, ValueError
        When built: a bad scale, mode, distribution, axes or dtype. When called: an axis out
        of range for the shape, a rank-1 shape with the default `in_axis`.
    """
    s = _host.real(scale, "scale")
    for value, argname in ((mode, "mode"), (distribution, "distribution")):
        if not isinstance(value, str):
            raise TypeError(f"{argname}: expected a str, got {type(value).__name__}")
    door.laws.jax_variance_scaling(1.0, 1.0, s, mode, distribution)  # checks them
    in_ax = _host.axes(in_axis, "in_axis")
    out_ax = _host.axes(out_axis, "out_axis")
    batch_ax = _host.axes(batch_axis, "batch_axis")

    def make(shape: tuple[int, ...], dt: np.dtype) -> Draw:
        fan_in, fan_out = _fans(shape, in_ax, out_ax, batch_ax)
        if math.prod(shape) == 0:
            return Draw(shape, dt, Law.constant(0.0))
        return Draw(shape, dt, door.laws.jax_variance_scaling(fan_in, fan_out, s, mode,
                                                               distribution))

    return _Random("variance_scaling", make, dtype)


def _preset(name: str, in_axis: Axes, out_axis: Axes, batch_axis: Axes,
            dtype: DTypeLike) -> Initializer:
    """``variance_scaling`` with the law table's ``(scale, mode, distribution)`` of `name`."""
    scale, mode, distribution = door.laws.preset(name)
    return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)


def glorot_uniform(in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (),
                   dtype: DTypeLike = None) -> Initializer:
    """Glorot (Xavier) uniform: ``variance_scaling(1.0, "fan_avg", "uniform", ...)``."""
    return _preset("glorot_uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (),
                  dtype: DTypeLike = None) -> Initializer:
    """Glorot (Xavier) normal: ``variance_scaling(1.0, "fan_avg", "truncated_normal", ...)``."""
    return _preset("glorot_normal", in_axis, out_axis, batch_axis, dtype)


def lecun_uniform(in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (),
                  dtype: DTypeLike = None) -> Initializer:
    """LeCun uniform: ``variance_scaling(1.0, "fan_in", "uniform", ...)``."""
    return _preset("lecun_uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (),
                 dtype: DTypeLike = None) -> Initializer:
    """LeCun normal: ``variance_scaling(1.0, "fan_in", "truncated_normal", ...)``."""
    return _preset("lecun_normal", in_axis, out_axis, batch_axis, dtype)


def he_uniform(in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (),
               dtype: DTypeLike = None) -> Initializer:
    """He (Kaiming) uniform: ``variance_scaling(2.0, "fan_in", "uniform", ...)``."""
    return _preset("he_uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (),
              dtype: DTypeLike = None) -> Initializer:
    """He (Kaiming) normal: ``variance_scaling(2.0, "fan_in", "truncated_normal", ...)``."""
    return _preset("he_normal", in_axis, out_axis, batch_axis, dtype)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


def _column_axis(column_axis: Any) -> int:
    ax = _host.axes(column_axis, "column_axis")
    if not isinstance(ax, int):
        raise TypeError(f"column_axis: expected an int, got {column_axis!r}")
    return ax


def _orthogonal_draw(shape: tuple[int, ...], dt: np.dtype, gain: float, column_axis: int) -> Draw:
    """JAX's orthogonal: a Haar ``rows x cols`` matrix, ``cols = shape[column_axis]``, reshaped
    to the other axes followed by the columns, the columns moved to `column_axis`."""
    if len(shape) < 2:
        raise ValueError(f"shape: the orthogonal initializer needs at least a 2D shape, got {shape}")
    axis = _host.axis_in(column_axis, len(shape), "column_axis")
    if math.prod(shape) == 0:
        return Draw(shape, dt, Law.constant(0.0))
    cols = shape[axis]
    rows = math.prod(shape) // cols
    rest = shape[:axis] + shape[axis + 1:]

    def whole(out: np.ndarray, seed: int, stream: int) -> None:
        if axis == len(shape) - 1:
            _host.orthogonal_into(out, rows, cols, gain, seed, stream)
            return
        q = np.empty(rest + (cols,), dt)
        _host.orthogonal_into(q, rows, cols, gain, seed, stream)
        out[...] = np.moveaxis(q, -1, axis)

    return Draw(shape, dt, whole=whole)


def orthogonal(scale: RealNumeric = 1.0, column_axis: int = -1,
               dtype: DTypeLike = None) -> Initializer:
    """Uniformly (Haar) distributed orthogonal matrices times `scale`
    (``jax.nn.initializers.orthogonal``).

    The shape is read as ``rows x cols`` with ``cols = shape[column_axis]`` and ``rows`` the
    product of the other axes; the matrix has orthonormal columns when ``rows >= cols``,
    orthonormal rows otherwise.

    Raises
    ------
    ValueError
        When called: a shape of rank < 2, `column_axis` out of range.
    """
    gain = _host.real(scale, "scale")
    axis = _column_axis(column_axis)

    def make(shape: tuple[int, ...], dt: np.dtype) -> Draw:
        return _orthogonal_draw(shape, dt, gain, axis)

    return _Random("orthogonal", make, dtype)


def delta_orthogonal(scale: RealNumeric = 1.0, column_axis: int = -1,
                     dtype: DTypeLike = None) -> Initializer:
    """Delta-orthogonal convolution kernels (``jax.nn.initializers.delta_orthogonal``;
    Xiao et al. 2018).

    Zero everywhere but the spatial centre ``((k - 1) // 2, ...)``, which holds
    ``orthogonal(scale, column_axis)`` of ``shape[-2:]`` drawn with the same key.

    Raises
    ------
    ValueError
        When called: a shape of rank other than 3, 4 or 5, or ``shape[-1] < shape[-2]``.
    """
    gain = _host.real(scale, "scale")
    axis = _column_axis(column_axis)

    def make(shape: tuple[int, ...], dt: np.dtype) -> Draw:
        if len(shape) not in (3, 4, 5):
            raise ValueError(f"shape: the delta orthogonal initializer needs a 3D, 4D or 5D "
                             f"shape, got {shape}")
        if shape[-1] < shape[-2]:
            raise ValueError(f"shape: `fan_in` (shape[-2] = {shape[-2]}) must be less than or "
                             f"equal to `fan_out` (shape[-1] = {shape[-1]})")
        centre = _orthogonal_draw(shape[-2:], dt, gain, axis)
        if math.prod(shape) == 0:
            return Draw(shape, dt, Law.constant(0.0))
        index = door.laws.delta_orthogonal_centre(shape)

        def whole(out: np.ndarray, seed: int, stream: int) -> None:
            out[...] = 0
            out[index] = centre.array(seed, stream)

        return Draw(shape, dt, whole=whole)

    return _Random("delta_orthogonal", make, dtype)
