# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.torch.materialize on sharded models: 2 and 4 ranks on gloo (forked from this
process, each group with a deadline), with FSDP2 (fully_shard), tensor parallelism
(parallelize_module, distribute_tensor) and both on a 2-D mesh. Each rank allocates only its
local shards, and the gathered state equals materialize in one process, bit for bit."""

import datetime
import math
import multiprocessing
import pickle
import socket
import time
import traceback

import numpy as np
import pytest
from optional import installed, require

torch = require("torch", extra="torch")
dist = require("torch.distributed", extra="torch")
if not dist.is_available() or not dist.is_gloo_available():
    pytest.skip("torch.distributed with the gloo backend is not available", allow_module_level=True)
if "fork" not in multiprocessing.get_all_start_methods():
    pytest.skip("the ranks are forked from the test process; this platform cannot fork",
                allow_module_level=True)

from torch.distributed.device_mesh import DeviceMesh, init_device_mesh  # noqa: E402
from torch.distributed.fsdp import fully_shard  # noqa: E402
from torch.distributed.tensor import DTensor, Partial, Replicate, Shard  # noqa: E402
from torch.distributed.tensor import distribute_tensor  # noqa: E402
from torch.distributed.tensor.parallel import (  # noqa: E402
    ColwiseParallel, RowwiseParallel, parallelize_module)

from weightinit import checkpoint  # noqa: E402
from weightinit.torch import materialize  # noqa: E402

transformers = installed("transformers")  # the Llama checks run where it is installed
nn = torch.nn

SEED = 7
DEADLINE = 90.0  # seconds a group of ranks may take before it is killed and the test fails
IDS = [[1, 9, 4, 10, 0, 3]]  # token ids of the forward checks (9 is the padding row)


class Orthogonal(nn.Module):
    """A parameter drawn by orthogonal_, a law of the whole matrix."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.empty(6, 5))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.orthogonal_(self.w)


