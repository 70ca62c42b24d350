# SPDX-License-Identifier: BSD-3-Clause
"""The TF1 initializers reproduce tests/data/initializers_v2.txt (so does the C++ API: ctest).

Every case of the file runs through weightinit.tf1 (tests/data/make_initializer_golden.py
reads the format and runs a case; it also wrote the file) on every kernel target.
"""

import importlib.util
import pathlib

import pytest

import weightinit as wi

DATA = pathlib.Path(__file__).parent / "data"
_spec = importlib.util.spec_from_file_location("make_initializer_golden",
                                               DATA / "make_initializer_golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

CASES = [golden.parse(line) for line in golden.FILE.read_text().splitlines()
         if line and not line.startswith("#")]


@pytest.mark.parametrize("target", wi.cpu_targets()["available"])
def test_every_case(target):
    wi.set_target(target)
    bad = []
    for case in CASES:
        got = golden.result_of(golden.output(case))
        if got != case["result"]:
            bad.append(f"{golden.case_line(**{k: v for k, v in case.items() if k != 'result'}, result=got)}"
                       f"  (file: {case['result']})")
    assert not bad, f"{len(bad)} of {len(CASES)} cases differ:\n" + "\n".join(bad[:20])


def test_cases_cover_the_api():
    """Every random class, dtype, rank, partitioned axis and seed setting is in the file (so
    a shrunken file cannot pass unnoticed)."""
    random = {"RandomUniform", "RandomNormal", "TruncatedNormal", "UniformUnitScaling",
              "VarianceScaling", "GlorotUniform", "GlorotNormal", "lecun_normal",
              "lecun_uniform", "he_normal", "he_uniform"}
    names = {c["name"] for c in CASES}
    assert random | {"Orthogonal", "ConvolutionDeltaOrthogonal", "ConvolutionOrthogonal1D",
                     "ConvolutionOrthogonal2D", "ConvolutionOrthogonal3D", "Identity", "Zeros",
                     "Ones", "Constant"} <= names
    for name in random:
        cases = [c for c in CASES if c["name"] == name]
        assert {"float32", "float64", "float16", "bfloat16"} <= {c["dtype"] for c in cases}
        assert {len(c["shape"]) for c in cases} == {0, 1, 2, 3, 4}
        split = {(len(c["shape"]), k) for c in cases if c["partition"] is not None
                 for k, (n, f) in enumerate(zip(c["shape"], c["partition"][0])) if n != f}
        assert split == {(r, k) for r in range(1, 5) for k in range(r)}
        assert {c["graph"] for c in cases} >= {None, 11, 0, -3}
        assert any("seed" not in c["kwargs"] and c["graph"] is not None for c in cases)
    ints = {c["dtype"] for c in CASES if c["name"] == "RandomUniform"}
    assert {"int32", "int64"} <= ints
    assert len(CASES) >= 1300
