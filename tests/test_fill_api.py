# SPDX-License-Identifier: BSD-3-Clause
"""The fill layer: random access, boxes and strides, dtypes, and every bad input's error."""

import math

import ml_dtypes
import numpy as np
import pytest

import weightinit as wi
from weightinit import _core

DISTS = [("uniform", (-2.0, 3.0)), ("normal", (0.5, 2.0)),
         ("truncated_normal", (0.0, 1.0, -2.0, 2.0)), ("truncated_normal", (1.0, 0.1, 3.0, 8.0))]
FLOATS = ["float32", "float64", "float16"]


@pytest.mark.parametrize("dist,params", DISTS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_split_fills_equal_whole(dist, params, dtype):
    """Filling [0, n) equals filling [0, k) then [k, n), for cuts inside and between groups."""
    n = 1000
    whole = wi.new(n, dtype, dist, params, seed=11, stream=3)
    for k in (1, 15, 16, 31, 63, 64, 65, 500, 999):
        left = np.empty(k, dtype)
        right = np.empty(n - k, dtype)
        wi.fill(left, dist, params, seed=11, stream=3, global_shape=(n,), start=(0,))
        wi.fill(right, dist, params, seed=11, stream=3, global_shape=(n,), start=(k,))
        np.testing.assert_array_equal(np.concatenate([left, right]).view(np.uint8),
                                      whole.view(np.uint8))


@pytest.mark.parametrize("dtype", FLOATS)
def test_box_equals_slice_of_whole(dtype):
    shape = (7, 9, 130)
    whole = wi.new(shape, dtype, "normal", (0, 1), seed=5)
    for start, size in [((0, 0, 0), (7, 9, 130)), ((2, 3, 5), (4, 5, 70)), ((6, 8, 129), (1, 1, 1)),
                        ((0, 4, 0), (7, 1, 130)), ((3, 0, 64), (2, 9, 64))]:
        box = np.empty(size, dtype)
        wi.fill(box, "normal", (0, 1), seed=5, global_shape=shape, start=start)
        sl = tuple(slice(s, s + n) for s, n in zip(start, size))
        np.testing.assert_array_equal(box.view(np.uint8), whole[sl].view(np.uint8))


@pytest.mark.parametrize("view", [lambda b: b[:, ::2], lambda b: b.T, lambda b: b[::-1, 3:40],
                                  lambda b: b[1::3, ::-5]])
def test_strided_views_write_only_their_elements(view):
    base = np.full((50, 80), -7.0, np.float32)
    v = view(base)
    wi.fill(v, "uniform", (0, 1), seed=2)
    expected = wi.new(v.shape, np.float32, "uniform", (0, 1), seed=2)
    np.testing.assert_array_equal(v, expected)
    untouched = np.ones(base.shape, bool)
    view(untouched)[...] = False
    assert np.all(base[untouched] == -7.0)


def test_scalar_and_empty_shapes():
    s = wi.new((), "float32", "normal", (0, 1), seed=1)
    assert s.shape == () and np.isfinite(s)
    assert s == wi.new((1,), "float32", "normal", (0, 1), seed=1)[0]
    e = wi.new((3, 0, 2), "float32", "normal", (0, 1), seed=1)
    assert e.shape == (3, 0, 2)


def test_bfloat16_is_float32_rounded():
    f32 = wi.new(4096, np.float32, "normal", (0, 1), seed=8)
    bf = wi.new(4096, "bfloat16", "normal", (0, 1), seed=8)
    assert bf.dtype == np.dtype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(bf.view(np.uint16), f32.astype(ml_dtypes.bfloat16).view(np.uint16))


def test_float16_is_float32_rounded():
    f32 = wi.new(4096, np.float32, "normal", (0, 1e-4), seed=8)  # reaches half subnormals
    f16 = wi.new(4096, np.float16, "normal", (0, 1e-4), seed=8)
    np.testing.assert_array_equal(f16, f32.astype(np.float16))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_uniform_half_open_after_rounding(dtype):
    lo, hi = 0.1, 0.10000001 if dtype in ("float32", "float64") else 0.1005
    if dtype == "bfloat16":
        hi = 0.11
    a = wi.new(100_000, dtype, "uniform", (lo, hi), seed=1).astype(np.float64)
    assert a.min() >= lo and a.max() < hi


# --- errors ------------------------------------------------------------------------------

def test_read_only_array():
    a = np.zeros(10, np.float32)
    a.flags.writeable = False
    with pytest.raises(ValueError, match="out: array is read-only"):
        wi.fill(a, "uniform", (0, 1), seed=1)
    with pytest.raises(ValueError, match="read-only"):
        _core.fill(a, _core.Law.uniform(0, 1), 1)


def test_the_door_takes_any_strides():
    # The one binding entry writes strided views itself (no contiguous copy in between).
    base = np.zeros((4, 4), np.float32)
    _core.fill(base[:, ::2], _core.Law.uniform(0, 1), 1)
    np.testing.assert_array_equal(base[:, ::2], wi.new((4, 2), "float32", "uniform", (0, 1), seed=1))
    assert not base[:, 1::2].any()


@pytest.mark.parametrize("dtype", [np.int32, np.complex64, np.bool_, np.uint8])
def test_wrong_dtype(dtype):
    with pytest.raises(TypeError, match="out: dtype must be"):
        wi.fill(np.zeros(4, dtype), "uniform", (0, 1), seed=1)
    with pytest.raises(TypeError, match="out: dtype must be"):
        _core.fill(np.zeros(4, dtype), _core.Law.uniform(0, 1), 1)


def test_not_an_array():
    with pytest.raises(TypeError, match="out: expected"):
        wi.fill([1.0, 2.0], "uniform", (0, 1), seed=1)
    with pytest.raises(TypeError, match="out: expected a numpy.ndarray"):
        _core.fill([1.0], _core.Law.uniform(0, 1), 1)


@pytest.mark.parametrize("dist,params,match", [
    ("uniform", (float("nan"), 1), "low: must be finite"),
    ("uniform", (0, float("inf")), "high: must be finite"),
    ("uniform", (1, 1), "need low < high"),
    ("uniform", (2, 1), "need low < high"),
    ("uniform", (-3e38, 3e38), "high - low overflows float32"),
    ("uniform", (0, 1e39), "outside the float32 range"),
    ("normal", (0, 0), "stddev: must be finite and > 0"),
    ("normal", (0, -1), "stddev: must be finite and > 0"),
    ("normal", (float("inf"), 1), "mean: must be finite"),
    ("normal", (0, float("nan")), "stddev"),
    ("truncated_normal", (0, 1, 2, -2), "need a < b"),
    ("truncated_normal", (0, 1, 1, 1), "need a < b"),
    ("truncated_normal", (0, 1, float("nan"), 1), "a: must not be NaN"),
    ("truncated_normal", (0, 1, 1, float("nan")), "b: must not be NaN"),
    # A window holding no float32 value (far tails are drawn exactly; only this is refused).
    ("truncated_normal", (0, 1, 1.0000000001, 1.0000000002), "no float32 value lies in"),
    ("truncated_normal", (0, 1, float("-inf"), -1e300), "no float32 value lies in"),
    ("truncated_normal", (0, 1, 1e39, float("inf")), "no float32 value lies in"),
    ("uniform", (0,), "params: uniform takes"),
    ("normal", (0, 1, 2), "params: normal takes"),
])
def test_bad_parameters(dist, params, match):
    with pytest.raises(ValueError, match=match):
        wi.fill(np.zeros(4, np.float32), dist, params, seed=1)


def test_no_value_in_interval_for_dtype():
    with pytest.raises(ValueError, match="no float16 value lies in"):
        wi.fill(np.zeros(4, np.float16), "uniform", (0.1, 0.10001), seed=1)


def test_bad_distribution_name():
    with pytest.raises(ValueError, match="distribution: expected"):
        wi.fill(np.zeros(4, np.float32), "gamma", (1,), seed=1)
    with pytest.raises(ValueError, match="distribution: expected"):
        _core.Law.of("gamma", (1,))


@pytest.mark.parametrize("seed,exc,match", [
    (-1, ValueError, r"seed: must be an integer in \[0, 2\*\*64\)"),
    (2**64, ValueError, r"seed: must be an integer in \[0, 2\*\*64\)"),
    (1.5, TypeError, "seed: expected an integer"),
    ("1", TypeError, "seed: expected an integer"),
    (True, TypeError, "seed: expected an integer"),
    (None, TypeError, "seed: expected an integer"),
])
def test_bad_seed(seed, exc, match):
    with pytest.raises(exc, match=match):
        wi.fill(np.zeros(4, np.float32), "uniform", (0, 1), seed=seed)


_NOT_A_SOURCE = (r"source: expected None \(the default generator\), a weightinit.Generator, an "
                 r"integer seed or a Stream, got ")


@pytest.mark.parametrize("source,exc,match", [
    (-1, ValueError, r"source: must be an integer in \[0, 2\*\*64\), got -1"),
    (2**64, ValueError, r"source: must be an integer in \[0, 2\*\*64\)"),
    (1.5, TypeError, _NOT_A_SOURCE + "builtins.float$"),
    ("1", TypeError, _NOT_A_SOURCE + "builtins.str$"),
    (True, TypeError, _NOT_A_SOURCE + "builtins.bool$"),
])
def test_bad_source(source, exc, match):
    with pytest.raises(exc, match=match):
        _core.fill(np.zeros(4, np.float32), _core.Law.uniform(0, 1), source)


def test_the_door_sources():
    # None: the default generator, advanced past its blocks; a Generator: its key from its
    # offset; an int: that key from `offset`.
    law = _core.Law.normal(0.0, 1.0)
    want = wi.new(200, np.float32, "normal", (0, 1), seed=7, offset=64)
    g = wi.Generator(7).set_state((7, 64))
    got = np.empty(200, np.float32)
    _core.fill(got, law, g)
    np.testing.assert_array_equal(got, want)
    assert g.offset == 64 + 64
    wi.manual_seed(7)
    _core.fill(np.empty(200, np.float32), law)
    _core.fill(got, law)
    np.testing.assert_array_equal(got, want)
    assert wi.default_generator.offset == 128
    _core.fill(got, law, 7, offset=64)
    np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="offset: a generator draws from its own offset"):
        _core.fill(got, law, g, offset=16)
    assert g.offset == 128


