# SPDX-License-Identifier: BSD-3-Clause
"""A torch model's parameters, allocated and filled with weightinit's values, each with the law
its own initialization code gives it.

:func:`materialize` takes an ``nn.Module`` built on the meta device (or already on the CPU:
then it re-initializes it in place) and fills every parameter on the CPU:

* a transformers model (``PreTrainedModel``): each parameter's law from the architecture's
  ``_init_weights``, as ``weightinit init --hf-config`` derives it
  (:mod:`weightinit.checkpoint.hf`), so its ``state_dict()`` equals that checkpoint bit for
  bit; its buffers computed by the architecture's own code;
* any other module: the ``torch.nn.init`` calls of each submodule's ``reset_parameters()``
  (children before parents, as their constructors run), recorded on the meta device:
  ``nn.Linear``, ``Conv*``, ``nn.Embedding`` (its zero ``padding_idx`` row), the norms,
  ``nn.MultiheadAttention``, the RNNs, and user modules whose ``reset_parameters`` calls
  ``torch.nn.init``. Their buffers are set by running that code for real on the allocated
  module, with the ``torch.nn.init`` calls on parameters skipped (weightinit fills those).

Parameter ``NAME`` (its first name in ``named_parameters``) draws on stream
BLAKE2b-64(``NAME``) with key `seed`, as in a checkpoint, whatever the thread count. A
parameter whose initialization cannot be derived is an error naming it and its module type
(nothing is allocated or changed), unless ``fallback=True``: then its module's own
``reset_parameters()`` draws it with torch's generator, with a warning naming the module.

Sharded models: parameters that are DTensors on a CPU device mesh (made on the meta device,
then ``fully_shard`` (FSDP2), ``parallelize_module`` or ``distribute_tensor``; Shard and
Replicate placements, 1-D and 2-D meshes) stay DTensors of the same mesh and placements.
Each rank allocates only its local shard and fills it with the elements of the whole tensor
it holds (:func:`weightinit.checkpoint.fill_parameter`; the fill needs no communication): the
gathered model equals the one process's, bit for bit, uneven and empty shards included. Laws
and fans come from the global shapes. ``orthogonal`` and ``sparse``, laws of the whole
matrix, are drawn whole on each rank (the whole tensor's memory, for a moment) and cut to the
local shard. A model that ``fully_shard`` wrapped after it was allocated on the CPU cannot be
copied to record its laws (FSDP2 refuses ``deepcopy``): materialize it from the meta device.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from .checkpoint import CheckpointError, Model, fill_parameters, hf, model_from_dict
from .core.fills import is_dtensor

__all__ = ["materialize"]


def materialize(module: Any, *, seed: int = 0, dtype: str | None = None,
                fallback: bool = False, progress: bool = False) -> Any:
    """Allocate (from the meta device) or re-initialize (on the CPU) every parameter of
    `module` with weightinit's values and its own init's laws; return `module`.

    Parameters
    ----------
    module : torch.nn.Module
        On the meta device, or on the CPU (re-initialized in place: the same tensors, as
        ``torch.nn.init`` does, version counters moved). Its parameters may be DTensors on a
        CPU device mesh: each rank fills its local shards (see the module's description).
    seed : int
        The Philox key in [0, 2**64).
    dtype : str, optional
        float16, bfloat16, float32 or float64 for the floating-point parameters and buffers;
        default their own.
    fallback : bool
        Let a parameter whose law cannot be derived be drawn by its module's own
        ``reset_parameters()`` (torch's generator), with a warning; default an error.
    progress : bool
        Show the bytes filled on stderr (a tqdm bar on a terminal, with the ``progress``
        extra), for large models.

    Raises
    ------
    CheckpointError
        A parameter whose initialization cannot be derived (naming it and its module type),
        a buffer that no code sets after building on the meta device; nothing is changed.
    ValueError, TypeError
        A tensor on another device than meta or the CPU, a DTensor on another device mesh
        than the CPU's, a bad `seed` or `dtype`.
    """
    import torch

    from .core.fills import check_seed
    from .shard.torch import local_box

    seed = check_seed(seed)
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"module: expected a torch.nn.Module, got {type(module).__name__}")
    tensors = [*module.parameters(), *module.buffers()]
    devices = {t.device.type for t in tensors}
    if devices - {"meta", "cpu"}:
        raise ValueError(f"module: its tensors are on {', '.join(sorted(devices))}; "
                         "materialize fills meta or CPU tensors")
    sharded: list[tuple[str, Any]] = [(n, t) for n, t in module.named_parameters()
                                      if is_dtensor(t)]
    for name, t in sharded:
        if t.device_mesh.device_type != "cpu":
            raise ValueError(f"module: {name} is a DTensor on a {t.device_mesh.device_type} "
                             "device mesh; materialize allocates shards on the CPU: build the "
                             "mesh with init_device_mesh('cpu', ...)")
        local_box(t, f"module: {name}")  # a placement that holds no box is refused here
    if dtype is not None and dtype not in hf._DTYPES:
        raise ValueError(f"dtype: expected float16, bfloat16, float32 or float64, got {dtype!r}")
    if _is_transformers_model(module):
        return _materialize_transformers(module, seed, dtype, progress)
    described, fallbacks = _describe(module, dtype, fallback)
    with torch.no_grad():
        if dtype is not None:
            module.to(getattr(torch, dtype))
        was_meta = "meta" in devices
        if was_meta:
            module.to_empty(device="cpu")
        poisoned = hf.poison_buffers(module, set()) if was_meta else {}
        params = dict(module.named_parameters())
        _run_resets(module, {id(p) for p in params.values()}, fallbacks)
        fill_parameters([(p, params[p.name].detach()) for p in described.parameters],
                        seed=seed, progress=progress)
        for name in hf.unset_buffers(poisoned):
            kind = type(module.get_submodule(name.rpartition(".")[0])).__name__
            raise CheckpointError(
                f"the buffer {name} ({kind}) is set in its module's constructor, not by a "
                "reset_parameters(), so it cannot be rebuilt after building on the meta "
                "device; build the module on the CPU")
    return module


def _is_transformers_model(module: Any) -> bool:
    import sys

    transformers = sys.modules.get("transformers")
    return transformers is not None and isinstance(module, transformers.PreTrainedModel)


def _materialize_transformers(model: Any, seed: int, dtype: str | None,
                              progress: bool) -> Any:
    config = model.config.to_dict()
    where = _own_class(model).__name__
    desc, _ = hf._derive(config, where, dtype, where)
    described = model_from_dict(desc, None, where)
    params = dict(model.named_parameters())
    for p in described.parameters:
        t = params.get(p.name)
        if t is not None and is_dtensor(t) and str(t.dtype) != f"torch.{p.dtype.name}":
            raise CheckpointError(
                f"{where}: {p.name} is a {str(t.dtype).replace('torch.', '')} DTensor, and its "
                f"checkpoint dtype is {p.dtype.name}: a sharded parameter is not converted; "
                f"build the model in {p.dtype.name} before sharding it")
    hf.fill_model(model, described, seed=seed, where=where, progress=progress)
    return model


def _own_class(module: Any) -> type:
    """The class `module` was built as: FSDP2's ``fully_shard`` gives it a subclass of that
    class and of ``FSDPModule`` (named ``FSDP<class name>``)."""
    import sys

    fsdp_module = getattr(sys.modules.get("torch.distributed.fsdp"), "FSDPModule", None)
    return next(cls for cls in type(module).__mro__
                if fsdp_module is None or not issubclass(cls, fsdp_module))


def _post_order(module: Any) -> Iterator[Any]:
    """Every submodule once, children before their parent (the order constructors end)."""
    seen: set[int] = set()

    def visit(m: Any) -> Iterator[Any]:
        if id(m) in seen:
            return
        seen.add(id(m))
        for child in m.children():
            yield from visit(child)
        yield m

    yield from visit(module)


def _reset(m: Any) -> Callable[[], object] | None:
    """The module's own reset: ``reset_parameters``, or MultiheadAttention's
    ``_reset_parameters``."""
    for name in ("reset_parameters", "_reset_parameters"):
        f = getattr(m, name, None)
        if callable(f):
            return f  # type: ignore[no-any-return]
    return None


def _init_functions(replace: Callable[[str, Callable[..., Any]], Callable[..., Any]]
                    ) -> contextlib.AbstractContextManager[None]:
    """``torch.nn.init``'s functions replaced wherever a loaded module holds them (torch's
    own modules import some by name: ``from torch.nn.init import xavier_uniform_``), for the
    calling thread (:func:`weightinit.checkpoint.hf.replaced`)."""
    import sys

    import torch

    init = torch.nn.init
    names = [n for n in hf._LAWS if hasattr(init, n)] + ["uniform", "normal", "constant",
                                                     "xavier_uniform", "xavier_normal",
                                                     "kaiming_uniform", "kaiming_normal"]
    originals = {n: getattr(init, n) for n in names if hasattr(init, n)}
    targets = []
    for mod in list(sys.modules.values()):
        namespace = getattr(mod, "__dict__", None)
        if isinstance(namespace, dict):
            targets += [(namespace, n) for n, f in originals.items() if namespace.get(n) is f]
    return hf.replaced(targets, lambda n, f: replace(n if n.endswith("_") else n + "_", f))


def _describe(module: Any, dtype: str | None, fallback: bool) -> tuple[Model, set[int]]:
    """Each parameter's law, recorded on the meta device from the resets (a CPU module's
    tensors are swapped for meta ones meanwhile: nothing of it changes); the ids of the
    modules whose own reset draws a parameter with ``fallback``."""
    import torch

    twin = module if all(t.is_meta for t in [*module.parameters(), *module.buffers()]) \
        else _meta_twin(module)
    modules = list(_post_order(twin))
    kinds: dict[int, tuple[Any, str]] = {}
    for m in modules:
        for n, p in m.named_parameters(recurse=False):
            kinds.setdefault(id(p), (m, type(m).__name__))
    recorder = hf._Recorder(twin)
    names = {id(p): n for n, p in reversed(list(twin.named_parameters()))}
    owners = {n: m for n, m in module.named_modules()}
    record_resets(twin, recorder, modules)
    entries = []
    fallbacks: set[int] = set()
    by_id = {id(q): q for q in twin.parameters()}
    for pid, name in names.items():
        p = by_id[pid]
        law = recorder.laws.get(recorder.by_id.get(pid, name))
        problem = recorder.problems.get(recorder.by_id.get(pid, name))
        owner, kind = kinds.get(pid, (None, "?"))
        if law is None or problem:
            how = (f"it is set by {problem}" if problem else
                   "no torch.nn.init call of a reset_parameters() sets it")
            if fallback and owner is not None and _reset(owner) is not None:
                path = next(n for n, m in twin.named_modules() if m is owner)
                fallbacks.add(id(owners[path]))
                warnings.warn(f"materialize: {name} ({kind}) is drawn by {kind}'s own "
                              f"reset_parameters (torch's generator): {how}", stacklevel=3)
                continue
            raise CheckpointError(f"cannot derive the initialization of {name} (module type "
                                  f"{kind}): {how}")
        entry: dict[str, Any] = {"name": name, "shape": list(p.shape),
                                 "dtype": str(p.dtype).replace("torch.", "") if dtype is None
                                 else dtype, "init": {"name": law[0], **law[1]}}
        if not p.is_floating_point():
            raise CheckpointError(f"{name} ({kind}): a {p.dtype} parameter")
        rows = recorder.zero_rows.get(recorder.by_id.get(pid, name))
        if rows:
            entry["zero_rows"] = sorted(rows)
        entries.append(entry)
    desc = {"name": type(module).__name__, "parameters": entries}
    return (model_from_dict(desc, None, type(module).__name__) if entries else
            Model(type(module).__name__, ())), fallbacks


def record_resets(twin: Any, recorder: hf._Recorder, modules: list[Any] | None = None, *,
                  strict: bool = True) -> None:
    """Record into `recorder` the ``torch.nn.init`` calls of each submodule's reset (children
    before parents, as their constructors run) on `twin`, a module on the meta device (its
    ``nn.Embedding`` padding rows included); a parameter a reset writes in place otherwise is
    a problem of `recorder`. A reset that fails is an error if `strict`, else skipped."""
    import torch

    names = {id(p): n for n, p in reversed(list(twin.named_parameters()))}
    with torch.no_grad():
        versions = {id(p): p._version for p in twin.parameters()}

        def record(function: str, real: Callable[..., Any]) -> Callable[..., Any]:
            def call(tensor: Any, *args: Any, **kwargs: Any) -> Any:
                return recorder.record(function, tensor, args, kwargs)
            return call

        def padding_row(self: Any) -> None:
            if self.padding_idx is not None:
                owner = recorder.by_id.get(id(self.weight))
                if owner is not None:
                    recorder.zero_rows.setdefault(owner, set()).add(int(self.padding_idx))

        normed = _weight_normed(twin)
        with _init_functions(record), _patched(torch.nn.Embedding,
                                               "_fill_padding_idx_with_zero", padding_row), \
                torch.nn.utils.parametrize.cached():
            # A weight-normalized module's reset draws its weight as computed (one cached
            # tensor, recorded under the weight's name), as its constructor drew the weight
            # that the parametrization then split into a magnitude and a direction.
            for path in normed:
                recorder.by_id[id(twin.get_submodule(path).weight)] = _dotted(path, "weight")
            for m in modules if modules is not None else _post_order(twin):
                reset = _reset(m)
                if reset is not None:
                    try:
                        reset()
                    except Exception as e:  # noqa: BLE001 - the module's own code
                        if strict:
                            raise CheckpointError(
                                f"{type(m).__name__}.{getattr(reset, '__name__', 'reset')} "
                                f"failed on the meta device: {type(e).__name__}: {e}") from None
        for p in twin.parameters():
            if p._version != versions[id(p)] and id(p) in names:
                recorder.problems.setdefault(names[id(p)], "an in-place write in its reset")
    for path, dim in normed.items():
        law = recorder.laws.pop(_dotted(path, "weight"), None)
        g, v = (_dotted(path, f"parametrizations.weight.original{i}") for i in (0, 1))
        if law is None or {g, v} & (set(recorder.laws) | set(recorder.problems)):
            continue
        recorder.laws[v] = law  # the direction is the weight as drawn
        recorder.laws[g] = ("norm_of", {"of": {"name": law[0], **law[1]}, "of_name": v,
                                        "of_shape": list(twin.get_parameter(v).shape),
                                        "dim": dim})


def _dotted(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _weight_normed(model: Any) -> dict[str, int]:
    """Module path -> the axis of each module whose ``weight`` is weight-normalized
    (``torch.nn.utils.parametrizations.weight_norm``: ``original0`` its magnitude,
    ``original1`` its direction) and nothing else."""
    from torch.nn.utils import parametrizations, parametrize

    out = {}
    for path, m in model.named_modules():
        if parametrize.is_parametrized(m, "weight"):
            chain = m.parametrizations["weight"]
            if len(chain) == 1 and isinstance(chain[0], parametrizations._WeightNorm):
                out[path] = int(chain[0].dim)
    return out


def _meta_twin(module: Any) -> Any:
    """A copy of `module` whose parameters and buffers are meta tensors of the same shapes
    and dtypes (no memory copied): the resets run on it and change nothing of `module`."""
    import copy

    import torch

    memo: dict[int, Any] = {}
    for p in module.parameters():
        memo[id(p)] = torch.nn.Parameter(torch.empty_like(p, device="meta"),
                                         requires_grad=p.requires_grad)
    for b in module.buffers():
        memo[id(b)] = torch.empty_like(b, device="meta")
    try:
        return copy.deepcopy(module, memo)
    except Exception as e:  # noqa: BLE001 - whatever the module holds
        raise CheckpointError(f"{type(module).__name__}: cannot make a meta copy to record its "
                              f"initialization on ({type(e).__name__}: {e}); build it on the "
                              "meta device") from None


@contextlib.contextmanager
def _patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    """``owner.name`` (a method) is `value` for the calling thread, the original for others."""
    import threading

    saved = getattr(owner, name)
    caller = threading.get_ident()

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return (value if threading.get_ident() == caller else saved)(self, *args, **kwargs)

    with hf._REPLACING:
        setattr(owner, name, method)
        try:
            yield
        finally:
            setattr(owner, name, saved)


def _run_resets(module: Any, params: set[int], fallbacks: set[int]) -> None:
    """Every reset run for real on the allocated module, for what it sets besides the
    parameters (BatchNorm's running statistics...): its ``torch.nn.init`` calls on parameters
    skipped, but in the modules that draw their own (`fallbacks`)."""
    import torch

    current: list[Any] = [None]

    def skip(function: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(tensor: Any, *args: Any, **kwargs: Any) -> Any:
            if hf.is_one_of(tensor, params) and id(current[0]) not in fallbacks:
                return tensor
            return real(tensor, *args, **kwargs)
        return call

    with _init_functions(skip), _patched(torch.nn.Embedding, "_fill_padding_idx_with_zero",
                                         lambda self: None):
        for m in _post_order(module):
            reset = _reset(m)
            if reset is not None:
                current[0] = m
                reset()
