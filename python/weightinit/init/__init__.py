# SPDX-License-Identifier: BSD-3-Clause
"""The torch.nn.init functions, in place on NumPy arrays and CPU torch tensors.

Each function fills its `tensor` argument in place and returns that same object, with
torch's signatures, defaults, gains, fan rules, warnings and error messages
(shared/spec/torch-init.md). The values come from weightinit's stream (docs/streams.md),
not from torch's generator: ``generator`` is a :class:`weightinit.Generator`, an int seed
(a fresh generator for that call) or None (the default generator, reset by
:func:`weightinit.manual_seed`). Values never depend on the thread count or CPU.

Accepted tensors: NumPy arrays and CPU torch tensors, contiguous or any strided view
(elements must not overlap). Random functions need float16, bfloat16 (ml_dtypes for NumPy),
float32 or float64; the deterministic ones (``constant_``, ``ones_``, ``zeros_``, ``eye_``,
``dirac_``) take any dtype. A torch meta tensor is returned unchanged after the argument
checks. torch is never imported unless a torch tensor is passed.

Each random function's law (distribution and parameters, from the tensor's shape and the
arguments) is computed in one place, a private ``_law_<name>(shape, ...)``, which the in-place
function here and the box fills of :mod:`weightinit.shard` both use: a box of a tensor gets
its fans from the whole tensor's shape.

Differences from torch, all deliberate:

* ``trunc_normal_`` draws the exact truncated normal by inverse CDF (one draw per element,
  no rejection), so the values are always in ``[a, b]`` and never pile up on the bounds,
  for any ``std``. ``std <= 0`` and ``a > b`` are ``ValueError`` (torch: ZeroDivisionError,
  or RuntimeError from ``uniform_``). Intervals at any distance are drawn exactly (far
  tails in log space); only one holding no value of the tensor's dtype is a ``ValueError``.
* ``sparse_`` draws its zero positions from the generator too (torch uses the global RNG),
  so it is reproducible; ``sparsity`` must be in [0, 1].
* ``uniform_`` / ``normal_`` bounds and moments must be finite (``ValueError``); torch
  raises RuntimeError for infinite bounds and fills NaN / inf for non-finite moments.
* ``dirac_(groups)`` needs a positive int (torch: ZeroDivisionError for 0); ``mode`` must
  be a str (torch: AttributeError).
* Tensor subclasses' ``__torch_function__`` overrides are not consulted.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, TypeVar

import numpy as np

from ..core import Law, door
from ..core.door import fill as _fill
from ..core.generator import Generator as _Generator
from . import laws as _laws
from ..core.buffers import check, require_float, set_all, set_at
from ..core.fills import is_torch_tensor
from ..core.generator import resolve

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
]

_FAN_MODES = ["fan_in", "fan_out"]


# --- gains and fans -----------------------------------------------------------------------

#: A tensor argument: a NumPy array or a CPU torch.Tensor; the functions return it.
T = TypeVar("T")
#: A ``generator`` argument: a weightinit.Generator, an int seed, or None (the default one).
GeneratorArg = Any


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The recommended gain for `nonlinearity`.

    =================================================  ==================================
    nonlinearity                                       gain
    =================================================  ==================================
    linear, conv{1,2,3}d, conv_transpose{1,2,3}d       :math:`1`
    sigmoid                                            :math:`1`
    tanh                                               :math:`5/3`
    relu                                               :math:`\sqrt{2}`
    leaky_relu                                         :math:`\sqrt{2 / (1 + s^2)}`
    selu                                               :math:`3/4`
    =================================================  ==================================

    Parameters
    ----------
    nonlinearity : str
        Exact, case-sensitive name from the table.
    param : int or float, optional
        The leaky_relu slope `s` (default 0.01); ignored for the others.

    Returns
    -------
    int or float
        ``1`` (an int) for the linear family and sigmoid.

    Raises
    ------
    ValueError
        "Unsupported nonlinearity <name>", or "negative_slope <param> not a valid number"
        when a leaky_relu `param` is not an int (bools excluded) or float.
    """
    if not isinstance(nonlinearity, str):
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
    if door.laws.unit_gain(nonlinearity):
        return 1  # an int, as torch returns it
    return door.laws.calculate_gain(nonlinearity, _laws.slope(nonlinearity, param))


