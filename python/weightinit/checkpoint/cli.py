# SPDX-License-Identifier: BSD-3-Clause
"""The ``weightinit`` command line: ``init`` (a checkpoint), ``info``, ``demo``.

``weightinit`` with no subcommand prints ``info`` and runs ``demo`` (``--info``: info only;
``--rows``, ``--cols``, ``--seed``: the demo's size and seed; ``--cmake-dir``: the folder of
the installed CMake package).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import pathlib
import platform
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING, NoReturn, Protocol, TextIO

import numpy as np

import weightinit as wi

from .. import checkpoint
from ..core.fills import check_seed

if TYPE_CHECKING:
    from distributed import Client

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(text: str) -> int:
    """Bytes in ``"5GB"`` (10**9), ``"512MiB"`` (2**20), ``"1.5GB"`` or ``"1000000"``."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", text)
    if m is None or m.group(2).upper() not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 5GB, 500MB, 2GiB)")
    size = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if size <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return size


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return n


def _seed(text: str) -> int:
    try:
        return check_seed(int(text, 0))
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"expected an integer in [0, 2**64), got {text!r}") from None


# --- info and demo ------------------------------------------------------------------------

def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _extras() -> str:
    found = []
    for name in ("numpy", "ml_dtypes", "torch", "dask", "distributed", "jax", "safetensors",
                 "tqdm", "PyYAML"):
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return ", ".join(found)


def info() -> None:
    """Print the version, platform, CPU, kernel targets, threads, presets and extras."""
    targets = wi.cpu_targets()
    print(f"weightinit {wi.__version__} (stream v{wi.STREAM_VERSION})")
    print(f"python     {platform.python_version()} on {platform.system()} {platform.machine()}")
    print(f"cpu        {cpu_name()}")
    print(f"targets    {', '.join(targets['available'])} (active: {targets['active']})")
    print(f"threads    {wi.get_num_threads()}")
    print(f"presets    {', '.join(checkpoint.preset_names())}")
    print(f"packages   {_extras()}")


def demo(rows: int, cols: int, seed: int) -> None:
    """Fill a float32 `rows` x `cols` kernel with TF's he_normal (variance scaling, scale 2,
    fan_in, truncated at 2 sigma) three times, from the law table; print stats and speed."""
    from ..core import door

    shape = [rows, cols]
    law = door.laws.variance_scaling(shape, "tf", *door.laws.preset("he_normal"))
    fan_in, _ = door.compute_fans(shape, "tf")
    out = np.empty((rows, cols), np.float32)
    wi.fill(out, law.kind, law.params, seed=seed)  # warm the pool
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        out = np.empty((rows, cols), np.float32)
        wi.fill(out, law.kind, law.params, seed=seed)
        best = min(best, time.perf_counter() - t0)
    gb = out.nbytes / 1e9
    params = ", ".join(f"{v:.6g}" for v in law.params)
    print(f"\ndemo       he_normal {rows}x{cols} float32, seed {seed}: {law.kind}({params}), "
          f"fan_in {fan_in}")
    print(f"stats      mean {out.mean():+.3e}  std {out.std():.6f} "
          f"(want sqrt(2 / fan_in) = {np.sqrt(2.0 / fan_in):.6f})"
          f"  min {out.min():+.5f}  max {out.max():+.5f}")
    print(f"speed      {best * 1e3:.1f} ms, {gb / best:.2f} GB/s, {best / out.size * 1e9:.3f} ns/element"
          " (fresh output, page faults included)")


def cmake_dir() -> pathlib.Path:
    """The folder of weightinitConfig.cmake inside the installed package."""
    return pathlib.Path(wi.__file__).resolve().parent / "lib" / "cmake" / "weightinit"


# --- init ---------------------------------------------------------------------------------

class _Bar(Protocol):
    """What :class:`Progress` uses of a tqdm bar."""

    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


class Progress:
    """Bytes written so far: a tqdm bar on a terminal when tqdm is installed, else a plain line.

    The plain line rewrites itself on a terminal (at most twice a second); elsewhere (a log,
    a pipe) it prints a line at each quarter, so logs stay short. Its total is the files'
    size, the summary's total. Thread-safe.
    """

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.start = time.perf_counter()
        self._stream = stream if stream is not None else sys.stderr
        self._lock = threading.Lock()
        self._bar: _Bar | None = None
        self._enabled = enabled
        self._shown = 0.0  # when the terminal line was last drawn
        self._quarter = 0  # the last quarter printed off a terminal
        if enabled and self._stream.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1000,
                                 desc="init", file=self._stream, mininterval=0.5, smoothing=0.1)

    def __call__(self, n: int) -> None:
        with self._lock:
            self.done += n
            if self._bar is not None:
                self._bar.update(n)
            elif self._enabled:
                self._plain()

    def _plain(self) -> None:
        now = time.perf_counter()
        fraction = self.done / self.total if self.total else 1.0
        tty = self._stream.isatty()
        quarter = int(fraction * 4)
        if tty and now - self._shown < 0.5 and self.done < self.total:
            return
        if not tty and quarter <= self._quarter:
            return
        rate = self.done / max(now - self.start, 1e-9)
        line = f"init {human(self.done):>9} / {human(self.total)} ({fraction:4.0%}), {human(rate)}/s"
        if tty:
            print("\r" + line, end="", file=self._stream, flush=True)
            self._shown = now
        else:
            print(line, file=self._stream, flush=True)
            self._quarter = quarter

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._enabled and self._stream.isatty():
            print(file=self._stream)


