# SPDX-License-Identifier: BSD-3-Clause
"""The torch.nn.init surface of the law table: torch's arguments -> a :class:`weightinit.Law`.

Each function takes the global shape and the torch function's arguments, checks their types
as torch does, and asks the C++ law table (``weightinit._core.laws``) for the law, adding the
checks torch's tensor methods make (:func:`torch_checked`). The in-place functions of
:mod:`weightinit.init` and the box fills of :mod:`weightinit.shard` both use them, so a box
of a tensor gets its fans from the whole tensor's shape.
"""

from __future__ import annotations

from typing import Any

import math
import numbers
import operator

import numpy as np

from ..core import Law, door, laws
from ..core.buffers import no_grad, real, set_at
from ..core.fills import is_torch_tensor

def slope(nonlinearity: str, param: Any) -> Any:
    """The leaky_relu slope torch accepts (an int but not a bool, or a float), else None."""
    if nonlinearity != "leaky_relu" or param is None:
        return None
    if (isinstance(param, int) and not isinstance(param, bool)) or isinstance(param, float):
        return param
    raise ValueError(f"negative_slope {param} not a valid number")


def check_mode(mode: Any) -> str:
    if not isinstance(mode, str):
        raise TypeError(f"mode: expected a str, got {type(mode).__name__}")
    return mode


def torch_checked(law: Law) -> Law:
    """`law`, after the checks of torch's ``uniform_`` / ``normal_`` (RuntimeError)."""
    if law.kind == "uniform":
        _check_range(*law.params)
    elif law.kind == "normal":
        _check_std(law.params[1])
    return law


def _check_range(a: float, b: float) -> None:
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a:g} > to={b:g}")


def _check_std(std: float) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def uniform(shape: Any, a: Any = 0.0, b: Any = 1.0) -> Law:
    """The law of :func:`uniform_`: ``Law.uniform(a, b)``."""
    low, high = real(a, "a"), real(b, "b")
    _check_range(low, high)  # on the numbers: cheaper per call than torch_checked's Law
    return Law.uniform(low, high)


def normal(shape: Any, mean: Any = 0.0, std: Any = 1.0) -> Law:
    """The law of :func:`normal_`: ``Law.normal(mean, std)``."""
    m, s = real(mean, "mean"), real(std, "std")
    _check_std(s)  # on the numbers: cheaper per call than torch_checked's Law
    return Law.normal(m, s)


def trunc_normal(shape: Any, mean: Any = 0.0, std: Any = 1.0, a: Any = -2.0, b: Any = 2.0) -> Law:
    """The law of :func:`trunc_normal_`, absolute bounds; ``a == b`` is a point mass at `a`."""
    return laws.trunc_normal(real(mean, "mean"), real(std, "std"), real(a, "a", finite=False),
                             real(b, "b", finite=False))


def xavier_uniform(shape: Any, gain: Any = 1.0) -> Law:
    """The law of :func:`xavier_uniform_` for a tensor of `shape`."""
    return torch_checked(laws.xavier_uniform(list(shape), real(gain, "gain")))


def xavier_normal(shape: Any, gain: Any = 1.0) -> Law:
    """The law of :func:`xavier_normal_` for a tensor of `shape`."""
    return torch_checked(laws.xavier_normal(list(shape), real(gain, "gain")))


def kaiming_args(a: Any, mode: Any, nonlinearity: Any) -> tuple[Any, ...]:
    """The arguments of the kaiming laws, type-checked as torch does."""
    if not isinstance(nonlinearity, str):
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
    value = slope(nonlinearity, a)
    return (0.0 if value is None else value), check_mode(mode), nonlinearity


def kaiming_uniform(shape: Any, a: Any = 0, mode: Any = "fan_in",
                    nonlinearity: Any = "leaky_relu") -> Any:
    """The law of :func:`kaiming_uniform_`, or None for a zero-element `shape`."""
    if 0 in shape:  # precedes the rank check, as in torch: a 1-D empty tensor is only a no-op
        return None
    return torch_checked(laws.kaiming_uniform(list(shape), *kaiming_args(a, mode, nonlinearity)))


