# SPDX-License-Identifier: BSD-3-Clause
"""Views: every function writes exactly its view's elements, with the values a contiguous
array of the view's shape would get, and nothing else of the base array."""

import subprocess
import sys

import numpy as np
import pytest

from weightinit import init

CALLS = {  # name -> (view rank, call)
    "uniform_": (2, lambda x: init.uniform_(x, -1, 2, generator=1)),
    "normal_": (2, lambda x: init.normal_(x, 1, 3, generator=2)),
    "trunc_normal_": (2, lambda x: init.trunc_normal_(x, 0, 1, -1, 0.5, generator=3)),
    "xavier_uniform_": (2, lambda x: init.xavier_uniform_(x, generator=4)),
    "xavier_normal_": (2, lambda x: init.xavier_normal_(x, generator=5)),
    "kaiming_uniform_": (2, lambda x: init.kaiming_uniform_(x, generator=6)),
    "kaiming_normal_": (2, lambda x: init.kaiming_normal_(x, mode="fan_out", generator=7)),
    "orthogonal_": (2, lambda x: init.orthogonal_(x, generator=8)),
    "sparse_": (2, lambda x: init.sparse_(x, 0.4, generator=9)),
    "constant_": (2, lambda x: init.constant_(x, 0.25)),
    "ones_": (2, init.ones_),
    "zeros_": (2, init.zeros_),
    "eye_": (2, init.eye_),
    "dirac_": (3, lambda x: init.dirac_(x, 2)),
}

VIEWS_2D = {  # base shape -> a view of it
    "column-step": ((12, 20), lambda b: b[1:11, ::3]),
    "transposed": ((12, 20), lambda b: b[2:9, 4:18].T),
    "reversed": ((12, 20), lambda b: b[::-2, 5:12]),
    "row-slice": ((12, 20), lambda b: b[3:9]),
}
VIEWS_3D = {
    "column-step": ((6, 8, 10), lambda b: b[:, 1:7:2, ::3]),
    "transposed": ((6, 8, 10), lambda b: b.transpose(0, 2, 1)[:, 2:7]),
    "reversed": ((6, 8, 10), lambda b: b[::-1, :4, 3:8]),
    "row-slice": ((6, 8, 10), lambda b: b[:, 2:5]),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("view", sorted(VIEWS_2D))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_view_is_filled_and_the_rest_untouched(name, view, dtype):
    rank, call = CALLS[name]
    shape, make = (VIEWS_2D if rank == 2 else VIEWS_3D)[view]
    sentinel = -123.0
    base = np.full(shape, sentinel, dtype)
    v = make(base)
    assert not v.flags.c_contiguous or view == "row-slice"
    assert call(v) is v
    # The view's values equal a contiguous fill of its shape with the same arguments.
    np.testing.assert_array_equal(v, call(np.empty(v.shape, dtype)))
    # Exactly the view's elements changed: mark them through the view, compare the rest.
    mask = np.zeros(shape, bool)
    make(mask)[...] = True
    assert (base[~mask] == sentinel).all()
    assert (v != sentinel).all()


@pytest.mark.parametrize("name", ["uniform_", "normal_", "orthogonal_", "sparse_", "eye_"])
def test_fortran_order(name):
    _, call = CALLS[name]
    x = np.empty((9, 14), np.float32, order="F")
    np.testing.assert_array_equal(call(x), call(np.empty((9, 14), np.float32)))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_overlapping_views_are_refused(name):
    rank, call = CALLS[name]
    base = np.zeros(10, np.float32)
    shape = (4, 10) if rank == 2 else (2, 3, 10)
    v = np.lib.stride_tricks.as_strided(base, shape, (0,) * (rank - 1) + (4,), writeable=True)
    with pytest.raises(ValueError, match="^tensor: its elements overlap in memory"):
        call(v)
    assert (base == 0).all()


def test_contiguous_input_is_not_copied():
    x = np.empty((256, 256), np.float32)
    address = x.__array_interface__["data"][0]
    for fn in (init.normal_, init.kaiming_uniform_, init.trunc_normal_):
        assert fn(x) is x and x.__array_interface__["data"][0] == address


def test_numpy_path_never_imports_torch():
    code = (
        "import sys, numpy as np, weightinit\n"
        "from weightinit import init\n"
        "x = np.empty((8, 8), np.float32)\n"
        "for f in (init.normal_, init.uniform_, init.trunc_normal_, init.kaiming_uniform_,\n"
        "          init.xavier_normal_, init.orthogonal_, init.eye_, init.zeros_):\n"
        "    f(x)\n"
        "init.sparse_(x, 0.5); init.dirac_(np.empty((4, 4, 3)))\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("shape", [(3, 3, 0), (4, 2, 3, 0), (2, 2, 0, 3, 3)])
def test_dirac_with_an_empty_spatial_dimension_is_a_no_op(shape):
    # torch raises IndexError from its indexing; an empty tensor has nothing to set.
    a = np.empty(shape, np.float32)
    assert init.dirac_(a) is a