def _shape_of(tensor: Any) -> tuple[int, ...]:
    try:
        return tuple(tensor.shape)
    except AttributeError:
        raise TypeError(f"tensor: expected a numpy.ndarray or torch.Tensor, got "
                        f"{type(tensor).__name__}") from None


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of `shape` by torch's rule; see :func:`_calculate_fan_in_and_fan_out`."""
    return door.compute_fans(list(shape), "torch")


def _calculate_fan_in_and_fan_out(tensor: Any) -> tuple[int, int]:
    r"""``(fan_in, fan_out)`` for torch's layout ``(out, in, *kernel)``.

    With :math:`R = \prod` ``shape[2:]``: :math:`\mathrm{fan\_in} = \mathrm{shape}[1] R`,
    :math:`\mathrm{fan\_out} = \mathrm{shape}[0] R`. Zero dimensions give zero fans.

    Raises
    ------
    ValueError
        Fewer than 2 dimensions.
    """
    return _fans(_shape_of(tensor))


def _correct_fan(shape: tuple[int, ...], mode: str) -> int:
    """``fan_in`` or ``fan_out`` of `shape`; see :func:`_calculate_correct_fan`."""
    return door.laws.torch_fan(list(shape), _laws.check_mode(mode))


def _calculate_correct_fan(tensor: Any, mode: str) -> int:
    """``fan_in`` or ``fan_out`` of `tensor` as `mode` (lower-cased first) says.

    Raises
    ------
    TypeError
        `mode` is not a str.
    ValueError
        `mode` is neither "fan_in" nor "fan_out", or `tensor` has fewer than 2 dimensions.
    """
    return _correct_fan(_shape_of(tensor), mode)


# --- random fills -------------------------------------------------------------------------
# Each public function checks its tensor, takes its law from `_law_<name>(shape, ...)` (the
# torch surface of the C++ law table, shared with weightinit.shard's box fills) and draws it.
# `_laws.torch_checked` adds the checks torch's tensor methods make on the law's parameters.

def _draw_law(tensor: T, law: Law, generator: GeneratorArg) -> T:
    """Draw `law` into `tensor` through the door, which checks the tensor (a meta tensor is
    left alone) and advances the generator; return `tensor`."""
    if generator is not None and type(generator) is not _Generator:
        generator = resolve(generator)  # an int seed: a fresh generator; else a named error
    _fill(tensor, law, generator, no_grad=True, name="tensor")
    return tensor


def _kaiming(tensor: T, law_of: Callable[..., Law | None], a: float, mode: str,
             nonlinearity: str, generator: GeneratorArg) -> T:
    """The two Kaiming functions: torch's warning and no-op for a zero-element tensor."""
    law = law_of(_shape_of(tensor), a, mode, nonlinearity)
    if law is None:
        # stacklevel 3: the user's call of kaiming_uniform_ / kaiming_normal_.
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return tensor
    return _draw_law(tensor, law, generator)


def uniform_(tensor: T, a: float = 0.0, b: float = 1.0, generator: GeneratorArg = None) -> T:
    r"""Fill `tensor` with :math:`\mathcal{U}[a, b)` in place; return it.

    Every value lies in ``[a, b)`` in the tensor's dtype; ``a == b`` fills with `a`.

    Parameters
    ----------
    tensor : numpy.ndarray or torch.Tensor
        float16 / bfloat16 / float32 / float64, any strides.
    a, b : float
        Finite bounds.
    generator : weightinit.Generator, int or None
        The generator (advanced by the blocks drawn), a seed, or None for the default one.

    Raises
    ------
    RuntimeError
        ``a > b`` (torch's message).
    ValueError
        Non-finite `a` or `b`, or ``b - a`` overflows the dtype's arithmetic.
    """
    return _draw_law(tensor, _laws.uniform(None, a, b), generator)


