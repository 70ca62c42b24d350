# SPDX-License-Identifier: BSD-3-Clause
"""A checkpoint's files in the safetensors format: the parameters planned into files at a
size limit, each file's header and tensor offsets, its ``__metadata__``, the index and the
JSON files written beside the tensors; and the readers that recognise files weightinit wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.fills import check_seed
from ..core.streams import STREAM_TAG
from .model import CheckpointError, Model, Parameter

#: The largest header safetensors readers accept (the format's MAX_HEADER_SIZE).
MAX_HEADER_BYTES = 100_000_000
#: safetensors' names of the dtypes weightinit writes.
SAFETENSORS_DTYPES = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16"}
INDEX_NAME = "model.safetensors.index.json"
SINGLE_NAME = "model.safetensors"
CONFIG_NAME = "config.json"
GENERATION_CONFIG_NAME = "generation_config.json"
#: ``__metadata__`` key prefix of the SHA-256 of each JSON file written with the tensors.
_SHA256_KEY = "weightinit_sha256_"


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


def _index_json(model: Model, files: list[ShardFile]) -> bytes:
    """The index of a checkpoint in several `files`: its total size and each tensor's file."""
    return _json_bytes(
        {"metadata": {"total_size": model.nbytes},
         "weight_map": {p.name: f.filename for f in files for p, _ in f.entries}})


def _json_bytes(value: Mapping[str, Any]) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")


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
