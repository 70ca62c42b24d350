# SPDX-License-Identifier: BSD-3-Clause
"""torch's fan rule (out, in, *kernel) and how the xavier / kaiming scales use it (spec §2, §4)."""

import math
import warnings

import numpy as np
import pytest

from weightinit import init

FAN_ERROR = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"


@pytest.mark.parametrize("shape, fans", [
    ((3, 5), (5, 3)),
    ((8, 4, 3, 3), (36, 72)),
    ((0, 5), (5, 0)),
    ((2, 0, 3), (0, 6)),
    ((7, 2, 5), (10, 35)),
    ((4, 6, 1, 2, 3), (36, 24)),
])
def test_fans(shape, fans):
    assert init._calculate_fan_in_and_fan_out(np.empty(shape, np.float32)) == fans


def test_tf_and_torch_fans_are_swapped_on_a_matrix():
    # spec §2.2: each framework's rule is right for its own layout only.
    import weightinit

    a = np.empty((3, 5), np.float32)
    assert init._calculate_fan_in_and_fan_out(a) == weightinit.compute_fans((3, 5), "tf")[::-1]


@pytest.mark.parametrize("shape", [(), (4,), (0,)])
def test_fans_need_two_dimensions(shape):
    with pytest.raises(ValueError) as info:
        init._calculate_fan_in_and_fan_out(np.empty(shape, np.float32))
    assert str(info.value) == FAN_ERROR


@pytest.mark.parametrize("mode, fan", [("fan_in", 36), ("fan_out", 72), ("FAN_OUT", 72), ("Fan_In", 36)])
def test_correct_fan(mode, fan):
    assert init._calculate_correct_fan(np.empty((8, 4, 3, 3)), mode) == fan


@pytest.mark.parametrize("mode", ["fan_avg", "in", "FAN_x"])
def test_correct_fan_bad_mode(mode):
    with pytest.raises(ValueError) as info:
        init._calculate_correct_fan(np.empty((3, 3)), mode)
    assert str(info.value) == f"Mode {mode.lower()} not supported, please use one of ['fan_in', 'fan_out']"


def test_correct_fan_mode_must_be_a_string():
    with pytest.raises(TypeError, match="mode"):
        init._calculate_correct_fan(np.empty((3, 3)), 3)


def test_fans_need_a_shape():
    with pytest.raises(TypeError, match="tensor"):
        init._calculate_fan_in_and_fan_out([[1.0, 2.0]])


# --- the scales: the largest |value| of a uniform fill approaches its bound from below ----

def _max_abs(fn, shape, **kwargs):
    a = np.empty(shape, np.float64)
    fn(a, generator=11, **kwargs)
    return np.abs(a).max()


@pytest.mark.parametrize("shape, kwargs, bound", [
    ((64, 32), {}, math.sqrt(6 / 32)),
    ((64, 32), {"mode": "fan_out"}, math.sqrt(6 / 64)),
    ((16, 8, 3, 3), {}, math.sqrt(6 / 72)),
    ((64, 32), {"a": math.sqrt(5)}, 1 / math.sqrt(32)),  # nn.Linear's reset
    ((64, 32), {"nonlinearity": "tanh"}, 5 / 3 * math.sqrt(3 / 32)),
    ((64, 32), {"nonlinearity": "relu", "a": 7}, math.sqrt(6 / 32)),  # a ignored off leaky_relu
])
def test_kaiming_uniform_bound(shape, kwargs, bound):
    # n >= 1152 draws of U[-B, B): P(max |x| < 0.98 B) = 0.98**n < 1e-10.
    m = _max_abs(init.kaiming_uniform_, shape, **kwargs)
    assert bound * 0.98 < m < bound


@pytest.mark.parametrize("shape, gain, bound", [
    ((64, 32), 1.0, math.sqrt(6 / 96)),
    ((16, 8, 3, 3), 2.0, 2 * math.sqrt(6 / (72 + 144))),
])
def test_xavier_uniform_bound(shape, gain, bound):
    m = _max_abs(init.xavier_uniform_, shape, gain=gain)
    assert bound * 0.98 < m < bound