def normal_(tensor: T, mean: float = 0.0, std: float = 1.0,
            generator: GeneratorArg = None) -> T:
    r"""Fill `tensor` with :math:`\mathcal{N}(\mathrm{mean}, \mathrm{std}^2)` in place; return it.

    Untruncated (|z| <= 6.338 in float32, 9.155 in float64, docs/streams.md §5); ``std == 0``
    fills with `mean`.

    Raises
    ------
    RuntimeError
        ``std < 0`` (torch's message).
    ValueError
        Non-finite `mean` or `std`.
    """
    return _draw_law(tensor, _laws.normal(None, mean, std), generator)


def trunc_normal_(tensor: T, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: GeneratorArg = None) -> T:
    r"""Fill `tensor` with the normal law :math:`\mathcal{N}(\mathrm{mean}, \mathrm{std}^2)`
    truncated to ``[a, b]``, in place; return it.

    `a` and `b` are absolute cut-offs (not multiples of `std`). Sampling is the exact inverse
    CDF, :math:`x = \mathrm{mean} + \mathrm{std}\,\Phi^{-1}(\Phi(\alpha) + U(\Phi(\beta) -
    \Phi(\alpha)))` with :math:`\alpha = (a - \mathrm{mean})/\mathrm{std}`, :math:`\beta =
    (b - \mathrm{mean})/\mathrm{std}`, evaluated from the tail side that keeps precision
    (docs/streams.md §5): one draw per element, every value within ``[a, b]`` in the
    tensor's dtype, for any `std` (no clamped outliers when `std` is tiny against
    ``b - a``, unlike torch's issues 145498 / 155588). ``a == b`` fills with `a`.

    Parameters
    ----------
    mean, std : float
        Finite; ``std > 0``.
    a, b : float
        ``a <= b``; ``a = -inf`` / ``b = inf`` leave that side open.

    Warns
    -----
    UserWarning
        ``mean < a - 2 std`` or ``mean > b + 2 std`` (torch's message); the law is still
        exact here.

    Raises
    ------
    ValueError
        ``std <= 0``, ``a > b``, a NaN, or ``[a, b]`` beyond ~37 std in one tail.
    """
    buf = check(tensor)
    require_float(buf)
    law = _laws.trunc_normal(buf.shape, mean, std, a, b)
    if buf.is_meta:  # before the warning, as in torch
        return tensor
    mean, std, a, b = float(mean), float(std), float(a), float(b)  # checked by the law
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", UserWarning, stacklevel=2)
    return _draw_law(tensor, law, generator)


def xavier_uniform_(tensor: T, gain: float = 1.0, generator: GeneratorArg = None) -> T:
    r"""Glorot / Xavier uniform, in place; return `tensor`.

    :math:`\mathrm{bound} = \mathrm{gain}\sqrt{6 / (\mathrm{fan\_in} + \mathrm{fan\_out})}`,
    fill :math:`\mathcal{U}[-\mathrm{bound}, \mathrm{bound})` (fans by torch's rule).

    Raises
    ------
    ValueError
        Fewer than 2 dimensions.
    ZeroDivisionError
        ``fan_in + fan_out == 0``, as in torch.
    """
    return _draw_law(tensor, _laws.xavier_uniform(_shape_of(tensor), gain), generator)


def xavier_normal_(tensor: T, gain: float = 1.0, generator: GeneratorArg = None) -> T:
    r"""Glorot / Xavier normal, in place; return `tensor`.

    Fill :math:`\mathcal{N}(0, \mathrm{std}^2)`, untruncated, with
    :math:`\mathrm{std} = \mathrm{gain}\sqrt{2 / (\mathrm{fan\_in} + \mathrm{fan\_out})}`.

    Raises
    ------
    ValueError
        Fewer than 2 dimensions.
    ZeroDivisionError
        ``fan_in + fan_out == 0``, as in torch.
    RuntimeError
        A negative `gain` (a negative std, torch's message).
    """
    return _draw_law(tensor, _laws.xavier_normal(_shape_of(tensor), gain), generator)


