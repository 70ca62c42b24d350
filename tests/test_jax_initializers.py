# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.jax.initializers: jax.nn.initializers' laws, values from the key, Flax layers.

JAX runs in a child pytest process (this file, with WEIGHTINIT_JAX_CHILD=1 and 4 host
devices), so the pytest process, which other tests fork, never starts JAX's threads. In the
parent each test below is a stand-in that reports its child's outcome (every parametrized
case of it).

Laws, not values, are compared with JAX (the numbers come from another generator): fans
and the law table's parameters exactly, and samples of 10**6 elements within bounds that a
correct law breaks with probability below 1e-9: for n draws of a law with variance v and
kurtosis at most 3 (normal 3, truncated normal and uniform less), the sample variance has
standard deviation at most v * sqrt(2 / n), and we allow 6.5 of them (normal tail 8e-11).
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from optional import require

_CHILD = os.environ.get("WEIGHTINIT_JAX_CHILD") == "1"
_Z = 6.5  # standard deviations of a sample statistic a test allows (two-sided p < 1e-10)
_N = 10**6

if _CHILD:
    import jax
    import jax.numpy as jnp
    from jax.sharding import NamedSharding, PartitionSpec

    import weightinit as wi
    from weightinit import _core
    from weightinit.jax import initializers as I
elif importlib.util.find_spec("jax") is None:
    pytest.skip('jax is not installed (pip install ".[jax]")', allow_module_level=True)

BUILDERS = ["uniform", "normal", "truncated_normal", "variance_scaling", "glorot_uniform",
            "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
            "orthogonal", "delta_orthogonal", "constant"]
ALIASES = {"xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal",
           "kaiming_uniform": "he_uniform", "kaiming_normal": "he_normal"}
# (name, scale, mode, JAX distribution) of the named variance-scaling builders.
NAMED = [("glorot_uniform", 1.0, "fan_avg", "uniform"),
         ("glorot_normal", 1.0, "fan_avg", "truncated_normal"),
         ("lecun_uniform", 1.0, "fan_in", "uniform"),
         ("lecun_normal", 1.0, "fan_in", "truncated_normal"),
         ("he_uniform", 2.0, "fan_in", "uniform"),
         ("he_normal", 2.0, "fan_in", "truncated_normal")]
# (shape, in_axis, out_axis, batch_axis): Dense, conv, JAX's DenseGeneral-style tuples, a
# batch axis, Flax's embedding kernel (overlapping axes) and fractional fans.
AXES = [((500, 2000), -2, -1, ()),
        ((3, 3, 64, 250), -2, -1, ()),
        ((10, 20, 40, 125), (0, 1), -1, ()),
        ((4, 250, 1000), -2, -1, 0),
        ((1000, 1000), -2, 0, ()),
        ((1000, 1000), 0, 0, 0),
        ((2000, 500), -2, -1, ())]


def _variance_law(fan_in: float, fan_out: float, scale: float, mode: str, distribution: str):
    """JAX's variance_scaling, as its source states it: (kind, bound or stddev)."""
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
         "fan_geo_avg": (fan_in * fan_out) ** 0.5}[mode]
    variance = scale / n
    if distribution == "uniform":
        return "uniform", math.sqrt(3 * variance)
    if distribution == "normal":
        return "normal", math.sqrt(variance)
    return "truncated_normal", math.sqrt(variance) / .87962566103423978


