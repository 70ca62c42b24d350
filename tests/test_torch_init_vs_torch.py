# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.init on torch tensors, checked against torch.nn.init itself.

Gains, fans, deterministic outputs, errors and warnings must match torch exactly; the random
functions must match the same laws (moments with p <= 1e-9 thresholds, as in
test_torch_init_random.py) since the streams differ by design.
"""

import math
import warnings

import numpy as np
import pytest
from optional import require

torch = require("torch", extra="torch")
tinit = torch.nn.init

import weightinit  # noqa: E402
from weightinit import init  # noqa: E402

Z = 6.2  # two-sided normal tail 5.6e-10

TORCH_FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]


def _np_dtype(dtype):
    if dtype == torch.bfloat16:
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(str(dtype).replace("torch.", ""))


def _bits(x):
    """The raw bits of a torch tensor or NumPy array, as a NumPy integer array."""
    if isinstance(x, torch.Tensor):
        view = {2: torch.int16, 4: torch.int32, 8: torch.int64}[x.element_size()]
        return x.contiguous().view(view).numpy()
    return np.ascontiguousarray(x).view({2: np.int16, 4: np.int32, 8: np.int64}[x.itemsize])


# --- gains and fans -----------------------------------------------------------------------

GAIN_CASES = [(name, None) for name in (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")] + [
    ("leaky_relu", 0), ("leaky_relu", 1), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)),
    ("leaky_relu", -3), ("tanh", "ignored")]


@pytest.mark.parametrize("name, param", GAIN_CASES)
def test_gain_matches_torch(name, param):
    ours, theirs = init.calculate_gain(name, param), tinit.calculate_gain(name, param)
    assert ours == theirs and type(ours) is type(theirs)


@pytest.mark.parametrize("shape", [(3, 5), (8, 4, 3, 3), (0, 5), (2, 0, 3), (7, 2, 5), (4, 6, 1, 2, 3)])
def test_fans_match_torch(shape):
    t = torch.empty(shape)
    assert init._calculate_fan_in_and_fan_out(t) == tinit._calculate_fan_in_and_fan_out(t)
    assert init._calculate_fan_in_and_fan_out(np.empty(shape)) == tinit._calculate_fan_in_and_fan_out(t)
    for mode in ("fan_in", "fan_out", "FAN_IN"):
        assert init._calculate_correct_fan(t, mode) == tinit._calculate_correct_fan(t, mode)


# --- deterministic functions: identical output ------------------------------------------

DETERMINISTIC = [
    ("constant_", (3, 4), (0.7,), {}),
    ("constant_", (2, 3, 4), (-2,), {}),
    ("ones_", (5,), (), {}),
    ("zeros_", (2, 2, 2), (), {}),
    ("eye_", (4, 4), (), {}),
    ("eye_", (3, 7), (), {}),
    ("eye_", (7, 3), (), {}),
    ("dirac_", (6, 2, 3), (), {"groups": 2}),
    ("dirac_", (4, 4, 3, 3), (), {}),
    ("dirac_", (8, 3, 4, 4), (), {"groups": 2}),
    ("dirac_", (6, 1, 2, 3, 4), (), {"groups": 3}),
    ("dirac_", (2, 5, 5), (), {}),
]


@pytest.mark.parametrize("name, shape, args, kwargs", DETERMINISTIC)
@pytest.mark.parametrize("dtype", TORCH_FLOATS + [torch.int32], ids=str)
def test_deterministic_match_torch(name, shape, args, kwargs, dtype):
    ours = torch.full(shape, 9, dtype=dtype)
    theirs = torch.full(shape, 9, dtype=dtype)
    assert getattr(init, name)(ours, *args, **kwargs) is ours
    getattr(tinit, name)(theirs, *args, **kwargs)
    assert torch.equal(ours, theirs)
    if dtype != torch.bfloat16:
        array = np.full(shape, 9, dtype=_np_dtype(dtype))
        getattr(init, name)(array, *args, **kwargs)
        np.testing.assert_array_equal(array, theirs.numpy())


@pytest.mark.parametrize("name, shape, args, kwargs", DETERMINISTIC)
def test_deterministic_on_a_strided_torch_view(name, shape, args, kwargs):
    base = torch.full((2 * shape[0] + 1,) + shape[1:], -5.0)
    view = base[1::2]
    theirs = torch.full(shape, 9.0)
    getattr(init, name)(view, *args, **kwargs)
    getattr(tinit, name)(theirs, *args, **kwargs)
    assert torch.equal(view, theirs)
    assert (base[0::2] == -5.0).all()


def test_parameters_keep_requires_grad():
    layer = torch.nn.Conv2d(4, 4, 3)
    assert init.dirac_(layer.weight) is layer.weight
    assert init.zeros_(layer.bias) is layer.bias
    assert layer.weight.requires_grad and torch.is_grad_enabled()
    assert init.kaiming_uniform_(layer.weight, a=math.sqrt(5)) is layer.weight
    assert layer.weight.requires_grad and layer.weight.grad_fn is None


# --- errors and warnings: same types and messages ----------------------------------------

ERROR_CASES = [
    ("eye_", (2, 2, 2), (), {}),
    ("eye_", (4,), (), {}),
    ("dirac_", (3, 3), (), {}),
    ("dirac_", (6, 2, 3), (), {"groups": 4}),
    ("sparse_", (2, 3, 4), (0.5,), {}),
    ("orthogonal_", (5,), (), {}),
    ("uniform_", (3,), (2, 1), {}),
    ("uniform_", (3,), (2.5, 1e-7), {}),
    ("normal_", (3,), (0, -1), {}),
    ("normal_", (3,), (0, -0.5), {}),
    ("kaiming_uniform_", (3, 3), (), {"mode": "fan_avg"}),
    ("kaiming_normal_", (3, 3), (), {"nonlinearity": "gelu"}),
    ("kaiming_uniform_", (3, 3), (), {"a": True}),
    ("kaiming_normal_", (3,), (), {}),
    ("xavier_uniform_", (3,), (), {}),
    ("xavier_uniform_", (3, 3), (), {"gain": -1.0}),
    ("xavier_uniform_", (5, 3), (), {"gain": -0.123456789}),
    ("xavier_normal_", (5, 3), (), {"gain": -0.5}),
    ("uniform_", (3,), (123456789.0, 1.0), {}),
]


@pytest.mark.parametrize("name, shape, args, kwargs", ERROR_CASES)
def test_errors_match_torch(name, shape, args, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(tinit, name)(torch.empty(shape), *args, **kwargs)
    with pytest.raises(Exception) as ours:
        getattr(init, name)(torch.empty(shape), *args, **kwargs)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["xavier_normal_", "xavier_uniform_"])
def test_zero_fans_raise_a_subclass_of_torchs_error(name):
    # torch: ZeroDivisionError("float division by zero"); ours is a subclass (also a
    # ValueError) whose message says why.
    with pytest.raises(Exception) as theirs:
        getattr(tinit, name)(torch.empty((0, 0)))
    with pytest.raises(ValueError, match="fan_in \\+ fan_out is 0") as ours:
        getattr(init, name)(torch.empty((0, 0)))
    assert isinstance(ours.value, type(theirs.value))


@pytest.mark.parametrize("args", [("identity",), ("leaky_relu", "0.1"), ("leaky_relu", True)])
def test_gain_errors_match_torch(args):
    with pytest.raises(ValueError) as theirs:
        tinit.calculate_gain(*args)
    with pytest.raises(ValueError) as ours:
        init.calculate_gain(*args)
    assert str(ours.value) == str(theirs.value)


def _warnings_of(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn(*args, **kwargs)
    return [(w.category, str(w.message)) for w in rec]


@pytest.mark.parametrize("name, shape, kwargs", [
    ("kaiming_uniform_", (0, 3), {}), ("kaiming_normal_", (0,), {}),
    ("trunc_normal_", (10,), {"mean": 5.0}), ("trunc_normal_", (0,), {}),
])
def test_warnings_match_torch(name, shape, kwargs):
    assert (_warnings_of(getattr(init, name), torch.empty(shape), **kwargs)
            == _warnings_of(getattr(tinit, name), torch.empty(shape), **kwargs))


def test_deprecated_alias_message_matches_torch():
    assert (_warnings_of(init.uniform, torch.empty(3))
            == _warnings_of(tinit.uniform, torch.empty(3)))


def test_torch_generators_are_refused():
    with pytest.raises(TypeError, match="weightinit.Generator"):
        init.normal_(torch.empty(3), generator=torch.Generator())


# --- random functions: same law as torch -------------------------------------------------

RANDOM = [  # name, shape, kwargs, law ("u" for uniform, "n" for normal), its std
    ("uniform_", (512, 512), {"a": -1.0, "b": 3.0}, "u", 4 / math.sqrt(12)),
    ("normal_", (512, 512), {"mean": 0.5, "std": 2.0}, "n", 2.0),
    ("xavier_uniform_", (512, 256), {"gain": 2.0}, "u", 2 * math.sqrt(2 / 768)),
    ("xavier_normal_", (512, 256), {}, "n", math.sqrt(2 / 768)),
    ("kaiming_uniform_", (256, 128, 3, 3), {"a": math.sqrt(5)}, "u", 1 / math.sqrt(3 * 1152)),
    ("kaiming_normal_", (512, 256), {"mode": "fan_out", "nonlinearity": "relu"}, "n", math.sqrt(2 / 512)),
]


@pytest.mark.parametrize("name, shape, kwargs, law, std", RANDOM)
def test_random_laws_match_torch(name, shape, kwargs, law, std):
    torch.manual_seed(0)
    ours, theirs = torch.empty(shape), torch.empty(shape)
    assert getattr(init, name)(ours, generator=1, **kwargs) is ours
    getattr(tinit, name)(theirs, **kwargs)
    mean = kwargs.get("mean", 0.0) + (kwargs.get("a", 0) + kwargs.get("b", 0)) / 2 * (name == "uniform_")
    kurtosis = 1.8 if law == "u" else 3.0
    for t in (ours, theirs):  # both must pass the same test of the same law
        x = t.double().flatten()
        n = x.numel()
        assert abs(x.mean().item() - mean) <= Z * std / math.sqrt(n)
        m2 = ((x - mean) ** 2).mean().item()
        assert abs(m2 - std**2) <= Z * std**2 * math.sqrt((kurtosis - 1) / n)
    if law == "u":  # the support: [a, b) for uniform_, [-bound, bound) for the scaled ones
        half = math.sqrt(3) * std
        assert mean - half - 1e-7 <= ours.min().item() and ours.max().item() < mean + half + 1e-7


def test_trunc_normal_law_matches_torch():
    stats = require("scipy.stats", extra="test")
    mean, std, a, b = 0.1, 0.5, -0.3, 0.7
    law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
    torch.manual_seed(0)
    ours, theirs = torch.empty(20_000), torch.empty(20_000)
    init.trunc_normal_(ours, mean, std, a, b, generator=2)
    tinit.trunc_normal_(theirs, mean, std, a, b)
    for t in (ours, theirs):
        assert stats.kstest(t.double().numpy(), law.cdf).pvalue > 1e-9
    assert ours.min() >= a and ours.max() <= b


def test_orthogonal_and_sparse_match_torch_structure():
    ours, theirs = torch.empty(6, 4, 3), torch.empty(6, 4, 3)
    init.orthogonal_(ours, gain=2.0, generator=3)
    tinit.orthogonal_(theirs, gain=2.0)
    for t in (ours, theirs):
        w = t.reshape(6, -1).double()
        assert torch.allclose(w @ w.T, 4 * torch.eye(6, dtype=torch.float64), atol=1e-5)
    ours, theirs = torch.empty(10, 7), torch.empty(10, 7)
    init.sparse_(ours, 0.25, generator=4)
    tinit.sparse_(theirs, 0.25)
    assert torch.equal((ours == 0).sum(0), (theirs == 0).sum(0))


# --- torch tensors: dtypes, views, same values as NumPy ----------------------------------

RANDOM_CALLS = {
    "uniform_": lambda x: init.uniform_(x, -1, 2, generator=1),
    "normal_": lambda x: init.normal_(x, 1, 3, generator=2),
    "trunc_normal_": lambda x: init.trunc_normal_(x, 0, 1, -1, 0.5, generator=3),
    "xavier_uniform_": lambda x: init.xavier_uniform_(x, generator=4),
    "kaiming_normal_": lambda x: init.kaiming_normal_(x, generator=5),
    "orthogonal_": lambda x: init.orthogonal_(x, generator=6),
    "sparse_": lambda x: init.sparse_(x, 0.4, generator=7),
}

TORCH_VIEWS = {
    "contiguous": lambda b: b[:6],
    "column-step": lambda b: b[1:11, ::3],
    "transposed": lambda b: b[2:9, 4:18].t(),
}


@pytest.mark.parametrize("name", sorted(RANDOM_CALLS))
@pytest.mark.parametrize("dtype", TORCH_FLOATS, ids=str)
@pytest.mark.parametrize("view", sorted(TORCH_VIEWS))
def test_torch_tensor_equals_numpy_and_leaves_the_rest(name, dtype, view):
    call = RANDOM_CALLS[name]
    base = torch.full((12, 20), -7.0, dtype=dtype)
    v = TORCH_VIEWS[view](base)
    address = v.data_ptr()
    assert call(v) is v and v.data_ptr() == address
    expected = call(np.empty(tuple(v.shape), _np_dtype(dtype)))
    np.testing.assert_array_equal(_bits(v), _bits(expected))
    mask = torch.zeros(base.shape, dtype=torch.bool)
    TORCH_VIEWS[view](mask).fill_(True)
    assert (base[~mask] == -7.0).all()


def test_overlapping_torch_views_are_refused():
    t = torch.zeros(5).expand(4, 5)
    with pytest.raises(ValueError, match="overlap"):
        init.normal_(t)


def test_meta_tensors_return_unchanged_without_drawing():
    g = weightinit.Generator(1)
    for fn in (init.normal_, init.uniform_, init.trunc_normal_, init.orthogonal_,
               init.kaiming_uniform_, init.xavier_normal_):
        t = torch.empty(4, 4, device="meta")
        assert fn(t, generator=g) is t
    for fn in (init.eye_, init.zeros_, init.dirac_):
        t = torch.empty(4, 4, 3, device="meta") if fn is init.dirac_ else torch.empty(4, 4, device="meta")
        assert fn(t) is t
    assert init.sparse_(torch.empty(4, 4, device="meta"), 0.5, generator=g).is_meta
    assert g.offset == 0


def test_int_tensors_are_refused_by_random_functions():
    with pytest.raises(TypeError, match="^tensor: dtype must be"):
        init.uniform_(torch.zeros(3, dtype=torch.int32))


def test_linear_weight_example():
    layer = torch.nn.Linear(64, 32)
    weightinit.manual_seed(0)
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    bound = 1 / math.sqrt(64)
    assert layer.weight.abs().max().item() < bound
    assert layer.weight.abs().max().item() > 0.98 * bound  # 2048 draws: 0.98**2048 < 1e-17
    weightinit.manual_seed(0)
    again = init.kaiming_uniform_(torch.empty(32, 64), a=math.sqrt(5))
    assert torch.equal(again, layer.weight.detach())