def kaiming_normal(shape: Any, a: Any = 0, mode: Any = "fan_in",
                   nonlinearity: Any = "leaky_relu") -> Any:
    """The law of :func:`kaiming_normal_`, or None for a zero-element `shape`."""
    if 0 in shape:
        return None
    return torch_checked(laws.kaiming_normal(list(shape), *kaiming_args(a, mode, nonlinearity)))


def orthogonal_rank(shape: Any) -> None:
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")


def orthogonal(shape: Any, gain: Any = 1) -> float:
    """The checked `gain` of :func:`orthogonal_` for a tensor of `shape`."""
    orthogonal_rank(shape)
    return real(gain, "gain")


def orthogonal_into(out: Any, gain: float, *, generator: Any = None, seed: Any = None,
                    stream: int = 0) -> None:
    """Write :func:`orthogonal_`'s matrix into `out` (not empty, a float dtype): torch's
    ``(rows, cols) = (shape[0], numel / shape[0])`` view of it, filled by the C++
    ``orthogonal`` (in place; a strided `out` is filled through a contiguous copy) from
    `generator`, or from (`seed`, `stream`)."""
    rows = out.shape[0]
    cols = math.prod(out.shape) // rows
    if is_torch_tensor(out):
        dense = out.is_contiguous()
        target = out if dense else out.contiguous()
    else:
        dense = out.flags.c_contiguous
        target = out if dense else np.empty(out.shape, out.dtype)
    door.orthogonal(target, rows, cols, gain, seed if generator is None else generator,
                    stream=stream, no_grad=True, name="tensor")
    if not dense:
        with no_grad(out):
            if is_torch_tensor(out):
                out.copy_(target)
            else:
                out[...] = target


def require_rank_2(shape: Any) -> None:
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")


def sparse(shape: Any, sparsity: Any, std: Any = 0.01) -> tuple[Any, ...]:
    """``(zeros per column, law of the values)`` of :func:`sparse_` for a tensor of `shape`."""
    require_rank_2(shape)
    num_zeros = laws.sparse_zeros(shape[0], real(sparsity, "sparsity"))
    return num_zeros, torch_checked(Law.normal(0.0, real(std, "std")))


def sparse_zero(tensor: Any, keys: np.ndarray, num_zeros: int) -> None:
    """Zero the `num_zeros` rows with the smallest `keys` in every column of `tensor`."""
    if num_zeros:
        zero_rows = np.argsort(keys, axis=0, kind="stable")[:num_zeros]
        set_at(tensor, (zero_rows, np.arange(keys.shape[1])[np.newaxis, :]), 0)


def constant(shape: Any, val: Any) -> Any:
    """The value :func:`constant_` writes, checked."""
    if type(val) in (int, float):  # the common case, checked first (the per-call cost)
        return val
    if not isinstance(val, (numbers.Number, np.generic)) or isinstance(val, (str, bytes)):
        raise TypeError(f"val: expected a number, got {type(val).__name__}")
    return val


def ones_of_eye(shape: Any) -> tuple[Any, ...]:
    """The index arrays of :func:`eye_`'s ones in a tensor of `shape`."""
    require_rank_2(shape)
    diag = np.arange(min(shape))
    return diag, diag


def ones_of_dirac(shape: Any, groups: Any = 1) -> tuple[Any, ...]:
    """The index arrays of :func:`dirac_`'s ones in a tensor of `shape`, arguments checked."""
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if isinstance(groups, (bool, np.bool_)):
        raise TypeError("groups: expected an int, got bool")
    try:
        groups = operator.index(groups)
    except TypeError:
        raise TypeError(f"groups: expected an int, got {type(groups).__name__}") from None
    if groups < 1:
        raise ValueError(f"groups: must be >= 1, got {groups}")
    # Beyond int64 no dim 0 is divisible by groups but 0, whose pattern is empty either way.
    ones: tuple[Any, ...] = laws.dirac_ones(shape, min(groups, 2**63 - 1))
    return ones

