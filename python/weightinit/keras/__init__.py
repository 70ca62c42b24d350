# SPDX-License-Identifier: BSD-3-Clause
"""Keras initializers on weightinit's stream: Keras 3 (``keras.initializers``) and TF2
``tf.keras.initializers`` names and arguments; the TF1 ones in ``v1``.

TF2 / Keras code runs with this module in place of ``keras.initializers``::

    from weightinit import keras as wk
    layer = keras.layers.Dense(64, kernel_initializer=wk.initializers.HeNormal(seed=1))
    w = wk.initializers.HeNormal(seed=1)((3, 3, 64, 128))
    b = wk.initializers.get("zeros")((128,))

Two modes, fixed when this module is first imported:

* **Keras 3 installed** (``import keras`` works, version 3): the classes are real
  ``keras.initializers.Initializer`` subclasses registered with
  ``keras.saving.register_keras_serializable(package="weightinit")`` (registered names
  ``"weightinit>HeNormal"``...), so ``model.save`` -> ``keras.models.load_model``,
  ``from_config`` and ``keras.models.clone_model`` give weightinit initializers back, with the
  same configs and values. A call ``init(shape, dtype=None)`` returns a tensor of the Keras
  backend (``keras.ops.convert_to_tensor``), as Keras's own initializers do; ``dtype=None`` is
  ``keras.config.floatx()``. Keras 3 must import: set ``KERAS_BACKEND`` to an installed
  backend first (if ``keras`` is installed but fails to import, this module warns and uses the
  plain mode).
* **Without Keras 3**: plain callables ``init(shape, dtype=None)`` returning NumPy arrays
  (``dtype=None`` is float32).

Both modes take tf-keras's / Keras 3's defaults (``RandomNormal``/``TruncatedNormal`` stddev
0.05, ``RandomUniform`` on ``[-0.05, 0.05)``, ``VarianceScaling`` rewriting ``"normal"`` to
``"truncated_normal"``, Keras 3's ``input_axes`` / ``output_axes``), every Keras 3 name
(``STFT`` included: a fixed windowed Fourier kernel, Keras's values, nothing drawn), every
identifier Keras 3's :func:`get` takes (a tensor or array included), and Keras 3's error
messages where Keras refuses an argument (where weightinit refuses more, as a NaN scale or a
bool seed, its own message names the argument). ``v1`` (also
``weightinit.tf1.keras.initializers``) holds ``tf.compat.v1.keras.initializers``.
:func:`serialize` writes Keras 3's format with the registered name (``{"module":
"weightinit.keras", "class_name": "HeNormal", "config": ..., "registered_name":
"weightinit>HeNormal"}``); :func:`deserialize` also reads Keras's and tf-keras's formats.

The configs of the random initializers (those with a seed) hold, besides Keras's keys, the
stream they draw on: ``"weightinit_stream": "v2"``. Keras reads a config whose registered name
it does not know (weightinit.keras not imported yet, or a name this version lacks) as its own
class of the same ``class_name``, which would draw Keras's values; that class refuses the key
(``TypeError: HeNormal.__init__() got an unexpected keyword argument 'weightinit_stream'``),
so such a file fails to load instead. ``from_config`` refuses another stream's tag and reads a
config without it (Keras's, or weightinit's before the tag) as this stream's
(docs/robustness.md, "Keras configs").

Seeds and streams
-----------------
* An **integer seed** ``s``: Philox key = ``s mod 2**64``, stream id 0; the instance returns
  the same values on every call (Keras's stateless sampling), equal to
  ``weightinit.new(...)`` with that seed.
* A ``keras.random.SeedGenerator`` (Keras 3 mode): every call takes the generator's next
  state, as Keras's random ops do (``SeedGenerator.next()``: the state ``(a, b)`` is read,
  then advanced to ``(a, b + 1)``), and draws on **Philox key = a, stream id = b** (each read
  as an unsigned integer of the state's width). So two calls give different values, a
  ``SeedGenerator(s)`` (``0 <= s < 2**31``) first gives the values of ``seed=s``, then those
  of stream 1, 2, ...; the config holds the generator's config, so a reloaded initializer
  starts again from ``(s, 0)``. A serialized generator (a dict) is deserialized.
* **Unseeded** (``seed=None``): a key drawn once, when the instance is constructed; the
  instance then repeats its values and, as tf-keras does, warns when called again. In Keras 3
  mode the key is ``random.randint(1, 10**9)`` from Python's ``random`` module, as Keras's
  own unseeded initializers draw theirs, so ``keras.utils.set_random_seed`` makes unseeded
  initializers reproducible; in the plain mode it comes from the operating system's entropy
  source.

tf-keras's partition keywords are accepted: ``init(shape, partition_shape=p,
partition_offset=o)`` returns the box ``p`` at ``o`` of the tensor of the full `shape`, equal
to that box of ``init(shape)`` (``Orthogonal`` and ``Identity`` refuse them).
"""