def test_the_door_takes_options_by_name_only():
    law = _core.Law.uniform(0, 1)
    out = np.zeros(4, np.float32)
    with pytest.raises(TypeError, match=r"fill\(\) takes at most 3 positional arguments \(4 given\)"):
        _core.fill(out, law, 1, 0)
    with pytest.raises(TypeError, match="fill\\(\\) got an unexpected keyword argument 'seed'"):
        _core.fill(out, law, seed=1)
    with pytest.raises(TypeError, match="fill\\(\\) got multiple values for argument 'source'"):
        _core.fill(out, law, 1, source=1)
    with pytest.raises(TypeError, match="fill\\(\\) missing required argument 'law'"):
        _core.fill(out)
    with pytest.raises(TypeError, match="no_grad: expected a bool"):
        _core.fill(out, law, 1, no_grad=1)
    with pytest.raises(TypeError, match=r"box: expected a pair \(global_shape, start\)"):
        _core.fill(out, law, 1, box=[4, 0])
    with pytest.raises(TypeError, match="law: expected a weightinit Law"):
        _core.fill(out, "normal", 1)
    with pytest.raises(TypeError, match="out, law: a tuple of laws needs a tuple of as many outputs"):
        _core.fill((out,), (law, law), 1)
    whole = wi.new((4, 6), np.float32, "uniform", (0, 1), seed=1)
    box = np.empty((2, 3), np.float32)
    _core.fill(box, law, 1, box=((4, 6), (1, 2)))
    np.testing.assert_array_equal(box, whole[1:3, 2:5])
    _core.fill(box, law, 1, box=((4, 6), None))
    np.testing.assert_array_equal(box, whole[:2, :3])


