# SPDX-License-Identifier: BSD-3-Clause
"""Keras initializers on NumPy: TF2 ``tf.keras.initializers``, and the TF1 ones in ``v1``.

TF2 Keras code runs with this module in place of ``tf.keras`` / ``keras``::

    from weightinit import keras
    w = keras.initializers.HeNormal(seed=1)((3, 3, 64, 128))
    b = keras.initializers.get("zeros")((128,))

The instances are plain callables ``init(shape, dtype=None)`` (dtype ``None`` means float32)
with tf-keras's defaults (``RandomNormal``/``TruncatedNormal`` stddev 0.05, ``RandomUniform``
on ``[-0.05, 0.05)``, ``VarianceScaling`` rewriting ``"normal"`` to ``"truncated_normal"``).
``v1`` (also ``weightinit.tf1.keras.initializers``) holds ``tf.compat.v1.keras.initializers``.

Seeds and streams
-----------------
A seeded instance uses **Philox key = seed mod 2**64, stream id 0** and returns the same values
on every call (Keras's stateless sampling): its values equal ``weightinit.new(...)`` with that
seed. An unseeded instance takes a key from the operating system's entropy source when it is
constructed, so it too repeats its values; as tf-keras does, it warns when called again.

tf-keras's partition keywords are accepted: ``init(shape, partition_shape=p,
partition_offset=o)`` returns the box ``p`` at ``o`` of the tensor of the full `shape`, equal
to that box of ``init(shape)`` (``Orthogonal`` and ``Identity`` refuse them).
"""

from __future__ import annotations

import math
import reprlib
import secrets

import numpy as np

from .. import _core
from ..core.fills import check_shape
from ..tf1 import keras as _tf1_keras, surface
from ..tf1.surface import FLOAT32, namespace, plain

v1 = _tf1_keras.initializers
_tf1 = _core.tf1
_PARTITION_KEYWORDS = ("partition_shape", "partition_offset")


def _dtype(dtype) -> np.dtype:
    """The call's dtype: float32 (Keras's ``floatx``) when None."""
    return FLOAT32 if dtype is None else surface.resolve_dtype(dtype)


def _float_type(dtype):
    """The dtype and element type of a float-only Keras call (TF2's ValueError for others)."""
    dt = _dtype(dtype)
    et = surface.float_type(dt)
    if et is None:
        raise ValueError(f"Expected floating point type, got {dt.name}.")
    return dt, et


def _shape_and_box(name: str, shape, kwargs: dict, partitions: bool = True):
    """(shape of the result, full shape, start of the box or None) from tf-keras's keywords;
    the box is checked where it is drawn."""
    unknown = sorted(set(kwargs) - set(_PARTITION_KEYWORDS))
    if unknown:
        raise TypeError(f"Unknown keyword arguments: {unknown}. Allowed keyword arguments: "
                        f"{list(_PARTITION_KEYWORDS)}.")
    shape = check_shape(shape)
    if not kwargs:
        return shape, shape, None
    if not partitions:
        raise ValueError(f"{name} initializer doesn't support partition-related arguments.")
    part = check_shape(kwargs.get("partition_shape", shape), "partition_shape")
    return part, shape, tuple(kwargs.get("partition_offset", (0,) * len(shape)))


