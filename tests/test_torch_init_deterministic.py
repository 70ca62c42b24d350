# SPDX-License-Identifier: BSD-3-Clause
"""constant_, ones_, zeros_, eye_, dirac_ (exact patterns) and the deprecated aliases."""

import itertools
import warnings

import ml_dtypes
import numpy as np
import pytest

from weightinit import init

DTYPES = [np.dtype(t) for t in (np.float16, np.float32, np.float64, np.int32, np.int64,
                                 ml_dtypes.bfloat16)]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_constant_ones_zeros(dtype):
    x = np.full((3, 4, 5), 9, dtype)
    assert init.constant_(x, 2.5) is x
    expected = 2 if dtype.kind == "i" else 2.5  # cast to the dtype, as torch does
    assert (x.astype(np.float64) == expected).all()
    assert init.ones_(x) is x and (x.astype(np.float64) == 1).all()
    assert init.zeros_(x) is x and (x.astype(np.float64) == 0).all()


def test_constant_int_array_truncates():
    x = init.constant_(np.ones(4, np.int32), 0.7)
    assert (x == 0).all()


def test_constant_any_rank_and_empty():
    for shape in [(), (0,), (2, 0, 3), (7,)]:
        x = np.ones(shape, np.float32)
        assert init.constant_(x, -3) is x and (x == -3).all()


@pytest.mark.parametrize("val", ["1", None, [1.0]])
def test_constant_needs_a_number(val):
    with pytest.raises(TypeError, match="^val: expected a number"):
        init.constant_(np.zeros(3), val)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(4, 4), (3, 6), (6, 3), (1, 5), (0, 3)])
def test_eye(dtype, shape):
    x = np.full(shape, 5, dtype)
    assert init.eye_(x) is x
    np.testing.assert_array_equal(x.astype(np.float64), np.eye(*shape))


@pytest.mark.parametrize("shape", [(), (3,), (2, 2, 2)])
def test_eye_needs_two_dimensions(shape):
    with pytest.raises(ValueError) as info:
        init.eye_(np.zeros(shape))
    assert str(info.value) == "Only tensors with 2 dimensions are supported"


def _dirac_reference(shape, groups):
    """Ones at (g*opg + d, d, k2//2, k3//2, ...), written out with plain loops."""
    out = np.zeros(shape)
    opg = shape[0] // groups
    centre = tuple(k // 2 for k in shape[2:])
    for g in range(groups):
        for d in range(min(opg, shape[1])):
            out[(g * opg + d, d) + centre] = 1.0
    return out


@pytest.mark.parametrize("shape, groups", [
    ((6, 2, 3), 2),  # the spec's example
    ((4, 4, 3, 3), 1),
    ((8, 3, 4, 4), 2),  # even kernel: the right of the two middle taps
    ((3, 5, 5), 1),
    ((6, 1, 2, 3, 4), 3),
    ((5, 5, 1, 1, 1), 5),
    ((0, 3, 3), 1),
])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.dtype(ml_dtypes.bfloat16)], ids=str)
def test_dirac(shape, groups, dtype):
    x = np.full(shape, 7, dtype)
    assert init.dirac_(x, groups) is x
    np.testing.assert_array_equal(x.astype(np.float64), _dirac_reference(shape, groups))


def test_dirac_spec_example_positions():
    x = init.dirac_(np.zeros((6, 2, 3)), groups=2)
    assert [tuple(i) for i in np.argwhere(x)] == [(0, 0, 1), (1, 1, 1), (3, 0, 1), (4, 1, 1)]


def test_dirac_even_kernel_centre_is_size_over_two():
    x = init.dirac_(np.zeros((1, 1, 4, 2)))
    assert [tuple(i) for i in np.argwhere(x)] == [(0, 0, 2, 1)]


def test_dirac_keeps_the_input_of_a_convolution():
    # The point of dirac_: a 'same' convolution with it is the identity on the first
    # min(out, in) channels. Checked with a direct (cross-correlation) sum.
    rng = np.random.default_rng(0)
    w = init.dirac_(np.zeros((3, 3, 3, 3)))
    inp = rng.normal(size=(3, 6, 6))
    padded = np.pad(inp, ((0, 0), (1, 1), (1, 1)))
    out = np.zeros_like(inp)
    for o, i, u, v in itertools.product(range(3), range(3), range(3), range(3)):
        out[o] += w[o, i, u, v] * padded[i, u:u + 6, v:v + 6]
    np.testing.assert_array_equal(out, inp)


@pytest.mark.parametrize("shape", [(), (3,), (3, 3), (1, 1, 1, 1, 1, 1)])
def test_dirac_rank(shape):
    with pytest.raises(ValueError) as info:
        init.dirac_(np.zeros(shape))
    assert str(info.value) == "Only tensors with 3, 4, or 5 dimensions are supported"


def test_dirac_groups():
    with pytest.raises(ValueError) as info:
        init.dirac_(np.zeros((6, 2, 3)), groups=4)
    assert str(info.value) == "dim 0 must be divisible by groups"
    with pytest.raises(ValueError, match="^groups: must be >= 1"):
        init.dirac_(np.zeros((6, 2, 3)), groups=0)
    for bad in (1.0, True, "2"):
        with pytest.raises(TypeError, match="^groups: expected an int"):
            init.dirac_(np.zeros((6, 2, 3)), groups=bad)
    assert init.dirac_(np.zeros((6, 2, 3)), groups=np.int64(3)).sum() == 6


@pytest.mark.parametrize("fn", [init.constant_, init.eye_, init.dirac_, init.ones_, init.zeros_])
def test_bad_tensor_arguments(fn):
    args = (1.0,) if fn is init.constant_ else ()
    with pytest.raises(TypeError, match="^tensor: expected a numpy.ndarray or torch.Tensor"):
        fn([[0.0]], *args)
    ro = np.zeros((3, 3, 3))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="^tensor: array is read-only"):
        fn(ro, *args)


# --- deprecated aliases -------------------------------------------------------------------

ALIASES = {
    "uniform": ((4, 4), ()), "normal": ((4, 4), ()), "constant": ((4, 4), (0.5,)),
    "eye": ((4, 4), ()), "dirac": ((4, 4, 3), ()), "xavier_uniform": ((4, 4), ()),
    "xavier_normal": ((4, 4), ()), "kaiming_uniform": ((4, 4), ()),
    "kaiming_normal": ((4, 4), ()), "orthogonal": ((4, 4), ()), "sparse": ((4, 4), (0.5,)),
}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_deprecated_alias_warns_and_matches(name):
    shape, args = ALIASES[name]
    old, new = getattr(init, name), getattr(init, name + "_")
    x, y = np.empty(shape), np.empty(shape)
    with pytest.warns(FutureWarning) as rec:
        kwargs = {} if name in ("constant", "eye", "dirac") else {"generator": 3}
        assert old(x, *args, **kwargs) is x
    assert str(rec[0].message) == f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`."
    assert rec[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new(y, *args, **kwargs)
    np.testing.assert_array_equal(x, y)
    assert old.__name__ == name


def test_no_alias_for_newer_functions():
    for name in ("trunc_normal", "ones", "zeros"):
        assert not hasattr(init, name)


def test_public_names():
    assert set(init.__all__) == {
        "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
        "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
        "kaiming_normal_", "orthogonal_", "sparse_"}
    for name in init.__all__:
        assert callable(getattr(init, name)) and getattr(init, name).__doc__
