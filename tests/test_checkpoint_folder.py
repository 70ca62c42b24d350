# SPDX-License-Identifier: BSD-3-Clause
"""The output folder as one transaction: a lock per folder, a switch to the new checkpoint
that never leaves a loadable mix (kill -9 at every step), --force removing only what
weightinit wrote, leftovers of every kind cleaned, a full disk reported as it is."""

import errno
import fcntl
import io
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

from weightinit import checkpoint
from weightinit.checkpoint import cli as _cli
from checkpoint_checks import crash_when_writing

TINY_GPT2 = checkpoint.load_model("tiny-gpt2")
TINY = checkpoint.load_model("tiny")
SHARDS = 40_000  # tiny-gpt2 in 5 files, tiny in 4 with SMALL
SMALL = 4_000
LOCK = checkpoint.LOCK_NAME


def run(capsys, *args):
    code = _cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, err, *parts):
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for part in parts:
        assert str(part) in err, err


def contents(folder):
    return {n: (folder / n).read_bytes() for n in sorted(os.listdir(folder))}


def reads(folder, config=True):
    """The files transformers' from_pretrained(folder) reads, {name: bytes}, or None where it
    raises: config.json (with `config`), then model.safetensors if it is a file, else
    model.safetensors.index.json and every file its weight_map names."""
    def read(name):
        path = folder / name
        return path.read_bytes() if path.is_file() else None

    got = {}
    if config:
        got["config.json"] = read("config.json")
        if got["config.json"] is None:
            return None
    for entry in ("model.safetensors", "model.safetensors.index.json"):
        got[entry] = read(entry)
        if got[entry] is not None:
            break
    else:
        return None
    if entry.endswith(".json"):
        for name in sorted(set(json.loads(got[entry])["weight_map"].values())):
            got[name] = read(name)
            if got[name] is None:
                return None
    return got


def written(tmp_path, name, model, **kwargs):
    folder = tmp_path / name
    checkpoint.write(model, folder, **kwargs)
    return folder


# --- one run at a time ------------------------------------------------------------------------

def hold_lock(folder, text):
    """Hold `folder`'s lock as a weightinit run does; return the descriptor."""
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, text.encode())
    return fd


def test_a_folder_in_use_is_refused_and_a_stale_lock_taken_over(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    fd = hold_lock(out, f"{os.getpid()}\n")
    try:
        for extra in ([], ["--force"], ["--resume"]):
            code, _, err = run(capsys, "init", "tiny", "-o", out, "-q", *extra)
            one_line_error(code, err, f"{out}: in use by process {os.getpid()}")
        os.ftruncate(fd, 0)  # the holder has not written its id yet
        code, _, err = run(capsys, "init", "tiny", "-o", out, "-q")
        one_line_error(code, err, f"{out}: in use by another process")
        assert os.listdir(out) == [LOCK]  # nothing written, the holder's file left alone
    finally:
        os.close(fd)  # the holder is gone: its file stays, a stale lock
    (out / LOCK).write_text("999999999\n")
    code, _, err = run(capsys, "init", "tiny", "-o", out, "-q")
    assert code == 0, err
    assert os.listdir(out) == ["model.safetensors"]


# --- kill -9 at every step of the switch ------------------------------------------------------

def _stop_at(out, k, preset, kwargs, marker):
    """In a child process: write `preset` into `out`, stopping for good before the k-th
    operation on a checkpoint name (a rename onto it or its removal; the journal's removal
    counts too), after touching `marker`."""
    count = [0]
    real_replace, real_unlink = os.replace, os.unlink

    def step(path, *also):
        name = os.path.basename(path)
        if checkpoint._FINAL_NAME.fullmatch(name) or name in also:
            if count[0] == k:
                pathlib.Path(marker).touch()
                time.sleep(60)  # killed long before; never an orphan for long
                os._exit(3)
            count[0] += 1

    os.replace = lambda src, dst: (step(dst), real_replace(src, dst))[1]
    os.unlink = lambda path: (step(path, checkpoint.JOURNAL_NAME), real_unlink(path))[1]
    code = 1
    try:
        checkpoint.write(checkpoint.load_model(preset), out, force=True, **kwargs)
        code = 0
    finally:
        os._exit(code)


def _serve() -> None:
    """The fork server (its own process, started by :func:`fork_server`): forks each child
    from a process with no other thread, so no child inherits a lock that another thread of
    the test process (a Dask client's event loop) held at that moment. One JSON request a
    line on stdin, one answer a line on stdout: ``["start", out, k, preset, kwargs,
    marker]`` -> pid; ``["poll", pid]`` -> exit code or null; ``["wait", pid]`` -> exit code
    (-signal if killed)."""
    for line in sys.stdin:
        request = json.loads(line)
        if request[0] == "start":
            pid = os.fork()
            if pid == 0:
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the answers' pipe is the server's
                _stop_at(*request[1:])
            answer = pid
        else:
            done, status = os.waitpid(request[1], os.WNOHANG if request[0] == "poll" else 0)
            answer = os.waitstatus_to_exitcode(status) if done else None
        print(json.dumps(answer), flush=True)


@pytest.fixture(scope="module")
def fork_server():
    server = subprocess.Popen(
        [sys.executable, "-c", "import test_checkpoint_folder as t; t._serve()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=os.path.dirname(os.path.abspath(__file__)),
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p)))

    def ask(*request):
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        return json.loads(server.stdout.readline())

    yield ask
    server.stdin.close()
    server.wait(timeout=60)


