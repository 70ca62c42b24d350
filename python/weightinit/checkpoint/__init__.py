# SPDX-License-Identifier: BSD-3-Clause
"""Randomly initialized checkpoints: model descriptions and a safetensors writer.

A model description lists parameters (name, shape, dtype, initializer with its arguments);
see :func:`model_from_dict` for the format and ``weightinit/checkpoint/presets/`` for the shipped ones.
Parameter ``name`` is drawn with Philox key = the run's seed and stream id
:func:`weightinit.shard.stream_for` ``(name)``, so it depends on (seed, name, shape, dtype,
initializer) only: not on the order of the parameters, how they are split into files or
chunks, nor the number of threads or processes. :func:`regenerate` makes one parameter alone.

:func:`write` generates every tensor straight into the memory-mapped output file, a chunk of
rows at a time (never the model, nor a whole large tensor, in memory), in the safetensors
format, sharded at a size limit with the standard ``model.safetensors.index.json``. Files
are preallocated before anything is written (a full disk fails at once), written under
temporary names in the output folder, synced, and renamed only once all are complete: an
interrupted or failed run leaves no file under a final name.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import mmap
import os
import re
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from .. import shard
from ..core.dtypes import FLOAT_NAMES, as_dtype
from ..core.fills import check_seed, check_shape

__all__ = ["CheckpointError", "Model", "Parameter", "ShardFile", "layout", "load_model",
           "model_from_dict", "preset_names", "regenerate", "write", "INDEX_NAME"]

#: safetensors' names of the dtypes weightinit writes.
SAFETENSORS_DTYPES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16"}
INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"
_SHARD_NAME = re.compile(r"model-\d{5}-of-\d{5}\.safetensors")

#: Bytes generated per mapped chunk: large enough that the fill's threads and the page
#: faults dominate the per-chunk Python work, small enough to bound the mapped memory.
CHUNK_BYTES = 64 << 20


class CheckpointError(Exception):
    """A model description, output folder or disk problem, with a message for the user."""


# --- model descriptions -------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    """One tensor of a checkpoint: drawn on stream :func:`weightinit.shard.stream_for` (name)."""

    name: str
    shape: tuple
    dtype: np.dtype
    initializer: shard.BoxInitializer

    @property
    def stream(self) -> int:
        return shard.stream_for(self.name)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.numel * self.dtype.itemsize


@dataclass(frozen=True)
class Model:
    """A named list of parameters."""

    name: str
    parameters: tuple

    @property
    def numel(self) -> int:
        return sum(p.numel for p in self.parameters)

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.parameters)

    def __getitem__(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


def _presets():
    return resources.files("weightinit.checkpoint").joinpath("presets")


def preset_names() -> list:
    """Names of the shipped model descriptions (``weightinit/presets/<name>.json``)."""
    return sorted(p.name[:-5] for p in _presets().iterdir() if p.name.endswith(".json"))


def load_model(source, dtype=None) -> Model:
    """A model from a JSON or YAML file, a preset name, or a dict (see :func:`model_from_dict`).

    Parameters
    ----------
    source : str, os.PathLike or dict
        A path (``.yaml`` / ``.yml`` need PyYAML), else the name of a preset.
    dtype : str, optional
        Overrides the description's default dtype (not the dtypes its parameters name).

    Raises
    ------
    CheckpointError
        No such file or preset, a file that does not parse, or a bad description.
    """
    if isinstance(source, dict):
        return model_from_dict(source, dtype)
    path = os.fspath(source)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        where = path
    elif path in preset_names():
        text = _presets().joinpath(path + ".json").read_text(encoding="utf-8")
        where = f"preset {path}"
    else:
        raise CheckpointError(f"{path}: no such file, nor a preset ({', '.join(preset_names())})")
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise CheckpointError(f"{path}: reading YAML needs PyYAML (pip install pyyaml); "
                                  "or write the description as JSON") from None
        try:
            desc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise CheckpointError(f"{path}: not valid YAML: {e}") from None
    else:
        try:
            desc = json.loads(text)
        except json.JSONDecodeError as e:
            raise CheckpointError(f"{where}: not valid JSON: {e}") from None
    return model_from_dict(desc, dtype, where)


def _expand(items, where: str, repeat_ok: bool = True):
    """Parameter entries with ``{"repeat": n, "parameters": [...]}`` groups unrolled."""
    if not isinstance(items, list):
        raise CheckpointError(f"{where}: 'parameters' must be a list")
    for k, item in enumerate(items):
        here = f"{where}[{k}]"
        if not isinstance(item, dict):
            raise CheckpointError(f"{here}: expected an object, got {item!r}")
        if "repeat" not in item:
            yield here, item
            continue
        n = item["repeat"]
        if not repeat_ok:
            raise CheckpointError(f"{here}: repeat groups do not nest")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise CheckpointError(f"{here}: 'repeat' must be a non-negative integer, got {n!r}")
        extra = set(item) - {"repeat", "parameters"}
        if extra:
            raise CheckpointError(f"{here}: unknown keys {sorted(extra)} in a repeat group")
        body = list(_expand(item.get("parameters"), f"{here}.parameters", repeat_ok=False))
        for i in range(n):
            for inner, entry in body:
                yield f"{inner} (i={i})", {**entry, "name": str(entry.get("name")).replace("{i}", str(i))}


def _parameter(entry: dict, default_dtype: str, where: str) -> Parameter:
    extra = set(entry) - {"name", "shape", "dtype", "init"}
    if extra:
        raise CheckpointError(f"{where}: unknown keys {sorted(extra)} (expected name, shape, "
                              "dtype, init)")
    name = entry.get("name")
    if not isinstance(name, str) or not name or name == "__metadata__":
        raise CheckpointError(f"{where}: 'name' must be a non-empty string (not __metadata__), "
                              f"got {name!r}")
    where = f"{where} {name!r}"
    shape = entry.get("shape")
    if not isinstance(shape, list) or any(isinstance(d, bool) or not isinstance(d, int)
                                          for d in shape):
        raise CheckpointError(f"{where}: 'shape' must be a list of integers, got {shape!r}")
    try:
        shape = check_shape(shape)
    except ValueError as e:
        raise CheckpointError(f"{where}: {e}") from None
    dtype_name = entry.get("dtype", default_dtype)
    if dtype_name not in FLOAT_NAMES:
        raise CheckpointError(f"{where}: 'dtype' must be one of {', '.join(FLOAT_NAMES)}, got "
                              f"{dtype_name!r}")
    try:
        dtype = as_dtype(dtype_name)
    except TypeError as e:
        raise CheckpointError(f"{where}: {e}") from None
    spec = entry.get("init")
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise CheckpointError(f"{where}: 'init' must be a name or an object with a 'name' and "
                              f"the initializer's arguments, got {spec!r}")
    args = {k: v for k, v in spec.items() if k != "name"}
    try:
        initializer = shard.resolve((spec["name"], args))
        initializer.check(shape)
    except (TypeError, ValueError, RuntimeError, ZeroDivisionError) as e:
        raise CheckpointError(f"{where}: {e}") from None
    return Parameter(name, shape, dtype, initializer)


def model_from_dict(desc: dict, dtype=None, where: str = "model") -> Model:
    """A :class:`Model` from its description, every parameter checked.

    The description::

        {"name": "gpt2-small",          # optional
         "dtype": "float32",            # default dtype: float16, bfloat16, float32, float64
         "parameters": [
           {"name": "wte.weight", "shape": [50257, 768], "init": {"name": "normal", "std": 0.02}},
           {"repeat": 12, "parameters": [
             {"name": "h.{i}.ln_1.weight", "shape": [768], "init": "ones"}]}]}

    ``init`` is a name of :data:`weightinit.shard.INITIALIZERS` (torch names with torch's
    arguments and fans, TF names with TF1's) or an object with that ``name`` and the
    arguments. In a ``repeat`` group, ``{i}`` in a name becomes 0, 1, ..., n - 1.

    Raises
    ------
    CheckpointError
        Naming the entry: an unknown key, initializer or dtype, a bad shape or argument,
        arguments the initializer refuses for the shape, a duplicated name.
    """
    if not isinstance(desc, dict):
        raise CheckpointError(f"{where}: expected an object with 'parameters', got "
                              f"{type(desc).__name__}")
    extra = set(desc) - {"name", "description", "dtype", "parameters"}
    if extra:
        raise CheckpointError(f"{where}: unknown keys {sorted(extra)} (expected name, "
                              "description, dtype, parameters)")
    default = dtype if dtype is not None else desc.get("dtype", "float32")
    if default not in FLOAT_NAMES:
        raise CheckpointError(f"{where}: dtype must be one of {', '.join(FLOAT_NAMES)}, got "
                              f"{default!r}")
    params, seen = [], set()
    for here, entry in _expand(desc.get("parameters"), f"{where}: parameters"):
        p = _parameter(entry, default, here)
        if p.name in seen:
            raise CheckpointError(f"{here}: duplicate parameter name {p.name!r}")
        seen.add(p.name)
        params.append(p)
    name = desc.get("name", os.path.splitext(os.path.basename(where))[0])
    return Model(str(name), tuple(params))


def regenerate(model: Model, name: str, *, seed: int = 0) -> np.ndarray:
    """Parameter `name` of `model` alone, equal to the one :func:`write` stores for `seed`."""
    p = model[name]
    return shard.new_box(p.initializer, p.shape, p.dtype, seed=seed, stream=p.stream)


# --- the file layout ----------------------------------------------------------------------

@dataclass
class ShardFile:
    """One safetensors file: its parameters, their data offsets, its header bytes."""

    filename: str
    entries: list = field(default_factory=list)  # (Parameter, begin) in file order
    header: bytes = b""

    @property
    def data_bytes(self) -> int:
        return sum(p.nbytes for p, _ in self.entries)

    @property
    def size(self) -> int:
        return len(self.header) + self.data_bytes


def _header(entries, metadata: dict) -> bytes:
    """The 8-byte little-endian length and the JSON header, padded with spaces to a multiple
    of 8 bytes so that the data (and each tensor, see :func:`layout`) is aligned."""
    table = {"__metadata__": metadata}
    for p, begin in entries:
        table[p.name] = {"dtype": SAFETENSORS_DTYPES[p.dtype.name], "shape": list(p.shape),
                         "data_offsets": [begin, begin + p.nbytes]}
    text = json.dumps(table, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text


def layout(model: Model, max_shard_size: int, metadata: dict) -> list:
    """The files of `model`: parameters in order, a new file when the next one would pass
    `max_shard_size` bytes of data (a larger parameter gets a file of its own).

    Inside a file, tensors are sorted by decreasing item size (stable), as the safetensors
    library does, so every tensor starts at a multiple of its item size.
    """
    groups, current, size = [], [], 0
    for p in model.parameters:
        if current and size + p.nbytes > max_shard_size:
            groups.append(current)
            current, size = [], 0
        current.append(p)
        size += p.nbytes
    groups.append(current)
    files = []
    for k, group in enumerate(groups):
        name = SINGLE_NAME if len(groups) == 1 else f"model-{k + 1:05d}-of-{len(groups):05d}.safetensors"
        f = ShardFile(name)
        begin = 0
        for p in sorted(group, key=lambda p: -p.dtype.itemsize):
            f.entries.append((p, begin))
            begin += p.nbytes
        f.header = _header(f.entries, metadata)
        files.append(f)
    return files


def _chunks(p: Parameter, chunk_bytes: int):
    """``(first row, rows)`` pieces of `p` along axis 0, about `chunk_bytes` each."""
    if p.numel == 0:
        return
    if not p.shape or p.initializer.whole_only:
        yield 0, p.shape[0] if p.shape else 1
        return
    row = p.nbytes // p.shape[0]
    step = max(1, chunk_bytes // row)
    for r in range(0, p.shape[0], step):
        yield r, min(step, p.shape[0] - r)


# --- writing ------------------------------------------------------------------------------

def _preallocate(fd: int, size: int, where: str) -> None:
    """Reserve `size` bytes so a full disk fails here, before anything is written (writing
    through a mapping past the disk's end would be a SIGBUS, not an error)."""
    try:
        if hasattr(os, "posix_fallocate"):
            os.posix_fallocate(fd, 0, max(size, 1))
            return
    except OSError as e:
        if e.errno == errno.ENOSPC:
            raise
        if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise
    # No fallocate here: check the free space, then make the file its size.
    if shutil.disk_usage(where).free < size:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), where)
    os.ftruncate(fd, size)


