# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.torch.materialize: a module built on the meta device (or on the CPU, in place)
gets every parameter from the law its own reset_parameters() gives through torch.nn.init,
drawn on the parameter's own stream; buffers as its code sets them; clear errors otherwise."""

import math
import warnings

import numpy as np
import pytest
from optional import require

torch = require("torch", extra="torch")
nn = torch.nn

from weightinit import checkpoint, shard  # noqa: E402
from weightinit.torch import materialize  # noqa: E402

_Z = 6.5  # standard deviations a sample statistic may be off (two-sided p < 1e-10)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(300, 64, padding_idx=3)
        self.lin = nn.Linear(64, 128)
        self.conv = nn.Conv2d(4, 16, 3)
        self.ln = nn.LayerNorm(128)
        self.bn = nn.BatchNorm1d(16)
        self.mha = nn.MultiheadAttention(64, 4)
        self.rnn = nn.LSTM(64, 32)
        self.head = nn.Linear(128, 300, bias=False)


def on_meta(cls=Net, *args):
    with torch.device("meta"):
        return cls(*args)


def expected_stds():
    """Each parameter's std under torch's own init (the laws of torch.nn's modules)."""
    k = 1 / math.sqrt(64)
    uniform = {  # bound of U(-b, b): std b / sqrt(3)
        "lin.weight": 1 / math.sqrt(64), "lin.bias": 1 / math.sqrt(64),
        "conv.weight": 1 / math.sqrt(36), "conv.bias": 1 / math.sqrt(36),
        "mha.in_proj_weight": math.sqrt(6 / (64 + 192)),
        "mha.out_proj.weight": 1 / math.sqrt(64),
        "rnn.weight_ih_l0": 1 / math.sqrt(32), "rnn.weight_hh_l0": 1 / math.sqrt(32),
        "rnn.bias_ih_l0": 1 / math.sqrt(32), "rnn.bias_hh_l0": 1 / math.sqrt(32),
        "head.weight": 1 / math.sqrt(128)}
    assert k == uniform["lin.weight"]
    return {n: b / math.sqrt(3) for n, b in uniform.items()} | {"emb.weight": 1.0}


def assert_std(x, std, name):
    x = x.detach().double().flatten()
    n = x.numel()
    # var of the sample variance of a uniform (kurtosis 1.8) or normal (3): (k - 1) sigma^4 / n
    got = float((x ** 2).mean())
    bound = _Z * math.sqrt(2.0 / n) * std ** 2
    assert abs(got - std ** 2) <= bound, (name, got, std ** 2, bound)


def test_every_law_of_torch_nn_modules():
    m = materialize(on_meta(), seed=3)
    assert all(t.device.type == "cpu" for t in [*m.parameters(), *m.buffers()])
    for name, std in expected_stds().items():
        p = dict(m.named_parameters())[name]
        if name == "emb.weight":
            p = torch.cat([p[:3], p[4:]])
        assert_std(p, std, name)
    assert torch.equal(m.emb.weight[3], torch.zeros(64))
    for name in ("ln.weight", "bn.weight"):
        assert torch.equal(dict(m.named_parameters())[name], torch.ones_like(m.get_parameter(name)))
    for name in ("ln.bias", "bn.bias", "mha.in_proj_bias", "mha.out_proj.bias"):
        assert not m.get_parameter(name).any(), name
    assert torch.equal(m.bn.running_mean, torch.zeros(16))
    assert torch.equal(m.bn.running_var, torch.ones(16)) and int(m.bn.num_batches_tracked) == 0


def test_each_parameter_is_its_named_stream():
    """A parameter equals the tensor weightinit draws for its name alone, as in a checkpoint:
    order, threads and the rest of the model do not matter."""
    import weightinit as wi

    a = materialize(on_meta(), seed=11)
    wi.set_num_threads(1)
    b = materialize(on_meta(), seed=11)
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(p, q), name
    bound = 1 / math.sqrt(64)
    alone = shard.new_box(("uniform", {"a": -bound, "b": bound}), (128,), "float32", seed=11,
                          stream=shard.stream_for("lin.bias"))
    np.testing.assert_array_equal(a.lin.bias.detach().numpy(), alone)
    desc = {"name": "x", "parameters": [{"name": "emb.weight", "shape": [300, 64],
                                         "init": "normal", "zero_rows": [3]}]}
    want = checkpoint.regenerate(checkpoint.model_from_dict(desc), "emb.weight", seed=11)
    np.testing.assert_array_equal(a.emb.weight.detach().numpy(), want)
    assert not torch.equal(materialize(on_meta(), seed=12).lin.weight, a.lin.weight)


