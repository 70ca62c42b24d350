# SPDX-License-Identifier: BSD-3-Clause
"""Boxes of tensors: any box of a tensor of a given global shape, for every initializer.

A *box* is the part of a tensor between per-axis ``start`` (inclusive) and ``stop``
(exclusive). :func:`fill_box` writes one box on its own, equal bit for bit to the same slice
of the whole tensor: random values come from the elements' positions in the global tensor
(docs/streams.md §3), and fans, gains and scales from the global shape. Dask blocks,
torch.distributed shards, JAX shards and the checkpoint writer all go through it
(:mod:`weightinit.dask`, :mod:`weightinit.torch`, :mod:`weightinit.jax`,
:mod:`weightinit.checkpoint`).

An initializer is given as

* a TF1 initializer instance (:class:`weightinit.tf1.Initializer`) with an op seed: it is
  called with ``partition_info=PartitionInfo(global_shape, start)`` and takes its Philox key
  and stream id from its own seeds (:func:`weightinit.tf1.get_seed`);
* a function of :mod:`weightinit.init`, alone or as ``(function, kwargs)``, e.g.
  ``(init.kaiming_uniform_, {"a": math.sqrt(5)})``: its law (the same private
  law of :mod:`weightinit.init.laws` the in-place function uses) on key `seed` and stream id `stream`;
* a name of :data:`INITIALIZERS`, alone or as ``(name, kwargs)``, e.g.
  ``("normal", {"std": 0.02})``: the registry shared by the command line, Dask, torch and
  JAX helpers.

Random functions of :mod:`weightinit.init` filled whole with `seed` and stream 0 give what
the in-place function gives with ``generator=seed``. Orthogonal initializers (``orthogonal``,
``sparse``, TF1 ``Orthogonal`` and the convolution-orthogonal family) need the whole matrix:
they fill a box only when it is the whole tensor, and raise ValueError otherwise.
"""

from __future__ import annotations

from typing import Any

import inspect
import math
import operator

import numpy as np

from .. import init, tf1
from ..core import door
from ..core import Law, laws
from ..core import fills as _fill
from ..core.dtypes import as_dtype
from ..core.streams import stream_for
from ..init import laws as torch_laws
from ..core.buffers import no_grad, check, real, set_all, set_at

__all__ = ["INITIALIZERS", "BoxInitializer", "fill_box", "new_box", "resolve", "stream_for",
           "box_of_slices"]


# --- box geometry -------------------------------------------------------------------------

def _box(shape: Any, global_shape: Any, start: Any) -> tuple[Any, ...]:
    """`start` as a tuple of ints, checked: the box of `shape` at `start` lies in `global_shape`."""
    if start is None:
        start = (0,) * len(global_shape)
    try:
        start = tuple(operator.index(s) for s in start)
        box: tuple[int, ...] = start
    except TypeError:
        raise TypeError(f"start: expected a sequence of integers, got {start!r}") from None
    if len(start) != len(global_shape) or len(shape) != len(global_shape):
        raise ValueError(f"start, global_shape: a box of shape {tuple(shape)} needs rank "
                         f"{len(shape)}, got start {start} and global_shape {global_shape}")
    for dim, (size, s, full) in enumerate(zip(shape, start, global_shape)):
        if s < 0 or s + size > full:
            raise ValueError(f"start: a box of shape {tuple(shape)} at {start} does not fit in "
                             f"global_shape {global_shape} (dimension {dim})")
    return box


def box_of_slices(index: Any, global_shape: Any) -> tuple[Any, ...]:
    """``(start, stop)`` of a tuple of slices with step 1 (as JAX and NumPy index a box).

    Missing trailing axes and ``slice(None)`` cover the whole axis.

    Raises
    ------
    ValueError
        A step other than 1, or more slices than axes.
    """
    index = tuple(index)
    if len(index) > len(global_shape):
        raise ValueError(f"index: {len(index)} slices for a tensor of rank {len(global_shape)}")
    index += (slice(None),) * (len(global_shape) - len(index))
    start, stop = [], []
    for s, size in zip(index, global_shape):
        if not isinstance(s, slice):
            raise TypeError(f"index: expected slices, got {s!r}")
        lo, hi, step = s.indices(size)
        if step != 1:
            raise ValueError(f"index: slices need step 1, got {s}")
        start.append(lo)
        stop.append(max(lo, hi))
    return tuple(start), tuple(stop)