from __future__ import annotations

import importlib.util
import math
import operator
import random as _random
import reprlib
import secrets
import warnings
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Callable, Sequence, Union

import numpy as np

from ..core import door
from ..core import tfconv as surface
from ..core.fills import check_shape
from ..core.streams import STREAM_TAG
from ..core.tfconv import FLOAT32, namespace, plain
from ..tf1 import keras as _tf1_keras
from . import _stft


def _load_keras() -> Any:
    """The ``keras`` module when Keras 3 is installed and imports, else None."""
    if importlib.util.find_spec("keras") is None:
        return None
    try:
        import keras
    except Exception as e:  # an installed Keras whose backend does not import
        warnings.warn(
            f"weightinit.keras: keras is installed but does not import ({type(e).__name__}: "
            f"{e}); weightinit's Keras initializers are plain callables returning NumPy arrays, "
            "not keras.initializers.Initializer subclasses. Set KERAS_BACKEND to an installed "
            "backend (jax, torch, tensorflow) before importing weightinit.keras.",
            RuntimeWarning, stacklevel=2)
        return None
    try:
        major = int(str(keras.__version__).split(".")[0])
    except ValueError:
        return None
    return keras if major >= 3 else None


#: The ``keras`` module (Keras 3) these initializers belong to, or None (plain mode).
KERAS: Any = _load_keras()

if TYPE_CHECKING or KERAS is None:
    _KerasInitializer = object
else:
    _KerasInitializer = KERAS.initializers.Initializer

#: What a seed argument may be: an integer, None, and in Keras 3 mode a
#: ``keras.random.SeedGenerator`` (or its serialized config).
Seed = Union[int, None, Any]
Shape = Sequence[int]

v1 = _tf1_keras.initializers
#: The config key of the random initializers' stream tag: ``"weightinit_stream": "v2"``.
STREAM_KEY = "weightinit_stream"
_tf1 = door.tf1
_PARTITION_KEYWORDS = ("partition_shape", "partition_offset")


def _dtype(dtype: Any) -> np.dtype:
    """The call's dtype: Keras's ``floatx`` (Keras 3 mode) or float32 when None."""
    if KERAS is not None:
        dtype = KERAS.backend.standardize_dtype(dtype)
    return FLOAT32 if dtype is None else surface.resolve_dtype(dtype)


def _float_type(dtype: Any) -> tuple[np.dtype, Any]:
    """The dtype and element type of a float-only Keras call (TF2's ValueError for others)."""
    dt = _dtype(dtype)
    et = surface.float_type(dt)
    if et is None:
        raise ValueError(f"Expected floating point type, got {dt.name}.")
    return dt, et


def _result(values: np.ndarray) -> Any:
    """What a call returns: a tensor of the Keras backend (Keras 3 mode), else the array."""
    return values if KERAS is None else KERAS.ops.convert_to_tensor(values)


def _shape_and_box(name: str, shape: Any, kwargs: dict[str, Any], partitions: bool = True
                   ) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...] | None]:
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


