# SPDX-License-Identifier: BSD-3-Clause
"""The `tensor` argument of weightinit.init: a NumPy array or a CPU torch tensor.

Everything init.py does to its argument goes through here: the checks and the deterministic
writes (constants, index patterns, a computed matrix); random values go through the door
(``core.door.fill``). torch is imported only when the argument
is a torch tensor (``is_torch_tensor`` looks at ``type(x).__module__``).
"""

from __future__ import annotations

import contextlib
import math
import numbers
from typing import Any, NamedTuple

import numpy as np

from .. import _core
from .dtypes import FLOAT_NAMES
from .fills import is_torch_tensor


class Buffer(NamedTuple):
    """What init.py needs to know about its `tensor` argument."""

    shape: tuple[int, ...]
    numel: int
    is_torch: bool
    is_meta: bool  # a torch meta tensor: no storage, every function returns unchanged
    dtype_name: str
    itemsize: int


def _overlaps(shape: Any, byte_strides: Any, itemsize: int) -> bool:
    """True unless no two elements can share memory.

    Sufficient test: sorted by |stride|, each dimension's stride must clear the span of all
    smaller-stride ones. Writes through overlapping views (``expand``, ``as_strided``) would
    make the result depend on which thread writes last, so they are refused.
    """
    span = itemsize
    for stride, size in sorted((abs(s), n) for n, s in zip(shape, byte_strides) if n > 1):
        if stride < span:
            return True
        span += stride * (size - 1)
    return False


def check(tensor: Any, argname: str = "tensor") -> Buffer:
    """Check that `tensor` can be written in place and describe it.

    Raises
    ------
    TypeError
        Not a numpy.ndarray or torch.Tensor, or a sparse torch layout.
    ValueError
        A read-only array, a torch tensor not on the CPU (meta tensors pass), or a view
        whose elements overlap in memory.
    """
    if is_torch_tensor(tensor):
        import torch

        if tensor.layout != torch.strided:
            raise TypeError(f"{argname}: expected a dense (strided) tensor, got layout {tensor.layout}")
        is_meta = tensor.device.type == "meta"
        if not is_meta and tensor.device.type != "cpu":
            raise ValueError(f"{argname}: must be on the CPU, got device {tensor.device}")
        shape: tuple[int, ...] = tuple(tensor.shape)
        itemsize = tensor.element_size()
        byte_strides: Any = [s * itemsize for s in tensor.stride()]
        dtype_name = str(tensor.dtype).replace("torch.", "")
        buf = Buffer(shape, math.prod(shape), True, is_meta, dtype_name, itemsize)
    elif isinstance(tensor, np.ndarray):
        if not tensor.flags.writeable:
            raise ValueError(f"{argname}: array is read-only")
        shape = tensor.shape
        itemsize = tensor.dtype.itemsize
        byte_strides = tensor.strides
        # A byte-swapped float32 is still named "float32"; only native order is a float
        # the kernels can write.
        name = tensor.dtype.name if tensor.dtype.isnative else f"non-native {tensor.dtype.str}"
        buf = Buffer(shape, tensor.size, False, False, name, itemsize)
    else:
        raise TypeError(f"{argname}: expected a numpy.ndarray or torch.Tensor, got {type(tensor).__name__}")
    if buf.numel and not buf.is_meta and _overlaps(shape, byte_strides, itemsize):
        raise ValueError(f"{argname}: its elements overlap in memory (e.g. an expanded or "
                         "as_strided view); in-place fills need distinct elements")
    return buf


def require_float(buf: Buffer, argname: str = "tensor") -> None:
    """TypeError unless `buf` holds one of the four dtypes the random fills write."""
    if buf.dtype_name not in FLOAT_NAMES:
        raise TypeError(f"{argname}: dtype must be float16, bfloat16, float32 or float64 for a "
                        f"random fill, got {buf.dtype_name}")


def real(value: Any, argname: str, *, finite: bool = True, numbers_only: bool = True) -> float:
    """`value` as a float, converted by the bindings' rules (``_core.real``: an int beyond the
    float64 range is a ValueError, an error raised by ``__float__`` a TypeError with that error
    as its cause, each naming `argname`); finite unless `finite` is False.

    A bool is refused. With `numbers_only` (torch's rule for its float arguments), only a
    ``numbers.Real`` is taken; otherwise any object with ``__float__`` or ``__index__``.
    """
    if type(value) is float:  # the common case, converted as _core.real does: itself
        x = value
    else:
        if isinstance(value, (bool, np.bool_)) or (numbers_only
                                                    and not isinstance(value, numbers.Real)):
            raise TypeError(f"{argname}: expected a real number, got {type(value).__name__}")
        x = _core.real(value, argname)
    if math.isnan(x) or (finite and math.isinf(x)):
        raise ValueError(f"{argname}: must be {'finite' if finite else 'a number'}, got {x}")
    return x


def no_grad(tensor: Any) -> Any:
    """torch.no_grad() for a torch tensor (in-place init is not part of autograd, as in torch)."""
    if is_torch_tensor(tensor):
        import torch

        return torch.no_grad()
    return contextlib.nullcontext()


def set_all(tensor: Any, value: Any) -> Any:
    """Every element := `value`, cast to the tensor's dtype."""
    with no_grad(tensor):
        if is_torch_tensor(tensor):
            tensor.fill_(value)
        else:
            tensor[...] = value
    return tensor


def set_at(tensor: Any, index: tuple[Any, ...], value: Any) -> None:
    """``tensor[index] = value`` with `index` a tuple of integer NumPy arrays."""
    with no_grad(tensor):
        if is_torch_tensor(tensor):
            import torch

            index = tuple(torch.from_numpy(np.ascontiguousarray(i, dtype=np.int64)) for i in index)
        tensor[index] = value


def assign(tensor: Any, values: np.ndarray) -> None:
    """Copy the float64 array `values` (same shape) into `tensor`, rounding to its dtype."""
    with no_grad(tensor):
        if is_torch_tensor(tensor):
            import torch

            tensor.copy_(torch.from_numpy(values))
        else:
            tensor[...] = values
