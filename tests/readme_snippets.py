# SPDX-License-Identifier: BSD-3-Clause
"""Type-check the README's Python snippets and examples/*.py with ``mypy --strict``.

Each fenced ```python block of README.md becomes one module (``readme_1.py``...) in a
temporary directory; mypy then checks them with examples/*.py, with the settings of
pyproject.toml ([tool.mypy]). Run from anywhere with weightinit installed::

    python tests/readme_snippets.py            # mypy's exit status
    python tests/readme_snippets.py --extract DIR   # only write the snippets into DIR
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def blocks(language: str, readme: Path = ROOT / "README.md") -> list[str]:
    """The text of every fenced block of `readme` in `language` (python, bash...), in order."""
    return [m.group(2) for m in _BLOCK.finditer(readme.read_text(encoding="utf-8"))
            if m.group(1) == language]


def snippets(readme: Path = ROOT / "README.md") -> list[str]:
    """The source of every ```python block of `readme`, in order."""
    return blocks("python", readme)


def extract(directory: Path) -> list[Path]:
    """Write the README's snippets into `directory` as readme_<n>.py; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, source in enumerate(snippets(), 1):
        path = directory / f"readme_{n}.py"
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Extract the snippets (``--extract DIR``) or run mypy --strict on them and the examples."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", type=Path, metavar="DIR",
                        help="only write the snippets into DIR")
    args = parser.parse_args(argv)
    if args.extract is not None:
        for path in extract(args.extract):
            print(path)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        files = extract(Path(tmp)) + sorted((ROOT / "examples").glob("*.py"))
        if not files:
            print("no snippets or examples found", file=sys.stderr)
            return 1
        print(f"mypy --strict on {len(files)} files: the README's {len(files) - len(list((ROOT / 'examples').glob('*.py')))} "
              "python blocks and examples/*.py", flush=True)
        cmd = [sys.executable, "-m", "mypy", "--strict",
               "--config-file", str(ROOT / "pyproject.toml"), *map(str, files)]
        return subprocess.call(cmd, cwd=tmp)


if __name__ == "__main__":
    sys.exit(main())
