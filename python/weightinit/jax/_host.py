# SPDX-License-Identifier: BSD-3-Clause
"""From a JAX key to a ``jax.Array`` made on the host: keys, dtypes, shapes, callbacks, shardings.

The values of a tensor are a pure function of the key's data (docs/streams.md, "JAX keys"):
the data's uint32 words become the Philox key and stream id, and the tensor is written by
the fill door (``door.fill``) or, for orthogonal matrices, by ``door.orthogonal``. A
concrete key is read at once; a traced one (under ``jax.jit``, ``jax.vmap``) goes to the host
through ``jax.pure_callback``.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Optional, Union

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

from ..core import door
from ..core import Law
from ..core.buffers import real as _real
from ..core.dtypes import FLOAT_NAMES
from ..core.fills import check_shape as _check_shape
from ..shard import box_of_slices

OutSharding = Optional[Union[NamedSharding, PartitionSpec]]
"""What an initializer's ``out_sharding`` takes, as in ``jax.nn.initializers``."""

Shape = tuple[int, ...]
WholeFill = Callable[[np.ndarray, int, int], None]
"""Writes a whole C-contiguous tensor from (Philox key, stream id): orthogonal matrices."""

_KEY_WORDS = (2, 4)  # threefry2x32; rbg and unsafe_rbg


# --- arguments -------------------------------------------------------------------------------

def real(value: Any, argname: str) -> float:
    """`value` (a Python or NumPy number, or a concrete 0-d array) as a float.

    Raises
    ------
    TypeError
        A bool, a string, a traced value or anything without a float value.
    ValueError
        NaN, an infinity, or an int beyond the float64 range.
    """
    if isinstance(value, jax.core.Tracer):
        raise TypeError(f"{argname}: must be a concrete number, not a traced value: build the "
                        "initializer outside jax.jit")
    return _real(value, argname, numbers_only=False)


