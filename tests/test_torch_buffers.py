# SPDX-License-Identifier: BSD-3-Clause
"""Every kind of torch tensor at the door: written, left alone (meta), or a clear error."""

import pytest
from optional import require

torch = require("torch", extra="torch")

import weightinit as wi  # noqa: E402
from weightinit import init  # noqa: E402


def _resized(n, nbytes):
    t = torch.zeros(n)
    t.untyped_storage().resize_(nbytes)
    return t


def _fake():
    from torch._subclasses.fake_tensor import FakeTensorMode

    with FakeTensorMode():
        return torch.empty(4)


@pytest.mark.parametrize("make, error, match", [
    (lambda: torch.zeros(4, 4).to_sparse(), TypeError, "dense \\(strided\\) tensor"),
    (lambda: torch.zeros(4, 4).to_mkldnn(), TypeError, "dense \\(strided\\) tensor"),
    (lambda: torch.nested.nested_tensor([torch.zeros(2), torch.zeros(3)]), TypeError,
     "nested tensor"),
    (lambda: torch.quantize_per_tensor(torch.zeros(4), 0.1, 0, torch.qint8), TypeError,
     "dtype must be"),
    (lambda: torch.zeros(4, dtype=torch.int32), TypeError, "dtype must be"),
    (lambda: _resized(8, 0), ValueError, "storage is empty"),
    (lambda: _resized(1 << 20, 64), ValueError, "beyond its storage \\(64 bytes\\)"),
    (lambda: torch.zeros(4, 1).expand(4, 4), ValueError, "overlap in memory"),
    (_fake, TypeError, "has no data"),
])
def test_refused_with_a_clear_error(make, error, match):
    t = make()
    with pytest.raises(error, match="^out: .*" + match):
        wi.fill(t, "normal", (0, 1), seed=1)


def test_a_tensor_shaped_object_is_not_a_tensor():
    class Impostor:  # has a tensor's methods, is not a torch.Tensor
        __module__ = "torch.fake"
        shape, dtype = (4,), torch.float32

        def data_ptr(self):
            return 8

        def stride(self):
            return (1,)

    with pytest.raises(TypeError, match="expected a numpy.ndarray or torch.Tensor"):
        wi.fill(Impostor(), "normal", (0, 1), seed=1)


def test_meta_tensors_are_checked_and_left_alone():
    m = torch.empty(4, 4, device="meta")
    assert wi.fill(m, "normal", (0, 1), seed=1) is m
    assert init.kaiming_uniform_(m) is m
    with pytest.raises(TypeError, match="dtype must be"):
        wi.fill(torch.empty(4, device="meta", dtype=torch.int64), "normal", (0, 1), seed=1)


def test_dtensor_points_to_init_sharded():
    dist = require("torch.distributed", extra="torch")
    from torch.distributed.tensor import DTensor  # noqa: F401 (loads the module)

    if not dist.is_available():
        pytest.skip("torch.distributed is not available in this build")
    import tempfile

    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import Shard, distribute_tensor

    with tempfile.NamedTemporaryFile() as f:
        dist.init_process_group("gloo", init_method=f"file://{f.name}", rank=0, world_size=1)
        try:
            mesh = init_device_mesh("cpu", (1,))
            d = distribute_tensor(torch.zeros(4, 4), mesh, [Shard(0)])
            with pytest.raises(TypeError, match="init_sharded_"):
                wi.fill(d, "normal", (0, 1), seed=1)
        finally:
            dist.destroy_process_group()
