# SPDX-License-Identifier: BSD-3-Clause
"""Stream ids and counter positions (docs/streams.md §2-3)."""

from __future__ import annotations

import functools

from .. import _core

#: The stream id every generator draws on (docs/streams.md §2).
STREAM = 0

#: The stream family's version as files record it (``"v2"``): checkpoint metadata, the
#: configs of the Keras initializers.
STREAM_TAG = f"v{_core.STREAM_VERSION}"


def blocks_for(numel: int, itemsize: int) -> int:
    """Counter blocks a fill of `numel` elements of `itemsize` bytes reads (streams.md §3):
    ``16 * ceil(numel / G)``, G = 32 for 8-byte elements, 64 otherwise (the C++ rule)."""
    return _core.blocks_for(numel, itemsize)


@functools.lru_cache(maxsize=1024)
def sub_stream(k: int, stream: int = STREAM) -> int:
    """Stream id of sub-draw `k` (0 <= k < 256; 0 is `stream` itself): ``stream XOR (k << 56)``
    (§2), as ``weightinit::Stream::sub_stream`` computes it (cached: the torch-style functions
    ask for it on every call).

    Raises
    ------
    ValueError
        `k` outside [0, 256), `stream` outside [0, 2**64).
    """
    return _core.Stream(0, stream).sub_stream(k).stream_id


def stream_for(name: str) -> int:
    """The stream id of a named tensor (a checkpoint's parameter): a function of its name only.

    ``int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")``:
    the 8-byte unkeyed BLAKE2b digest of the UTF-8 name (BLAKE2b with an 8-byte output, which
    is not the first 8 bytes of a 64-byte digest) read as a little-endian integer in
    [0, 2**64), computed by the C++ core (``weightinit::Stream::name_id``, which a C++ program
    uses to regenerate a parameter). With the run's seed as the Philox key, a parameter is
    regenerated alone from (seed, name), whatever the order or number of parameters and
    processes.

    Raises
    ------
    TypeError
        `name` is not a str.
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str, got {type(name).__name__}")
    return _core.Stream.name_id(name)
