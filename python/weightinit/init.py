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
import math
import numbers
import operator
import warnings

import numpy as np

from ._torch_buffers import assign, check, draw, real, require_float, set_all, set_at

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

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d",
               "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
_FAN_MODES = ["fan_in", "fan_out"]


# --- gains and fans -----------------------------------------------------------------------

def calculate_gain(nonlinearity, param=None):
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
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif (isinstance(param, int) and not isinstance(param, bool)) or isinstance(param, float):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        # An empirical value (PyTorch PR #50664); for self-normalising nets use "linear".
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _shape_of(tensor) -> tuple:
    try:
        return tuple(tensor.shape)
    except AttributeError:
        raise TypeError(f"tensor: expected a numpy.ndarray or torch.Tensor, got "
                        f"{type(tensor).__name__}") from None


def _fans(shape: tuple) -> tuple:
    """``(fan_in, fan_out)`` of `shape` by torch's rule; see :func:`_calculate_fan_in_and_fan_out`."""
    from . import compute_fans  # the package's C++ fan rule; imported late (init is loaded first)

    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    fan_in, fan_out = compute_fans(shape, "torch")
    return fan_in, fan_out


def _calculate_fan_in_and_fan_out(tensor):
    r"""``(fan_in, fan_out)`` for torch's layout ``(out, in, *kernel)``.

    With :math:`R = \prod` ``shape[2:]``: :math:`\mathrm{fan\_in} = \mathrm{shape}[1] R`,
    :math:`\mathrm{fan\_out} = \mathrm{shape}[0] R`. Zero dimensions give zero fans.

    Raises
    ------
    ValueError
        Fewer than 2 dimensions.
    """
    return _fans(_shape_of(tensor))


def _correct_fan(shape: tuple, mode):
    """``fan_in`` or ``fan_out`` of `shape`; see :func:`_calculate_correct_fan`."""
    if not isinstance(mode, str):
        raise TypeError(f"mode: expected a str, got {type(mode).__name__}")
    mode = mode.lower()
    if mode not in _FAN_MODES:
        raise ValueError(f"Mode {mode} not supported, please use one of {_FAN_MODES}")
    fan_in, fan_out = _fans(shape)
    return fan_in if mode == "fan_in" else fan_out


def _calculate_correct_fan(tensor, mode):
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
# one place the law is computed, shared with weightinit.shard's box fills) and draws it.
# A law is the fill layer's ``(distribution, params)``; `_uniform_law` and `_normal_law`
# check the parameters the way torch's tensor methods do.

def _uniform_law(a: float, b: float) -> tuple:
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    return "uniform", (a, b)


def _normal_law(mean: float, std: float) -> tuple:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return "normal", (mean, std)


def _random_target(tensor):
    buf = check(tensor)
    require_float(buf)
    return buf


def _draw_law(tensor, buf, law: tuple, generator):
    """Draw `law` into `tensor` (nothing for a meta tensor); return `tensor`."""
    if not buf.is_meta:
        draw(generator, (tensor, *law))
    return tensor


def _law_uniform(shape, a=0.0, b=1.0) -> tuple:
    """The law of :func:`uniform_`: ``("uniform", (a, b))``."""
    return _uniform_law(real(a, "a"), real(b, "b"))


def _law_normal(shape, mean=0.0, std=1.0) -> tuple:
    """The law of :func:`normal_`: ``("normal", (mean, std))``."""
    return _normal_law(real(mean, "mean"), real(std, "std"))


def _law_trunc_normal(shape, mean=0.0, std=1.0, a=-2.0, b=2.0) -> tuple:
    """The law of :func:`trunc_normal_`, absolute bounds; ``a == b`` is a point mass at `a`."""
    mean, std = real(mean, "mean"), real(std, "std")
    a, b = real(a, "a", finite=False), real(b, "b", finite=False)
    if std <= 0:
        raise ValueError(f"std: must be > 0 for trunc_normal_, got {std}")
    if a > b or a == math.inf or b == -math.inf:
        raise ValueError(f"a, b: need a <= b with a < inf and b > -inf, got a={a}, b={b}")
    if a == b:
        return "truncated_normal", (a, 1.0, 0.0, 0.0)  # zero width: every value is `a`
    return "truncated_normal_between", (mean, std, a, b)


def _xavier_std(shape, gain) -> float:
    fan_in, fan_out = _fans(shape)
    return real(gain, "gain") * math.sqrt(2.0 / float(fan_in + fan_out))


def _law_xavier_uniform(shape, gain=1.0) -> tuple:
    """The law of :func:`xavier_uniform_` for a tensor of `shape`."""
    bound = math.sqrt(3.0) * _xavier_std(shape, gain)
    return _uniform_law(-bound, bound)


