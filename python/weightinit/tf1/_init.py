# SPDX-License-Identifier: BSD-3-Clause
"""The TF1 constant, random and variance-scaling initializers (``init_ops`` v1 classes).

Shells over weightinit._core.tf1: the constructors keep the arguments (for get_config) and
build the C++ instance, which checks them and decides every value.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..core import door
from . import surface
from ._base import Initializer
from .surface import DEFAULT_DTYPE

_tf1 = door.tf1


# --- constants ----------------------------------------------------------------------------

class _Filled(Initializer):
    """Zeros and Ones: any NumPy number type, laid out by Constant's C++ rules."""

    _fill_value = 0

    def __init__(self, dtype: Any = DEFAULT_DTYPE) -> None:
        self.dtype = surface.ctor_dtype(dtype)

    def __call__(self, shape: Sequence[int], dtype: Any = None,
                 partition_info: Any = None) -> np.ndarray:
        """A new array of `shape` and `dtype` (default: the constructor's), every element
        ``_fill_value``."""
        dt = self.dtype if dtype is None else surface.resolve_dtype(dtype)
        out: np.ndarray = _tf1.constant(np.full((), self._fill_value, dt), shape, False)
        return out


class Zeros(_Filled):
    """Initializer that generates tensors filled with zeros (``tf.compat.v1.zeros_initializer``).

    Parameters
    ----------
    dtype : dtype, default float32
        Any bool, integer, floating point or complex dtype (zero of bool is ``False``).

    Notes
    -----
    ``partition_info`` is ignored, as in TF.
    """


class Ones(_Filled):
    """Initializer that generates tensors filled with ones (``tf.compat.v1.ones_initializer``).

    Parameters
    ----------
    dtype : dtype, default float32
        Any bool, integer, floating point or complex dtype (one of bool is ``True``).

    Notes
    -----
    ``partition_info`` is ignored, as in TF.
    """

    _fill_value = 1


class Constant(Initializer):
    """Initializer that generates tensors with constant values.

    ``tf.compat.v1.constant_initializer``.

    TF1 graph-mode semantics: `value` is converted to `dtype`, flattened row-major (its own
    shape is ignored) and, when it has fewer elements than the requested shape, padded with
    its **last** element (an empty list pads with zeros)::

        Constant([0, 1, 2, 3, 4, 5, 6, 7])((3, 4))  ->  [[0 1 2 3] [4 5 6 7] [7 7 7 7]]

    Parameters
    ----------
    value : Python scalar, list, tuple or numpy.ndarray, default 0
        Lists and scalars are type-checked element by element against the dtype (a float for
        an integer dtype, or anything but ``True``/``False`` for bool, is a TypeError); NumPy
        arrays and scalars are cast without checks (1.7 -> 1 for int32).
    dtype : dtype, default float32
        Any bool, integer, floating point or complex dtype.
    verify_shape : bool, default False
        Require `value`'s shape to equal the requested shape.

    Raises
    ------
    TypeError
        At construction, if `value` has another type.

    Notes
    -----
    ``get_config()`` holds ``value`` and ``dtype`` only: as in TF, `verify_shape` is not
    part of the config. NumPy values are stored in the config as (nested) lists.
    ``partition_info`` is ignored, as in TF, so every partition gets the value's first
    elements.
    """

    _config = ("value",)

    def __init__(self, value: Any = 0, dtype: Any = DEFAULT_DTYPE,
                 verify_shape: bool = False) -> None:
        surface.check_constant_value(value)
        self.value = value
        self.dtype = surface.ctor_dtype(dtype)
        self._verify_shape = bool(verify_shape)

    def __call__(self, shape: Sequence[int], dtype: Any = None, partition_info: Any = None,
                 verify_shape: bool | None = None) -> np.ndarray:
        """`value` laid out over `shape` in `dtype` (see the class docstring).

        Parameters
        ----------
        verify_shape : bool, optional
            Overrides the constructor's setting.

        Raises
        ------
        TypeError
            If an element of a list or scalar `value` does not fit the dtype's kind, or
            `verify_shape` is set and `value`'s shape is not `shape`
            ("Expected Tensor's shape: [3, 4], got [8].").
        ValueError
            If `value` is a ragged nested list, an integer is out of the dtype's range, or
            `value` has more elements than `shape` ("Too many elements provided. Needed at
            most 6, but received 8").
        """
        dt = self.dtype if dtype is None else surface.resolve_dtype(dtype)
        verify = self._verify_shape if verify_shape is None else verify_shape
        out: np.ndarray = _tf1.constant(surface.constant_array(self.value, dt), shape,
                                        bool(verify))
        return out