def _check_moments(x, std: float, mean: float = 0.0) -> None:
    """Mean and standard deviation of the sample `x` within the module's bounds."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    assert abs(x.mean() - mean) <= _Z * std / math.sqrt(n), (x.mean(), mean, std)
    var = x.var()
    assert abs(var - std**2) <= _Z * std**2 * math.sqrt(2 / n), (math.sqrt(var), std)


def _key(seed: int = 0):
    return jax.random.key(seed)


# --- signatures and fans ------------------------------------------------------------------

@pytest.mark.parametrize("name", BUILDERS + sorted(ALIASES))
def test_signatures_match_jax(name):
    ours, theirs = getattr(I, name), getattr(jax.nn.initializers, name)
    a, b = inspect.signature(ours).parameters, inspect.signature(theirs).parameters
    assert [(p.name, p.kind, p.default) for p in a.values()] == \
        [(p.name, p.kind, p.default) for p in b.values()]
    if name in ALIASES:
        assert ours is getattr(I, ALIASES[name])


def test_init_protocol():
    for name in ("zeros", "ones"):
        assert list(inspect.signature(getattr(I, name)).parameters) == \
            ["key", "shape", "dtype", "out_sharding"]
    for init in (I.normal(), I.lecun_normal(), I.orthogonal(), I.constant(1.0)):
        assert isinstance(init, jax.nn.initializers.Initializer)
        assert list(inspect.signature(init).parameters) == ["key", "shape", "dtype", "out_sharding"]


@pytest.mark.parametrize("shape, in_axis, out_axis, batch_axis", AXES)
def test_fans_equal_jax(shape, in_axis, out_axis, batch_axis):
    from jax._src.nn.initializers import _compute_fans  # JAX's own rule, the reference

    ours = I._fans(shape, in_axis if isinstance(in_axis, int) else tuple(in_axis),
                   out_axis if isinstance(out_axis, int) else tuple(out_axis),
                   batch_axis if isinstance(batch_axis, int) else tuple(batch_axis))
    assert ours == _compute_fans(shape, in_axis, out_axis, batch_axis)


def test_dense_kernel_fan_in_is_its_first_axis():
    # Flax's (in, out) kernel: fan_in = in (not out, as torch's (out, in) layout would give).
    assert I._fans((300, 7), -2, -1, ()) == (300.0, 7.0)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "uniform"])
@pytest.mark.parametrize("fans", [(500, 2000), (576, 2250), (64.0, 64.0), (0.25, 0.5)])
def test_law_table_equals_jax_formula(mode, distribution, fans):
    law = _core.laws.jax_variance_scaling(fans[0], fans[1], 1.7, mode, distribution)
    kind, value = _variance_law(fans[0], fans[1], 1.7, mode, distribution)
    assert law.kind == kind
    if kind == "uniform":
        assert law.params == (-value, value)
    elif kind == "normal":
        assert law.params == (0.0, value)
    else:
        assert law.params == (0.0, value, -2.0, 2.0)


# --- laws against JAX's -------------------------------------------------------------------

@pytest.mark.parametrize("name, scale, mode, distribution", NAMED)
@pytest.mark.parametrize("axes", range(len(AXES)))
def test_named_laws_match_jax(name, scale, mode, distribution, axes):
    from jax._src.nn.initializers import _compute_fans

    shape, in_axis, out_axis, batch_axis = AXES[axes]
    x = np.asarray(getattr(I, name)(in_axis, out_axis, batch_axis)(_key(axes), shape))
    assert x.shape == shape and x.dtype == np.float32
    fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
    kind, value = _variance_law(fan_in, fan_out, scale, mode, distribution)
    n = (fan_in + fan_out) / 2 if mode == "fan_avg" else fan_in
    std = math.sqrt(scale / n)
    if kind == "uniform":
        # [-limit, limit) exactly; each end reached within 50 / size of the width:
        # P(miss) = (1 - 25 / size)**size < e**-25.
        eps = 50 / x.size
        assert -value <= x.min() and x.max() < value
        assert x.min() < -value * (1 - eps) and x.max() > value * (1 - eps)
    else:
        # Cut at 2 pre-truncation stddevs (the float32 bound rounded inward); the last 0.1%
        # below the cut holds 2.3e-4 of the law, so >= 144000 draws miss it with p < e**-32.
        assert np.abs(x).max() <= np.float32(2 * value)
        assert np.abs(x).max() > 2 * value * (1 - 1e-3)
    _check_moments(x, std)
    # And JAX's own initializer's sample: the same law (two samples, variance of the
    # difference at most 2 * 2 v^2 / n).
    y = np.asarray(getattr(jax.nn.initializers, name)(in_axis, out_axis, batch_axis)(
        _key(axes), shape), dtype=np.float64)
    assert abs(x.astype(np.float64).var() - y.var()) <= _Z * std**2 * math.sqrt(4 / x.size)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "uniform"])
def test_variance_scaling_matches_jax(mode, distribution):
    shape = (400, 2500)
    ours = I.variance_scaling(0.5, mode, distribution)(_key(1), shape)
    theirs = jax.nn.initializers.variance_scaling(0.5, mode, distribution)(_key(1), shape)
    n = {"fan_in": 400, "fan_out": 2500, "fan_avg": 1450, "fan_geo_avg": 1000}[mode]
    std = math.sqrt(0.5 / n)
    x, y = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    _check_moments(x, std)
    _check_moments(y, std)  # the bound holds for JAX's own sample: the formula is JAX's
    top = np.abs(x).max()
    if distribution == "normal":  # untruncated, unlike TF's "normal": beyond 4 stddevs
        assert top > 4 * std and np.abs(y).max() > 4 * std  # P(none of 10**6) < 1e-27
    elif distribution == "truncated_normal":  # cut at 2 pre-truncation stddevs
        assert top <= np.float32(2 * std / .87962566103423978)
    else:
        assert top < math.sqrt(3) * std


def test_uniform_normal_truncated_normal_laws():
    shape = (1000, 1000)
    x = np.asarray(I.uniform(3.0)(_key(2), shape))
    assert 0 <= x.min() < 1e-4 and 3 * (1 - 1e-4) < x.max() < 3
    _check_moments(x, 3 / math.sqrt(12), 1.5)
    assert np.asarray(I.uniform()(_key(2), (10,))).max() < 0.01  # default scale 1e-2
    x = np.asarray(I.normal(2.0)(_key(3), shape))
    _check_moments(x, 2.0)
    _check_moments(np.asarray(I.normal()(_key(3), shape)), 0.01)  # default stddev 1e-2
    # stddev is the pre-truncation one, bounds in its units: [lower * s, upper * s].
    x = np.asarray(I.truncated_normal(2.0, lower=-1.0, upper=3.0)(_key(4), shape), np.float64)
    assert -2.0 <= x.min() < -2.0 + 1e-3 and 6.0 - 1e-2 < x.max() <= 6.0
    y = np.asarray(jax.nn.initializers.truncated_normal(2.0, lower=-1.0, upper=3.0)(_key(4), shape),
                   np.float64)
    assert -2.0 <= y.min() and y.max() <= 6.0
    assert abs(x.mean() - y.mean()) <= _Z * 2 * math.sqrt(2 / x.size)
    _check_moments(np.asarray(I.truncated_normal()(_key(5), shape)), 0.01 * .87962566103423978)
    # A negative stddev mirrors the law, as JAX's product does: values in [upper*s, lower*s].
    x = np.asarray(I.truncated_normal(-2.0, lower=-1.0, upper=3.0)(_key(4), shape))
    assert -6.0 <= x.min() < -6.0 + 1e-2 and 2.0 - 1e-3 < x.max() <= 2.0


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_constants_are_jax(name):
    for dtype in (None, jnp.bfloat16, jnp.int32):
        a = getattr(I, name)(_key(), (2, 3), dtype)
        b = getattr(jax.nn.initializers, name)(_key(), (2, 3), dtype)
        assert a.dtype == b.dtype and np.array_equal(np.asarray(a), np.asarray(b))
    a = I.constant(-7, jnp.float16)(_key(), (2, 3))
    assert a.dtype == jnp.float16 and np.all(np.asarray(a) == -7)


# --- values from the key ------------------------------------------------------------------

ALL_RANDOM = {
    "uniform": lambda: I.uniform(), "normal": lambda: I.normal(),
    "truncated_normal": lambda: I.truncated_normal(),
    "variance_scaling": lambda: I.variance_scaling(1.0, "fan_geo_avg", "normal"),
    "glorot_uniform": lambda: I.glorot_uniform(), "glorot_normal": lambda: I.glorot_normal(),
    "he_uniform": lambda: I.he_uniform(), "he_normal": lambda: I.he_normal(),
    "lecun_uniform": lambda: I.lecun_uniform(), "lecun_normal": lambda: I.lecun_normal(),
    "orthogonal": lambda: I.orthogonal(), "delta_orthogonal": lambda: I.delta_orthogonal(),
}


@pytest.mark.parametrize("name", sorted(ALL_RANDOM))
def test_pure_function_of_the_key(name):
    init = ALL_RANDOM[name]()
    shape = (3, 8, 8) if name == "delta_orthogonal" else (8, 8)
    a = np.asarray(init(jax.random.key(7), shape))
    assert np.array_equal(a, np.asarray(ALL_RANDOM[name]()(jax.random.key(7), shape)))
    assert np.array_equal(a, np.asarray(init(jax.random.PRNGKey(7), shape)))  # raw key, same data
    assert not np.array_equal(a, np.asarray(init(jax.random.key(8), shape)))
    k1, k2 = jax.random.split(jax.random.key(7))
    b, c = np.asarray(init(k1, shape)), np.asarray(init(k2, shape))
    assert not np.array_equal(b, c) and not np.array_equal(a, b)
    assert not np.array_equal(a, np.asarray(init(jax.random.fold_in(jax.random.key(7), 1), shape)))


def test_key_mapping_is_the_documented_one():
    # docs/streams.md, "JAX keys": 2 words -> key w0 * 2**32 + w1, stream 0.
    got = np.asarray(I.normal(0.5)(jax.random.key(42), (5, 7)))
    assert np.array_equal(got, wi.new((5, 7), "float32", "normal", (0.0, 0.5), seed=42))
    k = jax.random.split(jax.random.key(1))[1]
    w = [int(v) for v in np.asarray(jax.random.key_data(k))]
    got = np.asarray(I.uniform(2.0)(k, (64,)))
    assert np.array_equal(got, wi.new((64,), "float32", "uniform", (0.0, 2.0), seed=(w[0] << 32) | w[1]))
    # 4 words (rbg): the stream id from the last two.
    k = jax.random.key(42, impl="rbg")
    w = [int(v) for v in np.asarray(jax.random.key_data(k))]
    got = np.asarray(I.normal(1.0)(k, (33,)))
    want = wi.new((33,), "float32", "normal", (0.0, 1.0), seed=(w[0] << 32) | w[1],
                  stream=(w[2] << 32) | w[3])
    assert np.array_equal(got, want)


def test_dtypes():
    k = _key(9)
    f32 = np.asarray(I.normal(1.0)(k, (256,)))
    assert I.normal(1.0)(k, (256,)).dtype == jnp.float32  # JAX's default float dtype
    for dt in (jnp.float16, jnp.bfloat16, "bfloat16", np.float16):
        a = I.normal(1.0)(k, (256,), dt)
        assert a.dtype == jnp.dtype(dt)
        # docs/streams.md §5: 16-bit output is the float32 value rounded.
        assert np.array_equal(np.asarray(a), f32.astype(jnp.dtype(dt)))
    init = I.normal(1.0, dtype=jnp.bfloat16)
    assert init(k, (4,)).dtype == jnp.bfloat16 and init(k, (4,), jnp.float32).dtype == jnp.float32
    with pytest.warns(UserWarning, match="float64 is not available"):
        a = I.normal()(k, (4,), jnp.float64)
    assert a.dtype == jnp.float32
    with jax.enable_x64(True):
        a = I.normal(1.0)(k, (64,), jnp.float64)
        assert a.dtype == jnp.float64
        assert np.array_equal(np.asarray(a), wi.new((64,), "float64", "normal", (0.0, 1.0), seed=9))
        assert I.normal()(k, (2,)).dtype == jnp.float64  # the default float under x64
        q = np.asarray(I.orthogonal()(k, (6, 4), jnp.float64))
        np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-12)


def test_empty_shapes():
    # JAX's variance scaling divides by a zero fan here; an empty array is the only answer.
    for init in (I.lecun_normal(), I.normal(), I.orthogonal(), I.delta_orthogonal()):
        for shape in ((3, 0, 4), (0, 5, 5)):
            a = init(_key(), shape)
            assert a.shape == shape and a.dtype == jnp.float32


# --- orthogonal ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape, column_axis", [((6, 4), -1), ((4, 6), -1), ((3, 5, 4), -1),
                                                ((4, 3, 5), 1), ((5, 12), 0)])
def test_orthogonal(shape, column_axis):
    q = np.asarray(I.orthogonal(2.0, column_axis)(_key(3), shape), np.float64)
    assert q.shape == shape
    cols = shape[column_axis]
    m = np.moveaxis(q, column_axis, -1).reshape(-1, cols)  # JAX's rows x cols matrix
    gram = m.T @ m if m.shape[0] >= cols else m @ m.T
    np.testing.assert_allclose(gram, 4 * np.eye(min(m.shape)), atol=1e-5)
    assert np.array_equal(q, 2 * np.asarray(I.orthogonal(1.0, column_axis)(_key(3), shape), np.float64))


def test_orthogonal_is_haar():
    # An entry of a Haar n x n orthogonal matrix has mean 0 and variance 1/n (kurtosis
    # 3n/(n+2) < 3); a QR without the sign fix gives q[0, 0] < 0 always.
    n, m = 16, 4000
    keys = jax.random.split(_key(4), m)
    q = np.asarray(jax.vmap(lambda k: I.orthogonal()(k, (n, n)))(keys), np.float64)
    for i, j in ((0, 0), (n - 1, n - 1), (3, 7)):
        _check_moments(q[:, i, j], 1 / math.sqrt(n))  # one entry per matrix: independent


def test_delta_orthogonal():
    shape = (3, 5, 4, 6)
    w = np.array(I.delta_orthogonal()(_key(5), shape))
    centre = np.asarray(I.orthogonal()(_key(5), (4, 6)))
    assert np.array_equal(w[1, 2], centre)
    w[1, 2] = 0
    assert not w.any()
    w = np.asarray(I.delta_orthogonal(column_axis=0)(_key(5), (4, 3, 3)))
    assert np.array_equal(w[1], np.asarray(I.orthogonal(column_axis=0)(_key(5), (3, 3))))


# --- jit, vmap, sharding ------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ALL_RANDOM))
def test_jit_equals_eager(name):
    init = ALL_RANDOM[name]()
    shape = (3, 4, 4) if name == "delta_orthogonal" else (4, 4)
    for key in (jax.random.key(11), jax.random.PRNGKey(11)):
        eager = np.asarray(init(key, shape))
        assert np.array_equal(np.asarray(jax.jit(init, static_argnums=1)(key, shape)), eager)
        assert np.array_equal(np.asarray(jax.jit(lambda k: init(k, shape))(key)), eager)
        assert np.array_equal(np.asarray(jax.jit(lambda: init(key, shape))()), eager)  # closed over


def test_jit_bfloat16_and_traced_shape():
    f = jax.jit(lambda k: I.he_normal(dtype=jnp.bfloat16)(k, (8, 3)))
    a = f(_key(2))
    assert a.dtype == jnp.bfloat16
    assert np.array_equal(np.asarray(a), np.asarray(I.he_normal()(_key(2), (8, 3), jnp.bfloat16)))
    with pytest.raises(TypeError, match="shape: must be static.*static_argnums"):
        jax.jit(I.normal())(_key(), (2, 3))


def test_vmap_over_keys():
    init = I.lecun_uniform()
    keys = jax.random.split(_key(12), 5)
    got = np.asarray(jax.vmap(lambda k: init(k, (4, 3)))(keys))
    want = np.stack([np.asarray(init(k, (4, 3))) for k in keys])
    assert np.array_equal(got, want)
    assert all(not np.array_equal(got[0], got[i]) for i in range(1, 5))
    raw = jax.random.split(jax.random.PRNGKey(12), 5)
    assert np.array_equal(np.asarray(jax.vmap(lambda k: init(k, (4, 3)))(raw)),
                          np.stack([np.asarray(init(k, (4, 3))) for k in raw]))
    jitted = jax.jit(jax.vmap(lambda k: init(k, (4, 3))))(keys)
    assert np.array_equal(np.asarray(jitted), got)
    nested = jax.vmap(jax.vmap(lambda k: init(k, (4, 3))))(jax.random.split(_key(12), (2, 3)))
    flat = jax.random.split(_key(12), (2, 3)).reshape(6)
    assert np.array_equal(np.asarray(nested).reshape(6, 4, 3),
                          np.stack([np.asarray(init(k, (4, 3))) for k in flat]))


@pytest.fixture
def mesh():
    if len(jax.devices()) < 4:
        pytest.skip("needs 4 devices (XLA_FLAGS=--xla_force_host_platform_device_count=4)")
    return jax.make_mesh((2, 2), ("x", "y"))


def test_out_sharding(mesh):
    k = _key(13)
    whole = np.asarray(I.he_normal()(k, (8, 6)))
    sharding = NamedSharding(mesh, PartitionSpec("x", "y"))
    a = I.he_normal()(k, (8, 6), out_sharding=sharding)
    assert a.sharding == sharding and np.array_equal(np.asarray(a), whole)
    assert {s.data.shape for s in a.addressable_shards} == {(4, 3)}
    with jax.set_mesh(mesh):
        b = I.he_normal()(k, (8, 6), out_sharding=PartitionSpec("x"))
        assert b.sharding.spec == PartitionSpec("x") and np.array_equal(np.asarray(b), whole)
        c = jax.jit(lambda key: I.he_normal()(key, (8, 6), out_sharding=PartitionSpec(None, "y")))(k)
        assert c.sharding.spec == PartitionSpec(None, "y") and np.array_equal(np.asarray(c), whole)
    q = I.orthogonal()(k, (8, 8), out_sharding=sharding)
    assert q.sharding == sharding
    assert np.array_equal(np.asarray(q), np.asarray(I.orthogonal()(k, (8, 8))))
    auto = jax.make_mesh((2, 2), ("x", "y"), axis_types=(jax.sharding.AxisType.Auto,) * 2)
    d = jax.jit(lambda key: I.he_normal()(key, (8, 6),
                                          out_sharding=NamedSharding(auto, PartitionSpec("x"))))(k)
    assert d.sharding.spec == PartitionSpec("x") and np.array_equal(np.asarray(d), whole)
    with pytest.raises(ValueError, match="out_sharding: .*jax.set_mesh"):
        I.normal()(k, (8, 6), out_sharding=PartitionSpec("x"))
    with pytest.raises(TypeError, match="out_sharding"):
        I.normal()(k, (8, 6), out_sharding="x")


# --- Flax ---------------------------------------------------------------------------------

def test_flax_linen_dense():
    flax = require("flax", extra="jax")
    import flax.linen as nn

    model = nn.Dense(1000, kernel_init=I.lecun_normal(), bias_init=I.zeros)
    x = jnp.ones((2, 500))
    params = model.init(jax.random.PRNGKey(0), x)
    kernel = np.asarray(params["params"]["kernel"])
    assert kernel.shape == (500, 1000)
    _check_moments(kernel, 1 / math.sqrt(500))  # fan_in of the (in, out) kernel
    assert np.abs(kernel).max() <= 2 / math.sqrt(500) / .87962566103423978
    y = model.apply(params, x)
    assert y.shape == (2, 1000)
    np.testing.assert_allclose(np.asarray(y[0]), kernel.sum(axis=0), rtol=1e-4, atol=1e-4)
    again = model.init(jax.random.PRNGKey(0), x)
    assert np.array_equal(np.asarray(again["params"]["kernel"]), kernel)
    other = model.init(jax.random.PRNGKey(1), x)
    assert not np.array_equal(np.asarray(other["params"]["kernel"]), kernel)
    jitted = jax.jit(model.init)(jax.random.PRNGKey(0), x)
    assert np.array_equal(np.asarray(jitted["params"]["kernel"]), kernel)
    assert flax.__version__


def test_flax_linen_conv_and_embed():
    require("flax", extra="jax")
    import flax.linen as nn

    conv = nn.Conv(256, (3, 3), kernel_init=I.he_normal())
    params = conv.init(jax.random.key(1), jnp.ones((1, 8, 8, 128)))
    kernel = np.asarray(params["params"]["kernel"])
    assert kernel.shape == (3, 3, 128, 256)
    _check_moments(kernel, math.sqrt(2 / (9 * 128)))  # fan_in = kh * kw * in
    # Flax's own embedding law (in_axis=-2 and out_axis=0 overlap): std 1/sqrt(features).
    embed = nn.Embed(2000, 500, embedding_init=I.variance_scaling(1.0, "fan_in", "normal",
                                                                   out_axis=0))
    params = embed.init(jax.random.key(2), jnp.zeros((3,), jnp.int32))
    _check_moments(np.asarray(params["params"]["embedding"]), 1 / math.sqrt(500))


def test_flax_nnx_linear():
    require("flax", extra="jax")
    from flax import nnx

    layer = nnx.Linear(500, 1000, kernel_init=I.lecun_normal(), rngs=nnx.Rngs(0))
    kernel = np.asarray(layer.kernel[...])
    assert kernel.shape == (500, 1000) and kernel.dtype == np.float32
    _check_moments(kernel, 1 / math.sqrt(500))
    y = layer(jnp.ones((2, 500)))
    assert y.shape == (2, 1000)
    same = nnx.Linear(500, 1000, kernel_init=I.lecun_normal(), rngs=nnx.Rngs(0))
    assert np.array_equal(np.asarray(same.kernel[...]), kernel)
    two = nnx.Linear(500, 1000, kernel_init=I.lecun_normal(), rngs=nnx.Rngs(1))
    assert not np.array_equal(np.asarray(two.kernel[...]), kernel)
    low = nnx.Linear(4, 3, kernel_init=I.glorot_uniform(), param_dtype=jnp.bfloat16,
                     rngs=nnx.Rngs(0))
    assert low.kernel[...].dtype == jnp.bfloat16

    @nnx.jit
    def create():
        return nnx.Linear(500, 1000, kernel_init=I.lecun_normal(), rngs=nnx.Rngs(0))

    assert np.array_equal(np.asarray(create().kernel[...]), kernel)


# --- errors -------------------------------------------------------------------------------

def test_bad_keys():
    init = I.normal()
    for key in (1, 1.5, "key", np.zeros(2, np.float32), np.zeros(3, np.uint32),
                jnp.zeros((2, 2), jnp.uint32), jax.random.split(_key()), None):
        with pytest.raises(TypeError, match="key: "):
            init(key, (2, 2))
    a = init(np.array([0, 42], np.uint32), (3,))  # a raw NumPy key is a key
    assert np.array_equal(np.asarray(a), np.asarray(init(jax.random.key(42), (3,))))


def test_bad_dtypes():
    for dtype in (jnp.int32, jnp.complex64, "foo", bool):
        with pytest.raises(TypeError, match="dtype: "):
            I.normal()(_key(), (2,), dtype)
        with pytest.raises(TypeError, match="dtype: "):
            I.lecun_normal(dtype=dtype)


def test_bad_shapes_and_axes():
    k = _key()
    cases = [
        (lambda: I.normal()(k, (2, -1)), ValueError, "shape: "),
        (lambda: I.normal()(k, "ab"), TypeError, "shape: "),
        (lambda: I.normal()(k, (2.5,)), TypeError, "shape: "),
        (lambda: I.lecun_normal()(k, (5,)), ValueError, "in_axis: "),
        (lambda: I.lecun_normal(in_axis=2)(k, (5, 4)), ValueError, "in_axis: axis 2"),
        (lambda: I.lecun_normal(out_axis=-3)(k, (5, 4)), ValueError, "out_axis: "),
        (lambda: I.lecun_normal(batch_axis=(0, 7))(k, (5, 4, 3)), ValueError, "batch_axis: "),
        (lambda: I.lecun_normal(in_axis="a"), TypeError, "in_axis: "),
        (lambda: I.lecun_normal(out_axis=1.0), TypeError, "out_axis: "),
        (lambda: I.variance_scaling(1.0, "fan_mid", "normal"), ValueError, "mode: "),
        (lambda: I.variance_scaling(1.0, "fan_in", "untruncated_normal"), ValueError, "distribution: "),
        (lambda: I.variance_scaling(1.0, 3, "normal"), TypeError, "mode: "),
        (lambda: I.variance_scaling(0.0, "fan_in", "normal"), ValueError, "scale: "),
        (lambda: I.variance_scaling("1", "fan_in", "normal"), TypeError, "scale: "),
        (lambda: I.normal(float("nan")), ValueError, "stddev: "),
        (lambda: I.truncated_normal(lower=2.0, upper=1.0), ValueError, "lower, upper: "),
        (lambda: I.orthogonal()(k, (4,)), ValueError, "shape: "),
        (lambda: I.orthogonal(column_axis=2)(k, (4, 4)), ValueError, "column_axis: "),
        (lambda: I.orthogonal(column_axis=(0,)), TypeError, "column_axis: "),
        (lambda: I.delta_orthogonal()(k, (4, 4)), ValueError, "shape: .*3D, 4D or 5D"),
        (lambda: I.delta_orthogonal()(k, (3, 5, 4)), ValueError, "shape: `fan_in`"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()


# --- the parent: stand-ins for the tests above, run in a child process --------------------

def _run_child(report_file: str) -> subprocess.CompletedProcess:
    import weightinit

    env = dict(os.environ, WEIGHTINIT_JAX_CHILD="1", JAX_PLATFORMS="cpu",
               XLA_FLAGS="--xla_force_host_platform_device_count=4")
    env.pop("PYTEST_ADDOPTS", None)  # the caller's report options
    source = os.path.dirname(os.path.dirname(weightinit.__file__))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--junitxml={report_file}", __file__],
                          env=env, capture_output=True, text=True, timeout=1200,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _outcomes(report_file: str) -> dict:
    """{test function: [(case name, "passed" | "failed" | "skipped", message)]}."""
    out: dict = {}
    for case in ElementTree.parse(report_file).getroot().iter("testcase"):
        name = case.get("name", "")
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome = "skipped" if tag == "skipped" else "failed"
                message = (node.get("message") or "") + "\n" + (node.text or "")
                break
        out.setdefault(name.split("[")[0], []).append((name, outcome, message))
    return out


if not _CHILD:
    @pytest.fixture(scope="module")
    def _child_outcomes(tmp_path_factory):
        report = str(tmp_path_factory.mktemp("jax_initializers") / "report.xml")
        done = _run_child(report)
        if not os.path.exists(report):
            pytest.fail(f"the child pytest wrote no report:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return _outcomes(report), done

    def _stand_in(name: str):
        def test(_child_outcomes):
            outcomes, done = _child_outcomes
            cases = outcomes.get(name)
            assert cases, f"{name} did not run in the child:\n{done.stdout[-3000:]}"
            failed = [(case, message) for case, outcome, message in cases if outcome == "failed"]
            if failed:
                pytest.fail("\n\n".join(f"{case}:\n{message[-3000:]}" for case, message in failed),
                            pytrace=False)
            if all(outcome == "skipped" for _, outcome, _ in cases):
                pytest.skip(cases[0][2].strip().splitlines()[0] if cases[0][2].strip() else name)

        test.__name__ = name
        return test

    for _name in [n for n in list(globals()) if n.startswith("test_")]:
        globals()[_name] = _stand_in(_name)
    del _name
