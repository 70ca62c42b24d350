# SPDX-License-Identifier: BSD-3-Clause
"""Model descriptions: a checkpoint's parameters (name, shape, dtype, initializer with its
arguments) and the Hugging Face configuration files to write beside them, read from JSON,
YAML, a shipped preset or a dict, every entry checked before anything is drawn."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import shard
from ..core.dtypes import FLOAT_NAMES, as_dtype
from ..core.fills import check_shape

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

#: The most parameters a description may expand to (``repeat`` groups included).
MAX_PARAMETERS = 1_000_000
#: The largest tensor, file or checkpoint in bytes (safetensors' offsets are 64-bit).
MAX_BYTES = 2**63 - 1


class CheckpointError(Exception):
    """A model description, output folder or disk problem, with a message for the user."""


@dataclass(frozen=True)
class Parameter:
    """One tensor of a checkpoint: drawn on stream :func:`weightinit.shard.stream_for` (name),
    then rows `zero_rows` (of axis 0) set to zero (an embedding's padding row)."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    initializer: shard.BoxInitializer
    zero_rows: tuple[int, ...] = ()

    @property
    def stream(self) -> int:
        return shard.stream_for(self.name)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.numel * self.dtype.itemsize


@dataclass(frozen=True)
class Model:
    """A named list of parameters, with the Hugging Face configuration files to write (or None).
    """

    name: str
    parameters: tuple[Parameter, ...]
    config: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    generation_config: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def numel(self) -> int:
        return sum(p.numel for p in self.parameters)

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.parameters)

    def __getitem__(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


def _presets() -> Traversable:
    return resources.files("weightinit.checkpoint").joinpath("presets")


def preset_names() -> list[str]:
    """Names of the shipped model descriptions (``weightinit/presets/<name>.json``)."""
    return sorted(p.name[:-5] for p in _presets().iterdir() if p.name.endswith(".json"))


def load_model(source: str | os.PathLike[str] | dict[str, Any], dtype: str | None = None) -> Model:
    """A model from a JSON or YAML file, a preset name, or a dict (see :func:`model_from_dict`).

    Parameters
    ----------
    source : str, os.PathLike or dict
        A path (``.yaml`` / ``.yml`` need PyYAML), else the name of a preset.
    dtype : str, optional
        Overrides the description's default dtype (not the dtypes its parameters name).

    Raises
    ------
    CheckpointError
        No such file or preset, a file that does not parse, or a bad description.
    """
    if isinstance(source, dict):
        return model_from_dict(source, dtype)
    path = os.fspath(source)
    if os.path.exists(path):
        text = _read_text(path, "the model description")
        where = path
    elif path in preset_names():
        text = _presets().joinpath(path + ".json").read_text(encoding="utf-8")
        where = f"preset {path}"
    else:
        raise CheckpointError(f"{path}: no such file, nor a preset ({', '.join(preset_names())})")
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise CheckpointError(f"{path}: reading YAML needs PyYAML (pip install pyyaml); "
                                  "or write the description as JSON") from None
        try:
            desc = yaml.load(text, Loader=_NoAliasLoader(yaml))
        except yaml.YAMLError as e:
            raise CheckpointError(f"{path}: not valid YAML: {e}") from None
        except RecursionError:
            raise CheckpointError(f"{path}: nested too deeply to be a model description") from None
    else:
        desc = load_json(text, where, "a model description")
    return model_from_dict(desc, dtype, where)


def _read_text(path: str, what: str) -> str:
    """The UTF-8 text of the file at `path`; a CheckpointError naming it and `what` it should
    hold when it cannot be read or is not UTF-8."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read {what} ({e.strerror or e})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckpointError(f"{path}: {what} must be UTF-8 text; byte {e.start} is "
                              f"0x{data[e.start]:02x}") from None


def _NoAliasLoader(yaml: Any) -> Any:
    """PyYAML's safe loader, refusing aliases (``*name``): a model description has repeat
    groups for repetition, and aliases nested in each other grow a small file into an
    exponentially large document."""
    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise yaml.YAMLError(f"line {mark.line + 1}: aliases (*name) are not allowed "
                                     "in a model description; use a repeat group")
            return super().compose_node(parent, index)
    return Loader


def load_json(text: str, where: str, what: str) -> Any:
    """`text` parsed as JSON; a CheckpointError naming `where` (and `what` it should be)
    for text that does not parse or nests too deeply."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{where}: not valid JSON: {e}") from None
    except RecursionError:
        raise CheckpointError(f"{where}: nested too deeply to be {what}") from None


