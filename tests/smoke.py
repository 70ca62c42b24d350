# SPDX-License-Identifier: BSD-3-Clause
"""Smoke test of an installed wheel (run from outside the source tree): import, every
target against the scalar one, and a fill from two Python threads at once."""

import threading

import numpy as np

import weightinit as wi


def main() -> None:
    print("weightinit", wi.__version__, wi.cpu_targets(), wi.get_num_threads(), "threads")
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
    print("smoke test passed")


if __name__ == "__main__":
    main()