class Child:
    """A child of the fork server: its pid, and its end as the server sees it."""

    def __init__(self, ask, pid):
        self.ask, self.pid = ask, pid

    def exitcode(self):
        return self.ask("poll", self.pid)


def stopping_child(ask, out, k, preset, **kwargs):
    """A child process writing `preset` into `out` that stops for good before its k-th
    operation on a checkpoint name (see :func:`_stop_at`); return it and the file it touches
    when it stops."""
    marker = out.parent / f"{out.name}.stopped"
    return Child(ask, ask("start", str(out), k, preset, kwargs, str(marker))), marker


def stopped(child, marker, timeout=60.0):
    """Wait until the child stopped (True) or ran to its end (False)."""
    deadline = time.monotonic() + timeout
    while not marker.exists():
        code = child.exitcode()
        if code is not None:
            assert code == 0, code
            return False
        if time.monotonic() > deadline:
            kill_9(child)
            raise AssertionError("the child neither stopped nor ended")
        time.sleep(0.002)
    marker.unlink()
    return True


def kill_9(child):
    os.kill(child.pid, signal.SIGKILL)
    child.ask("wait", child.pid)


def test_a_run_in_another_process_holds_the_folder(tmp_path, capsys, fork_server):
    """A run stopped in the middle of its work holds the folder: another run is refused, the
    folder unchanged; once it is killed, its lock is stale and the next run takes it over."""
    out = tmp_path / "o"
    shutil.copytree(written(tmp_path, "old", TINY_GPT2, seed=1, max_shard_size=SHARDS), out)
    child, marker = stopping_child(fork_server, out, 2, "tiny-gpt2", seed=2,
                                   max_shard_size=SHARDS)
    try:
        assert stopped(child, marker)
        before = contents(out)
        for extra in ([], ["--force"], ["--resume"]):
            code, _, err = run(capsys, "init", "tiny-gpt2", "-o", out, "--seed", "2", "-q",
                               "--max-shard-size", SHARDS, *extra)
            one_line_error(code, err, f"{out}: in use by process {child.pid} (a weightinit run")
        assert contents(out) == before
    finally:
        kill_9(child)
    code, _, err = run(capsys, "init", "tiny-gpt2", "-o", out, "--seed", "2", "-q",
                       "--max-shard-size", SHARDS)
    assert code == 0, err
    assert contents(out) == contents(written(tmp_path, "new", TINY_GPT2, seed=2,
                                             max_shard_size=SHARDS))


SWITCHES = [  # the old checkpoint's (preset, shard size), the new one's; None: one file
    ("tiny-gpt2", SHARDS, "tiny-gpt2", SHARDS), ("tiny-llama", None, "tiny-gpt2", SHARDS),
    ("tiny-gpt2", SHARDS, "tiny-llama", None), ("tiny", SMALL, "tiny", SMALL),
    ("tiny", None, "tiny", SMALL), ("tiny", SMALL, "tiny", None)]


