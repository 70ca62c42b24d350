# SPDX-License-Identifier: BSD-3-Clause
"""Write tests/data/initializers_v2.txt: outputs of the TF1 initializers, frozen.

Every random TF1 class (and lecun/he) in the four float dtypes (RandomUniform also in int32
and int64), at ranks 0 to 4, whole and partitioned along each axis, under several graph-seed
and op-seed settings; then Orthogonal, the convolution-orthogonal family, Identity, Zeros, Ones
and Constant. The file is read by tests/test_initializer_golden.py (the Python API, through
this module's ``parse`` and ``output``) and by tests/cpp/test_initializers.cpp (the C++ API).

    PYTHONPATH=python python tests/data/make_initializer_golden.py

Regenerate only when values change on purpose (a stream-version bump, docs/streams.md; or a
new QR for the Orthogonal section, whose values depend on it).

Format: ``#`` starts a comment line; every other line is one case of six fields::

    INITIALIZER GRAPH_SEED SHAPE DTYPE PARTITION RESULT

INITIALIZER
    ``Name(key=value,...)``: the class or function of weightinit.tf1 (C++: the class or
    function of initializers.hpp) and its keyword arguments. A value is an int (an optional
    ``-`` and digits), a float (Python's repr of it: any other text that reads as a number),
    a name (``fan_avg``), or a list ``[a;b;c]`` of numbers.
GRAPH_SEED
    ``-``: ``reset_default_graph()`` before the case; an int: ``set_random_seed(int)``.
SHAPE
    ``[d0,d1,...]`` (``[]`` for rank 0).
DTYPE
    The dtype passed to the call: float32, float64, float16, bfloat16, int32 or int64.
PARTITION
    ``-``, or ``[full_shape]@[var_offset]``: the call's PartitionInfo.
RESULT
    ``bits:HEX``: the output's bytes (row-major, little-endian) in hex, for outputs of at
    most 16 bytes; else ``blake2b:HEX``: the 8-byte BLAKE2b digest (RFC 7693, digest_size 8,
    no key) of those bytes.

Each case runs alone: set the graph seed, construct, call once.
"""

from __future__ import annotations

import hashlib
import pathlib
import warnings

import numpy as np

import weightinit.tf1 as tf

HERE = pathlib.Path(__file__).resolve().parent
FILE = HERE / "initializers_v2.txt"

FLOATS = ("float32", "float64", "float16", "bfloat16")
SHAPES = ((), (37,), (13, 10), (5, 6, 7), (3, 3, 4, 10))
# (graph seed, op seed): op seed only (TF's default graph seed), both, the automatic op seed,
# TF's (0, 0) pair, and seeds reduced modulo 2**31 - 1 (negative, beyond int32).
SEEDINGS = ((None, 7), (11, 7), (11, None), (0, 0), (-3, 2**31 + 4))