def _law_xavier_normal(shape, gain=1.0) -> tuple:
    """The law of :func:`xavier_normal_` for a tensor of `shape`."""
    return _normal_law(0.0, _xavier_std(shape, gain))


def _kaiming_std(shape, a, mode, nonlinearity):
    """``gain / sqrt(fan)``, or None for a zero-element `shape` (a no-op)."""
    if 0 in shape:
        # Precedes the rank check, as in torch: a 1-D empty tensor is only a no-op.
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(_correct_fan(shape, mode))


def _law_kaiming_uniform(shape, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """The law of :func:`kaiming_uniform_`, or None for a zero-element `shape`."""
    std = _kaiming_std(shape, a, mode, nonlinearity)
    if std is None:
        return None
    bound = math.sqrt(3.0) * std
    return _uniform_law(-bound, bound)


def _law_kaiming_normal(shape, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """The law of :func:`kaiming_normal_`, or None for a zero-element `shape`."""
    std = _kaiming_std(shape, a, mode, nonlinearity)
    return None if std is None else _normal_law(0.0, std)


def _kaiming(tensor, law_of, a, mode, nonlinearity, generator):
    """The two Kaiming functions: torch's warning and no-op for a zero-element tensor."""
    buf = _random_target(tensor)
    law = law_of(buf.shape, a, mode, nonlinearity)
    if law is None:
        # stacklevel 3: the user's call of kaiming_uniform_ / kaiming_normal_.
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return tensor
    return _draw_law(tensor, buf, law, generator)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
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
    buf = _random_target(tensor)
    return _draw_law(tensor, buf, _law_uniform(buf.shape, a, b), generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
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
    buf = _random_target(tensor)
    return _draw_law(tensor, buf, _law_normal(buf.shape, mean, std), generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
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
    buf = _random_target(tensor)
    law = _law_trunc_normal(buf.shape, mean, std, a, b)
    if buf.is_meta:  # before the warning, as in torch
        return tensor
    mean, std, a, b = float(mean), float(std), float(a), float(b)  # checked by the law
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", UserWarning, stacklevel=2)
    return _draw_law(tensor, buf, law, generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
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
    buf = _random_target(tensor)
    return _draw_law(tensor, buf, _law_xavier_uniform(buf.shape, gain), generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
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
    buf = _random_target(tensor)
    return _draw_law(tensor, buf, _law_xavier_normal(buf.shape, gain), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
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
    return _kaiming(tensor, _law_kaiming_uniform, a, mode, nonlinearity, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He / Kaiming normal, in place; return `tensor`.

    Fill :math:`\mathcal{N}(0, \mathrm{std}^2)`, untruncated, with
    :math:`\mathrm{std} = \mathrm{gain} / \sqrt{\mathrm{fan}}`; arguments and the
    zero-element warning as in :func:`kaiming_uniform_`.
    """
    return _kaiming(tensor, _law_kaiming_normal, a, mode, nonlinearity, generator)


def orthogonal_(tensor, gain=1, generator=None):
    r"""A (semi-)orthogonal matrix times `gain`, in place; return `tensor`.

    The tensor is seen as a ``(rows, cols)`` matrix with ``rows = shape[0]`` and the trailing
    dimensions flattened (torch's rule). A float64 :math:`\mathcal{N}(0, 1)` matrix of that
    shape is drawn (transposed when ``rows < cols``), factored :math:`A = QR` by
    ``numpy.linalg.qr`` in float64, and column :math:`j` of :math:`Q` is multiplied by
    :math:`\mathrm{sign}(R_{jj})` (+1 when zero) so that :math:`Q` is Haar-distributed.
    The result has orthonormal rows (``rows < cols``) or columns, times `gain`, and is
    rounded once to the tensor's dtype.

    The draw is float64 whatever the tensor's dtype, so the generator advances by
    ``16 * ceil(numel / 32)`` blocks. The values are exact functions of the stream up to the
    rounding of LAPACK's QR: independent of weightinit's thread count, but a different
    BLAS / CPU may change the last bits.

    Raises
    ------
    ValueError
        Fewer than 2 dimensions ("Only tensors with 2 or more dimensions are supported").
    """
    buf = check(tensor)
    _orthogonal_rank(buf.shape)
    require_float(buf)
    gain = _law_orthogonal(buf.shape, gain)
    if buf.numel == 0 or buf.is_meta:
        return tensor
    assign(tensor, _orthogonal_values(
        buf.shape, gain, lambda flat: draw(generator, (flat, "normal", (0.0, 1.0)))))
    return tensor


def _orthogonal_rank(shape) -> None:
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")


def _law_orthogonal(shape, gain=1) -> float:
    """The checked `gain` of :func:`orthogonal_` for a tensor of `shape`."""
    _orthogonal_rank(shape)
    return real(gain, "gain")


def _orthogonal_values(shape, gain: float, fill_normal) -> np.ndarray:
    """:func:`orthogonal_`'s float64 values for a non-empty `shape`; `fill_normal(a)` fills
    the float64 matrix `a` with standard normals."""
    rows = shape[0]
    cols = math.prod(shape) // rows
    flat = np.empty((rows, cols), dtype=np.float64)
    fill_normal(flat)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    signs = np.sign(np.diagonal(r))
    signs[signs == 0] = 1.0
    q *= signs
    if rows < cols:
        q = q.T
    return (gain * q).reshape(shape)


def sparse_(tensor, sparsity, std=0.01, generator=None):
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
    _require_rank_2(buf.shape)
    require_float(buf)
    num_zeros, law = _law_sparse(buf.shape, sparsity, std)
    if buf.numel == 0 or buf.is_meta:
        return tensor
    keys = np.empty(buf.shape, dtype=np.uint64)
    draw(generator, (tensor, *law), (keys, "bits", ()))
    _sparse_zero(tensor, keys, num_zeros)
    return tensor


def _require_rank_2(shape) -> None:
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")


def _law_sparse(shape, sparsity, std=0.01) -> tuple:
    """``(zeros per column, law of the values)`` of :func:`sparse_` for a tensor of `shape`."""
    _require_rank_2(shape)
    sparsity = real(sparsity, "sparsity")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity: must be in [0, 1], got {sparsity}")
    return math.ceil(sparsity * shape[0]), _normal_law(0.0, real(std, "std"))


def _sparse_zero(tensor, keys: np.ndarray, num_zeros: int) -> None:
    """Zero the `num_zeros` rows with the smallest `keys` in every column of `tensor`."""
    if num_zeros:
        zero_rows = np.argsort(keys, axis=0, kind="stable")[:num_zeros]
        set_at(tensor, (zero_rows, np.arange(keys.shape[1])[np.newaxis, :]), 0)


# --- deterministic fills ------------------------------------------------------------------

def constant_(tensor, val):
    """Fill `tensor` with `val` (cast to its dtype) in place; return it."""
    buf = check(tensor)
    val = _law_constant(buf.shape, val)
    if not buf.is_meta:
        set_all(tensor, val)
    return tensor


def _law_constant(shape, val):
    """The value :func:`constant_` writes, checked."""
    if not isinstance(val, (numbers.Number, np.generic)) or isinstance(val, (str, bytes)):
        raise TypeError(f"val: expected a number, got {type(val).__name__}")
    return val


def ones_(tensor):
    """Fill `tensor` with 1 in place; return it."""
    return constant_(tensor, 1)


def zeros_(tensor):
    """Fill `tensor` with 0 in place; return it."""
    return constant_(tensor, 0)


def eye_(tensor):
    r"""The identity pattern, in place; return `tensor`: :math:`T_{ij} = [i = j]`.

    Non-square matrices get ones at ``(i, i)`` for ``i < min(rows, cols)``.

    Raises
    ------
    ValueError
        Not 2-D ("Only tensors with 2 dimensions are supported").
    """
    buf = check(tensor)
    ones = _ones_of_eye(buf.shape)
    if buf.is_meta:
        return tensor
    set_all(tensor, 0)
    set_at(tensor, ones, 1)
    return tensor


def _ones_of_eye(shape) -> tuple:
    """The index arrays of :func:`eye_`'s ones in a tensor of `shape`."""
    _require_rank_2(shape)
    diag = np.arange(min(shape))
    return diag, diag


def dirac_(tensor, groups=1):
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
    ones = _ones_of_dirac(buf.shape, groups)
    if buf.is_meta:
        return tensor
    set_all(tensor, 0)
    set_at(tensor, ones, 1)
    return tensor


def _ones_of_dirac(shape, groups=1) -> tuple:
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
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = shape[0] // groups
    d = np.arange(min(out_per_group, shape[1]))
    out_rows = (np.arange(groups)[:, np.newaxis] * out_per_group + d).ravel()
    in_rows = np.tile(d, groups)
    centres = tuple(np.full(out_rows.shape, size // 2) for size in shape[2:])
    return (out_rows, in_rows) + centres


# --- deprecated names ---------------------------------------------------------------------

def _deprecated(function):
    old_name = function.__name__[:-1]

    @functools.wraps(function)
    def deprecated(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                      f"`nn.init.{function.__name__}`.", FutureWarning, stacklevel=2)
        return function(*args, **kwargs)

    deprecated.__name__ = deprecated.__qualname__ = old_name
    deprecated.__doc__ = f"Deprecated: use :func:`{function.__name__}` (emits FutureWarning)."
    return deprecated


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