@pytest.mark.parametrize("old_preset, old_size, preset, new_size", SWITCHES)
def test_kill_9_at_every_step_of_force_leaves_old_or_new(tmp_path, capsys, fork_server, old_preset,
                                                          old_size, preset, new_size):
    """--force over a weightinit checkpoint, killed before each rename and removal of its
    switch: shards over shards of the same names, one file to shards and back, with a
    config.json (another model's, or the same) or none: transformers' loader reads the old
    checkpoint, the new one, or nothing, never a mix; the next run, whichever (plain,
    --resume, --force), puts the new one in place."""
    model = checkpoint.load_model(preset)
    config = model.config is not None
    new_kw = {"seed": 2, **({"max_shard_size": new_size} if new_size else {})}
    old = written(tmp_path, "old", checkpoint.load_model(old_preset), seed=1,
                  **({"max_shard_size": old_size} if old_size else {}))
    new = written(tmp_path, "new", model, **new_kw)
    old_reads, new_reads = reads(old, config), reads(new, config)
    assert old_reads is not None and new_reads is not None and old_reads != new_reads
    args = ["init", preset, "--seed", "2", "-q"]
    args += ["--max-shard-size", str(new_size)] if new_size else []
    seen = []
    for k in range(40):
        out = tmp_path / f"k{k}"
        shutil.copytree(old, out)
        child, marker = stopping_child(fork_server, out, k, preset, **new_kw)
        if not stopped(child, marker):
            assert contents(out) == contents(new)  # k past the last step: a whole run
            break
        kill_9(child)
        state = reads(out, config)
        assert state in (old_reads, new_reads, None), f"a mix after kill -9 before step {k}"
        seen.append("old" if state == old_reads else "new" if state == new_reads else "none")
        code, _, err = run(capsys, *args, "-o", out, *[[], ["--resume"], ["--force"]][k % 3])
        assert code == 0, err
        assert contents(out) == contents(new), f"after kill -9 before step {k}"
    # From the old checkpoint to the new one; without a config.json, a sharded checkpoint
    # replaces one file at once (the old model.safetensors is read until it is removed).
    assert seen[0] == "old" and seen[-1] == "new" and len(seen) == k, seen
    assert ("none" in seen) == (config or old_size is not None), seen


# --- --force removes what weightinit wrote, nothing else --------------------------------------

def safetensors_bytes(metadata=None):
    """A small safetensors file another tool could have written."""
    table = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    if metadata is not None:
        table["__metadata__"] = metadata
    header = json.dumps(table).encode()
    header += b" " * (-len(header) % 8)
    return len(header).to_bytes(8, "little") + header + bytes(8)


