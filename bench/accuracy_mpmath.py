#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check bench/accuracy's references against mpmath (40 digits).

    build/bench/accuracy ref-dump /tmp/ref.txt --samples 2000 [--law A,B]
    python bench/accuracy_mpmath.py /tmp/ref.txt

Each line of the dump holds a 64-bit word W, the float64 reference at the probability
(W + 1/2) 2^-64 of the law's mass, the top 32 bits w as a word, and the float32 sweep's
reference at the lower boundary w 2^-32 of that word. Prints the largest error of each in
float64 ulps of the exact value; both should be far below the accuracies they judge
(float64: a few ulps; float32: 2^29 float64 ulps per float32 ulp).
"""

from __future__ import annotations

import math
import sys

import mpmath

mpmath.mp.dps = 40


def ncdf(x):
    return mpmath.ncdf(x)


def quantile(law, U):
    """The quantile at position U of the mass of N(0, 1) on [a, b], to 40 digits."""
    a, b = law
    pa = ncdf(a) if a != -math.inf else mpmath.mpf(0)
    pb = ncdf(b) if b != math.inf else mpmath.mpf(1)
    u = pa + U * (pb - pa)
    if u <= 0:
        return -mpmath.inf
    if u >= 1:
        return mpmath.inf
    # Newton on Φ from a double start, in the tail that keeps relative precision.
    lower = u < mpmath.mpf(1) / 2
    t = u if lower else 1 - u
    z = mpmath.mpf(mpmath.sqrt(2) * mpmath.erfinv(2 * t - 1))
    for _ in range(100):
        step = (ncdf(z) - t) / mpmath.npdf(z)
        z -= step
        if abs(step) < abs(z) * mpmath.mpf(10) ** -35 + mpmath.mpf(10) ** -60:
            break
    return z if lower else -z


def ulp64(x):
    x = abs(float(x))
    if x < 2.0**-1022:
        return 2.0**-1074
    return math.ulp(x)


def main(path: str) -> None:
    law = (-math.inf, math.inf)
    worst64 = worst32 = 0.0
    where64 = where32 = None
    n = 0
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                a, b = line.split(":")[1].split()
                law = (float(a), float(b))
                continue
            w64, r64, w32, r32 = line.split()
            W = int(w64, 16)
            exact = quantile(law, (mpmath.mpf(W) + mpmath.mpf(1) / 2) / mpmath.mpf(2) ** 64)
            if mpmath.isfinite(exact):
                e = float(abs(mpmath.mpf(r64) - exact)) / ulp64(exact)
                if e > worst64:
                    worst64, where64 = e, (w64, r64, mpmath.nstr(exact, 25))
            w = int(w32, 16)
            exact32 = quantile(law, mpmath.mpf(w) / mpmath.mpf(2) ** 32)
            if mpmath.isfinite(exact32):
                e = float(abs(mpmath.mpf(r32) - exact32)) / ulp64(exact32)
                if e > worst32:
                    worst32, where32 = e, (w32, r32, mpmath.nstr(exact32, 25))
            n += 1
    print(f"law N(0,1) on [{law[0]}, {law[1]}]: {n} words")
    print(f"float64 reference (long-double Newton): worst {worst64:.4f} float64 ulp at {where64}")
    print(f"float32 reference (PPND16 in double): worst {worst32:.4f} float64 ulp at {where32}"
          f" = {worst32 / 2**29:.2e} float32 ulp")


if __name__ == "__main__":
    main(sys.argv[1])
