#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build hygiene of the per-target kernel objects (cpp/src/targets/target_<isa>.cpp): every
symbol with external linkage that an object compiled with AVX2, AVX-512 or NEON flags defines
is inside its target's namespace (``weightinit::detail::avx2::``) or is its entry point
(``weightinit::detail::target_avx2()``).

Anything else (an inline function of a shared header, a std::vector member) is a weak symbol
that the linker may pick for every other object, so a program could run AVX-512 instructions
on a CPU without them. Usage: ``check_target_symbols.py BUILD_DIR``; exit 1 naming each.
"""

import pathlib
import re
import subprocess
import sys

TARGETS = ("avx2", "avx512", "neon")


def main(build: str) -> int:
    objects = [p for p in pathlib.Path(build).rglob("*.o")
               if re.search(r"_(avx2|avx512|neon)\.cpp\.o(bj)?$", p.name)]
    if not objects:
        print(f"check_target_symbols: no per-target objects under {build}")
        return 1
    bad = []
    for obj in sorted(objects):
        target = re.search(r"_(avx2|avx512|neon)\.cpp", obj.name).group(1)
        out = subprocess.run(["nm", "-C", "-g", "--defined-only", str(obj)], check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split(" ", 2)
            if len(parts) < 3:
                continue
            symbol = parts[2]
            if f"::{target}::" in symbol or symbol.endswith(f"::target_{target}()"):
                continue
            bad.append(f"{obj.name}: {parts[1]} {symbol}")
    for line in bad:
        print("outside its target's namespace:", line)
    print(f"check_target_symbols: {len(objects)} objects, {len(bad)} stray symbols")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build"))