def test_force_removes_only_what_weightinit_wrote(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    theirs = {"config.json": b'{"model_type": "mine"}', "generation_config.json": b"{}",
              "model-00001-of-00002.safetensors": safetensors_bytes({"format": "pt"}),
              "model.safetensors.index.json":
                  b'{"weight_map": {"w": "model-00001-of-00002.safetensors"}}',
              "notes.txt": b"mine", ".hidden": b"x", ".model.safetensors.bak": b"x",
              # hidden names close to weightinit's temporary ones, but not theirs
              ".config.json.orig.complete": b"x", ".model.safetensors.Backup.partial": b"x"}
    for name, data in theirs.items():
        (out / name).write_bytes(data)
    kept = {n: theirs[n] for n in theirs
            if n not in ("config.json", "generation_config.json", "model.safetensors.index.json")}
    # One file, no config.json: none of theirs is replaced by name.
    code, _, err = run(capsys, "init", "tiny", "-o", out, "--force", "-q")
    assert code == 0, err
    assert contents(out) == {**theirs, **contents(written(tmp_path, "a", TINY))}
    # A config, an index: theirs replaced by name; weightinit's model.safetensors removed.
    code, _, err = run(capsys, "init", "tiny-gpt2", "-o", out, "--force", "-q",
                       "--max-shard-size", SHARDS)
    assert code == 0, err
    sharded = contents(written(tmp_path, "b", TINY_GPT2, max_shard_size=SHARDS))
    assert contents(out) == {**kept, **sharded}
    # weightinit's checkpoint removed, its config.json with it (the digest in the shards'
    # metadata); generation_config.json edited since is the user's.
    (out / "generation_config.json").write_bytes(b'{"edited": true}')
    code, _, err = run(capsys, "init", "tiny", "-o", out, "--force", "-q")
    assert code == 0, err
    assert contents(out) == {**kept, "generation_config.json": b'{"edited": true}',
                             **contents(written(tmp_path, "c", TINY))}


def test_what_would_break_the_checkpoint_is_refused_before_any_change(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "model.safetensors").write_bytes(safetensors_bytes())
    (out / "model-00002-of-00003.safetensors").mkdir()
    before = sorted(os.listdir(out))
    code, _, err = run(capsys, "init", "tiny", "-o", out, "--force", "-q")
    one_line_error(code, err, f"{out / 'model-00002-of-00003.safetensors'}: a folder, named "
                              "like a file weightinit writes; move or rename it (nothing was")
    assert sorted(os.listdir(out)) == before
    assert (out / "model.safetensors").read_bytes() == safetensors_bytes()
    (out / "model-00002-of-00003.safetensors").rmdir()
    # Another tool's model.safetensors would be read instead of a new sharded checkpoint.
    code, _, err = run(capsys, "init", "tiny", "-o", out, "--force", "-q", "--max-shard-size",
                       SMALL)
    one_line_error(code, err, f"{out}: model.safetensors there was not written by weightinit "
                              "and would be loaded instead of the new sharded checkpoint")
    assert os.listdir(out) == ["model.safetensors"]
    assert (out / "model.safetensors").read_bytes() == safetensors_bytes()
    os.unlink(out / "model.safetensors")
    (out / ".model.safetensors.partial").mkdir()
    code, _, err = run(capsys, "init", "tiny", "-o", out, "-q")
    one_line_error(code, err, f"{out / '.model.safetensors.partial'}: a folder, named like")
    assert os.listdir(out) == [".model.safetensors.partial"]


# --- leftovers --------------------------------------------------------------------------------

LEFTOVERS = [".model-00001-of-00005.safetensors.partial", ".model.safetensors.complete",
             ".config.json.complete.tmp", ".generation_config.json.complete",
             ".model.safetensors.index.json.complete.tmp", ".model.safetensors.x1y2_z3k.partial",
             checkpoint.JOURNAL_NAME + ".tmp", checkpoint.JOURNAL_NAME]


@pytest.mark.parametrize("flags", [[], ["--resume"], ["--force"]])
def test_leftovers_of_every_kind_are_cleaned_by_the_next_run(tmp_path, capsys, flags):
    out = tmp_path / "o"
    out.mkdir()
    for name in LEFTOVERS:
        (out / name).write_bytes(b"x" * 100)
    (out / LOCK).write_text("999999999\n")  # a dead run's lock
    if flags == ["--resume"]:  # a journal of this very run: --resume, not a damaged journal
        os.unlink(out / checkpoint.JOURNAL_NAME)
    code, _, err = run(capsys, "init", "tiny-gpt2", "-o", out, "-q", "--max-shard-size",
                       SHARDS, *flags)
    assert code == 0, err
    assert contents(out) == contents(written(tmp_path, "ref", TINY_GPT2, max_shard_size=SHARDS))


def test_a_run_killed_while_writing_a_json_file_is_resumed(tmp_path, capsys, monkeypatch):
    """Killed with .config.json.complete.tmp half written: --resume keeps the shards and
    finishes, and a plain run starts over; neither refuses."""
    for flags in (["--resume"], []):
        out = tmp_path / f"o{len(flags)}"
        crash_when_writing(".config.json.complete", out, monkeypatch, TINY_GPT2,
                           before=lambda path, data: (out / ".config.json.complete.tmp")
                           .write_bytes(data[:10]), max_shard_size=SHARDS)
        assert ".config.json.complete.tmp" in os.listdir(out)
        code, stdout, err = run(capsys, "init", "tiny-gpt2", "-o", out, "--max-shard-size",
                                SHARDS, *flags)
        assert code == 0, err
        assert ("5 file(s) kept from the interrupted run" in stdout) == bool(flags), stdout
        assert contents(out) == contents(written(tmp_path, f"ref{len(flags)}", TINY_GPT2,
                                                 max_shard_size=SHARDS))


# --- success means every file in place; a full disk as it is ----------------------------------

def test_success_needs_every_file_in_place(tmp_path, capsys, monkeypatch):
    real = os.replace

    def loses(src, dst):
        if os.path.basename(dst) == "model-00002-of-00005.safetensors":
            os.unlink(src)  # gone, as when another process removes it
            return None
        return real(src, dst)

    monkeypatch.setattr(os, "replace", loses)
    out = tmp_path / "o"
    code, _, err = run(capsys, "init", "tiny-gpt2", "-o", out, "-q", "--max-shard-size", SHARDS)
    one_line_error(code, err, f"{out}: model-00002-of-00005.safetensors is missing once the "
                              "checkpoint was in place")


def test_a_disk_full_mid_run_reports_what_is_free_then(tmp_path, capsys, monkeypatch):
    free = [10**12]

    class Usage:
        def __init__(self, path):
            self.free = free[0]

    real, calls = os.pwrite, []

    def pwrite(fd, data, offset):
        calls.append(offset)
        if len(calls) == 4:
            free[0] = 12_340_000  # another process filled the disk
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data, offset)

    monkeypatch.setattr(checkpoint.folder.shutil, "disk_usage", Usage)
    monkeypatch.setattr(os, "pwrite", pwrite)
    out = tmp_path / "o"
    code, _, err = run(capsys, "init", "tiny-gpt2", "-o", out, "-q", "--max-shard-size", SHARDS,
                       "--jobs", "1")
    one_line_error(code, err, f"{out}: not enough disk space: the checkpoint needs 0.00 GB, "
                              "0.01 GB are free (measured when writing .model-00002-of-00005."
                              "safetensors.partial failed)")
    assert not out.exists()


