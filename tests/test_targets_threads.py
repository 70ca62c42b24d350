# SPDX-License-Identifier: BSD-3-Clause
"""Bit identity: every target equals the scalar reference, and no thread count, fork or
concurrent caller changes a bit."""

import multiprocessing
import os
import threading

import numpy as np
import pytest

import weightinit as wi
from weightinit import _core

TARGETS = wi.cpu_targets()["available"]
CASES = [
    ("uniform", (-1.0, 1.0)),
    ("uniform", (1e-3, 2e-3)),
    ("normal", (0.0, 1.0)),
    ("truncated_normal", (0.0, 1.0, -2.0, 2.0)),
    ("truncated_normal", (0.0, 1.0, 3.0, 8.0)),
    ("truncated_normal", (0.0, 1.0, -20.0, -19.0)),   # float32 outputs take the double path
    ("truncated_normal", (2.0, 0.5, 0.5, 0.5001)),     # narrow: the double path too
    ("truncated_normal", (0.0, 1e-3, -2000.0, 2000.0)),
    ("bits", ()),
]
LENGTHS = [1, 15, 63, 64, 65, 1000, 70_001]


def dtypes_for(dist):
    if dist == "bits":
        return ["uint32", "uint64"]
    return ["float32", "float64", "float16", "bfloat16"]


def draw(dist, params, dtype, n, first=0, seed=1234, stream=5):
    if dtype.startswith("uint"):
        a = np.empty(n, dtype)
    else:
        a = wi.new(n, dtype, "uniform", (0, 1), seed=0)
    wi.fill(a, dist, params, seed=seed, stream=stream, offset=0, global_shape=(first + a.size,), start=(first,))
    return a.view(np.uint8).copy()


def test_scalar_target_is_always_available():
    assert TARGETS[0] == "scalar"
    assert wi.cpu_targets()["active"] in TARGETS


@pytest.mark.parametrize("dist,params", CASES)
def test_every_target_equals_scalar(dist, params):
    for dtype in dtypes_for(dist):
        for n in LENGTHS:
            for first in (0, 3, 64 * 1000 + 17):
                wi.set_target("scalar")
                want = draw(dist, params, dtype, n, first)
                for target in TARGETS[1:]:
                    wi.set_target(target)
                    got = draw(dist, params, dtype, n, first)
                    assert np.array_equal(got, want), (target, dtype, n, first)


def test_unknown_target():
    with pytest.raises(ValueError, match="target: unknown target 'sse9'"):
        wi.set_target("sse9")


@pytest.mark.parametrize("dist,params", CASES[:5])
def test_thread_counts_agree(dist, params):
    shape = (301, 1003)  # about 4.6 chunks of 2^16 elements
    dtype = "uint32" if dist == "bits" else "float32"
    results = []
    for threads in range(1, 9):
        wi.set_num_threads(threads)
        a = np.empty(shape, dtype)
        wi.fill(a, dist, params, seed=77)
        box = np.empty((150, 700), dtype)
        wi.fill(box, dist, params, seed=77, global_shape=shape, start=(100, 300))
        results.append((a, box))
    for a, box in results:
        np.testing.assert_array_equal(a, results[0][0])
        np.testing.assert_array_equal(box, results[0][0][100:250, 300:1000])


def test_set_num_threads_rejects_bad_values():
    with pytest.raises(ValueError, match="num_threads"):
        wi.set_num_threads(0)
    with pytest.raises(TypeError, match="n: expected an int"):
        wi.set_num_threads(2.0)


def _child_fill(queue):
    wi.set_num_threads(3)
    a = wi.new((512, 1024), "float32", "normal", (0, 1), seed=3)
    queue.put(a.tobytes())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX-only")
def test_pool_survives_fork():
    wi.set_num_threads(2)
    wi.new((512, 1024), "float32", "normal", (0, 1), seed=3)  # start the pool in the parent
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child_fill, args=(queue,))
    proc.start()
    data = queue.get(timeout=120)
    proc.join(timeout=120)
    assert proc.exitcode == 0
    want = wi.new((512, 1024), "float32", "normal", (0, 1), seed=3)
    assert data == want.tobytes()


def test_concurrent_python_threads():
    wi.set_num_threads(2)
    seeds = list(range(8))
    want = {s: wi.new((300, 1000), "float32", "truncated_normal", (0, 1, -2, 2), seed=s)
            for s in seeds}
    got = {}

    def work(s):
        for _ in range(3):
            got[s] = wi.new((300, 1000), "float32", "truncated_normal", (0, 1, -2, 2), seed=s)

    threads = [threading.Thread(target=work, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in seeds:
        np.testing.assert_array_equal(got[s], want[s])


def _run(code, **env):
    import subprocess
    import sys
    full = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("target", TARGETS)
def test_environment_forces_target(target):
    out = _run("import weightinit as wi; print(wi.cpu_targets()['active'])",
               WEIGHTINIT_TARGET=target)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == target


def test_environment_unknown_target_warns_and_falls_back():
    out = _run("import weightinit as wi; print(wi.cpu_targets()['active'])",
               WEIGHTINIT_TARGET="mmx")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == TARGETS[-1]
    assert "WEIGHTINIT_TARGET='mmx' is not an available target" in out.stderr


def test_environment_sets_threads():
    out = _run("import weightinit as wi; print(wi.get_num_threads())", WEIGHTINIT_NUM_THREADS="3")
    assert out.stdout.strip() == "3"


def test_default_threads_follow_affinity():
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this OS")
    out = _run("import os, weightinit as wi; os.sched_setaffinity(0, {0}); print(wi.get_num_threads())",
               WEIGHTINIT_NUM_THREADS="")
    assert out.stdout.strip() == "1", out.stderr