def _expand(items: object, where: str,
            repeat_ok: bool = True) -> Iterator[tuple[str, dict[str, Any]]]:
    """Parameter entries with ``{"repeat": n, "parameters": [...]}`` groups unrolled.

    The expanded count is checked against :data:`MAX_PARAMETERS` before a group is unrolled,
    so a small file cannot ask for an unbounded list.
    """
    if not isinstance(items, list):
        raise CheckpointError(f"{where}: 'parameters' must be a list")
    count = 0
    for k, item in enumerate(items):
        here = f"{where}[{k}]"
        if not isinstance(item, dict):
            raise CheckpointError(f"{here}: expected an object, got {_short(item)}")
        if "repeat" not in item:
            count += 1
            if count > MAX_PARAMETERS:
                raise CheckpointError(f"{here}: more than {MAX_PARAMETERS:,} parameters")
            yield here, item
            continue
        n = item["repeat"]
        if not repeat_ok:
            raise CheckpointError(f"{here}: repeat groups do not nest")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise CheckpointError(f"{here}: 'repeat' must be a non-negative integer, got {_short(n)}")
        extra = set(item) - {"repeat", "parameters"}
        if extra:
            raise CheckpointError(f"{here}: unknown keys {sorted(extra)} in a repeat group")
        body = list(_expand(item.get("parameters"), f"{here}.parameters", repeat_ok=False))
        count += n * len(body)
        if count > MAX_PARAMETERS:
            raise CheckpointError(f"{here}: repeat {n} x {len(body)} parameters makes more than "
                                  f"{MAX_PARAMETERS:,} parameters")
        for i in range(n):
            for inner, entry in body:
                yield f"{inner} (i={i})", {**entry, "name": str(entry.get("name")).replace("{i}", str(i))}


