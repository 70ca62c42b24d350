# SPDX-License-Identifier: BSD-3-Clause
"""Shared pieces of the TF1 and Keras initializers: base class, dtypes, partitions, the draw."""

from __future__ import annotations

import contextvars
import math
import numbers
import operator
import reprlib
import sys
import types
import warnings

import numpy as np

from .. import _core
from ..core import fills as _fill
from ..core.dtypes import as_dtype, is_float
from . import _seeds as _tf1_seeds

FLOAT32 = np.dtype("float32")

# Standard deviation of a standard normal truncated to [-2, 2]:
# sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)). TF's truncated normal cuts at +-2 of its
# *pre-truncation* stddev, so VarianceScaling divides by this to make the final stddev the
# one its formula asks for.
TRUNCATED_STDDEV = 0.87962566103423978

_RANDOM_UNIFORM_DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64")


def warn(message: str, category=DeprecationWarning) -> None:
    """``warnings.warn`` attributed to the first frame outside weightinit (the user's line)."""
    level, frame = 1, sys._getframe(0)
    while frame is not None and _is_ours(frame.f_globals.get("__name__", "")):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _is_ours(module: str) -> bool:
    return module == "weightinit" or module.startswith("weightinit.")


# --- dtypes -------------------------------------------------------------------------------

class _DefaultDtype:
    """The constructors' default ``dtype`` (float32), told apart from an explicit float32
    because TF 1.15 logs a deprecation notice only when the caller passes `dtype`."""

    def __repr__(self):
        return "float32"


DEFAULT_DTYPE = _DefaultDtype()


def resolve_dtype(dtype, argname: str = "dtype") -> np.dtype:
    """A NumPy dtype weightinit can write (bool, integer, floating, complex), else TypeError."""
    dt = as_dtype(dtype, argname)
    if not (dt.kind in "biufc" or is_float(dt)):
        raise TypeError(f"{argname}: unsupported dtype {dt} (weightinit writes bool, integer, "
                        "floating point and complex tensors)")
    return dt


def assert_float_dtype(dt: np.dtype) -> np.dtype:
    """TF's ``_assert_float_dtype``: `dt` if float16/bfloat16/float32/float64, else ValueError."""
    if not is_float(dt):
        raise ValueError(f"Expected floating point type, got {dt.name}.")
    return dt


def ctor_dtype(dtype, float_only: bool, deprecated: bool = True) -> np.dtype:
    """The dtype a v1 constructor stores (TF normalises it, and checks floats where it must).

    TF 1.15 logs a deprecation notice when `dtype` is passed to a v1 constructor (all but the
    convolution-orthogonal family, `deprecated=False`); it is a DeprecationWarning here.
    """
    if dtype is DEFAULT_DTYPE:
        return FLOAT32
    if deprecated:
        warn_ctor_dtype()
    dt = resolve_dtype(dtype)
    return assert_float_dtype(dt) if float_only else dt


# Set while from_config builds an instance: the dtype then comes from a config, not from a
# constructor call the user wrote, so the notice would be noise.
_from_config = contextvars.ContextVar("weightinit_tf1_from_config", default=False)


def warn_ctor_dtype() -> None:
    """TF 1.15's notice for a `dtype` passed to a v1 constructor (not from a config)."""
    if _from_config.get():
        return
    warn("Passing `dtype` to an initializer's constructor is deprecated: call the initializer "
         "instance with the dtype argument instead.")


def call_dtype(dtype, default: np.dtype, name: str, float_only: bool = True) -> np.dtype:
    """The dtype of one call: the constructor's when `dtype` is None, else `dtype` as given.

    TF does not re-run the float check on a call-time dtype; its random ops then fail with a
    TypeError while converting their float parameters, which is what float-only initializers
    raise here.
    """
    if dtype is None:
        return default
    dt = resolve_dtype(dtype)
    if float_only and not is_float(dt):
        raise TypeError(f"dtype: {name} produces floating point values (float16, bfloat16, "
                        f"float32, float64), got {dt.name}")
    return dt


def random_uniform_dtype(dt: np.dtype) -> np.dtype:
    """The dtypes TF's ``random_uniform`` accepts; others are TF's ValueError."""
    if dt.name not in _RANDOM_UNIFORM_DTYPES:
        raise ValueError(f"Invalid dtype {dt.name}: random_uniform supports "
                         f"{', '.join(_RANDOM_UNIFORM_DTYPES)}")
    return dt


# --- numbers ------------------------------------------------------------------------------

