# SPDX-License-Identifier: BSD-3-Clause
"""Checkpoints written on a dask.distributed cluster: each worker writes whole files, the
index comes last, and the files equal a single-process write whatever the number of workers."""

import os

import pytest
from optional import require

distributed = require("distributed", extra="dask")

from weightinit import checkpoint  # noqa: E402
from weightinit.checkpoint import cli as _cli  # noqa: E402
from checkpoint_checks import crash_when_writing  # noqa: E402

TINY = checkpoint.load_model("tiny")
MODEL = checkpoint.model_from_dict({"name": "m", "parameters": [
    {"repeat": 6, "parameters": [
        {"name": "l{i}.w", "shape": [256, 96], "init": {"name": "normal", "std": 0.02}},
        {"name": "l{i}.b", "shape": [96], "init": "zeros"},
        {"name": "l{i}.o", "shape": [32, 32], "dtype": "bfloat16", "init": "orthogonal"}]}]})


def contents(folder):
    return {n: (folder / n).read_bytes() for n in sorted(os.listdir(folder))}


@pytest.fixture(scope="module")
def cluster():
    # Worker processes, as a real cluster has (and as tests/test_dask.py runs): the writers'
    # threads are not threads of this test process, whose other threads (torch's, JAX's) they
    # would otherwise share the interpreter with.
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


@pytest.mark.parametrize("workers", [1, 3])
def test_bit_identical_to_a_single_process(tmp_path, cluster, workers):
    single = tmp_path / "single"
    checkpoint.write(MODEL, single, seed=11, max_shard_size=100_000)
    assert len(os.listdir(single)) > 4
    cluster.scale(workers)
    with distributed.Client(cluster) as client:
        client.wait_for_workers(workers)
        seen = []
        files = checkpoint.write(MODEL, tmp_path / "dask", seed=11, max_shard_size=100_000,
                                 client=client, progress=seen.append)
    assert contents(tmp_path / "dask") == contents(single)
    # Progress adds up to the files' sizes, headers included: what the CLI's summary prints.
    assert sum(seen) == sum(f.size for f in files) == checkpoint.planned_bytes(MODEL, 100_000, 11)
    cluster.scale(3)


def test_cli_dask_scheduler_and_resume(tmp_path, capsys, cluster):
    out = tmp_path / "o"
    code = _cli.main(["init", "tiny", "-o", str(out), "--dask-scheduler",
                      cluster.scheduler_address, "--max-shard-size", "2KB", "--seed", "3"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert "Dask worker(s)" in stdout
    ref = tmp_path / "ref"
    checkpoint.write(TINY, ref, seed=3, max_shard_size=2000)
    assert contents(out) == contents(ref)


def test_resume_on_the_cluster(tmp_path, cluster, monkeypatch):
    crashed = tmp_path / "crashed"
    # killed after its shards were complete: journal, .complete files
    crash_when_writing(".complete", crashed, monkeypatch, TINY, seed=3, max_shard_size=2000)
    done = sorted(n for n in os.listdir(crashed) if n.endswith(".complete"))
    assert len(done) > 3 and checkpoint.JOURNAL_NAME in os.listdir(crashed)
    os.unlink(crashed / done[0])  # never finished
    os.rename(crashed / done[1], crashed / done[1].replace(".complete", ".partial"))
    with distributed.Client(cluster) as client:
        files = checkpoint.write(TINY, crashed, seed=3, max_shard_size=2000, client=client,
                                 resume=True)
    assert sum(f.reused for f in files) == len(done) - 2
    ref = tmp_path / "ref"
    checkpoint.write(TINY, ref, seed=3, max_shard_size=2000)
    assert contents(crashed) == contents(ref)


def test_worker_failure_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("simulated worker failure")

    monkeypatch.setattr(checkpoint.writer, "_write_file", broken)  # workers in this process
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with pytest.raises(RuntimeError, match="simulated worker failure"):
            checkpoint.write(MODEL, tmp_path / "o", max_shard_size=100_000, client=client)
    assert not (tmp_path / "o").exists()


def test_cannot_connect_is_a_clear_error(tmp_path, capsys):
    code = _cli.main(["init", "tiny", "-o", str(tmp_path / "o"), "--dask-scheduler",
                      "nosuch://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 1 and "--dask-scheduler nosuch://127.0.0.1:9: cannot connect" in err
    assert not (tmp_path / "o").exists()


def test_a_cluster_without_workers_is_a_clear_error(tmp_path, monkeypatch):
    """Workers that died (or never came): an error after WORKER_TIMEOUT, not a wait forever."""
    monkeypatch.setattr(checkpoint.writer, "WORKER_TIMEOUT", 2.0)
    monkeypatch.setattr(checkpoint.writer, "POLL_SECONDS", 0.2)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as c, \
            distributed.Client(c) as client:
        with pytest.raises(checkpoint.CheckpointError,
                           match=r"has had no worker for 2 s, with 1 of 1 files still to write"):
            checkpoint.write(TINY, tmp_path / "o", client=client)
    assert not (tmp_path / "o").exists() or os.listdir(tmp_path / "o") == []
