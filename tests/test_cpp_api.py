# SPDX-License-Identifier: BSD-3-Clause
"""The C++ initializer classes (initializers.hpp) return exactly the bits of weightinit.tf1.

``test_initializers --write DIR`` (tests/cpp/test_initializers.cpp) runs its self-checks, then
records a sequence of steps in ``DIR/manifest.jsonl``: ``set_random_seed`` calls, and calls of
C++ initializers, each with the Python constructor it mirrors, the call's shape, dtype and
partition, and either its output bytes (``DIR/NNNN.bin``) or the exception it raised. This
module replays the sequence through weightinit.tf1 in the same order (so automatic op seeds
and unseeded partitions line up) and compares:

* every random class but Orthogonal, and Zeros / Ones / Constant / Identity: bit for bit;
* Orthogonal and the convolution-orthogonal family: to 1e-5 (float16 / bfloat16: one unit in
  the last place). C++ computes them with weightinit::orthogonal and the matrix kernels in
  the output's working precision (float32 for every output but float64), Python with
  NumPy's QR in float64: the difference is our QR's float32 rounding error, about
  kappa(A) n u with u = 2^-24, n <= 144 and small condition numbers kappa(A) for these
  cases' normal matrices; observed at most 1.8e-6 (float64: 3e-15), so 1e-5 keeps a factor 5;
* errors: the same exception type (ValueError / TypeError) and the same message.

It builds nothing: it runs the program named by ``WEIGHTINIT_CPP_TEST_BIN``, or one found in
build/ci, build/dev, build/release or build, and skips when there is none.
"""

import json
import os
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

import weightinit.tf1 as tf

pytest.importorskip("ml_dtypes")  # the bfloat16 cases

ROOT = Path(__file__).resolve().parents[1]
_BUILD_DIRS = ("build/ci", "build/dev", "build/release", "build")
_NAMES = ("test_initializers", "test_initializers.exe", "Release/test_initializers.exe")


def _find_program():
    env = os.environ.get("WEIGHTINIT_CPP_TEST_BIN")
    if env:
        return Path(env)  # set but missing is a failure below, not a skip
    for folder in _BUILD_DIRS:
        for name in _NAMES:
            path = ROOT / folder / name
            if path.is_file():
                return path
    return None


PROGRAM = _find_program()

pytestmark = pytest.mark.skipif(
    PROGRAM is None,
    reason="the C++ test program test_initializers is not built (configure with "
           "-DWEIGHTINIT_BUILD_TESTS=ON, build, and set WEIGHTINIT_CPP_TEST_BIN to it)")

CLASSES = {"Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal", "TruncatedNormal",
           "UniformUnitScaling", "VarianceScaling", "GlorotUniform", "GlorotNormal",
           "lecun_normal", "lecun_uniform", "he_normal", "he_uniform", "Identity", "Orthogonal",
           "ConvolutionDeltaOrthogonal", "ConvolutionOrthogonal1D", "ConvolutionOrthogonal2D",
           "ConvolutionOrthogonal3D"}
DTYPES = {"float32", "float64", "float16", "bfloat16", "int32", "int64"}


