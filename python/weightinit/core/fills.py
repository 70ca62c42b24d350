# SPDX-License-Identifier: BSD-3-Clause
"""The fill layer: every initializer, TF1 class or torch function, ends in ``_core.fill``.

A call names the law (weightinit._core.Law, from the law table ``_core.laws``), the stream
(seed, stream id, offset in counter blocks), the global shape and the box of it to write, and
the caller's buffer. Fans, gains and scales are computed in the law table; chunking, threads
and targets below the door.
"""

from __future__ import annotations

from typing import Any

import sys

import numpy as np

from .. import _core
from .dtypes import as_dtype, is_float

def check_seed(seed: Any, argname: str = "seed") -> int:
    """An integer in [0, 2**64), else TypeError / ValueError naming `argname` (the bindings'
    conversion of every seed, stream id and offset)."""
    return _core.check_seed(seed, argname)


def check_shape(shape: Any, argname: str = "shape") -> tuple[int, ...]:
    """An int or a sequence of ints as a shape tuple: non-negative dimensions and fewer than
    2**63 elements, else TypeError / ValueError naming `argname` (the bindings' conversion)."""
    return _core.check_shape(shape, argname)


def fill(out: Any, distribution: str, params: Any, *, seed: Any, stream: int = 0, offset: int = 0,
         global_shape: Any = None, start: Any = None) -> Any:
    """Fill `out` in place with its box of a tensor drawn from the stream; return `out`.

    Parameters
    ----------
    out : numpy.ndarray or torch.Tensor
        Writable, float16 / bfloat16 / float32 / float64, any strides (a CPU torch tensor).
    distribution : {"uniform", "normal", "truncated_normal", "truncated_normal_between", "constant", "bits"}
        With `params` ``(low, high)``, ``(mean, stddev)``, ``(mean, stddev, a, b)``
        (`a`, `b` in standard deviations), ``(mean, stddev, low, high)`` (absolute bounds,
        every value in [low, high]), ``(value,)`` or ``()``: "bits" writes the raw stream
        words to a uint32 array (the word a float32 element reads) or uint64 array (a
        float64's two). Degenerate parameters get the value of the formula (see
        :class:`weightinit.Law`).
    seed, stream, offset : int
        Philox key, stream id and block offset, each in [0, 2**64).
    global_shape, start : sequence of int, optional
        The whole tensor's shape and where `out` starts in it; default: `out` is the whole.
    """
    _core.fill(out, _core.Law.of(distribution, params), check_seed(seed), stream=stream,
               offset=offset, box=(global_shape, start), strict=True)
    return out


def new(shape: Any, dtype: Any, distribution: str, params: Any, *, seed: Any, stream: int = 0,
        offset: int = 0, global_shape: Any = None, start: Any = None) -> np.ndarray:
    """A new array of `shape` and `dtype`, filled by :func:`fill`."""
    dt = as_dtype(dtype)
    if not is_float(dt):
        raise TypeError(f"dtype: must be float16, bfloat16, float32 or float64, got {dt}")
    out = np.empty(check_shape(shape), dtype=dt)
    filled: np.ndarray = fill(out, distribution, params, seed=seed, stream=stream,
                              offset=offset, global_shape=global_shape, start=start)
    return filled


def is_torch_tensor(x: Any) -> bool:
    """True for a torch.Tensor (torch is never imported here: without it, nothing is one)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def is_dtensor(x: Any) -> bool:
    """True for a ``torch.distributed.tensor.DTensor`` (none exists before that module is
    loaded, so nothing is imported here)."""
    module = sys.modules.get("torch.distributed.tensor")
    dtensor = getattr(module, "DTensor", None)
    return dtensor is not None and isinstance(x, dtensor)