class Initializer:
    """Base class of the TF2 Keras initializers: callables ``(shape, dtype=None)``."""

    def __call__(self, shape, dtype=None, **kwargs):
        """Return a tensor of `shape`; abstract here.

        Raises
        ------
        NotImplementedError
            Always, in the base class.
        """
        raise NotImplementedError

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this initializer (``{}`` here)."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """``cls(**config)``, ignoring a ``dtype`` key as tf-keras does."""
        config = dict(config)
        config.pop("dtype", None)
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={reprlib.repr(v)}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _Filled(Initializer):
    _fill_value = 0

    def __call__(self, shape, dtype=None, **kwargs):
        """A new array of `shape` (or ``partition_shape``) and `dtype`, every element
        ``_fill_value``."""
        dt = _dtype(dtype)
        shape, _, _ = _shape_and_box(type(self).__name__, shape, kwargs)
        return np.full(shape, self._fill_value, dtype=dt)


class Zeros(_Filled):
    """Initializer that generates tensors initialized to 0 (numeric or bool dtypes)."""


class Ones(_Filled):
    """Initializer that generates tensors initialized to 1 (numeric or bool dtypes)."""

    _fill_value = 1


class Constant(Initializer):
    """Initializer that generates tensors with constant values.

    A scalar `value` fills the shape; an array of the same shape is copied, one with the
    same number of elements is reshaped row-major, and one that broadcasts to the shape is
    broadcast (TF2 has no graph-mode padding). With partition keywords the result is the box
    of that full tensor.

    Parameters
    ----------
    value : scalar, list, tuple or numpy.ndarray, default 0
        Converted with TF's rules (a float for an integer dtype is a TypeError).

    Raises
    ------
    ValueError
        At call time, when `value` neither matches, reshapes nor broadcasts to the shape.
    """

    def __init__(self, value=0):
        surface.check_constant_value(value)
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        """A new array of `shape` (or ``partition_shape``) and `dtype` holding `value`."""
        dt = _dtype(dtype)
        part, full, start = _shape_and_box("Constant", shape, kwargs)
        values = surface.constant_array(self.value, dt)
        if values.shape != full and values.size == math.prod(full):
            values = values.reshape(full)
        try:
            values = np.broadcast_to(values, full)
        except ValueError:
            raise ValueError(f"Constant: a value of shape {values.shape} cannot fill shape "
                             f"{full}") from None
        if start is not None:
            _tf1.PartitionInfo(full, start).check(part)
            values = values[tuple(slice(o, o + n) for o, n in zip(start, part))]
        return np.array(values, dtype=dt)

    def get_config(self) -> dict:
        return {"value": plain(self.value)}


class _Random(Initializer):
    """Seed handling of the random Keras initializers (see the module docstring)."""

    def __init__(self, seed=None):
        self.seed = surface.check_seed(seed)
        self._key = secrets.randbits(64) if self.seed is None else self.seed % (1 << 64)
        self._called = False

    def _key_stream(self):
        if self.seed is None and self._called:
            surface.warn(f"The initializer {type(self).__name__} is unseeded and being called "
                         "multiple times, which will return identical values each time (even if "
                         "the initializer is unseeded). Please update your code to provide a "
                         "seed to the initializer, or avoid using the same initializer instance "
                         "more than once.", UserWarning)
        self._called = True
        return self._key, 0

    def _draw(self, law, dt, part, full, start):
        """`law` drawn through the fill door on (key, stream 0): the box of `full` at `start`."""
        out = np.empty(part, dt)
        key, stream = self._key_stream()
        _core.fill(out, law, key, stream, 0, full, start)
        return out

    def get_config(self) -> dict:
        return {"seed": self.seed}


class RandomNormal(_Random):
    """Initializer that generates tensors with a normal distribution: ``mean + stddev * z``.

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
    seed : int or None
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        _core.Law.normal(mean, stddev)  # both real numbers (TypeError naming the argument)
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None, **kwargs):
        """A new float array of `shape` (or ``partition_shape``).

        Raises
        ------
        ValueError
            For a non-float dtype ("Expected floating point type, got ...").
        """
        dt, _ = _float_type(dtype)
        part, full, start = _shape_and_box(type(self).__name__, shape, kwargs)
        return self._draw(self._law(), dt, part, full, start)

    def _law(self):
        return _core.Law.normal(self.mean, self.stddev)

    def get_config(self) -> dict:
        return {"mean": plain(self.mean), "stddev": plain(self.stddev), "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """Initializer that generates a truncated normal distribution: ``mean + stddev * t``,
    ``t`` standard normal restricted to [-2, 2] (no variance correction).

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
        Standard deviation before truncation (the result's is ``0.8796... * stddev``).
    seed : int or None
    """

    def _law(self):
        return _core.laws.tf_truncated_normal(self.mean, self.stddev)


class RandomUniform(_Random):
    """Initializer that generates tensors with a uniform distribution on ``[minval, maxval)``.

    Integer dtypes (int32, int64) give ``minval + (w mod (maxval - minval))`` from the raw
    stream words.

    Parameters
    ----------
    minval : number, default -0.05
    maxval : number, default 0.05
    seed : int or None
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self._impl_of(minval, maxval)  # the bounds' types, as the C++ class checks them
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    @staticmethod
    def _impl_of(minval, maxval):
        return _tf1.RandomUniform(minval, maxval, None, _tf1.ElementType.float32)

    def __call__(self, shape, dtype=None, **kwargs):
        """A new array of `shape` (or ``partition_shape``) and `dtype`.

        Raises
        ------
        ValueError
            For a dtype that is neither float nor integer ("Expected float or integer dtype,
            got ...") and the cases of :class:`weightinit.tf1.RandomUniform`.
        """
        dt = _dtype(dtype)
        if not (surface.float_type(dt) or dt.kind in "iu"):
            raise ValueError(f"Expected float or integer dtype, got {dt.name}.")
        et = surface.random_uniform_type(dt)
        bound = surface.non_integer_bound(self.minval, self.maxval)
        if bound is not None and et in surface.INTEGER_TYPES:
            raise surface.integer_bound_error(bound, et)
        part, full, start = _shape_and_box("RandomUniform", shape, kwargs)
        info = None if start is None else _tf1.PartitionInfo(full, start)
        return self._impl_of(self.minval, self.maxval)(part, et, info, self._key_stream())

    def get_config(self) -> dict:
        return {"minval": plain(self.minval), "maxval": plain(self.maxval), "seed": self.seed}


class VarianceScaling(_Random):
    """Initializer that adapts its scale to the shape of its input tensors.

    ``s = scale / n`` with ``n = max(1, fan_in | fan_out | (fan_in + fan_out) / 2)``;
    ``"truncated_normal"``: truncated normal with stddev ``sqrt(s) / 0.87962566103423978``
    (final stddev ``sqrt(s)``); ``"untruncated_normal"``: normal, stddev ``sqrt(s)``;
    ``"uniform"``: uniform on ``[-sqrt(3 s), sqrt(3 s))``. Fans in TF's layout
    ``(..., in, out)`` (see :class:`weightinit.tf1.VarianceScaling`).

    Parameters
    ----------
    scale : float, default 1.0
    mode : {"fan_in", "fan_out", "fan_avg"}
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}
        ``"normal"`` is rewritten to ``"truncated_normal"`` (the config shows the new name).
    seed : int or None
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        # TF's checks in TF's order, and the lower-cased name, from the TF1 class.
        distribution = _tf1.VarianceScaling(scale, mode, distribution, None,
                                            _tf1.ElementType.float32).distribution
        self.scale = scale
        self.mode = mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution
        super().__init__(seed)

    def __call__(self, shape, dtype=None, **kwargs):
        """A new float array of `shape` (or ``partition_shape``; fans from `shape`)."""
        dt, _ = _float_type(dtype)
        part, full, start = _shape_and_box(type(self).__name__, shape, kwargs)
        law = _core.laws.variance_scaling(full, "tf", self.scale, self.mode, self.distribution)
        return self._draw(law, dt, part, full, start)

    def get_config(self) -> dict:
        return {"scale": plain(self.scale), "mode": self.mode,
                "distribution": self.distribution, "seed": self.seed}


class _Preset(VarianceScaling):
    """VarianceScaling with fixed ``(scale, mode, distribution)`` = `_args`; config: seed."""

    _args = (1.0, "fan_avg", "uniform")

    def __init__(self, seed=None):
        scale, mode, distribution = self._args
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: ``[-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``;
    ``VarianceScaling(1.0, "fan_avg", "uniform", seed)``."""

    _args = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with stddev ``sqrt(2 / (fan_in + fan_out))``;
    ``VarianceScaling(1.0, "fan_avg", "truncated_normal", seed)``."""

    _args = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """He uniform: ``[-limit, limit)``, ``limit = sqrt(6 / fan_in)``;
    ``VarianceScaling(2.0, "fan_in", "uniform", seed)``."""

    _args = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """He normal: truncated normal with stddev ``sqrt(2 / fan_in)``;
    ``VarianceScaling(2.0, "fan_in", "truncated_normal", seed)``."""

    _args = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """LeCun uniform: ``[-limit, limit)``, ``limit = sqrt(3 / fan_in)``;
    ``VarianceScaling(1.0, "fan_in", "uniform", seed)``."""

    _args = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """LeCun normal: truncated normal with stddev ``sqrt(1 / fan_in)``;
    ``VarianceScaling(1.0, "fan_in", "truncated_normal", seed)``."""

    _args = (1.0, "fan_in", "truncated_normal")


class Orthogonal(_Random):
    """Initializer that generates an orthogonal matrix: QR of a normal matrix, sign-fixed,
    flattened to ``(prod(shape[:-1]), shape[-1])`` and transposed when wide, times `gain`
    (see :class:`weightinit.tf1.Orthogonal`).

    Parameters
    ----------
    gain : float, default 1.0
    seed : int or None
    """

    def __init__(self, gain=1.0, seed=None):
        _tf1.Orthogonal(gain, None, _tf1.ElementType.float32)  # the gain's type
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None, **kwargs):
        """A new float array of `shape` (rank >= 2)."""
        _, et = _float_type(dtype)
        shape, _, _ = _shape_and_box("Orthogonal", shape, kwargs, partitions=False)
        return _tf1.Orthogonal(self.gain, None, et)(shape, None, None, self._key_stream())

    def get_config(self) -> dict:
        return {"gain": plain(self.gain), "seed": self.seed}


class Identity(Initializer):
    """Initializer that generates the identity matrix times `gain` (2-D, non-square allowed).

    Parameters
    ----------
    gain : float, default 1.0
    """

    def __init__(self, gain=1.0):
        _tf1.Identity(gain, _tf1.ElementType.float32)  # the gain's type
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        """A new float array of the 2-D `shape`."""
        _, et = _float_type(dtype)
        shape, _, _ = _shape_and_box("Identity", shape, kwargs, partitions=False)
        return _tf1.Identity(self.gain, et)(shape)

    def get_config(self) -> dict:
        return {"gain": plain(self.gain)}


# tf-keras's lower-case names are aliases of the classes.
zeros = zero = Zeros
ones = one = Ones
constant = Constant
random_normal = normal = RandomNormal
random_uniform = uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal
identity = Identity

_CLASSES = (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal, Identity)
_SNAKE = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
          "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
          "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
          "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
          "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
          "orthogonal": Orthogonal, "identity": Identity,
          "normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros}
# Names `deserialize` knows: class names, snake_case names, and tf-keras's legacy "...V2".
OBJECTS = dict({c.__name__: c for c in _CLASSES}, **_SNAKE,
               **{c.__name__ + "V2": c for c in _CLASSES})


def serialize(initializer) -> dict:
    """``{"module": "keras.initializers", "class_name": ..., "config": ...,
    "registered_name": None}`` (Keras 3 / recent tf-keras format)."""
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config):
    """The initializer a serialized dict describes (this format or the legacy
    ``{"class_name", "config"}``), looked up among the TF2 names (case-sensitive).

    Raises
    ------
    ValueError
        For an unknown ``class_name`` or a malformed dict.
    """
    return surface.deserialize_from(OBJECTS, config)


def get(identifier):
    """An initializer from `identifier`, as ``tf.keras.initializers.get``.

    ``None`` -> ``None``; a dict -> :func:`deserialize`; a name -> the class instantiated with
    no arguments; a class -> instantiated with no arguments; any other callable -> itself.

    Raises
    ------
    ValueError
        "Could not interpret initializer identifier: ..." for anything else, or an unknown
        name.
    """
    return surface.get_from(identifier, deserialize, instantiate_classes=True)


initializers = namespace(
    "weightinit.keras.initializers",
    "``keras.initializers`` / ``tf.keras.initializers`` (TF2): the classes, their lower-case "
    "aliases, get, serialize, deserialize.",
    dict({c.__name__: c for c in _CLASSES}, **_SNAKE, Initializer=Initializer, get=get,
         serialize=serialize, deserialize=deserialize))

__all__ = [c.__name__ for c in _CLASSES] + list(_SNAKE) + [
    "Initializer", "get", "serialize", "deserialize", "initializers", "v1"]
