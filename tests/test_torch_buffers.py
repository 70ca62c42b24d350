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


def test_torch_func_transforms_refused():
    """Inside torch.func.vmap a function sees a batched tensor, inside grad and jvp a wrapper:
    none has memory of its own (was RuntimeError "Cannot access data pointer of Tensor that
    doesn't have storage"). torch's normal_ draws there; weightinit refuses, naming vmap."""
    x = torch.zeros(3, 4)
    for randomness in ("error", "different", "same"):
        with pytest.raises(TypeError, match="^tensor: a batched tensor \\(inside torch.func."
                                            "vmap\\) cannot be filled: weightinit does not "
                                            "support vmap"):
            torch.func.vmap(lambda t: init.normal_(t), randomness=randomness)(x)
    with pytest.raises(TypeError, match="^out: a batched tensor"):
        torch.func.vmap(lambda t: wi.fill(t, "normal", (0, 1), seed=1))(x)
    for transform in (lambda f: torch.func.grad(lambda t: f(t.clone()).sum())(x),
                      lambda f: torch.func.jvp(lambda t: f(t.clone()), (x,), (x,))):
        with pytest.raises(TypeError, match="^tensor: this tensor has no memory of its own \\(a "
                                            "tensor inside a torch.func transform"):
            transform(init.normal_)
    # What draws nothing works under vmap, as torch's does.
    assert torch.equal(torch.func.vmap(lambda t: init.constant_(t, 2.0))(x.clone()),
                       torch.full((3, 4), 2.0))


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


def _neg_view(shape, dtype=torch.complex64):
    """A float view that reads its memory negated (the negative bit): x.conj().imag."""
    base = torch.zeros(shape, dtype=dtype)
    return base, base.conj().imag


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_negative_bit_views_read_back_the_drawn_values(dtype):
    """As torch's own in-place ops (v.uniform_() on x.conj().imag reads back in [0, 1)): the
    view reads the values a plain tensor gets, its memory holds them negated. Before, the
    view read them negated: uniform (0, 1) came back in (-1, 0], init.normal_(mean=5) had
    mean -5."""
    base, v = _neg_view(1000, dtype)
    assert v.is_neg()
    wi.fill(v, "uniform", (0.0, 1.0), seed=1)
    plain = wi.fill(torch.zeros(1000, dtype=v.dtype), "uniform", (0.0, 1.0), seed=1)
    assert torch.equal(v, plain) and torch.equal(base.imag.resolve_neg(), -plain)
    assert 0 <= v.min() and v.max() < 1

    _, v = _neg_view(1000, dtype)
    init.normal_(v, mean=5.0, std=0.1, generator=wi.Generator(3))
    assert torch.equal(v, init.normal_(torch.zeros(1000, dtype=v.dtype), mean=5.0, std=0.1,
                                       generator=wi.Generator(3)))
    assert abs(v.mean().item() - 5.0) < 0.05

    # Strided, and a matrix written by the QR (orthogonal_).
    _, v = _neg_view((6, 8), dtype)
    wi.fill(v[:, ::2], "normal", (0.0, 1.0), seed=4)
    assert torch.equal(v[:, ::2], wi.fill(torch.zeros(6, 4, dtype=v.dtype), "normal", (0.0, 1.0), seed=4))
    assert torch.equal(v[:, 1::2], torch.zeros(6, 4, dtype=v.dtype))
    _, v = _neg_view((3, 5), dtype)
    init.orthogonal_(v, generator=wi.Generator(2))
    assert torch.equal(v, init.orthogonal_(torch.zeros(3, 5, dtype=v.dtype), generator=wi.Generator(2)))


def test_negative_bit_view_matches_torch_in_place_ops():
    """The behaviour matched is torch's: its in-place draws on such a view read back in range."""
    _, v = _neg_view(1000)
    v.uniform_(0.0, 1.0)
    assert 0 <= v.min() and v.max() < 1


def test_inference_tensors_written_only_in_inference_mode():
    """As torch's in-place ops: an inference tensor is refused outside
    torch.inference_mode() (torch: RuntimeError "Inplace update to inference tensor outside
    InferenceMode"), written inside it. It used to be written anywhere, silently."""
    with torch.inference_mode():
        t = torch.zeros(4, 4)
        wi.fill(t, "normal", (0, 1), seed=1)
        init.kaiming_uniform_(t, generator=wi.Generator(1))
    assert t.is_inference()
    before = t.clone()
    for write in (lambda: wi.fill(t, "normal", (0, 1), seed=2),
                  lambda: wi.fill(t[1:], "normal", (0, 1), seed=2),
                  lambda: init.normal_(t, generator=wi.Generator(2)),
                  lambda: init.orthogonal_(t, generator=wi.Generator(2))):
        with pytest.raises(ValueError, match="inference tensor cannot be updated in place outside "
                                             "torch.inference_mode"):
            write()
    assert torch.equal(t, before)  # refused before anything is written
    # torch refuses too (after its kernel has written: it checks when counting the write).
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside InferenceMode"):
        t.normal_()
    # A normal tensor may be written in inference mode (as torch allows).
    n = torch.zeros(4)
    with torch.inference_mode():
        wi.fill(n, "normal", (0, 1), seed=1)
    assert not n.is_inference() and n.abs().sum() > 0