def kaiming_uniform_(tensor: T, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator: GeneratorArg = None) -> T:
    r"""He / Kaiming uniform, in place; return `tensor`.

    :math:`\mathrm{bound} = \sqrt{3}\,\mathrm{gain} / \sqrt{\mathrm{fan}}`, fill
    :math:`\mathcal{U}[-\mathrm{bound}, \mathrm{bound})`, with ``gain =
    calculate_gain(nonlinearity, a)`` and ``fan`` per `mode`. The defaults give
    :math:`\sqrt{6 / \mathrm{fan\_in}}`; ``a=math.sqrt(5)`` gives ``nn.Linear``'s
    :math:`1 / \sqrt{\mathrm{fan\_in}}`.

    Parameters
    ----------
    a : int or float
        Negative slope of the leaky_relu (used only for that nonlinearity).
    mode : {"fan_in", "fan_out"}
        Case-insensitive.
    nonlinearity : str
        See :func:`calculate_gain`.

    Warns
    -----
    UserWarning
        A zero-element tensor: "Initializing zero-element tensors is a no-op"; it is
        returned unchanged.
    """
    return _kaiming(tensor, _laws.kaiming_uniform, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor: T, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator: GeneratorArg = None) -> T:
    r"""He / Kaiming normal, in place; return `tensor`.

    Fill :math:`\mathcal{N}(0, \mathrm{std}^2)`, untruncated, with
    :math:`\mathrm{std} = \mathrm{gain} / \sqrt{\mathrm{fan}}`; arguments and the
    zero-element warning as in :func:`kaiming_uniform_`.
    """
    return _kaiming(tensor, _laws.kaiming_normal, a, mode, nonlinearity, generator)


def orthogonal_(tensor: T, gain: float = 1, generator: GeneratorArg = None) -> T:
    r"""A (semi-)orthogonal matrix times `gain`, in place; return `tensor`.

    The tensor is seen as a ``(rows, cols)`` matrix with ``rows = shape[0]`` and the trailing
    dimensions flattened (torch's rule), filled by weightinit's own blocked Householder QR
    (``weightinit/orthogonal.hpp``, docs/streams.md §7): an
    :math:`\mathcal{N}(0, 1)` matrix of shape ``(max(rows, cols), min(rows, cols))`` is
    drawn in the working precision (float64 for float64 tensors, float32 otherwise), factored
    :math:`A = QR`, and column :math:`j` of :math:`Q` is multiplied by
    :math:`\mathrm{sign}(R_{jj})` (+1 when zero) so that :math:`Q` is Haar-distributed.
    The result has orthonormal rows (``rows < cols``) or columns, times `gain`, rounded once
    to the tensor's dtype: the same bits for any thread count, CPU and kernel target.

    The generator advances by the blocks of that draw, ``16 * ceil(numel / G)`` (G = 32 for
    float64, 64 otherwise).

    Raises
    ------
    ValueError
        Fewer than 2 dimensions ("Only tensors with 2 or more dimensions are supported").
    """
    buf = check(tensor)
    _laws.orthogonal_rank(buf.shape)
    require_float(buf)
    gain = _laws.orthogonal(buf.shape, gain)
    if buf.numel == 0 or buf.is_meta:
        return tensor
    _laws.orthogonal_into(tensor, gain, generator=resolve(generator))
    return tensor