def real(value, argname: str) -> float:
    """`value` as a Python float (a real number of any kind), else TypeError naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(f"{argname}: expected a real number, got {type(value).__name__}")
    try:
        return float(value)
    except TypeError:
        raise TypeError(f"{argname}: expected a real number, got {value!r}") from None


def finite(value, argname: str) -> float:
    """:func:`real`, and finite (the fill layer needs finite parameters)."""
    x = real(value, argname)
    if not math.isfinite(x):
        raise ValueError(f"{argname}: must be finite, got {x}")
    return x


def integer_param(value, dt: np.dtype, argname: str) -> int:
    """An integer parameter of an integer-dtype op: TF refuses floats and values out of range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{argname}: Expected {dt.name}, but got {value!r} of type "
                        f"'{type(value).__name__}'.")
    value = int(value)
    info = np.iinfo(dt)
    if not info.min <= value <= info.max:
        raise ValueError(f"{argname}: {value} is out of range for {dt.name}")
    return value


def plain(value):
    """`value` with NumPy scalars and arrays turned into Python numbers and lists (for JSON)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":  # bfloat16: list through float32
            value = value.astype(np.float32)
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item() if value.dtype.kind in "biufc" else float(value)
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value


def compute_fans(shape) -> tuple:
    """TF's ``_compute_fans`` for layout ``(..., in, out)`` (the core's ``"tf"`` layout)."""
    return tuple(_core.compute_fans(list(shape), "tf"))


# --- partitions ---------------------------------------------------------------------------

class PartitionInfo:
    """Where a partition of a variable lies in the whole variable (TF's ``_PartitionInfo``).

    ``get_variable(..., partitioner=...)`` calls the initializer once per partition with the
    partition's own shape and one of these. weightinit makes the values of every random
    initializer's partition equal the same box of the unpartitioned tensor (TF instead gives
    every equally shaped partition of a seeded initializer the same values).

    Parameters
    ----------
    full_shape : list or tuple of int
        Shape of the whole variable.
    var_offset : list or tuple of int
        Index of the partition's first element in the whole variable;
        ``0 <= var_offset[i] < full_shape[i]``.

    Raises
    ------
    TypeError
        If either argument is not a list or tuple, or holds non-integers.
    ValueError
        If their lengths differ or an offset is outside ``[0, full_shape[i])``.
    """

    def __init__(self, full_shape, var_offset):
        for name, value in (("full_shape", full_shape), ("var_offset", var_offset)):
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"`{name}` must be a sequence (like tuple or list) instead of "
                                f"{type(value).__name__}")
        full_shape = _ints(full_shape, "full_shape")
        var_offset = _ints(var_offset, "var_offset")
        if len(full_shape) != len(var_offset):
            raise ValueError(f"Expected equal length, but `var_offset` is of length "
                             f"{len(var_offset)} while full_shape is of length {len(full_shape)}.")
        for offset, size in zip(var_offset, full_shape):
            if not 0 <= offset < size:
                raise ValueError(f"Expected 0 <= offset < shape but found offset={offset}, "
                                 f"shape={size} for var_offset={list(var_offset)}, "
                                 f"full_shape={list(full_shape)}")
        self._full_shape = full_shape
        self._var_offset = var_offset

    @property
    def full_shape(self) -> tuple:
        return self._full_shape

    @property
    def var_offset(self) -> tuple:
        return self._var_offset

    def __repr__(self):
        return (f"PartitionInfo(full_shape={list(self._full_shape)}, "
                f"var_offset={list(self._var_offset)})")

    def single_slice_dim(self, shape):
        """The one dimension in which a partition of `shape` is split, or None if none.

        Raises
        ------
        TypeError
            If `shape` is not a list or tuple.
        ValueError
            If its rank differs from ``full_shape``'s, the partition runs past the full shape,
            or it is split in more than one dimension.
        """
        if not isinstance(shape, (list, tuple)):
            raise TypeError(f"`shape` must be a sequence (like tuple or list) instead of "
                            f"{type(shape).__name__}")
        shape = _ints(shape, "shape")
        _check_box(shape, self._full_shape, self._var_offset)
        split = [i for i, (s, f) in enumerate(zip(shape, self._full_shape)) if s != f]
        if len(split) > 1:
            raise ValueError(f"Cannot use single_slice_dim() with shape={list(shape)} and "
                             f"full_shape={list(self._full_shape)} since the slice dim could be "
                             f"any of dimensions {split}.")
        return split[0] if split else None

    def single_offset(self, shape) -> int:
        """The offset along :meth:`single_slice_dim` (0 if the partition is not split)."""
        dim = self.single_slice_dim(shape)
        return 0 if dim is None else self._var_offset[dim]


def _ints(values, argname: str) -> tuple:
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{argname}: expected integers, got {list(values)!r}") from None


def _check_box(shape, full_shape, var_offset):
    if len(shape) != len(full_shape):
        raise ValueError(f"partition_info: a partition of shape {list(shape)} (rank {len(shape)}) "
                         f"cannot lie in full_shape {list(full_shape)} (rank {len(full_shape)})")
    for dim, (size, offset, full) in enumerate(zip(shape, var_offset, full_shape)):
        if offset + size > full:
            raise ValueError(f"partition_info: with var_offset={list(var_offset)}, a partition of "
                             f"shape {list(shape)} would exceed full_shape={list(full_shape)} in "
                             f"dimension {dim}")


def partition_box(shape: tuple, partition_info):
    """``(full_shape, var_offset)`` of a call, checked against `shape`; None if unpartitioned.

    Any object with ``full_shape`` and ``var_offset`` attributes is accepted (TF's own
    ``_PartitionInfo`` included).
    """
    if partition_info is None:
        return None
    try:
        full, offset = partition_info.full_shape, partition_info.var_offset
    except AttributeError:
        raise TypeError("partition_info: expected a PartitionInfo (with full_shape and "
                        f"var_offset), got {type(partition_info).__name__}") from None
    full = _fill.check_shape(full, "partition_info.full_shape")
    offset = _ints(offset, "partition_info.var_offset")
    if len(offset) != len(full) or any(o < 0 for o in offset):
        raise ValueError(f"partition_info: var_offset {list(offset)} does not fit full_shape "
                         f"{list(full)}")
    _check_box(shape, full, offset)
    return full, offset


def is_split(shape: tuple, box) -> bool:
    """True when `box` makes `shape` a proper part of a larger tensor."""
    return box is not None and (tuple(shape) != box[0] or any(box[1]))


# --- the draw -----------------------------------------------------------------------------

def draw(shape, dt: np.dtype, distribution: str, params, key_stream, box=None) -> np.ndarray:
    """One random tensor from the fill layer: the single road of every float draw.

    `distribution` and `params` name a :class:`weightinit.Law`; its degenerate forms
    (``low >= high``, ``stddev <= 0``) take the value of TF's formula (see ``laws.hpp``).
    `key_stream` is (Philox key, stream id); `box` is ``(full_shape, var_offset)`` or None:
    only the box's own elements are generated, equal to that box of the full tensor.
    """
    out = np.empty(shape, dtype=dt)
    key, stream = key_stream
    full, offset = box if box is not None else (None, None)
    law = getattr(_core.Law, distribution)(*params)  # TF's degenerate forms included
    _core.fill(out, law, key, stream, 0, full, offset)
    return out


def draw_int(shape, dt: np.dtype, minval: int, maxval: int, key_stream, box=None) -> np.ndarray:
    """Integers ``minval + (w mod (maxval - minval))`` (TF's rule) from the stream's raw words.

    int32 takes the 32-bit word its element reads, int64 the 64-bit pair (the fill layer's
    ``"bits"``); the sum wraps in unsigned arithmetic, which in two's complement is the exact
    result because it lies in ``[minval, maxval)``.
    """
    word = np.dtype(np.uint32) if dt.itemsize == 4 else np.dtype(np.uint64)
    bits = np.empty(shape, dtype=word)
    key, stream = key_stream
    full, offset = box if box is not None else (None, None)
    _core.fill(bits, _core.Law.bits(), key, stream, 0, full, offset)
    np.remainder(bits, word.type(maxval - minval), out=bits)
    np.add(bits, word.type(minval % (1 << (8 * word.itemsize))), out=bits)
    return bits.view(dt)


# --- the base class -----------------------------------------------------------------------

class Initializer:
    """Base class of the TF1 initializers (``tf.compat.v1.keras.initializers.Initializer``).

    An initializer is a callable ``(shape, dtype=None, partition_info=None)`` returning a new
    NumPy array. Its configuration round-trips through :meth:`get_config` and
    :meth:`from_config`, and the config is JSON-serializable.
    """

    def __call__(self, shape, dtype=None, partition_info=None):
        """Return a tensor of `shape`; abstract here.

        Raises
        ------
        NotImplementedError
            Always, in the base class.
        """
        raise NotImplementedError

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this initializer (``{}`` here)."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """``cls(**config)``: the inverse of :meth:`get_config` (without the constructor's
        dtype deprecation notice, which is for hand-written calls)."""
        token = _from_config.set(True)
        try:
            return cls(**config)
        finally:
            _from_config.reset(token)

    def __repr__(self):
        args = ", ".join(f"{k}={reprlib.repr(v)}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def _key_stream(self, box):
        """(key, stream) for one call with op seed ``self.seed``, via TF's ``get_seed``.

        Every unpartitioned call is a new TF op, so an unseeded instance draws a new automatic
        op seed (or fresh OS seeds) each time. The partitions of one variable share one: a
        partition at offset zero (the first one TF creates) draws it, and later partitions of
        the same full shape reuse it, so together they form one tensor.
        """
        if box is None:
            return _tf1_seeds.key_stream(self.seed)
        cached = getattr(self, "_partition_key_stream", None)
        if cached is None or cached[0] != box[0] or not any(box[1]):
            cached = (box[0], _tf1_seeds.key_stream(self.seed))
            self._partition_key_stream = cached
        return cached[1]


def namespace(name: str, doc: str, attrs: dict) -> types.ModuleType:
    """A module object standing in for a TF module path such as ``tf.compat.v1.initializers``."""
    module = types.ModuleType(name, doc)
    module.__dict__.update(attrs)
    return module
