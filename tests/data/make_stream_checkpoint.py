# SPDX-License-Identifier: BSD-3-Clause
"""Write tests/data/stream_checkpoint.safetensors: a three-parameter checkpoint for the C++
test that regenerates a parameter from (seed, name) alone (tests/cpp/test_stream.cpp).

    PYTHONPATH=python python tests/data/make_stream_checkpoint.py

It is ``weightinit.checkpoint.write`` of the model below with seed 20240607: each parameter
drawn on Stream.named(seed, name) (docs/streams.md §2) with its torch law. The file changes
only with a stream-version bump (docs/streams.md), which rewrites it.
"""

from __future__ import annotations

import math
import pathlib
import shutil
import tempfile

from weightinit import checkpoint

HERE = pathlib.Path(__file__).resolve().parent
SEED = 20240607
MODEL = {
    "name": "stream-test",
    "dtype": "float32",
    "parameters": [
        {"name": "embed.weight", "shape": [24, 8], "init": {"name": "normal", "std": 0.02}},
        {"name": "layers.0.attn.weight", "shape": [16, 8], "dtype": "bfloat16",
         "init": {"name": "kaiming_uniform", "a": math.sqrt(5)}},
        {"name": "layers.0.mlp.weight", "shape": [8, 16], "dtype": "float16",
         "init": {"name": "trunc_normal", "std": 0.02}},
    ],
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint.write(checkpoint.model_from_dict(MODEL), tmp, seed=SEED)
        shutil.copyfile(pathlib.Path(tmp) / "model.safetensors",
                        HERE / "stream_checkpoint.safetensors")


if __name__ == "__main__":
    main()
