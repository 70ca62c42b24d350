# SPDX-License-Identifier: BSD-3-Clause
"""TensorFlow's conventions shared by the TF1 and Keras surfaces (weightinit.tf1,
weightinit.keras) over the C++ classes.

The rules (seeds, partitions, dtype rules, scales, layouts, draws) are C++'s
(``weightinit._core.tf1``, ``weightinit._core.laws``). Here: NumPy dtypes and their element
types, TF's checks whose messages quote a Python value, warnings attributed to the user's
line, values made JSON-serializable, and the Keras (de)serialization helpers. What only the
TF1 classes do (their constructors' dtype default and notice) stays in weightinit.tf1.
"""

from __future__ import annotations

import numbers
import operator
import sys
import types
import warnings
from typing import Any, Callable, Iterator

import numpy as np

from . import door
from .dtypes import as_dtype, is_float

FLOAT32 = np.dtype("float32")
_ET = door.tf1.ElementType
# NumPy's dtype -> the C++ element type; bfloat16 joins on first use (it needs ml_dtypes).
_ELEMENT_TYPES: dict[np.dtype, Any] = {
    np.dtype(name): et for name, et in _ET.__members__.items()  # type: ignore[attr-defined]
    if name != "bfloat16"}
INTEGER_TYPES = (_ET.int32, _ET.int64)
RANDOM_UNIFORM_DTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64")


def warn(message: str, category: type[Warning] = DeprecationWarning) -> None:
    """``warnings.warn`` attributed to the first frame outside weightinit (the user's line)."""
    level = 1
    frame: types.FrameType | None = sys._getframe(0)
    while frame is not None and _is_ours(frame.f_globals.get("__name__", "")):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _is_ours(module: str) -> bool:
    return module == "weightinit" or module.startswith("weightinit.")


# --- dtypes -------------------------------------------------------------------------------

def resolve_dtype(dtype: Any, argname: str = "dtype") -> np.dtype:
    """A NumPy dtype weightinit can write (bool, integer, floating, complex), else TypeError."""
    dt = as_dtype(dtype, argname)
    if not (dt.kind in "biufc" or is_float(dt)):
        raise TypeError(f"{argname}: unsupported dtype {dt} (weightinit writes bool, integer, "
                        "floating point and complex tensors)")
    return dt


def element_type(dt: np.dtype) -> Any:
    """The C++ element type of NumPy dtype `dt`, or None for a dtype the C++ classes do not
    write (any but float16, bfloat16, float32, float64, int32 and int64, in native order)."""
    et = _ELEMENT_TYPES.get(dt)
    if et is None and dt.name == "bfloat16" and dt.isnative:
        et = _ELEMENT_TYPES[dt] = _ET.bfloat16
    return et


def float_type(dt: np.dtype) -> Any:
    """The element type of `dt` if it is float16, bfloat16, float32 or float64, else None."""
    et = element_type(dt)
    return None if et in INTEGER_TYPES else et


def random_uniform_type(dt: np.dtype) -> Any:
    """The element type of a ``random_uniform`` dtype; TF's ValueError for the others."""
    et = element_type(dt)
    if et is None:
        raise ValueError(f"Invalid dtype {dt.name}: random_uniform supports "
                         f"{', '.join(RANDOM_UNIFORM_DTYPES)}")
    return et


def non_integer_bound(minval: Any, maxval: Any) -> tuple[str, Any] | None:
    """``(name, value)`` of the first bound TF's integer ``random_uniform`` refuses as not an
    integer (None if both are integers, or `maxval` is None: then the C++ class's
    "Must specify maxval" comes first)."""
    if maxval is None:
        return None
    for name, value in (("minval", minval), ("maxval", maxval)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            return name, value
    return None


def integer_bound_error(bound: tuple[str, Any], et: Any) -> TypeError:
    """TF's TypeError for a non-integer bound of an integer ``random_uniform``."""
    name, value = bound
    return TypeError(f"{name}: Expected {et.name}, but got {value!r} of type "
                     f"'{type(value).__name__}'.")


# --- values -------------------------------------------------------------------------------

def plain(value: Any) -> Any:
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


def check_seed(seed: Any, argname: str = "seed") -> int | None:
    """``None`` or a Python int (any sign), else TypeError."""
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"{argname}: expected an integer or None, got bool")
    try:
        return operator.index(seed)
    except TypeError:
        raise TypeError(
            f"{argname}: expected an integer or None, got {type(seed).__name__}") from None


def check_constant_value(value: Any) -> None:
    """TF's TypeError for a Constant value that is not a scalar, list, tuple or array."""
    if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
        raise TypeError(f"Invalid type for initial value: {type(value)} (expected Python "
                        "scalar, list or tuple of values, or numpy.ndarray).")


def _kind_accepts(dt: np.dtype, v: Any) -> bool:
    """Whether a Python element `v` may become an element of dtype `dt` (TF's checks)."""
    if dt.kind == "b":
        return isinstance(v, (bool, np.bool_))
    if dt.kind in "iu":
        return isinstance(v, (numbers.Integral, np.integer, np.bool_))
    if dt.kind == "c":
        return isinstance(v, (numbers.Number, np.number, np.bool_))
    return isinstance(v, (numbers.Real, np.integer, np.floating, np.bool_))


def _elements(value: Any) -> Iterator[Any]:
    """Leaves of a nested list/tuple, in row-major order."""
    if isinstance(value, (list, tuple, np.ndarray)):
        for v in value:
            yield from _elements(v)
    else:
        yield value


def constant_array(value: Any, dt: np.dtype) -> np.ndarray:
    """A Constant's `value` as an array of `dt`, with TF's conversion rules.

    NumPy arrays and scalars are cast without checks (1.7 -> 1 for int32); Python scalars and
    lists are checked element by element against the dtype's kind (TF's TypeError
    "Expected int32, but got 0.5 of type 'float'."), integers against its range (ValueError),
    and a ragged nesting is a ValueError.
    """
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


# --- namespaces and (de)serialization -----------------------------------------------------

def namespace(name: str, doc: str, attrs: dict[str, Any]) -> types.ModuleType:
    """A module object standing in for a TF module path such as ``tf.compat.v1.initializers``."""
    module = types.ModuleType(name, doc)
    module.__dict__.update(attrs)
    return module


def deserialize_from(table: dict[str, Any], config: Any) -> Any:
    """The object `config` (``{"class_name": ..., "config": {...}}``) names in `table`.

    Classes are rebuilt with ``from_config``; functions (``he_normal``...) are called with the
    config as keyword arguments. Names are case-sensitive.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret serialized initializer: {config!r}")
    name = config["class_name"]
    obj: Any = table.get(name) if isinstance(name, str) else None
    if obj is None:
        raise ValueError(f"Unknown initializer: {name!r}. Known names: {sorted(table)}")
    arguments = dict(config.get("config") or {})
    if isinstance(obj, type):
        return getattr(obj, "from_config")(arguments)
    return obj(**arguments)


def get_from(identifier: Any, deserialize: Callable[[Any], Any],
             instantiate_classes: bool) -> Any:
    """Keras's ``get``: None, a config dict, a name, or a callable (a class is instantiated
    only with `instantiate_classes`, as TF2 does and TF 1.15 does not)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if instantiate_classes and isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