def axes(value: Any, argname: str) -> Union[int, tuple[int, ...]]:
    """An axis or a sequence of axes (Python ints), checked for type only (ranges need a rank)."""
    def one(a: Any) -> int:
        if isinstance(a, (bool, np.bool_)):
            raise TypeError(f"{argname}: axes must be integers, got {a!r}")
        try:
            return operator.index(a)
        except TypeError:
            raise TypeError(f"{argname}: expected an int or a sequence of ints, got {value!r}") from None

    if isinstance(value, (int, np.integer)):
        return one(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{argname}: expected an int or a sequence of ints, got {value!r}")
    return tuple(one(a) for a in value)


def axis_in(axis: int, rank: int, argname: str) -> int:
    """`axis` of a shape of `rank`, in [0, rank); ValueError naming `argname` when out of range."""
    if not -rank <= axis < rank:
        raise ValueError(f"{argname}: axis {axis} is out of range for a shape of rank {rank}")
    return axis % rank


def check_shape(shape: Any) -> Shape:
    """A static shape: a sequence of non-negative Python ints.

    Raises
    ------
    TypeError
        Not a sequence, a non-integer or a traced dimension (``jax.jit`` needs the shape
        static: ``static_argnums=1``).
    ValueError
        A negative dimension.
    """
    if isinstance(shape, (Sequence, np.ndarray)) and not isinstance(shape, (str, bytes)):
        for d in shape:
            if isinstance(d, jax.core.Tracer):
                raise TypeError("shape: must be static (Python ints), got a traced dimension; "
                                "under jax.jit mark it static, e.g. jax.jit(init, static_argnums=1)")
    elif not isinstance(shape, (int, np.integer)) or isinstance(shape, (bool, np.bool_)):
        raise TypeError(f"shape: expected a sequence of integers, got {shape!r}")
    result: Shape = _check_shape(shape)
    return result


def float_dtype(dtype: Any, *, warn: bool = True) -> np.dtype:
    """The output dtype: `dtype`, or JAX's default float dtype for None.

    float64 without ``jax_enable_x64`` becomes float32 with a UserWarning, as JAX's own
    random functions do.

    Raises
    ------
    TypeError
        Not a dtype, or not float16, bfloat16, float32 or float64 (complex dtypes included).
    """
    dt: np.dtype
    if dtype is None:
        dt = np.dtype(jax.dtypes.canonicalize_dtype(float))
        return dt
    try:
        dt = np.dtype(jnp.dtype(dtype))
    except (TypeError, ValueError):
        raise TypeError(f"dtype: {dtype!r} is not a dtype") from None
    if dt.name not in FLOAT_NAMES:
        raise TypeError(f"dtype: weightinit.jax.initializers make float16, bfloat16, float32 or "
                        f"float64 arrays, got {dt.name}")
    canonical = np.dtype(jax.dtypes.canonicalize_dtype(dt))
    if canonical != dt:
        if warn:
            warnings.warn(f"dtype: {dt.name} is not available without jax_enable_x64 and is "
                          f"truncated to {canonical.name}, as JAX does", UserWarning, stacklevel=3)
        dt = canonical
    return dt


# --- keys -------------------------------------------------------------------------------------

def key_data(key: Any) -> Any:
    """The uint32 words of a single JAX key (typed or raw), concrete or traced.

    Raises
    ------
    TypeError
        Anything but one typed key (``jax.random.key``) or one raw uint32 key
        (``jax.random.PRNGKey``) of 2 or 4 words.
    """
    if not isinstance(key, (jax.Array, np.ndarray)):
        raise TypeError("key: expected a JAX PRNG key (jax.random.key(seed) or "
                        f"jax.random.PRNGKey(seed)), got {type(key).__name__}")
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise TypeError(f"key: expected a single key, got a key array of shape {key.shape}; "
                            "map over keys with jax.vmap")
        data: Any = jax.random.key_data(key)
    elif key.dtype == np.uint32 and key.ndim == 1:
        data = key
    else:
        raise TypeError("key: expected a JAX PRNG key (jax.random.key(seed) or "
                        f"jax.random.PRNGKey(seed)), got an array of dtype {key.dtype} and shape "
                        f"{key.shape}")
    if data.shape[-1] not in _KEY_WORDS:
        raise TypeError(f"key: key data of {data.shape[-1]} words; weightinit maps keys of 2 "
                        "words (threefry2x32) or 4 (rbg, unsafe_rbg)")
    return data


def seed_and_stream(words: np.ndarray) -> tuple[int, int]:
    """(Philox key, stream id) of one key's uint32 words (docs/streams.md, "JAX keys").

    2 words ``w``: key ``w[0] * 2**32 + w[1]``, stream 0 (so ``jax.random.key(s)`` gives the
    tensor ``weightinit.new`` gives with ``seed=s``); 4 words: the same key and stream
    ``w[2] * 2**32 + w[3]``: ``weightinit::Stream::jax``.
    """
    stream = door.Stream.jax(np.asarray(words, dtype=np.uint32).reshape(-1).tolist())
    return stream.key, stream.stream_id


# --- one tensor ---------------------------------------------------------------------------------

class Draw:
    """How one tensor of a global shape and dtype is written from (Philox key, stream id).

    Either a :class:`weightinit.Law` (any box of the tensor can be written on its own, through
    the fill door), or a whole-tensor writer (orthogonal matrices), or nothing (an empty
    tensor).
    """

    def __init__(self, shape: Shape, dtype: np.dtype, law: Optional[Law] = None,
                 whole: Optional[WholeFill] = None) -> None:
        self.shape = shape
        self.dtype = dtype
        self.law = law
        self.whole = whole

    def into(self, out: np.ndarray, seed: int, stream: int) -> None:
        """Write the whole tensor into `out` (any strides for a law; C-contiguous otherwise)."""
        if out.size == 0:
            return
        if self.law is not None:
            door.fill(out, self.law, seed, stream=stream)
        elif self.whole is not None:
            self.whole(out, seed, stream)
        else:  # pragma: no cover - every non-empty draw has a law or a writer
            raise AssertionError("a non-empty tensor without a law")

    def array(self, seed: int, stream: int) -> np.ndarray:
        out = np.empty(self.shape, self.dtype)
        self.into(out, seed, stream)
        return out

    def box(self, seed: int, stream: int, start: Sequence[int], stop: Sequence[int]) -> np.ndarray:
        """The box [start, stop) of the tensor, equal to that slice of :meth:`array`."""
        out = np.empty(tuple(b - a for a, b in zip(start, stop)), self.dtype)
        if out.size and self.law is not None:
            door.fill(out, self.law, seed, stream=stream, box=(list(self.shape), list(start)))
        elif out.size:
            return self.array(seed, stream)[tuple(slice(a, b) for a, b in zip(start, stop))]
        return out


def _check_sharding(out_sharding: Any) -> None:
    if out_sharding is not None and not isinstance(out_sharding, (NamedSharding, PartitionSpec)):
        raise TypeError("out_sharding: expected a jax.sharding.NamedSharding, a PartitionSpec "
                        f"(under jax.set_mesh) or None, got {type(out_sharding).__name__}")


def _concrete_sharding(out_sharding: Union[NamedSharding, PartitionSpec]) -> NamedSharding:
    """A NamedSharding over real devices (a PartitionSpec takes the mesh of ``jax.set_mesh``)."""
    if isinstance(out_sharding, NamedSharding) and isinstance(out_sharding.mesh, jax.sharding.Mesh):
        return out_sharding
    mesh = jax.sharding.get_mesh()
    if mesh.empty:
        raise ValueError(f"out_sharding: {out_sharding} needs a mesh of devices: pass a "
                         "NamedSharding(mesh, spec), or call inside `with jax.set_mesh(mesh):`")
    spec = out_sharding if isinstance(out_sharding, PartitionSpec) else out_sharding.spec
    return NamedSharding(mesh, spec)


def _constrain(x: jax.Array, out_sharding: Union[NamedSharding, PartitionSpec]) -> jax.Array:
    """Lay out a traced `x` (made whole by one host callback) as `out_sharding` asks: a
    reshard on a mesh with Explicit axes, a sharding constraint on one with Auto axes."""
    mesh = (out_sharding.mesh if isinstance(out_sharding, NamedSharding)
            else jax.sharding.get_abstract_mesh())
    if any(t == jax.sharding.AxisType.Explicit for t in mesh.axis_types):
        # reshard and with_sharding_constraint carry no annotations in jax 0.10.
        resharded: jax.Array = jax.sharding.reshard(x, out_sharding)  # type: ignore[no-untyped-call]
        return resharded
    constrained: jax.Array = jax.lax.with_sharding_constraint(  # type: ignore[no-untyped-call]
        x, out_sharding)
    return constrained


def realize(draw: Draw, key: Any, out_sharding: OutSharding) -> jax.Array:
    """The ``jax.Array`` of `draw` for `key`, laid out by `out_sharding`.

    A concrete key: made on the host now (with a sharding, each shard of a law made on its
    own, as :func:`weightinit.jax.array`). A traced key: a ``jax.pure_callback`` that makes
    it on the host when the computation runs; batched by ``jax.vmap`` with
    ``vmap_method="expand_dims"`` (one host call for all keys of the batch).
    """
    data = key_data(key)
    _check_sharding(out_sharding)
    if isinstance(data, jax.core.Tracer):
        def host(words: np.ndarray) -> np.ndarray:
            words = np.asarray(words, dtype=np.uint32)
            batch = words.shape[:-1]
            out = np.empty(batch + draw.shape, draw.dtype)
            for index in np.ndindex(*batch):
                draw.into(out[index], *seed_and_stream(words[index]))
            return out

        # ShapeDtypeStruct carries no annotations in jax 0.10.
        spec = jax.ShapeDtypeStruct(draw.shape, draw.dtype)  # type: ignore[no-untyped-call]
        result: jax.Array = jax.pure_callback(host, spec, data, vmap_method="expand_dims")
        return result if out_sharding is None else _constrain(result, out_sharding)
    seed, stream = seed_and_stream(np.asarray(data))
    if out_sharding is None:
        return jnp.asarray(draw.array(seed, stream))
    sharding = _concrete_sharding(out_sharding)
    if draw.law is None:
        placed: jax.Array = jax.device_put(draw.array(seed, stream), sharding)
        return placed

    def shard_of(index: Optional[tuple[slice, ...]]) -> np.ndarray:
        start, stop = box_of_slices(index or (), draw.shape)
        return draw.box(seed, stream, start, stop)

    return jax.make_array_from_callback(draw.shape, sharding, shard_of)


def orthogonal_into(out: np.ndarray, rows: int, cols: int, gain: float, seed: int,
                    stream: int) -> None:
    """Write `gain` times a Haar (semi-)orthogonal ``rows x cols`` matrix into the
    C-contiguous `out` (``out.size == rows * cols``): orthonormal columns when
    ``rows >= cols``, orthonormal rows otherwise."""
    door.orthogonal(out, rows, cols, gain, seed, stream=stream)
