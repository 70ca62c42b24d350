# SPDX-License-Identifier: BSD-3-Clause
"""TF1 partitioned variables: PartitionInfo's checks, and every partition = its box of the whole."""

import itertools
import types
import warnings

import numpy as np
import pytest

import weightinit.tf1 as tf
from weightinit.core import fills as _fill

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


# --- PartitionInfo ------------------------------------------------------------------------

def test_partition_info_checks():
    info = tf.PartitionInfo([4, 6], (2, 0))
    assert info.full_shape == (4, 6) and info.var_offset == (2, 0)
    with pytest.raises(AttributeError):
        info.full_shape = (1, 1)
    with pytest.raises(TypeError, match="`full_shape` must be a sequence .* instead of ndarray"):
        tf.PartitionInfo(np.array([4, 6]), [0, 0])
    with pytest.raises(TypeError, match="`var_offset` must be a sequence .* instead of int"):
        tf.PartitionInfo([4, 6], 0)
    with pytest.raises(ValueError, match="Expected equal length, but `var_offset` is of length 1 "
                                         "while full_shape is of length 2"):
        tf.PartitionInfo([4, 6], [0])
    for offset in ([4, 0], [0, -1]):
        with pytest.raises(ValueError, match="Expected 0 <= offset < shape"):
            tf.PartitionInfo([4, 6], offset)
    with pytest.raises(TypeError, match="var_offset: expected integers"):
        tf.PartitionInfo([4, 6], [0.5, 0])


def test_single_slice_dim_and_offset():
    info = tf.PartitionInfo([4, 6, 8], [0, 3, 0])
    assert info.single_slice_dim([4, 3, 8]) == 1
    assert info.single_offset([4, 3, 8]) == 3
    whole = tf.PartitionInfo([4, 6, 8], [0, 0, 0])
    assert whole.single_slice_dim((4, 6, 8)) is None
    assert whole.single_offset((4, 6, 8)) == 0
    with pytest.raises(ValueError, match="would exceed full_shape"):
        info.single_slice_dim([4, 4, 8])
    with pytest.raises(ValueError, match="could be any of dimensions"):
        whole.single_slice_dim([2, 3, 8])
    with pytest.raises(ValueError, match="rank 2"):
        info.single_slice_dim([4, 3])
    with pytest.raises(TypeError, match="`shape` must be a sequence"):
        info.single_slice_dim(4)


def test_partition_info_errors_at_call():
    init = tf.RandomNormal(seed=1)
    with pytest.raises(ValueError, match=r"partition_info: a partition of shape \[4\] \(rank 1\)"):
        init((4,), partition_info=tf.PartitionInfo([4, 6], [0, 0]))
    with pytest.raises(ValueError, match="partition_info: .* would exceed full_shape"):
        init((3, 6), partition_info=tf.PartitionInfo([4, 6], [2, 0]))
    with pytest.raises(TypeError, match="partition_info: expected a PartitionInfo"):
        init((3, 6), partition_info=[4, 6])
    # Any object with full_shape and var_offset works (TF's own _PartitionInfo included).
    duck = types.SimpleNamespace(full_shape=[4, 6], var_offset=[1, 0])
    np.testing.assert_array_equal(init((3, 6), partition_info=duck), init((4, 6))[1:])


# --- partitions are boxes of the whole ----------------------------------------------------

def seeded_random_initializers():
    return {
        "uniform": tf.RandomUniform(-2, 3, seed=5),
        "uniform_int32": tf.RandomUniform(-7, 1000, seed=5, dtype="int32"),
        "uniform_int64": tf.RandomUniform(-2**40, 2**50, seed=5, dtype="int64"),
        "normal": tf.RandomNormal(1, 2, seed=5),
        "normal_float64": tf.RandomNormal(1, 2, seed=5, dtype="float64"),
        "truncated": tf.TruncatedNormal(0, 3, seed=5, dtype="bfloat16"),
        "unit_scaling": tf.UniformUnitScaling(1.5, seed=5),
        "vs_truncated": tf.VarianceScaling(2.0, "fan_avg", seed=5),
        "vs_untruncated": tf.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=5),
        "vs_uniform": tf.VarianceScaling(0.5, "fan_in", "uniform", seed=5, dtype="float16"),
        "glorot_uniform": tf.GlorotUniform(seed=5),
        "glorot_normal": tf.GlorotNormal(seed=5),
        "he_normal": tf.he_normal(seed=5),
        "lecun_uniform": tf.lecun_uniform(seed=5),
    }


with warnings.catch_warnings():  # collection time: outside the module's filter
    warnings.simplefilter("ignore", DeprecationWarning)
    NAMES = list(seeded_random_initializers())
FULL_SHAPES = [(37,), (13, 21), (5, 6, 7), (3, 3, 8, 10)]


