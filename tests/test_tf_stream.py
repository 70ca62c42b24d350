# SPDX-License-Identifier: BSD-3-Clause
"""The TensorFlow stream: TensorFlow 2.21's own values (tests/data/tf_stream_v1.txt, written
by tests/data/make_tf_golden.py where TensorFlow is installed), boxes, threads, targets, and
the stream= / set_stream surface."""

import hashlib
import json
import os
import sys
import warnings

import numpy as np
import pytest

import weightinit as wi
import weightinit.tf1 as tf1

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "data", "tf_stream_v1.txt")
sys.path.insert(0, os.path.join(HERE, "data"))
import make_tf_golden as gen  # noqa: E402  (the cases and the initializer lookup, no TF)

def _cases():
    out = []
    with open(GOLDEN) as f:
        for line in f:
            if line.startswith("#"):
                continue
            name, kw, shape, dtype, gseed, oseed, n, digest, stride, sample = line.rstrip("\n").split("|")
            out.append(dict(
                name=name, kwargs=json.loads(kw), shape=tuple(int(d) for d in shape.split(",")),
                dtype=dtype, gseed=None if gseed == "none" else int(gseed),
                oseed=oseed if oseed == "auto" else int(oseed), n=int(n), digest=digest,
                stride=int(stride), sample=[int(h, 16) for h in sample.split()]))
    return out


CASES = _cases()


def _ours(c):
    case = (c["name"], c["kwargs"], c["shape"], c["dtype"], c["gseed"], c["oseed"])
    return gen.wi_values([case])[0]


def test_golden_file_size_and_coverage():
    assert os.path.getsize(GOLDEN) < 3 * 2 ** 20
    per = {}
    for c in CASES:
        key = (c["name"], json.dumps(c["kwargs"], sort_keys=True), c["dtype"])
        per[key] = per.get(key, 0) + c["n"]
    assert len(per) == 51
    assert min(per.values()) >= 10 ** 5


@pytest.mark.parametrize("c", CASES, ids=lambda c: f"{c['name']}-{c['dtype']}-{c['shape']}-{c['gseed']}-{c['oseed']}")
def test_bits_equal_tensorflow(c):
    bits = gen.raw(_ours(c))
    assert bits.size == c["n"]
    assert [int(b) for b in bits[::c["stride"]][:len(c["sample"])]] == c["sample"]
    assert hashlib.sha256(bits.tobytes()).hexdigest() == c["digest"]


# --- boxes, threads, targets -----------------------------------------------------------------

def _whole_and_boxes(init, shape, dtype, boxes):
    whole = init(shape, dtype=dtype)
    for offset, part in boxes:
        info = tf1.PartitionInfo(list(shape), list(offset))
        got = init(part, dtype=dtype, partition_info=info)
        sl = tuple(slice(o, o + p) for o, p in zip(offset, part))
        np.testing.assert_array_equal(got.view(np.uint8), np.ascontiguousarray(whole[sl]).view(np.uint8))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("make", [
    lambda: tf1.RandomUniform(-2.0, 3.0, seed=4, stream="tensorflow"),
    lambda: tf1.RandomNormal(0.25, 1.5, seed=4, stream="tensorflow"),
    lambda: tf1.TruncatedNormal(0.0, 0.3, seed=4, stream="tensorflow"),
    lambda: tf1.VarianceScaling(2.0, "fan_avg", "uniform", seed=4, stream="tensorflow"),
    lambda: tf1.glorot_normal_initializer(seed=4, stream="tensorflow"),
])
def test_any_box_equals_the_slice_of_the_whole(make, dtype):
    tf1.set_random_seed(9)
    rng = np.random.default_rng(5)
    shape = (37, 23)
    boxes = [((0, 0), (37, 23)), ((0, 0), (5, 23)), ((36, 22), (1, 1))]
    for _ in range(12):
        o = (int(rng.integers(0, 37)), int(rng.integers(0, 23)))
        p = (int(rng.integers(1, 38 - o[0])), int(rng.integers(1, 24 - o[1])))
        boxes.append((o, p))
    _whole_and_boxes(make(), shape, getattr(tf1, dtype), boxes)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_integer_boxes(dtype):
    init = tf1.RandomUniform(-7, 1 << 20, seed=3, stream="tensorflow")
    _whole_and_boxes(init, (19, 13), getattr(tf1, dtype), [((3, 2), (10, 5)), ((18, 0), (1, 13))])


