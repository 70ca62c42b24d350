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
from ..core.fills import is_dtensor

__all__ = ["init_sharded_"]


def local_box(dtensor: Any, argname: str = "tensor") -> tuple[Any, ...]:
    """``(local tensor, global shape, offset)`` of this rank's shard of `dtensor`: the box of
    the whole tensor it holds (torch's chunk of it: an uneven last shard, or an empty one, as
    torch cuts it; padding that FSDP2 keeps after it is not part of the box).

    Raises
    ------
    ValueError
        A Partial placement (its ranks hold summands of the tensor, not slices of it), or a
        local tensor whose shape is not its chunk's, naming `argname`.
    """
    partial = [str(p) for p in dtensor.placements if p.is_partial()]
    if partial:
        raise ValueError(f"{argname}: a Partial placement ({partial[0]}) holds summands of the "
                         "tensor, not a slice of it; initialize a DTensor with Shard or "
                         "Replicate placements")
    # __create_chunk_list__ is the distributed-checkpoint protocol: the local shard's global
    # offsets and sizes, for even and uneven Shard / Replicate placements, on any mesh.
    chunks = dtensor.__create_chunk_list__()
    if len(chunks) != 1:
        raise ValueError(f"{argname}: expected one local shard per rank, got {len(chunks)}")
    local = dtensor.to_local()
    offset = tuple(int(o) for o in chunks[0].offsets)
    if tuple(chunks[0].sizes) != tuple(local.shape):
        raise ValueError(f"{argname}: local shard of shape {tuple(local.shape)} does not match "
                         f"its chunk {tuple(chunks[0].sizes)} at {offset}")
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
    if is_dtensor(tensor):
        if global_shape is not None or offset is not None:
            raise TypeError("global_shape, offset: a DTensor has its own; pass them only with a "
                            "local shard")
        with torch.no_grad():
            local, global_shape, offset = local_box(tensor)
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