def _is_whole(shape: Any, global_shape: Any, start: Any) -> bool:
    return tuple(shape) == tuple(global_shape) and not any(start)


def _dtype_of(out: Any) -> np.dtype:
    if isinstance(out, np.ndarray):
        dt: np.dtype = out.dtype
        return dt
    return as_dtype(str(out.dtype).replace("torch.", ""))


def _copy_exact(out: Any, values: np.ndarray) -> None:
    """Copy `values`, already in `out`'s dtype, into `out` (NumPy array or torch tensor): no
    rounding, unlike ``_torch_buffers.assign`` (float64 values, rounded by the copy)."""
    if isinstance(out, np.ndarray):
        out[...] = values
        return
    import torch

    values = np.ascontiguousarray(values).reshape(np.shape(values))  # 0-d stays 0-d
    if values.dtype.name == "bfloat16":  # torch.from_numpy knows no ml_dtypes type: the bits
        source = torch.from_numpy(values.view(np.uint16)).view(torch.bfloat16)
    else:
        source = torch.from_numpy(values)
    with torch.no_grad():
        out.copy_(source)


# --- the initializers ---------------------------------------------------------------------

class BoxInitializer:
    """An initializer resolved for box fills (made by :func:`resolve`).

    Attributes
    ----------
    name : str
        For messages: the registry name, function name or TF1 repr.
    random : bool
        Whether it draws random numbers (then :meth:`fill` needs a seed).
    whole_only : bool
        Whether it can only fill the whole tensor (orthogonal initializers).
    """

    random = True
    whole_only = False
    _needs_whole = ""  # why a whole_only initializer needs the whole tensor

    def __init__(self, name: str, law: Any, kwargs: dict[str, Any]) -> None:
        self.name = name
        self.law = law
        self.kwargs = dict(kwargs)

    def __repr__(self) -> Any:
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.kwargs.items()))
        return f"{self.name}({args})"

    def __eq__(self, other: Any) -> Any:
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self) -> Any:
        return hash(repr(self))

    def check(self, global_shape: Any, dtype: Any = "float32") -> None:
        """Raise what :meth:`fill` would raise for the arguments and `global_shape`.

        A random law is also drawn once into a one-element scratch array of `dtype`, so the
        law table's own checks (e.g. a truncated normal's window too far in a tail) run here,
        before any output exists.
        """
        law = self.law(tuple(global_shape), **self.kwargs)
        if isinstance(law, tuple):  # sparse: (zeros per column, law)
            law = law[-1]
        if isinstance(law, Law) and math.prod(global_shape):
            _draw(np.empty(1, dtype=as_dtype(dtype)), law, 0, 0)

    def check_seeds(self, seed: Any, stream: Any) -> tuple[Any, ...]:
        """``(seed, stream)`` checked for this initializer (see :func:`fill_box`).

        Raises
        ------
        TypeError
            No `seed` for a random initializer; a `seed` or `stream` for a TF1 one.
        ValueError
            A value outside [0, 2**64).
        """
        stream = _fill.check_seed(stream, "stream")
        if seed is None:
            if self.random:
                raise TypeError(f"seed: {self.name} is random and needs seed= (an integer in "
                                "[0, 2**64))")
            return None, stream
        return _fill.check_seed(seed), stream

    def fill(self, out: Any, global_shape: tuple[Any, ...], start: tuple[Any, ...], seed: Any,
             stream: int) -> None:
        """Write the box of `out`'s shape at `start` (checked by the caller)."""
        raise NotImplementedError

    def _refuse_box(self, shape: Any, global_shape: Any, start: Any) -> None:
        if self.whole_only and not _is_whole(shape, global_shape, start):
            raise ValueError(
                f"{self.name}: cannot fill a box of shape {tuple(shape)} at {tuple(start)} of "
                f"{tuple(global_shape)} on its own: {self._needs_whole}; fill the whole tensor in "
                "one piece")


def _draw(out: Any, law: Any, seed: Any, stream: int, global_shape: Any = None,
          start: Any = None) -> None:
    """The door for a law (degenerate laws write their value there)."""
    door.fill(out, law, seed, stream=stream, box=(global_shape, start), no_grad=True)


class _Random(BoxInitializer):
    """A law ``(distribution, params)`` (None: a no-op) on the global tensor's positions."""

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        law = self.law(global_shape, **self.kwargs)
        if law is not None:
            _draw(out, law, seed, stream, global_shape, start)


