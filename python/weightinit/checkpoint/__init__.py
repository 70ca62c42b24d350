# SPDX-License-Identifier: BSD-3-Clause
"""Randomly initialized checkpoints: model descriptions and a safetensors writer.

A model description lists parameters (name, shape, dtype, initializer with its arguments)
and, optionally, the Hugging Face ``config.json`` (and ``generation_config.json``) to write
next to them; see :func:`model_from_dict` for the format, ``weightinit/checkpoint/presets/``
for the shipped ones and :mod:`weightinit.checkpoint.hf` for descriptions derived from any
transformers architecture. Parameter ``name`` is drawn with Philox key = the run's seed and
stream id :func:`weightinit.shard.stream_for` ``(name)``, so it depends on (seed, name,
shape, dtype, initializer) only: not on the order of the parameters, how they are split
into files or chunks, nor the number of threads, processes or machines.
:func:`regenerate` makes one parameter alone.

:func:`write` generates every tensor a chunk of rows at a time into a reusable buffer and
writes it to its place in the output file (never the model, nor a whole large tensor, in
memory: one chunk per job), in the safetensors format, sharded at a size limit with the
standard ``model.safetensors.index.json``. Every argument and the free disk space are
checked before any file is created. A run holds the output folder's lock (:data:`LOCK_NAME`)
throughout. Files are written under temporary names in the output folder (``.NAME.partial``
while written, ``.NAME.complete`` once synced) and put in place only once all are complete,
in steps ordered so that the folder loads as its old checkpoint, or the new one, or not at
all, whenever the run stops (the next run finishes them): a run stopped before then leaves
no file under a final name, and an old checkpoint in the folder is untouched until the new
one is complete. After a crash (``kill -9``, power loss) :func:`write` with ``resume=True``
keeps the complete files and writes the others again, bit-identical to an uninterrupted
run. With a ``dask.distributed`` client, the workers write whole files (the folder must be
on a filesystem every worker and the caller share).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import shutil
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import shard
from ..core.dtypes import FLOAT_NAMES, as_dtype
from ..core.fills import check_seed, check_shape, is_dtensor
from ..core.streams import STREAM_TAG

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

    from distributed import Client

__all__ = ["CheckpointError", "Model", "Parameter", "ShardFile", "file_metadata", "layout",
           "fill_parameter", "load_model", "model_from_dict", "planned_bytes", "preset_names",
           "regenerate", "write", "INDEX_NAME", "CONFIG_NAME", "GENERATION_CONFIG_NAME",
           "MAX_HEADER_BYTES"]

#: The largest header safetensors readers accept (the format's MAX_HEADER_SIZE).
MAX_HEADER_BYTES = 100_000_000
#: safetensors' names of the dtypes weightinit writes.
SAFETENSORS_DTYPES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16"}
INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
GENERATION_CONFIG_NAME = "generation_config.json"
#: The names of a checkpoint's weights: one file, shards, the index.
_WEIGHTS_NAME = r"model(-\d{5}-of-\d{5})?\.safetensors|model\.safetensors\.index\.json"
#: What a checkpoint writes under final names.
_FINAL_NAME = re.compile(_WEIGHTS_NAME + r"|(generation_)?config\.json")
#: This tool's temporary files: ``.NAME.partial`` while written, ``.NAME.complete`` once synced
#: (``.NAME.complete.tmp`` while a JSON file is synced), and older versions'
#: ``.NAME.xxxxxxxx.partial`` (``tempfile.mkstemp`` names).
_LEFTOVER = re.compile(r"\.(" + _FINAL_NAME.pattern + r")\.(partial|complete|complete\.tmp)|"
                       r"\.(" + _WEIGHTS_NAME + r")\.[a-z0-9_]+\.partial")
#: The journal of an unfinished run: what it writes, for ``resume``, and once every file is
#: complete, the steps of the switch to the new checkpoint, which the next run finishes.
JOURNAL_NAME = ".weightinit-checkpoint.json"
#: The lock of a folder being written (``flock``), holding the writing process's id.
LOCK_NAME = ".weightinit-checkpoint.lock"
#: ``__metadata__`` key prefix of the SHA-256 of each JSON file written with the tensors.
_SHA256_KEY = "weightinit_sha256_"
#: Errors that mean a full disk: no space, no inode, or the quota reached.
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

#: The most parameters a description may expand to (``repeat`` groups included).
MAX_PARAMETERS = 1_000_000
#: The largest tensor, file or checkpoint in bytes (safetensors' offsets are 64-bit).
MAX_BYTES = 2**63 - 1

#: Bytes generated per chunk: large enough that the fill's threads and the writes dominate
#: the per-chunk Python work, small enough to bound the memory (one chunk buffer per job).
CHUNK_BYTES = 32 << 20
#: Chunks in flight: while one is written to the file (a copy into the page cache, one
#: core), the next is filled (llama-7b on the 2-core test machine: 8.9 s with 2 jobs of
#: 32 MiB against 10.7 to 11.2 s with 1 job of 64 MiB, the same peak memory).
JOBS = 2
#: Seconds a Dask cluster may have no worker at all before a write on it stops with an error
#: (workers that died, or never came), and how often the write looks.
WORKER_TIMEOUT = 60.0
POLL_SECONDS = 1.0


class CheckpointError(Exception):
    """A model description, output folder or disk problem, with a message for the user."""


# --- model descriptions -------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    """One tensor of a checkpoint: drawn on stream :func:`weightinit.shard.stream_for` (name),
    then rows `zero_rows` (of axis 0) set to zero (an embedding's padding row)."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    initializer: shard.BoxInitializer
    zero_rows: tuple[int, ...] = ()

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
    """A named list of parameters, with the Hugging Face configuration files to write (or None).
    """

    name: str
    parameters: tuple[Parameter, ...]
    config: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    generation_config: dict[str, Any] | None = field(default=None, compare=False, hash=False)

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


def _presets() -> Traversable:
    return resources.files("weightinit.checkpoint").joinpath("presets")


def preset_names() -> list[str]:
    """Names of the shipped model descriptions (``weightinit/presets/<name>.json``)."""
    return sorted(p.name[:-5] for p in _presets().iterdir() if p.name.endswith(".json"))


def load_model(source: str | os.PathLike[str] | dict[str, Any], dtype: str | None = None) -> Model:
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
        text = _read_text(path, "the model description")
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
            desc = yaml.load(text, Loader=_NoAliasLoader(yaml))
        except yaml.YAMLError as e:
            raise CheckpointError(f"{path}: not valid YAML: {e}") from None
        except RecursionError:
            raise CheckpointError(f"{path}: nested too deeply to be a model description") from None
    else:
        desc = load_json(text, where, "a model description")
    return model_from_dict(desc, dtype, where)


def _read_text(path: str, what: str) -> str:
    """The UTF-8 text of the file at `path`; a CheckpointError naming it and `what` it should
    hold when it cannot be read or is not UTF-8."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read {what} ({e.strerror or e})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckpointError(f"{path}: {what} must be UTF-8 text; byte {e.start} is "
                              f"0x{data[e.start]:02x}") from None


def _NoAliasLoader(yaml: Any) -> Any:
    """PyYAML's safe loader, refusing aliases (``*name``): a model description has repeat
    groups for repetition, and aliases nested in each other grow a small file into an
    exponentially large document."""
    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"line {mark.line + 1}: aliases (*name) are not allowed "
                                     "in a model description; use a repeat group")
            return super().compose_node(parent, index)
    return Loader


def load_json(text: str, where: str, what: str) -> Any:
    """`text` parsed as JSON; a CheckpointError naming `where` (and `what` it should be)
    for text that does not parse or nests too deeply."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{where}: not valid JSON: {e}") from None
    except RecursionError:
        raise CheckpointError(f"{where}: nested too deeply to be {what}") from None


