# SPDX-License-Identifier: BSD-3-Clause
"""The writer: each parameter drawn a chunk of rows at a time into a reusable buffer and
written to its place in its preallocated file, inside the output folder's transaction, in
this process or on a Dask cluster's workers; and the fills of parameters into memory.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import shard
from ..core.fills import check_seed, is_dtensor
from .files import INDEX_NAME, ShardFile, _index_json, _json_files, file_metadata, layout
from .folder import _check_out_dir, _complete, _partial, _preallocate, _Transaction
from .model import CheckpointError, Model, Parameter

if TYPE_CHECKING:
    from distributed import Client

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
    _check_out_dir(out_dir)
    seed = check_seed(seed)
    if not model.parameters:
        raise CheckpointError(f"{model.name}: the model has no parameters")
    files = layout(model, max_shard_size, file_metadata(model, seed, metadata))
    extras = _json_files(model)  # final name -> bytes, written after the tensors; the index last
    if len(files) > 1:
        extras[INDEX_NAME] = _index_json(model, files)
    run = _Transaction(out_dir, files, extras, seed)
    with run.held():
        if run.finish_switch():
            for f in files:
                f.reused = True
            if progress is not None:
                progress(sum(f.size for f in files))
            return files
        run.check(force=force, resume=resume)
        run.start()
        if progress is not None and run.done:
            progress(sum(f.size for f in files if f.filename in run.done))
        if client is None:
            _write_here(run, seed, progress, chunk_bytes, jobs)
        else:
            run.ours += [os.path.join(out_dir, t(f.filename)) for f in run.pending
                         for t in (_partial, _complete)]
            _write_on_cluster(client, run.pending, out_dir, seed, progress, chunk_bytes, jobs)
        run.stage_json_files()
        run.switch()
    for f in files:
        f.reused = f.filename in run.done
    return files


def _write_here(run: _Transaction, seed: int, progress: Callable[[int], object] | None,
                chunk_bytes: int, jobs: int) -> None:
    """The files `run` has still to write, in this process: each preallocated (a full disk
    fails before anything is generated), then filled one after the other; each file's sync
    and rename overlap the next file's generation."""
    out_dir = run.out_dir
    for f in run.pending:
        path = os.path.join(out_dir, _partial(f.filename))
        run.ours.append(path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _preallocate(fd, f.size, path)
        finally:
            os.close(fd)
    with ThreadPoolExecutor(1) as syncer:
        syncs: list[Future[None] | None] = []
        for f in run.pending:
            run.ours.append(os.path.join(out_dir, _complete(f.filename)))
            syncs.append(_write_file(f, os.path.join(out_dir, _partial(f.filename)),
                                     seed, progress, chunk_bytes, jobs,
                                     os.path.join(out_dir, _complete(f.filename)),
                                     syncer))
            for done_sync in [s for s in syncs if s is not None and s.done()]:
                done_sync.result()  # a failed sync stops the run at once
        for sync in syncs:
            if sync is not None:
                sync.result()

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