def peak_rss_bytes() -> int | None:
    """Peak resident memory of this process (getrusage), or None where unavailable."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; Linux: KiB


def human(nbytes: float) -> str:
    """``"13.48 GB"``, ``"512.0 MB"``, ``"16.2 kB"``, ``"12 B"`` (powers of 1000)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.{2 if unit == 'GB' else 1}f} {unit}"
    return f"{nbytes:.0f} B"


def _summary(model: checkpoint.Model, files: Sequence[checkpoint.ShardFile], out_dir: str,
             seed: int, seconds: float, jobs: int, workers: int | None = None) -> str:
    rows: list[tuple[str, str, str, str]] = [("file", "tensors", "parameters", "size")]
    for f in files:
        rows.append((f.filename + (" (kept)" if f.reused else ""), f"{len(f.entries)}",
                     f"{sum(p.numel for p, _ in f.entries):,}", human(f.size)))
    total = sum(f.size for f in files)
    rows.append(("total", f"{len(model.parameters)}", f"{model.numel:,}", human(total)))
    widths = [max(len(r[k]) for r in rows) for k in range(4)]
    lines = [f"{model.name} -> {out_dir} (seed {seed})"]
    for k, r in enumerate(rows):
        if k in (1, len(rows) - 1):
            lines.append("  ".join("-" * w for w in widths))
        lines.append(f"{r[0]:<{widths[0]}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(r[1:], widths[1:])))
    peak = peak_rss_bytes()
    memory = "n/a" if peak is None else human(peak)
    written = sum(f.size for f in files if not f.reused)
    kept = len(files) - sum(1 for f in files if not f.reused)
    where = (f"{workers} Dask worker(s)" if workers is not None
             else f"{wi.get_num_threads()} threads, {jobs} job(s)")
    lines.append(f"{human(written)} written in {seconds:.2f} s: "
                 f"{human(written / max(seconds, 1e-9))}/s, peak memory {memory}, {where}"
                 + (f"; {kept} file(s) kept from the interrupted run" if kept else ""))
    return "\n".join(lines)


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so the writer cleans up as for Ctrl-C."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` in the main thread, so the writer cleans up."""
    def handler(signum: int, frame: FrameType | None) -> NoReturn:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _load(args: argparse.Namespace) -> checkpoint.Model:
    if args.hf_config is not None:
        if args.model is not None:
            raise checkpoint.CheckpointError("give MODEL or --hf-config, not both")
        from . import hf

        return hf.model_from_hf_config(args.hf_config, dtype=args.dtype,
                                       auto_class=args.auto_class)
    if args.auto_class is not None:
        raise checkpoint.CheckpointError("--auto-class goes with --hf-config")
    if args.model is None:
        raise checkpoint.CheckpointError("no model: give a model file, a preset "
                                         f"({', '.join(checkpoint.preset_names())}) or "
                                         "--hf-config PATH")
    return checkpoint.load_model(args.model, dtype=args.dtype)


def _client(address: str) -> Client:
    try:
        from distributed import Client
    except ImportError:
        raise checkpoint.CheckpointError("--dask-scheduler needs distributed: pip install "
                                         "'weightinit[dask]'") from None
    try:
        return Client(address, timeout=30)
    except (OSError, ValueError, TypeError) as e:
        raise checkpoint.CheckpointError(f"--dask-scheduler {address}: cannot connect: {e}") from None


def cmd_init(args: argparse.Namespace) -> int:
    if args.threads is not None:
        try:
            wi.set_num_threads(args.threads)
        except ValueError as e:
            raise checkpoint.CheckpointError(f"--threads {args.threads}: {e}") from None
    model = _load(args)
    client = _client(args.dask_scheduler) if args.dask_scheduler else None
    try:
        workers = len(client.scheduler_info().get("workers", {})) if client else None
        progress = Progress(checkpoint.planned_bytes(model, args.max_shard_size, args.seed),
                            enabled=not args.quiet)
        start = time.perf_counter()
        try:
            with _sigterm_raises():
                files = checkpoint.write(model, args.output, seed=args.seed,
                                         max_shard_size=args.max_shard_size, force=args.force,
                                         resume=args.resume, progress=progress,
                                         chunk_bytes=args.chunk_size, jobs=args.jobs,
                                         client=client)
        finally:
            progress.close()
    finally:
        if client is not None:
            client.close()
    print(_summary(model, files, args.output, args.seed, time.perf_counter() - start, args.jobs,
                   workers))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    info()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    info()
    demo(args.rows, args.cols, args.seed)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="weightinit",
        description="Neural-network weight initialization on the CPU, deterministic across "
                    "threads, shards and machines. Without a command: info, then the demo.")
    parser.add_argument("--cmake-dir", action="store_true",
                        help="print the folder for -Dweightinit_DIR= and exit")
    parser.add_argument("--info", action="store_true", help="print the machine summary only")
    parser.add_argument("--rows", type=_positive_int, default=4096, help="demo rows")
    parser.add_argument("--cols", type=_positive_int, default=4096, help="demo columns")
    parser.add_argument("--seed", type=_seed, default=0, help="demo seed")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="write a randomly initialized safetensors checkpoint",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Write a randomly initialized checkpoint (safetensors, "
                                   "sharded, with model.safetensors.index.json, config.json)\n"
                                   "from a model file (JSON or YAML), a preset, or any "
                                   "transformers architecture (--hf-config).\nParameter NAME is "
                                   "drawn on stream blake2b-64(NAME) under the seed, so it never "
                                   "depends on the\norder, files, processes or machines.",
                       epilog="The model-file format, --hf-config and the cluster mode "
                              "(--dask-scheduler): README.md, sections\n\"Model files\", "
                              "\"Any transformers architecture\" and \"Writing on a cluster\";"
                              "\nthe format also in: python -c \"import weightinit.checkpoint "
                              "as c; help(c.model_from_dict)\"")
    p.add_argument("model", metavar="MODEL", nargs="?",
                   help=f"a JSON / YAML model file, or a preset: "
                        f"{', '.join(checkpoint.preset_names())}")
    p.add_argument("--hf-config", metavar="PATH",
                   help="instead of MODEL: a transformers config.json (or a folder holding "
                        "one); needs transformers")
    p.add_argument("--auto-class", metavar="CLASS",
                   help="with --hf-config: the class to build, an Auto class (e.g. "
                        "AutoModelForCausalLM) or a model class (e.g. BertForMaskedLM); "
                        "default: the config's 'architectures', else AutoModel (the base model)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    p.add_argument("--seed", type=_seed, default=0, help="the run's seed (default 0)")
    p.add_argument("--dtype", choices=["float16", "bfloat16", "float32", "float64"],
                   help="override the description's default dtype")
    p.add_argument("--max-shard-size", type=parse_size, default=5 * 10**9, metavar="SIZE",
                   help="tensor bytes per file, e.g. 5GB (default), 500MB, 2GiB")
    p.add_argument("--force", action="store_true",
                   help="write into an existing non-empty folder, replacing its checkpoint "
                        "once the new one is complete (removed: the files weightinit wrote; "
                        "everything else stays)")
    p.add_argument("--resume", action="store_true",
                   help="finish a run that was killed: keep its complete files, write the rest")
    p.add_argument("--dask-scheduler", metavar="ADDRESS",
                   help="write the files on a dask.distributed cluster (e.g. "
                        "tcp://host:8786); DIR must be on a filesystem all workers share")
    p.add_argument("--threads", type=_positive_int, help="fill threads (default: all CPUs)")
    p.add_argument("--jobs", type=_positive_int, default=checkpoint.JOBS,
                   help=f"chunks in flight (default {checkpoint.JOBS}: one written while the "
                        "next is filled; each fill is multi-threaded)")
    p.add_argument("--chunk-size", type=parse_size, default=checkpoint.CHUNK_BYTES,
                   metavar="SIZE", help="bytes filled and written at a time, per job (default 32MiB)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.set_defaults(run=cmd_init)

    p = sub.add_parser("info", help="print version, CPU, kernel targets, threads, presets")
    p.set_defaults(run=cmd_info)

    p = sub.add_parser("demo", help="print info, then time a demo fill")
    p.add_argument("--rows", type=_positive_int, default=4096)
    p.add_argument("--cols", type=_positive_int, default=4096)
    p.add_argument("--seed", type=_seed, default=0)
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, 1 for an error, 130 if interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if args.cmake_dir:
            path = cmake_dir()
            if not (path / "weightinitConfig.cmake").is_file():
                print(f"weightinit: no CMake package at {path} (not an installed wheel?)",
                      file=sys.stderr)
                return EXIT_ERROR
            print(path)
            return 0
        info()
        if not args.info:
            demo(args.rows, args.cols, args.seed)
        return 0
    run: Callable[[argparse.Namespace], int] = args.run  # a cmd_* function (set_defaults)
    try:
        return run(args)
    except checkpoint.CheckpointError as e:
        print(f"weightinit: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as e:
        print(f"weightinit: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\nweightinit: interrupted (SIGINT); no partial files were left", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("\nweightinit: terminated (SIGTERM); no partial files were left", file=sys.stderr)
        return EXIT_TERMINATED