# --- random -------------------------------------------------------------------------------

class RandomUniform(Initializer):
    """Initializer that generates uniformly distributed tensors.

    ``tf.compat.v1.random_uniform_initializer``.

    Float dtypes: ``x = minval + U * (maxval - minval)`` with ``U`` uniform on [0, 1), so
    ``x`` lies in ``[minval, maxval)``. Integer dtypes: ``x = minval + (w mod (maxval -
    minval))`` for the element's raw stream word ``w`` (32-bit for int32, 64-bit for int64), as
    TF computes it (slightly biased unless the range is a power of two).

    Parameters
    ----------
    minval : number, default 0
        Lower bound.
    maxval : number or None, default None
        Upper bound (excluded); ``None`` means 1 for float dtypes and is a ValueError at call
        time for integer dtypes.
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32, float64, int32 or int64; another dtype is a ValueError
        ("Invalid dtype ..."), here and at call time.
    stream : {None, "weightinit", "tensorflow"}, default None
        The random stream: weightinit's own, or TensorFlow's (the values TensorFlow's CPU ops
        give for the same graph seed and op seed, see :func:`weightinit.tf1.set_stream`);
        None follows :func:`weightinit.tf1.set_stream`. Kept in the config when set.

    Notes
    -----
    ``minval > maxval`` gives ``(maxval, minval]`` and ``minval == maxval`` gives ``minval``
    everywhere, the values of TF's formula. Partitions equal the same box of the whole tensor.
    """

    _cpp: Any = _tf1.RandomUniform
    _config = ("minval", "maxval", "seed")
    _element_type = staticmethod(surface.random_uniform_type)

    def __init__(self, minval: Any = 0, maxval: Any = None, seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = surface.ctor_dtype(dtype)
        self.stream = _tf1.check_stream(stream)
        self._build()

    def __call__(self, shape: Sequence[int], dtype: Any = None,
                 partition_info: Any = None) -> np.ndarray:
        """A new array of `shape` and `dtype` (default: the constructor's).

        Raises
        ------
        ValueError
            For a dtype TF's ``random_uniform`` rejects, ``maxval=None`` with an integer dtype
            ("Must specify maxval for integer dtype int32"), ``minval >= maxval`` with an
            integer dtype and a non-empty shape, or a non-finite bound.
        TypeError
            For a non-integer bound with an integer dtype.
        """
        impl = self._impl or self._build()
        et = impl.dtype if dtype is None else self._element_type(surface.resolve_dtype(dtype))
        if self._float_bound is not None and et in surface.INTEGER_TYPES:
            raise surface.integer_bound_error(self._float_bound, et)
        out: np.ndarray = impl(shape, et, partition_info)
        return out

    def _build(self) -> Any:
        # TF's own TypeError (it quotes the Python value) comes before the C++ checks.
        self._float_bound = surface.non_integer_bound(self.minval, self.maxval)
        return super()._build()


class _NormalBase(Initializer):
    """RandomNormal and TruncatedNormal: ``x = mean + stddev * z``."""

    _config = ("mean", "stddev", "seed")

    def __init__(self, mean: float = 0.0, stddev: float = 1.0, seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = surface.ctor_dtype(dtype)
        self.stream = _tf1.check_stream(stream)
        self._build()


class RandomNormal(_NormalBase):
    """Initializer that generates normally distributed tensors.

    ``tf.compat.v1.random_normal_initializer``.

    ``x = mean + stddev * z`` with ``z`` standard normal.

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 1.0
        Not sign-checked, as in TF: a negative `stddev` mirrors the draw, 0 gives `mean`.
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64 (else ValueError "Expected floating point
        type, got ...").
    stream : {None, "weightinit", "tensorflow"}, default None
        The random stream: weightinit's own, or TensorFlow's (the values TensorFlow's CPU ops
        give for the same graph seed and op seed, see :func:`weightinit.tf1.set_stream`);
        None follows :func:`weightinit.tf1.set_stream`. Kept in the config when set.

    Notes
    -----
    Partitions equal the same box of the whole tensor.
    """

    _cpp: Any = _tf1.RandomNormal


class TruncatedNormal(_NormalBase):
    """Initializer that generates a truncated normal distribution.

    ``tf.compat.v1.truncated_normal_initializer``.

    ``x = mean + stddev * t`` with ``t`` a standard normal restricted to [-2, 2]: values lie
    within two `stddev` of `mean`, and their standard deviation is
    ``0.87962566103423978 * stddev`` (`stddev` is the one before truncation).

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 1.0
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64.
    stream : {None, "weightinit", "tensorflow"}, default None
        The random stream: weightinit's own, or TensorFlow's (the values TensorFlow's CPU ops
        give for the same graph seed and op seed, see :func:`weightinit.tf1.set_stream`);
        None follows :func:`weightinit.tf1.set_stream`. Kept in the config when set.

    Notes
    -----
    weightinit draws the truncated normal by inverting the CDF (no rejection), so every
    element reads only its own stream words. Partitions equal the same box of the whole tensor.
    """

    _cpp: Any = _tf1.TruncatedNormal


# --- variance scaling ---------------------------------------------------------------------

class VarianceScaling(Initializer):
    """Initializer capable of adapting its scale to the shape of weights.

    ``tf.compat.v1.variance_scaling_initializer``.

    With ``n`` = ``max(1, fan_in)`` (mode ``"fan_in"``), ``max(1, fan_out)`` (``"fan_out"``)
    or ``max(1, (fan_in + fan_out) / 2)`` (``"fan_avg"``) and ``s = scale / n``:

    * ``"truncated_normal"`` (and its deprecated alias ``"normal"``): a normal truncated at
      two standard deviations, drawn with stddev ``sqrt(s) / 0.87962566103423978`` so that
      the result's standard deviation is ``sqrt(s)``;
    * ``"untruncated_normal"``: normal, stddev ``sqrt(s)``;
    * ``"uniform"``: uniform on ``[-limit, limit)``, ``limit = sqrt(3 s)``.

    Fans follow TF's layout ``(..., in, out)``: rank 0 -> (1, 1), rank 1 -> (n, n), rank 2 ->
    (in, out), rank >= 3 -> (in * R, out * R) with ``R`` the product of ``shape[:-2]``.

    Parameters
    ----------
    scale : float, default 1.0
        Positive.
    mode : {"fan_in", "fan_out", "fan_avg"}
        Case-sensitive.
    distribution : {"truncated_normal", "untruncated_normal", "uniform", "normal"}
        Case-insensitive (stored lower-cased); ``"normal"`` warns (DeprecationWarning) and is
        kept as ``"normal"`` in the config.
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64.
    stream : {None, "weightinit", "tensorflow"}, default None
        The random stream: weightinit's own, or TensorFlow's (the values TensorFlow's CPU ops
        give for the same graph seed and op seed, see :func:`weightinit.tf1.set_stream`);
        None follows :func:`weightinit.tf1.set_stream`. Kept in the config when set.

    Raises
    ------
    ValueError
        In TF's order: ``scale <= 0`` ("`scale` must be positive float."), an invalid `mode`
        ("Invalid `mode` argument: ..."), an invalid `distribution` ("Invalid `distribution`
        argument: ..."), a non-float `dtype`.

    Notes
    -----
    With ``partition_info`` the fans come from its ``full_shape``, and the partition's values
    equal the same box of the whole tensor.
    """

    _cpp: Any = _tf1.VarianceScaling
    _config: tuple[str, ...] = ("scale", "mode", "distribution", "seed")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = surface.ctor_dtype(dtype)
        self.stream = _tf1.check_stream(stream)
        impl = self._build()  # TF's checks, in TF's order
        self.distribution = impl.distribution  # lower-cased, as TF stores it
        object.__setattr__(self, "_impl", impl)
        if self.distribution == "normal":
            surface.warn("`normal` is a deprecated alias for `truncated_normal`")


class _Glorot(VarianceScaling):
    """GlorotUniform / GlorotNormal: VarianceScaling with the law table's preset `_preset`."""

    _preset = ""
    _config = ("seed",)

    def __init__(self, seed: int | None = None, dtype: Any = DEFAULT_DTYPE,
                 stream: str | None = None) -> None:
        # TF's Glorot classes drop `dtype` (they never pass it to VarianceScaling): it is
        # neither checked nor used, and calls without a dtype give float32. Kept as TF has it.
        if dtype is not DEFAULT_DTYPE:
            surface.warn_ctor_dtype()
        scale, mode, distribution = door.laws.preset(self._preset)
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         stream=stream)

    def _args(self) -> tuple[Any, ...]:
        return (self.seed,)  # the C++ Glorot classes take no dtype either


class GlorotUniform(_Glorot):
    """The Glorot uniform initializer, also called Xavier uniform.

    ``tf.compat.v1.glorot_uniform_initializer``.

    Uniform on ``[-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))`` (with the
    ``max(1, (fan_in + fan_out) / 2)`` guard): ``VarianceScaling(1.0, "fan_avg",
    "uniform")``.

    Parameters
    ----------
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        **Ignored**, as in TF 1.15 (its constructor never forwards it): the stored dtype is
        always float32 and no float check is made. Pass the dtype when calling instead.
    stream : {None, "weightinit", "tensorflow"}, default None
        The random stream: weightinit's own, or TensorFlow's (the values TensorFlow's CPU ops
        give for the same graph seed and op seed, see :func:`weightinit.tf1.set_stream`);
        None follows :func:`weightinit.tf1.set_stream`. Kept in the config when set.
    """

    _cpp: Any = _tf1.GlorotUniform
    _preset = "glorot_uniform"


class GlorotNormal(_Glorot):
    """The Glorot normal initializer, also called Xavier normal.

    ``tf.compat.v1.glorot_normal_initializer``.

    Truncated normal (at two standard deviations) whose standard deviation is
    ``sqrt(2 / (fan_in + fan_out))``: ``VarianceScaling(1.0, "fan_avg", "truncated_normal")``,
    so the draw's pre-truncation stddev is ``sqrt(2 / (fan_in + fan_out)) / 0.8796...``.

    Parameters
    ----------
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        **Ignored**, as in TF 1.15 (see :class:`GlorotUniform`).
    stream : {None, "weightinit", "tensorflow"}, default None
        The random stream: weightinit's own, or TensorFlow's (the values TensorFlow's CPU ops
        give for the same graph seed and op seed, see :func:`weightinit.tf1.set_stream`);
        None follows :func:`weightinit.tf1.set_stream`. Kept in the config when set.
    """

    _cpp: Any = _tf1.GlorotNormal
    _preset = "glorot_normal"


def _preset(name: str, seed: int | None, stream: str | None) -> VarianceScaling:
    """VarianceScaling with the law table's ``(scale, mode, distribution)`` of `name`."""
    scale, mode, distribution = door.laws.preset(name)
    return VarianceScaling(scale=scale, mode=mode, distribution=distribution, seed=seed,
                           stream=stream)


def lecun_normal(seed: int | None = None, stream: str | None = None) -> VarianceScaling:
    """LeCun normal: ``VarianceScaling(1.0, "fan_in", "truncated_normal", seed)``.

    Truncated normal with standard deviation ``sqrt(1 / fan_in)``.
    """
    return _preset("lecun_normal", seed, stream)


def lecun_uniform(seed: int | None = None, stream: str | None = None) -> VarianceScaling:
    """LeCun uniform: ``VarianceScaling(1.0, "fan_in", "uniform", seed)``.

    Uniform on ``[-limit, limit)`` with ``limit = sqrt(3 / fan_in)``.
    """
    return _preset("lecun_uniform", seed, stream)


def he_normal(seed: int | None = None, stream: str | None = None) -> VarianceScaling:
    """He normal: ``VarianceScaling(2.0, "fan_in", "truncated_normal", seed)``.

    Truncated normal with standard deviation ``sqrt(2 / fan_in)``.
    """
    return _preset("he_normal", seed, stream)


def he_uniform(seed: int | None = None, stream: str | None = None) -> VarianceScaling:
    """He uniform: ``VarianceScaling(2.0, "fan_in", "uniform", seed)``.

    Uniform on ``[-limit, limit)`` with ``limit = sqrt(6 / fan_in)``.
    """
    return _preset("he_uniform", seed, stream)


class UniformUnitScaling(Initializer):
    """Initializer that generates tensors without scaling variance (deprecated).

    ``tf.compat.v1.uniform_unit_scaling_initializer``.

    Uniform on ``[-max_val, max_val)`` with ``max_val = factor * sqrt(3 / input_size)``, where
    ``input_size = max(1, product of all dimensions but the last)`` (1 for rank 0 and 1). For
    rank >= 2 this is ``VarianceScaling(scale=factor**2, mode="fan_in",
    distribution="uniform")``, which is what to use instead.

    Parameters
    ----------
    factor : float, default 1.0
        Multiplicative factor.
    seed : int or None
        Op seed (see :func:`weightinit.tf1.get_seed`).
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64.
    stream : {None, "weightinit", "tensorflow"}, default None
        The random stream: weightinit's own, or TensorFlow's (the values TensorFlow's CPU ops
        give for the same graph seed and op seed, see :func:`weightinit.tf1.set_stream`);
        None follows :func:`weightinit.tf1.set_stream`. Kept in the config when set.

    Warns
    -----
    DeprecationWarning
        On construction, as TF does.

    Notes
    -----
    With ``partition_info`` the input size comes from its ``full_shape``, and the partition's
    values equal the same box of the whole tensor.
    """

    _cpp: Any = _tf1.UniformUnitScaling
    _config = ("factor", "seed")

    def __init__(self, factor: float = 1.0, seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        surface.warn("UniformUnitScaling is deprecated and will be removed in a future version. "
                     "Use variance_scaling_initializer(scale=factor**2, mode='fan_in', "
                     "distribution='uniform') instead to get equivalent behavior.")
        self.factor = factor
        self.seed = seed
        self.dtype = surface.ctor_dtype(dtype)
        self.stream = _tf1.check_stream(stream)
        self._build()


# --- identity -----------------------------------------------------------------------------

class Identity(Initializer):
    """Initializer that generates the identity matrix (``tf.compat.v1.initializers.identity``).

    ``x[i, j] = gain`` if ``i == j`` else 0, for 2-D shapes; non-square shapes get ones on
    the leading diagonal (``(3, 5)`` has three).

    Parameters
    ----------
    gain : float, default 1.0
        Multiplicative factor.
    dtype : dtype, default float32
        float16, bfloat16, float32 or float64.

    Raises
    ------
    ValueError
        At call time, for a shape (or partition ``full_shape``) that is not 2-D
        ("Identity matrix initializer can only be used for 2D matrices.").

    Notes
    -----
    With ``partition_info`` the result is the partition's block of the identity of
    ``full_shape``, as in TF.
    """

    _cpp: Any = _tf1.Identity
    _config = ("gain",)

    def __init__(self, gain: float = 1.0, dtype: Any = DEFAULT_DTYPE) -> None:
        self.gain = gain
        self.dtype = surface.ctor_dtype(dtype)
        self._build()

