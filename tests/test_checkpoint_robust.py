# SPDX-License-Identifier: BSD-3-Clause
"""The checkpoint writer under bad input, full disks, signals and crashes: one-line errors
before any file exists, nothing left behind by SIGINT / SIGTERM, and --resume after kill -9
bit-identical to an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import weightinit as wi
from weightinit import checkpoint
from weightinit.checkpoint import cli as _cli


def run(capsys, *args):
    code = _cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def model_file(tmp_path, parameters, **extra):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"parameters": parameters, **extra}))
    return path


def assert_one_line_error(code, err, message, folder):
    assert code == 1, err
    assert err.startswith("weightinit: error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert not os.path.exists(folder), "nothing is created before the checks pass"


# --- every check before a file exists ---------------------------------------------------------

@pytest.mark.parametrize("entry, message", [
    ({"name": "w", "shape": [8], "dtype": "float16",
      "init": {"name": "trunc_normal", "std": 1, "a": 7e4, "b": 8e4}}, "no float16 value lies in"),
    ({"name": "w", "shape": [8], "dtype": "float16", "init": {"name": "normal", "std": 1e5}},
     "outside the float16 range"),
    ({"name": "w", "shape": [2**60, 4], "init": "zeros"}, "is 2**63 bytes or more"),
    ({"name": "w", "shape": [2**61, 2], "dtype": "float16", "init": "zeros"}, "2**63 bytes or more"),
    ({"name": "w", "shape": [4], "init": {"name": "normal", "std": {"a": [[[[1]]]]}}}, "std"),
    ({"name": "w", "shape": [4, 2], "init": "normal", "zero_rows": [4]}, "'zero_rows' must be"),
    ({"name": "w", "shape": [], "init": "normal", "zero_rows": [0]}, "'zero_rows' must be"),
])
def test_bad_laws_and_sizes(tmp_path, capsys, entry, message):
    path = model_file(tmp_path, [{"name": "ok", "shape": [2], "init": "ones"}, entry])
    code, _, err = run(capsys, "init", path, "-o", tmp_path / "o")
    assert_one_line_error(code, err, message, tmp_path / "o")
    assert "parameters[1]" in err


def test_total_of_2_to_the_63_bytes(tmp_path, capsys):
    path = model_file(tmp_path, [{"name": f"w{k}", "shape": [2**60], "init": "zeros"}
                                 for k in range(2)])
    code, _, err = run(capsys, "init", path, "-o", tmp_path / "o")
    assert_one_line_error(code, err, "add up to 2**63 bytes or more", tmp_path / "o")


def test_deep_nesting_and_huge_repeat(tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text('{"parameters": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, err = run(capsys, "init", deep, "-o", tmp_path / "o")
    assert_one_line_error(code, err, "nested too deeply", tmp_path / "o")
    start = time.perf_counter()
    path = model_file(tmp_path, [{"repeat": 100_000_000, "parameters": [
        {"name": "l{i}.w", "shape": [1], "init": "zeros"}]}])
    code, _, err = run(capsys, "init", path, "-o", tmp_path / "o")
    assert_one_line_error(code, err, "makes more than 1,000,000 parameters", tmp_path / "o")
    assert time.perf_counter() - start < 10  # refused before expanding


def test_empty_model_is_an_error(tmp_path, capsys):
    code, _, err = run(capsys, "init", model_file(tmp_path, []), "-o", tmp_path / "o")
    assert_one_line_error(code, err, "'parameters' is empty", tmp_path / "o")
    path = model_file(tmp_path, [{"repeat": 0, "parameters": [
        {"name": "w{i}", "shape": [1], "init": "zeros"}]}])
    code, _, err = run(capsys, "init", path, "-o", tmp_path / "o")
    assert_one_line_error(code, err, "'parameters' is empty", tmp_path / "o")
    with pytest.raises(checkpoint.CheckpointError, match="no parameters"):
        checkpoint.write(checkpoint.Model("x", ()), tmp_path / "o")


def test_no_model_or_both(tmp_path, capsys):
    code, _, err = run(capsys, "init", "-o", tmp_path / "o")
    assert_one_line_error(code, err, "no model: give a model file, a preset", tmp_path / "o")
    code, _, err = run(capsys, "init", "tiny", "--hf-config", tmp_path, "-o", tmp_path / "o")
    assert_one_line_error(code, err, "give MODEL or --hf-config, not both", tmp_path / "o")


def test_free_space_is_measured_before_preallocating(tmp_path, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "posix_fallocate", lambda *a: calls.append(a), raising=False)

    class Usage:
        free = 100_000_000

    monkeypatch.setattr(checkpoint.folder.shutil, "disk_usage", lambda path: Usage)
    code, _, err = run(capsys, "init", "gpt2-small", "-o", tmp_path / "o")
    assert_one_line_error(code, err, "not enough disk space: the checkpoint needs 0.50 GB, "
                                     "0.10 GB are free", tmp_path / "o")
    assert not calls, "no space is reserved before the measurement"


# --- leftovers, --force, --resume -------------------------------------------------------------

def test_leftovers_only_count_as_empty(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    for name in (".model.safetensors.partial", ".model-00001-of-00002.safetensors.complete",
                 ".model.safetensors.abc123.partial", checkpoint.JOURNAL_NAME):
        (out / name).write_bytes(b"x" * 1000)
    code, _, err = run(capsys, "init", "tiny", "-o", out, "-q")
    assert code == 0, err
    assert sorted(os.listdir(out)) == ["model.safetensors"]
    (out / ".model.safetensors.partial").write_bytes(b"stale")
    (out / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "init", "tiny", "-o", out, "-q")
    assert code == 1 and "not empty (use --force" in err and "--resume" in err
    code, _, err = run(capsys, "init", "tiny", "-o", out, "-q", "--force")
    assert code == 0, err
    assert sorted(os.listdir(out)) == ["model.safetensors", "notes.txt"]  # stale .partial gone


def test_resume_refuses_another_run(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / checkpoint.JOURNAL_NAME).write_text('{"fingerprint": "another", "files": []}')
    code, _, err = run(capsys, "init", "tiny", "-o", out, "--resume")
    assert code == 1 and "wrote another checkpoint" in err
    assert os.listdir(out) == [checkpoint.JOURNAL_NAME]


@pytest.mark.parametrize("text", ["null", "[]", '"fingerprint"', "1", "{", "",
                                  '{"fingerprint": 5, "files": 7}', '{"files": []}', "\xff"])
def test_resume_with_a_damaged_journal_is_an_error(tmp_path, capsys, text):
    """A journal that is not one weightinit writes (not JSON, not an object, fields of other
    types): a one-line error that says so, not a crash nor "another run"."""
    out = tmp_path / "o"
    out.mkdir()
    (out / checkpoint.JOURNAL_NAME).write_bytes(text.encode("latin-1"))
    code, _, err = run(capsys, "init", "tiny", "-o", out, "--resume")
    assert code == 1 and len(err.splitlines()) == 1, err
    assert f"the run journal {checkpoint.JOURNAL_NAME} there is damaged: it " in err
    assert "run without --resume to start over" in err
    assert os.listdir(out) == [checkpoint.JOURNAL_NAME]


def test_resume_without_leftovers_is_a_plain_write(tmp_path, capsys):
    code, out, err = run(capsys, "init", "tiny", "-o", tmp_path / "o", "--resume", "-q")
    assert code == 0, err and "kept" not in out


def test_failure_before_renames_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    """--force writes the new checkpoint completely under temporary names first: a failure
    anywhere before the renames leaves the old files as they were."""
    out = tmp_path / "o"
    checkpoint.write(checkpoint.load_model("tiny"), out, max_shard_size=2000)
    before = {n: (out / n).read_bytes() for n in os.listdir(out)}
    real = checkpoint.folder._write_atomically

    def fails_on_index(path, data):
        if checkpoint.INDEX_NAME in path:
            raise OSError(5, "simulated I/O error")
        return real(path, data)

    monkeypatch.setattr(checkpoint.folder, "_write_atomically", fails_on_index)
    with pytest.raises(OSError, match="simulated"):
        checkpoint.write(checkpoint.load_model("tiny"), out, max_shard_size=3000, force=True,
                         seed=4)
    assert {n: (out / n).read_bytes() for n in os.listdir(out)} == before


# --- real processes: SIGTERM, SIGINT, kill -9 and --resume ------------------------------------

BIG = {"name": "big", "dtype": "float32", "parameters": [
    {"repeat": 8, "parameters": [
        {"name": "w{i}", "shape": [1024, 4096], "init": {"name": "normal", "std": 0.02}}]}]}


# 512 MiB: long enough that a signal sent once the first file exists always lands mid-write.
LONG = {"name": "long", "dtype": "float32", "parameters": [
    {"repeat": 32, "parameters": [
        {"name": "w{i}", "shape": [1024, 4096], "init": {"name": "normal", "std": 0.02}}]}]}


def start(tmp_path, out, *extra, model=BIG):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(model))
    env = dict(os.environ)
    source = os.path.dirname(os.path.dirname(wi.__file__))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    # SIGINT's default disposition in the child: a parent started in the background by a
    # shell without job control passes it on ignored, and Python then installs no handler.
    return subprocess.Popen(
        [sys.executable, "-m", "weightinit", "init", str(path), "-o", str(out),
         "--max-shard-size", "16MiB", "--threads", "1", "--chunk-size", "256KiB", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(out, suffix, proc, timeout=60.0):
    """Poll until a file ending in `suffix` appears in `out`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.isdir(out) and any(n.endswith(suffix) for n in os.listdir(out)):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.002)
    raise AssertionError(f"no {suffix} file after {timeout} s")