def _axes(value: Any, argname: str) -> list[int] | None:
    """Keras 3's ``input_axes`` / ``output_axes``: None or a list of ints (TypeError naming
    the argument); their range is checked against each call's shape."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{argname}: expected a list of integers or None, got "
                        f"{type(value).__name__}")
    out = []
    for a in value:
        if isinstance(a, (bool, np.bool_)):
            raise TypeError(f"{argname}: expected a list of integers or None, got {value!r}")
        try:
            out.append(operator.index(a))
        except TypeError:
            raise TypeError(f"{argname}: expected a list of integers or None, "
                            f"got {value!r}") from None
    return out


class Initializer(_KerasInitializer):
    """Base class of the Keras initializers: callables ``(shape, dtype=None)``.

    A ``keras.initializers.Initializer`` subclass when Keras 3 is installed (see the module
    docstring).
    """

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """Return a tensor of `shape`; abstract here.

        Raises
        ------
        NotImplementedError
            Always, in the base class (Keras's message).
        """
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this initializer (``{}`` here)."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """``cls(**config)``, ignoring a ``dtype`` key as tf-keras does.

        Raises
        ------
        ValueError
            For a ``"weightinit_stream"`` other than this weightinit's (``"v2"``): the config
            was written for values this version does not draw. A config without the key (as
            Keras writes, and weightinit before the key) is read as this stream's.
        """
        config = dict(config)
        config.pop("dtype", None)
        stream = config.pop(STREAM_KEY, STREAM_TAG)
        if not isinstance(stream, str) or stream != STREAM_TAG:
            raise ValueError(f"{STREAM_KEY}: the config names weightinit's stream {stream!r}; "
                             f"this weightinit draws stream {STREAM_TAG!r} (docs/streams.md), "
                             "so its values would differ from the ones the config was saved with")
        return cls(**config)

    def clone(self) -> Any:
        """A new instance from this one's config (Keras's ``Initializer.clone``)."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={reprlib.repr(v)}" for k, v in self.get_config().items()
                         if k != STREAM_KEY)
        return f"{type(self).__name__}({args})"


class _Filled(Initializer):
    _fill_value = 0

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """A new tensor of `shape` (or ``partition_shape``) and `dtype`, every element
        ``_fill_value``."""
        dt = _dtype(dtype)
        shape, _, _ = _shape_and_box(type(self).__name__, shape, kwargs)
        return _result(np.full(shape, self._fill_value, dtype=dt))


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

    def __init__(self, value: Any = 0) -> None:
        surface.check_constant_value(value)
        self.value = value

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """A new tensor of `shape` (or ``partition_shape``) and `dtype` holding `value`."""
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
        return _result(np.array(values, dtype=dt))

    def get_config(self) -> dict[str, Any]:
        return {"value": plain(self.value)}


def _check_seed(seed: Any) -> Any:
    """An int, None, or (Keras 3 mode) a SeedGenerator; a serialized generator (a dict) is
    deserialized. Keras's ValueError for what Keras refuses; a bool (which Keras takes as an
    int) is a TypeError naming `seed`."""
    if KERAS is not None:
        if isinstance(seed, dict):
            seed = KERAS.saving.deserialize_keras_object(seed)
        if isinstance(seed, KERAS.random.SeedGenerator):
            return seed
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)):
        generator = ", a keras.random.SeedGenerator" if KERAS is not None else ""
        raise TypeError(f"seed: expected an integer{generator} or None, got bool")
    try:
        return operator.index(seed)
    except TypeError:
        raise ValueError("`seed` argument should be an instance of "
                         "`keras.random.SeedGenerator()` or an integer. "
                         f"Received: seed={seed}") from None


