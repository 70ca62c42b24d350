# SPDX-License-Identifier: BSD-3-Clause
"""Model descriptions of any Hugging Face transformers architecture, from its ``config.json``.

Needs ``transformers`` (and torch): ``pip install 'weightinit[hf]'``; imported only here.

:func:`model_from_hf_config` builds the model on PyTorch's meta device (no memory, no
values), takes each parameter's name, shape and dtype from it, and each parameter's law as
``from_config`` gives it: first the ``torch.nn.init`` calls of each module's reset (what its
constructor draws: ``nn.Linear``'s Kaiming-uniform weight and bias), then the architecture's
own ``_init_weights``, run once on the meta model with the functions of
``transformers.initialization`` (which every architecture calls, and which transformers
substitutes for ``torch.nn.init``'s during initialization) replaced by recorders, so the
recorded call (``normal_(w, std=0.02)``, ``zeros_(b)``, ``ones_(g)``, GPT-2's
``normal_(c_proj.weight, std=0.02 / sqrt(2 * n_layer))``, ``lecun_normal_``'s truncated
normal with its fans, ...) is the law, with its arguments, for that architecture, module type
and configuration. The last call on a parameter wins, as it does in transformers. The model
is built untied and tied after the laws are recorded, as ``from_config`` initializes it: a
tied pair (an LM head tied to the input embedding) holds the source's law, zero
``padding_idx`` row included.

Values the architecture computes are written as computed (the ``values`` initializer):
``copy_`` of a table (sinusoidal positions, Mamba's ``A_log``), computed on the CPU by the
module's own ``_init_weights`` when it derives it from the module's tensors; a constructor's
value that nothing later sets (CLIP's ``logit_scale``), from the model built on the CPU.
Each is recorded from two states of torch's generator and taken only if both agree. A
parameter drawn from torch's generator other than by a law, or set in a way weightinit
cannot reproduce (part of a tensor), is an error naming it and its module type.

The class built is the caller's ``auto_class`` (an Auto class or a model class), else the
config's ``architectures``, else ``AutoModel``'s: the base model. Tied parameters
(``lm_head.weight`` of a model that ties it to the input embedding) are written once, under
the name transformers saves, as ``save_pretrained`` does.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from . import CheckpointError, Model, load_json, model_from_dict

if TYPE_CHECKING:
    from torch import Tensor, nn
    from transformers import PreTrainedConfig, PreTrainedModel

__all__ = ["model_from_hf_config", "hf_description", "from_config"]

#: transformers.initialization / torch.nn.init function -> (weightinit name, its arguments
#: in the order transformers' function takes them after the tensor, defaults). The defaults
#: are read from weightinit.init's own signatures (torch's), not written again here: an
#: argument left at its default is left out of the description, whose law then takes the
#: same default.
_FUNCTIONS = ("normal_", "uniform_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
              "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
              "kaiming_normal_", "orthogonal_", "sparse_")


def _arguments(function: str) -> tuple[tuple[str, Any], ...]:
    """``(name, default)`` of `function`'s arguments after the tensor (None: required)."""
    from .. import init

    parameters = list(inspect.signature(getattr(init, function)).parameters.values())[1:]
    return tuple((p.name, None if p.default is inspect.Parameter.empty else p.default)
                 for p in parameters if p.name != "generator")


_LAWS = {function: (function[:-1], _arguments(function)) for function in _FUNCTIONS}
_DTYPES = ("float16", "bfloat16", "float32", "float64")


class _EntryKeys(TypedDict):
    name: str
    shape: list[int]
    init: dict[str, Any]


class _Entry(_EntryKeys, total=False):
    """A parameter of the description (see :func:`weightinit.checkpoint.model_from_dict`)."""

    dtype: str
    zero_rows: list[int]


def _import() -> tuple[ModuleType, ModuleType]:
    """``(torch, transformers)``, or a CheckpointError saying what to install."""
    try:
        import torch
        import transformers
    except ImportError as e:
        raise CheckpointError(f"--hf-config needs transformers and torch ({e}); pip install "
                              "'weightinit[hf]'") from None
    major = transformers.__version__.split(".")[0]
    if not major.isdigit() or int(major) < 5:
        raise CheckpointError(f"--hf-config needs transformers 5 or newer, found "
                              f"{transformers.__version__}; pip install 'weightinit[hf]'")
    return torch, transformers


