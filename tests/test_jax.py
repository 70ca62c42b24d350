# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.jax: a sharded jax.Array, each shard made alone, equals the unsharded tensor.

JAX runs in a child process (this file run as a script): it gets 4 host devices there
(XLA_FLAGS), and the pytest process, which other tests fork, never starts JAX's threads.
"""

import importlib.util
import math
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

CASES = {  # name -> (initializer, shape, partition spec, dtype, seed, stream)
    "normal-bf16": (("normal", {"std": 0.02}), (8, 6), ("x", "y"), "bfloat16", 1, 2),
    "kaiming-rows": (("kaiming_uniform", {"a": math.sqrt(5)}), (16, 10), ("x", None), "float32", 3, 0),
    "he-conv-f16": ("he_normal", (3, 3, 8, 4), (None, None, "x", "y"), "float16", 4, 2**63 + 1),
    "ones": ("ones", (6, 4), ("y", "x"), "float32", None, 0),
    "replicated": (("normal", {"std": 2.0}), (10,), (), "float32", 5, 6),
}


def _run_cases(result_file):
    """In the child: every case, the TF1 case and the errors, pickled to `result_file`."""
    import jax
    from jax.sharding import NamedSharding, PartitionSpec

    import weightinit.tf1 as tf
    from weightinit import jax as wj

    mesh = jax.make_mesh((2, 2), ("x", "y"))
    results = {"devices": len(jax.devices())}
    for name, (initializer, shape, spec, dtype, seed, stream) in CASES.items():
        sharding = NamedSharding(mesh, PartitionSpec(*spec))
        a = wj.array(initializer, shape, sharding, dtype, seed=seed, stream=stream)
        shards = [(s.index, np.asarray(s.data).astype(np.float64)) for s in a.addressable_shards]
        results[name] = (np.asarray(a).astype(np.float64), a.dtype.name, a.sharding == sharding,
                         shards)
    instance = tf.glorot_uniform_initializer(seed=2)
    a = wj.array(instance, (8, 12), NamedSharding(mesh, PartitionSpec("x", "y")))
    results["tf1"] = (np.asarray(a), instance((8, 12)))
    errors = {}
    for label, call in [
        ("orthogonal-split", lambda: wj.array("orthogonal", (8, 8), NamedSharding(mesh, PartitionSpec("x")), seed=1)),
        ("float64", lambda: wj.array("normal", (4,), NamedSharding(mesh, PartitionSpec()), "float64", seed=1)),
        ("no-seed", lambda: wj.array("normal", (4,), NamedSharding(mesh, PartitionSpec()))),
    ]:
        try:
            call()
            errors[label] = "no error"
        except (TypeError, ValueError) as e:
            errors[label] = f"{type(e).__name__}: {e}"
    results["errors"] = errors
    q = wj.array("orthogonal", (8, 8), NamedSharding(mesh, PartitionSpec()), seed=1)
    results["orthogonal"] = np.asarray(q)
    with open(result_file, "wb") as f:
        pickle.dump(results, f)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if importlib.util.find_spec("jax") is None:
        pytest.skip('jax is not installed (pip install ".[jax]")')
    import weightinit

    result_file = tmp_path_factory.mktemp("jax") / "results.pkl"
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4",
               JAX_PLATFORMS="cpu")
    source = os.path.dirname(os.path.dirname(weightinit.__file__))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    done = subprocess.run([sys.executable, __file__, str(result_file)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(result_file, "rb") as f:
        return pickle.load(f)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sharded_array_equals_the_whole(results, name):
    from weightinit import shard

    initializer, shape, spec, dtype, seed, stream = CASES[name]
    assert results["devices"] == 4
    got, got_dtype, same_sharding, shards = results[name]
    want = shard.new_box(initializer, shape, dtype, seed=seed, stream=stream)
    assert got_dtype == want.dtype.name and same_sharding
    np.testing.assert_array_equal(got, want.astype(np.float64))
    assert len(shards) == 4
    for index, data in shards:  # each shard is its own box of the whole
        np.testing.assert_array_equal(data, want[index].astype(np.float64))
    if spec:
        assert any(data.shape != shape for _, data in shards)  # really split


def test_tf1_initializer(results):
    got, want = results["tf1"]
    np.testing.assert_array_equal(got, want)


def test_errors(results):
    errors = results["errors"]
    assert "orthogonal matrix is a property of the whole" in errors["orthogonal-split"]
    assert "enable jax_enable_x64" in errors["float64"]
    assert errors["no-seed"].startswith("TypeError") and "needs seed=" in errors["no-seed"]
    q = results["orthogonal"]
    np.testing.assert_allclose(q @ q.T, np.eye(8), atol=1e-5)


if __name__ == "__main__":
    _run_cases(sys.argv[1])
