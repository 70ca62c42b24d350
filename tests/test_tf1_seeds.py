# SPDX-License-Identifier: BSD-3-Clause
"""TF1 seeds: set_random_seed / get_seed rules, the stream mapping, repeat and fresh calls."""


import numpy as np
import pytest

import weightinit
import weightinit.tf1 as tf
from weightinit.core import fills as _fill

M = 2**31 - 1
DEFAULT = 87654321

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_get_seed_rows():
    assert tf.get_seed(None) == (None, None)
    assert tf.get_seed(5) == (DEFAULT, 5)
    assert tf.get_seed(-1) == (DEFAULT, M - 1)  # Python's %: negative seeds wrap into [0, M)
    assert tf.get_seed(M + 3) == (DEFAULT, 3)
    assert tf.get_seed(np.int64(7)) == (DEFAULT, 7)
    tf.set_random_seed(11)
    assert tf.get_seed(7) == (11, 7)
    assert tf.get_seed(-2) == (11, M - 2)
    tf.set_random_seed(-1)
    assert tf.get_seed(3) == (M - 1, 3)


def test_automatic_op_seeds_count_from_set_random_seed():
    tf.set_random_seed(5)
    assert [tf.get_seed(None) for _ in range(3)] == [(5, 0), (5, 1), (5, 2)]
    assert tf.get_seed(9) == (5, 9)  # an explicit op seed does not use the counter
    assert tf.get_seed(None) == (5, 3)
    tf.set_random_seed(5)
    assert tf.get_seed(None) == (5, 0)
    tf.reset_default_graph()
    assert tf.get_seed(None) == (None, None)


def test_zero_zero_means_unseeded_so_it_is_moved():
    tf.set_random_seed(0)
    assert tf.get_seed(0) == (0, M)
    assert tf.get_seed(M) == (0, M)
    assert tf.get_seed(None) == (0, M)  # automatic op seed 0
    assert tf.get_seed(None) == (0, 1)
    tf.set_random_seed(M)
    assert tf.get_seed(0) == (0, M)
    tf.set_random_seed(None)
    assert tf.get_seed(0) == (DEFAULT, 0)


def test_seed_errors():
    for bad in (1.5, "1", True):
        with pytest.raises(TypeError, match="seed: expected an integer or None"):
            tf.set_random_seed(bad)
        with pytest.raises(TypeError, match="op_seed: expected an integer or None"):
            tf.get_seed(bad)
        with pytest.raises(TypeError, match="seed: expected an integer or None"):
            tf.RandomUniform(seed=bad)


@pytest.mark.parametrize("graph_seed,op_seed,key,stream", [
    (None, 7, DEFAULT, 7), (11, 7, 11, 7), (None, M + 7, DEFAULT, 7), (3, -1, 3, M - 1),
    (0, 0, 0, M), (2**40, 2**33, 2**40 % M, 2**33 % M)])
def test_stream_mapping(graph_seed, op_seed, key, stream):
    # Philox key = TF's seed, stream id = TF's seed2 (get_seed's pair).
    tf.set_random_seed(graph_seed)
    x = tf.RandomNormal(0.5, 2.0, seed=op_seed)((4, 33))
    np.testing.assert_array_equal(
        x, _fill.new((4, 33), "float32", "normal", (0.5, 2.0), seed=key, stream=stream))


def test_automatic_seed_is_the_stream():
    tf.set_random_seed(21)
    init = tf.RandomUniform(-1, 1)
    first, second = init((50,)), init((50,))
    for op_seed, x in enumerate((first, second)):
        np.testing.assert_array_equal(
            x, _fill.new((50,), "float32", "uniform", (-1, 1), seed=21, stream=op_seed))


def random_initializers():
    """One seeded instance of every random TF1 initializer (seed 17) and a shape for it."""
    return [
        (tf.RandomUniform(-1, 2, seed=17), (6, 7)),
        (tf.RandomUniform(0, 100, seed=17, dtype="int64"), (6, 7)),
        (tf.RandomNormal(seed=17), (6, 7)),
        (tf.TruncatedNormal(seed=17), (6, 7)),
        (tf.UniformUnitScaling(seed=17), (6, 7)),
        (tf.VarianceScaling(seed=17), (6, 7)),
        (tf.GlorotUniform(seed=17), (6, 7)),
        (tf.GlorotNormal(seed=17), (6, 7)),
        (tf.he_normal(seed=17), (3, 3, 2, 4)),
        (tf.lecun_uniform(seed=17), (3, 3, 2, 4)),
        (tf.Orthogonal(seed=17), (6, 7)),
        (tf.ConvolutionDeltaOrthogonal(seed=17), (3, 3, 2, 4)),
        (tf.ConvolutionOrthogonal1D(seed=17), (3, 2, 4)),
        (tf.ConvolutionOrthogonal2D(seed=17), (3, 3, 2, 4)),
        (tf.ConvolutionOrthogonal3D(seed=17), (2, 2, 2, 2, 4)),
    ]


IDS = ["RandomUniform", "RandomUniform_int64", "RandomNormal", "TruncatedNormal",
       "UniformUnitScaling", "VarianceScaling", "GlorotUniform", "GlorotNormal", "he_normal",
       "lecun_uniform", "Orthogonal", "ConvolutionDeltaOrthogonal", "ConvolutionOrthogonal1D",
       "ConvolutionOrthogonal2D", "ConvolutionOrthogonal3D"]


@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
def test_seeded_calls_repeat(index):
    init, shape = random_initializers()[index]
    first = init(shape)
    np.testing.assert_array_equal(init(shape), first)
    twin, _ = random_initializers()[index]
    np.testing.assert_array_equal(twin(shape), first)  # two variables, one seed: equal
    tf.set_random_seed(4)
    changed = init(shape)
    assert not np.array_equal(changed, first)  # the graph seed is the Philox key
    np.testing.assert_array_equal(init(shape), changed)
    # The values do not depend on the thread count.
    threads = weightinit.get_num_threads()
    try:
        weightinit.set_num_threads(1 if threads > 1 else 2)
        np.testing.assert_array_equal(init(shape), changed)
    finally:
        weightinit.set_num_threads(threads)


@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
def test_unseeded_calls_differ(index):
    init, shape = random_initializers()[index]
    init.seed = None
    assert not np.array_equal(init(shape), init(shape))  # fresh OS seeds per call
    tf.set_random_seed(8)
    first, second = init(shape), init(shape)
    assert not np.array_equal(first, second)  # a new automatic op seed per call
    tf.set_random_seed(8)
    np.testing.assert_array_equal(init(shape), first)  # ... reproducible from the graph seed
    np.testing.assert_array_equal(init(shape), second)


def test_shapes_share_the_stream():
    # Equal seeds, different shapes: the same stream laid out row-major (a prefix in 1-D).
    init = tf.RandomUniform(seed=3)
    np.testing.assert_array_equal(init((15,)), init((3, 5)).ravel())
    np.testing.assert_array_equal(init((100,))[:40], init((40,)))