RANDOM = (
    ("RandomUniform", {"minval": -2.5, "maxval": 3.0}),
    ("RandomUniform", {}),
    ("RandomUniform", {"minval": 5.0, "maxval": -3.0}),  # reversed: (maxval, minval]
    ("RandomUniform", {"minval": 2, "maxval": 9}),  # integer bounds, float output
    ("RandomNormal", {"mean": 0.5, "stddev": 2.0}),
    ("RandomNormal", {"mean": 1.0, "stddev": -2.0}),  # negative stddev: the mirrored draw
    ("TruncatedNormal", {"mean": -1.0, "stddev": 0.5}),
    ("UniformUnitScaling", {"factor": 1.43}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_in", "distribution": "truncated_normal"}),
    ("VarianceScaling", {"scale": 0.5, "mode": "fan_out", "distribution": "untruncated_normal"}),
    ("VarianceScaling", {"scale": 3.0, "mode": "fan_avg", "distribution": "uniform"}),
    ("VarianceScaling", {"distribution": "normal"}),
    ("GlorotUniform", {}),
    ("GlorotNormal", {}),
    ("lecun_normal", {}),
    ("lecun_uniform", {}),
    ("he_normal", {}),
    ("he_uniform", {}),
)
INTEGER = (
    ("RandomUniform", {"minval": -7, "maxval": 1000}, ("int32", "int64")),
    ("RandomUniform", {"minval": -2**31, "maxval": 2**31 - 1}, ("int32",)),
    ("RandomUniform", {"minval": -2**40, "maxval": 2**50}, ("int64",)),
)
ORTHOGONAL = (
    ("Orthogonal", {"gain": 1.5}, ((5, 3), (3, 5), (4, 4), (3, 3, 2, 4))),
    ("ConvolutionDeltaOrthogonal", {"gain": 0.75}, ((3, 4, 6), (3, 2, 4, 6), (2, 3, 1, 5, 5))),
    ("ConvolutionOrthogonal1D", {"gain": 0.75}, ((4, 3, 8), (1, 3, 8))),
    ("ConvolutionOrthogonal2D", {"gain": 0.75}, ((3, 3, 4, 6), (2, 2, 6, 6))),
    ("ConvolutionOrthogonal3D", {"gain": 0.75}, ((2, 2, 2, 2, 5),)),
)


# --- the format ---------------------------------------------------------------------------

def _value_text(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + ";".join(_value_text(x) for x in v) + "]"
    return repr(v)


def _value(text: str):
    if text.startswith("["):
        return [_value(x) for x in text[1:-1].split(";") if x]
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _dims_text(dims) -> str:
    return "[" + ",".join(str(d) for d in dims) + "]"


def _dims(text: str) -> tuple:
    return tuple(int(d) for d in text[1:-1].split(",") if d)


def case_line(name, kwargs, graph, shape, dtype, partition, result) -> str:
    args = ",".join(f"{k}={_value_text(v)}" for k, v in kwargs.items())
    part = "-" if partition is None else f"{_dims_text(partition[0])}@{_dims_text(partition[1])}"
    return " ".join([f"{name}({args})", "-" if graph is None else str(graph), _dims_text(shape),
                     dtype, part, result])


def parse(line: str) -> dict:
    """One case line as ``{name, kwargs, graph, shape, dtype, partition, result}``."""
    init, graph, shape, dtype, part, result = line.split()
    name, _, args = init[:-1].partition("(")
    kwargs = {k: _value(v) for k, v in (a.split("=", 1) for a in args.split(",") if a)}
    partition = None
    if part != "-":
        full, offset = part.split("@")
        partition = (_dims(full), _dims(offset))
    return {"name": name, "kwargs": kwargs, "graph": None if graph == "-" else int(graph),
            "shape": _dims(shape), "dtype": dtype, "partition": partition, "result": result}


def result_of(out: np.ndarray) -> str:
    """``bits:`` or ``blake2b:`` text of an output's bytes (see the module docstring)."""
    words = np.ascontiguousarray(out).view(f"u{out.dtype.itemsize}")
    data = words.astype(words.dtype.newbyteorder("<")).tobytes()
    if len(data) <= 16:
        return "bits:" + data.hex()
    return "blake2b:" + hashlib.blake2b(data, digest_size=8).hexdigest()


def output(case: dict) -> np.ndarray:
    """Run one case through weightinit.tf1: its graph seed, its initializer, one call."""
    if case["graph"] is None:
        tf.reset_default_graph()
    else:
        tf.set_random_seed(case["graph"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # UniformUnitScaling, "normal"
        init = getattr(tf, case["name"])(**case["kwargs"])
    info = None
    if case["partition"] is not None:
        info = tf.PartitionInfo(list(case["partition"][0]), list(case["partition"][1]))
    return init(case["shape"], dtype=case["dtype"], partition_info=info)


# --- the cases ----------------------------------------------------------------------------

def partitions(shape):
    """One partition per axis: from a third of the axis to its end (an uneven cut)."""
    for axis, n in enumerate(shape):
        if n >= 2:
            cut = n // 3 or 1
            yield (tuple(n - cut if k == axis else d for k, d in enumerate(shape)),
                   (tuple(shape), tuple(cut if k == axis else 0 for k in range(len(shape)))))


def cases():
    """(name, kwargs, graph seed, shape, dtype, partition) of every line, in file order."""
    random = [(n, kw, FLOATS) for n, kw in RANDOM] + list(INTEGER)
    for name, kwargs, dtypes in random:
        for dtype in dtypes:
            graph, seed = SEEDINGS[0]
            for shape in SHAPES:
                yield name, dict(kwargs, seed=seed), graph, shape, dtype, None
                for part_shape, partition in partitions(shape):
                    yield name, dict(kwargs, seed=seed), graph, part_shape, dtype, partition
        for graph, seed in SEEDINGS[1:]:
            kw = dict(kwargs) if seed is None else dict(kwargs, seed=seed)
            yield name, kw, graph, SHAPES[2], dtypes[0], None
    for dtype in FLOATS:
        yield "Identity", {"gain": 2.5}, None, (13, 9), dtype, None
        yield "Identity", {"gain": 2.5}, None, (8, 9), dtype, ((13, 9), (5, 0))
        yield "Identity", {"gain": 2.5}, None, (13, 4), dtype, ((13, 9), (0, 5))
    for dtype in FLOATS + ("int32", "int64"):
        yield "Zeros", {}, None, (3, 5), dtype, None
        yield "Ones", {}, None, (3, 5), dtype, None
        yield "Constant", {"value": [0, 1, 2, 3, 4, 5, 6, 7]}, None, (3, 4), dtype, None
    for dtype in FLOATS:
        yield "Constant", {"value": [0.5, -1.25, 3.0]}, None, (2, 3), dtype, None
        yield "Constant", {"value": -0.75}, None, (), dtype, None
    for name, kwargs, shapes in ORTHOGONAL:
        for shape in shapes:
            for dtype in FLOATS:
                yield name, dict(kwargs, seed=40), None, shape, dtype, None
    yield "Orthogonal", {"seed": 41}, 11, (6, 9), "float64", None
    yield "Orthogonal", {}, 11, (9, 6), "float32", None


HEADER = __doc__.split("Format:", 1)[1].strip().splitlines()


def main() -> None:
    lines = ["# TF1 initializer outputs: see tests/data/make_initializer_golden.py (regenerate",
             "# only when values change on purpose). Format:", "#"]
    lines += [("# " + h).rstrip() for h in HEADER]
    orthogonal = False
    for name, kwargs, graph, shape, dtype, partition in cases():
        if name in dict((n, 0) for n, _, _ in ORTHOGONAL) and not orthogonal:
            orthogonal = True
            lines += ["#", "# Orthogonal and the convolution-orthogonal family: these values depend on",
                      "# the QR (cpp/src/qr.cpp) as well as on the stream."]
        case = {"name": name, "kwargs": kwargs, "graph": graph, "shape": shape, "dtype": dtype,
                "partition": partition}
        lines.append(case_line(name, kwargs, graph, shape, dtype, partition,
                               result_of(output(case))))
    tf.reset_default_graph()
    FILE.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