def _short(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to `limit` characters (a message stays one line)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<{type(value).__name__} nested too deeply>"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _parameter(entry: dict[str, Any], default_dtype: str, where: str) -> Parameter:
    extra = set(entry) - {"name", "shape", "dtype", "init", "zero_rows"}
    if extra:
        raise CheckpointError(f"{where}: unknown keys {sorted(extra)} (expected name, shape, "
                              "dtype, init, zero_rows)")
    name = entry.get("name")
    if not isinstance(name, str) or not name or name == "__metadata__":
        raise CheckpointError(f"{where}: 'name' must be a non-empty string (not __metadata__), "
                              f"got {name!r}")
    where = f"{where} {name!r}"
    shape = entry.get("shape")
    if not isinstance(shape, list) or any(isinstance(d, bool) or not isinstance(d, int)
                                          for d in shape):
        raise CheckpointError(f"{where}: 'shape' must be a list of integers, got {shape!r}")
    try:
        shape = check_shape(shape)
    except ValueError as e:
        raise CheckpointError(f"{where}: {e}") from None
    dtype_name = entry.get("dtype", default_dtype)
    if dtype_name not in FLOAT_NAMES:
        raise CheckpointError(f"{where}: 'dtype' must be one of {', '.join(FLOAT_NAMES)}, got "
                              f"{dtype_name!r}")
    try:
        dtype = as_dtype(dtype_name)
    except TypeError as e:
        raise CheckpointError(f"{where}: {e}") from None
    spec = entry.get("init")
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise CheckpointError(f"{where}: 'init' must be a name or an object with a 'name' and "
                              f"the initializer's arguments, got {spec!r}")
    args = {k: v for k, v in spec.items() if k != "name"}
    if math.prod(shape) * dtype.itemsize > MAX_BYTES:
        raise CheckpointError(f"{where}: shape {list(shape)} of {dtype.name} is 2**63 bytes or "
                              "more")
    try:
        initializer = shard.resolve((spec["name"], args))
        initializer.check(shape, dtype)
    except (TypeError, ValueError, RuntimeError, ZeroDivisionError, OverflowError) as e:
        raise CheckpointError(f"{where}: {e}") from None
    except RecursionError:
        raise CheckpointError(f"{where}: 'init' is nested too deeply") from None
    zero_rows = entry.get("zero_rows", [])
    if (not isinstance(zero_rows, list) or (zero_rows and not shape)
            or any(isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < shape[0]
                   for r in zero_rows)):
        raise CheckpointError(f"{where}: 'zero_rows' must be a list of row indices in [0, "
                              f"{shape[0] if shape else 0}), got {_short(zero_rows)}")
    return Parameter(name, shape, dtype, initializer, tuple(sorted(set(zero_rows))))


def model_from_dict(desc: dict[str, Any], dtype: str | None = None,
                    where: str = "model") -> Model:
    """A :class:`Model` from its description, every parameter checked.

    The description::

        {"name": "gpt2-small",          # optional
         "dtype": "float32",            # default dtype: float16, bfloat16, float32, float64
         "parameters": [
           {"name": "wte.weight", "shape": [50257, 768], "init": {"name": "normal", "std": 0.02}},
           {"repeat": 12, "parameters": [
             {"name": "h.{i}.ln_1.weight", "shape": [768], "init": "ones"}]}]}

    ``init`` is a name of :data:`weightinit.shard.INITIALIZERS` (torch names with torch's
    arguments and fans, TF names with TF1's) or an object with that ``name`` and the
    arguments. ``zero_rows`` (optional) lists rows of axis 0 set to zero after the draw, as
    ``nn.Embedding`` does to its ``padding_idx`` row. In a ``repeat`` group, ``{i}`` in a name becomes 0, 1, ..., n - 1. Optional
    ``"config"`` and ``"generation_config"`` objects are written as ``config.json`` and
    ``generation_config.json`` (what ``transformers``' ``from_pretrained`` reads).

    Raises
    ------
    CheckpointError
        Naming the entry: an unknown key, initializer or dtype, a bad shape or argument,
        arguments the initializer refuses for the shape (the law table's checks included),
        a duplicated name, no parameters, more than :data:`MAX_PARAMETERS`, 2**63 bytes or
        more.
    """
    if not isinstance(desc, dict):
        raise CheckpointError(f"{where}: expected an object with 'parameters', got "
                              f"{type(desc).__name__}")
    extra = set(desc) - {"name", "description", "dtype", "parameters", "config",
                         "generation_config"}
    if extra:
        raise CheckpointError(f"{where}: unknown keys {sorted(extra)} (expected name, "
                              "description, dtype, parameters, config, generation_config)")
    configs: dict[str, dict[str, Any] | None] = {}
    for key in ("config", "generation_config"):
        value = desc.get(key)
        if value is not None and not isinstance(value, dict):
            raise CheckpointError(f"{where}: '{key}' must be an object (the {key}.json to write), "
                                  f"got {_short(value)}")
        configs[key] = value
    default = dtype if dtype is not None else desc.get("dtype", "float32")
    if default not in FLOAT_NAMES:
        raise CheckpointError(f"{where}: dtype must be one of {', '.join(FLOAT_NAMES)}, got "
                              f"{default!r}")
    params: list[Parameter] = []
    seen: set[str] = set()
    for here, entry in _expand(desc.get("parameters"), f"{where}: parameters"):
        p = _parameter(entry, default, here)
        if p.name in seen:
            raise CheckpointError(f"{here}: duplicate parameter name {p.name!r}")
        seen.add(p.name)
        params.append(p)
    if not params:
        raise CheckpointError(f"{where}: 'parameters' is empty: a checkpoint needs at least one "
                              "parameter")
    total = sum(p.nbytes for p in params)
    if total > MAX_BYTES:
        raise CheckpointError(f"{where}: the parameters add up to 2**63 bytes or more "
                              f"({total:,})")
    name = desc.get("name", os.path.splitext(os.path.basename(where))[0])
    config = configs["config"]
    if config is not None and dtype is not None:
        # The dtype the checkpoint holds is the one transformers loads with dtype="auto".
        config = {**config, "dtype": dtype}
        config.pop("torch_dtype", None)
    return Model(str(name), tuple(params), config, configs["generation_config"])