def test_out_of_inodes_is_reported_as_such(tmp_path, capsys, monkeypatch):
    inodes = [1000]
    real_statvfs, real_open = os.statvfs, os.open

    def statvfs(path):
        st = real_statvfs(path)
        return os.statvfs_result((st.f_bsize, st.f_frsize, st.f_blocks, st.f_bfree,
                                  st.f_bavail, 1000, inodes[0], inodes[0], st.f_flag,
                                  st.f_namemax))

    def open_(path, flags, mode=0o777, **kwargs):
        if str(path).endswith("00003-of-00005.safetensors.partial"):
            inodes[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "statvfs", statvfs)
    monkeypatch.setattr(os, "open", open_)
    out = tmp_path / "o"
    args = ["init", "tiny-gpt2", "-o", out, "-q", "--max-shard-size", SHARDS]
    code, _, err = run(capsys, *args)
    one_line_error(code, err, f"{out}: out of inodes: writing .model-00003-of-00005.safetensors"
                              ".partial failed, 0 of 1,000 inodes are free (")
    assert not out.exists()
    inodes[0] = 9  # too few from the start: refused before any file is made
    code, _, err = run(capsys, *args)
    one_line_error(code, err, f"{out}: out of inodes: the checkpoint creates 10 files, 9 of "
                              "1,000 inodes are free")
    assert not out.exists()


def test_a_json_file_the_disk_cannot_hold_leaves_nothing(tmp_path, capsys, monkeypatch):
    class Full(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def open_(path, mode="r", *args, **kwargs):
        if str(path).endswith(".config.json.complete.tmp"):
            open(path, "wb").close()  # created, then the disk is full
            return Full()
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(checkpoint.folder, "open", open_, raising=False)
    out = tmp_path / "o"
    code, _, err = run(capsys, "init", "tiny-gpt2", "-o", out, "-q")
    one_line_error(code, err, "are free (measured when writing .config.json.complete.tmp failed)")
    assert not out.exists()
