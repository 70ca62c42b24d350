# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.torch.init_sharded_: 2 processes on gloo; the gathered tensor equals
single-process initialization, for DTensors (even, uneven, replicated) and local shards."""

import math
import pickle
import socket

import numpy as np
import pytest
from optional import require

torch = require("torch", extra="torch")
dist = require("torch.distributed", extra="torch")
if not dist.is_available() or not dist.is_gloo_available():
    pytest.skip("torch.distributed with the gloo backend is not available", allow_module_level=True)

import weightinit.tf1 as tf  # noqa: E402
from weightinit import shard  # noqa: E402
from weightinit.torch import init_sharded_  # noqa: E402

WORLD = 2

# name -> (initializer, global shape, torch dtype name, placement, seed, stream)
DTENSOR_CASES = {
    "shard0-uneven-normal-f32": (("normal", {"std": 0.02}), (7, 5), "float32", "shard0", 1, 3),
    "shard1-kaiming-bf16": (("kaiming_uniform", {"a": math.sqrt(5)}), (6, 33), "bfloat16", "shard1", 2, 0),
    "shard0-conv-xavier-f64": (("xavier_normal", {}), (9, 4, 3, 3), "float64", "shard0", 3, 4),
    "replicate-trunc-f16": (("trunc_normal", {"std": 0.1}), (5, 8), "float16", "replicate", 4, 5),
    "shard0-eye": ("eye", (5, 6), "float32", "shard0", None, 0),
}
LOCAL_CASES = {
    "local-rows-tf1-glorot": ("tf1", (11, 4), "float32", 0),
    "local-cols-he-normal": (("he_normal", {}), (4, 10), "bfloat16", 1),
}


def _dtype(name):
    return getattr(torch, name)


def _as_numpy(t):
    """The exact values as float64 (every dtype here converts exactly)."""
    return t.detach().to(torch.float64).cpu().numpy()


def _initializer(spec):
    return tf.glorot_uniform_initializer(seed=8) if spec == "tf1" else spec


def _worker(rank, init_method, result_file):
    from torch.distributed.tensor import DTensor, Partial, Replicate, Shard, init_device_mesh

    dist.init_process_group("gloo", init_method=init_method, rank=rank,
                            world_size=WORLD)
    results = {}
    try:
        mesh = init_device_mesh("cpu", (WORLD,))
        placements = {"shard0": [Shard(0)], "shard1": [Shard(1)], "replicate": [Replicate()]}
        for name, (spec, shape, dtype, placement, seed, stream) in DTENSOR_CASES.items():
            x = torch.distributed.tensor.empty(shape, dtype=_dtype(dtype), device_mesh=mesh,
                                               placements=placements[placement])
            assert init_sharded_(x, spec, seed=seed, stream=stream) is x
            results[name] = (_as_numpy(x.full_tensor()), tuple(x.to_local().shape))
        for name, (spec, shape, dtype, axis) in LOCAL_CASES.items():
            # Uneven row or column blocks, each rank filling its own with its global offset.
            bounds = [0, shape[axis] // 2 + 1, shape[axis]]
            local_shape = list(shape)
            local_shape[axis] = bounds[rank + 1] - bounds[rank]
            local = torch.empty(local_shape, dtype=_dtype(dtype))
            offset = [0, 0]
            offset[axis] = bounds[rank]
            init_sharded_(local, _initializer(spec), global_shape=shape, offset=offset,
                          seed=None if spec == "tf1" else 6, stream=0 if spec == "tf1" else 9)
            pieces = [None] * WORLD  # gloo's all_gather needs equal sizes; these are not
            dist.all_gather_object(pieces, _as_numpy(local))
            results[name] = (np.concatenate(pieces, axis=axis), tuple(local.shape))
        partial = DTensor.from_local(torch.zeros(3, 3), mesh, [Partial()])
        try:
            init_sharded_(partial, "normal", seed=1)
            results["partial"] = "no error"
        except Exception as e:  # noqa: BLE001 - the message is what is checked
            results["partial"] = f"{type(e).__name__}: {e}"
        try:
            init_sharded_(x, "normal", seed=1, global_shape=(5, 6))
            results["dtensor-with-offset"] = "no error"
        except TypeError as e:
            results["dtensor-with-offset"] = str(e)
    finally:
        # Both ranks reach here before either tears the group down: gloo aborts a rank whose
        # peer destroys the group while its connections are still in use.
        dist.barrier()
        dist.destroy_process_group()
    if rank == 0:
        with open(result_file, "wb") as f:
            pickle.dump(results, f)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dist")
    result_file = tmp / "results.pkl"
    # A TCP rendezvous on a free loopback port (a file:// store's memory-mapped file has been
    # seen to kill a rank with SIGBUS inside gloo's start-up).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    torch.multiprocessing.spawn(_worker, args=(f"tcp://127.0.0.1:{port}", str(result_file)),
                                nprocs=WORLD, join=True)
    with open(result_file, "rb") as f:
        return pickle.load(f)


@pytest.mark.parametrize("name", sorted(DTENSOR_CASES))
def test_gathered_dtensor_equals_single_process(results, name):
    spec, shape, dtype, placement, seed, stream = DTENSOR_CASES[name]
    got, local_shape = results[name]
    want = shard.new_box(spec, shape, dtype, seed=seed, stream=stream).astype(np.float64)
    np.testing.assert_array_equal(got, want)
    if placement == "replicate":
        assert local_shape == shape
    else:
        axis = int(placement[-1])
        assert local_shape[axis] == math.ceil(shape[axis] / WORLD)  # rank 0's part: a real shard


@pytest.mark.parametrize("name", sorted(LOCAL_CASES))
def test_gathered_local_shards_equal_single_process(results, name):
    spec, shape, dtype, axis = LOCAL_CASES[name]
    got, _ = results[name]
    if spec == "tf1":
        want = _initializer(spec)(shape, dtype=dtype)
    else:
        want = shard.new_box(spec, shape, dtype, seed=6, stream=9)
    np.testing.assert_array_equal(got, want.astype(np.float64))


def test_refusals(results):
    assert results["partial"].startswith(("RuntimeError", "ValueError"))
    assert "artial" in results["partial"]
    assert "a DTensor has its own" in results["dtensor-with-offset"]


def test_single_process_local_shard_and_staging():
    whole = shard.new_box("normal", (6, 4), "float32", seed=1)
    t = torch.empty(3, 4)
    init_sharded_(t, "normal", global_shape=(6, 4), offset=(3, 0), seed=1)
    np.testing.assert_array_equal(t.numpy(), whole[3:])
    t = torch.empty(6, 4)
    init_sharded_(t, "normal", seed=1)  # the whole tensor by default
    np.testing.assert_array_equal(t.numpy(), whole)
    with pytest.raises(ValueError, match="does not fit"):
        init_sharded_(torch.empty(4, 4), "normal", global_shape=(6, 4), offset=(3, 0), seed=1)
    # A tensor off the CPU is filled through a CPU copy (the meta device stands in for one).
    m = torch.empty(3, 4, device="meta")
    assert init_sharded_(m, "normal", global_shape=(6, 4), offset=(3, 0), seed=1) is m