@pytest.mark.parametrize("sig, word", [(signal.SIGTERM, "terminated"),
                                       (signal.SIGINT, "interrupted")])
def test_signals_print_one_line_and_clean_up(tmp_path, sig, word):
    out = tmp_path / "o"
    proc = start(tmp_path, out, "-q", model=LONG)
    wait_for(out, ".partial", proc)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, stderr
    assert stderr.strip().count("\n") == 0 and word in stderr, stderr
    assert "Traceback" not in stderr
    assert not out.exists(), os.listdir(out)  # the folder it made is gone


def test_resume_after_kill_9_is_bit_identical(tmp_path):
    out = tmp_path / "o"
    proc = start(tmp_path, out, "-q", "--seed", "7")
    wait_for(out, ".complete", proc)
    proc.kill()  # SIGKILL: no cleanup at all
    proc.communicate(timeout=60)
    left = sorted(os.listdir(out))
    complete = [n for n in left if n.endswith(".complete")]
    assert complete and checkpoint.JOURNAL_NAME in left
    assert len(complete) < 8, "killed before the end"
    kept = {n: os.stat(out / n).st_ino for n in complete}

    proc = start(tmp_path, out, "-q", "--seed", "7", "--resume")
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert f"{len(complete)} file(s) kept from the interrupted run" in stdout
    names = sorted(os.listdir(out))
    assert names == [f"model-0000{k}-of-00008.safetensors" for k in range(1, 9)] + [
        "model.safetensors.index.json"]
    for n, inode in kept.items():  # complete files were kept, not written again
        assert os.stat(out / n[1:-len(".complete")]).st_ino == inode

    ref = tmp_path / "ref"
    checkpoint.write(checkpoint.model_from_dict(BIG), ref, seed=7, max_shard_size=16 << 20)
    for n in names:
        assert (out / n).read_bytes() == (ref / n).read_bytes(), n

