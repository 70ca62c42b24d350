# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.Generator: the (seed, stream 0, offset) contract of docs/streams.md §2-3."""

import copy
import math
import pickle
import threading

import numpy as np
import pytest

import weightinit
from weightinit import Generator, fill, init


def blocks(n, itemsize):
    # docs/streams.md §3, written out independently of the library: 16 blocks per group of
    # 64 (16/32-bit) or 32 (64-bit) elements.
    return 16 * math.ceil(n / (32 if itemsize == 8 else 64))


@pytest.mark.parametrize("dtype, n, used", [
    (np.float32, 1, 16), (np.float32, 64, 16), (np.float32, 65, 32), (np.float16, 130, 48),
    (np.float64, 32, 16), (np.float64, 33, 32), (np.float64, 1000, 512),
])
def test_offset_advances_by_the_blocks_used(dtype, n, used):
    g = Generator(1)
    init.normal_(np.empty(n, dtype), generator=g)
    assert g.offset == used == blocks(n, np.dtype(dtype).itemsize)
    init.uniform_(np.empty(n, dtype), generator=g)
    assert g.offset == 2 * used


def test_values_are_the_fill_layer_at_the_generator_offset():
    g = Generator(123)
    init.uniform_(np.empty(100, np.float32), generator=g)  # moves the offset to 32
    x = init.normal_(np.empty((7, 9), np.float32), 0.5, 2.0, generator=g)
    expected = fill(np.empty((7, 9), np.float32), "normal", (0.5, 2.0), seed=123, stream=0, offset=32)
    np.testing.assert_array_equal(x, expected)


def test_successive_draws_differ_and_replay():
    def run(g):
        return [init.normal_(np.empty(50, np.float32), generator=g).copy() for _ in range(3)]

    a, b = run(Generator(7)), run(Generator(7))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[1], a[2])
    assert not np.array_equal(a[0], run(Generator(8))[0])


def test_draws_do_not_overlap():
    # Two successive 64-element draws equal one 128-element draw: consecutive, disjoint blocks.
    g = Generator(3)
    x = np.concatenate([init.uniform_(np.empty(64, np.float32), generator=g) for _ in range(2)])
    np.testing.assert_array_equal(x, init.uniform_(np.empty(128, np.float32), generator=3))


def test_int_seed_is_a_fresh_generator_per_call():
    weightinit.manual_seed(0)
    x = init.normal_(np.empty(20), generator=5)
    y = init.normal_(np.empty(20), generator=5)
    np.testing.assert_array_equal(x, y)  # no state kept between calls
    np.testing.assert_array_equal(x, init.normal_(np.empty(20), generator=Generator(5)))
    assert weightinit.default_generator.offset == 0  # the default generator is not touched
    np.testing.assert_array_equal(x, init.normal_(np.empty(20), generator=np.uint64(5)))


def test_default_generator_and_manual_seed():
    g = weightinit.manual_seed(42)
    assert g is weightinit.default_generator and weightinit.initial_seed() == 42
    x = init.uniform_(np.empty(30, np.float32))
    assert g.offset == 16
    y = init.uniform_(np.empty(30, np.float32))
    replay = Generator(42)
    np.testing.assert_array_equal(x, init.uniform_(np.empty(30, np.float32), generator=replay))
    np.testing.assert_array_equal(y, init.uniform_(np.empty(30, np.float32), generator=replay))
    weightinit.manual_seed(42)
    np.testing.assert_array_equal(x, init.uniform_(np.empty(30, np.float32)))


def test_default_seed():
    assert Generator().initial_seed() == 67280421310721
    assert Generator(0).manual_seed(9) .initial_seed() == 9


def test_default_seed_in_a_fresh_process():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import weightinit; print(weightinit.initial_seed())"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "67280421310721"


def test_manual_seed_resets_offset_and_returns_self():
    g = Generator(1)
    init.normal_(np.empty(10), generator=g)
    assert g.manual_seed(2) is g and g.offset == 0 and g.initial_seed() == 2


def test_get_set_state_replays():
    g = Generator(11)
    init.normal_(np.empty(100), generator=g)
    state = g.get_state()
    assert state == (11, 64)
    x = init.normal_(np.empty(10), generator=g)
    assert g.set_state(state) is g
    np.testing.assert_array_equal(x, init.normal_(np.empty(10), generator=g))
    h = Generator().set_state(state)
    np.testing.assert_array_equal(x, init.normal_(np.empty(10), generator=h))


@pytest.mark.parametrize("state, exc", [
    ((1,), TypeError), ("ab", TypeError), (None, TypeError), ((1, -1), ValueError),
    ((2**64, 0), ValueError), ((1.0, 0), TypeError),
])
def test_set_state_rejects_bad_states(state, exc):
    g = Generator(1)
    with pytest.raises(exc, match="state"):
        g.set_state(state)
    assert g.get_state() == (1, 0)


def test_pickle_and_copy_keep_the_state():
    g = Generator(5)
    init.normal_(np.empty(70, np.float32), generator=g)
    for h in (pickle.loads(pickle.dumps(g)), copy.deepcopy(g)):
        assert h is not g and h.get_state() == g.get_state()
        np.testing.assert_array_equal(init.normal_(np.empty(5), generator=h),
                                      init.normal_(np.empty(5), generator=Generator().set_state(g.get_state())))


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), (2**64, ValueError), (1.5, TypeError),
                                       ("1", TypeError), (True, TypeError)])
