# SPDX-License-Identifier: BSD-3-Clause
"""torch.distributed: initialize a DTensor, or a local shard, as a slice of the whole tensor.

Every rank fills only its own shard, from the shard's offset in the global tensor, with no
communication; the gathered tensor equals a single-process initialization bit for bit, for
any mesh, placement and number of ranks. Needs torch (``pip install 'weightinit[torch]'``).
"""

from __future__ import annotations

from typing import Any

try:
    import torch
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("weightinit.torch needs torch: pip install 'weightinit[torch]'") from e

from .. import shard

__all__ = ["init_sharded_"]


def _dtensor_type() -> Any:
    try:
        from torch.distributed.tensor import DTensor
    except ImportError:  # a torch built without distributed support
        return None
    return DTensor


def _local_box(dtensor: Any) -> tuple[Any, ...]:
    """``(local tensor, global shape, offset)`` of this rank's shard of `dtensor`."""
    # __create_chunk_list__ is the distributed-checkpoint protocol: the local shard's global
    # offsets and sizes, for even and uneven Shard / Replicate placements (Partial raises).
    chunks = dtensor.__create_chunk_list__()
    if len(chunks) != 1:
        raise ValueError(f"tensor: expected one local shard per rank, got {len(chunks)}")
    local = dtensor.to_local()
    offset = tuple(int(o) for o in chunks[0].offsets)
    if tuple(chunks[0].sizes) != tuple(local.shape):
        raise ValueError(f"tensor: local shard of shape {tuple(local.shape)} does not match its "
                         f"chunk {tuple(chunks[0].sizes)} at {offset}")
    return local, tuple(dtensor.shape), offset


def init_sharded_(tensor: Any, initializer: Any, *, seed: Any = None, stream: int = 0,
                  global_shape: Any = None,
                  offset: Any = None) -> Any:
    """Initialize a DTensor's local shard, or a local shard at `offset`, in place.

    Parameters
    ----------
    tensor : torch.distributed.tensor.DTensor or torch.Tensor
        A DTensor (Shard / Replicate placements; its global shape and this rank's offset are
        its own), or a plain tensor holding the box at `offset` of a tensor of
        `global_shape`. CPU tensors are filled in place; others through a CPU copy.
    initializer
        Any form :func:`weightinit.shard.resolve` accepts (name with arguments, a function of
        :mod:`weightinit.init`, a seeded TF1 initializer).
    seed, stream : int
        Philox key (required for random initializers) and stream id; the same on every rank.
    global_shape, offset : sequence of int, optional
        For a plain tensor only: the whole tensor's shape (default the tensor's) and the
        index of its first element in it (default the origin).

    Returns
    -------
    The `tensor` argument.

    Raises
    ------
    TypeError
        `global_shape` / `offset` given with a DTensor; see also
        :func:`weightinit.shard.fill_box`.
    ValueError
        A Partial placement, a shard outside `global_shape`, or a real shard of an
        initializer that needs the whole tensor (orthogonal).
    """
    dtensor = _dtensor_type()
    if dtensor is not None and isinstance(tensor, dtensor):
        if global_shape is not None or offset is not None:
            raise TypeError("global_shape, offset: a DTensor has its own; pass them only with a "
                            "local shard")
        with torch.no_grad():
            local, global_shape, offset = _local_box(tensor)
    else:
        local = tensor
        global_shape = tuple(local.shape) if global_shape is None else global_shape
    with torch.no_grad():
        if local.device.type == "cpu":
            shard.fill_box(local, initializer, global_shape, offset, seed=seed, stream=stream)
        else:
            staged = torch.empty(local.shape, dtype=local.dtype)
            shard.fill_box(staged, initializer, global_shape, offset, seed=seed, stream=stream)
            local.copy_(staged)
    return tensor
