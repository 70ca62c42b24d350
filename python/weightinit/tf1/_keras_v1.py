# SPDX-License-Identifier: BSD-3-Clause
"""``tf.compat.v1.keras.initializers``: the v1 classes, three with Keras's 0.05 defaults."""

from __future__ import annotations

from typing import Any

from . import _init as _tf1_init
from ._base import Initializer
from ._init import (Constant, GlorotNormal, GlorotUniform, Identity, Ones, VarianceScaling,
                    Zeros, he_normal, he_uniform, lecun_normal, lecun_uniform)
from ._orthogonal import Orthogonal
from .surface import DEFAULT_DTYPE, deserialize_from, get_from, namespace


class RandomNormal(_tf1_init.RandomNormal):
    """``tf.compat.v1.keras.initializers.RandomNormal``: the v1 class with ``stddev=0.05``.

    ``x = mean + stddev * z`` with ``z`` standard normal; see
    :class:`weightinit.tf1.RandomNormal` (whose default stddev is 1.0).
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype, stream=stream)


class RandomUniform(_tf1_init.RandomUniform):
    """``tf.compat.v1.keras.initializers.RandomUniform``: the v1 class on ``[-0.05, 0.05)``.

    ``x = minval + U * (maxval - minval)``; see :class:`weightinit.tf1.RandomUniform` (whose
    defaults are ``minval=0, maxval=None``).
    """

    def __init__(self, minval: Any = -0.05, maxval: Any = 0.05, seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype, stream=stream)


class TruncatedNormal(_tf1_init.TruncatedNormal):
    """``tf.compat.v1.keras.initializers.TruncatedNormal``: the v1 class with ``stddev=0.05``.

    ``x = mean + stddev * t``, ``t`` standard normal restricted to [-2, 2]; see
    :class:`weightinit.tf1.TruncatedNormal`.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None,
                 dtype: Any = DEFAULT_DTYPE, stream: str | None = None) -> None:
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype, stream=stream)


V1_OBJECTS: dict[str, Any] = {
    "Zeros": Zeros, "zeros": Zeros, "zero": Zeros,
    "Ones": Ones, "ones": Ones, "one": Ones,
    "Constant": Constant, "constant": Constant,
    "RandomUniform": RandomUniform, "uniform": RandomUniform, "random_uniform": RandomUniform,
    "RandomNormal": RandomNormal, "normal": RandomNormal, "random_normal": RandomNormal,
    "TruncatedNormal": TruncatedNormal, "truncated_normal": TruncatedNormal,
    "VarianceScaling": VarianceScaling,
    "Orthogonal": Orthogonal, "orthogonal": Orthogonal,
    "Identity": Identity, "identity": Identity,
    "GlorotNormal": GlorotNormal, "glorot_normal": GlorotNormal,
    "GlorotUniform": GlorotUniform, "glorot_uniform": GlorotUniform,
    "he_normal": he_normal, "he_uniform": he_uniform,
    "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
}


def serialize(initializer: Any) -> dict[str, Any]:
    """``{"class_name": type name, "config": get_config()}`` (``he_normal()`` gives
    ``"VarianceScaling"``), the TF 1.15 Keras format."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config: Any) -> Any:
    """The initializer a :func:`serialize` dict describes, looked up among the v1 Keras names.

    Raises
    ------
    ValueError
        For an unknown ``class_name`` or a malformed dict.
    """
    return deserialize_from(V1_OBJECTS, config)


def get(identifier: Any) -> Any:
    """An initializer from `identifier`, as TF 1.15's ``tf.keras.initializers.get``.

    ``None`` -> ``None``; a dict -> :func:`deserialize`; a name -> the class instantiated
    with no arguments (``he_normal`` and the other functions: called); any other callable
    (a class too) -> itself.

    Raises
    ------
    ValueError
        "Could not interpret initializer identifier: ..." for anything else, or an unknown
        name.
    """
    return get_from(identifier, deserialize, instantiate_classes=False)


v1 = namespace(
    "weightinit.keras.v1",
    "The ``tf.compat.v1.keras.initializers`` names: the v1 classes (Keras's RandomNormal, "
    "RandomUniform and TruncatedNormal with 0.05 defaults), get, serialize, deserialize.",
    dict(V1_OBJECTS, Initializer=Initializer, get=get, serialize=serialize,
         deserialize=deserialize))