def cuts(size):
    """Several partitionings of one axis: halves, uneven thirds, singletons at the ends."""
    options = {(0, size // 2, size), (0, 1, size), (0, size - 1, size),
               (0, size // 3, size // 3 + 1, size)}
    return [c for c in sorted(options) if all(a < b for a, b in zip(c, c[1:]))]


def boxes_along(full, axis):
    for cut in cuts(full[axis]):
        yield [(tuple(lo if k == axis else 0 for k in range(len(full))),
                tuple(hi - lo if k == axis else n for k, n in enumerate(full)))
               for lo, hi in zip(cut, cut[1:])]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("full", FULL_SHAPES, ids=str)
def test_partitions_are_slices_of_the_whole(name, full):
    init = seeded_random_initializers()[name]
    whole = init(full)
    for axis in range(len(full)):
        for boxes in boxes_along(full, axis):
            parts = [init(shape, partition_info=tf.PartitionInfo(list(full), list(offset)))
                     for offset, shape in boxes]
            np.testing.assert_array_equal(np.concatenate(parts, axis=axis), whole)


@pytest.mark.parametrize("name", NAMES)
def test_two_axis_blocks(name):
    init = seeded_random_initializers()[name]
    full = (9, 3, 11)
    whole = init(full)
    for r0, r1 in [(0, 4), (4, 9)]:
        for c0, c1 in [(0, 5), (5, 6), (6, 11)]:
            part = init((r1 - r0, 3, c1 - c0),
                        partition_info=tf.PartitionInfo(list(full), [r0, 0, c0]))
            np.testing.assert_array_equal(part, whole[r0:r1, :, c0:c1])


def test_fans_come_from_the_full_shape():
    # A (2, 10) partition of a (1000, 10) kernel is scaled for fan_in 1000, not 2.
    init = tf.VarianceScaling(1.0, "fan_in", "uniform", seed=2)
    part = init((2, 10), partition_info=tf.PartitionInfo([1000, 10], [500, 0]))
    assert np.abs(part).max() < np.sqrt(3 / 1000)
    limit = np.sqrt(3 / 1000)
    np.testing.assert_array_equal(
        part, _fill.new((2, 10), "float32", "uniform", (-limit, limit), seed=87654321, stream=2,
                        global_shape=(1000, 10), start=(500, 0)))


def test_only_the_partition_is_generated():
    # A partition of a variable far too large to generate whole (2**46 elements): only the
    # partition's own elements are drawn, so every call returns at once, and its values are
    # the fill layer's box of the whole.
    full, start = (1 << 40, 64), (1 << 39, 0)
    info = tf.PartitionInfo(list(full), list(start))
    for init in seeded_random_initializers().values():
        assert init((3, 64), partition_info=info).shape == (3, 64)
    np.testing.assert_array_equal(
        tf.RandomUniform(-2, 3, seed=5)((3, 64), partition_info=info),
        _fill.new((3, 64), "float32", "uniform", (-2, 3), seed=87654321, stream=5,
                  global_shape=full, start=start))


def test_unseeded_partitions_form_one_tensor():
    full, info = (8, 5), lambda off: tf.PartitionInfo([8, 5], [off, 0])
    tf.set_random_seed(12)
    whole = tf.RandomNormal()(full)
    tf.set_random_seed(12)
    init = tf.RandomNormal()
    parts = [init((4, 5), partition_info=info(0)), init((4, 5), partition_info=info(4))]
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    # The next variable (its first partition at offset 0) takes the next automatic seed.
    again = init((4, 5), partition_info=info(0))
    assert not np.array_equal(again, parts[0])
    # Without any seed, the partitions of one variable still share fresh OS seeds: they
    # are two halves of one tensor, not two copies (TF gives seeded partitions equal values).
    tf.reset_default_graph()
    a, b = init((4, 5), partition_info=info(0)), init((4, 5), partition_info=info(4))
    assert not np.array_equal(a, b)


# --- initializers that are not random -----------------------------------------------------

@pytest.mark.parametrize("full", [(6, 6), (4, 9), (9, 4)], ids=str)
def test_identity_partitions(full):
    whole = tf.Identity(gain=2.0)(full)
    np.testing.assert_array_equal(whole, 2.0 * np.eye(*full, dtype=np.float32))
    for axis in (0, 1):
        for boxes in boxes_along(full, axis):
            parts = [tf.Identity(gain=2.0)(shape, partition_info=tf.PartitionInfo(
                list(full), list(offset))) for offset, shape in boxes]
            np.testing.assert_array_equal(np.concatenate(parts, axis=axis), whole)
    for (r0, r1), (c0, c1) in itertools.product([(0, 2), (2, full[0])], [(0, 3), (3, full[1])]):
        part = tf.Identity(gain=2.0)((r1 - r0, c1 - c0),
                                     partition_info=tf.PartitionInfo(list(full), [r0, c0]))
        np.testing.assert_array_equal(part, whole[r0:r1, c0:c1])


def test_identity_checks_the_full_shape():
    with pytest.raises(ValueError, match="Identity matrix initializer can only be used for 2D"):
        tf.Identity()((2, 3), partition_info=types.SimpleNamespace(full_shape=[2, 3, 4],
                                                                  var_offset=[0, 0, 0]))


def test_constant_zeros_ones_ignore_partitions_as_tf():
    info = tf.PartitionInfo([4, 3], [2, 0])
    # TF lays the value out over the partition's own shape: every partition gets the value's
    # first elements, padded with the last one (and a value for the whole variable is too
    # long for a partition: TF's "Too many elements" error).
    np.testing.assert_array_equal(tf.Constant([1, 2, 3, 4])((2, 3), partition_info=info),
                                  [[1, 2, 3], [4, 4, 4]])
    with pytest.raises(ValueError, match="Too many elements provided. Needed at most 6, but "
                                         "received 12"):
        tf.Constant(list(range(12)))((2, 3), partition_info=info)
    assert not tf.Zeros()((2, 3), partition_info=info).any()
    assert tf.Ones()((2, 3), partition_info=info).all()
