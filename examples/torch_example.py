# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.init: torch.nn.init's functions, in place, on NumPy arrays and CPU tensors.

Run: python examples/torch_example.py   (torch is optional; the NumPy part runs without it)
"""

import importlib.util
import math

import numpy as np

import weightinit
from weightinit import init

# NumPy: fill in place, get the same object back.
w = np.empty((4096, 4096), dtype=np.float32)
assert init.kaiming_uniform_(w, a=math.sqrt(5)) is w  # nn.Linear's reset: U(-1/sqrt(in), 1/sqrt(in))
print("kaiming_uniform_ max |w| =", float(np.abs(w).max()), "<= 1/64")

# A Generator replays: same seed, same sequence of calls, same values, whatever the threads.
g = weightinit.Generator(2024)
a = init.trunc_normal_(np.empty((256, 256), np.float32), std=0.02, generator=g).copy()
init.normal_(np.empty(1000, np.float32), generator=g)  # g has moved on: new values
g.manual_seed(2024)
assert np.array_equal(a, init.trunc_normal_(np.empty((256, 256), np.float32), std=0.02, generator=g))
weightinit.manual_seed(0)  # the default generator, used when generator=None

# A strided view is filled where it lies; the rest of the array is untouched.
base = np.zeros((8, 8), np.float64)
init.orthogonal_(base[:, ::2])
print("orthogonal columns: W^T W =\n", np.round(base[:, ::2].T @ base[:, ::2], 12))

if importlib.util.find_spec("torch") is not None:
    import torch

    layer = torch.nn.Linear(4096, 4096)
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=1)  # in place, autograd intact
    init.zeros_(layer.bias)
    init.trunc_normal_(layer.weight, std=0.02, a=-0.04, b=0.04, generator=weightinit.Generator(7))
    print("torch weight in [-0.04, 0.04]:", bool(layer.weight.abs().max() <= 0.04),
          "requires_grad:", layer.weight.requires_grad)
