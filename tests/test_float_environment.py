# SPDX-License-Identifier: BSD-3-Clause
"""Fills ignore the caller's floating-point modes: the same bits with flush-to-zero and
denormals-are-zero set (as XLA's host callbacks and torch.set_flush_denormal set them), no
endless clamp-bound search, and the caller's modes restored afterwards.

The modes are set in a child process (torch.set_flush_denormal, before any fill, so the pool's
workers are created under them); the pytest process draws the reference.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
from optional import require

import weightinit as wi

CASES = [("uniform", (0.0, 1.0)), ("uniform", (-1.0, 0.0)), ("normal", (0.0, 1.0)),
         ("truncated_normal", (0.0, 1.0, -2.0, 2.0)), ("uniform", (-1e-38, 1e-38)),
         ("constant", (1e-40,))]
DTYPES = ["float32", "float64", "float16", "bfloat16"]
SIZE = 1 << 17  # several tasks: the pool's workers write too

CHILD = r"""
import sys
import numpy as np
import torch
import weightinit as wi
from test_float_environment import CASES, DTYPES, SIZE

if not torch.set_flush_denormal(True):
    print("unsupported")
    sys.exit(0)
tiny = np.float32(1e-39)
assert tiny * np.float32(1.0) == 0  # the modes are on
wi.set_num_threads(2)
out = {}
for i, (dist, params) in enumerate(CASES):
    for dt in DTYPES:
        a = wi.new((SIZE,), dt, dist, params, seed=5)
        out[f"{i}-{dt}"] = a.view(np.uint8)
assert tiny * np.float32(1.0) == 0  # and still on: the caller's modes came back
np.savez(sys.argv[1], **out)
print("ok")
"""


def test_flush_to_zero_caller_gets_the_same_bits(tmp_path):
    require("torch", extra="torch")  # torch sets the FTZ / DAZ modes here
    result = tmp_path / "child.npz"
    env = dict(os.environ)
    here = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    done = subprocess.run([sys.executable, "-c", CHILD, str(result)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    if done.stdout.strip() == "unsupported":
        pytest.skip("torch.set_flush_denormal is not supported on this CPU")
    got = np.load(result)
    threads = wi.get_num_threads()
    wi.set_num_threads(2)
    try:
        for i, (dist, params) in enumerate(CASES):
            for dt in DTYPES:
                want = wi.new((SIZE,), dt, dist, params, seed=5)
                assert np.array_equal(got[f"{i}-{dt}"], want.view(np.uint8)), (dist, params, dt)
    finally:
        wi.set_num_threads(threads)
