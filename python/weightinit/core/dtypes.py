# SPDX-License-Identifier: BSD-3-Clause
"""Output dtypes: NumPy dtypes, their names, and objects with a ``.name`` (``tf.float32``)."""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64")


def bfloat16_dtype() -> np.dtype:
    """NumPy's bfloat16 from ``ml_dtypes``; a clear error when the extra is missing."""
    try:
        import ml_dtypes
    except ImportError:  # pragma: no cover - depends on the environment
        raise TypeError(
            "dtype: bfloat16 needs the ml_dtypes package: pip install 'weightinit[bfloat16]'"
        ) from None
    dt: np.dtype = np.dtype(ml_dtypes.bfloat16)
    return dt


def as_dtype(dtype: Any, argname: str = "dtype") -> np.dtype:
    """Resolve `dtype` (a NumPy dtype or type, a name, or an object with ``.name``)."""
    if dtype is None:
        raise TypeError(f"{argname}: expected a dtype, got None")
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if isinstance(name, str):
        if name == "bfloat16":
            return bfloat16_dtype()
        if name in ("float", "double", "half"):
            name = {"float": "float32", "double": "float64", "half": "float16"}[name]
        try:
            return np.dtype(name)
        except TypeError:
            raise TypeError(f"{argname}: unknown dtype {dtype!r}") from None
    try:
        dt: np.dtype = np.dtype(dtype)
        return dt
    except TypeError:
        raise TypeError(f"{argname}: unknown dtype {dtype!r}") from None


def is_float(dt: np.dtype) -> bool:
    """True for the four output dtypes the fills write."""
    return dt.name in FLOAT_NAMES
