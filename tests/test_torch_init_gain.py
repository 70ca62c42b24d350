# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.init.calculate_gain against the table of shared/spec/torch-init.md §1."""

import math

import numpy as np
import pytest

from weightinit import init

LINEAR_FAMILY = ["linear", "conv1d", "conv2d", "conv3d",
                 "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"]


@pytest.mark.parametrize("name", LINEAR_FAMILY)
def test_linear_family_and_sigmoid_are_the_int_one(name):
    gain = init.calculate_gain(name)
    assert gain == 1 and type(gain) is int


@pytest.mark.parametrize("name, expected", [
    ("tanh", 1.6666666666666667),
    ("relu", 1.4142135623730951),
    ("selu", 0.75),
    ("leaky_relu", 1.4141428569978354),  # default slope 0.01
])
def test_gain_table(name, expected):
    assert init.calculate_gain(name) == expected


@pytest.mark.parametrize("param, expected", [
    (None, math.sqrt(2 / (1 + 0.01**2))),
    (0, math.sqrt(2.0)),
    (1, 1.0),
    (0.2, math.sqrt(2 / 1.04)),
    (-0.5, math.sqrt(2 / 1.25)),
    (math.sqrt(5), math.sqrt(1 / 3)),  # nn.Linear's a=sqrt(5)
    (np.float64(0.2), math.sqrt(2 / 1.04)),  # a float subclass
])
def test_leaky_relu_slope(param, expected):
    assert init.calculate_gain("leaky_relu", param) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("param", [True, False, "0.1", np.float32(0.1), np.int64(1), [0.1]])
def test_leaky_relu_rejects_non_numbers(param):
    with pytest.raises(ValueError, match=r"^negative_slope .* not a valid number$"):
        init.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("name", ["tanh", "relu", "linear", "selu", "sigmoid"])
def test_param_is_ignored_elsewhere(name):
    assert init.calculate_gain(name, "anything") == init.calculate_gain(name)
    assert init.calculate_gain(name, True) == init.calculate_gain(name)


@pytest.mark.parametrize("name", ["identity", "gelu", "Linear", "RELU", "", None, 3])
def test_unsupported_nonlinearity(name):
    with pytest.raises(ValueError) as info:
        init.calculate_gain(name)
    assert str(info.value) == f"Unsupported nonlinearity {name}"
