# SPDX-License-Identifier: BSD-3-Clause
"""``weightinit.torch``: :func:`materialize` (a model's parameters from its own init's laws,
see :mod:`weightinit.materialize`) and sharded initialization (see
:mod:`weightinit.shard.torch`)."""

from .materialize import materialize
from .shard.torch import *  # noqa: F401,F403
from .shard.torch import __all__ as _sharded

__all__ = [*_sharded, "materialize"]