class Net(nn.Module):
    """Dimensions 11, 10, 6 and 5: uneven shards on 4 ranks, empty ones among them."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(11, 6, padding_idx=9)
        self.ln = nn.LayerNorm(6)
        self.up = nn.Linear(6, 10)
        self.down = nn.Linear(10, 6)
        self.conv = nn.Conv1d(6, 6, 3)
        self.o = Orthogonal()

    def forward(self, ids):
        x = self.ln(self.emb(ids))
        x = x + self.down(torch.relu(self.up(x)))
        return self.conv(x.transpose(1, 2)).transpose(1, 2) @ self.o.w


def on_meta(make):
    with torch.device("meta"):
        return make()


def llama():
    config = transformers.LlamaConfig(vocab_size=37, hidden_size=16, intermediate_size=24,
                                      num_hidden_layers=2, num_attention_heads=2,
                                      num_key_value_heads=1, pad_token_id=3)
    return on_meta(lambda: transformers.AutoModelForCausalLM.from_config(config))


# Tensor-parallel plan: column- and row-wise Linear layers, an embedding split by rows, and
# DTensors made by distribute_tensor: Shard(1) of a convolution and of the orthogonal matrix,
# a replicated bias; the LayerNorm stays a plain tensor.
TP_PLAN = {"up": ColwiseParallel(), "down": RowwiseParallel(), "emb": RowwiseParallel()}
TP_PLACED = {"conv.weight": Shard(1), "conv.bias": Replicate(), "o.w": Shard(1)}
TP_PLACEMENTS = {"emb.weight": "S(0)", "up.weight": "S(0)", "up.bias": "S(0)",
                 "down.weight": "S(1)", "down.bias": "R", "conv.weight": "S(1)",
                 "conv.bias": "R", "o.w": "S(1)"}


def _report(model):
    """The gathered state (every rank takes part), and this rank's local shards:
    name -> (placements, local shape, bytes of its storage)."""
    full, local = {}, {}
    for name, p in model.named_parameters():
        if isinstance(p, DTensor):
            t = p.to_local()
            local[name] = (",".join(map(_short, p.placements)), tuple(t.shape),
                           t.untyped_storage().nbytes())
            p = p.full_tensor()
        p = p.detach()
        full[name] = (p.view(torch.int16) if p.dtype == torch.bfloat16 else p).numpy().copy()
    return full, local


def _short(placement):
    if placement.is_shard():
        return f"S({placement.dim})"
    return "R" if placement.is_replicate() else type(placement).__name__


def _error(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the type and message are what is checked
        return f"{type(e).__name__}: {e}"
    return "no error"


def _checks(rank, world):
    """Everything one rank does; rank 0's dict is the group's result."""
    mesh = init_device_mesh("cpu", (world,))
    out = {}

    m = on_meta(Net)
    for child in (m.emb, m.up, m.down, m.conv):
        fully_shard(child, mesh=mesh)
    fully_shard(m, mesh=mesh)
    assert materialize(m, seed=SEED) is m
    out["fsdp2"] = _report(m)
    y = m(torch.tensor(IDS))
    out["fsdp2 forward"] = y.detach().numpy().copy()
    y.square().sum().backward()
    torch.optim.SGD(m.parameters(), lr=0.1).step()
    out["fsdp2 after a step"] = _report(m)[0]

    m = on_meta(Net)
    parallelize_module(m, mesh, TP_PLAN)
    for name, placement in TP_PLACED.items():
        owner, _, attr = name.rpartition(".")
        setattr(m.get_submodule(owner), attr,
                nn.Parameter(distribute_tensor(m.get_parameter(name), mesh, [placement])))
    materialize(m, seed=SEED)
    out["tp"] = _report(m)
    before = list(m.parameters())
    with torch.no_grad():
        for p in before:
            p.zero_()
    materialize(m, seed=SEED)  # on the CPU now: in place
    assert all(p is q for p, q in zip(m.parameters(), before))
    out["tp in place"] = _report(m)

    m = on_meta(Net)
    fully_shard(m, mesh=mesh)
    materialize(m, seed=SEED, dtype="bfloat16")
    out["fsdp2 bfloat16"] = _report(m)

    if world == 4:
        mesh2 = init_device_mesh("cpu", (2, 2), mesh_dim_names=("dp", "tp"))
        m = on_meta(Net)
        parallelize_module(m, mesh2["tp"], {"up": ColwiseParallel(), "down": RowwiseParallel()})
        fully_shard(m, mesh=mesh2["dp"])
        materialize(m, seed=SEED)
        out["fsdp2 x tp"] = _report(m)

    if transformers is not None:
        m = llama()
        for layer in m.model.layers:
            fully_shard(layer, mesh=mesh)
        fully_shard(m, mesh=mesh)
        materialize(m, seed=SEED)
        out["llama"] = _report(m)
        out["llama logits"] = m(torch.tensor(IDS)).logits.detach().numpy().copy()
        m = llama()
        fully_shard(m, mesh=mesh)
        out["llama dtype"] = _error(lambda: materialize(m, seed=SEED, dtype="bfloat16"))

    m = on_meta(lambda: nn.Linear(4, 3))
    m.weight = nn.Parameter(DTensor.from_local(torch.empty(3, 4, device="meta"), mesh,
                                               [Partial()]))
    out["partial"] = _error(lambda: materialize(m))
    cuda = DeviceMesh("cuda", list(range(world)), _init_backend=False)
    m = on_meta(lambda: nn.Linear(4, 3))
    m.weight = nn.Parameter(DTensor.from_local(torch.empty(3, 4, device="meta"), cuda,
                                               [Replicate()]))
    out["cuda mesh"] = _error(lambda: materialize(m))
    p = checkpoint.model_from_dict({"parameters": [
        {"name": "w", "shape": [8, 4], "init": "normal"}]}).parameters[0]
    x = torch.distributed.tensor.empty(8, 4, device_mesh=mesh, placements=[Shard(0)])
    out["start with a DTensor"] = _error(lambda: checkpoint.fill_parameter(p, x, start=(0, 0)))
    x = torch.distributed.tensor.empty(8, 5, device_mesh=mesh, placements=[Shard(1)])
    out["other shape"] = _error(lambda: checkpoint.fill_parameter(p, x))
    return out


def _rank(rank, world, init_method, where):
    try:
        torch.set_num_threads(1)  # a forked process; 2 to 4 of them share the machine
        dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world,
                                timeout=datetime.timedelta(seconds=DEADLINE))
        try:
            out = _checks(rank, world)
            local = [None] * world
            dist.all_gather_object(local, {k: v[1] for k, v in out.items()
                                           if isinstance(v, tuple)})
        finally:
            # Every rank reaches here before any tears the group down: gloo aborts a rank
            # whose peer destroys the group while its connections are in use.
            dist.barrier()
            dist.destroy_process_group()
        if rank == 0:
            with open(where, "wb") as f:
                pickle.dump((out, local), f)
    except BaseException:
        with open(f"{where}.rank{rank}", "w") as f:
            f.write(traceback.format_exc())
        raise


@pytest.fixture(scope="module", params=[2, 4], ids=["2 ranks", "4 ranks"])
def group(request, reference, tmp_path_factory):
    """``(world, rank 0's results, each rank's local shards)`` of one group of ranks, forked
    after `reference` has loaded what they use."""
    world = request.param
    where = str(tmp_path_factory.mktemp("ranks") / "results.pkl")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fork = multiprocessing.get_context("fork")
    ranks = [fork.Process(target=_rank, args=(r, world, f"tcp://127.0.0.1:{port}", where))
             for r in range(world)]
    for r in ranks:
        r.start()
    end = time.monotonic() + DEADLINE
    for r in ranks:
        r.join(max(0.0, end - time.monotonic()))
    hung = [r for r in ranks if r.is_alive()]
    for r in hung:
        r.kill()
        r.join()
    errors = []
    for rank in range(world):
        try:
            with open(f"{where}.rank{rank}") as f:
                errors.append(f"rank {rank}:\n{f.read()}")
        except FileNotFoundError:
            pass
    assert not hung and not errors and all(r.exitcode == 0 for r in ranks), (
        f"{len(hung)} of {world} ranks still running after {DEADLINE:.0f} s; exit codes "
        f"{[r.exitcode for r in ranks]}\n" + "\n".join(errors))
    with open(where, "rb") as f:
        out, local = pickle.load(f)
    return world, out, local


@pytest.fixture(scope="module")
def reference():
    """materialize in this process, unsharded: the state, the forward output, one step."""
    m = materialize(on_meta(Net), seed=SEED)
    want = {n: p.detach().numpy().copy() for n, p in m.named_parameters()}
    y = m(torch.tensor(IDS))
    forward = y.detach().numpy().copy()
    y.square().sum().backward()
    torch.optim.SGD(m.parameters(), lr=0.1).step()
    stepped = {n: p.detach().numpy().copy() for n, p in m.named_parameters()}
    as16 = {n: p.detach().view(torch.int16).numpy().copy() for n, p in
            materialize(on_meta(Net), seed=SEED, dtype="bfloat16").named_parameters()}
    out = {"state": want, "forward": forward, "stepped": stepped, "bfloat16": as16}
    if transformers is not None:
        m = materialize(llama(), seed=SEED)
        out["llama"] = {n: p.detach().numpy().copy() for n, p in m.named_parameters()}
        out["llama logits"] = m(torch.tensor(IDS)).logits.detach().numpy().copy()
    return out


def assert_same_bits(got, want):
    assert got.keys() == want.keys()
    for name in want:
        assert (got[name].dtype, got[name].shape) == (want[name].dtype, want[name].shape), name
        assert got[name].tobytes() == want[name].tobytes(), name


def chunk(n, world, rank):
    """Rows of `n` that rank `rank` holds, as torch.chunk cuts them (FSDP2, DTensor Shard)."""
    size = math.ceil(n / world)
    return max(0, min(size, n - rank * size))


def test_fsdp2_gathered_state_equals_one_process(group, reference):
    world, out, local = group
    assert_same_bits(out["fsdp2"][0], reference["state"])
    np.testing.assert_array_equal(out["fsdp2"][0]["emb.weight"][9], 0)  # the padding row


def test_fsdp2_each_rank_holds_only_its_shard(group, reference):
    world, out, local = group
    seen = 0
    for rank in range(world):
        shards = local[rank]["fsdp2"]
        assert shards.keys() == reference["state"].keys()
        for name, (placements, shape, nbytes) in shards.items():
            whole = reference["state"][name].shape
            assert placements == "S(0)", name
            assert shape == (chunk(whole[0], world, rank),) + whole[1:], (name, rank)
            row_bytes = 4 * math.prod(whole[1:])
            # FSDP2 pads every shard to ceil(n / world) rows; nothing holds the whole tensor.
            assert nbytes == math.ceil(whole[0] / world) * row_bytes < whole[0] * row_bytes
            seen += math.prod(shape)
    assert seen == sum(w.size for w in reference["state"].values())


def test_fsdp2_trains(group, reference):
    """FSDP2 computes from what materialize wrote (its forward gathers the shards' storage),
    and its step updates them as one process does (same input on every rank: the averaged
    gradient is the one process's)."""
    world, out, local = group
    np.testing.assert_allclose(out["fsdp2 forward"], reference["forward"], rtol=1e-6, atol=1e-7)
    for name, want in reference["stepped"].items():
        np.testing.assert_allclose(out["fsdp2 after a step"][name], want, rtol=1e-6, atol=1e-7,
                                   err_msg=name)
    assert not np.array_equal(out["fsdp2 after a step"]["up.weight"],
                              reference["state"]["up.weight"])


def test_fsdp2_dtype(group, reference):
    world, out, local = group
    assert_same_bits(out["fsdp2 bfloat16"][0], reference["bfloat16"])  # the bits, as int16


def test_tensor_parallel_gathered_state_equals_one_process(group, reference):
    """Shard(0), Shard(1) (a row of boxes each: Linear row-wise, a convolution, the
    orthogonal matrix drawn whole and cut), Replicate, and plain tensors beside them."""
    world, out, local = group
    assert_same_bits(out["tp"][0], reference["state"])
    assert_same_bits(out["tp in place"][0], reference["state"])


def test_tensor_parallel_each_rank_holds_only_its_shard(group, reference):
    world, out, local = group
    for rank in range(world):
        shards = local[rank]["tp"]
        assert shards.keys() == TP_PLACEMENTS.keys()
        for name, (placements, shape, nbytes) in shards.items():
            assert placements == TP_PLACEMENTS[name], name
            want = list(reference["state"][name].shape)
            if placements != "R":
                dim = int(placements[2])
                want[dim] = chunk(want[dim], world, rank)
            assert shape == tuple(want), (name, rank)
            assert nbytes == 4 * math.prod(shape), (name, rank)


def test_fsdp2_and_tensor_parallel_on_a_2d_mesh(group, reference):
    world, out, local = group
    if world != 4:
        pytest.skip("a 2 x 2 mesh needs 4 ranks")
    assert_same_bits(out["fsdp2 x tp"][0], reference["state"])
    placements = {n: p for n, (p, _, _) in local[3]["fsdp2 x tp"].items()}
    assert placements["down.weight"] == "S(0),S(1)" and placements["ln.weight"] == "S(0)"
    assert placements["up.weight"] == "_StridedShard,S(0)"  # FSDP2's rows of TP's rows
    assert sum(math.prod(local[r]["fsdp2 x tp"]["up.weight"][1]) for r in range(4)) == 60


@pytest.mark.skipif(transformers is None, reason="transformers is not installed")
def test_fsdp2_llama_equals_one_process(group, reference):
    world, out, local = group
    assert_same_bits(out["llama"][0], reference["llama"])
    np.testing.assert_allclose(out["llama logits"], reference["llama logits"], rtol=1e-5,
                               atol=1e-6)
    for rank in range(world):
        shards = local[rank]["llama"]
        embed = shards["model.embed_tokens.weight"][1]
        assert embed == (chunk(37, world, rank), 16)
    assert out["llama dtype"] == (
        "CheckpointError: LlamaForCausalLM: model.embed_tokens.weight is a float32 DTensor, "
        "and its checkpoint dtype is bfloat16: a sharded parameter is not converted; build "
        "the model in bfloat16 before sharding it")


def test_refusals(group):
    world, out, local = group
    assert out["partial"] == (
        "ValueError: module: weight: a Partial placement (P(sum)) holds summands of the "
        "tensor, not a slice of it; initialize a DTensor with Shard or Replicate placements")
    assert out["cuda mesh"] == (
        "ValueError: module: weight is a DTensor on a cuda device mesh; materialize allocates "
        "shards on the CPU: build the mesh with init_device_mesh('cpu', ...)")
    assert out["start with a DTensor"] == (
        "TypeError: start: a DTensor (w) has its own offset in the whole")
    assert out["other shape"] == (
        "ValueError: w: a DTensor of shape (8, 5) for a parameter of shape (8, 4)")