def test_bad_seeds(seed, exc):
    with pytest.raises(exc, match="seed"):
        Generator(seed)
    with pytest.raises(exc, match="seed"):
        weightinit.manual_seed(seed)


@pytest.mark.parametrize("generator, exc", [(1.5, TypeError), ("3", TypeError), (True, TypeError),
                                            (-1, ValueError), (object(), TypeError)])
def test_bad_generator_argument(generator, exc):
    with pytest.raises(exc, match="^generator"):
        init.normal_(np.empty(3), generator=generator)


def test_offset_wraps_modulo_2_64():
    g = Generator(4).set_state((4, 2**64 - 16))
    x = init.uniform_(np.empty(128, np.float32), generator=g)
    assert g.offset == 16
    np.testing.assert_array_equal(x[64:], init.uniform_(np.empty(64, np.float32), generator=4))


def test_empty_draws_do_not_advance():
    g = Generator(1)
    init.normal_(np.empty((0, 3)), generator=g)
    init.xavier_uniform_(np.empty((0, 4)), generator=g)
    assert g.offset == 0


def test_degenerate_laws_still_advance():
    # Positions depend only on the sequence of (numel, dtype) drawn, not on the parameters.
    g = Generator(1)
    init.normal_(np.empty(10, np.float32), std=0.0, generator=g)
    init.uniform_(np.empty(10, np.float32), 1.0, 1.0, generator=g)
    init.trunc_normal_(np.empty(10, np.float32), a=0.5, b=0.5, generator=g)
    assert g.offset == 48


def test_failed_calls_do_not_advance():
    g = Generator(1)
    with pytest.raises(RuntimeError):
        init.uniform_(np.empty(10), 2, 1, generator=g)
    with pytest.raises(ValueError):  # raised by the core, after the offset was reserved
        init.uniform_(np.empty(10, np.float32), -3e38, 3e38, generator=g)
    with pytest.raises(ValueError):  # no float32 value lies in the window
        init.trunc_normal_(np.empty(10, np.float32), 0.0, 1.0, 1.0 + 2**-30, 1.0 + 2**-29,
                           generator=g)
    assert g.offset == 0


@pytest.mark.parametrize("dtype, itemsize", [(np.float32, 4), (np.float64, 8), (np.float16, 4)])
def test_orthogonal_draws_in_the_working_precision(dtype, itemsize):
    # float64 tensors draw float64 normals, the others float32: the generator advances by
    # the blocks of that draw.
    g = Generator(2)
    init.orthogonal_(np.empty((8, 12), dtype), generator=g)
    assert g.offset == blocks(96, itemsize)


@pytest.mark.parametrize("shape", [(6, 6), (3, 8), (8, 3), (4, 2, 3)])
def test_orthogonal_is_the_qr_of_the_stream(shape):
    # docs/streams.md §7 on the generator's float64 N(0, 1) draw: rows = shape[0]; A is the
    # (max, min) matrix of the draw's elements i * min + j; reduced QR, columns times
    # sign(diag R), transposed when wide, times gain.
    rows = shape[0]
    cols = math.prod(shape) // rows
    n, k = max(rows, cols), min(rows, cols)
    a = fill(np.empty((n, k)), "normal", (0.0, 1.0), seed=8, offset=48)
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))
    expected = 1.5 * (q.T if rows < cols else q)
    g = Generator(8).set_state((8, 48))
    x = init.orthogonal_(np.empty(shape), gain=1.5, generator=g)
    np.testing.assert_allclose(x.reshape(rows, cols), expected, rtol=0, atol=1e-13)


def test_sparse_row_choice_is_sub_stream_one():
    rows, cols, sparsity = 12, 40, 0.25
    g = Generator(6).set_state((6, 160))
    x = init.sparse_(np.empty((rows, cols), np.float32), sparsity, generator=g)
    # The generator advances by the larger of the two draws: n uint64 keys (G = 32).
    assert g.offset == 160 + blocks(rows * cols, 8)
    values = fill(np.empty((rows, cols), np.float32), "normal", (0.0, 0.01), seed=6, offset=160)
    keys = fill(np.empty((rows, cols), np.uint64), "bits", (), seed=6, stream=1 << 56, offset=160)
    expected = values.copy()
    zero_rows = np.argsort(keys, axis=0, kind="stable")[:3]
    expected[zero_rows, np.arange(cols)] = 0
    np.testing.assert_array_equal(x, expected)


def test_sparse_pattern_is_the_same_for_every_dtype():
    patterns = {np.dtype(t).name: init.sparse_(np.empty((9, 30), t), 0.5, generator=3) == 0
                for t in (np.float32, np.float64)}
    np.testing.assert_array_equal(patterns["float32"], patterns["float64"])


def test_thread_safe_disjoint_draws():
    g = Generator(77)
    n, per_thread, threads = 200, 25, 8
    results, barrier = [], threading.Barrier(threads)

    def work():
        barrier.wait()
        mine = [init.uniform_(np.empty(n, np.float32), generator=g).copy() for _ in range(per_thread)]
        results.extend(mine)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    step = blocks(n, 4)
    total = threads * per_thread
    assert g.offset == total * step
    # Every draw is the fill at one of the offsets 0, step, 2 step, ...: each used once.
    expected = {fill(np.empty(n, np.float32), "uniform", (0.0, 1.0), seed=77, offset=k * step).tobytes(): k
                for k in range(total)}
    used = sorted(expected[r.tobytes()] for r in results)
    assert used == list(range(total))


def test_repr():
    assert repr(Generator(3)) == "weightinit.Generator(seed=3, offset=0)"
    assert Generator(3).stream == 0