def sparse_(tensor: T, sparsity: float, std: float = 0.01, generator: GeneratorArg = None) -> T:
    r"""A sparse matrix, in place; return `tensor`.

    Fill :math:`\mathcal{N}(0, \mathrm{std}^2)`, then in every column set
    :math:`\lceil \mathrm{sparsity} \cdot \mathrm{rows} \rceil` distinct rows, chosen
    uniformly, to zero.

    The row choice comes from the same generator, on sub-stream 1 (stream id ``1 << 56``,
    docs/streams.md §2) at the same offset: one uint64 key per element, and each column
    zeroes the rows with the smallest keys. The generator advances by the larger of the two
    draws, ``16 * ceil(numel / 32)`` blocks. So unlike torch (whose row choice uses the
    global RNG) the pattern is reproducible from the generator.

    Parameters
    ----------
    sparsity : float
        Fraction of each column to zero, in [0, 1].
    std : float
        Standard deviation of the non-zero values.

    Raises
    ------
    ValueError
        Not 2-D ("Only tensors with 2 dimensions are supported"), or `sparsity` outside
        [0, 1].
    RuntimeError
        ``std < 0`` (torch's message).
    """
    buf = check(tensor)
    _laws.require_rank_2(buf.shape)
    require_float(buf)
    num_zeros, law = _laws.sparse(buf.shape, sparsity, std)
    if buf.numel == 0 or buf.is_meta:
        return tensor
    keys = np.empty(buf.shape, dtype=np.uint64)
    _fill((tensor, keys), (law, Law.bits()), resolve(generator), no_grad=True, name="tensor")
    _laws.sparse_zero(tensor, keys, num_zeros)
    return tensor


# --- deterministic fills ------------------------------------------------------------------

def constant_(tensor: T, val: float) -> T:
    """Fill `tensor` with `val` (cast to its dtype) in place; return it.

    A torch tensor is filled by torch's own ``fill_`` under ``no_grad`` (as
    ``torch.nn.init.constant_`` does), so torch checks it and counts the write.
    """
    val = _laws.constant(None, val)
    if is_torch_tensor(tensor):
        # detach(): the same storage and version counter, outside autograd (as torch's
        # no_grad fill_, at half its cost per call); zero_ for 0, as torch's zeros_.
        target = tensor.detach()  # type: ignore[attr-defined]
        if val == 0 and type(val) is int:
            target.zero_()
        else:
            target.fill_(val)
        return tensor
    check(tensor)
    tensor[...] = val  # type: ignore[index]
    return tensor


def ones_(tensor: T) -> T:
    """Fill `tensor` with 1 in place; return it."""
    return constant_(tensor, 1)


def zeros_(tensor: T) -> T:
    """Fill `tensor` with 0 in place; return it."""
    return constant_(tensor, 0)


def eye_(tensor: T) -> T:
    r"""The identity pattern, in place; return `tensor`: :math:`T_{ij} = [i = j]`.

    Non-square matrices get ones at ``(i, i)`` for ``i < min(rows, cols)``.

    Raises
    ------
    ValueError
        Not 2-D ("Only tensors with 2 dimensions are supported").
    """
    buf = check(tensor)
    ones = _laws.ones_of_eye(buf.shape)
    if buf.is_meta:
        return tensor
    set_all(tensor, 0)
    set_at(tensor, ones, 1)
    return tensor


def dirac_(tensor: T, groups: int = 1) -> T:
    r"""The Dirac delta, in place; return `tensor`: a convolution with it keeps its input.

    With ``opg = shape[0] // groups`` and ``m = min(opg, shape[1])``, every element is 0
    except ``T[g*opg + d, d, c_2, c_3, ...] = 1`` for each group ``g`` and ``d < m``, where
    ``c_k = shape[k] // 2`` (for an even kernel size, the right of the two middle taps).

    Raises
    ------
    ValueError
        Rank not 3, 4 or 5; ``shape[0] % groups != 0`` ("dim 0 must be divisible by
        groups"); `groups` not a positive int.
    """
    buf = check(tensor)
    ones = _laws.ones_of_dirac(buf.shape, groups)
    if buf.is_meta:
        return tensor
    set_all(tensor, 0)
    set_at(tensor, ones, 1)
    return tensor


# --- deprecated names ---------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def _deprecated(function: F) -> F:
    old_name = function.__name__[:-1]

    @functools.wraps(function)
    def deprecated(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                      f"`nn.init.{function.__name__}`.", FutureWarning, stacklevel=2)
        return function(*args, **kwargs)

    deprecated.__name__ = deprecated.__qualname__ = old_name
    deprecated.__doc__ = f"Deprecated: use :func:`{function.__name__}` (emits FutureWarning)."
    return deprecated  # type: ignore[return-value]


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
