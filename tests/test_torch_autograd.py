# SPDX-License-Identifier: BSD-3-Clause
"""Writes into torch tensors behave as torch's own in-place ops under autograd."""

import pytest
from optional import require

torch = require("torch", extra="torch")

import weightinit as wi  # noqa: E402
from weightinit import init  # noqa: E402


def test_every_write_counts_as_an_in_place_op():
    t = torch.zeros(64)
    before = t._version
    wi.fill(t, "normal", (0, 1), seed=1)
    init.uniform_(t, generator=1)
    init.kaiming_normal_(t.view(8, 8), generator=2)
    assert t._version == before + 3


def test_backward_through_a_reinitialized_weight_raises_as_torch_does():
    def run(normal_):
        torch.manual_seed(0)
        lin = torch.nn.Linear(8, 8)
        y = lin(torch.randn(4, 8, requires_grad=True))
        normal_(lin.weight)
        y.sum().backward()

    with pytest.raises(RuntimeError, match="modified by an inplace operation") as theirs:
        run(torch.nn.init.normal_)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as ours:
        run(lambda w: init.normal_(w, generator=1))
    assert type(ours.value) is type(theirs.value)


@pytest.mark.parametrize("make", [lambda: torch.zeros(3, requires_grad=True),
                                  lambda: torch.zeros(3, requires_grad=True) * 2])
def test_fill_refuses_tensors_that_need_grad_in_grad_mode(make):
    t = make()
    with pytest.raises(ValueError, match="requires grad"):
        wi.fill(t, "normal", (0, 1), seed=1)
    with torch.no_grad():
        wi.fill(t, "normal", (0, 1), seed=1)
    init.normal_(make(), generator=1)  # torch.nn.init's rule: runs under no_grad


def test_init_inside_torch_compile_equals_eager():
    # Dynamo breaks the graph at the C++ door and runs it eagerly on the real tensor.
    def f(w):
        init.normal_(w, generator=1)
        init.zeros_(w[0])
        return w * 2

    compiled = torch.compile(f, backend="eager")
    got = compiled(torch.empty(4, 4))
    want = f(torch.empty(4, 4))
    assert torch.equal(got, want)
