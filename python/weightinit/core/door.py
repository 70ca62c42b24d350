# SPDX-License-Identifier: BSD-3-Clause
"""The compiled core's entries, for the rest of the package: no module outside ``core/``
imports ``weightinit._core``.

The door (docs/architecture.md)::

    fill(out, law, source=None, *, stream=0, offset=0, box=None, name="out",
         no_grad=False, strict=False)
    orthogonal(out, rows, cols, gain, source=None, *, stream=0, offset=0, name="out",
               no_grad=False)

`source` is None (the default generator), a :class:`weightinit.Generator` (its key from its
offset, which the draw advances) or an integer key (drawn from `offset`) on stream id
`stream`; ``box=(global_shape, start)`` places `out` in a whole tensor. A tuple of laws with
a tuple of as many outputs is one draw of sub-streams (``sparse_``'s values and row keys).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _core

#: The one fill door and the orthogonal matrix, through the same prologue.
fill = _core.fill
orthogonal = _core.orthogonal

#: The law table: what every element is drawn from (laws.hpp), and the named initializers.
Law = _core.Law
laws = _core.laws

#: The stream of a draw: key, stream id, offset and family, one named constructor per seed
#: policy (stream.hpp); a door's `source` may be one.
Stream = _core.Stream

#: The TF1 classes, seeds and partitions (the C++ state behind weightinit.tf1).
tf1 = _core.tf1

if TYPE_CHECKING:
    from .._core import _PartitionInfo as PartitionInfoBase
else:
    #: The C++ partition (TF's ``_PartitionInfo``), the base of weightinit.tf1's.
    PartitionInfoBase = _core.tf1.PartitionInfo

#: Fans, float conversion by the bindings' rules, targets and threads.
compute_fans = _core.compute_fans
real = _core.real
available_targets = _core.available_targets
active_target = _core.active_target
set_target = _core.set_target
get_num_threads = _core.get_num_threads
set_num_threads = _core.set_num_threads

#: The C++ core's version and the stream family's version (docs/streams.md).
VERSION: str = _core.__version__
STREAM_VERSION: int = _core.STREAM_VERSION

__all__ = ["Law", "PartitionInfoBase", "Stream", "STREAM_VERSION", "VERSION", "active_target", "available_targets",
           "compute_fans", "fill", "get_num_threads", "laws", "orthogonal", "real",
           "set_num_threads", "set_target", "tf1"]
