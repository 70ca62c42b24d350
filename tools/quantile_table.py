#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Fit the float32 normal-quantile table of stream v2 and write quantile_table.hpp.

    python tools/quantile_table.py          # rewrites cpp/src/kernels/quantile_table.hpp

The float kernel (docs/streams.md §5) evaluates |z| = P_s(x) by Horner's rule in float32
fused multiply-adds, P_s(x) = c0 + x (c1 + x (... + x c8)), with the segment s picked by the
exponent of the probability:

* slot 30, the centre (|q| < 1/4, q = u - 1/2): |z| = |q| P(r), r = q^2 in [0, 1/16];
* slot j & 31 for the tail octave t * 2^33 in [2^j, 2^(j+1)), j = 0..30 (t < 1/4):
  x = 2 - m in (0, 1], m = t * 2^(33 - j) the mantissa of t, so x grows as t falls.

Every coefficient is >= 0 and every variable is >= 0, so each Horner step is a product
or sum of non-negative non-decreasing functions of x, and rounding is monotone: the
computed |z| never decreases as x grows. That is what makes the output monotone in the
word. The fits are linear programs (minimax error in float32 ulps, coefficients >= 0) solved
with SciPy's HiGHS; coefficients are rounded to float32 one at a time from the highest,
the rest refitted after each rounding. The fitted values come from SciPy's ndtri and
erfinv, the reported errors from mpmath (30 digits) on a check grid.
"""

from __future__ import annotations

import pathlib
import sys

import mpmath
import numpy as np
from scipy.optimize import linprog
from scipy.special import erfinv, ndtri

OUT = pathlib.Path(__file__).resolve().parents[1] / "cpp/src/kernels/quantile_table.hpp"
DEGREE = 8
SLOTS = 32
CENTRE_SLOT = 30
POINTS = 1200
mpmath.mp.dps = 30


def ndtri_mp(t):
    """Φ⁻¹(t) for 0 < t < 1, to 30 digits (Newton on mpmath's ncdf from erfinv)."""
    t = mpmath.mpf(t)
    z = mpmath.sqrt(2) * mpmath.erfinv(2 * t - 1)
    for _ in range(50):
        step = (mpmath.ncdf(z) - t) / mpmath.npdf(z)
        z -= step
        if abs(step) <= abs(z) * mpmath.mpf(10) ** -28 + mpmath.mpf(10) ** -40:
            break
    return z


def tail_target(j, x, exact=False):
    """|z| at x = 2 - m for the octave t * 2^33 in [2^j, 2^(j+1)): SciPy's ndtri (about
    1e-16 relative) for the fits, mpmath for the checks."""
    if not exact:
        return -ndtri((2 - np.asarray(x)) * 2.0 ** (j - 33))
    t = (2 - mpmath.mpf(x)) * mpmath.mpf(2) ** (j - 33)
    return float(-ndtri_mp(t))


def centre_target(r, exact=False):
    """|z| / |q| at r = q^2: sqrt(2) erfinv(2 |q|) / |q| (its limit sqrt(2 pi) at 0)."""
    if not exact:
        q = np.sqrt(np.asarray(r, np.float64))
        safe = np.where(q > 0, q, 1.0)
        return np.where(q > 0, np.sqrt(2) * erfinv(2 * safe) / safe, np.sqrt(2 * np.pi))
    q = mpmath.sqrt(mpmath.mpf(r))
    if q == 0:
        return float(mpmath.sqrt(2 * mpmath.pi))
    return float(mpmath.sqrt(2) * mpmath.erfinv(2 * q) / q)


def chebyshev_points(lo, hi, n):
    k = np.arange(n)
    x = np.cos(np.pi * (k + 0.5) / n)
    return np.concatenate([[lo, hi], (lo + hi) / 2 + (hi - lo) / 2 * x])


def ulp32(v):
    """The spacing of float32 numbers at |v| (for |v| >= 2^-126)."""
    return np.ldexp(1.0, np.frexp(np.abs(v))[1] - 24)


def lp_fit(xs, fx, fixed):
    """Minimax fit in float32 ulps with c_k >= 0; `fixed` maps degree -> a fixed value."""
    free = [k for k in range(DEGREE + 1) if k not in fixed]
    scale = float(np.max(xs))  # the LP works on x / scale, whose powers stay O(1)
    V = np.vander(xs / scale, DEGREE + 1, increasing=True)
    fixed = {k: v * scale**k for k, v in fixed.items()}
    rest = fx - sum(V[:, k] * v for k, v in fixed.items())
    # Rows in float32 ulps of f (the output's unit) times 1e6 2^-24 (so about 1e6 times the
    # relative error): HiGHS's feasibility tolerance (about 1e-7 absolute) is then far below
    # the errors sought, and the rows stay O(1).
    k = 1e6 * 2.0**-24 / ulp32(fx)
    A = V[:, free] * k[:, None]
    rest = rest * k
    n = len(free)
    ones = np.ones((len(xs), 1))
    A_ub = np.vstack([np.hstack([A, -ones]), np.hstack([-A, -ones])])
    b_ub = np.concatenate([rest, -rest])
    cost = np.zeros(n + 1)
    cost[-1] = 1
    for method in ("highs-ds", "highs-ipm", "highs"):
        res = linprog(cost, A_ub=A_ub, b_ub=b_ub, bounds=[(0, None)] * (n + 1), method=method)
        if res.status == 0:
            break
    else:
        raise RuntimeError(res.message)
    res.x[-1] *= 2.0**24 / 1e6
    c = dict(fixed)
    for k, v in zip(free, res.x[:-1]):
        c[k] = v
    return {k: v / scale**k for k, v in c.items()}, res.x[-1]


def fit_segment(xs, fx):
    """Coefficients as float32, rounded from the top down with a refit after each."""
    fixed = {}
    for k in range(DEGREE, -1, -1):
        c, _ = lp_fit(xs, fx, fixed)
        fixed[k] = float(np.float32(c[k]))
    return [fixed[k] for k in range(DEGREE + 1)]


def fma32(a, b, c):
    """fma_exact of fma-inl.hpp: a * b + c rounded once to float32 (exact product in double,
    the sum rounded to odd, then to float32)."""
    a, b, c = (np.asarray(v, np.float32).astype(np.float64) for v in (a, b, c))
    p = a * b
    s = p + c
    bv = s - p
    err = (p - (s - bv)) + (c - bv)
    bits = s.view(np.uint64).copy()
    away = (err > 0) == (s > 0)
    fix = (err != 0) & ((bits & np.uint64(1)) == 0)
    bits[fix & away] += np.uint64(1)
    bits[fix & ~away] -= np.uint64(1)
    return bits.view(np.float64).astype(np.float32)


def horner_f32(c, x):
    x = np.asarray(x, np.float32)
    p = np.full_like(x, np.float32(c[DEGREE]))
    for k in range(DEGREE - 1, -1, -1):
        p = fma32(p, x, np.float32(c[k]))
    return p


def kernel_abs(table, x, centre):
    """quantile_abs_f32 of math-inl.hpp on float32 array x, operation for operation."""
    x = np.asarray(x, np.float32)
    bits = x.view(np.uint32)
    slot = np.full(x.shape, CENTRE_SLOT) if centre else ((bits >> 23) & 31).astype(np.int64)
    m = ((bits & np.uint32(0x007FFFFF)) | np.uint32(0x3F800000)).view(np.float32)
    qs = (x * np.float32(2.0**-33)).astype(np.float32)
    v = (qs * qs).astype(np.float32) if centre else (np.float32(2) - m).astype(np.float32)
    coef = np.asarray(table, np.float32)
    p = coef[DEGREE][slot]
    for k in range(DEGREE - 1, -1, -1):
        p = fma32(p, v, coef[k][slot])
    return (p * (qs if centre else np.float32(1))).astype(np.float32)


def order_seams(table):
    """Raise constant terms until |z| never decreases across a segment boundary: at the top
    of each tail octave (t just below 2^(j+1)) it must be >= at the bottom of the next, and
    the top of the tail (t just below 1/4) >= the top of the centre. Returns the raises."""
    f32 = np.float32
    top = f32(np.nextafter(f32(2.0**31), f32(0)))
    raised = []

    def raise_c0(slot):
        table[0][slot] = float(np.nextafter(f32(table[0][slot]), f32(np.inf)))
        raised.append(slot)

    while kernel_abs(table, [top], False)[0] < kernel_abs(table, [top], True)[0]:
        raise_c0((30 + 127) & 31)
    for j in range(29, -1, -1):
        below = f32(np.nextafter(f32(2.0 ** (j + 1)), f32(0)))
        while kernel_abs(table, [below], False)[0] < kernel_abs(table, [f32(2.0 ** (j + 1))], False)[0]:
            raise_c0((j + 127) & 31)
    return raised


def check_monotone(table):
    """Every float32 t 2^33 in [1, 2^31) through the kernel's evaluation: |z| never grows
    with t (by construction; this confirms it, seams included). Returns the descents."""
    bad = 0
    prev = None
    for j in range(31):
        x = (np.arange(2**23, dtype=np.uint32) | np.uint32((127 + j) << 23)).view(np.float32)
        if j == 30:
            x = x[:-1]  # 2^31 - 2^7 is the largest value the kernel passes
        zs = kernel_abs(table, x, False)
        bad += int(np.count_nonzero(np.diff(zs) > 0))
        if prev is not None and zs[0] > prev:
            bad += 1
        prev = zs[-1]
    return bad


def main() -> None:
    table = [[0.0] * SLOTS for _ in range(DEGREE + 1)]
    report = []
    for j in range(31):
        xs = chebyshev_points(2.0**-23, 1.0, POINTS)
        fx = tail_target(j, xs)
        c = fit_segment(xs, fx)
        slot = (j + 127) & 31
        for k in range(DEGREE + 1):
            table[k][slot] = c[k]
        chk = np.linspace(2.0**-23, 1.0, 401)
        ref = np.array([tail_target(j, x, exact=True) for x in chk])
        got = horner_f32(c, chk).astype(np.float64)
        report.append(f"tail j={j:2d}: max err {np.max(np.abs(got - ref) / ulp32(ref)):.2f} ulp")
        print(report[-1], file=sys.stderr)
    rs = chebyshev_points(0.0, 1.0 / 16, POINTS)
    fr = centre_target(rs)
    c = fit_segment(rs, fr)
    for k in range(DEGREE + 1):
        table[k][CENTRE_SLOT] = c[k]
    chk = np.linspace(0, 1.0 / 16, 401)
    ref = np.array([centre_target(r, exact=True) for r in chk])
    got = horner_f32(c, chk).astype(np.float64)
    report.append(f"centre: |z| / |q| max err {np.max(np.abs(got - ref) / ulp32(ref)):.2f} ulp")
    print(report[-1], file=sys.stderr)
    raised = order_seams(table)
    report.append(f"seams: constant terms raised by one float32 ulp {len(raised)} times "
                  f"(slots {sorted(set(raised))})")
    print(report[-1], file=sys.stderr)
    bad = check_monotone(table)
    report.append(f"monotone: {bad} increases of |z| over all 31 * 2^23 float32 inputs of the tail")
    print(report[-1], file=sys.stderr)
    if bad:
        raise SystemExit("the table is not monotone")

    lines = [
        "// SPDX-License-Identifier: BSD-3-Clause",
        "// Generated by tools/quantile_table.py: do not edit (changing a value changes stream v2).",
        "// Coefficient k of segment `slot` of the float32 normal quantile (docs/streams.md §5):",
        "// slot 30 is the centre (|z| = |q| P(q^2)), slot j & 31 the tail octave",
        "// t * 2^33 in [2^j, 2^(j+1)) (|z| = P(2 - m)). Every coefficient is >= 0.",
        "// Fit (max error of the float32 Horner evaluation on a check grid, float32 ulps):",
    ]
    lines += [f"//   {r}" for r in report]
    lines.append(f"constexpr int kQuantileDegree = {DEGREE};")
    lines.append(f"constexpr int kQuantileCentreSlot = {CENTRE_SLOT};")
    lines.append(f"alignas(64) constexpr float kQuantileCoef[{DEGREE + 1}][{SLOTS}] = {{")
    for k in range(DEGREE + 1):
        vals = [float(np.float32(v)).hex() + "f" for v in table[k]]
        lines.append("    {" + ", ".join(vals[:4]) + ",")
        for i in range(4, SLOTS, 4):
            end = "}," if i + 4 >= SLOTS else ","
            lines.append("     " + ", ".join(vals[i:i + 4]) + end)
    lines.append("};")
    OUT.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
