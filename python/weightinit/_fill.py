# SPDX-License-Identifier: BSD-3-Clause
"""The one fill layer: every initializer, TF1 class or torch function, ends here.

A call names the distribution and its parameters, the stream (seed, stream id, offset in
counter blocks), the global shape and the box of it to write, and the caller's buffer.
Fans, gains and scales are computed above; chunking, threads and targets below.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from . import _core
from ._dtypes import as_dtype, is_float

_U64 = 1 << 64

DISTRIBUTIONS = ("uniform", "normal", "truncated_normal", "truncated_normal_between", "bits")


def check_seed(seed, argname: str = "seed") -> int:
    """An integer in [0, 2**64), else TypeError / ValueError naming `argname`."""
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"{argname}: expected an integer, got bool")
    try:
        value = operator.index(seed)
    except TypeError:
        raise TypeError(f"{argname}: expected an integer, got {type(seed).__name__}") from None
    if not 0 <= value < _U64:
        raise ValueError(f"{argname}: must be an integer in [0, 2**64), got {value}")
    return value


def check_shape(shape, argname: str = "shape") -> tuple:
    """A tuple of non-negative ints whose product fits in 2**63."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"{argname}: expected a sequence of integers, got {shape!r}") from None
    out = []
    for d in dims:
        if isinstance(d, (bool, np.bool_)):
            raise TypeError(f"{argname}: dimensions must be integers, got {d!r}")
        try:
            d = operator.index(d)
        except TypeError:
            raise TypeError(f"{argname}: dimensions must be integers, got {d!r}") from None
        if d < 0:
            raise ValueError(f"{argname}: dimensions must be non-negative, got {tuple(dims)}")
        out.append(d)
    if math.prod(out) >= 1 << 63:
        raise ValueError(f"{argname}: {tuple(out)} has more than 2**63 elements")
    return tuple(out)


def _torch_view(t):
    """(address, dtype name, shape, byte strides) of a CPU torch tensor, checked."""
    if t.device.type != "cpu":
        raise ValueError(f"tensor: must be on the CPU, got device {t.device}")
    names = {"torch.float32": "float32", "torch.float64": "float64",
             "torch.float16": "float16", "torch.bfloat16": "bfloat16"}
    name = names.get(str(t.dtype))
    if name is None:
        raise TypeError(f"tensor: dtype must be float16, bfloat16, float32 or float64, got {t.dtype}")
    if t.requires_grad and t.is_leaf and __import__("torch").is_grad_enabled():
        raise ValueError("tensor: a leaf tensor that requires grad cannot be filled in place "
                         "outside torch.no_grad()")
    size = t.element_size()
    return t.data_ptr(), name, tuple(t.shape), tuple(s * size for s in t.stride())


def is_torch_tensor(x) -> bool:
    mod = type(x).__module__
    return mod.startswith("torch") and hasattr(x, "data_ptr") and hasattr(x, "stride")


def fill(out, distribution: str, params, *, seed, stream: int = 0, offset: int = 0,
         global_shape=None, start=None):
    """Fill `out` in place with its box of a tensor drawn from stream v1; return `out`.

    Parameters
    ----------
    out : numpy.ndarray or torch.Tensor
        Writable, float16 / bfloat16 / float32 / float64, any strides.
    distribution : {"uniform", "normal", "truncated_normal", "truncated_normal_between", "bits"}
        With `params` ``(low, high)``, ``(mean, stddev)``, ``(mean, stddev, a, b)``
        (`a`, `b` in standard deviations), ``(mean, stddev, low, high)`` (absolute bounds,
        every value in [low, high]) or ``()``: "bits" writes the raw stream words to a
        uint32 array (the word a float32 element reads) or uint64 array (a float64's two).
    seed, stream, offset : int
        Philox key, stream id and block offset, each in [0, 2**64).
    global_shape, start : sequence of int, optional
        The whole tensor's shape and where `out` starts in it; default: `out` is the whole.
    """
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution: expected one of {DISTRIBUTIONS}, got {distribution!r}")
    seed = check_seed(seed)
    stream = check_seed(stream, "stream")
    offset = check_seed(offset, "offset")
    params = tuple(float(p) for p in params)
    if is_torch_tensor(out):
        address, dtype_name, shape, strides = _torch_view(out)
    elif isinstance(out, np.ndarray):
        if not out.flags.writeable:
            raise ValueError("out: array is read-only")
        if not (is_float(out.dtype) or (distribution == "bits" and out.dtype in (np.uint32, np.uint64))):
            raise TypeError(f"out: dtype must be float16, bfloat16, float32 or float64, got {out.dtype}")
        shape = out.shape
    else:
        raise TypeError(f"out: expected a numpy.ndarray or torch.Tensor, got {type(out).__name__}")
    gshape = shape if global_shape is None else check_shape(global_shape, "global_shape")
    gstart = (0,) * len(shape) if start is None else tuple(start)
    if len(gshape) != len(shape) or len(gstart) != len(shape):
        raise ValueError(f"global_shape, start: need rank {len(shape)} like out")
    if math.prod(shape) == 0:
        return out
    if isinstance(out, np.ndarray):
        _core.fill_box(out, distribution, params, seed, stream, offset, gshape, gstart)
    else:
        _core.fill_address(address, dtype_name, shape, strides, distribution, params, seed,
                           stream, offset, gshape, gstart)
    return out


def new(shape, dtype, distribution: str, params, *, seed, stream: int = 0, offset: int = 0,
        global_shape=None, start=None) -> np.ndarray:
    """A new array of `shape` and `dtype`, filled by :func:`fill`."""
    dt = as_dtype(dtype)
    if not is_float(dt):
        raise TypeError(f"dtype: must be float16, bfloat16, float32 or float64, got {dt}")
    out = np.empty(check_shape(shape), dtype=dt)
    return fill(out, distribution, params, seed=seed, stream=stream, offset=offset,
                global_shape=global_shape, start=start)
