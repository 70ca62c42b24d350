# SPDX-License-Identifier: BSD-3-Clause
"""What only the TF1 classes add to the shared TF conventions (:mod:`weightinit.core.tfconv`):
the v1 constructors' default ``dtype`` and TF 1.15's notice when one is passed,
``from_config`` without that notice, and the float-only constructors' dtype error.

The shared conventions are re-exported here for the TF1 modules.
"""

from __future__ import annotations

import contextvars
from typing import Any

import numpy as np

# The shared conventions the TF1 modules read from here.
from ..core.tfconv import (FLOAT32, INTEGER_TYPES, check_constant_value, constant_array,
                           deserialize_from, element_type, get_from, integer_bound_error,
                           namespace, non_integer_bound, plain, random_uniform_type,
                           resolve_dtype, warn)

__all__ = ["DEFAULT_DTYPE", "ctor_dtype", "float_element_type", "from_config",
           "warn_ctor_dtype",
           "FLOAT32", "INTEGER_TYPES", "check_constant_value", "constant_array",
           "deserialize_from", "element_type", "get_from", "integer_bound_error", "namespace",
           "non_integer_bound", "plain", "random_uniform_type", "resolve_dtype", "warn"]


class _DefaultDtype:
    """The constructors' default ``dtype`` (float32), told apart from an explicit float32
    because TF 1.15 logs a deprecation notice only when the caller passes `dtype`."""

    def __repr__(self) -> str:
        return "float32"


DEFAULT_DTYPE = _DefaultDtype()


def float_element_type(dt: np.dtype) -> Any:
    """The element type of `dt` for a float-only constructor; TF's ValueError for a dtype no
    C++ class writes (the C++ constructors refuse int32 and int64 themselves)."""
    et = element_type(dt)
    if et is None:
        raise ValueError(f"Expected floating point type, got {dt.name}.")
    return et


# Set while from_config builds an instance: the dtype then comes from a config, not from a
# constructor call the user wrote, so the notice would be noise.
_from_config = contextvars.ContextVar("weightinit_tf1_from_config", default=False)


def ctor_dtype(dtype: Any, deprecated: bool = True) -> np.dtype:
    """The NumPy dtype a v1 constructor stores (float32 by default).

    TF 1.15 logs a deprecation notice when `dtype` is passed to a v1 constructor (all but the
    convolution-orthogonal family, `deprecated=False`); it is a DeprecationWarning here.
    """
    if dtype is DEFAULT_DTYPE:
        return FLOAT32
    if deprecated:
        warn_ctor_dtype()
    return resolve_dtype(dtype)


def warn_ctor_dtype() -> None:
    """TF 1.15's notice for a `dtype` passed to a v1 constructor (not from a config)."""
    if _from_config.get():
        return
    warn("Passing `dtype` to an initializer's constructor is deprecated: call the initializer "
         "instance with the dtype argument instead.")


def from_config(cls: Any, config: dict[str, Any]) -> Any:
    """``cls(**config)`` without the constructor's dtype notice (for hand-written calls)."""
    token = _from_config.set(True)
    try:
        return cls(**config)
    finally:
        _from_config.reset(token)
