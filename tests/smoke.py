# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of an installed wheel (run from outside the source tree): import, every
target against the scalar one, a fill from two Python threads at once, and the digest of
fills by the target this CPU gets (the same on every CPU: CI compares the digest line of
runs under QEMU's older CPU models with the native one)."""

import hashlib
import threading

import numpy as np

import weightinit as wi


def main() -> None:
    print("weightinit", wi.__version__, wi.cpu_targets(), wi.get_num_threads(), "threads")
    digest = dispatched_digest()  # before any set_target
    wi.set_target("scalar")
    want = wi.new((257, 129), "float32", "truncated_normal", (0, 1, -2, 2), seed=1)
    for target in wi.cpu_targets()["available"]:
        wi.set_target(target)
        got = wi.new((257, 129), "float32", "truncated_normal", (0, 1, -2, 2), seed=1)
        assert np.array_equal(got, want), target
    results = [None, None]

    def work(i):
        results[i] = wi.new((1024, 1024), "float32", "normal", (0, 1), seed=7)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.array_equal(results[0], results[1])
    assert abs(float(results[0].std()) - 1.0) < 0.01
    print(digest)
    print("smoke test passed")


def dispatched_digest() -> str:
    """The digest of fills of every dtype by the target dispatch picked for this CPU."""
    h = hashlib.blake2b(digest_size=16)
    for dtype, law, params in [("float32", "normal", (0, 1)), ("float64", "normal", (0, 2)),
                               ("float32", "truncated_normal", (0, 1, -2, 2)),
                               ("bfloat16", "uniform", (-1, 1)), ("float16", "normal", (0, 1)),
                               ("float64", "truncated_normal", (1, 0.5, 0, 3))]:
        h.update(wi.new((1001, 37), dtype, law, params, seed=11).tobytes())
    return f"digest {h.hexdigest()} (target {wi.cpu_targets()['active']})"


if __name__ == "__main__":
    main()