class _Constant(BoxInitializer):
    """Every element is the law's value."""

    random = False

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        set_all(out, self.law(global_shape, **self.kwargs))


class _Ones(BoxInitializer):
    """Zeros but for ones at the index arrays the law gives (eye, dirac)."""

    random = False

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        at = np.stack([np.asarray(i, dtype=np.int64) for i in self.law(global_shape, **self.kwargs)])
        set_all(out, 0)
        lo = np.asarray(start)[:, np.newaxis]
        hi = lo + np.asarray(out.shape)[:, np.newaxis]
        inside = np.all((at >= lo) & (at < hi), axis=0)
        set_at(out, tuple(at[:, inside] - lo), 1)


class _Orthogonal(BoxInitializer):
    """:func:`weightinit.init.orthogonal_` on (seed, stream): the whole tensor only."""

    whole_only = True
    _needs_whole = "an orthogonal matrix is a property of the whole matrix (one QR of it)"

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        gain = self.law(global_shape, **self.kwargs)
        self._refuse_box(out.shape, global_shape, start)
        torch_laws.orthogonal_into(out, gain, seed=seed, stream=stream)


class _Sparse(BoxInitializer):
    """:func:`weightinit.init.sparse_` on (seed, stream): the whole tensor only; the zero
    rows come from sub-stream 1 (docs/streams.md §2), as from a generator on stream 0."""

    whole_only = True
    _needs_whole = "the zeros of a column are chosen among all its rows"

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        num_zeros, law = self.law(global_shape, **self.kwargs)
        self._refuse_box(out.shape, global_shape, start)
        keys = np.empty(global_shape, dtype=np.uint64)
        door.fill((out, keys), (law, Law.bits()), seed, stream=stream, no_grad=True)
        torch_laws.sparse_zero(out, keys, num_zeros)


class _TF1(BoxInitializer):
    """A TF1 initializer instance, called with ``partition_info``; seeds are its own."""

    def __init__(self, instance: Any) -> None:
        if getattr(instance, "seed", 0) is None:
            raise ValueError(
                f"{type(instance).__name__}: an unseeded TF1 initializer draws new seeds on every "
                "call, so its boxes would not form one tensor; give it an op seed (seed=...)")
        super().__init__(type(instance).__name__, None, instance.get_config())
        self.instance = instance
        self.random = hasattr(instance, "seed")
        # TF's (seed, seed2) depends on the process's graph seed: recorded here, and compared
        # where a box is filled (a Dask worker or another rank may not have set it).
        self.seeds = tf1.get_seed(instance.seed) if self.random else None
        self.whole_only = isinstance(instance, (tf1.Orthogonal, tf1.ConvolutionDeltaOrthogonal,
                                                tf1.ConvolutionOrthogonal))
        self._needs_whole = "an orthogonal matrix is a property of the whole matrix"

    def __repr__(self) -> Any:
        return f"{self.name}({self.kwargs!r}, seeds={self.seeds})"

    def check(self, global_shape: Any, dtype: Any = "float32") -> None:
        pass  # TF1 initializers check their arguments when called

    def check_seeds(self, seed: Any, stream: Any) -> Any:
        if seed is not None or stream:
            raise TypeError(f"seed, stream: a TF1 initializer ({self.name}) takes its seeds from "
                            "its op seed and the graph seed; give seed= to its constructor")
        return None, 0

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        if self.random and tf1.get_seed(self.instance.seed) != self.seeds:
            raise RuntimeError(
                f"{self.name}: this process's TF1 seeds {tf1.get_seed(self.instance.seed)} differ "
                f"from {self.seeds} where the initializer was resolved: call "
                "weightinit.tf1.set_random_seed with the same graph seed in every process")
        shape = tuple(out.shape)
        dtype = _dtype_of(out)
        self._refuse_box(shape, global_shape, start)
        if _is_whole(shape, global_shape, start):
            values = self.instance(shape, dtype=dtype)
        elif isinstance(self.instance, tf1.Constant) and np.size(self.instance.value) > 1:
            # TF's Constant ignores partition_info; its value is laid out over the whole.
            whole = self.instance(global_shape, dtype=dtype)
            values = whole[tuple(slice(s, s + n) for s, n in zip(start, shape))]
        else:
            values = self.instance(shape, dtype=dtype,
                                   partition_info=tf1.PartitionInfo(list(global_shape), list(start)))
        _copy_exact(out, values)


