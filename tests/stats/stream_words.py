# SPDX-License-Identifier: BSD-3-Clause
"""Write the stream's raw 32-bit words (the same in v1 and v2) to stdout, for statistical batteries (dieharder -g 200).

Modes (all through the public API: ``weightinit.fill(out, "bits", (), ...)`` on uint32):

* ``single``: one stream, its words in element order: seed S, stream id T.
* ``streams``: K adjacent stream ids T, T+1, ..., T+K-1 under seed S, interleaved word by
  word (word i of stream T, word i of stream T+1, ...). Correlation between neighbouring
  stream ids shows up as structure in this sequence.
* ``seeds``: K adjacent seeds S, S+1, ..., S+K-1 on stream T, interleaved the same way.

The output is little-endian uint32, which is what dieharder's raw stdin generator reads on
a little-endian machine. It runs until stdout closes (dieharder exits) or --words words.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import weightinit as wi

_CHUNK = 1 << 20  # words per stream per write


def _words(seed: int, stream: int, first: int, n: int) -> np.ndarray:
    out = np.empty(n, np.uint32)
    # Elements [first, first + n) of a flat tensor far longer than any run.
    return wi.fill(out, "bits", (), seed=seed, stream=stream, global_shape=(1 << 62,),
                   start=(first,))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=("single", "streams", "seeds"))
    p.add_argument("--seed", type=int, default=0x5EED)
    p.add_argument("--stream", type=int, default=0)
    p.add_argument("--k", type=int, default=4, help="neighbours interleaved (streams/seeds)")
    p.add_argument("--words", type=int, default=0, help="stop after this many words (0: never)")
    a = p.parse_args(argv)
    k = 1 if a.mode == "single" else a.k
    if k < 1:
        p.error("--k: must be >= 1")
    out = sys.stdout.buffer
    first = 0
    written = 0
    buf = np.empty((_CHUNK, k), np.uint32)
    try:
        while a.words == 0 or written < a.words:
            for j in range(k):
                seed = a.seed + j if a.mode == "seeds" else a.seed
                stream = a.stream + j if a.mode == "streams" else a.stream
                buf[:, j] = _words(seed, stream, first, _CHUNK)
            data = buf.reshape(-1)
            if a.words:
                data = data[: a.words - written]
            out.write(data.astype("<u4", copy=False).tobytes())
            written += data.size
            first += _CHUNK
        out.flush()
    except BrokenPipeError:
        # dieharder closed the pipe: it has read all it wanted. Point stdout at devnull so
        # the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