def test_one_draw_of_sub_streams():
    # Output k of a tuple reads sub-stream k (stream XOR (k << 56)) from the same offset;
    # a generator advances by the most blocks any reads.
    a, b = np.empty(100, np.float32), np.empty(10, np.uint64)
    g = wi.Generator(3)
    _core.fill((a, b), (_core.Law.normal(0.0, 1.0), _core.Law.bits()), g, stream=5)
    assert g.offset == 32  # 100 float32: 16 * ceil(100 / 64); 10 uint64: 16
    np.testing.assert_array_equal(a, wi.new(100, np.float32, "normal", (0, 1), seed=3, stream=5))
    words = np.empty(10, np.uint64)
    _core.fill(words, _core.Law.bits(), 3, stream=5 ^ (1 << 56))
    np.testing.assert_array_equal(b, words)
    assert _core.Stream(3, 5).sub_stream(1).stream_id == 5 ^ (1 << 56)


def test_seed_extremes_and_numpy_ints():
    a = wi.new(8, np.float32, "uniform", (0, 1), seed=2**64 - 1)
    b = wi.new(8, np.float32, "uniform", (0, 1), seed=np.uint64(2**64 - 1))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("arg", ["stream", "offset"])
def test_bad_stream_and_offset(arg):
    with pytest.raises(ValueError, match=arg):
        wi.fill(np.zeros(4, np.float32), "uniform", (0, 1), seed=1, **{arg: -5})


