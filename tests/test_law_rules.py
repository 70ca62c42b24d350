# SPDX-License-Identifier: BSD-3-Clause
"""Rules of the law table that several surfaces share, each written once in C++: the
glorot / he / lecun presets, calculate_gain's unit-gain names, JAX's fans, truncated normal
and delta-orthogonal centre, torch's dirac_ ones and sparse_ zero count; checked against the
frameworks' own definitions where installed."""

from __future__ import annotations

import inspect

import pytest
from optional import installed

from weightinit import _core
from weightinit.checkpoint import hf as wi_hf

L = _core.laws

# (scale, mode, distribution) of each preset: tf.compat.v1 / Keras 3 / jax.nn.initializers
# (Glorot & Bengio 2010, He et al. 2015, LeCun et al. 1998), the same in all three.
PRESETS = {
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
}


def test_preset_table():
    assert L.preset_names() == list(PRESETS)
    assert {name: L.preset(name) for name in L.preset_names()} == PRESETS
    with pytest.raises(ValueError, match="preset: unknown name 'xavier_uniform'"):
        L.preset("xavier_uniform")


def test_presets_equal_keras():
    keras = installed("keras")
    if keras is None:
        pytest.skip("keras not installed")
    for name in PRESETS:
        i = keras.initializers.get(name)
        assert (i.scale, i.mode, i.distribution) == L.preset(name), name


def test_preset_surfaces_take_the_table():
    from weightinit import shard, tf1

    for name, (scale, mode, distribution) in PRESETS.items():
        assert shard.INITIALIZERS[name][2] == {"scale": scale, "mode": mode,
                                               "distribution": distribution}
    for v, name in ((tf1.GlorotUniform(seed=1), "glorot_uniform"),
                    (tf1.GlorotNormal(seed=1), "glorot_normal"),
                    (tf1.he_uniform(seed=1), "he_uniform"), (tf1.he_normal(seed=1), "he_normal"),
                    (tf1.lecun_uniform(seed=1), "lecun_uniform"),
                    (tf1.lecun_normal(seed=1), "lecun_normal")):
        assert (v.scale, v.mode, v.distribution) == PRESETS[name], name


UNIT = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
        "conv_transpose3d", "sigmoid"]


@pytest.mark.parametrize("name", UNIT + ["tanh", "relu", "leaky_relu", "selu", "Linear", ""])
def test_unit_gain(name):
    from weightinit import init

    assert L.unit_gain(name) is (name in UNIT)
    torch = installed("torch")
    if torch is not None and name in UNIT + ["tanh", "relu", "leaky_relu", "selu"]:
        g = torch.nn.init.calculate_gain(name)
        assert L.unit_gain(name) is (type(g) is int and g == 1)
        assert init.calculate_gain(name) == g and type(init.calculate_gain(name)) is type(g)


# (shape, in_axis, out_axis, batch_axis) -> JAX's fans (jax._src.nn.initializers._compute_fans):
# the last three differ from a division of doubles (Python's int / int is correctly rounded).
FANS = [
    (((3, 3, 16, 32), -2, -1, ()), (144.0, 288.0)),
    (((10, 4), -2, 0, ()), (4.0, 4.0)),
    (((6, 5, 4, 3), (0, 1), (1, 2), (3,)), (float.fromhex("0x1.7ffffffffffffp+2"),
                                            float.fromhex("0x1.fffffffffffffp+1"))),
    (((289593594, 1223404581, 1), (0, 0), 1, ()), (float.fromhex("0x1.142d8fa000000p+28"),
                                                    float.fromhex("0x1.0e5f2366a20fdp+2"))),
    (((1936849308, 682723529, 1), (0, 0), 1, ()), (float.fromhex("0x1.cdc7e67000000p+30"),
                                                   float.fromhex("0x1.68f39d4f5e9e7p-2"))),
    (((1559805168, 63413187, 2), (0, 0), 1, ()), (float.fromhex("0x1.73e2f3bfffffep+31"),
                                                  float.fromhex("0x1.4d0ac8b60600fp-4"))),
]


