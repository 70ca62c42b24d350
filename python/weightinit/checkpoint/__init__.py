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

The package holds one module per idea, its names re-exported here: :mod:`.model` (model
descriptions, presets), :mod:`.files` (the safetensors layout: headers, offsets, shard
planning, the index), :mod:`.folder` (the output folder as a crash-safe transaction: lock,
journal, temporary files, the switch) and :mod:`.writer` (:func:`write`, the fills of
parameters, the Dask path). A test replaces a name in the module that defines it.
"""

from __future__ import annotations

from .files import (CONFIG_NAME, GENERATION_CONFIG_NAME, INDEX_NAME, MAX_HEADER_BYTES, ShardFile,
                    file_metadata, layout, planned_bytes)
from .model import CheckpointError, Model, Parameter, load_model, model_from_dict, preset_names
from .writer import fill_parameter, regenerate, write

# Further names the package's modules, tests and benchmarks read from here.
from .files import SAFETENSORS_DTYPES as SAFETENSORS_DTYPES, SINGLE_NAME as SINGLE_NAME
from .folder import _FINAL_NAME as _FINAL_NAME, JOURNAL_NAME as JOURNAL_NAME
from .folder import LOCK_NAME as LOCK_NAME
from .model import MAX_BYTES as MAX_BYTES, MAX_PARAMETERS as MAX_PARAMETERS
from .model import _expand as _expand, _presets as _presets, load_json as load_json
from .writer import CHUNK_BYTES as CHUNK_BYTES, JOBS as JOBS, _chunks as _chunks
from .writer import POLL_SECONDS as POLL_SECONDS, WORKER_TIMEOUT as WORKER_TIMEOUT
from .writer import fill_parameters as fill_parameters


__all__ = ["CheckpointError", "Model", "Parameter", "ShardFile", "file_metadata", "layout",
           "fill_parameter", "load_model", "model_from_dict", "planned_bytes", "preset_names",
           "regenerate", "write", "INDEX_NAME", "CONFIG_NAME", "GENERATION_CONFIG_NAME",
           "MAX_HEADER_BYTES"]