class _Values(BoxInitializer):
    """Given values (a tensor an architecture computes, e.g. a sinusoidal table), broadcast to
    the global shape and rounded to the output's dtype once, as ``Tensor.copy_`` does."""

    random = False

    def __repr__(self) -> Any:
        import hashlib

        values = np.asarray(self.kwargs["values"])  # as given: its digest names it
        digest = hashlib.blake2b(np.ascontiguousarray(values).tobytes(), digest_size=8)
        return f"{self.name}({values.dtype}{list(values.shape)}, blake2b-64 {digest.hexdigest()})"

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        whole = np.broadcast_to(self.law(global_shape, **self.kwargs), global_shape)
        box = tuple(slice(a, a + n) for a, n in zip(start, out.shape))
        _copy_exact(out, whole[box].astype(_dtype_of(out)))


class _NormOf(BoxInitializer):
    """The magnitude ``g`` of a weight normalization (``torch.nn.utils.parametrizations.
    weight_norm``): the 2-norm, over every axis but one, of another parameter as drawn, by
    torch's own ``norm_except_dim`` (what the parametrization's ``right_inverse`` computes)."""

    def check(self, global_shape: Any, dtype: Any = "float32") -> None:
        of, of_shape, _, _ = self.law(tuple(global_shape), **self.kwargs)
        of.check(of_shape, dtype)
        _torch_for_norm()

    def fill(self, out: Any, global_shape: Any, start: Any, seed: Any, stream: Any) -> None:
        torch = _torch_for_norm()
        of, of_shape, dim, of_stream = self.law(global_shape, **self.kwargs)
        dtype = _dtype_of(out)
        v = new_box(of, of_shape, dtype, seed=seed, stream=of_stream)
        if dtype.name == "bfloat16":
            tv = torch.from_numpy(np.ascontiguousarray(v).view(np.uint16)).view(torch.bfloat16)
        else:
            tv = torch.from_numpy(np.ascontiguousarray(v))
        g = torch.norm_except_dim(tv, 2, dim).float().numpy().astype(dtype)
        box = tuple(slice(a, a + n) for a, n in zip(start, out.shape))
        _copy_exact(out, g[box])


def _torch_for_norm() -> Any:
    try:
        import torch
    except ModuleNotFoundError:
        raise ModuleNotFoundError("norm_of: needs torch (the norm is torch's own, as the weight "
                                  "normalization computes it): pip install "
                                  "'weightinit[torch]'") from None
    return torch


# --- the registry -------------------------------------------------------------------------

def _law_one(shape: Any) -> Any:
    return 1


def _law_zero(shape: Any) -> Any:
    return 0


def _law_values(shape: Any, values: Any) -> np.ndarray:
    """The real values of ``values`` (float32 or float64), checked to broadcast to `shape`."""
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.floating)
                                     or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"values: expected real numbers, got an array of {array.dtype}")
    if array.dtype != np.float64:
        array = array.astype(np.float32)
    try:
        fits = np.broadcast_shapes(array.shape, tuple(shape)) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"values: shape {list(array.shape)} does not broadcast to "
                         f"{list(shape)}")
    return array


def _law_norm_of(shape: Any, of: Any, of_name: Any, of_shape: Any, dim: Any) -> Any:
    """``(initializer, shape, dim, stream)`` of the tensor whose norm a ``norm_of`` tensor
    of `shape` is: `of` (a name and arguments) draws tensor `of_name` of `of_shape`; `shape`
    is ones but ``of_shape[dim]`` at `dim`."""
    if isinstance(of, dict):
        of = (of.get("name"), {k: v for k, v in of.items() if k != "name"})
    spec = resolve(of)
    if not isinstance(of_name, str):
        raise TypeError(f"of_name: expected the name of a parameter, got {of_name!r}")
    of_shape = _fill.check_shape(of_shape, "of_shape")
    dim = operator.index(dim)
    if not 0 <= dim < len(of_shape):
        raise ValueError(f"dim: expected an axis of of_shape {list(of_shape)}, got {dim}")
    want = tuple(n if i == dim else 1 for i, n in enumerate(of_shape))
    if tuple(shape) != want:
        raise ValueError(f"norm_of: the norm over every axis but {dim} of {list(of_shape)} has "
                         f"shape {list(want)}, not {list(shape)}")
    return spec, of_shape, dim, stream_for(of_name)


