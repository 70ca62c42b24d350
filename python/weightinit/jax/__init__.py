# SPDX-License-Identifier: BSD-3-Clause
"""weightinit for JAX: sharded arrays and ``jax.nn.initializers``-style initializers.

* :func:`array`: a sharded ``jax.Array`` of any weightinit initializer, each shard made on
  the host where it lives (:mod:`weightinit.shard.jax`).
* :mod:`weightinit.jax.initializers`: ``jax.nn.initializers``' functions, same arguments and
  defaults, with values that are a pure function of the JAX key (docs/streams.md), for
  ``flax.linen`` and ``flax.nnx`` layers.

Needs jax (``pip install 'weightinit[jax]'``).
"""

from __future__ import annotations

from ..shard.jax import array
from . import initializers

__all__ = ["array", "initializers"]