class _Writeback:
    """Hands each filled chunk to the disk at once and drops it from the page cache after.

    ``posix_fadvise(DONTNEED)`` on a just-written range starts its writeback without waiting
    (dirty pages are kept), and on a range written :data:`LAG` chunks earlier, clean by then,
    frees its pages. So the checkpoint never fills the page cache (the kernel would reclaim it
    page by page in the writer's time: on the 2-core test machine this cut system time from
    3.5 s to 1.1 s per 2.9 GB), writes overlap generation, and the final fsync is short.
    A no-op where posix_fadvise does not exist (macOS, Windows).
    """

    LAG = 2

    def __init__(self, fd: int):
        self._fd = fd
        self._written = []
        self._lock = threading.Lock()
        self._advise = getattr(os, "posix_fadvise", None)

    def __call__(self, offset: int, length: int) -> None:
        if self._advise is None:
            return
        with self._lock:
            self._written.append((offset, length))
            self._advise(self._fd, offset, length, os.POSIX_FADV_DONTNEED)
            while len(self._written) > self.LAG:
                self._advise(self._fd, *self._written.pop(0), os.POSIX_FADV_DONTNEED)

    def drop_all(self) -> None:
        """After fsync: every page is clean, free them all."""
        if self._advise is not None:
            self._advise(self._fd, 0, 0, os.POSIX_FADV_DONTNEED)