def test_in_place_on_the_cpu():
    """Re-initialized in place: the same tensors, version counters moved, the values of the
    meta path; the module is not touched while the laws are recorded."""
    net = Net()
    weight, version = net.lin.weight, net.lin.weight._version
    with torch.no_grad():
        net.bn.running_mean.fill_(5.0)
    assert materialize(net, seed=4) is net
    assert net.lin.weight is weight and weight._version > version and weight.requires_grad
    ref = materialize(on_meta(), seed=4)
    for (name, p), q in zip(net.named_parameters(), ref.parameters()):
        assert torch.equal(p, q), name
    assert torch.equal(net.bn.running_mean, torch.zeros(16))


def test_dtype():
    m = materialize(on_meta(), seed=1, dtype="bfloat16")
    assert {p.dtype for p in m.parameters()} == {torch.bfloat16}
    desc = {"name": "x", "dtype": "bfloat16", "parameters": [
        {"name": "lin.weight", "shape": [128, 64],
         "init": {"name": "kaiming_uniform", "a": math.sqrt(5)}}]}
    want = checkpoint.regenerate(checkpoint.model_from_dict(desc), "lin.weight", seed=1)
    assert m.lin.weight.detach().view(torch.int16).numpy().tobytes() == want.tobytes()


class Plain(nn.Module):  # a parameter set in __init__, no reset_parameters
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.scale = nn.Parameter(torch.randn(4))


class Direct(nn.Module):  # a reset that writes the tensor itself
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.empty(4, 4))
        self.reset_parameters()

    def reset_parameters(self):
        with torch.no_grad():
            self.w.copy_(torch.eye(4))


class Table(nn.Module):  # a buffer computed in __init__
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.register_buffer("table", torch.arange(8.0))


def test_what_cannot_be_derived_is_a_clear_error():
    with pytest.raises(checkpoint.CheckpointError,
                       match=r"cannot derive the initialization of scale \(module type Plain\): "
                             "no torch.nn.init call of a reset_parameters\\(\\) sets it"):
        materialize(on_meta(Plain))
    cpu = Direct()
    before = cpu.w.detach().clone()
    with pytest.raises(checkpoint.CheckpointError, match=r"of w \(module type Direct\): it is "
                                                         "set by an in-place write in its reset"):
        materialize(cpu)
    assert torch.equal(cpu.w, before)  # nothing changed
    with pytest.raises(checkpoint.CheckpointError,
                       match=r"the buffer table \(Table\) is set in its module's constructor"):
        materialize(on_meta(Table))
    assert torch.equal(materialize(Table()).table, torch.arange(8.0))  # on the CPU it stays
    with pytest.raises(TypeError, match="module: expected a torch.nn.Module"):
        materialize(object())
    with pytest.raises(ValueError, match="dtype: expected"):
        materialize(on_meta(), dtype="int8")
    with pytest.raises(ValueError, match="seed"):
        materialize(on_meta(), seed=2**64)


def test_fallback_draws_with_the_modules_own_code_and_warns():
    with pytest.warns(UserWarning, match=r"w \(Direct\) is drawn by Direct's own reset_parameters"):
        m = materialize(on_meta(Direct), fallback=True)
    assert torch.equal(m.w, torch.eye(4))


def test_weight_normalized_convolution():
    """torch's weight_norm parametrization: the direction (original1) has the law the
    convolution's reset draws its weight with; the magnitude (original0) is the norm of the
    direction as drawn, as the parametrization computes it when registered."""
    def build():
        return nn.utils.parametrizations.weight_norm(nn.Conv1d(16, 16, 5, groups=4),
                                                     name="weight", dim=2)

    m = materialize(on_meta(build), seed=2)
    wn = m.parametrizations.weight
    g, v = wn.original0.detach(), wn.original1.detach()
    assert torch.equal(g, torch.norm_except_dim(v, 2, 2))
    assert_std(v, 1 / math.sqrt(4 * 5) / math.sqrt(3), "original1")  # kaiming_uniform(a=sqrt(5))
    assert_std(m.bias, 1 / math.sqrt(4 * 5) / math.sqrt(3), "bias")
    ref = build()
    assert g.shape == ref.parametrizations.weight.original0.shape


def test_progress_counts_the_bytes_filled(capsys):
    """progress=True: the bytes filled on stderr (a line per quarter off a terminal), the
    total the parameters' bytes; the values as without it."""
    m = materialize(on_meta(), seed=5, progress=True)
    lines = capsys.readouterr().err.splitlines()
    total = sum(p.numel() * p.element_size() for p in m.parameters())
    assert lines and lines[-1].startswith("init") and "(100%)" in lines[-1], lines
    assert len(lines) <= 5
    from weightinit.checkpoint.cli import human

    assert f"/ {human(total)}" in lines[-1]
    again = materialize(on_meta(), seed=5)
    assert capsys.readouterr().err == ""
    for (name, p), q in zip(m.named_parameters(), again.parameters()):
        assert torch.equal(p, q), name
