# SPDX-License-Identifier: BSD-3-Clause
"""``python -m weightinit`` and the ``weightinit`` console script (see weightinit._cli)."""

from __future__ import annotations

import sys

from weightinit.checkpoint.cli import cmake_dir, main

__all__ = ["cmake_dir", "main"]

if __name__ == "__main__":
    sys.exit(main())
