# SPDX-License-Identifier: BSD-3-Clause
"""``weightinit.torch``: see :mod:`weightinit.shard.torch`."""

from .shard.torch import *  # noqa: F401,F403
from .shard.torch import __all__  # noqa: F401