def _expand(items: object, where: str,
            repeat_ok: bool = True) -> Iterator[tuple[str, dict[str, Any]]]:
    """Parameter entries with ``{"repeat": n, "parameters": [...]}`` groups unrolled.

    The expanded count is checked against :data:`MAX_PARAMETERS` before a group is unrolled,
    so a small file cannot ask for an unbounded list.
    """
    if not isinstance(items, list):
        raise CheckpointError(f"{where}: 'parameters' must be a list")
    count = 0
    for k, item in enumerate(items):
        here = f"{where}[{k}]"
        if not isinstance(item, dict):
            raise CheckpointError(f"{here}: expected an object, got {_short(item)}")
        if "repeat" not in item:
            count += 1
            if count > MAX_PARAMETERS:
                raise CheckpointError(f"{here}: more than {MAX_PARAMETERS:,} parameters")
            yield here, item
            continue
        n = item["repeat"]
        if not repeat_ok:
            raise CheckpointError(f"{here}: repeat groups do not nest")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise CheckpointError(f"{here}: 'repeat' must be a non-negative integer, got {_short(n)}")
        extra = set(item) - {"repeat", "parameters"}
        if extra:
            raise CheckpointError(f"{here}: unknown keys {sorted(extra)} in a repeat group")
        body = list(_expand(item.get("parameters"), f"{here}.parameters", repeat_ok=False))
        count += n * len(body)
        if count > MAX_PARAMETERS:
            raise CheckpointError(f"{here}: repeat {n} x {len(body)} parameters makes more than "
                                  f"{MAX_PARAMETERS:,} parameters")
        for i in range(n):
            for inner, entry in body:
                yield f"{inner} (i={i})", {**entry, "name": str(entry.get("name")).replace("{i}", str(i))}