def _fill_chunk(fd: int, data_start: int, p: Parameter, begin: int, first: int, rows: int,
                seed: int) -> tuple:
    """Map rows ``[first, first + rows)`` of `p` in the file, fill them, unmap; return the
    file offset and length of the rows."""
    row = p.nbytes // p.shape[0] if p.shape else p.nbytes
    offset = data_start + begin + first * row
    length = rows * row
    lead = offset % mmap.ALLOCATIONGRANULARITY  # mmap offsets must be page aligned
    mm = mmap.mmap(fd, lead + length, access=mmap.ACCESS_WRITE, offset=offset - lead)
    try:
        view = np.frombuffer(mm, dtype=p.dtype, count=length // p.dtype.itemsize, offset=lead)
        view = view.reshape((rows,) + p.shape[1:] if p.shape else ())
        start = (first,) + (0,) * (len(p.shape) - 1) if p.shape else ()
        shard.fill_box(view, p.initializer, p.shape, start, seed=seed, stream=p.stream)
        del view
        mm.close()  # unmapped now: the process never holds more than the chunks in flight
    except BaseException:
        # The traceback may still reference the view; the mapping then goes with it.
        with contextlib.suppress(BufferError):
            mm.close()
        raise
    return offset, length


def write(model: Model, out_dir, *, seed: int = 0, max_shard_size: int = 5 * 10**9,
          force: bool = False, progress=None, chunk_bytes: int = CHUNK_BYTES, jobs: int = 1,
          metadata: dict | None = None) -> list:
    """Write `model`, initialized from `seed`, as safetensors files in `out_dir`.

    Parameters
    ----------
    model : Model
    out_dir : str or os.PathLike
        Created if missing. If it exists and is not empty, `force` is needed; then files of
        the same names are replaced and other ``model*.safetensors`` files of an earlier
        checkpoint (and its index) removed; anything else is left alone.
    seed : int
        Philox key of every parameter, in [0, 2**64).
    max_shard_size : int
        Bytes of tensor data per file (a larger tensor gets a file of its own). One file is
        ``model.safetensors``; several are ``model-00001-of-0000N.safetensors`` plus
        ``model.safetensors.index.json``.
    progress : callable, optional
        Called with the number of bytes after each chunk is generated (from the writing
        threads; `jobs` > 1 calls it concurrently).
    chunk_bytes : int
        Bytes mapped and filled at a time.
    jobs : int
        Chunks filled at once. Each fill already uses every thread (weightinit's pool), so
        more jobs only help where one chunk cannot keep the cores busy.
    metadata : dict of str, optional
        Extra ``__metadata__`` entries.

    Returns
    -------
    list of ShardFile
        The files written, in order.

    Raises
    ------
    CheckpointError
        `out_dir` is a file or a non-empty folder without `force`, or the disk is full.
        Any error or interruption removes every file this call created.
    """
    out_dir = os.fspath(out_dir)
    from .. import __version__

    meta = {"format": "pt", "weightinit_version": __version__, "weightinit_stream": "v1",
            "weightinit_seed": str(check_seed(seed)), "weightinit_model": model.name,
            "weightinit_streams": "blake2b(name, digest_size=8) as little-endian integer"}
    meta.update({str(k): str(v) for k, v in (metadata or {}).items()})
    files = layout(model, max_shard_size, meta)
    index = None
    if len(files) > 1:
        index = {"metadata": {"total_size": model.nbytes},
                 "weight_map": {p.name: f.filename for f in files for p, _ in f.entries}}

    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise CheckpointError(f"{out_dir}: exists and is not a folder")
    created = not os.path.exists(out_dir)
    if not created and os.listdir(out_dir) and not force:
        raise CheckpointError(f"{out_dir}: folder exists and is not empty (use --force to write "
                              "into it)")
    os.makedirs(out_dir, exist_ok=True)
    temps = []  # (temporary path, final name), removed unless the run completes
    done = False
    try:
        for f in files:
            fd, path = tempfile.mkstemp(prefix=f".{f.filename}.", suffix=".partial", dir=out_dir)
            temps.append((path, f.filename))
            try:
                _preallocate(fd, f.size, out_dir)
            finally:
                os.close(fd)
        for f, (path, _) in zip(files, temps):
            _write_file(f, path, seed, progress, chunk_bytes, jobs)
        if index is not None:
            fd, path = tempfile.mkstemp(prefix=f".{INDEX_NAME}.", suffix=".partial", dir=out_dir)
            temps.append((path, INDEX_NAME))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(index, indent=2, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        for path, final in temps:
            os.chmod(path, 0o644)  # mkstemp makes 0600 files; a checkpoint is data to share
            os.replace(path, os.path.join(out_dir, final))
        done = True
    except OSError as e:
        if e.errno == errno.ENOSPC:
            need = sum(f.size for f in files)
            raise CheckpointError(
                f"{out_dir}: not enough disk space: the checkpoint needs {need / 1e9:.2f} GB, "
                f"{shutil.disk_usage(out_dir).free / 1e9:.2f} GB are free") from None
        raise
    finally:
        if not done:
            for path, _ in temps:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            if created:
                with contextlib.suppress(OSError):
                    os.rmdir(out_dir)
    written = {f.filename for f in files} | ({INDEX_NAME} if index else set())
    for name in os.listdir(out_dir):
        if name not in written and (name in (SINGLE_NAME, INDEX_NAME) or _SHARD_NAME.fullmatch(name)):
            os.unlink(os.path.join(out_dir, name))
    _fsync_dir(out_dir)
    return files


def _write_file(f: ShardFile, path: str, seed: int, progress, chunk_bytes: int, jobs: int) -> None:
    data_start = len(f.header)
    pieces = [(p, begin, first, rows) for p, begin in f.entries
              for first, rows in _chunks(p, chunk_bytes)]
    fd = os.open(path, os.O_RDWR)
    try:
        os.pwrite(fd, f.header, 0)
        writeback = _Writeback(fd)

        def one(piece):
            offset, length = _fill_chunk(fd, data_start, *piece, seed)
            writeback(offset, length)
            if progress is not None:
                progress(length)

        if jobs <= 1:
            for piece in pieces:
                one(piece)
        else:
            with ThreadPoolExecutor(jobs) as pool:
                for _ in pool.map(one, pieces):
                    pass
        os.fsync(fd)
        writeback.drop_all()
    finally:
        os.close(fd)


def _fsync_dir(path: str) -> None:
    """Make the renames durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

