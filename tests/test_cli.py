# SPDX-License-Identifier: BSD-3-Clause
"""The command line and the checkpoint writer: safetensors files, index, per-name streams, and
clear errors that leave no file behind."""

import errno
import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from optional import require

import weightinit as wi
from weightinit import checkpoint, shard
from weightinit.checkpoint import cli as _cli

TINY = checkpoint.load_model("tiny")


def run(capsys, *args):
    code = _cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def listing(path):
    return sorted(os.listdir(path)) if os.path.exists(path) else None


def read_safetensors(path):
    """Our own reader: {name: (dtype, shape, raw bytes)}, checking the layout rules."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    assert n % 8 == 0, "header padded to 8 bytes"
    header = json.loads(data[8:8 + n])
    assert data[8:8 + n].decode().rstrip(" ").endswith("}")
    body = data[8 + n:]
    end, out = 0, {}
    itemsize = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}
    for name, entry in sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                              key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = entry["data_offsets"]
        assert begin == end, "tensors are contiguous"
        assert begin % itemsize[entry["dtype"]] == 0, "each tensor aligned to its item size"
        assert stop - begin == itemsize[entry["dtype"]] * int(np.prod(entry["shape"]))
        out[name] = (entry["dtype"], tuple(entry["shape"]), body[begin:stop])
        end = stop
    assert end == len(body), "no trailing bytes"
    return header.get("__metadata__"), out


def all_tensors(folder):
    tensors = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".safetensors"):
            meta, found = read_safetensors(os.path.join(folder, name))
            assert meta["weightinit_seed"] and meta["format"] == "pt"
            assert not set(found) & set(tensors)
            tensors.update(found)
    return tensors


def regenerated_bytes(model, name, seed):
    return np.ascontiguousarray(checkpoint.regenerate(model, name, seed=seed)).tobytes()


# --- writing ------------------------------------------------------------------------------

def test_sharded_checkpoint_with_index(tmp_path, capsys):
    out = tmp_path / "ckpt"
    code, stdout, err = run(capsys, "init", "tiny", "-o", out, "--max-shard-size", "2KB",
                            "--seed", 5, "-q")
    assert code == 0, err
    files = listing(out)
    assert "model.safetensors.index.json" in files and "model.safetensors" not in files
    shards = [f for f in files if f.endswith(".safetensors")]
    assert len(shards) > 2 and shards[0] == f"model-00001-of-{len(shards):05d}.safetensors"
    index = json.loads((out / "model.safetensors.index.json").read_text())
    assert set(index["weight_map"]) == {p.name for p in TINY.parameters}
    assert set(index["weight_map"].values()) == set(shards)
    assert index["metadata"]["total_size"] == TINY.nbytes
    tensors = all_tensors(out)
    for p in TINY.parameters:
        dtype, shape, raw = tensors[p.name]
        assert dtype == checkpoint.SAFETENSORS_DTYPES[p.dtype.name] and shape == p.shape
        assert raw == regenerated_bytes(TINY, p.name, 5), p.name
        assert p.name in index["weight_map"]
    assert "total" in stdout and "4,715" in stdout and "peak memory" in stdout
    rate = re.search(r"19\.0 kB written in [0-9.]+ s: ([0-9.]+) (B|kB|MB|GB)/s", stdout)
    assert rate and (float(rate.group(1)) >= 1 or rate.group(2) == "B"), stdout  # no "0.00 GB/s"
    assert not [f for f in files if f.startswith(".")], "no temporary file left"


def test_the_safetensors_package_reads_it(tmp_path, capsys):
    st = require("safetensors.numpy", extra="safetensors")
    from safetensors import safe_open

    out = tmp_path / "ckpt"
    assert run(capsys, "init", "tiny", "-o", out, "--seed", 3, "-q")[0] == 0
    assert listing(out) == ["model.safetensors"]  # one file: no index
    assert set(all_tensors(out)) == {p.name for p in TINY.parameters}  # aligned, contiguous
    loaded = st.load_file(str(out / "model.safetensors"))
    assert set(loaded) == {p.name for p in TINY.parameters}
    for p in TINY.parameters:
        want = checkpoint.regenerate(TINY, p.name, seed=3)
        assert loaded[p.name].dtype == want.dtype and loaded[p.name].shape == want.shape
        assert np.ascontiguousarray(loaded[p.name]).tobytes() == np.ascontiguousarray(want).tobytes()
    with safe_open(str(out / "model.safetensors"), framework="np") as f:
        assert f.metadata()["weightinit_seed"] == "3"
        assert f.metadata()["weightinit_model"] == "tiny"
        assert f.metadata()["weightinit_stream"] == f"v{wi.STREAM_VERSION}"
        assert f.metadata()["weightinit_version"] == wi.__version__
        np.testing.assert_array_equal(f.get_tensor("embed.weight"),
                                      checkpoint.regenerate(TINY, "embed.weight", seed=3))


def test_one_parameter_depends_on_its_name_only(tmp_path):
    """Reordered, split differently, another model around it, chunked, threaded: same bytes."""
    desc = json.loads((checkpoint._presets() / "tiny.json").read_text())
    params = [p for p in checkpoint._expand(desc["parameters"], "x")]
    other = {"name": "other", "parameters": [e for _, e in reversed(params)] +
             [{"name": "extra", "shape": [300, 7], "init": "normal"}]}
    checkpoint.write(TINY, tmp_path / "a", seed=9)
    wi.set_num_threads(1)
    checkpoint.write(checkpoint.model_from_dict(other), tmp_path / "b", seed=9,
                     max_shard_size=1000, chunk_bytes=64, jobs=3)
    a, b = all_tensors(tmp_path / "a"), all_tensors(tmp_path / "b")
    assert set(b) - set(a) == {"extra"}
    for name in a:
        assert a[name] == b[name], name
    c = tmp_path / "c"
    checkpoint.write(TINY, c, seed=10)
    assert all_tensors(c)["embed.weight"] != a["embed.weight"]  # the seed matters


def test_a_box_of_a_parameter_is_its_slice():
    """fill_parameter(start=...): rows, columns (a padding row among them) and the whole-matrix
    laws (orthogonal, sparse: drawn whole, then cut) equal the slice of the whole tensor."""
    model = checkpoint.model_from_dict({"parameters": [
        {"name": "emb", "shape": [9, 5], "init": "normal", "zero_rows": [2, 6]},
        {"name": "q", "shape": [6, 4], "init": "orthogonal"},
        {"name": "s", "shape": [8, 3], "init": {"name": "sparse", "sparsity": 0.5}}]})
    for p in model.parameters:
        whole = checkpoint.regenerate(model, p.name, seed=4)
        for start, stop in [((0, 0), (2, 3)), ((5, 0), p.shape), ((1, 2), (p.shape[0], 3))]:
            box = np.empty([b - a for a, b in zip(start, stop)], p.dtype)
            assert checkpoint.fill_parameter(p, box, seed=4, start=start) is box
            want = whole[start[0]:stop[0], start[1]:stop[1]]
            assert box.tobytes() == want.tobytes(), (p.name, start)
        with pytest.raises(ValueError, match="does not fit in global_shape"):
            checkpoint.fill_parameter(p, np.empty((2, 2), p.dtype), seed=4,
                                      start=(p.shape[0] - 1, 0))


def test_dtype_override_and_yaml(tmp_path, capsys):
    yaml = require("yaml", extra="yaml")
    desc = {"name": "y", "parameters": [
        {"name": "w", "shape": [4, 8], "init": {"name": "xavier_uniform", "gain": 2.0}},
        {"name": "b", "shape": [4], "dtype": "float64", "init": "zeros"}]}
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(desc))
    assert run(capsys, "init", path, "-o", tmp_path / "o", "--dtype", "bfloat16", "-q")[0] == 0
    tensors = all_tensors(tmp_path / "o")
    assert tensors["w"][0] == "BF16" and tensors["b"][0] == "F64"  # explicit dtypes stay
    model = checkpoint.load_model(str(path), dtype="bfloat16")
    assert tensors["w"][2] == regenerated_bytes(model, "w", 0)


def test_yaml_without_pyyaml(tmp_path, capsys, monkeypatch):
    path = tmp_path / "m.yml"
    path.write_text("parameters: []\n")
    monkeypatch.setitem(sys.modules, "yaml", None)
    code, _, err = run(capsys, "init", path, "-o", tmp_path / "o")
    assert code == 1 and "reading YAML needs PyYAML (pip install pyyaml)" in err
    assert listing(tmp_path / "o") is None


def test_bigger_than_a_chunk_and_jobs_give_the_same_bytes(tmp_path):
    model = checkpoint.model_from_dict({"parameters": [
        {"name": "w", "shape": [1000, 300], "dtype": "bfloat16", "init": {"name": "normal", "std": 0.02}},
        {"name": "q", "shape": [40, 30], "init": "orthogonal"},
        {"name": "v", "shape": [5000], "dtype": "float16", "init": "uniform"}]})
    checkpoint.write(model, tmp_path / "a", seed=1, chunk_bytes=10_000, jobs=2)
    checkpoint.write(model, tmp_path / "b", seed=1)
    assert (tmp_path / "a/model.safetensors").read_bytes() == (tmp_path / "b/model.safetensors").read_bytes()
    q = np.frombuffer(all_tensors(tmp_path / "a")["q"][2], np.float32).reshape(40, 30)
    np.testing.assert_allclose(q.T @ q, np.eye(30), atol=1e-5)


def test_presets():
    assert {"tiny", "gpt2-small", "llama-7b"} <= set(checkpoint.preset_names())
    gpt2 = checkpoint.load_model("gpt2-small")
    assert gpt2.numel == 124_439_808 and gpt2["transformer.h.11.mlp.c_fc.weight"].shape == (768, 3072)
    llama = checkpoint.load_model("llama-7b")
    assert llama.numel == 6_738_415_616 and llama.nbytes == 2 * 6_738_415_616
    assert llama["model.layers.31.mlp.down_proj.weight"].shape == (4096, 11008)
    assert {p.dtype.name for p in llama.parameters} == {"bfloat16"}
    files = checkpoint.layout(llama, 5 * 10**9, {})
    assert [f.filename for f in files] == [f"model-0000{k}-of-00003.safetensors" for k in (1, 2, 3)]
    assert all(f.data_bytes <= 5 * 10**9 for f in files)


# --- existing folders and --force ---------------------------------------------------------

def test_existing_folder_needs_force(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "config.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    (out / "model-00001-of-00009.safetensors").write_text("stale")
    (out / "model.safetensors.index.json").write_text("stale")
    code, _, err = run(capsys, "init", "tiny", "-o", out)
    assert code == 1 and "exists and is not empty (use --force" in err
    assert (out / "model.safetensors.index.json").read_text() == "stale"
    code, _, err = run(capsys, "init", "tiny", "-o", out, "--force", "-q")
    assert code == 0, err
    # None of those files is weightinit's and the new checkpoint (one file, no config.json)
    # has none of their names: they stay as they were, beside the new model.safetensors.
    assert listing(out) == ["config.json", "model-00001-of-00009.safetensors",
                            "model.safetensors", "model.safetensors.index.json", "notes.txt"]
    assert [(out / n).read_text() for n in ("config.json", "model-00001-of-00009.safetensors",
                                            "model.safetensors.index.json", "notes.txt")] == [
        "{}", "stale", "stale", "mine"]
    assert read_safetensors(out / "model.safetensors")[1]["scale"][2] == regenerated_bytes(
        TINY, "scale", 0)
    (tmp_path / "empty").mkdir()
    assert run(capsys, "init", "tiny", "-o", tmp_path / "empty", "-q")[0] == 0
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "init", "tiny", "-o", tmp_path / "file")
    assert code == 1 and "exists and is not a folder" in err


# --- bad input ----------------------------------------------------------------------------

BAD = [
    ({"name": "w", "shape": [4, 4], "init": "gaussian"}, "unknown name 'gaussian'; known: constant"),
    ({"name": "w", "shape": [4, -1], "init": "normal"}, "dimensions must be non-negative"),
    ({"name": "w", "shape": [4, 2.5], "init": "normal"}, "'shape' must be a list of integers"),
    ({"name": "w", "shape": "4x4", "init": "normal"}, "'shape' must be a list of integers"),
    ({"name": "w", "shape": [4], "init": {"name": "normal", "sdt": 1}}, "unexpected keyword argument 'sdt'"),
    ({"name": "w", "shape": [4], "init": "kaiming_uniform"}, "fewer than 2 dimensions"),
    ({"name": "w", "shape": [4], "init": {"name": "uniform", "a": 1, "b": 0}}, "from=1 > to=0"),
    ({"name": "w", "shape": [4], "dtype": "int8", "init": "zeros"}, "'dtype' must be one of"),
    ({"name": "", "shape": [4], "init": "zeros"}, "'name' must be a non-empty string"),
    ({"name": "w", "shape": [4], "init": "zeros", "std": 1}, "unknown keys ['std']"),
    ({"name": "w", "shape": [4]}, "'init' must be a name or an object"),
]


@pytest.mark.parametrize("entry, message", BAD, ids=[m[:30] for _, m in BAD])
def test_bad_parameters_are_clear_errors(tmp_path, capsys, entry, message):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"parameters": [{"name": "ok", "shape": [2], "init": "ones"}, entry]}))
    code, _, err = run(capsys, "init", path, "-o", tmp_path / "o")
    assert code == 1 and err.startswith("weightinit: error: ")
    assert message in err and "parameters[1]" in err
    assert listing(tmp_path / "o") is None


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ('{"parameters": {}}', "'parameters' must be a list"),
    ('{"parameters": [], "layers": 3}', "unknown keys ['layers']"),
    ('{"parameters": [{"name": "a", "shape": [1], "init": "ones"}, '
     '{"name": "a", "shape": [1], "init": "ones"}]}', "duplicate parameter name 'a'"),
    ('{"parameters": [{"repeat": 2, "parameters": [{"repeat": 2, "parameters": []}]}]}',
     "repeat groups do not nest"),
    ('{"parameters": [{"repeat": -1, "parameters": []}]}', "'repeat' must be a non-negative"),
])
def test_bad_descriptions(tmp_path, capsys, text, message):
    path = tmp_path / "m.json"
    path.write_text(text)
    code, _, err = run(capsys, "init", path, "-o", tmp_path / "o")
    assert code == 1 and message in err


def test_unknown_model_and_bad_options(tmp_path, capsys):
    code, _, err = run(capsys, "init", "gpt5", "-o", tmp_path / "o")
    assert code == 1 and "gpt5: no such file, nor a preset (gpt2-small, llama-7b, tiny" in err
    for args in (["--max-shard-size", "5 parsecs"], ["--seed", "-1"], ["--threads", "0"]):
        with pytest.raises(SystemExit) as e:
            _cli.main(["init", "tiny", "-o", str(tmp_path / "o"), *args])
        assert e.value.code == 2
    assert _cli.parse_size("5GB") == 5 * 10**9 and _cli.parse_size("2GiB") == 2 << 30
    assert _cli.parse_size("1.5MB") == 1_500_000 and _cli.parse_size("4096") == 4096
    assert listing(tmp_path / "o") is None


def one_line_error(capsys, *args):
    code, out, err = run(capsys, *args)
    assert code == 1 and out == "" and len(err.splitlines()) == 1, (code, out, err)
    return err


def test_unreadable_model_files_are_one_line_errors(tmp_path, capsys):
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"name": "caf\xe9", "parameters": []}'.encode("latin-1"))
    err = one_line_error(capsys, "init", bad, "-o", tmp_path / "o")
    assert f"{bad}: the model description must be UTF-8 text; byte 13 is 0xe9" in err
    folder = tmp_path / "folder.json"
    folder.mkdir()
    err = one_line_error(capsys, "init", folder, "-o", tmp_path / "o")
    assert f"{folder}: cannot read the model description (Is a directory)" in err
    assert listing(tmp_path / "o") is None


def test_yaml_aliases_are_refused(tmp_path, capsys):
    require("yaml", extra="yaml")
    bomb = tmp_path / "bomb.yaml"
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
              f"*{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, *{chr(97 + k)}, "
              f"*{chr(97 + k)}, *{chr(97 + k)}]" for k in range(9)]  # 10^10 strings if expanded
    bomb.write_text("\n".join(lines) + "\nparameters: []\n")
    err = one_line_error(capsys, "init", bomb, "-o", tmp_path / "o")
    assert "line 2: aliases (*name) are not allowed in a model description" in err
    plain = tmp_path / "plain.yaml"
    plain.write_text("parameters:\n  - {name: w, shape: [2, 3], init: ones}\n")
    assert run(capsys, "init", plain, "-o", tmp_path / "p", "-q")[0] == 0


def test_threads_beyond_the_pools_limit(tmp_path, capsys):
    err = one_line_error(capsys, "init", "tiny", "-o", tmp_path / "o", "--threads", 100000)
    assert "--threads 100000: num_threads: n must be in [1, " in err
    assert listing(tmp_path / "o") is None


def test_output_that_is_not_a_folder(tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere" / "x")
    err = one_line_error(capsys, "init", "tiny", "-o", link)
    assert f"{link}: a symbolic link to {tmp_path / 'nowhere' / 'x'}, which is not a folder" in err
    afile = tmp_path / "file"
    afile.write_text("mine")
    err = one_line_error(capsys, "init", "tiny", "-o", afile, "--force")
    assert f"{afile}: exists and is not a folder" in err and afile.read_text() == "mine"


def test_headers_safetensors_cannot_read_are_refused_before_writing(tmp_path, monkeypatch):
    with pytest.raises(checkpoint.CheckpointError,
                       match=r"model.safetensors: its header would take [0-9,]+ bytes \(16 "
                             r"tensors\), more than the 1,000 that safetensors readers accept"):
        monkeypatch.setattr(checkpoint.files, "MAX_HEADER_BYTES", 1000)
        checkpoint.write(TINY, tmp_path / "o")
    assert listing(tmp_path / "o") is None
    checkpoint.write(TINY, tmp_path / "o", max_shard_size=1500)  # files of a few tensors each
    assert len(listing(tmp_path / "o")) > 2


# --- failures leave nothing behind --------------------------------------------------------

def test_failure_mid_run_leaves_no_file(tmp_path, capsys, monkeypatch):
    real_fill_box, calls = shard.fill_box, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 6:
            raise RuntimeError("simulated failure")
        return real_fill_box(*args, **kwargs)

    monkeypatch.setattr(shard, "fill_box", failing)
    with pytest.raises(RuntimeError, match="simulated failure"):
        _cli.main(["init", "tiny", "-o", str(tmp_path / "new"), "--max-shard-size", "2KB", "-q"])
    assert listing(tmp_path / "new") is None  # the folder it made is gone too
    old = tmp_path / "old"
    old.mkdir()
    (old / "model.safetensors").write_text("previous checkpoint")
    calls.clear()
    with pytest.raises(RuntimeError, match="simulated failure"):
        _cli.main(["init", "tiny", "-o", str(old), "--force", "-q"])
    assert listing(old) == ["model.safetensors"]
    assert (old / "model.safetensors").read_text() == "previous checkpoint"


def test_interrupt_leaves_no_file(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(shard, "fill_box", interrupted)
    code, _, err = run(capsys, "init", "tiny", "-o", tmp_path / "o", "-q")
    assert code == 130 and "interrupted" in err
    assert listing(tmp_path / "o") is None


def test_full_disk_is_a_clear_error(tmp_path, capsys, monkeypatch):
    written = []
    real_write_file = checkpoint.writer._write_file
    monkeypatch.setattr(checkpoint.writer, "_write_file", lambda *a: written.append(a) or real_write_file(*a))

    def no_space(fd, offset, length):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "posix_fallocate", no_space, raising=False)
    code, _, err = run(capsys, "init", "gpt2-small", "-o", tmp_path / "o")
    assert code == 1
    assert "not enough disk space: the checkpoint needs 0.50 GB" in err and "GB are free" in err
    assert listing(tmp_path / "o") is None
    assert not written, "nothing is generated before the space is reserved"


def test_without_fallocate_the_free_space_is_checked(tmp_path, capsys, monkeypatch):
    monkeypatch.delattr(os, "posix_fallocate", raising=False)
    assert run(capsys, "init", "tiny", "-o", tmp_path / "a", "-q")[0] == 0
    assert all_tensors(tmp_path / "a")["scale"][2] == regenerated_bytes(TINY, "scale", 0)

    class Usage:
        free = 10

    monkeypatch.setattr(checkpoint.folder.shutil, "disk_usage", lambda path: Usage)
    code, _, err = run(capsys, "init", "tiny", "-o", tmp_path / "b")
    assert code == 1 and "not enough disk space" in err and listing(tmp_path / "b") is None


# --- progress, info, demo, the legacy options, the console entry ---------------------------

class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_lines():
    log = io.StringIO()  # not a terminal: a line per quarter, however many updates
    p = _cli.Progress(1000, stream=log)
    for _ in range(1000):
        p(1)
    p.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("init    1.0 kB / 1.0 kB (100%)")
    tty = Terminal()
    p = _cli.Progress(1000, stream=tty)
    p(1000)
    p.close()
    assert "100%" in tty.getvalue() and "init" in tty.getvalue()
    quiet = Terminal()
    p = _cli.Progress(1000, enabled=False, stream=quiet)
    p(1000)
    p.close()
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("shard", [None, "8kB"])
def test_progress_reaches_the_summarys_total(tmp_path, capsys, shard):
    """Off a terminal: a few lines, the last at 100% of the total the summary prints."""
    args = ["init", "tiny", "-o", tmp_path / "o"] + (["--max-shard-size", shard] if shard else [])
    code, out, err = run(capsys, *args)
    assert code == 0
    lines = err.splitlines()
    assert 1 <= len(lines) <= 4, err
    last = re.fullmatch(r"init +(\S+ \S+) / (\S+ \S+) \(100%\), .*", lines[-1])
    total = re.search(r"^total +16 +4,715 +(\S+ \S+)$", out, re.M)
    assert last and total, (err, out)
    assert last.group(1) == last.group(2) == total.group(1)
    written = sum(f.stat().st_size for f in (tmp_path / "o").glob("*.safetensors"))
    assert total.group(1) == _cli.human(written)


def test_info_and_demo(capsys):
    code, out, _ = run(capsys, "info")
    assert code == 0
    assert f"weightinit {wi.__version__} (stream v{wi.STREAM_VERSION})" in out
    assert f"threads    {wi.get_num_threads()}" in out and "targets    scalar" in out
    assert "presets    gpt2-small, llama-7b, tiny" in out
    code, out, _ = run(capsys, "demo", "--rows", 64, "--cols", 32)
    law = wi._core.laws.variance_scaling([64, 32], "tf", 2.0, "fan_in", "truncated_normal")
    params = ", ".join(f"{v:.6g}" for v in law.params)
    assert code == 0 and (f"demo       he_normal 64x32 float32, seed 0: truncated_normal({params}), "
                          "fan_in 64") in out, out
    code, out, _ = run(capsys, "--rows", 16, "--cols", 16)  # plain `weightinit`: info + demo
    assert code == 0 and "cpu" in out and "16x16" in out
    code, out, _ = run(capsys, "--info")
    assert code == 0 and "demo" not in out
    code, out, err = run(capsys, "--cmake-dir")
    if code == 0:
        assert (_cli.cmake_dir() / "weightinitConfig.cmake").is_file()
    else:
        assert code == 1 and "no CMake package" in err


def test_python_dash_m(tmp_path):
    env = dict(os.environ)
    source = os.path.dirname(os.path.dirname(wi.__file__))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    done = subprocess.run([sys.executable, "-m", "weightinit", "init", "tiny", "-o",
                           str(tmp_path / "o"), "--seed", "1", "--threads", "1"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "model.safetensors" in done.stdout and "1 threads" in done.stdout
    assert all_tensors(tmp_path / "o")["head.weight"][2] == regenerated_bytes(TINY, "head.weight", 1)