@pytest.mark.parametrize("shape,exc,match", [
    ((-1, 3), ValueError, "shape: dimensions must be non-negative"),
    ((2**40, 2**40), ValueError,
     r"shape: \[1099511627776, 1099511627776\] has 2\^63 elements or more"),
    ((2.5,), TypeError, "shape: dimensions must be integers"),
    ("abc", TypeError, "shape: dimensions must be integers"),
])
def test_bad_shapes(shape, exc, match):
    with pytest.raises(exc, match=match):
        wi.new(shape, "float32", "uniform", (0, 1), seed=1)


def test_box_outside_global_shape():
    with pytest.raises(ValueError, match="partition: box"):
        wi.fill(np.zeros((4, 4), np.float32), "uniform", (0, 1), seed=1,
                global_shape=(8, 6), start=(0, 4))
    with pytest.raises(ValueError, match="global_shape, start"):
        wi.fill(np.zeros((4, 4), np.float32), "uniform", (0, 1), seed=1,
                global_shape=(8,), start=(0,))


def test_bad_dtype_for_new():
    with pytest.raises(TypeError, match="dtype"):
        wi.new(4, "int32", "uniform", (0, 1), seed=1)
    with pytest.raises(TypeError, match="dtype: unknown dtype"):
        wi.new(4, "float33", "uniform", (0, 1), seed=1)


def test_position_overflow():
    with pytest.raises(ValueError, match="global_shape: 9223372036854775810 is outside the 64-bit integer range"):
        wi.fill(np.zeros(4, np.float32), "uniform", (0, 1), seed=1, global_shape=(2**63 + 2,),
                start=(2**63 - 2,))