def _short(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to `limit` characters (a message stays one line)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<{type(value).__name__} nested too deeply>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _parameter(entry: dict[str, Any], default_dtype: str, where: str) -> Parameter:
    extra = set(entry) - {"name", "shape", "dtype", "init", "zero_rows"}
    if extra:
        raise CheckpointError(f"{where}: unknown keys {sorted(extra)} (expected name, shape, "
                              "dtype, init, zero_rows)")
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
    if math.prod(shape) * dtype.itemsize > MAX_BYTES:
        raise CheckpointError(f"{where}: shape {list(shape)} of {dtype.name} is 2**63 bytes or "
                              "more")
    try:
        initializer = shard.resolve((spec["name"], args))
        initializer.check(shape, dtype)
    except (TypeError, ValueError, RuntimeError, ZeroDivisionError, OverflowError) as e:
        raise CheckpointError(f"{where}: {e}") from None
    except RecursionError:
        raise CheckpointError(f"{where}: 'init' is nested too deeply") from None
    zero_rows = entry.get("zero_rows", [])
    if (not isinstance(zero_rows, list) or (zero_rows and not shape)
            or any(isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < shape[0]
                   for r in zero_rows)):
        raise CheckpointError(f"{where}: 'zero_rows' must be a list of row indices in [0, "
                              f"{shape[0] if shape else 0}), got {_short(zero_rows)}")
    return Parameter(name, shape, dtype, initializer, tuple(sorted(set(zero_rows))))


def model_from_dict(desc: dict[str, Any], dtype: str | None = None,
                    where: str = "model") -> Model:
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
    arguments. ``zero_rows`` (optional) lists rows of axis 0 set to zero after the draw, as
    ``nn.Embedding`` does to its ``padding_idx`` row. In a ``repeat`` group, ``{i}`` in a name becomes 0, 1, ..., n - 1. Optional
    ``"config"`` and ``"generation_config"`` objects are written as ``config.json`` and
    ``generation_config.json`` (what ``transformers``' ``from_pretrained`` reads).

    Raises
    ------
    CheckpointError
        Naming the entry: an unknown key, initializer or dtype, a bad shape or argument,
        arguments the initializer refuses for the shape (the law table's checks included),
        a duplicated name, no parameters, more than :data:`MAX_PARAMETERS`, 2**63 bytes or
        more.
    """
    if not isinstance(desc, dict):
        raise CheckpointError(f"{where}: expected an object with 'parameters', got "
                              f"{type(desc).__name__}")
    extra = set(desc) - {"name", "description", "dtype", "parameters", "config",
                         "generation_config"}
    if extra:
        raise CheckpointError(f"{where}: unknown keys {sorted(extra)} (expected name, "
                              "description, dtype, parameters, config, generation_config)")
    configs: dict[str, dict[str, Any] | None] = {}
    for key in ("config", "generation_config"):
        value = desc.get(key)
        if value is not None and not isinstance(value, dict):
            raise CheckpointError(f"{where}: '{key}' must be an object (the {key}.json to write), "
                                  f"got {_short(value)}")
        configs[key] = value
    default = dtype if dtype is not None else desc.get("dtype", "float32")
    if default not in FLOAT_NAMES:
        raise CheckpointError(f"{where}: dtype must be one of {', '.join(FLOAT_NAMES)}, got "
                              f"{default!r}")
    params: list[Parameter] = []
    seen: set[str] = set()
    for here, entry in _expand(desc.get("parameters"), f"{where}: parameters"):
        p = _parameter(entry, default, here)
        if p.name in seen:
            raise CheckpointError(f"{here}: duplicate parameter name {p.name!r}")
        seen.add(p.name)
        params.append(p)
    if not params:
        raise CheckpointError(f"{where}: 'parameters' is empty: a checkpoint needs at least one "
                              "parameter")
    total = sum(p.nbytes for p in params)
    if total > MAX_BYTES:
        raise CheckpointError(f"{where}: the parameters add up to 2**63 bytes or more "
                              f"({total:,})")
    name = desc.get("name", os.path.splitext(os.path.basename(where))[0])
    config = configs["config"]
    if config is not None and dtype is not None:
        # The dtype the checkpoint holds is the one transformers loads with dtype="auto".
        config = {**config, "dtype": dtype}
        config.pop("torch_dtype", None)
    return Model(str(name), tuple(params), config, configs["generation_config"])


def regenerate(model: Model, name: str, *, seed: int = 0) -> np.ndarray:
    """Parameter `name` of `model` alone, equal to the one :func:`write` stores for `seed`."""
    p = model[name]
    out: np.ndarray = fill_parameter(p, np.empty(p.shape, p.dtype), seed=seed)
    return out


def fill_parameter(p: Parameter, out: Any, *, seed: int = 0,
                   start: Sequence[int] | None = None) -> Any:
    """Fill `out` with parameter `p` as :func:`write` stores it for `seed`, or with the box of
    it at `start`; return `out`.

    Parameters
    ----------
    p : Parameter
        Its name's stream, its law and its zero rows.
    out : numpy.ndarray, torch.Tensor or torch.distributed.tensor.DTensor
        A NumPy array or CPU torch tensor: the box of ``out.shape`` at `start` (default `p`
        whole). A DTensor of `p`'s shape (Shard and Replicate placements, any mesh): this
        rank's local shard, the box at its own offset in the whole
        (:func:`weightinit.shard.torch.local_box`), with no communication.
    seed : int
        The Philox key in [0, 2**64).
    start : sequence of int, optional
        The index of ``out[0, ..., 0]`` in `p`; not with a DTensor.

    Notes
    -----
    Each element depends only on its index in `p`, so a box equals the same slice of the
    whole, bit for bit. The two laws of the whole tensor (``orthogonal``: one QR of the whole
    matrix; ``sparse``: zeros chosen among whole columns) fill a box by drawing the whole into
    scratch memory and copying the box out: the whole tensor's memory and time for each box
    (each rank of a DTensor).

    Raises
    ------
    ValueError
        A box outside `p`; a DTensor of another shape than `p`'s or with a Partial placement
        (naming `p`).
    TypeError
        `start` with a DTensor.
    """
    if is_dtensor(out):
        from ..shard.torch import local_box

        if start is not None:
            raise TypeError(f"start: a DTensor ({p.name}) has its own offset in the whole")
        local, global_shape, start = local_box(out, p.name)
        if global_shape != p.shape:
            raise ValueError(f"{p.name}: a DTensor of shape {global_shape} for a parameter of "
                             f"shape {p.shape}")
        fill_parameter(p, local, seed=seed, start=start)
        return out
    start = (0,) * len(p.shape) if start is None else tuple(start)
    if p.initializer.whole_only and tuple(out.shape) != p.shape:
        box = shard._box(out.shape, p.shape, start)
        whole = (np.empty(p.shape, out.dtype) if isinstance(out, np.ndarray)
                 else out.new_empty(p.shape))
        fill_parameter(p, whole, seed=seed)
        out[...] = whole[tuple(slice(s, s + n) for s, n in zip(box, out.shape))]
        return out
    shard.fill_box(out, p.initializer, p.shape, start, seed=seed, stream=p.stream)
    first = start[0] if start else 0
    for r in p.zero_rows:
        if first <= r < first + out.shape[0]:
            out[r - first] = 0
    return out


def fill_parameters(pairs: Sequence[tuple[Parameter, Any]], *, seed: int = 0,
                    progress: bool = False) -> None:
    """:func:`fill_parameter` of each ``(parameter, out)`` pair, in order; with `progress`,
    the bytes filled (of this rank's shards, for DTensors) shown on stderr as the command
    line shows a checkpoint's (a tqdm bar on a terminal when tqdm is installed)."""
    from .cli import Progress

    sizes = []
    for _, out in pairs:
        local = out.to_local() if is_dtensor(out) else out
        sizes.append(int(np.prod(local.shape)) * _itemsize(local))
    bar = Progress(sum(sizes)) if progress else None
    try:
        for (p, out), n in zip(pairs, sizes):
            fill_parameter(p, out, seed=seed)
            if bar is not None:
                bar(n)
    finally:
        if bar is not None:
            bar.close()


def _itemsize(out: Any) -> int:
    size = getattr(out, "itemsize", None)  # NumPy arrays; torch tensors since 2.1
    return int(size) if size is not None else int(out.element_size())


# --- the file layout ----------------------------------------------------------------------

@dataclass
class ShardFile:
    """One safetensors file: its parameters, their data offsets, its header bytes."""

    filename: str
    entries: list[tuple[Parameter, int]] = field(default_factory=list)  # (Parameter, begin) in file order
    header: bytes = b""
    reused: bool = False  # kept from an interrupted run (write(resume=True))

    @property
    def data_bytes(self) -> int:
        return sum(p.nbytes for p, _ in self.entries)

    @property
    def size(self) -> int:
        return len(self.header) + self.data_bytes


def _header(entries: Iterable[tuple[Parameter, int]], metadata: Mapping[str, str]) -> bytes:
    """The 8-byte little-endian length and the JSON header, padded with spaces to a multiple
    of 8 bytes so that the data (and each tensor, see :func:`layout`) is aligned."""
    table: dict[str, object] = {"__metadata__": metadata}
    for p, begin in entries:
        table[p.name] = {"dtype": SAFETENSORS_DTYPES[p.dtype.name], "shape": list(p.shape),
                         "data_offsets": [begin, begin + p.nbytes]}
    text = json.dumps(table, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text


def file_metadata(model: Model, seed: int,
                  extra: Mapping[str, object] | None = None) -> dict[str, str]:
    """The ``__metadata__`` of every file of `model` written with `seed`: the format, the
    package and stream versions, the seed, the model's name, how stream ids are made, the
    SHA-256 of each JSON file written beside the tensors (``weightinit_sha256_config.json``:
    how a later ``force`` recognises the ``config.json`` it may remove); then `extra`."""
    from .. import __version__

    meta = {"format": "pt", "weightinit_version": __version__,
            "weightinit_stream": STREAM_TAG, "weightinit_seed": str(check_seed(seed)),
            "weightinit_model": model.name,
            "weightinit_streams": "blake2b(name, digest_size=8) as little-endian integer"}
    for name, data in _json_files(model).items():
        meta[_SHA256_KEY + name] = hashlib.sha256(data).hexdigest()
    meta.update({str(k): str(v) for k, v in (extra or {}).items()})
    return meta


def _json_files(model: Model) -> dict[str, bytes]:
    """The configuration files written beside the tensors: final name -> bytes."""
    out: dict[str, bytes] = {}
    if model.config is not None:
        out[CONFIG_NAME] = _json_bytes(model.config)
    if model.generation_config is not None:
        out[GENERATION_CONFIG_NAME] = _json_bytes(model.generation_config)
    return out


def planned_bytes(model: Model, max_shard_size: int, seed: int,
                  extra: Mapping[str, object] | None = None) -> int:
    """The bytes :func:`write` writes for `model`: its files' sizes, headers included (the
    total that ``progress`` reaches)."""
    return sum(f.size for f in layout(model, max_shard_size, file_metadata(model, seed, extra)))


def layout(model: Model, max_shard_size: int, metadata: Mapping[str, str]) -> list[ShardFile]:
    """The files of `model`: parameters in order, a new file when the next one would pass
    `max_shard_size` bytes of data (a larger parameter gets a file of its own).

    Inside a file, tensors are sorted by decreasing item size (stable), as the safetensors
    library does, so every tensor starts at a multiple of its item size.
    """
    groups: list[list[Parameter]] = []
    current: list[Parameter] = []
    size = 0
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
        if len(f.header) - 8 > MAX_HEADER_BYTES:
            raise CheckpointError(
                f"{name}: its header would take {len(f.header) - 8:,} bytes ({len(group):,} "
                f"tensors), more than the {MAX_HEADER_BYTES:,} that safetensors readers accept; "
                "give a smaller --max-shard-size (max_shard_size) so fewer tensors share a file")
        files.append(f)
    return files


def _chunks(p: Parameter, chunk_bytes: int) -> Iterator[tuple[int, int]]:
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

def _preallocate(fd: int, size: int, path: str) -> None:
    """Reserve `size` bytes for the file at `path` (open as `fd`) so a full disk fails here,
    before anything is generated; an error names `path`."""
    try:
        if hasattr(os, "posix_fallocate"):
            os.posix_fallocate(fd, 0, max(size, 1))
            return
    except OSError as e:
        if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise OSError(e.errno, e.strerror, path) from None
    # No fallocate here: check the free space, then make the file its size.
    if shutil.disk_usage(os.path.dirname(path) or ".").free < size:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
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

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._written: list[tuple[int, int]] = []
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
                seed: int, scratch: threading.local) -> tuple[int, int]:
    """Fill rows ``[first, first + rows)`` of `p` into a reusable buffer and write them to
    their place in the file; return the file offset and length of the rows.

    `scratch` holds the calling thread's buffer (grown to the largest chunk it met), so the
    memory stays one chunk per job whatever the model's size. Filling a buffer that stays
    in memory and writing it with ``pwrite`` beats filling a mapping of the file: a mapping's
    page faults cost more than the copy (gpt2-small on the 2-core test machine: 1.0 s
    against 1.9 s).
    """
    row = p.nbytes // p.shape[0] if p.shape else p.nbytes
    offset = data_start + begin + first * row
    length = rows * row
    if scratch.buffer is None or scratch.buffer.nbytes < length:
        scratch.buffer = None
        scratch.buffer = np.empty(length, dtype=np.uint8)
    raw = scratch.buffer[:length]
    view = raw.view(p.dtype).reshape((rows,) + p.shape[1:] if p.shape else ())
    start = (first,) + (0,) * (len(p.shape) - 1) if p.shape else ()
    fill_parameter(p, view, seed=seed, start=start)
    done = 0
    data = memoryview(raw)
    while done < length:
        done += os.pwrite(fd, data[done:], offset + done)
    return offset, length


def _partial(name: str) -> str:
    return f".{name}.partial"


def _complete(name: str) -> str:
    return f".{name}.complete"


def _json_bytes(value: Mapping[str, Any]) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _fingerprint(files: list[ShardFile], extras: Mapping[str, bytes], seed: int) -> str:
    """What a run writes, as a hash: every file's header (names, shapes, dtypes, offsets, seed,
    metadata), every parameter's initializer with its arguments, and the JSON files."""
    h = hashlib.sha256()
    h.update(str(seed).encode())
    for f in files:
        h.update(f.filename.encode() + b"\0" + f.header)
        for p, _ in f.entries:
            h.update(repr((p.name, p.initializer, p.zero_rows)).encode())
    for name in sorted(extras):
        h.update(name.encode() + b"\0" + extras[name])
    return h.hexdigest()


def _matches(path: str, f: ShardFile) -> bool:
    """Whether `path` has `f`'s size and header (a complete file of this run)."""
    try:
        if os.path.getsize(path) != f.size:
            return False
        with open(path, "rb") as fh:
            return fh.read(len(f.header)) == f.header
    except OSError:
        return False


def _write_atomically(path: str, data: bytes) -> None:
    """Write `data` as `path` through ``path + ".tmp"``, synced then renamed: `path` holds its
    old bytes or the new ones. A failure removes the temporary file, and names it."""
    tmp = path + ".tmp"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.filename is None:
            e.filename = tmp
        raise


def _existing(path: str) -> str:
    """`path`, or its nearest existing parent."""
    path = os.path.abspath(path)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _free_space(path: str) -> int:
    """Free bytes on the filesystem of `path` (or of its nearest existing parent)."""
    return shutil.disk_usage(_existing(path)).free


def _free_inodes(path: str) -> tuple[int, int] | None:
    """(free, total) inodes on the filesystem of `path` (or of its nearest existing parent);
    None where there is no statvfs or the filesystem has no fixed number of inodes (it
    reports 0)."""
    statvfs = getattr(os, "statvfs", None)
    if statvfs is None:
        return None
    try:
        st = statvfs(_existing(path))
    except OSError:
        return None
    return (st.f_favail, st.f_files) if st.f_files > 0 else None


def _no_space(out_dir: str, need: int | None, free: int, when: str = "") -> CheckpointError:
    needs = "" if need is None else f"the checkpoint needs {_gb(need)}, "
    return CheckpointError(f"{out_dir}: not enough disk space: {needs}{_gb(free)} are "
                           f"free{when}")


def _disk_full(out_dir: str, e: OSError, need: int | None) -> CheckpointError:
    """The one-line error for `e`, a write in `out_dir` that found the disk full (ENOSPC or
    EDQUOT): the free bytes and inodes measured now, when it happened, and which it was: no
    space, no inode, or the quota."""
    what = (f"writing {os.path.basename(os.fsdecode(e.filename))}" if e.filename
            else "a write")
    if e.errno == errno.EDQUOT:
        return CheckpointError(f"{out_dir}: disk quota exceeded: {what} failed")
    free = _free_space(out_dir)
    inodes = _free_inodes(out_dir)
    if inodes is not None and inodes[0] == 0:
        return CheckpointError(f"{out_dir}: out of inodes: {what} failed, 0 of "
                               f"{inodes[1]:,} inodes are free ({_gb(free)} free)")
    return _no_space(out_dir, need, free, f" (measured when {what} failed)")


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (the final renames are not cut in
    half); a no-op off the main thread or where signal masks do not exist."""
    import signal

    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = mask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


# --- the output folder: its lock, this tool's files, the switch to the new checkpoint ------

def _lock(out_dir: str) -> int | None:
    """Take the lock of `out_dir`, a folder: :data:`LOCK_NAME` inside it, ``flock``-ed
    (exclusive, without waiting) and holding this process's id; return its descriptor.

    The kernel releases a ``flock`` when its holder ends, however it ends, so the lock file
    of a run killed with ``kill -9`` is a stale lock the next run takes over. A lock file that
    its holder removed between this call's ``open`` and ``flock`` is noticed (the path no
    longer names the locked file) and the lock taken again on a fresh one. Returns None where
    ``fcntl`` does not exist (Windows): there, runs into one folder are not kept apart. On a
    filesystem that refuses locks (some network filesystems) the file is written with the
    process id and the run goes on unlocked.

    Raises
    ------
    CheckpointError
        Another process holds the lock ("DIR: in use by process N ...").
    """
    try:
        import fcntl
    except ImportError:
        return None
    path = os.path.join(out_dir, LOCK_NAME)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        fd = os.open(path, flags, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 20, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f"process {holder}" if holder.isdigit() else "another process"
            raise CheckpointError(f"{out_dir}: in use by {who} (a weightinit run writing "
                                  "there); wait for it to end, or write elsewhere") from None
        except OSError as e:
            if e.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
                os.close(fd)
                raise
            break
        try:
            now = os.lstat(path)
        except FileNotFoundError:
            now = None
        mine = os.fstat(fd)
        if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    except BaseException:
        _unlock(out_dir, fd)
        raise
    return fd


def _unlock(out_dir: str, fd: int | None) -> None:
    """Remove the lock file, then release the lock: whoever takes it next finds a new file."""
    if fd is not None:
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(out_dir, LOCK_NAME))
        os.close(fd)


@contextlib.contextmanager
def _locked(out_dir: str) -> Iterator[None]:
    """Hold the lock of `out_dir` for the block. The folder is created if missing (with its
    parents), and removed again at the end if it is still empty: a run that fails leaves no
    folder behind."""
    try:
        os.makedirs(out_dir)
        created = True
    except FileExistsError:
        created = False
    try:
        fd = _lock(out_dir)
        try:
            yield
        finally:
            _unlock(out_dir, fd)
    finally:
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(out_dir)


def _is_leftover(name: str) -> bool:
    """Whether `name` is one of this tool's temporary files or its journal."""
    return bool(_LEFTOVER.fullmatch(name)) or name in (JOURNAL_NAME, JOURNAL_NAME + ".tmp")


def _refuse_non_files(out_dir: str, names: Iterable[str]) -> None:
    """A folder (or another non-file) under a name this tool writes files to is an error,
    raised before anything in `out_dir` changes."""
    for name in names:
        if not (_FINAL_NAME.fullmatch(name) or _is_leftover(name)):
            continue
        path = os.path.join(out_dir, name)
        try:
            mode = os.stat(path).st_mode
        except OSError:  # a dangling link: a file like any other
            continue
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise CheckpointError(f"{path}: {kind}, named like a file weightinit writes; move "
                                  "or rename it (nothing was changed)")


def _weightinit_metadata(path: str) -> dict[str, Any] | None:
    """The ``__metadata__`` of the safetensors file at `path` if weightinit wrote it (it holds
    ``weightinit_version``), else None."""
    try:
        with open(path, "rb") as fh:
            n = int.from_bytes(fh.read(8), "little")
            if not 0 < n <= MAX_HEADER_BYTES:
                return None
            header = json.loads(fh.read(n))
    except (OSError, ValueError, RecursionError):
        return None
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    if isinstance(meta, dict) and isinstance(meta.get("weightinit_version"), str):
        return meta
    return None


def _index_files(path: str) -> set[str] | None:
    """The files an index at `path` maps tensors to; None if it is not such an index."""
    try:
        if os.path.getsize(path) > MAX_HEADER_BYTES:
            return None
        with open(path, "rb") as fh:
            weight_map = json.loads(fh.read()).get("weight_map")
    except (OSError, ValueError, RecursionError, AttributeError):
        return None
    if not isinstance(weight_map, dict) or not weight_map:
        return None
    named = set(weight_map.values())
    return named if all(isinstance(n, str) for n in named) else None


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def _written_here(out_dir: str, names: Iterable[str]) -> set[str]:
    """The checkpoint files among `names` that weightinit wrote: safetensors files whose
    ``__metadata__`` holds ``weightinit_version``, an index that maps tensors to such files
    only, and JSON files whose SHA-256 such a file's metadata records (a ``config.json``
    edited since is the user's)."""
    ours: set[str] = set()
    digests: set[tuple[str, Any]] = set()
    names = list(names)
    for name in names:
        if name.endswith(".safetensors"):
            meta = _weightinit_metadata(os.path.join(out_dir, name))
            if meta is not None:
                ours.add(name)
                digests.update((k[len(_SHA256_KEY):], v) for k, v in meta.items()
                               if k.startswith(_SHA256_KEY))
    for name in names:
        path = os.path.join(out_dir, name)
        if name == INDEX_NAME:
            named = _index_files(path)
            if named is not None and named <= ours:
                ours.add(name)
        elif name in (CONFIG_NAME, GENERATION_CONFIG_NAME):
            if (name, _sha256(path)) in digests:
                ours.add(name)
    return ours


def _switch_steps(out_dir: str, present: Iterable[str],
                  finals: Sequence[str]) -> list[tuple[str, str]]:
    """The steps that make the checkpoint files `finals` (complete as ``.NAME.complete``) the
    checkpoint of `out_dir`, whose checkpoint-named files are `present`.

    A step is ``("remove", NAME)`` or ``("move", NAME)`` (``.NAME.complete`` to ``NAME``).
    Removed are the files weightinit wrote (:func:`_written_here`) that the new checkpoint does
    not have; replaced, the files of the names it has. Everything else stays. The order
    follows what ``transformers``' ``from_pretrained`` reads: ``config.json``, then
    ``model.safetensors`` if it is a file, else the index and the files it names. So the folder
    loads as the old checkpoint, or as the new one, or not at all (no config, or no weights
    file), at every step:

    1. remove ``config.json`` (the new checkpoint has one, or it was the old one's): from here
       the folder does not load;
    2. remove the index (that the old checkpoint is read through shards with the new names
       is never possible), then the old files the new checkpoint does not have;
    3. move the new shards in, ``generation_config.json``, then the new checkpoint's entry
       (the index, or ``model.safetensors``, which replaces the old one in one rename);
    4. remove an old ``model.safetensors`` the new sharded checkpoint leaves (read before the
       index until then), and last move the new ``config.json`` in.

    Without a ``config.json`` in either checkpoint, step 3's last rename or step 4's removal is
    the switch itself.

    Raises
    ------
    CheckpointError
        A ``model.safetensors`` that weightinit did not write would stay, and be read instead
        of the new sharded checkpoint.
    """
    present = set(present)
    new = set(finals)
    gone = _written_here(out_dir, present) | (present & new)
    entry = INDEX_NAME if INDEX_NAME in new else SINGLE_NAME
    if entry == INDEX_NAME and SINGLE_NAME in present - gone:
        raise CheckpointError(
            f"{out_dir}: {SINGLE_NAME} there was not written by weightinit and would be loaded "
            "instead of the new sharded checkpoint; move it away, or write one file (a larger "
            "--max-shard-size)")
    first = [n for n in (CONFIG_NAME, INDEX_NAME) if n in gone]
    first += sorted(gone - new - {CONFIG_NAME, INDEX_NAME, SINGLE_NAME})
    moves = [n for n in finals if n not in (CONFIG_NAME, GENERATION_CONFIG_NAME, entry)]
    moves += [n for n in (GENERATION_CONFIG_NAME, entry) if n in new]
    steps = [("remove", n) for n in first] + [("move", n) for n in moves]
    if SINGLE_NAME in gone - new:
        steps.append(("remove", SINGLE_NAME))
    if CONFIG_NAME in new:
        steps.append(("move", CONFIG_NAME))
    return steps


def _commit(out_dir: str, journal: Mapping[str, Any]) -> None:
    """Carry out the `journal`'s switch, remove the journal, then check every file it names.

    Each step is checked against the folder first, so running the switch again after an
    interruption finishes it: a move whose ``.NAME.complete`` is gone was made, and a removal
    of a name the new checkpoint has was made (or is no longer wanted) once that name's
    ``.NAME.complete`` is gone. The removals are synced to disk before the first move.

    Raises
    ------
    CheckpointError
        A step failed (the journal stays: the next run finishes the switch), or a file is
        missing or not its planned size afterwards.
    """
    steps: list[list[str]] = journal["switch"]
    new = {name for op, name in steps if op == "move"}
    synced = False
    for op, name in steps:
        path = os.path.join(out_dir, name)
        staged = os.path.join(out_dir, _complete(name))
        try:
            if op == "move":
                if not synced:
                    _fsync_dir(out_dir)
                    synced = True
                if os.path.lexists(staged):
                    os.replace(staged, path)
            elif name not in new or os.path.lexists(staged):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
        except OSError as e:
            raise CheckpointError(
                f"{out_dir}: the switch to the new checkpoint stopped at {name} "
                f"({e.strerror or e}); its files are complete: run weightinit init into the "
                "folder again to finish it") from None
    _fsync_dir(out_dir)
    os.unlink(os.path.join(out_dir, JOURNAL_NAME))
    _fsync_dir(out_dir)
    for name, size in journal["sizes"].items():
        try:
            found = os.stat(os.path.join(out_dir, name)).st_size
        except OSError:
            found = None
        if found != size:
            what = "is missing" if found is None else f"has {found:,} bytes, not {size:,}"
            raise CheckpointError(f"{out_dir}: {name} {what} once the checkpoint was in place; "
                                  "write it again (--force)")


def _read_journal(out_dir: str) -> dict[str, Any] | str | None:
    """The run journal of `out_dir`; None if there is none, or why it is damaged."""
    path = os.path.join(out_dir, JOURNAL_NAME)
    if not os.path.lexists(path):
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            loaded = json.load(fh)
    except (OSError, ValueError, RecursionError) as e:
        return f"cannot be read ({e})"
    valid = (isinstance(loaded, dict) and isinstance(loaded.get("fingerprint"), str)
             and isinstance(loaded.get("files"), list))
    if valid and "switch" in loaded:
        steps, sizes = loaded["switch"], loaded.get("sizes")
        valid = (isinstance(steps, list) and isinstance(sizes, dict)
                 and all(isinstance(s, list) and len(s) == 2 and s[0] in ("remove", "move")
                         and isinstance(s[1], str) and _FINAL_NAME.fullmatch(s[1])
                         for s in steps)
                 and all(_FINAL_NAME.fullmatch(n) and type(v) is int for n, v in sizes.items()))
    return loaded if valid else "is not a journal weightinit writes"


def write(model: Model, out_dir: str | os.PathLike[str], *, seed: int = 0,
          max_shard_size: int = 5 * 10**9, force: bool = False, resume: bool = False,
          progress: Callable[[int], object] | None = None, chunk_bytes: int = CHUNK_BYTES,
          jobs: int = JOBS, metadata: Mapping[str, str] | None = None,
          client: Client | None = None) -> list[ShardFile]:
    """Write `model`, initialized from `seed`, as safetensors files in `out_dir`.

    The run holds `out_dir`'s lock (:data:`LOCK_NAME`, ``flock``) from start to end: a second
    run into the same folder stops at once with an error naming the first one's process. The
    files are written under temporary names (``.NAME.partial``, then ``.NAME.complete``), and
    once all are complete the journal records the steps that put them in place
    (:func:`_switch_steps`): the folder loads as its old checkpoint, or as the new one, or not
    at all, never as a mix, whenever the run stops; the next run into the folder finishes
    the steps of a run killed among them. The run succeeds only if every file is then there
    with its planned size.

    Parameters
    ----------
    model : Model
    out_dir : str or os.PathLike
        Created if missing. A folder holding only this tool's leftovers of an interrupted
        run (temporary files, journal, a stale lock) counts as empty (they are removed). A
        folder with anything else needs `force`.
    seed : int
        Philox key of every parameter, in [0, 2**64).
    max_shard_size : int
        Bytes of tensor data per file (a larger tensor gets a file of its own). One file is
        ``model.safetensors``; several are ``model-00001-of-0000N.safetensors`` plus
        ``model.safetensors.index.json``.
    force : bool
        Write into a folder that holds other files, replacing its checkpoint once the new one
        is complete: files of the new checkpoint's names are replaced, and the other
        checkpoint files that weightinit wrote (recognised by their ``__metadata__``; a
        ``config.json`` by the SHA-256 recorded there) are removed. Everything else stays:
        another tool's shards and index, the user's files, hidden files. Refused before
        anything changes: a folder named like a checkpoint file, or another tool's
        ``model.safetensors`` beside a new sharded checkpoint (it would be read instead).
    resume : bool
        Finish an interrupted run (killed, out of power) of the same model, seed and shard
        size: its complete files are kept, the others written again. The result is
        bit-identical to an uninterrupted run. Without leftovers, an ordinary write.
    progress : callable, optional
        Called with a number of bytes after each header and chunk (each file with `client`)
        is written, and once with the bytes of the files kept by `resume`: the calls add up
        to :func:`planned_bytes`, the files' sizes.
    chunk_bytes : int
        Bytes filled and written at a time (the buffer each job holds).
    jobs : int
        Chunks in flight at once: with 2 (the default), one chunk is written while the next
        is filled (each fill already uses every thread of weightinit's pool).
    metadata : dict of str, optional
        Extra ``__metadata__`` entries.
    client : distributed.Client, optional
        Write the files on the cluster's workers, each file whole on one worker; this process
        holds the lock, writes the JSON files and makes the renames. `out_dir` must be on a
        filesystem that every worker sees under the same path (NFS, Lustre, a shared
        volume), and every worker needs the same weightinit installed. The files are
        bit-identical to a single-process write, whatever the number of workers.

    Returns
    -------
    list of ShardFile
        The files of the checkpoint, in order (``reused``: kept by `resume`, or put in place
        by this call from an interrupted run of the same checkpoint).

    Raises
    ------
    CheckpointError
        `out_dir` is a file or a non-empty folder without `force`; another run holds it; the
        disk has too little space or too few inodes (measured before any file is created);
        the disk filled up during the run (no space, no inode or the quota, with the free
        space and inodes measured then); leftovers of another run with `resume`; a file
        missing or not its planned size at the end. Any error or interruption before the
        switch removes every file this call created; the folder's earlier contents are
        untouched.
    """
    out_dir = os.fspath(out_dir)
    if os.path.lexists(out_dir) and not os.path.isdir(out_dir):
        if os.path.islink(out_dir):
            raise CheckpointError(f"{out_dir}: a symbolic link to {os.readlink(out_dir)}, "
                                  "which is not a folder")
        raise CheckpointError(f"{out_dir}: exists and is not a folder")
    seed = check_seed(seed)
    if not model.parameters:
        raise CheckpointError(f"{model.name}: the model has no parameters")
    files = layout(model, max_shard_size, file_metadata(model, seed, metadata))
    extras = _json_files(model)  # final name -> bytes, written after the tensors; the index last
    if len(files) > 1:
        extras[INDEX_NAME] = _json_bytes(
            {"metadata": {"total_size": model.nbytes},
             "weight_map": {p.name: f.filename for f in files for p, _ in f.entries}})
    finals = [f.filename for f in files] + list(extras)
    sizes = {**{f.filename: f.size for f in files}, **{n: len(b) for n, b in extras.items()}}
    fingerprint = _fingerprint(files, extras, seed)

    journal_path = os.path.join(out_dir, JOURNAL_NAME)
    need: int | None = None  # bytes the run writes, once known
    ours: list[str] = []  # temporary paths this call made, removed unless the switch begins
    done: set[str] = set()  # files kept from an interrupted run (resume)
    started = finished = False  # the folder changed; the switch began
    folder = contextlib.ExitStack()
    try:
        folder.enter_context(_locked(out_dir))
        journal = _read_journal(out_dir)
        if isinstance(journal, dict) and "switch" in journal:
            # A run killed among its final steps: its checkpoint is complete, put it in place.
            with _signals_held():
                _commit(out_dir, journal)
            if journal["fingerprint"] == fingerprint:
                for f in files:
                    f.reused = True
                if progress is not None:
                    progress(sum(f.size for f in files))
                return files
            journal = None
        present = os.listdir(out_dir)
        _refuse_non_files(out_dir, present)
        leftovers = [n for n in present if _is_leftover(n)]
        others = [n for n in present if n not in leftovers and n != LOCK_NAME]
        if not resume:
            journal = None  # what an unfinished run left is stale: a fresh start
        elif isinstance(journal, str):
            raise CheckpointError(
                f"{out_dir}: the run journal {JOURNAL_NAME} there is damaged: it {journal}; "
                "run without --resume to start over")
        elif journal is not None and journal["fingerprint"] != fingerprint:
            raise CheckpointError(
                f"{out_dir}: the unfinished run there wrote another checkpoint (model, seed, "
                "dtype or shard size differ); rerun it with its own arguments, or without "
                "--resume to start over")
        if journal is None and others and not force:
            raise CheckpointError(f"{out_dir}: folder exists and is not empty (use --force to "
                                  "write into it" + (", or --resume to finish the run there)"
                                                     if leftovers else ")"))
        steps = _switch_steps(out_dir, [n for n in others if _FINAL_NAME.fullmatch(n)], finals)

        # Which files are done (resume), and the space the rest needs, before creating anything.
        if journal is not None:
            done = {f.filename for f in files
                    if _matches(os.path.join(out_dir, _complete(f.filename)), f)}
        keep = {_complete(n) for n in done} | {JOURNAL_NAME}
        stale = [n for n in leftovers if n not in keep]
        pending = [f for f in files if f.filename not in done]
        need = sum(f.size for f in pending) + sum(len(b) for b in extras.values())
        stale_bytes = 0
        for n in stale:
            with contextlib.suppress(OSError):
                stale_bytes += os.lstat(os.path.join(out_dir, n)).st_blocks * 512
        free = _free_space(out_dir) + stale_bytes
        if free < need:
            raise _no_space(out_dir, need, free)
        inodes = _free_inodes(out_dir)
        creates = len(pending) + len(extras) + 2  # and the journal, rewritten once
        if inodes is not None and inodes[0] + len(stale) < creates:
            raise CheckpointError(f"{out_dir}: out of inodes: the checkpoint creates {creates} "
                                  f"files, {inodes[0]:,} of {inodes[1]:,} inodes are free")

        started = True
        for n in stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(out_dir, n))
        if journal is None:
            _write_atomically(journal_path, _json_bytes({"fingerprint": fingerprint,
                                                         "files": finals}))
        if progress is not None and done:
            progress(sum(f.size for f in files if f.filename in done))
        if client is None:
            for f in pending:
                path = os.path.join(out_dir, _partial(f.filename))
                ours.append(path)
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
                try:
                    _preallocate(fd, f.size, path)
                finally:
                    os.close(fd)
            with ThreadPoolExecutor(1) as syncer:
                syncs: list[Future[None] | None] = []
                for f in pending:
                    ours.append(os.path.join(out_dir, _complete(f.filename)))
                    syncs.append(_write_file(f, os.path.join(out_dir, _partial(f.filename)),
                                             seed, progress, chunk_bytes, jobs,
                                             os.path.join(out_dir, _complete(f.filename)),
                                             syncer))
                    for done_sync in [s for s in syncs if s is not None and s.done()]:
                        done_sync.result()  # a failed sync stops the run at once
                for sync in syncs:
                    if sync is not None:
                        sync.result()
        else:
            ours += [os.path.join(out_dir, t(f.filename)) for f in pending
                     for t in (_partial, _complete)]
            _write_on_cluster(client, pending, out_dir, seed, progress, chunk_bytes, jobs)
        for name, data in extras.items():
            path = os.path.join(out_dir, _complete(name))
            ours.append(path)
            _write_atomically(path, data)
        _fsync_dir(out_dir)
        # Every file is complete under a temporary name: from here on, finish (the next run
        # finishes too, after a crash).
        with _signals_held():
            switch = {"fingerprint": fingerprint, "files": finals, "sizes": sizes,
                      "switch": steps}
            _write_atomically(journal_path, _json_bytes(switch))
            finished = True
            _commit(out_dir, switch)
    except OSError as e:
        if e.errno in _DISK_FULL:  # measured now, before the cleanup frees anything
            raise _disk_full(out_dir, e, need) from None
        raise
    finally:
        if started and not finished:
            for path in ours + [journal_path]:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
            for name in done:  # kept from an earlier run: a fresh start next time
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(out_dir, _complete(name)))
        folder.close()
    for f in files:
        f.reused = f.filename in done
    return files


def _write_file(f: ShardFile, path: str, seed: int, progress: Callable[[int], object] | None,
                chunk_bytes: int, jobs: int, complete: str | None = None,
                syncer: Executor | None = None) -> Future[None] | None:
    """Fill the preallocated file at `path` with `f`'s header and tensors, sync it, and
    rename it to `complete` (if given).

    With `syncer` (an executor), the sync and rename run there and their future is returned:
    the next file's generation overlaps this file's last writes reaching the disk.
    """
    data_start = len(f.header)
    pieces = [(p, begin, first, rows) for p, begin in f.entries
              for first, rows in _chunks(p, chunk_bytes)]
    fd = os.open(path, os.O_RDWR)
    try:
        os.pwrite(fd, f.header, 0)
        if progress is not None:
            progress(len(f.header))
        writeback = _Writeback(fd)

        scratch = threading.local()

        def one(piece: tuple[Parameter, int, int, int]) -> None:
            if not hasattr(scratch, "buffer"):
                scratch.buffer = None
            offset, length = _fill_chunk(fd, data_start, *piece, seed, scratch)
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
    except BaseException as e:
        os.close(fd)
        if isinstance(e, OSError) and e.filename is None:
            e.filename = path  # a full disk is reported naming the file
        raise

    def finish() -> None:
        try:
            os.fsync(fd)
            writeback.drop_all()
        finally:
            os.close(fd)
        if complete is not None:
            os.replace(path, complete)

    if syncer is not None:
        return syncer.submit(finish)
    finish()
    return None


def _write_remote(f: ShardFile, out_dir: str, seed: int, chunk_bytes: int, jobs: int,
                  stop: str | None = None) -> int:
    """On a worker: preallocate, fill and sync one whole file, rename it ``.complete``.

    Returns at once, writing nothing, when the run's `stop` event (a ``distributed.Event``
    name) is set: another file failed."""
    if stop is not None:
        from distributed import Event
        if Event(stop).is_set():
            return 0
    partial = os.path.join(out_dir, _partial(f.filename))
    fd = os.open(partial, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _preallocate(fd, f.size, partial)
    finally:
        os.close(fd)
    _write_file(f, partial, seed, None, chunk_bytes, jobs,
                os.path.join(out_dir, _complete(f.filename)))
    return f.size


def _write_on_cluster(client: Client, files: list[ShardFile], out_dir: str, seed: int,
                      progress: Callable[[int], object] | None, chunk_bytes: int,
                      jobs: int) -> None:
    """Every file on a worker of `client`; the first error stops the rest and is raised, and
    so does a cluster left without any worker for :data:`WORKER_TIMEOUT` seconds.

    On an error the run's stop event is set, so files not yet started are skipped, and the
    call returns only once every task has ended: a cancelled task may still be running in its
    worker's thread, and the caller's cleanup must not race a file it is creating."""
    import asyncio
    import uuid

    from distributed import Event, wait

    stop = f"weightinit-stop-{uuid.uuid4().hex}"
    event = Event(stop, client=client)
    futures = [client.submit(_write_remote, f, out_dir, seed, chunk_bytes, jobs, stop,
                             pure=False,
                             key=f"weightinit-write-{f.filename}-{os.getpid()}-{id(files)}")
               for f in files]
    try:
        pending = set(futures)
        alone_since: float | None = None  # when the cluster was last seen without a worker
        while pending:
            try:
                done, pending = wait(pending, timeout=POLL_SECONDS,
                                     return_when="FIRST_COMPLETED")
            # None finished in this poll (one class from Python 3.11 on).
            except (TimeoutError, asyncio.TimeoutError):
                done = set()
            for future in done:
                written = future.result()
                if progress is not None:
                    progress(written)
            if done or client.scheduler_info().get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > WORKER_TIMEOUT:
                # No worker runs any of them: nothing to wait for before the cleanup.
                with contextlib.suppress(Exception):
                    client.cancel(list(pending))
                total, futures = len(futures), [f for f in futures if f not in pending]
                where = getattr(client.scheduler, "address", "?")
                raise CheckpointError(
                    f"the Dask cluster at {where} has had no worker for "
                    f"{WORKER_TIMEOUT:g} s, with {len(pending)} of {total} files still to "
                    "write; start workers (dask worker ADDRESS) and run again with --resume")
    except BaseException:
        with contextlib.suppress(Exception):
            event.set()
            if futures:
                wait(futures, timeout=600)  # every task ends: skipped, failed or finished
        raise


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