@pytest.mark.parametrize("args, fans", FANS)
def test_jax_fans(args, fans):
    assert L.jax_fans(*args) == fans
    jax = installed("jax")
    if jax is not None:
        from jax._src.nn.initializers import _compute_fans

        assert _compute_fans(*args) == fans


@pytest.mark.parametrize("args, error, match", [
    (((5,), -2, -1, ()), ValueError, "in_axis: can't compute input and output sizes of a "
                                     "1-dimensional"),
    (((5,), (-2,), -1, ()), ValueError, "in_axis: axis -2 is out of range for a shape of rank 1"),
    (((5, 4), -2, 2, ()), ValueError, "out_axis: axis 2 is out of range"),
    (((5, 4), -2, -1, 2**70), ValueError, f"batch_axis: axis {2**70} is out of range"),
    (((5, 4), True, -1, ()), TypeError, "in_axis: expected an int or a sequence of ints"),
    (((5, 4), "0", -1, ()), TypeError, "in_axis: expected an int or a sequence of ints"),
    (((5, 4), -2, -1, (0.5,)), TypeError, "batch_axis: expected an int or a sequence of ints"),
])
def test_jax_fans_errors(args, error, match):
    with pytest.raises(error, match=match):
        L.jax_fans(*args)


def test_jax_truncated_normal():
    assert L.jax_truncated_normal(0.5, -2.0, 3.0) == _core.Law.truncated_normal(0.0, 0.5, -2.0, 3.0)
    # stddev * z, z in (lower, upper), is |stddev| * z' with z' in (-upper, -lower).
    assert L.jax_truncated_normal(-0.5, -2.0, 3.0) == _core.Law.truncated_normal(0.0, 0.5, -3.0, 2.0)
    assert L.jax_truncated_normal(0.0, -2.0, 3.0) == _core.Law.constant(0.0)
    with pytest.raises(ValueError, match=r"lower, upper: need lower < upper, got 2.0, 1.0"):
        L.jax_truncated_normal(1.0, 2.0, 1.0)


@pytest.mark.parametrize("shape", [(3, 4, 4), (4, 4, 4), (1, 2, 2), (5, 2, 3, 3), (4, 5, 6, 2, 2)])
def test_delta_orthogonal_centre(shape):
    assert L.delta_orthogonal_centre(shape) == tuple((k - 1) // 2 for k in shape[:-2])


def test_hf_defaults_are_torch_defaults():
    torch = installed("torch")
    if torch is None:
        pytest.skip("torch not installed")
    for function, (name, params) in wi_hf._LAWS.items():
        want = tuple((p.name, None if p.default is inspect.Parameter.empty else p.default)
                     for p in list(inspect.signature(getattr(torch.nn.init, function))
                                   .parameters.values())[1:] if p.name != "generator")
        assert name == function[:-1]
        assert params == want and [type(v) for _, v in params] == [type(v) for _, v in want], \
            function


@pytest.mark.parametrize("shape, groups", [((4, 2, 3), 1), ((6, 4, 3, 5), 2), ((6, 2, 4), 3),
                                           ((2, 3, 5, 4, 5), 1), ((4, 4, 0, 3), 2)])
def test_dirac_ones(shape, groups):
    index = L.dirac_ones(shape, groups)
    assert len(index) == len(shape) and all(a.dtype.name == "int64" for a in index)
    torch = installed("torch")
    if torch is not None:
        want = torch.nn.init.dirac_(torch.empty(shape), groups) if all(shape) else torch.zeros(shape)
        got = torch.zeros(shape)
        got[tuple(torch.from_numpy(a) for a in index)] = 1
        assert torch.equal(got, want)


@pytest.mark.parametrize("rows, sparsity, zeros", [(7, 0.0, 0), (7, 0.3, 3), (7, 1.0, 7),
                                                   (10, 0.1, 1), (3, 0.5, 2)])
def test_sparse_zeros(rows, sparsity, zeros):
    assert L.sparse_zeros(rows, sparsity) == zeros  # torch: math.ceil(sparsity * rows)
    with pytest.raises(ValueError, match=r"sparsity: must be in \[0, 1\], got 1.5"):
        L.sparse_zeros(rows, 1.5)
