# SPDX-License-Identifier: BSD-3-Clause
"""The tf.compat.v1 initializer API on NumPy: TF 1.15's classes, aliases and seeds, no TensorFlow.

Every initializer is a callable ``init(shape, dtype=None, partition_info=None)`` returning a
new NumPy array, with TF 1.15's constructor defaults, checks, error types and messages,
``get_config`` / ``from_config`` (JSON-serializable configs) and seeding rules (graph mode).
By default the values are weightinit's own stream (docs/streams.md), not TF's bits: the same
seeds give the same values on every machine, thread count and partitioning. With
:func:`set_stream` ``("tensorflow")``, or ``stream="tensorflow"`` on an initializer, the random
initializers (all but the orthogonal ones) return TensorFlow's own values for the same graph
seed and op seed, bit for bit, with the same guarantees (docs/streams.md, "The TensorFlow
stream").

TF1 code runs unchanged but for the import::

    import weightinit.tf1 as tf                 # for: import tensorflow as tf (TF 1.x)
    import weightinit.tf1.compat.v1 as tf       # for: import tensorflow.compat.v1 as tf

    tf.set_random_seed(11)
    w = tf.glorot_uniform_initializer(seed=7)([784, 256], dtype=tf.float32)
    k = tf.initializers.he_normal(seed=1)([3, 3, 64, 128])
    v = tf.keras.initializers.RandomNormal(seed=3)([10, 10])

The module is its own ``compat.v1``; ``tf.initializers``, ``tf.keras.initializers`` (TF 1.15
Keras: :mod:`weightinit.keras` ``.v1``) and ``tf.random`` are namespaces, and the dtypes
(``tf.float32``, ``tf.int64``, ``tf.bfloat16``...) are NumPy dtypes. ``disable_v2_behavior``
and ``disable_eager_execution`` are accepted and do nothing: weightinit always follows TF1
graph mode.

Seeds and streams
-----------------
A call of a random initializer is one TF random op. :func:`get_seed` turns the graph-level
seed (:func:`set_random_seed`) and the initializer's ``seed`` into TF's pair
``(seed, seed2)``, with TF's rules (reduction modulo ``2**31 - 1``, the default graph seed
87654321 when only an op seed is given, ``(0, 0)`` -> ``(0, 2**31 - 1)``); the automatic op
seed used when only the graph seed is set is a counter 0, 1, 2, ... restarted by
:func:`set_random_seed` (TF 2.x graph mode; 1.15's operation count is not reproduced). Then

* **Philox key = seed, stream id = seed2**, counter position = row-major element position in
  the full (unpartitioned) tensor, offset 0;
* both seeds ``None`` (no graph seed, no op seed): a fresh 64-bit key and stream id from
  the operating system's entropy source on every call, as TF's unseeded ops;
* a seeded instance therefore returns the same values on every call (graph mode: two
  variables from one seeded initializer are equal), while an unseeded one gives new values
  on every call;
* integer ``RandomUniform``: ``minval + (w mod (maxval - minval))`` from the element's raw
  stream word (``"bits"``: 32-bit for int32, 64-bit for int64);
* ``Orthogonal``: one standard-normal matrix of shape ``(max(r, c), min(r, c))`` (float64
  for float64 output, float32 otherwise) on (key, stream), then QR;
* the convolution-orthogonal family: its normal matrices and masks drawn one after another
  on (key, stream), each starting at the counter block after the previous one ends
  (16 blocks per 64 float32 / 32 float64 elements);
* a negative ``stddev`` draws with ``(-mean, -stddev)`` and negates; ``minval > maxval``
  draws on ``[-minval, -maxval)`` and negates (the value of TF's formula).

Partitioned variables
---------------------
With ``partition_info=PartitionInfo(full_shape, var_offset)`` every random initializer
writes only the partition's elements, equal to the same box of the unpartitioned tensor
(TF instead repeats a seeded initializer's values in every equally shaped partition). Fans
and scales come from ``full_shape``. The partitions of one variable share the call's seeds:
a partition at offset zero draws them (automatic op seed or fresh OS seeds), later partitions
of the same full shape from the same instance reuse them. ``Orthogonal`` and the
convolution-orthogonal family refuse a real partition (ValueError); ``Identity`` gives the
partition's block; ``Zeros``, ``Ones`` and ``Constant`` ignore ``partition_info`` as TF does.
"""

from __future__ import annotations

import sys as _sys
from typing import TYPE_CHECKING as _TYPE_CHECKING, Any as _Any

import numpy as _np

from ._base import Initializer, PartitionInfo
from .surface import namespace as _namespace
from ._init import (Constant, GlorotNormal, GlorotUniform, Identity, Ones, RandomNormal,
                    RandomUniform, TruncatedNormal, UniformUnitScaling, VarianceScaling, Zeros,
                    he_normal, he_uniform, lecun_normal, lecun_uniform)
from ._keras_v1 import v1 as _keras_v1
from ._orthogonal import (ConvolutionDeltaOrthogonal, ConvolutionOrthogonal,
                          ConvolutionOrthogonal1D, ConvolutionOrthogonal2D,
                          ConvolutionOrthogonal3D, Orthogonal)
