# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.dask: blocks computed independently, on a cluster of 2 worker processes, equal the
unchunked tensor."""

import math
import os

import numpy as np
import pytest
from optional import require

import weightinit
import weightinit.tf1 as tf
from weightinit import init, shard

da = require("dask.array", extra="dask")
distributed = require("distributed", extra="dask")

import weightinit.dask as wd  # noqa: E402  (after the skips: it needs dask)


@pytest.fixture(scope="module")
def client():
    # Worker processes import weightinit from where this process found it.
    source = os.path.dirname(os.path.dirname(weightinit.__file__))
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, env={"PYTHONPATH": path})
    with cluster, distributed.Client(cluster) as c:
        yield c


CASES = [
    (("normal", {"std": 0.02}), (1000, 300), (256, 100), "bfloat16", 1, shard.stream_for("w")),
    ((init.kaiming_uniform_, {"a": math.sqrt(5)}), (64, 40, 3), (20, 40, 2), "float32", 2, 0),
    ("glorot_uniform", (3, 3, 64, 32), (2, 3, 40, 16), "float64", 3, 7),
    ("eye", (50, 70), 16, "float16", None, 0),
    (("trunc_normal", {"std": 0.5, "a": -1.0, "b": 0.25}), (4097,), 1000, "float32", 4, 2**64 - 1),
]


@pytest.mark.parametrize("initializer, shape, chunks, dtype, seed, stream", CASES,
                         ids=["normal-bf16", "kaiming-f32", "glorot-f64", "eye-f16", "trunc-f32"])
def test_blocks_on_a_cluster_equal_the_whole(client, initializer, shape, chunks, dtype, seed, stream):
    x = wd.array(initializer, shape, chunks=chunks, dtype=dtype, seed=seed, stream=stream)
    want = shard.new_box(initializer, shape, dtype, seed=seed, stream=stream)
    assert x.shape == shape and x.dtype == want.dtype and x.npartitions > 1
    got = x.compute()
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.reshape(-1).view(np.uint8), want.reshape(-1).view(np.uint8))


def test_blocks_alone_in_alternate_worker_processes(client):
    """Each block computed by itself, on one worker or the other, is its box of the whole."""
    workers = sorted(client.scheduler_info()["workers"])
    assert len(workers) == 2
    x = wd.array(("kaiming_normal", {"mode": "fan_out"}), (300, 250), chunks=(100, 120), seed=5)
    whole = shard.new_box(("kaiming_normal", {"mode": "fan_out"}), (300, 250), seed=5)
    pids = set()
    for k, (i, j) in enumerate(np.ndindex(x.numblocks)):
        block = x.blocks[i, j]
        got = client.compute(block, workers=[workers[k % 2]], allow_other_workers=False).result()
        r, c = sum(x.chunks[0][:i]), sum(x.chunks[1][:j])
        np.testing.assert_array_equal(got, whole[r:r + got.shape[0], c:c + got.shape[1]])
    pids = client.run(os.getpid)
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()


def test_seeded_tf1_initializer_on_workers(client):
    tf.reset_default_graph()
    instance = tf.glorot_normal_initializer(seed=3)
    x = wd.array(instance, (40, 60), chunks=(15, 25))
    np.testing.assert_array_equal(x.compute(), instance((40, 60)))


def test_a_graph_seed_the_workers_lack_is_an_error(client):
    tf.set_random_seed(11)
    try:
        x = wd.array(tf.RandomNormal(seed=1), (10, 10), chunks=5)
        with pytest.raises(RuntimeError, match="set_random_seed with the same graph seed"):
            x.compute()
    finally:
        tf.reset_default_graph()


def test_names_are_deterministic():
    a = wd.array("normal", (10, 10), chunks=5, seed=1)
    assert a.name == wd.array("normal", (10, 10), chunks=5, seed=1).name
    assert a.name != wd.array("normal", (10, 10), chunks=5, seed=2).name
    assert a.name != wd.array(("normal", {"std": 2.0}), (10, 10), chunks=5, seed=1).name
    assert a.name != wd.array("normal", (10, 10), chunks=5, seed=1, stream=1).name
    assert wd.array("normal", (10, 10), seed=1, name="w").name == "w"


def test_local_scheduler_and_empty_shapes():
    x = wd.array("uniform", (0, 4), chunks=2, seed=1)
    assert x.compute().shape == (0, 4)
    x = wd.array("uniform", (), seed=1)
    assert x.compute() == shard.new_box("uniform", (), seed=1)


def test_errors_come_at_once():
    with pytest.raises(ValueError, match="needs the whole tensor in one block"):
        wd.array("orthogonal", (8, 8), chunks=4, seed=1)
    assert wd.array("orthogonal", (8, 8), chunks=8, seed=1).compute().shape == (8, 8)
    with pytest.raises(TypeError, match="needs seed="):
        wd.array("normal", (8, 8))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        wd.array("xavier_uniform", (8,), seed=1)
    with pytest.raises(ValueError, match="unknown name"):
        wd.array("gaussian", (8,), seed=1)
