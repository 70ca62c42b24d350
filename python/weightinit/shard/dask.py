# SPDX-License-Identifier: BSD-3-Clause
"""Dask arrays of initialized tensors: every block computed on its own, anywhere.

Needs ``dask[array]`` (and ``distributed`` for a cluster): ``pip install 'weightinit[dask]'``.
Each block is :func:`weightinit.shard.new_box` of its own box, so the blocks can run on any
worker, in any order, and together equal the unchunked tensor bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    import dask.array as da
    from dask.array.core import normalize_chunks
    from dask.base import tokenize
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("weightinit.dask needs dask: pip install 'weightinit[dask]'") from e

from .. import shard
from ..core.dtypes import as_dtype
from ..core.fills import check_shape

__all__ = ["array"]


def array(initializer: Any, shape: Any, chunks: Any = "auto", dtype: Any = "float32", *,
          seed: Any = None, stream: int = 0,
          name: str | None = None) -> Any:
    """A lazy dask array of the tensor `initializer` makes, computed block by block.

    Parameters
    ----------
    initializer
        Any form :func:`weightinit.shard.resolve` accepts: a name with arguments
        (``("normal", {"std": 0.02})``), a function of :mod:`weightinit.init`, a seeded TF1
        initializer.
    shape : sequence of int
        The whole tensor's shape (fans come from it).
    chunks
        Anything ``dask.array`` accepts (``"auto"``, an int, a tuple per axis...).
    dtype : dtype or str
        float16, bfloat16 (ml_dtypes), float32 or float64; any dtype for constants.
    seed, stream : int
        Philox key (required for random initializers) and stream id; see
        :func:`weightinit.shard.fill_box`.
    name : str, optional
        The dask key name; default a hash of every argument, so equal calls share keys.

    Returns
    -------
    dask.array.Array

    Raises
    ------
    ValueError
        Several chunks for an initializer that needs the whole tensor (orthogonal), and
        every argument error :func:`weightinit.shard.fill_box` raises, here rather than at
        compute time.
    """
    spec = shard.resolve(initializer)
    seed, stream = spec.check_seeds(seed, stream)
    shape = check_shape(shape)
    dt = as_dtype(dtype)
    spec.check(shape)
    chunks = normalize_chunks(chunks, shape, dtype=dt)
    if spec.whole_only and any(len(c) > 1 for c in chunks):
        raise ValueError(f"{spec.name}: needs the whole tensor in one block, got chunks {chunks}")
    if name is None:
        name = "weightinit-" + tokenize(repr(spec), shape, chunks, dt.name, seed, stream)
    return da.map_blocks(_block, chunks=chunks, dtype=dt, meta=np.empty((0,) * len(shape), dt),
                         name=name, initializer=spec, global_shape=shape, seed=seed,
                         stream=stream)


def _block(block_info: Any = None, *, initializer: Any, global_shape: Any, seed: Any,
           stream: Any) -> Any:
    """One block: its box of the whole tensor (dask passes where the block lies)."""
    info = block_info[None]
    start, stop = zip(*info["array-location"]) if global_shape else ((), ())
    return shard.new_box(initializer, global_shape, info["dtype"], start, stop, seed=seed,
                         stream=stream)
