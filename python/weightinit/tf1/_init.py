# SPDX-License-Identifier: BSD-3-Clause
"""The TF1 constant, random and variance-scaling initializers (``init_ops`` v1 classes)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..core.fills import check_shape
from ._base import (DEFAULT_DTYPE, TRUNCATED_STDDEV, Initializer, call_dtype, compute_fans,
                        ctor_dtype, draw, draw_int, finite, integer_param, partition_box, plain,
                        random_uniform_dtype, real, warn, warn_ctor_dtype)
from ._seeds import check_seed

V1_DISTRIBUTIONS = ("normal", "uniform", "truncated_normal", "untruncated_normal")
MODES = ("fan_in", "fan_out", "fan_avg")


# --- constants ----------------------------------------------------------------------------

class _Filled(Initializer):
    """Zeros and Ones: every element is `_fill_value` in the call's dtype."""

    _fill_value = 0

    def __init__(self, dtype=DEFAULT_DTYPE):
        self.dtype = ctor_dtype(dtype, float_only=False)

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new array of `shape` and `dtype` (default: the constructor's), every element
        ``_fill_value``."""
        dt = call_dtype(dtype, self.dtype, type(self).__name__, float_only=False)
        return np.full(check_shape(shape), self._fill_value, dtype=dt)

    def get_config(self) -> dict:
        return {"dtype": self.dtype.name}


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

    def __init__(self, value=0, dtype=DEFAULT_DTYPE, verify_shape=False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value: {type(value)} (expected Python "
                            "scalar, list or tuple of values, or numpy.ndarray).")
        self.value = value
        self.dtype = ctor_dtype(dtype, float_only=False)
        self._verify_shape = bool(verify_shape)

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
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
            ("Expected Tensor's shape: (3, 4), got (8,).").
        ValueError
            If `value` is a ragged nested list, an integer is out of the dtype's range, or
            `value` has more elements than `shape` ("Too many elements provided. Needed at
            most 6, but received 8").
        """
        dt = call_dtype(dtype, self.dtype, "Constant", float_only=False)
        shape = check_shape(shape)
        values = constant_array(self.value, dt)
        size = math.prod(shape)
        if size == 0:
            return np.zeros(shape, dtype=dt)
        verify = self._verify_shape if verify_shape is None else verify_shape
        if verify and values.shape != shape:
            raise TypeError(f"Expected Tensor's shape: {shape}, got {values.shape}.")
        if values.size > size:
            raise ValueError(f"Too many elements provided. Needed at most {size}, but received "
                             f"{values.size}")
        out = np.zeros(size, dtype=dt)
        out[:values.size] = values.reshape(-1)
        if 0 < values.size < size:
            out[values.size:] = values.reshape(-1)[-1]
        return out.reshape(shape)

    def get_config(self) -> dict:
        return {"value": plain(self.value), "dtype": self.dtype.name}


def _kind_accepts(dt: np.dtype, v) -> bool:
    """Whether a Python element `v` may become an element of dtype `dt` (TF's checks)."""
    if dt.kind == "b":
        return isinstance(v, (bool, np.bool_))
    if dt.kind in "iu":
        return isinstance(v, (numbers.Integral, np.integer, np.bool_))
    if dt.kind == "c":
        return isinstance(v, (numbers.Number, np.number, np.bool_))
    return isinstance(v, (numbers.Real, np.integer, np.floating, np.bool_))


def _elements(value):
    """Leaves of a nested list/tuple, in row-major order."""
    if isinstance(value, (list, tuple, np.ndarray)):
        for v in value:
            yield from _elements(v)
    else:
        yield value


def constant_array(value, dt: np.dtype) -> np.ndarray:
    """`value` as an array of `dt`, with TF's conversion rules (see :class:`Constant`)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value).astype(dt)
    try:
        arr = np.asarray(value)
    except ValueError:  # NumPy refuses ragged nesting
        raise ValueError(f"Argument must be a dense tensor: {value!r} - got a ragged nested "
                         "list.") from None
    # Kinds of NumPy's inferred array that need no element check; anything else (a float
    # among ints, strings, Python ints beyond 64 bits) is checked element by element.
    allowed = {"b": "b", "i": "biu", "u": "biu", "c": "biufc"}.get(dt.kind, "biuf")
    if arr.size and arr.dtype.kind not in allowed:
        for v in _elements(value):
            if not _kind_accepts(dt, v):
                raise TypeError(f"Expected {dt.name}, but got {v!r} of type "
                                f"'{type(v).__name__}'.")
    if dt.kind in "iu" and arr.size:
        flat = arr.reshape(-1)
        if arr.dtype == object:
            low, high = min(flat.tolist()), max(flat.tolist())
        else:
            low, high = int(flat.min()), int(flat.max())
        info = np.iinfo(dt)
        if low < info.min or high > info.max:
            raise ValueError(f"value: {low if low < info.min else high} is out of range for "
                             f"{dt.name}")
    return arr.astype(dt)


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
        float16, bfloat16, float32, float64, int32 or int64; another dtype is a ValueError at
        call time ("Invalid dtype ...").

    Notes
    -----
    ``minval > maxval`` gives ``(maxval, minval]`` and ``minval == maxval`` gives ``minval``
    everywhere, the values of TF's formula. Partitions equal the same box of the whole tensor.
    """

    def __init__(self, minval=0, maxval=None, seed=None, dtype=DEFAULT_DTYPE):
        real(minval, "minval")
        if maxval is not None:
            real(maxval, "maxval")
        self.minval = minval
        self.maxval = maxval
        self.seed = check_seed(seed)
        self.dtype = ctor_dtype(dtype, float_only=False)

    def __call__(self, shape, dtype=None, partition_info=None):
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
        dt = call_dtype(dtype, self.dtype, "RandomUniform", float_only=False)
        shape = check_shape(shape)
        box = partition_box(shape, partition_info)
        return uniform_values(shape, dt, self.minval, self.maxval, lambda: self._key_stream(box),
                              box)

    def get_config(self) -> dict:
        return {"minval": plain(self.minval), "maxval": plain(self.maxval), "seed": self.seed,
                "dtype": self.dtype.name}


def uniform_values(shape, dt, minval, maxval, key_stream, box=None) -> np.ndarray:
    """TF's ``random_uniform`` for float and integer dtypes (see :class:`RandomUniform`).

    `key_stream` is called for the (key, stream) once the arguments are valid.
    """
    random_uniform_dtype(dt)
    if dt.kind in "iu":
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dt.name}")
        low = integer_param(minval, dt, "minval")
        high = integer_param(maxval, dt, "maxval")
        if math.prod(shape) and low >= high:
            raise ValueError(f"Need minval < maxval, got {low} >= {high}")
        return draw_int(shape, dt, low, high, key_stream(), box)
    low = finite(minval, "minval")
    high = 1.0 if maxval is None else finite(maxval, "maxval")
    return draw(shape, dt, "uniform", (low, high), key_stream(), box)


