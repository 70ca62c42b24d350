# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.shard: every box of every initializer equals the same slice of the whole tensor."""

import hashlib
import itertools
import math
import warnings

import numpy as np
import pytest
from optional import installed, require

import weightinit as wi
import weightinit.tf1 as tf
from weightinit import init, shard

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def boxes(shape):
    """A few boxes of `shape`: corners, a middle, single rows and columns, an empty one."""
    out = []
    for lo_hi in itertools.product(*[[(0, n), (n // 3, n - 1), (n - 1, n), (1, 1)] for n in shape]):
        out.append(tuple(zip(*lo_hi)) if shape else ((), ()))
    return out[:: max(1, len(out) // 12)]


def bits(x):
    """The bytes of an array, to compare any dtype exactly (NaN, -0.0, bfloat16 included)."""
    return np.ascontiguousarray(x).reshape(-1).view(np.uint8)


def check_boxes(initializer, shape, dtype="float32", **seeds):
    whole = shard.new_box(initializer, shape, dtype, **seeds)
    assert whole.shape == tuple(shape) and whole.dtype == wi.core.dtypes.as_dtype(dtype)
    for start, stop in boxes(shape):
        part = shard.new_box(initializer, shape, dtype, start, stop, **seeds)
        want = whole[tuple(slice(a, b) for a, b in zip(start, stop))]
        np.testing.assert_array_equal(bits(part), bits(want),
                                      err_msg=f"{initializer} box {start}..{stop}")
    return whole


# --- names and torch functions ------------------------------------------------------------

NAMED = [
    ("uniform", {"a": -0.5, "b": 2.0}, (13, 70)),
    ("normal", {"std": 0.02}, (5, 7, 9)),
    ("trunc_normal", {"std": 0.02, "a": -0.03, "b": 0.05}, (40, 33)),
    ("xavier_uniform", {"gain": 2.0}, (6, 4, 3, 3)),
    ("xavier_normal", {}, (17, 40)),
    ("kaiming_uniform", {"a": math.sqrt(5)}, (30, 21)),
    ("kaiming_normal", {"mode": "fan_out", "nonlinearity": "relu"}, (8, 3, 5)),
    ("constant", {"val": 0.25}, (9, 11)),
    ("ones", {}, (70,)),
    ("zeros", {}, ()),
    ("eye", {}, (9, 14)),
    ("dirac", {"groups": 2}, (6, 4, 3, 5)),
    ("truncated_normal", {"mean": 1.0, "stddev": 0.5}, (100,)),
    ("variance_scaling", {"scale": 3.0, "mode": "fan_avg", "distribution": "untruncated_normal"}, (7, 9)),
    ("glorot_uniform", {}, (3, 3, 16, 8)),
    ("glorot_normal", {}, (12, 12)),
    ("he_normal", {}, (64, 10)),
    ("he_uniform", {}, (10, 64)),
    ("lecun_normal", {}, (5, 50)),
    ("lecun_uniform", {}, (50, 5)),
    ("values", {"values": np.linspace(-3, 3, 77).reshape(11, 7)}, (11, 7)),
    ("norm_of", {"of": {"name": "kaiming_uniform", "a": math.sqrt(5)}, "of_name": "conv.v",
                 "of_shape": [8, 4, 5], "dim": 2}, (1, 1, 5)),
]


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float64", "float16"])
@pytest.mark.parametrize("name, kwargs, shape", NAMED, ids=[n for n, _, _ in NAMED])
def test_named_boxes_equal_slices_of_the_whole(name, kwargs, shape, dtype):
    if name == "norm_of" and not installed("torch"):
        with pytest.raises(ModuleNotFoundError, match=r"norm_of: needs torch.*weightinit\[torch\]"):
            shard.new_box((name, kwargs), shape, dtype, seed=7)
        return  # torch's norm is the weight normalization's (see test_norm_of_...)
    check_boxes((name, kwargs), shape, dtype, seed=7, stream=2**63 + 5)


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float64", "float16"])
def test_values_are_broadcast_and_rounded_once(dtype):
    """Given values (an architecture's sinusoidal table, Mamba's A_log) are written broadcast
    to the shape and rounded to the dtype once, from float64 or float32 as given."""
    table = np.linspace(-3, 3, 7) / 3  # float64: one rounding to each dtype
    want = np.broadcast_to(table.astype(wi.core.dtypes.as_dtype(dtype)), (5, 7))
    got = check_boxes(("values", {"values": table[np.newaxis]}), (5, 7), dtype)
    np.testing.assert_array_equal(bits(got), bits(want))
    got = shard.new_box(("values", {"values": table.astype(np.float32)}), (5, 7), dtype)
    np.testing.assert_array_equal(bits(got), bits(np.broadcast_to(
        table.astype(np.float32).astype(wi.core.dtypes.as_dtype(dtype)), (5, 7))))


@pytest.mark.parametrize("values, error, message", [
    (np.zeros((3, 8)), ValueError, r"values: shape \[3, 8\] does not broadcast to \[5, 7\]"),
    (np.zeros((5, 7), dtype=complex), TypeError, "values: expected real numbers"),
    (["a", "b"], TypeError, "values: expected real numbers"),
])
def test_bad_values(values, error, message):
    with pytest.raises(error, match=message):
        shard.new_box(("values", {"values": values}), (5, 7))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_norm_of_is_the_norm_of_the_tensor_as_drawn(dtype):
    """A weight normalization's magnitude: torch's norm over every axis but `dim` of the
    direction tensor as its own name's stream draws it, in the same dtype."""
    torch = pytest.importorskip("torch")
    of = {"name": "kaiming_uniform", "a": math.sqrt(5)}
    v = shard.new_box((of["name"], {"a": of["a"]}), (6, 3, 4), dtype, seed=9,
                      stream=shard.stream_for("conv.v"))
    g = shard.new_box(("norm_of", {"of": of, "of_name": "conv.v", "of_shape": [6, 3, 4],
                                   "dim": 0}), (6, 1, 1), dtype, seed=9, stream=123)
    tv = torch.from_numpy(v.astype(np.float32)).to(getattr(torch, dtype))
    want = torch.norm_except_dim(tv, 2, 0).float().numpy().astype(g.dtype)
    np.testing.assert_array_equal(bits(g), bits(want))
    with pytest.raises(ValueError, match=r"norm_of: the norm over every axis but 0 of \[6, 3, "
                                         r"4\] has shape \[6, 1, 1\], not \[1, 1, 4\]"):
        shard.new_box(("norm_of", {"of": of, "of_name": "conv.v", "of_shape": [6, 3, 4],
                                   "dim": 0}), (1, 1, 4), seed=9)


def test_every_name_is_tested():
    assert {n for n, _, _ in NAMED} | {"orthogonal", "sparse"} == set(shard.INITIALIZERS)


TORCH = [
    (init.uniform_, {"a": -1.0, "b": 3.0}, (33, 20)),
    (init.normal_, {"mean": 1.0, "std": 0.5}, (33, 20)),
    (init.trunc_normal_, {"std": 0.1, "a": -0.2, "b": 0.1}, (33, 20)),
    (init.trunc_normal_, {"a": 0.5, "b": 0.5}, (4, 4)),  # a point mass
    (init.xavier_uniform_, {}, (8, 5, 3)),
    (init.xavier_normal_, {"gain": 0.5}, (8, 5, 3)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, (64, 48)),
    (init.kaiming_normal_, {}, (64, 48)),
    (init.orthogonal_, {"gain": 2.0}, (12, 30)),
    (init.orthogonal_, {}, (30, 4, 3)),
    (init.sparse_, {"sparsity": 0.3, "std": 0.5}, (20, 9)),
    (init.eye_, {}, (5, 8)),
    (init.dirac_, {}, (4, 4, 3)),
    (init.constant_, {"val": 3}, (2, 3)),
]


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float64"])
@pytest.mark.parametrize("function, kwargs, shape", TORCH,
                         ids=[f"{f.__name__}{i}" for i, (f, _, _) in enumerate(TORCH)])
def test_whole_box_equals_the_in_place_function(function, kwargs, shape, dtype):
    """Seed s on stream 0 is what the function draws from ``generator=s``."""
    want = function(np.empty(shape, wi.core.dtypes.as_dtype(dtype)), **kwargs,
                    **({"generator": 11} if function not in (init.eye_, init.dirac_, init.constant_) else {}))
    got = shard.new_box((function, kwargs), shape, dtype, seed=11)
    np.testing.assert_array_equal(bits(got), bits(want))
    if function not in (init.orthogonal_, init.sparse_):
        check_boxes((function, kwargs), shape, dtype, seed=11)


def test_a_box_of_a_tensor_gets_its_fans_from_the_global_shape():
    part = shard.new_box(init.kaiming_uniform_, (100, 400), start=(0, 0), stop=(1, 400), seed=1)
    bound = math.sqrt(6 / 400)
    assert part.min() >= -bound and part.max() < bound and part.max() > 0.9 * bound
    alone = shard.new_box(init.kaiming_uniform_, (1, 400), seed=1)
    np.testing.assert_array_equal(part, alone)  # fan_in 400 either way, same positions
    part = shard.new_box(init.xavier_uniform_, (100, 400), start=(0, 0), stop=(1, 400), seed=1)
    assert part.max() < math.sqrt(6 / 500) and part.max() > 0.9 * math.sqrt(6 / 500)


def test_tf_names_equal_tf1_classes():
    """Registry TF names are TF1's laws: key = graph seed, stream = op seed."""
    tf.set_random_seed(123)
    cases = [("he_normal", {}, tf.he_normal(seed=9)),
             ("glorot_uniform", {}, tf.glorot_uniform_initializer(seed=9)),
             ("lecun_uniform", {}, tf.lecun_uniform(seed=9)),
             ("variance_scaling", {"scale": 0.5, "mode": "fan_out", "distribution": "uniform"},
              tf.VarianceScaling(0.5, "fan_out", "uniform", seed=9)),
             ("truncated_normal", {"mean": 0.5, "stddev": 2.0}, tf.TruncatedNormal(0.5, 2.0, seed=9))]
    for name, kwargs, instance in cases:
        for shape in [(31, 17), (3, 3, 8, 4)]:
            want = instance(shape)
            got = shard.new_box((name, kwargs), shape, seed=123, stream=9)
            np.testing.assert_array_equal(got, want, err_msg=name)


def test_torch_output_and_strided_views():
    torch = require("torch", extra="torch")
    spec = ("kaiming_uniform", {"a": math.sqrt(5)})
    whole = shard.new_box(spec, (20, 30), "bfloat16", seed=3)
    t = torch.empty(20, 30, dtype=torch.bfloat16).t().contiguous().t()  # column-major
    shard.fill_box(t, spec, (20, 30), seed=3)
    np.testing.assert_array_equal(t.view(torch.int16).numpy(), whole.view(np.int16))
    out = np.zeros((30, 40), np.float32)
    view = out[5:25:2, ::3]  # a strided box of a larger buffer
    shard.fill_box(view, "normal", (100, 14), start=(50, 0), seed=3)
    want = shard.new_box("normal", (100, 14), start=(50, 0), stop=(60, 14), seed=3)
    np.testing.assert_array_equal(view, want)
    assert not out[6].any()  # nothing outside the view
    p = torch.nn.Parameter(torch.empty(4, 6))
    shard.fill_box(p, init.xavier_normal_, (8, 6), start=(4, 0), seed=5)  # no autograd error
    np.testing.assert_array_equal(p.detach().numpy(),
                                  shard.new_box(init.xavier_normal_, (8, 6), seed=5)[4:])


def test_threads_and_order_do_not_matter():
    spec = ("trunc_normal", {"std": 0.02})
    whole = shard.new_box(spec, (257, 129), "bfloat16", seed=1, stream=2)
    wi.set_num_threads(1)
    out = np.empty((257, 129), whole.dtype)
    for r in reversed(range(0, 257, 64)):
        shard.fill_box(out[r:r + 64], spec, (257, 129), (r, 0), seed=1, stream=2)
    np.testing.assert_array_equal(out.view(np.int16), whole.view(np.int16))


# --- TF1 instances ------------------------------------------------------------------------

TF1 = [  # made in the tests (constructors may warn)
    lambda: tf.RandomUniform(-1, 2, seed=1),
    lambda: tf.RandomUniform(0, 100, seed=1, dtype=tf.int32),
    lambda: tf.RandomNormal(0.5, 2.0, seed=2),
    lambda: tf.TruncatedNormal(0.0, 0.1, seed=3),
    lambda: tf.VarianceScaling(2.0, "fan_avg", "untruncated_normal", seed=4),
    lambda: tf.GlorotUniform(seed=5),
    lambda: tf.he_normal(seed=6),
    lambda: tf.UniformUnitScaling(1.5, seed=7),
    lambda: tf.Identity(gain=3.0),
    lambda: tf.Zeros(),
    lambda: tf.Constant([1.0, 2.0, 3.0, 4.0, 5.0]),  # TF's Constant ignores partition_info
    lambda: tf.Constant(0.5),
]


@pytest.mark.parametrize("make", TF1, ids=[
    "uniform", "uniform-int32", "normal", "truncated", "variance-scaling", "glorot", "he",
    "unit-scaling", "identity", "zeros", "constant-list", "constant"])
def test_tf1_boxes_equal_slices_of_the_whole(make):
    instance = make()
    dtype = getattr(instance, "dtype", np.dtype("float32"))
    whole = check_boxes(instance, (9, 12), dtype)
    np.testing.assert_array_equal(whole, instance((9, 12), dtype=dtype))


def test_tf1_any_start_vector_is_a_partition():
    init3 = tf.glorot_normal_initializer(seed=3)
    whole = init3((6, 8, 10))
    part = shard.new_box(init3, (6, 8, 10), start=(2, 3, 4), stop=(5, 8, 9))
    np.testing.assert_array_equal(part, whole[2:5, 3:8, 4:9])


def test_tf1_seeds_are_checked():
    with pytest.raises(ValueError, match="unseeded TF1 initializer"):
        shard.resolve(tf.RandomNormal())
    with pytest.raises(TypeError, match="takes its seeds from its op seed"):
        shard.new_box(tf.RandomNormal(seed=1), (3, 3), seed=1)
    with pytest.raises(TypeError, match="takes its seeds from its op seed"):
        shard.new_box(tf.RandomNormal(seed=1), (3, 3), stream=4)
    spec = shard.resolve(tf.RandomNormal(seed=1))  # resolved with no graph seed
    tf.set_random_seed(99)
    with pytest.raises(RuntimeError, match="call weightinit.tf1.set_random_seed with the same"):
        shard.new_box(spec, (3, 3))
    shard.new_box(tf.Zeros(), (3, 3))  # deterministic ones need no seed


@pytest.mark.parametrize("make", [lambda: tf.Orthogonal(seed=1),
                                  lambda: tf.ConvolutionOrthogonal2D(seed=1),
                                  lambda: tf.ConvolutionDeltaOrthogonal(seed=1)])
def test_orthogonal_tf1_needs_the_whole_tensor(make):
    instance = make()
    shape = (3, 3, 4, 4)
    whole = shard.new_box(instance, shape if instance.__class__ is not tf.Orthogonal else (8, 8))
    assert whole.size and shard.resolve(instance).whole_only
    with pytest.raises(ValueError, match="cannot fill a box of shape \\(3, 3, 2, 4\\) .* an "
                                         "orthogonal matrix is a property of the whole"):
        shard.new_box(instance, shape, start=(0, 0, 0, 0), stop=(3, 3, 2, 4))


@pytest.mark.parametrize("spec", ["orthogonal", ("sparse", {"sparsity": 0.5})])
def test_orthogonal_torch_needs_the_whole_tensor(spec):
    with pytest.raises(ValueError, match="cannot fill a box of shape \\(2, 8\\) at \\(0, 0\\) of "
                                         "\\(8, 8\\) on its own: .*fill the whole tensor"):
        shard.new_box(spec, (8, 8), start=(0, 0), stop=(2, 8), seed=1)
    q = shard.new_box("orthogonal", (8, 8), "float64", seed=1, stream=3)
    np.testing.assert_allclose(q @ q.T, np.eye(8), atol=1e-12)


# --- arguments ----------------------------------------------------------------------------

@pytest.mark.parametrize("initializer, error, match", [
    ("nope", ValueError, "unknown name 'nope'; known: constant, dirac"),
    (("normal", {"sdt": 1.0}), TypeError, "normal: got an unexpected keyword argument 'sdt'"),
    (("glorot_uniform", {"scale": 2.0}), TypeError, "argument 'scale' is fixed"),
    (("normal", [1.0]), TypeError, "expected \\(name or function, dict of arguments\\)"),
    (np.random.normal, TypeError, "expected a seeded weightinit.tf1 initializer"),
    (init.uniform, TypeError, "a function of weightinit.init"),  # deprecated alias: not a law
    (42, TypeError, "got 42"),
])
def test_resolve_errors(initializer, error, match):
    with pytest.raises(error, match=match):
        shard.resolve(initializer)


@pytest.mark.parametrize("call, error, match", [
    (lambda: shard.new_box("normal", (3, 3)), TypeError, "normal is random and needs seed="),
    (lambda: shard.new_box("normal", (3, 3), seed=-1), ValueError, "seed: must be an integer"),
    (lambda: shard.new_box("normal", (3, 3), seed=1, stream=2**64), ValueError, "stream"),
    (lambda: shard.new_box("normal", (3, 3), start=(0, 1), stop=(3, 4), seed=1), ValueError,
     "does not fit in global_shape \\(3, 3\\) \\(dimension 1\\)"),
    (lambda: shard.new_box("normal", (3, 3), start=(0,), seed=1), ValueError, "need rank 2"),
    (lambda: shard.fill_box(np.empty((2, 2)), "normal", (3,), seed=1), ValueError, "needs rank 2"),
    (lambda: shard.fill_box(np.empty(2, np.int32), "normal", (2,), seed=1), TypeError, "dtype"),
    (lambda: shard.new_box(("kaiming_uniform", {"mode": "fan_up"}), (3, 3), seed=1), ValueError,
     "Mode fan_up not supported"),
    (lambda: shard.new_box("xavier_uniform", (3,), seed=1), ValueError, "fewer than 2 dimensions"),
    (lambda: shard.new_box(("uniform", {"a": 2, "b": 1}), (3,), seed=1), RuntimeError, "from=2 > to=1"),
    (lambda: shard.new_box(("variance_scaling", {"scale": -1}), (3, 3), seed=1), ValueError,
     "`scale` must be positive"),
])
def test_box_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_tf_truncated_normal_takes_tf1_degenerate_stddevs():
    # One law for the name and the TF1 class: stddev 0 is the mean, a negative stddev mirrors.
    assert not shard.new_box(("truncated_normal", {"stddev": 0}), (3, 3), seed=1).any()
    pos = shard.new_box(("truncated_normal", {"stddev": 0.5}), (3, 3), seed=1)
    neg = shard.new_box(("truncated_normal", {"stddev": -0.5}), (3, 3), seed=1)
    np.testing.assert_array_equal(neg, -pos)


def test_empty_boxes_and_tensors():
    assert shard.new_box("normal", (0, 5), seed=1).shape == (0, 5)
    assert shard.new_box("normal", (4, 5), start=(2, 2), stop=(2, 5), seed=1).shape == (0, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert shard.new_box("kaiming_uniform", (0,), seed=1).shape == (0,)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):  # still checked when empty
        shard.new_box("xavier_uniform", (0,), seed=1)


def test_box_of_slices():
    assert shard.box_of_slices((slice(2, 5), slice(None)), (10, 4)) == ((2, 0), (5, 4))
    assert shard.box_of_slices((), (3, 4)) == ((0, 0), (3, 4))
    assert shard.box_of_slices((slice(5, 2),), (10,)) == ((5,), (5,))
    with pytest.raises(ValueError, match="step 1"):
        shard.box_of_slices((slice(0, 4, 2),), (10,))
    with pytest.raises(ValueError, match="3 slices for a tensor of rank 2"):
        shard.box_of_slices((slice(None),) * 3, (3, 4))


# --- the stream id of a name --------------------------------------------------------------

def test_stream_for_is_blake2b_64_little_endian():
    # Known answers, frozen: changing them changes every checkpoint (a stream-version bump).
    assert shard.stream_for("") == 0xB4B2797457A0A6E4
    assert shard.stream_for("model.embed_tokens.weight") == int.from_bytes(
        hashlib.blake2b(b"model.embed_tokens.weight", digest_size=8).digest(), "little")
    assert shard.stream_for("h.0.attn.c_attn.weight") == 0xA6BA738C8A523575
    assert shard.stream_for("é") == int.from_bytes(
        hashlib.blake2b("é".encode("utf-8"), digest_size=8).digest(), "little")
    with pytest.raises(TypeError, match="expected a str"):
        shard.stream_for(b"x")
