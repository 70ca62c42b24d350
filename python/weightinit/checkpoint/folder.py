# SPDX-License-Identifier: BSD-3-Clause
"""The output folder as a crash-safe transaction: its lock, the run journal, the temporary
files (``.NAME.partial`` while written, ``.NAME.complete`` once synced), the checks made
before anything changes (``force``, ``resume``, free space and inodes), the switch to the new
checkpoint and the checks after it, and the cleanup of a run that stops before the switch.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .files import (CONFIG_NAME, GENERATION_CONFIG_NAME, INDEX_NAME, SINGLE_NAME, _SHA256_KEY,
                    ShardFile, _index_files, _json_bytes, _weightinit_metadata)
from .model import CheckpointError

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
#: Errors that mean a full disk: no space, no inode, or the quota reached.
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


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


def _partial(name: str) -> str:
    return f".{name}.partial"


def _complete(name: str) -> str:
    return f".{name}.complete"


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


def _check_out_dir(out_dir: str) -> None:
    """`out_dir` is a folder or missing: a file or a link to one is refused, naming it."""
    if os.path.lexists(out_dir) and not os.path.isdir(out_dir):
        if os.path.islink(out_dir):
            raise CheckpointError(f"{out_dir}: a symbolic link to {os.readlink(out_dir)}, "
                                  "which is not a folder")
        raise CheckpointError(f"{out_dir}: exists and is not a folder")


class _Transaction:
    """One run's changes to its output folder, made so that the folder loads as its old
    checkpoint, or the new one, or not at all, whenever the run stops.

    In order: :meth:`held` (the lock; on leaving, the cleanup), :meth:`finish_switch` (a
    killed run's switch), :meth:`check` (every check, before anything changes), :meth:`start`
    (stale leftovers removed, the journal written), the tensor files written by the caller
    (recording each temporary path it makes in :attr:`ours`), :meth:`stage_json_files`, then
    :meth:`switch`. Until the switch begins, leaving :meth:`held` removes every file this run
    made; from then on, the switch is finished (by the next run, after a crash).
    """

    def __init__(self, out_dir: str, files: list[ShardFile], extras: dict[str, bytes],
                 seed: int) -> None:
        self.out_dir = out_dir
        self.files = files
        self.extras = extras  # final name -> bytes, written after the tensors; the index last
        self.finals = [f.filename for f in files] + list(extras)
        self.sizes = {**{f.filename: f.size for f in files},
                      **{n: len(b) for n, b in extras.items()}}
        self.fingerprint = _fingerprint(files, extras, seed)
        self.journal_path = os.path.join(out_dir, JOURNAL_NAME)
        self.journal: dict[str, Any] | str | None = None
        self.need: int | None = None  # bytes the run writes, once known
        self.ours: list[str] = []  # temporary paths this call made, removed unless the switch begins
        self.done: set[str] = set()  # files kept from an interrupted run (resume)
        self.pending: list[ShardFile] = []  # the files to write
        self.stale: list[str] = []  # leftovers of another run, removed at the start
        self.steps: list[tuple[str, str]] = []  # the switch (:func:`_switch_steps`)
        self.started = self.finished = False  # the folder changed; the switch began

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the folder's lock for the block. An error that is a full disk becomes a
        CheckpointError with the free space and inodes measured then; any error or
        interruption after :meth:`start` and before :meth:`switch` removes every file this
        run made, and the files kept from an interrupted run."""
        folder = contextlib.ExitStack()
        try:
            folder.enter_context(_locked(self.out_dir))
            yield
        except OSError as e:
            if e.errno in _DISK_FULL:  # measured now, before the cleanup frees anything
                raise _disk_full(self.out_dir, e, self.need) from None
            raise
        finally:
            if self.started and not self.finished:
                for path in self.ours + [self.journal_path]:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)
                for name in self.done:  # kept from an earlier run: a fresh start next time
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(self.out_dir, _complete(name)))
            folder.close()

    def finish_switch(self) -> bool:
        """Finish the switch of a run killed among its final steps (its checkpoint is complete:
        put it in place); whether that checkpoint is this run's."""
        journal = _read_journal(self.out_dir)
        if isinstance(journal, dict) and "switch" in journal:
            with _signals_held():
                _commit(self.out_dir, journal)
            if journal["fingerprint"] == self.fingerprint:
                return True
            journal = None
        self.journal = journal
        return False

    def check(self, *, force: bool, resume: bool) -> None:
        """Every check before the folder changes: what is there (``force``, ``resume`` and
        its journal), the switch's steps, the files kept, the free space and inodes."""
        out_dir, files, extras = self.out_dir, self.files, self.extras
        journal = self.journal
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
        elif journal is not None and journal["fingerprint"] != self.fingerprint:
            raise CheckpointError(
                f"{out_dir}: the unfinished run there wrote another checkpoint (model, seed, "
                "dtype or shard size differ); rerun it with its own arguments, or without "
                "--resume to start over")
        if journal is None and others and not force:
            raise CheckpointError(f"{out_dir}: folder exists and is not empty (use --force to "
                                  "write into it" + (", or --resume to finish the run there)"
                                                     if leftovers else ")"))
        self.journal = journal
        self.steps = _switch_steps(out_dir, [n for n in others if _FINAL_NAME.fullmatch(n)],
                                   self.finals)

        # Which files are done (resume), and the space the rest needs, before creating anything.
        if journal is not None:
            self.done = {f.filename for f in files
                         if _matches(os.path.join(out_dir, _complete(f.filename)), f)}
        keep = {_complete(n) for n in self.done} | {JOURNAL_NAME}
        self.stale = stale = [n for n in leftovers if n not in keep]
        self.pending = pending = [f for f in files if f.filename not in self.done]
        self.need = need = sum(f.size for f in pending) + sum(len(b) for b in extras.values())
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

    def start(self) -> None:
        """The first change: remove the stale leftovers, write the journal (unless resumed)."""
        self.started = True
        for n in self.stale:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.out_dir, n))
        if self.journal is None:
            _write_atomically(self.journal_path, _json_bytes({"fingerprint": self.fingerprint,
                                                              "files": self.finals}))

    def stage_json_files(self) -> None:
        """Once the tensor files are complete: write the JSON files as ``.NAME.complete``,
        and make every rename durable."""
        for name, data in self.extras.items():
            path = os.path.join(self.out_dir, _complete(name))
            self.ours.append(path)
            _write_atomically(path, data)
        _fsync_dir(self.out_dir)

    def switch(self) -> None:
        """Every file is complete under a temporary name: from here on, finish (the next run
        finishes too, after a crash). The journal records the steps, then they are made."""
        with _signals_held():
            switch = {"fingerprint": self.fingerprint, "files": self.finals,
                      "sizes": self.sizes, "switch": self.steps}
            _write_atomically(self.journal_path, _json_bytes(switch))
            self.finished = True
            _commit(self.out_dir, switch)