def _read_config(source: str | os.PathLike[str]) -> tuple[dict[str, Any], str]:
    """``(dict, path)`` of a ``config.json`` file or of a folder holding one."""
    path = os.fspath(source)
    if os.path.isdir(path):
        path = os.path.join(path, "config.json")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read the config ({e.strerror or e})") from None
    config = load_json(text, path, "a config")
    if not isinstance(config, dict) or not isinstance(config.get("model_type"), str):
        raise CheckpointError(f"{path}: a transformers config needs a 'model_type' key")
    return config, path


def _model_class(config: PreTrainedConfig, architectures: Any, auto_class: str | None,
                 where: str) -> type[PreTrainedModel]:
    """The class to build: `auto_class` (an Auto class, e.g. ``AutoModelForCausalLM``, or a
    model class, e.g. ``BertForMaskedLM``) if given, else the config's ``architectures``, else
    ``AutoModel``'s class (the base model), as ``from_config`` picks each."""
    import transformers
    from transformers import PreTrainedModel
    from transformers.models.auto.auto_factory import _BaseAutoModelClass, _get_model_class

    model_type = config.model_type
    if auto_class is None and architectures:
        names = [architectures] if isinstance(architectures, str) else list(architectures)
        for arch in names:
            cls = getattr(transformers, str(arch), None)
            if isinstance(cls, type) and issubclass(cls, PreTrainedModel):
                return cls
        raise CheckpointError(f"{where}: 'architectures' {names} names no model class of "
                              f"transformers {transformers.__version__}; name one with "
                              "--auto-class (auto_class=)")
    name = auto_class or "AutoModel"
    found = getattr(transformers, name, None)
    if isinstance(found, type) and issubclass(found, _BaseAutoModelClass):
        try:
            # transformers annotates the mapping's values as (class, class) pairs; the model
            # mappings hold a model class or a tuple of them, which _get_model_class picks from.
            if not config.architectures:  # transformers would iterate None: its default
                supported = found._model_mapping[type(config)]  # type: ignore[index]
                return supported[0] if isinstance(supported, (list, tuple)) else supported  # type: ignore[no-any-return]
            return _get_model_class(config, found._model_mapping)  # type: ignore[no-any-return]
        except (KeyError, ValueError):
            raise CheckpointError(f"{where}: {name} has no class for model_type {model_type!r}"
                                  + ("" if auto_class else "; name one with --auto-class "
                                                           "(auto_class=)")) from None
    if isinstance(found, type) and issubclass(found, PreTrainedModel):
        wants = getattr(found, "config_class", None)
        if isinstance(wants, type) and not isinstance(config, wants):
            raise CheckpointError(f"{where}: {name} is built from a {wants.__name__}, not from "
                                  f"model_type {model_type!r} ({type(config).__name__})")
        return found
    raise CheckpointError(f"{where}: auto class {name!r} is neither an Auto class (e.g. "
                          f"AutoModelForCausalLM) nor a model class of transformers "
                          f"{transformers.__version__}")


