# SPDX-License-Identifier: BSD-3-Clause
"""Rewrite the transformers presets (python/weightinit/checkpoint/presets/) from their configs.

A preset with a ``config`` is ``--hf-config`` of that config, written down so that it works
without transformers: its parameters (names, shapes, dtypes, laws, zero rows, in order), its
``config.json`` and ``generation_config.json`` are :func:`weightinit.checkpoint.hf.hf_description`
of the config, so the same seed writes the same tensors either way (a tensor's stream id is
a hash of its name). The name and the description are the preset's own. Layers are folded
into ``repeat`` groups. tests/test_hf.py checks every preset against :func:`description`.

    PYTHONPATH=python python tests/data/make_presets.py

Regenerate when the derivation changes on purpose (hf.py, or a transformers release whose
``_init_weights`` differs), and say so in the commit.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import tempfile
from typing import Any

PRESETS = pathlib.Path(__file__).resolve().parents[2] / "python/weightinit/checkpoint/presets"
#: The presets written from their config (the others, e.g. ``tiny``, have none).
NAMES = ("gpt2-small", "llama-7b", "tiny-gpt2", "tiny-llama")
_LAYER = re.compile(r"^(.*?\.)(\d+)(\..*)$")


def _fold(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entries` with each run of layers 0..n-1 that repeat one template (names differing
    only in the first index) as one ``{"repeat": n, "parameters": [...]}`` group."""
    out: list[dict[str, Any]] = []
    k = 0
    while k < len(entries):
        m = _LAYER.match(entries[k]["name"])
        if m is None or m.group(2) != "0":
            out.append(entries[k])
            k += 1
            continue
        prefix = m.group(1)

        def block(start: int, i: int) -> list[dict[str, Any]]:
            """The entries of layer `i` from `start` on, with ``{i}`` for the index."""
            body = []
            for e in entries[start:]:
                mm = _LAYER.match(e["name"])
                if mm is None or mm.group(1) != prefix or mm.group(2) != str(i):
                    break
                body.append({**e, "name": f"{prefix}{{i}}{mm.group(3)}"})
            return body

        template = block(k, 0)
        n = 1
        while block(k + n * len(template), n) == template:
            n += 1
        out.append({"repeat": n, "parameters": template})
        k += n * len(template)
    return out


def description(name: str) -> dict[str, Any]:
    """The preset `name` as :func:`hf_description` derives it from the preset's config."""
    from weightinit.checkpoint import hf

    preset = json.loads((PRESETS / f"{name}.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "config.json"
        path.write_text(json.dumps(preset["config"]), encoding="utf-8")
        derived = hf.hf_description(path)
    out = {"name": preset["name"], "description": preset["description"],
           "dtype": derived["dtype"], "parameters": _fold(derived["parameters"]),
           "config": derived["config"]}
    if "generation_config" in derived:
        out["generation_config"] = derived["generation_config"]
    return out


def dumps(desc: dict[str, Any]) -> str:
    """The preset file's text: one line per parameter, as the shipped files are laid out."""
    def entry(e: dict[str, Any], indent: str) -> str:
        if "repeat" not in e:
            return indent + json.dumps(e)
        inner = ",\n".join(entry(p, indent + "  ") for p in e["parameters"])
        return f'{indent}{{"repeat": {e["repeat"]}, "parameters": [\n{inner}\n{indent}]}}'

    head = {k: desc[k] for k in ("name", "description", "dtype")}
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    params = ",\n".join(entry(e, "    ") for e in desc["parameters"])
    tail = [f'  "parameters": [\n{params}\n  ]']
    for k in ("config", "generation_config"):
        if k in desc:
            tail.append(f"  {json.dumps(k)}: {json.dumps(desc[k], sort_keys=True)}")
    return "{\n" + "\n".join(lines) + "\n" + ",\n".join(tail) + "\n}\n"


def main() -> int:
    for name in NAMES:
        (PRESETS / f"{name}.json").write_text(dumps(description(name)), encoding="utf-8")
        print(f"wrote {PRESETS / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
