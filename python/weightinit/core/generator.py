# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.Generator: the counter-based generator behind the torch-style functions.

A generator is a Philox key (its seed), stream id 0 and an offset in counter blocks
(docs/streams.md §2). A draw of ``n`` elements reads blocks ``offset ..
offset + 16 * ceil(n / G) - 1`` (G = 64 for 16/32-bit dtypes, 32 for 64-bit ones, §3) and
moves the offset past them, so successive draws never share a block and a replay from the
same seed and the same sequence of draws gives the same values, whatever the thread count.
"""

from __future__ import annotations

from typing import Any

import operator

import numpy as np

from .. import _core
from .fills import check_seed
from .streams import STREAM, blocks_for, sub_stream  # noqa: F401 (re-exported)

#: Seed of a fresh :class:`Generator` and of the default generator. It is the value
#: ``torch.Generator().initial_seed()`` reports, chosen for familiarity only: the values
#: drawn differ from torch's, which come from another generator (mt19937).
DEFAULT_SEED = 67280421310721

class Generator(_core.Generator):
    """A counter-based random generator for :mod:`weightinit.init`.

    Holds a seed (the Philox key), stream id 0 and an offset in counter blocks. Each draw
    of ``n`` elements uses the blocks starting at the current offset and advances the offset
    by ``16 * ceil(n / G)`` (G = 64 for float16 / bfloat16 / float32, 32 for float64), so

    * successive draws from one generator are independent of each other, and
    * ``Generator(s)`` followed by the same calls gives the same values, for any number of
      threads (``weightinit.set_num_threads``), CPU or SIMD target.

    A call that raises leaves the offset where it was. Thread-safe: the offset is read and
    advanced under a lock, so concurrent draws get disjoint blocks (which thread gets which
    blocks is up to the scheduler).

    Parameters
    ----------
    seed : int, optional
        In [0, 2**64); default :data:`DEFAULT_SEED` (67280421310721).
    """

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        super().__init__(check_seed(seed))

    def manual_seed(self, seed: int) -> "Generator":
        """Set the seed, reset the offset to 0 and return ``self`` (like torch)."""
        self._set_state(check_seed(seed), 0)
        return self

    @property
    def stream(self) -> int:
        """The stream id of every draw: 0."""
        return STREAM

    def get_state(self) -> tuple[Any, ...]:
        """``(seed, offset)``: everything needed to replay from here with :meth:`set_state`."""
        return (self.initial_seed(), self.offset)

    def set_state(self, state: Any) -> "Generator":
        """Restore a state from :meth:`get_state` and return ``self``.

        Raises
        ------
        TypeError, ValueError
            `state` is not a pair of integers in [0, 2**64).
        """
        try:
            seed, offset = state
        except (TypeError, ValueError):
            raise TypeError(f"state: expected (seed, offset) from get_state(), got {state!r}") from None
        self._set_state(check_seed(seed, "state seed"), check_seed(offset, "state offset"))
        return self

    def __reduce__(self) -> Any:
        return (_from_state, self.get_state())

    def __repr__(self) -> str:
        return f"weightinit.Generator(seed={self.initial_seed()}, offset={self.offset})"


def _from_state(seed: int, offset: int) -> Generator:
    return Generator(seed).set_state((seed, offset))


#: The generator used when a function gets ``generator=None``, and the door's
#: ``source=None``.
default_generator = Generator()
_core._set_default_generator(default_generator)


def manual_seed(seed: int) -> Generator:
    """Reset the default generator to `seed` (offset 0) and return it, like ``torch.manual_seed``."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    """The default generator's seed (:data:`DEFAULT_SEED` until :func:`manual_seed`)."""
    return default_generator.initial_seed()


def resolve(generator: Any, argname: str = "generator") -> Generator:
    """A :class:`Generator` for `generator`: itself, the default one for None, or a fresh
    ``Generator(generator)`` for an int seed."""
    if generator is None:
        return default_generator
    if isinstance(generator, Generator):
        return generator
    if not isinstance(generator, (bool, np.bool_)):
        try:
            return Generator(check_seed(operator.index(generator), argname))
        except TypeError:
            pass
    raise TypeError(
        f"{argname}: expected a weightinit.Generator, an int seed or None, got "
        f"{type(generator).__module__}.{type(generator).__name__} (torch.Generator's stream "
        "cannot be reproduced; use weightinit.Generator(seed))"
    )
