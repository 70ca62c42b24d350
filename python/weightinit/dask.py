# SPDX-License-Identifier: BSD-3-Clause
"""``weightinit.dask``: see :mod:`weightinit.shard.dask`."""

from .shard.dask import *  # noqa: F401,F403
from .shard.dask import __all__  # noqa: F401
