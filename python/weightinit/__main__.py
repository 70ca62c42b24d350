# SPDX-License-Identifier: BSD-3-Clause
"""``python -m weightinit``: what this machine runs, then a demo fill with its throughput."""

from __future__ import annotations

import argparse
import pathlib
import platform
import sys
import time

import numpy as np

import weightinit as wi


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def info() -> None:
    targets = wi.cpu_targets()
    print(f"weightinit {wi.__version__} (stream v{wi.STREAM_VERSION})")
    print(f"python     {platform.python_version()} on {platform.system()} {platform.machine()}")
    print(f"cpu        {cpu_name()}")
    print(f"targets    {', '.join(targets['available'])} (active: {targets['active']})")
    print(f"threads    {wi.get_num_threads()}")


def demo(rows: int, cols: int, seed: int) -> None:
    fan_in = cols
    # he_normal as TF defines it: truncated at 2 sigma, corrected so the final std is sqrt(2/fan_in).
    std = np.sqrt(2.0 / fan_in) / 0.87962566103423978
    out = np.empty((rows, cols), np.float32)
    wi.fill(out, "truncated_normal", (0.0, std, -2.0, 2.0), seed=seed)  # warm the pool
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        out = np.empty((rows, cols), np.float32)
        wi.fill(out, "truncated_normal", (0.0, std, -2.0, 2.0), seed=seed)
        best = min(best, time.perf_counter() - t0)
    gb = out.nbytes / 1e9
    print(f"\ndemo       he_normal (truncated) {rows}x{cols} float32, seed {seed}")
    print(f"stats      mean {out.mean():+.3e}  std {out.std():.6f} (want {np.sqrt(2.0 / fan_in):.6f})"
          f"  min {out.min():+.5f}  max {out.max():+.5f}")
    print(f"speed      {best * 1e3:.1f} ms, {gb / best:.2f} GB/s, {best / out.size * 1e9:.3f} ns/element"
          " (fresh output, page faults included)")


def cmake_dir() -> pathlib.Path:
    """The folder of weightinitConfig.cmake inside the installed package."""
    return pathlib.Path(wi.__file__).resolve().parent / "lib" / "cmake" / "weightinit"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="weightinit", description=__doc__)
    parser.add_argument("--cmake-dir", action="store_true",
                        help="print the folder for -Dweightinit_DIR= and exit")
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--cols", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--info", action="store_true", help="print the machine summary only")
    args = parser.parse_args(argv)
    if args.cmake_dir:
        path = cmake_dir()
        if not (path / "weightinitConfig.cmake").is_file():
            print(f"weightinit: no CMake package at {path} (not an installed wheel?)", file=sys.stderr)
            return 1
        print(path)
        return 0
    if args.rows <= 0 or args.cols <= 0:
        parser.error("--rows and --cols must be positive")
    info()
    if not args.info:
        demo(args.rows, args.cols, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