def normal_values(shape, dt, mean, stddev, bounds, key_stream, box=None) -> np.ndarray:
    """``mean + stddev * z`` for standard normals `z`, truncated to `bounds` (in stddevs) if
    given. `key_stream` is called for the (key, stream) once the arguments are valid."""
    params = (finite(mean, "mean"), finite(stddev, "stddev")) + tuple(bounds)
    distribution = "truncated_normal" if bounds else "normal"
    return draw(shape, dt, distribution, params, key_stream(), box)


class _NormalBase(Initializer):
    """RandomNormal and TruncatedNormal: ``x = mean + stddev * z``, `z` from `_bounds`."""

    _bounds: tuple = ()

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=DEFAULT_DTYPE):
        real(mean, "mean")
        real(stddev, "stddev")
        self.mean = mean
        self.stddev = stddev
        self.seed = check_seed(seed)
        self.dtype = ctor_dtype(dtype, float_only=True)

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new array of `shape` and `dtype` (default: the constructor's).

        Raises
        ------
        TypeError
            If a call-time `dtype` is not a floating point type.
        ValueError
            If `mean` or `stddev` is not finite.
        """
        dt = call_dtype(dtype, self.dtype, type(self).__name__)
        shape = check_shape(shape)
        box = partition_box(shape, partition_info)
        return normal_values(shape, dt, self.mean, self.stddev, self._bounds,
                             lambda: self._key_stream(box), box)

    def get_config(self) -> dict:
        return {"mean": plain(self.mean), "stddev": plain(self.stddev), "seed": self.seed,
                "dtype": self.dtype.name}


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

    Notes
    -----
    Partitions equal the same box of the whole tensor.
    """


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

    Notes
    -----
    weightinit draws the truncated normal by inverting the CDF (no rejection), so every
    element reads only its own stream words. Partitions equal the same box of the whole tensor.
    """

    _bounds = (-2.0, 2.0)


# --- variance scaling ---------------------------------------------------------------------

def check_variance_scaling(scale, mode, distribution, allowed) -> str:
    """TF's constructor checks, in TF's order; returns `distribution` lower-cased."""
    if not real(scale, "scale") > 0:
        raise ValueError("`scale` must be positive float.")
    if mode not in MODES:
        raise ValueError(f"Invalid `mode` argument: {mode!r} (expected one of {MODES})")
    if not isinstance(distribution, str):
        raise TypeError(f"distribution: expected a string, got {type(distribution).__name__}")
    if distribution.lower() not in allowed:
        raise ValueError(f"Invalid `distribution` argument: {distribution!r} (expected one of "
                         f"{allowed})")
    return distribution.lower()


def variance_scaling_params(scale, mode, distribution, fans):
    """The fill call (distribution, params) of ``VarianceScaling`` for `fans`.

    ``n`` = ``max(1, fan_in)``, ``max(1, fan_out)`` or ``max(1, (fan_in + fan_out) / 2)``;
    ``s = scale / n``; then

    * ``"truncated_normal"`` / ``"normal"``: truncated normal on [-2, 2] stddevs with
      stddev ``sqrt(s) / 0.87962566103423978``, so the result's stddev is ``sqrt(s)``;
    * ``"untruncated_normal"``: normal with stddev ``sqrt(s)``;
    * ``"uniform"``: uniform on ``[-sqrt(3 s), sqrt(3 s))``.
    """
    fan_in, fan_out = fans
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    s = float(scale) / max(1.0, n)
    if distribution in ("truncated_normal", "normal"):
        return "truncated_normal", (0.0, math.sqrt(s) / TRUNCATED_STDDEV, -2.0, 2.0)
    if distribution == "untruncated_normal":
        return "normal", (0.0, math.sqrt(s))
    limit = math.sqrt(3.0 * s)
    return "uniform", (-limit, limit)


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

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=DEFAULT_DTYPE):
        distribution = check_variance_scaling(scale, mode, distribution, V1_DISTRIBUTIONS)
        if distribution == "normal":
            warn("`normal` is a deprecated alias for `truncated_normal`", DeprecationWarning)
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = check_seed(seed)
        self.dtype = ctor_dtype(dtype, float_only=True)

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new array of `shape` and `dtype` (default: the constructor's).

        Raises
        ------
        TypeError
            If a call-time `dtype` is not a floating point type.
        """
        dt = call_dtype(dtype, self.dtype, type(self).__name__)
        shape = check_shape(shape)
        box = partition_box(shape, partition_info)
        fans = compute_fans(box[0] if box is not None else shape)
        distribution, params = variance_scaling_params(self.scale, self.mode,
                                                       self.distribution, fans)
        return draw(shape, dt, distribution, params, self._key_stream(box), box)

    def get_config(self) -> dict:
        return {"scale": plain(self.scale), "mode": self.mode,
                "distribution": self.distribution, "seed": self.seed,
                "dtype": self.dtype.name}


class _Glorot(VarianceScaling):
    """GlorotUniform / GlorotNormal: ``VarianceScaling(1.0, "fan_avg", _distribution)``."""

    _distribution = ""

    def __init__(self, seed=None, dtype=DEFAULT_DTYPE):
        # TF's Glorot classes drop `dtype` (they never pass it to VarianceScaling): it is
        # neither checked nor used, and calls without a dtype give float32. Kept as TF has it.
        if dtype is not DEFAULT_DTYPE:
            warn_ctor_dtype()
        super().__init__(scale=1.0, mode="fan_avg", distribution=self._distribution, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed, "dtype": self.dtype.name}


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
    """

    _distribution = "uniform"


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
    """

    _distribution = "truncated_normal"


def lecun_normal(seed=None) -> VarianceScaling:
    """LeCun normal: ``VarianceScaling(1.0, "fan_in", "truncated_normal", seed)``.

    Truncated normal with standard deviation ``sqrt(1 / fan_in)``.
    """
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def lecun_uniform(seed=None) -> VarianceScaling:
    """LeCun uniform: ``VarianceScaling(1.0, "fan_in", "uniform", seed)``.

    Uniform on ``[-limit, limit)`` with ``limit = sqrt(3 / fan_in)``.
    """
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


def he_normal(seed=None) -> VarianceScaling:
    """He normal: ``VarianceScaling(2.0, "fan_in", "truncated_normal", seed)``.

    Truncated normal with standard deviation ``sqrt(2 / fan_in)``.
    """
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def he_uniform(seed=None) -> VarianceScaling:
    """He uniform: ``VarianceScaling(2.0, "fan_in", "uniform", seed)``.

    Uniform on ``[-limit, limit)`` with ``limit = sqrt(6 / fan_in)``.
    """
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


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

    Warns
    -----
    DeprecationWarning
        On construction, as TF does.

    Notes
    -----
    With ``partition_info`` the input size comes from its ``full_shape``, and the partition's
    values equal the same box of the whole tensor.
    """

    def __init__(self, factor=1.0, seed=None, dtype=DEFAULT_DTYPE):
        warn("UniformUnitScaling is deprecated and will be removed in a future version. Use "
             "variance_scaling_initializer(scale=factor**2, mode='fan_in', "
             "distribution='uniform') instead to get equivalent behavior.", DeprecationWarning)
        real(factor, "factor")
        self.factor = factor
        self.seed = check_seed(seed)
        self.dtype = ctor_dtype(dtype, float_only=True)

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new array of `shape` and `dtype` (default: the constructor's)."""
        dt = call_dtype(dtype, self.dtype, "UniformUnitScaling")
        shape = check_shape(shape)
        box = partition_box(shape, partition_info)
        dims = box[0] if box is not None else shape
        input_size = max(float(math.prod(dims[:-1])), 1.0)
        max_val = math.sqrt(3.0 / input_size) * finite(self.factor, "factor")
        return draw(shape, dt, "uniform", (-max_val, max_val), self._key_stream(box), box)

    def get_config(self) -> dict:
        return {"factor": plain(self.factor), "seed": self.seed, "dtype": self.dtype.name}


# --- identity -----------------------------------------------------------------------------

def identity_block(shape, full_shape, offset, dt: np.dtype, gain) -> np.ndarray:
    """The box `shape` at `offset` of ``gain * eye(*full_shape)`` (ones at (i, i),
    ``i < min(full_shape)``), built without the full matrix."""
    if len(full_shape) != 2:
        raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
    out = np.zeros(shape, dtype=dt)
    (r0, c0), (rows, cols) = offset, shape
    diagonal = np.arange(max(r0, c0), min(r0 + rows, c0 + cols, min(full_shape)))
    out[diagonal - r0, diagonal - c0] = gain
    return out


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

    def __init__(self, gain=1.0, dtype=DEFAULT_DTYPE):
        real(gain, "gain")
        self.gain = gain
        self.dtype = ctor_dtype(dtype, float_only=True)

    def __call__(self, shape, dtype=None, partition_info=None):
        """A new array of `shape` and `dtype` (default: the constructor's)."""
        dt = call_dtype(dtype, self.dtype, "Identity")
        shape = check_shape(shape)
        full = shape if partition_info is None else getattr(partition_info, "full_shape", None)
        if full is not None and len(full) != 2:  # TF checks the full shape first
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        box = partition_box(shape, partition_info)
        full, offset = box if box is not None else (shape, (0,) * len(shape))
        return identity_block(shape, full, offset, dt, real(self.gain, "gain"))

    def get_config(self) -> dict:
        return {"gain": plain(self.gain), "dtype": self.dtype.name}
