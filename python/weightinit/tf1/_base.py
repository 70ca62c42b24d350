# SPDX-License-Identifier: BSD-3-Clause
"""The base class of the TF1 initializers (a shell over a C++ class) and PartitionInfo."""

from __future__ import annotations

import operator
import reprlib
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..core import door
from . import surface


class Initializer:
    """Base class of the TF1 initializers (``tf.compat.v1.keras.initializers.Initializer``).

    An initializer is a callable ``(shape, dtype=None, partition_info=None)`` returning a new
    NumPy array. Its configuration round-trips through :meth:`get_config` and
    :meth:`from_config`, and the config is JSON-serializable.

    The classes of weightinit.tf1 hold their arguments as attributes and a C++ instance built
    from them (``weightinit._core.tf1``), which decides every value; changing an attribute
    rebuilds it at the next call.
    """

    _cpp: Any = None  # the C++ class; None: abstract
    _impl: Any = None  # the C++ instance of the current attributes (None: build at the next call)
    # The constructor's arguments but dtype, kept as attributes: the config (with the dtype's
    # name), and, with the dtype's element type, the C++ constructor's arguments.
    _config: tuple[str, ...] = ()
    dtype: np.dtype

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name[0] != "_":
            object.__setattr__(self, "_impl", None)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_impl", None)  # rebuilt from the attributes after unpickling
        return state

    def __call__(self, shape: Sequence[int], dtype: Any = None,
                 partition_info: Any = None) -> np.ndarray:
        """A new array of `shape` and `dtype` (default: the constructor's).

        Raises
        ------
        NotImplementedError
            In the base class.
        TypeError, ValueError
            For arguments the initializer refuses (see the class).
        """
        impl = self._impl or self._build()
        out: np.ndarray = impl(shape, None if dtype is None else self._call_type(dtype),
                               partition_info)
        return out

    def _build(self) -> Any:
        """The C++ instance of the current attributes (its constructor checks them)."""
        if self._cpp is None:
            raise NotImplementedError
        impl = self._cpp(*self._args())
        stream = self.__dict__.get("stream")
        if stream is not None:
            impl.stream = stream  # the C++ class decides what the stream changes
        object.__setattr__(self, "_impl", impl)
        return impl

    def _args(self) -> tuple[Any, ...]:
        """The C++ constructor's arguments."""
        return tuple(getattr(self, k) for k in self._config) + (self._element_type(self.dtype),)

    @staticmethod
    def _element_type(dt: np.dtype) -> Any:
        """The element type of the constructor's dtype (float-only classes: TF's check)."""
        return surface.float_element_type(dt)

    def _call_type(self, dtype: Any) -> Any:
        """The element type of a call's dtype. TF does not re-run the float check on a
        call-time dtype; its random ops then fail with a TypeError (the C++ class's, here
        for a dtype it does not write at all)."""
        dt = surface.resolve_dtype(dtype)
        et = surface.element_type(dt)
        if et is None:
            raise TypeError(f"dtype: {type(self).__name__} produces floating point values "
                            f"(float16, bfloat16, float32, float64), got {dt.name}")
        return et

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this initializer (``{}`` here)."""
        config = {k: surface.plain(getattr(self, k)) for k in self._config}
        if "dtype" in self.__dict__:
            config["dtype"] = self.dtype.name
        stream = self.__dict__.get("stream")
        if stream is not None:
            config["stream"] = stream
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """``cls(**config)``: the inverse of :meth:`get_config` (without the constructor's
        dtype deprecation notice, which is for hand-written calls)."""
        return surface.from_config(cls, config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={reprlib.repr(v)}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


from ..core.door import PartitionInfoBase as _PartitionInfoBase


class PartitionInfo(_PartitionInfoBase):
    """Where a partition of a variable lies in the whole variable (TF's ``_PartitionInfo``).

    ``get_variable(..., partitioner=...)`` calls the initializer once per partition with the
    partition's own shape and one of these. weightinit makes the values of every random
    initializer's partition equal the same box of the unpartitioned tensor (TF instead gives
    every equally shaped partition of a seeded initializer the same values). Any object with
    ``full_shape`` and ``var_offset`` attributes works as ``partition_info`` too (TF's own
    ``_PartitionInfo`` included).

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

    def __init__(self, full_shape: Sequence[int], var_offset: Sequence[int]) -> None:
        for name, value in (("full_shape", full_shape), ("var_offset", var_offset)):
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"`{name}` must be a sequence (like tuple or list) instead of "
                                f"{type(value).__name__}")
        super().__init__(_ints(full_shape, "full_shape"), _ints(var_offset, "var_offset"))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (list(self.full_shape), list(self.var_offset)))

    def __repr__(self) -> str:
        return (f"PartitionInfo(full_shape={list(self.full_shape)}, "
                f"var_offset={list(self.var_offset)})")

    def single_slice_dim(self, shape: Sequence[int]) -> int | None:
        """The one dimension in which a partition of `shape` is split, or None if none.

        Raises
        ------
        TypeError
            If `shape` is not a list or tuple.
        ValueError
            If its rank differs from ``full_shape``'s, the partition runs past the full shape,
            or it is split in more than one dimension.
        """
        return super().single_slice_dim(_shape(shape))

    def single_offset(self, shape: Sequence[int]) -> int:
        """The offset along :meth:`single_slice_dim` (0 if the partition is not split)."""
        return super().single_offset(_shape(shape))


def _shape(shape: Any) -> tuple[int, ...]:
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"`shape` must be a sequence (like tuple or list) instead of "
                        f"{type(shape).__name__}")
    return _ints(shape, "shape")


def _ints(values: Any, argname: str) -> tuple[int, ...]:
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{argname}: expected integers, got {list(values)!r}") from None