def _replay(steps):
    """Run the recorded steps through weightinit.tf1: (step, result) pairs, where result is
    an array or ``(exception type name, message)``."""
    instances = {}
    results = []
    tf.reset_default_graph()
    try:
        for step in steps:
            if step["op"] == "set_random_seed":
                tf.set_random_seed(step["seed"])
                continue
            try:
                with warnings.catch_warnings():
                    # Deprecation notices (constructor dtype, "normal", UniformUnitScaling) and
                    # NumPy's overflow warnings are not what is compared here.
                    warnings.simplefilter("ignore")
                    init = instances.get(step["instance"])
                    if init is None:
                        ctor = step["ctor"]
                        init = getattr(tf, ctor["class"])(**ctor["kwargs"])
                        instances[step["instance"]] = init
                    part = step["partition"]
                    info = None if part is None else tf.PartitionInfo(part["full_shape"],
                                                                      part["var_offset"])
                    kwargs = {}
                    if step["dtype"] is not None:
                        kwargs["dtype"] = step["dtype"]
                    if step["verify_shape"] is not None:
                        kwargs["verify_shape"] = step["verify_shape"]
                    result = init(tuple(step["shape"]), partition_info=info, **kwargs)
            except (ValueError, TypeError) as e:
                result = (type(e).__name__, str(e))
            results.append((step, result))
    finally:
        tf.reset_default_graph()
    return results


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """(step, C++ result, Python result) for every call the C++ program recorded."""
    if not PROGRAM.is_file():
        pytest.fail(f"WEIGHTINIT_CPP_TEST_BIN={PROGRAM} does not exist")
    out = tmp_path_factory.mktemp("cpp_api")
    run = subprocess.run([str(PROGRAM), "--write", str(out)], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, f"{PROGRAM} failed:\n{run.stdout}\n{run.stderr}"
    lines = (out / "manifest.jsonl").read_text().splitlines()
    steps = [json.loads(line) for line in lines]
    rows = []
    for step, py in _replay(steps):
        if "error" in step:
            cpp = (step["error"]["type"], step["error"]["message"])
        else:
            dt = np.dtype(getattr(tf, step["out_dtype"]))
            data = (out / step["file"]).read_bytes()
            cpp = np.frombuffer(data, dtype=dt).reshape(step["shape"])
        rows.append((step, cpp, py))
    return rows


def _describe(step) -> str:
    ctor = step["ctor"]
    args = ", ".join(f"{k}={v!r}" for k, v in ctor["kwargs"].items())
    part = step["partition"]
    where = "" if part is None else f", partition {part['full_shape']} at {part['var_offset']}"
    return f"{ctor['class']}({args})({tuple(step['shape'])}, dtype={step['dtype']}{where})"


def _mismatches(rows, compare):
    bad = []
    for step, cpp, py in rows:
        if "error" in step or step["compare"] != compare:
            continue
        if isinstance(py, tuple):
            bad.append(f"{_describe(step)}: Python raised {py[0]}: {py[1]}")
        elif py.dtype != cpp.dtype or py.shape != cpp.shape:
            bad.append(f"{_describe(step)}: Python gives {py.dtype} {py.shape}, C++ {cpp.dtype} "
                       f"{cpp.shape}")
        elif compare == "bits" and py.tobytes() != cpp.tobytes():
            a = np.ascontiguousarray(py).reshape(-1).view(np.uint8).reshape(py.size, -1)
            b = cpp.reshape(-1).view(np.uint8).reshape(cpp.size, -1)
            differ = np.flatnonzero((a != b).any(axis=1))
            bad.append(f"{_describe(step)}: bits differ (first elements {differ[:5].tolist()})")
        elif compare == "close":
            # float16 / bfloat16: a float32 difference below 1e-5 may still round to the
            # neighbouring 16-bit value, so one unit in the last place is allowed there.
            want = py.astype(np.float64)
            bits = {"float16": 10, "bfloat16": 7}.get(py.dtype.name)  # stored mantissa bits
            ulp = 0.0 if bits is None else np.abs(want) * 2.0 ** -bits
            err = np.abs(want - cpp.astype(np.float64)) - np.maximum(ulp, 1e-5)
            if not np.max(err, initial=-1.0) <= 0:
                worst = np.max(np.abs(want - cpp.astype(np.float64)))
                bad.append(f"{_describe(step)}: max difference {worst:.3g} > 1e-5")
    return bad


def test_bits_equal_python(cases):
    bad = _mismatches(cases, "bits")
    assert not bad, f"{len(bad)} C++ results differ from Python:\n" + "\n".join(bad[:30])


def test_orthogonal_within_1e5_of_python(cases):
    bad = _mismatches(cases, "close")
    assert not bad, "\n".join(bad)


def test_errors_equal_python(cases):
    bad = []
    for step, cpp, py in cases:
        if "error" not in step:
            continue
        if not isinstance(py, tuple):
            bad.append(f"{_describe(step)}: C++ raised {cpp[0]}: {cpp[1]}; Python returned values")
        elif py != cpp:
            bad.append(f"{_describe(step)}:\n  C++:    {cpp[0]}: {cpp[1]}\n  Python: {py[0]}: {py[1]}")
    assert not bad, "\n".join(bad)


def test_cases_cover_the_api(cases):
    """The recorded cases reach every class, dtype, partitions and the error paths (so a
    shrunken case list cannot pass unnoticed)."""
    values = [(step, cpp) for step, cpp, _ in cases if "error" not in step]
    classes = {step["ctor"]["class"] for step, _ in values}
    dtypes = {str(cpp.dtype) for _, cpp in values}
    assert classes == CLASSES
    assert dtypes == DTYPES
    partitioned = {step["ctor"]["class"] for step, _ in values if step["partition"] is not None}
    assert {"RandomUniform", "RandomNormal", "TruncatedNormal", "VarianceScaling", "he_normal",
            "UniformUnitScaling", "Identity", "GlorotNormal"} <= partitioned
    assert sum(step["compare"] == "close" for step, _ in values) >= 10
    assert sum("error" in step for step, _, _ in cases) >= 40
    assert len(values) >= 800