class _Random(Initializer):
    """Seed handling of the random Keras initializers (see the module docstring)."""

    def __init__(self, seed: Seed = None) -> None:
        self.seed = _check_seed(seed)
        self._generator = KERAS is not None and isinstance(self.seed, KERAS.random.SeedGenerator)
        if self.seed is None:
            # Keras 3's unseeded initializers draw from Python's `random` (which
            # keras.utils.set_random_seed seeds); without Keras, the OS's entropy.
            self._key = (_random.randint(1, 10**9) if KERAS is not None
                         else secrets.randbits(64))
        elif not self._generator:
            self._key = self.seed
        self._called = False

    def _stream(self) -> door.Stream:
        """The stream of this call (``Stream.keras`` of the seed, ``Stream.keras_state`` of a
        SeedGenerator's state, which advances)."""
        if self._generator:
            return door.Stream.keras_state(np.asarray(KERAS.ops.convert_to_numpy(self.seed.next())))
        if self.seed is None and self._called:
            surface.warn(f"The initializer {type(self).__name__} is unseeded and being called "
                         "multiple times, which will return identical values each time (even if "
                         "the initializer is unseeded). Please update your code to provide a "
                         "seed to the initializer, or avoid using the same initializer instance "
                         "more than once.", UserWarning)
        self._called = True
        return door.Stream.keras(self._key)

    def _draw(self, law: door.Law, dt: np.dtype, part: tuple[int, ...],
              full: tuple[int, ...], start: tuple[int, ...] | None) -> Any:
        """`law` drawn through the fill door on this call's (key, stream): the box of `full`
        at `start`."""
        out = np.empty(part, dt)
        stream = self._stream()
        door.fill(out, law, stream.key, stream=stream.stream_id, box=(full, start))
        return _result(out)

    def _seed_config(self) -> Any:
        if self._generator:
            return KERAS.saving.serialize_keras_object(self.seed)
        return self.seed

    def _config(self) -> dict[str, Any]:
        """The constructor arguments: the config less its stream tag."""
        return {"seed": self._seed_config()}

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments and the stream tag ``"weightinit_stream": "v2"`` (see
        the module docstring)."""
        return dict(self._config(), **{STREAM_KEY: STREAM_TAG})


class RandomNormal(_Random):
    """Initializer that generates tensors with a normal distribution: ``mean + stddev * z``.

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
    seed : int, keras.random.SeedGenerator or None
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Seed = None) -> None:
        door.Law.normal(mean, stddev)  # both real numbers (TypeError naming the argument)
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """A new float tensor of `shape` (or ``partition_shape``).

        Raises
        ------
        ValueError
            For a non-float dtype ("Expected floating point type, got ...").
        """
        dt, _ = _float_type(dtype)
        part, full, start = _shape_and_box(type(self).__name__, shape, kwargs)
        return self._draw(self._law(), dt, part, full, start)

    def _law(self) -> door.Law:
        return door.Law.normal(self.mean, self.stddev)

    def _config(self) -> dict[str, Any]:
        return {"mean": plain(self.mean), "stddev": plain(self.stddev),
                "seed": self._seed_config()}


class TruncatedNormal(RandomNormal):
    """Initializer that generates a truncated normal distribution: ``mean + stddev * t``,
    ``t`` standard normal restricted to [-2, 2] (no variance correction).

    Parameters
    ----------
    mean : float, default 0.0
    stddev : float, default 0.05
        Standard deviation before truncation (the result's is ``0.8796... * stddev``).
    seed : int, keras.random.SeedGenerator or None
    """

    def _law(self) -> door.Law:
        return door.laws.tf_truncated_normal(self.mean, self.stddev)


class RandomUniform(_Random):
    """Initializer that generates tensors with a uniform distribution on ``[minval, maxval)``.

    Integer dtypes (int32, int64) give ``minval + (w mod (maxval - minval))`` from the raw
    stream words.

    Parameters
    ----------
    minval : number, default -0.05
    maxval : number, default 0.05
        At least `minval` (equal bounds give that value everywhere).
    seed : int, keras.random.SeedGenerator or None

    Raises
    ------
    ValueError
        ``minval > maxval``: Keras 3 takes them, and draws what its backend makes of them.
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Seed = None) -> None:
        self._impl_of(minval, maxval)  # the bounds' types, as the C++ class checks them
        # Keras 3 takes inverted bounds and draws what its backend's uniform makes of them
        # (every value minval on JAX, values in (maxval, minval] on torch): no law to follow.
        if minval > maxval:
            raise ValueError(f"minval, maxval: minval must not exceed maxval, got "
                             f"minval={minval!r}, maxval={maxval!r}")
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    @staticmethod
    def _impl_of(minval: float, maxval: float) -> Any:
        return _tf1.RandomUniform(minval, maxval, None, _tf1.ElementType.float32)

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """A new tensor of `shape` (or ``partition_shape``) and `dtype`.

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
        return _result(self._impl_of(self.minval, self.maxval)(part, et, info,
                                                                self._stream()))

    def _config(self) -> dict[str, Any]:
        return {"minval": plain(self.minval), "maxval": plain(self.maxval),
                "seed": self._seed_config()}