def _build(config_dict: Mapping[str, Any], auto_class: str | None,
           where: str) -> tuple[PreTrainedConfig, PreTrainedModel, _Calls]:
    """The transformers config object and the model for it (see :func:`_model_class`), on
    the meta device, and the torch.nn.init calls its constructors made."""
    torch, transformers = _import()
    from transformers import CONFIG_MAPPING, initialization

    model_type = config_dict["model_type"]
    if model_type not in CONFIG_MAPPING:
        raise CheckpointError(f"{where}: model_type {model_type!r} is not an architecture of "
                              f"transformers {transformers.__version__}")
    try:
        config = CONFIG_MAPPING[model_type].from_dict(dict(config_dict))
    except Exception as e:  # noqa: BLE001 - transformers' validators raise their own types
        reason = " ".join(str(e).split())  # one line
        raise CheckpointError(f"{where}: transformers refuses the config: "
                              f"{reason[:300] + '...' if len(reason) > 300 else reason}") from None
    cls = _model_class(config, config_dict.get("architectures"), auto_class, where)
    from transformers import PreTrainedModel

    from ..materialize import _init_functions, _patched

    calls: _Calls = []

    def keep(function: str, real: Callable[..., Tensor]) -> Callable[..., Tensor]:
        def call(tensor: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            calls.append((function, tensor, args, kwargs))
            return tensor
        return call

    def padding_row(self: nn.Embedding) -> None:
        if self.padding_idx is not None:
            calls.append((_PADDING, self.weight, (int(self.padding_idx),), {}))

    try:
        # Built untied, as from_config initializes it: each tied name gets its own law, and
        # tying (after the laws are recorded) keeps the source's, as from_config's tensor does.
        # The constructors' torch.nn.init calls are kept for _record (on the meta device they
        # would set nothing, and their first call costs seconds of torch's meta machinery);
        # _init_weights runs later, recorded.
        with torch.device("meta"), initialization.no_tie_weights(), \
                _patched(PreTrainedModel, "init_weights", lambda self: None), \
                _init_functions(keep), \
                _patched(torch.nn.Embedding, "_fill_padding_idx_with_zero", padding_row):
            model = cls._from_config(config)
    except Exception as e:  # noqa: BLE001 - any failure of the architecture's constructor
        raise CheckpointError(f"{where}: {cls.__name__} cannot be built from this config: "
                              f"{type(e).__name__}: {e}") from None
    if not hasattr(model, "all_tied_weights_keys"):  # set by post_init, which a model class runs
        raise CheckpointError(f"{where}: {cls.__name__} is a base class, not a model class "
                              "(e.g. BertForMaskedLM)")
    return config, model, calls


#: The torch.nn.init calls of a model's constructors, in order: (function, tensor, args,
#: kwargs); function _PADDING: nn.Embedding zeroing its padding row (args: the row).
_Calls = list[tuple[str, "Tensor", tuple[Any, ...], dict[str, Any]]]
_PADDING = "padding row"


_FROM_META = "copy_ of values computed from the model's own tensors"
_FROM_GENERATOR = "copy_ of values drawn from torch's generator"


class _Recorder:
    """Replaces ``transformers.initialization``'s functions by ones that record the call."""

    def __init__(self, model: nn.Module) -> None:
        self.by_id: dict[int, str] = {}  # id(parameter or buffer) -> name
        for name, p in model.named_parameters(remove_duplicate=False):
            self.by_id.setdefault(id(p), name)
        for name, b in model.named_buffers(remove_duplicate=False):
            self.by_id.setdefault(id(b), name)
        # name -> (weightinit name, arguments) of the last call
        self.laws: dict[str, tuple[str, dict[str, Any]]] = {}
        # name -> rows zeroed after the last call (nn.Embedding's padding_idx)
        self.zero_rows: dict[str, set[int]] = {}
        self.problems: dict[str, str] = {}  # name -> why its law cannot be reproduced
        self.module: nn.Module | None = None  # the module whose _init_weights runs

    def record(self, function: str, tensor: Tensor, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> Tensor:
        name = self.by_id.get(id(tensor))
        if name is None:
            base = getattr(tensor, "_base", None)
            if base is not None and id(base) in self.by_id:
                owner = self.by_id[id(base)]
                row = _row_of(tensor, base)
                if function == "zeros_" and row is not None:
                    self.zero_rows.setdefault(owner, set()).add(row)  # nn.Embedding's padding_idx
                else:
                    self.problems[owner] = f"{function} on a part of the tensor"
            return tensor  # a buffer (computed by the model, not saved) or a part of one
        self.zero_rows.pop(name, None)
        if function == "copy_":
            self._record_copy(name, tensor, args[0] if args else kwargs.get("other"))
            return tensor
        if function not in _LAWS:
            self.problems[name] = f"{function}"
            self.laws.pop(name, None)
            return tensor
        law, params = _LAWS[function]
        values = dict(params)
        kwargs = {k: v for k, v in kwargs.items() if k != "generator"}
        for (key, _), value in zip(params, args):
            values[key] = value
        values.update(kwargs)
        defaults = dict(params)
        # Arguments at their defaults are left out, as a hand-written description would.
        self.laws[name] = (law, {k: v for k, v in values.items()
                                 if v is not None and not (k in defaults and v == defaults[k]
                                                           and type(v) is type(defaults[k]))})
        self.problems.pop(name, None)
        return tensor

    def _record_copy(self, name: str, tensor: Tensor, source: Any) -> None:
        """``copy_(tensor, source)``: the values of `source` (computed by the architecture,
        e.g. a sinusoidal table or Mamba's ``A_log``) in `tensor`'s shape; a source computed
        from the model's own meta tensors has no values to take."""
        import torch

        if not isinstance(source, torch.Tensor) or source.is_meta:
            self.problems[name] = _FROM_META
            self.laws.pop(name, None)
            return
        wide = torch.float64 if source.dtype == torch.float64 else torch.float32
        values = torch.empty(tuple(tensor.shape), dtype=wide).copy_(source)
        self.laws[name] = ("values", {"values": values.numpy()})
        self.problems.pop(name, None)

    def patched(self) -> contextlib.AbstractContextManager[None]:
        """transformers' init functions record their calls instead of drawing."""
        def recorder(function: str, real: Callable[..., Tensor]) -> Callable[..., Tensor]:
            def call(tensor: Tensor, *args: Any, **kwargs: Any) -> Tensor:
                return self.record(function, tensor, args, kwargs)
            return call

        return _transformers_init_replaced(recorder)


#: One replacement of init functions at a time (they are process-wide names).
_REPLACING = threading.RLock()


@contextlib.contextmanager
def replaced(targets: list[tuple[dict[str, Any], str]],
             stand_in: Callable[[str, Callable[..., Any]], Callable[..., Any]]) -> Iterator[None]:
    """Each ``namespace[name]`` of `targets` replaced by ``stand_in(name, original)`` for the
    calling thread; other threads calling it meanwhile get the original."""
    owner = threading.get_ident()

    def for_owner(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        ours = stand_in(name, real)

        def call(*args: Any, **kwargs: Any) -> Any:
            return (ours if threading.get_ident() == owner else real)(*args, **kwargs)
        return call

    with _REPLACING:
        saved = [(namespace, name, namespace[name]) for namespace, name in targets]
        try:
            for namespace, name, real in saved:
                namespace[name] = for_owner(name, real)
            yield
        finally:
            for namespace, name, real in saved:
                namespace[name] = real


def _transformers_init_replaced(stand_in: Callable[[str, Callable[..., Any]], Callable[..., Any]]
                                ) -> contextlib.AbstractContextManager[None]:
    """The functions of ``transformers.initialization`` replaced (see :func:`replaced`)."""
    from transformers import initialization

    # lecun_normal_ and default_flax_embed_init_ stay: they compute their std from the fans
    # and call this module's trunc_normal_ / normal_, which are replaced.
    names = set(initialization.TORCH_INIT_FUNCTIONS) | {"copy_"}
    namespace = vars(initialization)
    return replaced([(namespace, n) for n in sorted(names) if n in namespace], stand_in)


def is_one_of(tensor: Any, ids: set[int]) -> bool:
    """Whether `tensor`, or the tensor it is a view of, is one of `ids`."""
    base = getattr(tensor, "_base", None)
    return id(tensor) in ids or (base is not None and id(base) in ids)


def poison_buffers(module: nn.Module, skip: set[int]) -> dict[str, Tensor]:
    """Fill the buffers of `module` but those in `skip` with a value no code writes (NaN, the
    integer minimum), so that one left unset after allocation is seen; name -> buffer."""
    import torch

    out = {}
    for name, b in module.named_buffers():
        if id(b) not in skip and b.numel() and b.dtype != torch.bool:
            b.fill_(float("nan") if b.is_floating_point() else torch.iinfo(b.dtype).min)
            out[name] = b
    return out


def unset_buffers(poisoned: Mapping[str, Tensor]) -> list[str]:
    """The names of the :func:`poison_buffers` buffers that no code has set since."""
    import torch

    return [name for name, b in poisoned.items()
            if bool((torch.isnan(b) if b.is_floating_point()
                     else b == torch.iinfo(b.dtype).min).all())]


def _row_of(view: Tensor, base: Tensor) -> int | None:
    """The index of `view` as a row ``base[k]`` (axis 0), or None if it is another part."""
    if base.dim() == 0 or tuple(view.shape) != tuple(base.shape[1:]):
        return None
    if tuple(view.stride()) != tuple(base.stride()[1:]) or base.stride(0) == 0:
        return None
    # int(): torch annotates offsets as int or SymInt (symbolic shapes); a tensor here has ints.
    k, rest = divmod(int(view.storage_offset()) - int(base.storage_offset()), base.stride(0))
    return k if rest == 0 and 0 <= k < base.shape[0] else None


def _keep_in_fp32(model: PreTrainedModel, dtype: str) -> re.Pattern[str] | None:
    """The pattern of the names the architecture keeps in float32 for `dtype` (transformers'
    ``_keep_in_fp32_modules_strict`` for 16-bit dtypes, ``_keep_in_fp32_modules`` too for
    float16), or None."""
    keep: set[str] = set()
    if dtype in ("float16", "bfloat16"):
        keep |= set(getattr(model, "_keep_in_fp32_modules_strict", None) or ())
    if dtype == "float16":
        keep |= set(getattr(model, "_keep_in_fp32_modules", None) or ())
    if not keep:
        return None
    return re.compile(r"((^|\.)(" + "|".join(re.escape(k) for k in sorted(keep)) + r")($|\.))")


def _module_types(model: nn.Module) -> dict[str, str]:
    """Parameter name -> the type name of the module that holds it."""
    out: dict[str, str] = {}
    for mname, module in model.named_modules(remove_duplicate=False):
        for pname, _ in module.named_parameters(recurse=False, remove_duplicate=False):
            out.setdefault(f"{mname}.{pname}" if mname else pname, type(module).__name__)
    return out


def hf_description(source: str | os.PathLike[str], dtype: str | None = None, *,
                   auto_class: str | None = None) -> dict[str, Any]:
    """The model description (see :func:`weightinit.checkpoint.model_from_dict`) of the
    transformers architecture in `source`, a ``config.json`` or a folder holding one.

    Parameters
    ----------
    source : path
        A ``config.json``, or a folder holding one.
    dtype : str, optional
        float16, bfloat16, float32 or float64; default the config's ``dtype``, else float32.
    auto_class : str, optional
        The model class to build: an Auto class's name (``"AutoModelForCausalLM"``,
        ``"AutoModelForMaskedLM"``, ...) or a model class's (``"BertForMaskedLM"``). Default:
        the config's ``architectures``, else ``AutoModel``'s class (the base model, as
        ``AutoModel.from_config`` builds it; a config saved from a config class has no
        ``architectures``).

    Raises
    ------
    CheckpointError
        transformers missing, an unknown ``model_type``, a config transformers refuses, an
        `auto_class` or ``architectures`` that names no class for the config, a parameter
        whose initialization cannot be derived (naming its module type), a persistent buffer
        (saved, but not a parameter).
    """
    config_dict, where = _read_config(source)
    return _derive(config_dict, where, dtype, auto_class)[0]


def _derive(config_dict: Mapping[str, Any], where: str, dtype: str | None,
            auto_class: str | None) -> tuple[dict[str, Any], PreTrainedModel]:
    """The description of :func:`hf_description` and the model it was derived from: on the
    meta device, tied, its config naming the class and `dtype`."""
    torch, _ = _import()
    config, model, calls = _build(config_dict, auto_class, where)
    with torch.random.fork_rng(devices=[]):  # the caller's generator is left as it was
        torch.manual_seed(0)
        recorder = _record(model, calls, where)
        if any(kind == "values" for kind, _ in recorder.laws.values()):
            # Values the architecture computes are taken only if they do not depend on
            # torch's generator: recorded again from another state, they must be the same.
            torch.manual_seed(1)
            again = _record(model, calls, where)
            for key, (kind, args) in recorder.laws.items():
                other = again.laws.get(key, ("", {}))
                if kind == "values" and not (other[0] == "values" and np.array_equal(
                        args["values"], other[1]["values"], equal_nan=True)):
                    recorder.problems[key] = _FROM_GENERATOR
        for key, why in list(recorder.problems.items()):
            if why == _FROM_META:
                _values_on_cpu(model, key, recorder)
    model.tie_weights(recompute_mapping=False)
    tied = set(getattr(model, "all_tied_weights_keys", {}) or {})
    params = dict(model.named_parameters(remove_duplicate=False))
    buffers = dict(model.named_buffers(remove_duplicate=False))
    kinds = _module_types(model)
    saved = [k for k in model.state_dict() if k not in tied]
    keys = {name: recorder.by_id.get(id(params.get(name, buffers.get(name))), name)
            for name in saved}  # the name each tensor's law is recorded under
    lawless = {name: key for name, key in keys.items()
               if key not in recorder.laws and key not in recorder.problems}
    if lawless:
        _constructor_values(type(model), config, lawless, recorder, where)
    if dtype is None:
        dtype = str(getattr(config, "dtype", None) or "float32").replace("torch.", "")
    if dtype not in _DTYPES:
        raise CheckpointError(f"{where}: dtype {dtype!r} is not one of {', '.join(_DTYPES)}")
    fp32 = _keep_in_fp32(model, dtype)
    entries: list[_Entry] = []
    for name in saved:
        p: Tensor | None = params.get(name)
        if p is None:
            p = buffers[name]
            if keys[name] not in recorder.laws and keys[name] not in recorder.problems:
                raise CheckpointError(
                    f"{where}: {name} is a saved buffer of {type(model).__name__} that neither "
                    "its _init_weights nor its constructor sets (by a law or to values that "
                    "do not depend on torch's generator)")
        # Tied after recording: a tied name's tensor is its source's, with the source's law.
        law = recorder.laws.get(recorder.by_id.get(id(p), name))
        problem = recorder.problems.get(recorder.by_id.get(id(p), name))
        if law is None or problem:
            how = f"it is set by {problem}" if problem else "its _init_weights sets no law for it"
            raise CheckpointError(
                f"{where}: cannot derive the initialization of {name} (module type "
                f"{kinds.get(name, '?')} of {type(model).__name__}): {how}")
        entry: _Entry = {"name": name, "shape": list(p.shape), "init": {"name": law[0], **law[1]}}
        if fp32 is not None and fp32.search(name):
            entry["dtype"] = "float32"  # kept in float32 by the architecture, as transformers loads it
        rows = recorder.zero_rows.get(recorder.by_id.get(id(p), name))
        if rows:
            entry["zero_rows"] = sorted(rows)
        entries.append(entry)
    config.architectures = [type(model).__name__]
    config.dtype = dtype
    out: dict[str, Any] = {"name": config_dict.get("_name_or_path") or config.model_type,
           "description": f"{type(model).__name__} from {os.path.basename(where)}, laws from its "
                          "_init_weights",
           "dtype": dtype, "parameters": entries,
           "config": json.loads(config.to_json_string(use_diff=True))}
    # The tensors are those of transformers' own class: a reference to remote code
    # (auto_map) would have a later trust_remote_code=True load fetch and run another one.
    out["config"].pop("auto_map", None)
    if model.can_generate():
        generation = getattr(model, "generation_config", None)
        if generation is not None:
            out["generation_config"] = json.loads(generation.to_json_string(use_diff=True))
    return out, model


def _clear_initialized(model: nn.Module) -> None:
    """Forget transformers' marks of initialized modules and tensors, so that
    ``initialize_weights`` runs ``_init_weights`` on each again."""
    for m in model.modules():
        m.__dict__.pop("_is_hf_initialized", None)
    for t in list(model.parameters()) + list(model.buffers()):
        t.__dict__.pop("_is_hf_initialized", None)


def _record(model: PreTrainedModel, calls: _Calls, where: str) -> _Recorder:
    """The laws of `model` (on the meta device) as ``from_config`` gives them: its
    constructors' torch.nn.init `calls` and each module's reset (what the constructors draw),
    then the architecture's ``_init_weights``, the later call on a tensor winning."""
    import torch

    from ..materialize import record_resets

    recorder = _Recorder(model)
    for function, tensor, args, kwargs in calls:
        if function == _PADDING:
            name = recorder.by_id.get(id(tensor))
            if name is not None:
                recorder.zero_rows.setdefault(name, set()).add(args[0])
        else:
            recorder.record(function, tensor, args, kwargs)
    record_resets(model, recorder, strict=False)
    _clear_initialized(model)
    with recorder.patched(), torch.no_grad():
        try:
            model.initialize_weights()
        except Exception as e:  # noqa: BLE001 - the architecture's own code
            raise CheckpointError(f"{where}: {type(model).__name__}._init_weights failed on the "
                                  f"meta device: {type(e).__name__}: {e}") from None
    return recorder


def _values_on_cpu(model: PreTrainedModel, name: str, recorder: _Recorder) -> None:
    """The values that ``copy_`` writes into parameter `name` when the architecture computes
    them from the module's own tensors (``torch.arange(..., device=self.A_log.device)``, a
    sinusoidal table written into ``empty_like(weight)``): the ``_init_weights`` of its
    module, else of the nearest enclosing one that writes it, runs on a CPU copy of that
    module (memory allocated, not touched, but for the values written), from two states of
    torch's generator; values equal in both are recorded, others are refused."""
    import copy

    import torch
    from transformers import PreTrainedModel

    parts = name.split(".")
    for depth in range(len(parts) - 1, -1, -1):
        path = ".".join(parts[:depth])
        owner = model.get_submodule(path)
        initializer = next(m for m in (model.get_submodule(".".join(parts[:d]))
                                       for d in range(depth, -1, -1))
                           if isinstance(m, PreTrainedModel))
        found = []
        for seed in (0, 1):
            memo: dict[int, Any] = {id(p): torch.nn.Parameter(torch.empty_like(p, device="cpu"),
                                                               requires_grad=p.requires_grad)
                                    for p in owner.parameters()}
            memo.update({id(b): torch.empty_like(b, device="cpu") for b in owner.buffers()})
            twin = copy.deepcopy(owner, memo)
            local = _Recorder(twin)
            torch.manual_seed(seed)
            with local.patched(), torch.no_grad():
                try:
                    initializer._init_weights(twin)
                except Exception:  # noqa: BLE001 - not the module that writes it
                    break
            law = local.laws.get(".".join(parts[depth:]))
            if law is None or law[0] != "values":
                break
            found.append(law[1]["values"])
        if len(found) == 2:
            if np.array_equal(found[0], found[1], equal_nan=True):
                recorder.laws[name] = ("values", {"values": found[0]})
                recorder.problems.pop(name, None)
            else:
                recorder.problems[name] = _FROM_GENERATOR
            return


def _constructor_values(cls: type[PreTrainedModel], config: PreTrainedConfig,
                        names: Mapping[str, str], recorder: _Recorder, where: str) -> None:
    """Values that the constructors of `cls` set and nothing later changes (CLIP's
    ``logit_scale`` from the config), for `names` (saved name -> the name its law is recorded
    under): the model is built on the CPU twice, with torch's generator in two states, its
    init functions and ``_init_weights`` skipped (their draws have laws already); a tensor
    equal in both is recorded as its values, one that differs as drawn from torch's
    generator."""
    import torch
    from transformers import initialization

    built: list[dict[str, Any]] = []
    with torch.random.fork_rng(devices=[]):
        for seed in (0, 1):
            torch.manual_seed(seed)
            try:
                with initialization.no_tie_weights(), initialization.no_init_weights():
                    twin = cls._from_config(config)  # no draws: what is left is computed
            except Exception as e:  # noqa: BLE001 - the architecture's own code
                raise CheckpointError(f"{where}: {cls.__name__} cannot be built on the CPU: "
                                      f"{type(e).__name__}: {e}") from None
            state = twin.state_dict(keep_vars=True)
            built.append({n: state[n].detach().clone() for n in names if n in state})
            del twin, state
    for name, key in names.items():
        first, second = built[0].get(name), built[1].get(name)
        if first is None or second is None or not first.is_floating_point():
            continue
        if torch.equal(first.isnan(), second.isnan()) and torch.equal(
                first.nan_to_num(), second.nan_to_num()):
            wide = torch.float64 if first.dtype == torch.float64 else torch.float32
            recorder.laws[key] = ("values", {"values": first.to(wide).numpy()})
        else:
            recorder.problems[key] = "its constructor, with torch's generator"


def model_from_hf_config(source: str | os.PathLike[str], dtype: str | None = None, *,
                         auto_class: str | None = None) -> Model:
    """A :class:`~weightinit.checkpoint.Model` of the transformers architecture in `source`
    (see :func:`hf_description`, `auto_class` included), with the ``config.json`` and
    ``generation_config.json`` that make the class built (its ``architectures``) and its Auto
    class (``AutoModelForCausalLM`` for a causal LM) load it with ``from_pretrained``.
    """
    desc = hf_description(source, dtype, auto_class=auto_class)
    return model_from_dict(desc, None, os.fspath(source))


def from_config(config: Any, *, seed: int = 0, dtype: str | None = None,
                auto_class: str | None = None, progress: bool = False) -> PreTrainedModel:
    """A transformers model with weightinit's values, as ``AutoModel.from_config`` builds it
    with transformers' own initialization, without that initialization's time.

    The model is built on the meta device, each parameter's law derived as for
    ``weightinit init --hf-config`` (:func:`hf_description`), then its memory is allocated on
    the CPU and filled: every saved tensor equals, bit for bit, the one that
    ``weightinit init --hf-config`` writes for the same config, `seed` and `dtype`, whatever
    the thread count. Buffers the architecture computes (rotary ``inv_freq``, position ids)
    are computed by its own ``_init_weights``, as ``from_config`` does.

    Parameters
    ----------
    config : transformers config, dict, or path
        A ``PretrainedConfig``, its ``to_dict()``, a ``config.json`` or a folder holding one.
    seed : int
        The Philox key in [0, 2**64); parameter ``NAME`` draws on stream BLAKE2b-64(NAME).
    dtype : str, optional
        float16, bfloat16, float32 or float64; default the config's ``dtype``, else float32
        (modules the architecture keeps in float32 stay float32).
    auto_class : str, optional
        The class to build, as in :func:`hf_description`; default the config's
        ``architectures``, else ``AutoModel``'s class.
    progress : bool
        Show the bytes filled on stderr (a tqdm bar on a terminal, with the ``progress``
        extra), for large models.

    Raises
    ------
    CheckpointError
        As :func:`hf_description`; also a buffer that neither a law nor ``_init_weights``
        sets (it would hold garbage): nothing half-initialized is returned.
    """
    from ..core.fills import check_seed

    torch, transformers = _import()
    seed = check_seed(seed)
    if isinstance(config, transformers.PretrainedConfig):
        config_dict, where = config.to_dict(), f"the {type(config).__name__}"
    elif isinstance(config, Mapping):
        config_dict, where = dict(config), "the config"
        if not isinstance(config_dict.get("model_type"), str):
            raise CheckpointError(f"{where}: a transformers config needs a 'model_type' key")
    else:
        config_dict, where = _read_config(config)
    desc, model = _derive(config_dict, where, dtype, auto_class)
    fill_model(model, model_from_dict(desc, None, where), seed=seed, where=where,
               progress=progress)
    return model


def fill_model(model: PreTrainedModel, described: Model, *, seed: int, where: str,
               progress: bool = False) -> None:
    """Give `model` (on the meta device, or on the CPU: then in place) the values of
    `described` (its :func:`hf_description`, name for name) and its computed buffers: each
    saved tensor converted to its described dtype (ties kept), allocated on the CPU, its
    buffers computed by ``_init_weights``, its parameters filled (with a progress bar on
    stderr if `progress`)."""
    import torch

    from . import fill_parameters

    with torch.no_grad():
        for p in described.parameters:  # each saved tensor in its dtype; .data keeps the ties
            t = _tensor_named(model, p.name)
            if t.dtype != getattr(torch, p.dtype.name):
                t.data = torch.empty(t.shape, dtype=getattr(torch, p.dtype.name),
                                     device=t.device)
        if any(t.is_meta for t in [*model.parameters(), *model.buffers()]):
            model.to_empty(device="cpu")
        model.tie_weights(recompute_mapping=False)
        targets = {p.name: _tensor_named(model, p.name) for p in described.parameters}
        _compute_buffers(model, {id(t) for t in targets.values()}, where)
        fill_parameters([(p, targets[p.name].detach()) for p in described.parameters],
                        seed=seed, progress=progress)


def _tensor_named(model: nn.Module, name: str) -> Tensor:
    try:
        return model.get_parameter(name)
    except AttributeError:
        return model.get_buffer(name)


def _compute_buffers(model: PreTrainedModel, saved: set[int], where: str) -> None:
    """Run the architecture's ``_init_weights`` on the allocated model for what it computes
    (buffers that are not saved: rotary ``inv_freq``, position ids...), skipping the saved
    tensors (weightinit fills them); then check that no other buffer was left unset."""
    poisoned = poison_buffers(model, saved)
    for m in model.modules():
        m.__dict__.pop("_is_hf_initialized", None)
    for t in list(model.parameters()) + list(model.buffers()):
        t.__dict__.pop("_is_hf_initialized", None)

    def only_buffers(function: str, real: Callable[..., Tensor]) -> Callable[..., Tensor]:
        def call(tensor: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            if is_one_of(tensor, saved):
                return tensor  # weightinit fills it
            return real(tensor, *args, **kwargs)
        return call

    try:
        with _transformers_init_replaced(only_buffers):
            model.initialize_weights()
    except Exception as e:  # noqa: BLE001 - the architecture's own code
        raise CheckpointError(f"{where}: {type(model).__name__}._init_weights failed on the "
                              f"allocated model: {type(e).__name__}: {e}") from None
    for name in unset_buffers(poisoned):
        raise CheckpointError(
            f"{where}: the buffer {name} of {type(model).__name__} is computed in its "
            "constructor, not by _init_weights, so it cannot be rebuilt after building on "
            "the meta device")
