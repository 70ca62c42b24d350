# SPDX-License-Identifier: BSD-3-Clause
"""Every snippet and command of README.md runs as written, after the install lines it gives.

* Each ```python block runs in a fresh interpreter, in an empty folder, with the frameworks it
  imports (skipped when one is absent) and with no ``KERAS_BACKEND`` from outside: a block
  that needs a backend names it itself.
* Each ```bash block runs in bash (``set -e``), in an empty folder, with this interpreter's
  ``python`` and ``weightinit`` first on the PATH; its ``pip install`` lines are the install
  lines of .ci/run (checked below), not run here. Background jobs (``&``) end with the block.
* The blocks that install the package or build the C++ library (the two commands of "Install
  and run", the framework suite, CMake) are what .ci/run runs: each of their lines, and every
  other ``pip install`` of the README, appears in .ci/run verbatim, or installs extras that a
  verbatim line of .ci/run installs.
"""

import ast
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import readme_snippets
from optional import require

ROOT = Path(__file__).resolve().parent.parent
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
FRAMEWORKS = {"torch": "torch", "jax": "jax", "flax": "jax", "keras": "keras",
              "transformers": "hf", "distributed": "dask", "dask": "dask"}
TIMEOUT = 900


def commands(block):
    """The command lines of a bash block, comments removed."""
    return [line.split("  #")[0].rstrip() for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def run_by_ci(block):
    """Blocks that install the package itself or build the C++ library: .ci/run runs them."""
    return any(line.startswith(("pip install .", "pip install \".[test", "pip install torch",
                                "cmake ")) for line in commands(block))


PYTHON = readme_snippets.blocks("python")
BASH = readme_snippets.blocks("bash")
RUN_HERE = [b for b in BASH if not run_by_ci(b)]


def child_env():
    env = dict(os.environ)
    env.pop("KERAS_BACKEND", None)  # set by conftest.py; the README's reader has none
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return env


def imported(source):
    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.partition(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.partition(".")[0])
    return names


def test_the_readme_has_its_blocks():
    assert len(PYTHON) >= 5 and len(BASH) >= 7 and len(RUN_HERE) >= 2


@pytest.mark.parametrize("source", PYTHON, ids=[f"python{k + 1}" for k in range(len(PYTHON))])
def test_python_snippet(tmp_path, source):
    for name in sorted(imported(source) & set(FRAMEWORKS)):
        require(name, extra=FRAMEWORKS[name])
    backend = re.search(r"""KERAS_BACKEND["'], ["'](\w+)""", source)
    if "keras" in imported(source):
        assert backend, "a Keras snippet names its backend"
    if backend:
        require(backend.group(1), extra=FRAMEWORKS[backend.group(1)])
    done = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, env=child_env(),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.mark.parametrize("block", RUN_HERE, ids=[f"bash{BASH.index(b) + 1}" for b in RUN_HERE])
def test_bash_block(tmp_path, block):
    lines = commands(block)
    for name, extra in FRAMEWORKS.items():
        if re.search(rf"\b{name}\b", "\n".join(lines)):
            require(name, extra=extra)
    if "transformers" in block:
        require("torch", extra="torch")
    script = "\n".join(["set -e"] + [x for x in lines if not x.startswith("pip install ")]
                       + ["kill $(jobs -p) 2>/dev/null || true"])
    proc = subprocess.Popen(["bash", "-c", script], cwd=tmp_path, env=child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    finally:
        try:  # what the block left in the background
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    assert proc.returncode == 0, out[-4000:]
    for line in lines:
        made = re.search(r" -o (\S+)", line)
        if made:  # every checkpoint the block writes is there, complete
            folder = tmp_path / made.group(1)
            assert any(folder.glob("*.safetensors")), out[-2000:]
            assert not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("command", ["weightinit info", "weightinit demo"])
def test_inline_command(tmp_path, command):
    assert f"`{command}`" in README
    done = subprocess.run(command.split(), cwd=tmp_path, env=child_env(), capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert shutil.which("weightinit", path=child_env()["PATH"])


def _ci_extras():
    """The extras .ci/run installs, with those they name in turn (test -> dask, ...)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        pytest.skip("reading pyproject.toml needs Python 3.11's tomllib")
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    todo = [e for m in re.finditer(r'^\s*pip install [^\n]*"\.\[([\w,]+)\]"', CI, re.M)
            for e in m.group(1).split(",")]
    extras = set()
    while todo:
        extra = todo.pop()
        if extra not in extras:
            extras.add(extra)
            for requirement in optional[extra]:
                named = re.fullmatch(r"weightinit\[([\w,]+)\]", requirement)
                todo += named.group(1).split(",") if named else []
    return extras


def test_ci_runs_the_readmes_install_and_build_lines():
    lines = [x for b in BASH if run_by_ci(b) for x in commands(b)]
    lines += [x for b in RUN_HERE for x in commands(b) if x.startswith("pip install ")]
    lines += re.findall(r"`(pip install mypy && python tests/readme_snippets\.py)`", README)
    assert len(lines) >= 9
    ci_lines = {line.strip() for line in CI.splitlines()}
    extras = _ci_extras()
    for line in lines:
        if line in ci_lines:
            continue
        wanted = re.fullmatch(r'pip install "\.\[([\w,]+)\]"', line)
        assert wanted and set(wanted.group(1).split(",")) <= extras, \
            f".ci/run does not run the README's {line!r}"


def test_ci_starts_with_the_readmes_test_command():
    """The first thing .ci/run runs, in a fresh environment: the README's test command."""
    first = BASH[1].strip()
    assert first == 'pip install ".[test]" && python -m pytest -q'
    body = [line.strip() for line in CI.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    assert body[:2] == ["set -euo pipefail", 'cd "$(dirname "$0")/.."']
    assert first in "\n".join(body[2:12])