def _check_variance_scaling(scale: Any, mode: Any, distribution: Any) -> None:
    """Keras 3's checks of VarianceScaling's arguments, in its order, with its messages (the
    sets printed as Keras prints its own); a `scale` that is not a real number and a
    `distribution` that is not a string are TypeErrors naming them."""
    if door.real(scale, "scale") <= 0.0:
        raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
    allowed_modes = {"fan_in", "fan_out", "fan_avg"}
    if isinstance(mode, Hashable) and mode not in allowed_modes:
        raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {allowed_modes}")
    if isinstance(distribution, str):
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed_distributions = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed_distributions:
            raise ValueError(f"Invalid `distribution` argument: {distribution}."
                             f"Please use one of {allowed_distributions}")


class VarianceScaling(_Random):
    """Initializer that adapts its scale to the shape of its input tensors.

    ``s = scale / n`` with ``n = max(1, fan_in | fan_out | (fan_in + fan_out) / 2)``;
    ``"truncated_normal"``: truncated normal with stddev ``sqrt(s) / 0.87962566103423978``
    (final stddev ``sqrt(s)``); ``"untruncated_normal"``: normal, stddev ``sqrt(s)``;
    ``"uniform"``: uniform on ``[-sqrt(3 s), sqrt(3 s))``. Fans in TF's layout
    ``(..., in, out)`` (see :class:`weightinit.tf1.VarianceScaling`), or, when both
    `input_axes` and `output_axes` are given, Keras 3's: the products of those dimensions
    (the law table's ``variance_scaling`` decides both).

    Parameters
    ----------
    scale : float, default 1.0
    mode : {"fan_in", "fan_out", "fan_avg"}
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}
        ``"normal"`` is rewritten to ``"truncated_normal"`` (the config shows the new name).
    seed : int, keras.random.SeedGenerator or None
    input_axes, output_axes : list of int, optional
        Keras 3's axes of the input and output units (used only when both are given, as in
        Keras). The config holds them when they are set.
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: Seed = None,
                 input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> None:
        _check_variance_scaling(scale, mode, distribution)
        # TF's checks of what Keras lets through (a NaN scale...), and the lower-cased name,
        # from the TF1 class.
        distribution = _tf1.VarianceScaling(scale, mode, distribution, None,
                                            _tf1.ElementType.float32).distribution
        self.scale = scale
        self.mode = mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution
        self.input_axes = _axes(input_axes, "input_axes")
        self.output_axes = _axes(output_axes, "output_axes")
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """A new float tensor of `shape` (or ``partition_shape``; fans from `shape`)."""
        dt, _ = _float_type(dtype)
        part, full, start = _shape_and_box(type(self).__name__, shape, kwargs)
        law = door.laws.variance_scaling(full, "tf", self.scale, self.mode, self.distribution,
                                          self.input_axes, self.output_axes)
        return self._draw(law, dt, part, full, start)

    def _axes_config(self) -> dict[str, Any]:
        return {k: v for k, v in (("input_axes", self.input_axes),
                                  ("output_axes", self.output_axes)) if v is not None}

    def _config(self) -> dict[str, Any]:
        return {"scale": plain(self.scale), "mode": self.mode,
                "distribution": self.distribution, "seed": self._seed_config(),
                **self._axes_config()}


class _Preset(VarianceScaling):
    """VarianceScaling with the law table's ``(scale, mode, distribution)`` of the preset
    `_preset`; config: seed (and the axes when set)."""

    _preset = "glorot_uniform"

    def __init__(self, seed: Seed = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> None:
        scale, mode, distribution = door.laws.preset(self._preset)
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def _config(self) -> dict[str, Any]:
        return {"seed": self._seed_config(), **self._axes_config()}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: ``[-limit, limit)``, ``limit = sqrt(6 / (fan_in + fan_out))``;
    ``VarianceScaling(1.0, "fan_avg", "uniform", seed)``."""

    _preset = "glorot_uniform"


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with stddev ``sqrt(2 / (fan_in + fan_out))``;
    ``VarianceScaling(1.0, "fan_avg", "truncated_normal", seed)``."""

    _preset = "glorot_normal"


class HeUniform(_Preset):
    """He uniform: ``[-limit, limit)``, ``limit = sqrt(6 / fan_in)``;
    ``VarianceScaling(2.0, "fan_in", "uniform", seed)``."""

    _preset = "he_uniform"


class HeNormal(_Preset):
    """He normal: truncated normal with stddev ``sqrt(2 / fan_in)``;
    ``VarianceScaling(2.0, "fan_in", "truncated_normal", seed)``."""

    _preset = "he_normal"


class LecunUniform(_Preset):
    """LeCun uniform: ``[-limit, limit)``, ``limit = sqrt(3 / fan_in)``;
    ``VarianceScaling(1.0, "fan_in", "uniform", seed)``."""

    _preset = "lecun_uniform"


class LecunNormal(_Preset):
    """LeCun normal: truncated normal with stddev ``sqrt(1 / fan_in)``;
    ``VarianceScaling(1.0, "fan_in", "truncated_normal", seed)``."""

    _preset = "lecun_normal"


class Orthogonal(_Random):
    """Initializer that generates an orthogonal matrix: QR of a normal matrix, sign-fixed,
    flattened to ``(prod(shape[:-1]), shape[-1])`` and transposed when wide, times `gain`
    (see :class:`weightinit.tf1.Orthogonal`).

    Parameters
    ----------
    gain : float, default 1.0
    seed : int, keras.random.SeedGenerator or None
    """

    def __init__(self, gain: float = 1.0, seed: Seed = None) -> None:
        _tf1.Orthogonal(gain, None, _tf1.ElementType.float32)  # the gain's type
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """A new float tensor of `shape` (rank >= 2)."""
        _, et = _float_type(dtype)
        dims, _, _ = _shape_and_box("Orthogonal", shape, kwargs, partitions=False)
        if len(dims) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(dims)}.")
        return _result(_tf1.Orthogonal(self.gain, None, et)(dims, None, None,
                                                           self._stream()))

    def _config(self) -> dict[str, Any]:
        return {"gain": plain(self.gain), "seed": self._seed_config()}


class Identity(Initializer):
    """Initializer that generates the identity matrix times `gain` (2-D, non-square allowed).

    Parameters
    ----------
    gain : float, default 1.0
    """

    def __init__(self, gain: float = 1.0) -> None:
        _tf1.Identity(gain, _tf1.ElementType.float32)  # the gain's type
        self.gain = gain

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """A new float tensor of the 2-D `shape`."""
        _, et = _float_type(dtype)
        dims, _, _ = _shape_and_box("Identity", shape, kwargs, partitions=False)
        if len(dims) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(dims)}.")
        return _result(_tf1.Identity(self.gain, et)(dims))

    def get_config(self) -> dict[str, Any]:
        return {"gain": plain(self.gain)}


class STFT(Initializer):
    """Initializer of Conv kernels for a short-time Fourier transform (Keras 3's ``STFT``):
    the real or imaginary part of a windowed Fourier basis.

    Nothing is drawn: the kernel is a fixed function of the arguments and the shape
    ``(frame_length, 1, fft_length // 2 + 1)``, ``kernel[t, 0, k] = cos(a) * w[t] / s`` (side
    ``"real"``; ``sin`` for ``"imag"``) with ``a = -2 pi t k / fft_length``, ``w`` the window
    and ``s`` its scaling (see ``weightinit.keras._stft.stft_kernel``, computed as Keras
    computes it: in the call's dtype, step by step).

    Parameters
    ----------
    side : {"real", "imag"}
    window : str, array-like or None, default "hann"
        A window name of ``scipy.signal.get_window`` (needs SciPy), the ``frame_length``
        window values, or None (no window, no scaling).
    scaling : {"density", "spectrum"} or None
        Divide by ``sqrt(sum(w**2))`` (``"density"``) or ``sum(|w|)`` (``"spectrum"``).
    periodic : bool, default False
        A periodic window (``scipy.signal.get_window``'s ``fftbins``) instead of a symmetric
        one.

    Raises
    ------
    ValueError
        Keras's messages for a `side` or `scaling` it does not know; SciPy's for an unknown
        window name.
    """

    def __init__(self, side: str = "real", window: Any = "hann", scaling: str | None = "density",
                 periodic: bool = False) -> None:
        if side not in _stft.SIDES:
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str):
            _stft.window_values(window, 1, False)  # SciPy's error for an unknown name
        if scaling is not None and scaling not in _stft.SCALINGS:
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape: Shape, dtype: Any = None, **kwargs: Any) -> Any:
        """The float kernel of `shape` ``(frame_length, 1, fft_length // 2 + 1)``.

        Raises
        ------
        ValueError
            For a shape of another rank or with ``shape[1] != 1`` (Keras's kernel has one
            input channel, whatever the shape asks), a last dimension of 1, a window of
            another length (Keras's message) or scaled by 0, and a non-float dtype.
        """
        dt, _ = _float_type(dtype)
        dims, _, _ = _shape_and_box("STFT", shape, kwargs, partitions=False)
        if len(dims) != 3 or dims[1] != 1:
            raise ValueError(f"shape: STFT makes kernels of shape (frame_length, 1, "
                             f"fft_length // 2 + 1), got {shape}")
        frame_length, _, bins = dims
        shown = np.shape if KERAS is None else lambda v: KERAS.ops.convert_to_tensor(v).shape
        return _result(_stft.stft_kernel(frame_length, bins, self.side, self.window,
                                         self.scaling, self.periodic, dt, shown))

    def get_config(self) -> dict[str, Any]:
        return {"side": self.side, "window": plain(self.window), "periodic": self.periodic,
                "scaling": self.scaling}


# The lower-case names (tf-keras and Keras 3) are aliases of the classes.
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
stft = STFT
# Keras 3's compatibility names.
IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
STFTInitializer = STFT

_CLASSES = (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal, Identity, STFT)
_SNAKE = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
          "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
          "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
          "glorot_normal": GlorotNormal, "he_uniform": HeUniform,
          "he_normal": HeNormal, "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
          "orthogonal": Orthogonal, "identity": Identity, "stft": STFT,
          "normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros}
_KERAS3_ALIASES = {"IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
                   "STFTInitializer": STFT}
#: Names `deserialize` and `get` know: class names, snake_case names, Keras 3's compatibility
#: names and base class, and tf-keras's legacy "...V2".
OBJECTS = dict({c.__name__: c for c in _CLASSES}, **_SNAKE, **_KERAS3_ALIASES,
               **{c.__name__ + "V2": c for c in _CLASSES},
               Initializer=Initializer, initializer=Initializer)
#: The package name of the registered classes (``"weightinit>HeNormal"``...).
PACKAGE = "weightinit"

if KERAS is not None:
    for _cls in _CLASSES:
        KERAS.saving.register_keras_serializable(package=PACKAGE)(_cls)


def serialize(initializer: Any) -> dict[str, Any]:
    """Keras 3's format with weightinit's registered name: ``{"module": "weightinit.keras",
    "class_name": ..., "config": ..., "registered_name": "weightinit>..."}`` (what
    ``keras.saving.serialize_keras_object`` writes for these classes; the config is
    ``get_config()``, with the stream tag for the random ones)."""
    name = type(initializer).__name__
    return {"module": type(initializer).__module__, "class_name": name,
            "config": initializer.get_config(), "registered_name": f"{PACKAGE}>{name}"}


def deserialize(config: Any) -> Any:
    """The initializer a serialized dict describes (this format, Keras 3's or tf-keras's
    ``{"class_name", "config"}``), looked up among the Keras names (case-sensitive): a
    ``keras.initializers`` config gives the weightinit class of the same name.

    Raises
    ------
    ValueError
        For an unknown ``class_name`` or a malformed dict.
    """
    return surface.deserialize_from(OBJECTS, config)


def _is_tensor(identifier: Any) -> bool:
    """Whether `identifier` is a backend tensor (Keras 3 mode) or a NumPy array or scalar."""
    if isinstance(identifier, (np.generic, np.ndarray)):
        return True
    return KERAS is not None and bool(KERAS.ops.is_tensor(identifier))


def _given(values: Any) -> Callable[..., Any]:
    """Keras's initializer of given values: ``fn(shape, dtype=None)`` returns `values` cast to
    `dtype` (the call's dtype rule), refusing any other shape with Keras's message."""

    def initialize_fn(shape: Shape, dtype: Any = None) -> Any:
        """`values` as `dtype`; `shape` must be their shape."""
        dt = _dtype(dtype)
        if check_shape(shape) != tuple(values.shape):
            raise ValueError(f"Expected `shape` to be {values.shape} for direct tensor as "
                             f"initializer. Received shape={shape}")
        if KERAS is not None:
            return KERAS.ops.cast(values, dt.name)
        return np.array(values, dtype=dt)

    return initialize_fn


def _from_config(config: dict[str, Any]) -> Any:
    """The object a config dict names, resolved as Keras resolves it against this module's
    table: a weightinit class by its Keras name; in Keras 3 mode a class another package
    registered with ``keras.saving`` (by its registered name) and whatever else Keras makes of
    the dict (a name it does not know stays a string, which `get` refuses); else None."""
    name, registered = config.get("class_name"), config.get("registered_name")
    ours = isinstance(name, str) and name in OBJECTS
    if KERAS is not None:
        elsewhere = (isinstance(registered, str) and not registered.startswith(PACKAGE + ">")
                     and KERAS.saving.get_registered_object(registered) is not None)
        if elsewhere or not ours:
            return KERAS.saving.deserialize_keras_object(config, module_objects=OBJECTS)
    return deserialize(config) if ours else None


def get(identifier: Any) -> Any:
    """An initializer from `identifier`, as ``keras.initializers.get``.

    ``None`` -> ``None``; a dict -> :func:`deserialize`; a name -> the class instantiated with
    no arguments (the Keras names of :data:`OBJECTS`, case-sensitive); a backend tensor or a
    NumPy array or scalar -> a function ``fn(shape, dtype=None)`` returning those values cast
    to `dtype` (`shape` must be theirs); a class -> instantiated with no arguments; any other
    callable -> itself. In Keras 3 mode a name or dict that is not a Keras initializer's is
    deserialized by Keras (a class registered with ``keras.saving``).

    Raises
    ------
    ValueError
        Keras's "Could not interpret initializer identifier: ..." for anything else, an
        unknown name included; the call of a tensor's function, Keras's "Expected `shape` to
        be ..." for another shape.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = _from_config(identifier)
    elif isinstance(identifier, str):
        obj = _from_config({"class_name": identifier, "config": {}})
    elif _is_tensor(identifier):
        obj = _given(identifier)
    else:
        obj = identifier
    if not callable(obj):
        raise ValueError(f"Could not interpret initializer identifier: {identifier}")
    return obj() if isinstance(obj, type) else obj


initializers = namespace(
    "weightinit.keras.initializers",
    "``keras.initializers`` (Keras 3) / ``tf.keras.initializers`` (TF2): the classes, their "
    "lower-case aliases, get, serialize, deserialize.",
    dict({c.__name__: c for c in _CLASSES}, **_SNAKE, **_KERAS3_ALIASES,
         Initializer=Initializer, get=get, serialize=serialize, deserialize=deserialize))

__all__ = [c.__name__ for c in _CLASSES] + list(_SNAKE) + list(_KERAS3_ALIASES) + [
    "Initializer", "get", "serialize", "deserialize", "initializers", "v1", "KERAS", "PACKAGE",
    "STREAM_KEY", "Seed", "Shape"]
