# SPDX-License-Identifier: BSD-3-Clause
"""Optional test dependencies: absent means skipped, installed but broken means failed.

``require("distributed", extra="dask")`` returns the module. When the package is not installed
the calling test module (or test) is skipped, naming the extra that brings it. When it is
installed but does not import (a pair of packages that pip resolved to versions that do not
work together, a half-finished install), the test fails with the import error and the fix:
conftest.py turns a test module that stopped on one into a single failing test, so the rest
of the suite still runs and the run still fails.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from types import ModuleType
from typing import Dict, Optional

import pytest

# Test module file -> message, for the modules whose import stopped on a broken dependency.
BROKEN: Dict[str, str] = {}


class BrokenDependency(ImportError):
    """An installed optional package that does not import."""


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def installed(name: str) -> Optional[ModuleType]:
    """`name` imported, or None when its package is absent; a broken install raises."""
    if not _installed(name.partition(".")[0]):
        return None
    try:
        return importlib.import_module(name)
    except Exception as e:  # noqa: BLE001
        raise BrokenDependency(f"{name} is installed but does not import: "
                               f"{type(e).__name__}: {e}") from e


def require(name: str, *, extra: Optional[str] = None, minversion: Optional[str] = None,
            distribution: Optional[str] = None) -> ModuleType:
    """Import `name`: skip if its package is absent (or older than `minversion`), fail if it is
    installed but broken."""
    top = name.partition(".")[0]
    how = f'pip install ".[{extra}]"' if extra else f"pip install {distribution or top}"
    if not _installed(top):
        pytest.skip(f"{top} is not installed ({how})", allow_module_level=True)
    if minversion is not None:
        from packaging.version import Version
        version = importlib.metadata.version(distribution or top)
        if Version(version) < Version(minversion):
            pytest.skip(f"{top} {version} is older than {minversion} ({how})",
                        allow_module_level=True)
    try:
        return importlib.import_module(name)
    except Exception as e:  # noqa: BLE001  (any failure of an installed package is the point)
        message = (f"{name} is installed but does not import: {type(e).__name__}: {e}. "
                   f"Reinstall it in a fresh environment ({how}).")
        caller = sys._getframe(1).f_globals.get("__file__")
        if caller:
            BROKEN[caller] = message
        raise BrokenDependency(message) from e
