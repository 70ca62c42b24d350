# SPDX-License-Identifier: BSD-3-Clause
"""weightinit: neural-network weight initializers with values that never depend on threads,
CPU, shard layout or platform. See docs/streams.md for the stream specification."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

import importlib
from typing import Any

from .core import Law, fill, new, stream_for
from .core import door as _door
from .core.generator import Generator, default_generator, initial_seed, manual_seed

# The TF1 API at top level (weightinit.tf1's __all__), as tf.compat.v1 has it.
from . import tf1
from .tf1 import *  # noqa: F401,F403

# The torch.nn.init API lives in weightinit.init; its generator is top level, as torch's is.
from . import init

# Submodules that import a framework (or are large) load on first use: weightinit.keras,
# .shard, .dask, .jax, .torch, .checkpoint (PEP 562).
_LAZY = ("keras", "shard", "dask", "jax", "torch", "checkpoint", "hf")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'weightinit' has no attribute {name!r}")


def __dir__() -> list[Any]:
    return sorted(list(globals()) + list(_LAZY))


try:
    __version__ = _version("weightinit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = _door.VERSION

STREAM_VERSION: int = _door.STREAM_VERSION  # the stream family's version (docs/streams.md)


def _check_target_env() -> None:
    import os
    import warnings

    wanted = os.environ.get("WEIGHTINIT_TARGET", "")
    if wanted and wanted != _door.active_target():
        warnings.warn(
            f"WEIGHTINIT_TARGET={wanted!r} is not an available target "
            f"({', '.join(_door.available_targets())}); using {_door.active_target()!r}",
            RuntimeWarning,
            stacklevel=3,
        )


_check_target_env()


def cpu_targets() -> dict[str, Any]:
    """The kernel targets this CPU runs (``"available"``, scalar first) and the one in use."""
    return {"available": list(_door.available_targets()), "active": _door.active_target()}


def set_target(name: str) -> None:
    """Use kernel target `name` (one of ``cpu_targets()["available"]``) for later fills."""
    _door.set_target(name)


def get_num_threads() -> int:
    """Threads a fill may use; output never depends on it."""
    return _door.get_num_threads()


def set_num_threads(n: int) -> None:
    """Set the threads later fills may use (n >= 1)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n: expected an int, got {type(n).__name__}")
    _door.set_num_threads(n)


def compute_fans(shape: Any, layout: str = "tf") -> tuple[Any, ...]:
    """(fan_in, fan_out) of `shape`: layout ``"tf"`` is (..., in, out), ``"torch"`` (out, in, *k)."""
    return tuple(_door.compute_fans(list(shape), layout))


__all__ = [
    "Generator",
    "Law",
    "default_generator",
    "initial_seed",
    "manual_seed",
    "init",
    "tf1",
    "STREAM_VERSION",
    "__version__",
    "compute_fans",
    "cpu_targets",
    "fill",
    "get_num_threads",
    "new",
    "set_num_threads",
    "set_target",
    "stream_for",
]
__all__ += tf1.__all__