from ._seeds import get_seed, get_stream, reset_default_graph, set_random_seed, set_stream

# init_ops' module aliases: class aliases, not factories (``zeros_initializer()`` is a Zeros).
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal
identity_initializer = Identity
convolutional_delta_orthogonal = ConvolutionDeltaOrthogonal
convolutional_orthogonal_1d = ConvolutionOrthogonal1D
convolutional_orthogonal_2d = ConvolutionOrthogonal2D
convolutional_orthogonal_3d = ConvolutionOrthogonal3D


def disable_v2_behavior() -> None:
    """Accepted for ``import tensorflow.compat.v1 as tf`` code; weightinit is always TF1."""


def disable_eager_execution() -> None:
    """Accepted for TF1 code; weightinit always follows graph-mode semantics."""


__all__ = [
    "Initializer",
    "Zeros",
    "Ones",
    "Constant",
    "RandomUniform",
    "RandomNormal",
    "TruncatedNormal",
    "UniformUnitScaling",
    "VarianceScaling",
    "GlorotUniform",
    "GlorotNormal",
    "Orthogonal",
    "Identity",
    "ConvolutionDeltaOrthogonal",
    "ConvolutionOrthogonal",
    "ConvolutionOrthogonal1D",
    "ConvolutionOrthogonal2D",
    "ConvolutionOrthogonal3D",
    "PartitionInfo",
    "zeros_initializer",
    "ones_initializer",
    "constant_initializer",
    "random_uniform_initializer",
    "random_normal_initializer",
    "truncated_normal_initializer",
    "uniform_unit_scaling_initializer",
    "variance_scaling_initializer",
    "glorot_uniform_initializer",
    "glorot_normal_initializer",
    "orthogonal_initializer",
    "identity_initializer",
    "convolutional_delta_orthogonal",
    "convolutional_orthogonal_1d",
    "convolutional_orthogonal_2d",
    "convolutional_orthogonal_3d",
    "lecun_normal",
    "lecun_uniform",
    "he_normal",
    "he_uniform",
    "set_random_seed",
    "get_seed",
    "reset_default_graph",
    "set_stream",
    "get_stream",
]

# --- the TF module paths (not in __all__: they would clutter weightinit's top level) ------

initializers = _namespace(
    "weightinit.tf1.initializers",
    "``tf.compat.v1.initializers``: the TF 1.15 names of the v1 initializers.",
    {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_uniform": RandomUniform,
     "random_normal": RandomNormal, "truncated_normal": TruncatedNormal,
     "uniform_unit_scaling": UniformUnitScaling, "variance_scaling": VarianceScaling,
     "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
     "orthogonal": Orthogonal, "identity": Identity, "lecun_normal": lecun_normal,
     "lecun_uniform": lecun_uniform, "he_normal": he_normal, "he_uniform": he_uniform})

keras = _namespace("weightinit.tf1.keras", "``tf.keras`` of TF 1.15 (initializers only).",
                   {"initializers": _keras_v1})

random = _namespace("weightinit.tf1.random", "``tf.compat.v1.random`` (seeds only).",
                    {"set_random_seed": set_random_seed, "get_seed": get_seed})


def _bfloat16() -> _Any:
    try:
        import ml_dtypes
    except ImportError:  # pragma: no cover - depends on the environment
        return "bfloat16"  # resolved (with a clear error naming the extra) when used
    return _np.dtype(ml_dtypes.bfloat16)


# TF's dtype names (NumPy dtypes); `bool` is bound at the end, as it shadows the builtin.
float16: _np.dtype[_Any] = _np.dtype("float16")
float32: _np.dtype[_Any] = _np.dtype("float32")
float64: _np.dtype[_Any] = _np.dtype("float64")
int8: _np.dtype[_Any] = _np.dtype("int8")
int16: _np.dtype[_Any] = _np.dtype("int16")
int32: _np.dtype[_Any] = _np.dtype("int32")
int64: _np.dtype[_Any] = _np.dtype("int64")
uint8: _np.dtype[_Any] = _np.dtype("uint8")
uint16: _np.dtype[_Any] = _np.dtype("uint16")
uint32: _np.dtype[_Any] = _np.dtype("uint32")
uint64: _np.dtype[_Any] = _np.dtype("uint64")
complex64: _np.dtype[_Any] = _np.dtype("complex64")
complex128: _np.dtype[_Any] = _np.dtype("complex128")
half: _np.dtype[_Any] = float16
double: _np.dtype[_Any] = float64
bfloat16: _Any = _bfloat16()

compat = _namespace("weightinit.tf1.compat", "``tf.compat``: ``v1`` is weightinit.tf1 itself.",
                    {"v1": _sys.modules[__name__]})
# So that ``import weightinit.tf1.compat.v1 as tf`` works like ``import tensorflow.compat.v1``.
_sys.modules[compat.__name__] = compat
_sys.modules[compat.__name__ + ".v1"] = _sys.modules[__name__]

if _TYPE_CHECKING:
    bool: _np.dtype[_Any]
else:
    globals()["bool"] = _np.dtype("bool")
