# SPDX-License-Identifier: BSD-3-Clause
"""The core: the fill layer (the one door to C++), generators, stream ids, dtypes, threads."""

from __future__ import annotations

from .door import Law, laws
from .fills import check_seed, check_shape, fill, is_dtensor, is_torch_tensor, new
from .generator import Generator, default_generator, initial_seed, manual_seed
from .streams import blocks_for, stream_for, sub_stream

__all__ = ["Generator", "Law", "laws", "blocks_for", "check_seed", "check_shape",
           "default_generator", "fill", "initial_seed", "is_dtensor", "is_torch_tensor",
           "manual_seed", "new", "stream_for", "sub_stream"]