def test_threads_and_targets_change_no_bit():
    before = wi.get_num_threads()
    target = wi.cpu_targets()["active"]
    inits = [tf1.RandomUniform(seed=1, stream="tensorflow"),
             tf1.RandomNormal(seed=1, stream="tensorflow"),
             tf1.TruncatedNormal(seed=1, stream="tensorflow"),
             tf1.RandomUniform(-3, 99, seed=1, stream="tensorflow")]
    dtypes = ["float32", "float64", "float16", "bfloat16"]
    try:
        wi.set_target("scalar")
        wi.set_num_threads(1)
        ref = {}
        for k, init in enumerate(inits):
            for dt in (["int32", "int64"] if k == 3 else dtypes):
                ref[k, dt] = init((300_001,), dtype=getattr(tf1, dt))
        for t in wi.cpu_targets()["available"]:
            wi.set_target(t)
            for n in (1, 2, 5):
                wi.set_num_threads(n)
                for (k, dt), want in ref.items():
                    got = inits[k]((300_001,), dtype=getattr(tf1, dt))
                    assert got.tobytes() == want.tobytes(), (t, n, k, dt)
    finally:
        wi.set_target(target)
        wi.set_num_threads(before)


# --- surface -----------------------------------------------------------------------------------

def test_set_stream_is_process_wide_and_instances_win():
    assert tf1.get_stream() == "weightinit"
    tf1.set_random_seed(1)
    ours = tf1.RandomUniform(seed=2)((8,))
    try:
        tf1.set_stream("tensorflow")
        assert tf1.get_stream() == "tensorflow"
        theirs = tf1.RandomUniform(seed=2)((8,))
        # tf-philox.md 6.1: seeds (1, 2), float32 uniform bits.
        assert [f"{x:08x}" for x in theirs.view(np.uint32)] == [
            "3ed0133c", "3f5b8ba6", "3d62e6c0", "3dafddd0", "3ed305cc", "3d160a40", "3f283f22",
            "3db3cf30"]
        np.testing.assert_array_equal(tf1.RandomUniform(seed=2, stream="weightinit")((8,)), ours)
    finally:
        tf1.set_stream("weightinit")
    assert not np.array_equal(ours, theirs)


def test_golden_values_of_the_spec():
    tf1.set_random_seed(1)
    n = tf1.RandomNormal(seed=2, stream="tensorflow")((8,))
    assert [f"{x:08x}" for x in n.view(np.uint32)] == [
        "bf85fcdd", "3f56f6e1", "3f9e2fe3", "4004150f", "3e9b842a", "3fa5edfb", "3ef5dbd8", "3f47c36a"]
    t = tf1.TruncatedNormal(seed=2, stream="tensorflow")((8,))
    assert [f"{x:08x}" for x in t.view(np.uint32)] == [
        "bf85fcdd", "3f56f6e1", "3f9e2fe3", "3e9b842a", "3ec7027f", "3f9e4c57", "3e762ae7", "be20e9fd"]
    i = tf1.RandomUniform(-5, 1000, seed=2, stream="tensorflow")((8,), dtype=tf1.int32)
    assert i.tolist() == [759, 765, 457, 234, 816, 401, 488, 293]
    u = tf1.RandomUniform(seed=2, stream="tensorflow")((4,), dtype=tf1.float64)
    assert u.tolist() == [0.2511744980841868, 0.44316677020093853, 0.2972296290781924,
                          0.2577066944684787]
    tf1.set_random_seed(11)
    g = tf1.glorot_uniform_initializer(seed=7, stream="tensorflow")((3, 5))
    assert g.ravel().tolist()[:3] == [0.7321767210960388, -0.8103560209274292, 0.7747812867164612]


