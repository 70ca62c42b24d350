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

Differences from torch, all deliberate:

* ``trunc_normal_`` draws the exact truncated normal by inverse CDF (one draw per element,
  no rejection), so the values are always in ``[a, b]`` and never pile up on the bounds,
  for any ``std``. ``std <= 0`` and ``a > b`` are ``ValueError`` (torch: ZeroDivisionError,
  or RuntimeError from ``uniform_``). An interval beyond about 37 standard deviations in
  one tail (probability < 1e-300) is a ``ValueError`` from the core.
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


def _calculate_fan_in_and_fan_out(tensor):
    r"""``(fan_in, fan_out)`` for torch's layout ``(out, in, *kernel)``.

    With :math:`R = \prod` ``shape[2:]``: :math:`\mathrm{fan\_in} = \mathrm{shape}[1] R`,
    :math:`\mathrm{fan\_out} = \mathrm{shape}[0] R`. Zero dimensions give zero fans.

    Raises
    ------
    ValueError
        Fewer than 2 dimensions.
    """
    from . import compute_fans  # the package's C++ fan rule; imported late (init is loaded first)

    shape = _shape_of(tensor)
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    fan_in, fan_out = compute_fans(shape, "torch")
    return fan_in, fan_out


def _calculate_correct_fan(tensor, mode):
    """``fan_in`` or ``fan_out`` of `tensor` as `mode` (lower-cased first) says.

    Raises
    ------
    TypeError
        `mode` is not a str.
    ValueError
        `mode` is neither "fan_in" nor "fan_out", or `tensor` has fewer than 2 dimensions.
    """
    if not isinstance(mode, str):
        raise TypeError(f"mode: expected a str, got {type(mode).__name__}")
    mode = mode.lower()
    if mode not in _FAN_MODES:
        raise ValueError(f"Mode {mode} not supported, please use one of {_FAN_MODES}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# --- random fills -------------------------------------------------------------------------
# The public functions compute their law's parameters; these two check them the way torch's
# tensor methods do and hand them to draw().

def _uniform(tensor, buf, a: float, b: float, generator):
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    if not buf.is_meta:
        draw(generator, (tensor, "uniform", (a, b)))
    return tensor


def _normal(tensor, buf, mean: float, std: float, generator):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if not buf.is_meta:
        draw(generator, (tensor, "normal", (mean, std)))
    return tensor


def _random_target(tensor):
    buf = check(tensor)
    require_float(buf)
    return buf


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
    return _uniform(tensor, buf, real(a, "a"), real(b, "b"), generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    r"""Fill `tensor` with :math:`\mathcal{N}(\mathrm{mean}, \mathrm{std}^2)` in place; return it.

    Untruncated (|z| <= 6.24 in float32, 8.13 in float64, docs/streams.md §5); ``std == 0``
    fills with `mean`.

    Raises
    ------
    RuntimeError
        ``std < 0`` (torch's message).
    ValueError
        Non-finite `mean` or `std`.
    """
    buf = _random_target(tensor)
    return _normal(tensor, buf, real(mean, "mean"), real(std, "std"), generator)


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
    mean, std = real(mean, "mean"), real(std, "std")
    a, b = real(a, "a", finite=False), real(b, "b", finite=False)
    if std <= 0:
        raise ValueError(f"std: must be > 0 for trunc_normal_, got {std}")
    if a > b or a == math.inf or b == -math.inf:
        raise ValueError(f"a, b: need a <= b with a < inf and b > -inf, got a={a}, b={b}")
    if buf.is_meta:  # before the warning, as in torch
        return tensor
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", UserWarning, stacklevel=2)
    if a == b:
        draw(generator, (tensor, "truncated_normal", (a, 1.0, 0.0, 0.0)))  # a point mass: `a`
    else:
        draw(generator, (tensor, "truncated_normal_between", (mean, std, a, b)))
    return tensor


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
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = real(gain, "gain") * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return _uniform(tensor, buf, -bound, bound, generator)


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
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = real(gain, "gain") * math.sqrt(2.0 / float(fan_in + fan_out))
    return _normal(tensor, buf, 0.0, std, generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    """``gain / sqrt(fan)``, or None after torch's warning for a zero-element tensor."""
    if 0 in _shape_of(tensor):
        # Precedes the rank check, as in torch: a 1-D empty tensor only warns.
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


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
    buf = _random_target(tensor)
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return _uniform(tensor, buf, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    r"""He / Kaiming normal, in place; return `tensor`.

    Fill :math:`\mathcal{N}(0, \mathrm{std}^2)`, untruncated, with
    :math:`\mathrm{std} = \mathrm{gain} / \sqrt{\mathrm{fan}}`; arguments and the
    zero-element warning as in :func:`kaiming_uniform_`.
    """
    buf = _random_target(tensor)
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return _normal(tensor, buf, 0.0, std, generator)


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
    if len(buf.shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    require_float(buf)
    gain = real(gain, "gain")
    if buf.numel == 0 or buf.is_meta:
        return tensor
    rows = buf.shape[0]
    cols = buf.numel // rows
    flat = np.empty((rows, cols), dtype=np.float64)
    draw(generator, (flat, "normal", (0.0, 1.0)))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    signs = np.sign(np.diagonal(r))
    signs[signs == 0] = 1.0
    q *= signs
    if rows < cols:
        q = q.T
    assign(tensor, (gain * q).reshape(buf.shape))
    return tensor


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
    if len(buf.shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    require_float(buf)
    sparsity = real(sparsity, "sparsity")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity: must be in [0, 1], got {sparsity}")
    std = real(std, "std")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if buf.numel == 0 or buf.is_meta:
        return tensor
    rows, cols = buf.shape
    num_zeros = math.ceil(sparsity * rows)
    keys = np.empty((rows, cols), dtype=np.uint64)
    draw(generator, (tensor, "normal", (0.0, std)), (keys, "bits", ()))
    if num_zeros:
        zero_rows = np.argsort(keys, axis=0, kind="stable")[:num_zeros]
        set_at(tensor, (zero_rows, np.arange(cols)[np.newaxis, :]), 0)
    return tensor


# --- deterministic fills ------------------------------------------------------------------

def constant_(tensor, val):
    """Fill `tensor` with `val` (cast to its dtype) in place; return it."""
    buf = check(tensor)
    if not isinstance(val, (numbers.Number, np.generic)) or isinstance(val, (str, bytes)):
        raise TypeError(f"val: expected a number, got {type(val).__name__}")
    if not buf.is_meta:
        set_all(tensor, val)
    return tensor


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
    if len(buf.shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    if buf.is_meta:
        return tensor
    set_all(tensor, 0)
    diag = np.arange(min(buf.shape))
    set_at(tensor, (diag, diag), 1)
    return tensor


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
    if len(buf.shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if isinstance(groups, (bool, np.bool_)):
        raise TypeError("groups: expected an int, got bool")
    try:
        groups = operator.index(groups)
    except TypeError:
        raise TypeError(f"groups: expected an int, got {type(groups).__name__}") from None
    if groups < 1:
        raise ValueError(f"groups: must be >= 1, got {groups}")
    if buf.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    if buf.is_meta:
        return tensor
    set_all(tensor, 0)
    out_per_group = buf.shape[0] // groups
    d = np.arange(min(out_per_group, buf.shape[1]))
    out_rows = (np.arange(groups)[:, np.newaxis] * out_per_group + d).ravel()
    in_rows = np.tile(d, groups)
    centres = tuple(np.full(out_rows.shape, size // 2) for size in buf.shape[2:])
    set_at(tensor, (out_rows, in_rows) + centres, 1)
    return tensor


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