def _law_variance_scaling(shape: Any, scale: Any = 1.0, mode: Any = "fan_in",
                          distribution: Any = "truncated_normal") -> Any:
    """TF1 ``VarianceScaling``'s law with TF's fans (layout ``(..., in, out)``)."""
    if not isinstance(mode, str) or not isinstance(distribution, str):
        raise TypeError(f"mode, distribution: expected strings, got {mode!r}, {distribution!r}")
    return laws.variance_scaling(list(shape), "tf", scale, mode, distribution)


def _law_tf_truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0) -> Any:
    """TF1 ``TruncatedNormal``'s law: cut at two standard deviations of the untruncated law."""
    return laws.tf_truncated_normal(real(mean, "mean"), real(stddev, "stddev"))


# The box kind of each weightinit.init function, and its law (shared with the function).
_TORCH = {
    init.uniform_: (_Random, torch_laws.uniform),
    init.normal_: (_Random, torch_laws.normal),
    init.trunc_normal_: (_Random, torch_laws.trunc_normal),
    init.xavier_uniform_: (_Random, torch_laws.xavier_uniform),
    init.xavier_normal_: (_Random, torch_laws.xavier_normal),
    init.kaiming_uniform_: (_Random, torch_laws.kaiming_uniform),
    init.kaiming_normal_: (_Random, torch_laws.kaiming_normal),
    init.constant_: (_Constant, torch_laws.constant),
    init.ones_: (_Constant, _law_one),
    init.zeros_: (_Constant, _law_zero),
    init.eye_: (_Ones, torch_laws.ones_of_eye),
    init.dirac_: (_Ones, torch_laws.ones_of_dirac),
    init.orthogonal_: (_Orthogonal, torch_laws.orthogonal),
    init.sparse_: (_Sparse, torch_laws.sparse),
}


def _tf(preset: str) -> tuple[Any, ...]:
    """The registry entry of the law table's VarianceScaling preset `preset`."""
    scale, mode, distribution = laws.preset(preset)
    return _Random, _law_variance_scaling, {"scale": scale, "mode": mode,
                                            "distribution": distribution}


#: Initializer names shared by the command line and the Dask, torch and JAX helpers: name ->
#: (box kind, law, fixed arguments). torch names take torch's arguments and fans (layout
#: ``(out, in, *kernel)``): ``uniform`` (a, b), ``normal`` (mean, std), ``trunc_normal``
#: (mean, std, a, b), ``constant`` (val), ``ones``, ``zeros``, ``eye``, ``dirac`` (groups),
#: ``xavier_*`` (gain), ``kaiming_*`` (a, mode, nonlinearity), ``orthogonal`` (gain),
#: ``sparse`` (sparsity, std). TF names take TF1's arguments and fans (layout
#: ``(..., in, out)``): ``truncated_normal`` (mean, stddev; cut at 2 stddev),
#: ``variance_scaling`` (scale, mode, distribution) and its presets ``glorot_*``, ``he_*``,
#: ``lecun_*``. ``values`` (values) writes given values broadcast to the shape; ``norm_of``
#: (of, of_name, of_shape, dim) the magnitude of a weight normalization of parameter
#: `of_name`, drawn by `of` (a name and its arguments).
INITIALIZERS = {
    **{function.__name__[:-1]: (*_TORCH[function], {}) for function in _TORCH},
    "truncated_normal": (_Random, _law_tf_truncated_normal, {}),
    "variance_scaling": (_Random, _law_variance_scaling, {}),
    "values": (_Values, _law_values, {}),
    "norm_of": (_NormOf, _law_norm_of, {}),
    **{name: _tf(name) for name in laws.preset_names()},
}