def test_huge_global_shape_box_is_cheap():
    """A box of a tensor far larger than memory costs only its own elements."""
    box = np.empty((2, 3), np.float32)
    wi.fill(box, "normal", (0, 1), seed=1, global_shape=(2**31, 2**31), start=(2**31 - 2, 5))
    assert np.all(np.isfinite(box))
    row = np.empty(8, np.float32)
    first = (2**31 - 1) * 2**31 + 5
    wi.fill(row, "normal", (0, 1), seed=1, global_shape=(first + 8,), start=(first,))
    np.testing.assert_array_equal(row[:3], box[1])


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_truncated_between_stays_inside_absolute_bounds(dtype):
    """Absolute bounds hold exactly, even for windows a few ulps wide, where (low - mean) /
    stddev and back would round outside. The windows sit 2 to 6 standard deviations from the
    mean."""
    rng = np.random.default_rng(1)
    for _ in range(100):
        std = float(rng.uniform(1e-3, 3))
        lo = float(rng.normal())
        mean = lo - float(rng.choice([-1.0, 1.0]) * rng.uniform(2, 6)) * std
        hi = np.nextafter(np.nextafter(np.nextafter(lo, 9), 9), 9) if dtype == "float64" else lo + 0.01
        x = wi.new(64, dtype, "truncated_normal_between", (mean, std, lo, hi), seed=3)
        x = x.astype(np.float64)
        assert x.min() >= lo and x.max() <= hi


def test_narrow_window_away_from_tails():
    a = 1.2466607000430845
    b = np.nextafter(np.nextafter(a, 2), 2)
    x = wi.new(100, "float64", "truncated_normal", (0.0, 1.0, a, b), seed=1)
    assert x.min() >= a and x.max() <= b
    y = wi.new(100_000, "float64", "truncated_normal", (0.0, 1.0, 0.5, 0.5005), seed=1)
    # Narrow but resolvable: the density is nearly flat, so the draws are nearly uniform.
    assert abs(y.mean() - 0.50025) < 1e-6


@pytest.mark.parametrize("shape,strides", [((4, 8), (0, 4)), ((4, 8), (8, 4)), ((3, 3), (4, 4))])
def test_overlapping_views_are_refused(shape, strides):
    view = np.lib.stride_tricks.as_strided(np.zeros(64, np.float32), shape, strides, writeable=True)
    with pytest.raises(ValueError, match="out: its elements overlap in memory"):
        wi.fill(view, "uniform", (0, 1), seed=1)


def test_zero_stride_axis_of_extent_one_is_fine():
    a = np.lib.stride_tricks.as_strided(np.zeros(8, np.float32), (1, 8), (0, 4), writeable=True)
    wi.fill(a, "uniform", (0, 1), seed=1)
    np.testing.assert_array_equal(a[0], wi.new(8, "float32", "uniform", (0, 1), seed=1))


def test_non_native_byte_order_is_refused():
    swapped = np.zeros(8, np.dtype(np.float32).newbyteorder())
    with pytest.raises(TypeError, match="native byte order"):
        wi.fill(swapped, "uniform", (0, 1), seed=1)


def test_a_stream_source():
    # A Stream carries key, stream id and offset: the same words as the integer key with them.
    law = _core.Law.normal(0.0, 1.0)
    a, b = np.empty(300, np.float32), np.empty(300, np.float32)
    _core.fill(a, law, _core.Stream(7, 5, 64))
    _core.fill(b, law, 7, stream=5, offset=64)
    np.testing.assert_array_equal(a, b)
    m = np.empty((4, 3), np.float32)
    _core.orthogonal(m, 4, 3, 1.0, _core.Stream(7, 5, 64))
    n = np.empty((4, 3), np.float32)
    _core.orthogonal(n, 4, 3, 1.0, 7, stream=5, offset=64)
    np.testing.assert_array_equal(m, n)
    for option in ("stream", "offset"):
        with pytest.raises(TypeError, match=f"^{option}: a Stream source carries its own"):
            _core.fill(a, law, _core.Stream(7), **{option: 0})
