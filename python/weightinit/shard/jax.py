# SPDX-License-Identifier: BSD-3-Clause
"""JAX: a sharded ``jax.Array`` whose shards are initialized where they live.

Built on ``jax.make_array_from_callback``: each device's shard is
:func:`weightinit.shard.new_box` of its own index, made on the host with no whole tensor,
and equal to the same slice of the unsharded tensor. Needs jax (``pip install
'weightinit[jax]'``).
"""

from __future__ import annotations

from typing import Any

try:
    import jax
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("weightinit.jax needs jax: pip install 'weightinit[jax]'") from e

from .. import shard
from ..core.dtypes import as_dtype
from ..core.fills import check_shape

__all__ = ["array"]


def array(initializer: Any, shape: Any, sharding: Any, dtype: Any = "float32", *,
          seed: Any = None, stream: int = 0) -> Any:
    """A ``jax.Array`` of the tensor `initializer` makes, laid out by `sharding`.

    Parameters
    ----------
    initializer
        Any form :func:`weightinit.shard.resolve` accepts.
    shape : sequence of int
        The global shape.
    sharding : jax.sharding.Sharding
        E.g. ``NamedSharding(mesh, PartitionSpec("x", None))``.
    dtype : dtype or str
        float16, bfloat16, float32, or float64 (needs ``jax_enable_x64``).
    seed, stream : int
        Philox key (required for random initializers) and stream id.

    Raises
    ------
    ValueError
        float64 without ``jax_enable_x64``; a sharding that splits an initializer needing the
        whole tensor (orthogonal); see also :func:`weightinit.shard.fill_box`.
    """
    spec = shard.resolve(initializer)
    seed, stream = spec.check_seeds(seed, stream)
    shape = check_shape(shape)
    dt = as_dtype(dtype)
    spec.check(shape)
    if jax.dtypes.canonicalize_dtype(dt) != dt:
        raise ValueError(f"dtype: JAX would convert {dt.name} to "
                         f"{jax.dtypes.canonicalize_dtype(dt).name}; enable jax_enable_x64")

    def shard_of(index: Any) -> Any:
        start, stop = shard.box_of_slices(index, shape)
        return shard.new_box(spec, shape, dt, start, stop, seed=seed, stream=stream)

    return jax.make_array_from_callback(shape, sharding, shard_of)