def resolve(initializer: Any) -> BoxInitializer:
    """The :class:`BoxInitializer` of any accepted form of initializer (see the module doc).

    Arguments are bound to the law's signature here, so a misspelt one fails at once.

    Raises
    ------
    TypeError
        An unsupported object, an unknown argument or one the name fixes.
    ValueError
        An unknown name, or an unseeded random TF1 initializer.
    """
    if isinstance(initializer, BoxInitializer):
        return initializer
    if isinstance(initializer, tf1.Initializer):
        return _TF1(initializer)
    target, kwargs = initializer, {}
    if isinstance(initializer, (tuple, list)) and len(initializer) == 2:
        target, kwargs = initializer
        if not isinstance(kwargs, dict):
            raise TypeError(f"initializer: expected (name or function, dict of arguments), got "
                            f"{initializer!r}")
    if isinstance(target, str):
        if target not in INITIALIZERS:
            raise ValueError(f"initializer: unknown name {target!r}; known: "
                             f"{', '.join(sorted(INITIALIZERS))}")
        name = target
        kind, law, fixed = INITIALIZERS[target]
    elif callable(target) and target in _TORCH:
        name = target.__name__
        (kind, law), fixed = _TORCH[target], {}
    else:
        raise TypeError(f"initializer: expected a seeded weightinit.tf1 initializer, a function "
                        f"of weightinit.init, a name of weightinit.shard.INITIALIZERS or (name "
                        f"or function, kwargs), got {initializer!r}")
    for key in kwargs:
        if key in fixed:
            raise TypeError(f"{name}: argument {key!r} is fixed for this initializer")
    kwargs = {**fixed, **kwargs}
    try:
        inspect.signature(law).bind(None, **kwargs)
    except TypeError as e:
        raise TypeError(f"{name}: {e}") from None
    spec: BoxInitializer = kind(name, law, kwargs)
    return spec


# --- the box functions --------------------------------------------------------------------

def fill_box(out: Any, initializer: Any, global_shape: Any, start: Any = None, *,
             seed: Any = None, stream: int = 0) -> Any:
    """Fill `out` in place with its box of the tensor `initializer` makes; return `out`.

    The result equals ``new_box(initializer, global_shape, ...)[box]`` bit for bit, for any
    box, thread count and order of calls.

    Parameters
    ----------
    out : numpy.ndarray or torch.Tensor
        Writable (CPU), any strides; float16 / bfloat16 / float32 / float64 for random
        initializers, any dtype for constant ones.
    initializer
        A seeded TF1 initializer, a :mod:`weightinit.init` function, a name of
        :data:`INITIALIZERS`, or ``(function or name, kwargs)``; see :func:`resolve`.
    global_shape : sequence of int
        The whole tensor's shape: fans and scales come from it.
    start : sequence of int, optional
        Index of ``out[0, ..., 0]`` in the whole tensor; default the origin.
    seed : int, optional
        Philox key in [0, 2**64); required for random initializers, refused for TF1 ones
        (their key comes from their own seeds).
    stream : int
        Stream id in [0, 2**64), e.g. :func:`stream_for` of the tensor's name.

    Raises
    ------
    ValueError
        The box does not fit in `global_shape`; a box that is not the whole tensor for an
        orthogonal initializer; the initializer's own errors for `global_shape`.
    TypeError
        A missing or refused seed, an unsupported initializer, a dtype it cannot write.
    RuntimeError
        A TF1 initializer filled in a process whose graph seed differs from the one it was
        resolved with.
    """
    spec = resolve(initializer)
    seed, stream = spec.check_seeds(seed, stream)
    global_shape = _fill.check_shape(global_shape, "global_shape")
    shape = tuple(out.shape)
    start = _box(shape, global_shape, start)
    check(out, "out")
    if math.prod(shape) == 0:
        spec.check(global_shape)
        return out
    with no_grad(out):  # initialization is not part of autograd, as in weightinit.init
        spec.fill(out, global_shape, start, seed, stream)
    return out


def new_box(initializer: Any, global_shape: Any, dtype: Any = "float32", start: Any = None,
            stop: Any = None, *, seed: Any = None,
            stream: int = 0) -> np.ndarray:
    """A new array holding the box ``[start, stop)`` of the tensor `initializer` makes.

    Parameters
    ----------
    initializer, global_shape, seed, stream
        As in :func:`fill_box`.
    dtype : dtype or str
        Output dtype (``"bfloat16"`` needs ml_dtypes).
    start, stop : sequence of int, optional
        The box; default the whole tensor.

    Returns
    -------
    numpy.ndarray
        Shape ``stop - start``, C order.
    """
    global_shape = _fill.check_shape(global_shape, "global_shape")
    start = (0,) * len(global_shape) if start is None else tuple(start)
    stop = global_shape if stop is None else tuple(stop)
    if len(start) != len(global_shape) or len(stop) != len(global_shape):
        raise ValueError(f"start, stop: need rank {len(global_shape)}, got {start} and {stop}")
    shape = _fill.check_shape([b - a for a, b in zip(start, stop)], "stop - start")
    out = np.empty(shape, dtype=as_dtype(dtype))
    filled: np.ndarray = fill_box(out, initializer, global_shape, start, seed=seed,
                                  stream=stream)
    return filled