@pytest.mark.parametrize("fn", [init.xavier_uniform_, init.xavier_normal_])
def test_xavier_zero_fans_divide_by_zero(fn):
    with pytest.raises(ZeroDivisionError):
        fn(np.empty((0, 0), np.float32))


@pytest.mark.parametrize("fn", [init.xavier_uniform_, init.xavier_normal_])
@pytest.mark.parametrize("shape", [(0, 5), (3, 0, 2)])
def test_xavier_other_zero_element_shapes_do_nothing(fn, shape):
    a = np.empty(shape, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fn(a) is a


@pytest.mark.parametrize("fn", [init.xavier_uniform_, init.xavier_normal_,
                                init.kaiming_uniform_, init.kaiming_normal_])
def test_scaled_inits_need_two_dimensions(fn):
    with pytest.raises(ValueError) as info:
        fn(np.empty(5, np.float32))
    assert str(info.value) == FAN_ERROR


@pytest.mark.parametrize("fn", [init.kaiming_uniform_, init.kaiming_normal_])
@pytest.mark.parametrize("shape", [(0, 5), (0,), (4, 0, 3)])
def test_kaiming_zero_element_warns_before_rank_check(fn, shape):
    a = np.empty(shape, np.float32)
    with pytest.warns(UserWarning, match="^Initializing zero-element tensors is a no-op$") as rec:
        assert fn(a) is a
    assert rec[0].filename == __file__  # stacklevel points at the caller


@pytest.mark.parametrize("fn", [init.kaiming_uniform_, init.kaiming_normal_])
def test_kaiming_errors(fn):
    a = np.empty((4, 4), np.float32)
    with pytest.raises(ValueError, match="^Mode fan_avg not supported"):
        fn(a, mode="fan_avg")
    with pytest.raises(ValueError, match="^Unsupported nonlinearity gelu$"):
        fn(a, nonlinearity="gelu")
    with pytest.raises(ValueError, match="^negative_slope True not a valid number$"):
        fn(a, a=True)


# --- exact: each scaled init is uniform_ / normal_ with the formula's bound / std ----------

@pytest.mark.parametrize("shape", [(64, 32), (16, 8, 3, 3), (5, 7, 2)])
@pytest.mark.parametrize("kwargs", [{}, {"mode": "fan_out"}, {"a": math.sqrt(5)}, {"a": 0.3},
                                    {"nonlinearity": "tanh"}, {"mode": "FAN_OUT", "nonlinearity": "selu"}])
def test_kaiming_is_the_formula(shape, kwargs):
    receptive = math.prod(shape[2:])
    fan = (shape[0] if kwargs.get("mode", "fan_in").lower() == "fan_out" else shape[1]) * receptive
    nonlinearity = kwargs.get("nonlinearity", "leaky_relu")
    gain = {"tanh": 5 / 3, "selu": 0.75}.get(nonlinearity) or math.sqrt(2 / (1 + kwargs.get("a", 0) ** 2))
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3) * std
    np.testing.assert_array_equal(init.kaiming_uniform_(np.empty(shape, np.float32), generator=3, **kwargs),
                                  init.uniform_(np.empty(shape, np.float32), -bound, bound, generator=3))
    np.testing.assert_array_equal(init.kaiming_normal_(np.empty(shape), generator=4, **kwargs),
                                  init.normal_(np.empty(shape), 0.0, std, generator=4))


@pytest.mark.parametrize("shape", [(64, 32), (16, 8, 3, 3), (5, 7, 2)])
@pytest.mark.parametrize("gain", [1.0, 0.5, 3])
def test_xavier_is_the_formula(shape, gain):
    receptive = math.prod(shape[2:])
    std = gain * math.sqrt(2 / ((shape[0] + shape[1]) * receptive))
    bound = math.sqrt(3) * std
    np.testing.assert_array_equal(init.xavier_uniform_(np.empty(shape, np.float32), gain, generator=5),
                                  init.uniform_(np.empty(shape, np.float32), -bound, bound, generator=5))
    np.testing.assert_array_equal(init.xavier_normal_(np.empty(shape), gain, generator=6),
                                  init.normal_(np.empty(shape), 0.0, std, generator=6))
