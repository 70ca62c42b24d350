# SPDX-License-Identifier: BSD-3-Clause
"""``weightinit.jax``: see :mod:`weightinit.shard.jax`."""

from .shard.jax import *  # noqa: F401,F403
from .shard.jax import __all__  # noqa: F401
