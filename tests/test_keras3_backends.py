# SPDX-License-Identifier: BSD-3-Clause
"""tests/test_keras3.py on the Keras backend this process does not use (a backend is fixed per
process, so in a subprocess), and weightinit.keras without Keras: plain callables, with
tests/test_keras.py passing."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from optional import require

keras = require("keras", extra="keras", minversion="3")

TESTS = Path(__file__).parent


def run_pytest(args, env, code=""):
    """pytest on `args` in a fresh interpreter, after `code`; its output on failure."""
    script = f"import sys, pytest\n{code}\nsys.exit(pytest.main({args!r}))"
    env = {k: v for k, v in env.items() if k != "PYTEST_ADDOPTS"}  # the caller's report options
    done = subprocess.run([sys.executable, "-c", script], cwd=TESTS.parent, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_other_backend(backend):
    if backend == keras.backend.backend():
        pytest.skip(f"{backend} is this process's backend: tests/test_keras3.py ran here")
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    env = dict(os.environ, KERAS_BACKEND=backend)
    out = run_pytest(["-q", "-p", "no:cacheprovider", str(TESTS / "test_keras3.py")], env)
    assert " passed" in out and "skipped" not in out.splitlines()[-1], out[-2000:]


def test_without_keras():
    """Keras made unimportable: plain callables returning NumPy arrays, test_keras.py passes."""
    code = ("sys.modules['keras'] = None\n"
            "import numpy as np\n"
            "from weightinit import keras as wk\n"
            "assert wk.KERAS is None and wk.Initializer.__mro__[1] is object\n"
            "assert type(wk.HeNormal(seed=1)((2, 2))) is np.ndarray")
    run_pytest(["-q", "-p", "no:cacheprovider", str(TESTS / "test_keras.py")],
               dict(os.environ), code)