@pytest.mark.parametrize("make", [
    lambda s: tf1.RandomUniform(seed=1, stream=s),
    lambda s: tf1.RandomNormal(seed=1, stream=s),
    lambda s: tf1.TruncatedNormal(seed=1, stream=s),
    lambda s: tf1.UniformUnitScaling(seed=1, stream=s),
    lambda s: tf1.VarianceScaling(seed=1, stream=s),
    lambda s: tf1.GlorotUniform(seed=1, stream=s),
    lambda s: tf1.GlorotNormal(seed=1, stream=s),
    lambda s: tf1.he_normal(seed=1, stream=s),
    lambda s: tf1.lecun_uniform(seed=1, stream=s),
    lambda s: tf1.keras.initializers.RandomNormal(seed=1, stream=s),
])
def test_stream_round_trips_through_config(make):
    init = make("tensorflow")
    config = init.get_config()
    assert config["stream"] == "tensorflow"
    json.dumps(config)
    again = type(init).from_config(config)
    tf1.set_random_seed(3)
    a = init((6, 7))
    tf1.set_random_seed(3)
    np.testing.assert_array_equal(again((6, 7)), a)
    assert "stream" not in make(None).get_config()  # unset: follows set_stream, as before


@pytest.mark.parametrize("cls", [tf1.Orthogonal, tf1.ConvolutionDeltaOrthogonal,
                                 tf1.ConvolutionOrthogonal2D])
def test_orthogonal_refuses_the_tensorflow_stream(cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        init = cls(seed=1, stream="tensorflow")
    with pytest.raises(ValueError, match="tensorflow"):
        init((3, 3, 4, 4))
    try:
        tf1.set_stream("tensorflow")
        with pytest.raises(ValueError, match="tensorflow"):
            cls(seed=1)((3, 3, 4, 4))
    finally:
        tf1.set_stream("weightinit")


def test_bad_stream_names():
    with pytest.raises(ValueError, match="stream"):
        tf1.RandomNormal(stream="torch")
    with pytest.raises(TypeError, match="stream"):
        tf1.RandomNormal(stream=1)
    with pytest.raises(ValueError, match="stream"):
        tf1.set_stream("TensorFlow")
    with pytest.raises(TypeError, match="stream"):
        tf1.set_stream(None)
    assert tf1.get_stream() == "weightinit"


def test_parameters_that_overflow_the_dtype_are_refused():
    init = tf1.RandomNormal(0.0, 1e6, seed=1, stream="tensorflow")
    with pytest.raises(ValueError, match="stddev"):
        init((4,), dtype=tf1.float16)
    assert np.isfinite(init((4,), dtype=tf1.float32)).all()


def test_automatic_op_seeds_follow_tf_2_graph_counter():
    # tf-philox / tf1-initializers 2.1: graph seed set, no op seed -> op seeds 0, 1, 2, ...
    tf1.set_random_seed(42)
    init = tf1.RandomUniform(stream="tensorflow")
    a, b = init((5,)), init((5,))
    tf1.set_random_seed(42)
    np.testing.assert_array_equal(tf1.RandomUniform(seed=0, stream="tensorflow")((5,)), a)
    np.testing.assert_array_equal(tf1.RandomUniform(seed=1, stream="tensorflow")((5,)), b)


def test_set_stream_leaves_the_keras_2_classes_alone():
    # weightinit.keras (TF2 Keras semantics, stateless seeds) stays on weightinit's stream.
    import weightinit.keras as keras

    want_g = keras.GlorotUniform(seed=3)((5, 6))
    want_o = keras.Orthogonal(seed=3)((4, 4))
    try:
        tf1.set_stream("tensorflow")
        np.testing.assert_array_equal(keras.GlorotUniform(seed=3)((5, 6)), want_g)
        np.testing.assert_array_equal(keras.Orthogonal(seed=3)((4, 4)), want_o)
    finally:
        tf1.set_stream("weightinit")
