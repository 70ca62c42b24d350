# SPDX-License-Identifier: BSD-3-Clause
"""A random transformers model in memory: weightinit against transformers, side by side.

For each model (GPT-2-small, a ~1B Llama-like config, a Mixtral-like MoE), dtype (float32,
bfloat16) and thread setting (1, all), each way runs in a fresh worker process, after the
imports (transformers' modules are imported first: their one-time cost is not the model's):

* ``transformers``: ``AutoModelForCausalLM.from_config(config, dtype=...)``, torch's RNG;
* ``transformers meta``: the same class built on the meta device, ``to_empty`` on the CPU,
  then transformers' own ``initialize_weights`` (its path for models made on the meta device);
* ``weightinit``: ``weightinit.hf.from_config(config, dtype=...)`` (the same class; its
  fixed cost, building on meta and recording the laws, is printed apart);
* ``bare fill``: ``weightinit.new`` of the same number of parameters, normal, into fresh
  memory: what filling the bytes alone costs.

Prints a markdown table: seconds (best of --reps), x transformers' ``from_config``, x the
bare fill, and peak resident memory above the model's bytes (``getrusage`` of the worker,
less its memory after the imports).

    python bench/models.py [--models gpt2-small,llama-1b,mixtral-moe] [--reps 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

MODELS = {
    "gpt2-small": {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]},
    "llama-1b": {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
                 "vocab_size": 32000, "hidden_size": 2048, "intermediate_size": 5632,
                 "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8},
    "mixtral-moe": {"model_type": "mixtral", "architectures": ["MixtralForCausalLM"],
                    "vocab_size": 32000, "hidden_size": 1024, "intermediate_size": 2048,
                    "num_hidden_layers": 4, "num_attention_heads": 16,
                    "num_key_value_heads": 4, "num_local_experts": 8,
                    "num_experts_per_tok": 2},
}
WAYS = ["transformers", "transformers meta", "weightinit", "bare fill"]

WORKER = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])
import torch, transformers
import transformers.modeling_utils  # noqa: F401  (the lazy imports, outside the timing)
import weightinit as wi
from weightinit import hf
from weightinit.checkpoint import hf as derive

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

threads = args["threads"] or torch.get_num_threads()
torch.set_num_threads(threads)
wi.set_num_threads(threads)
config = transformers.AutoConfig.for_model(**args["config"])
dtype = getattr(torch, args["dtype"])
cls = getattr(transformers, args["config"]["architectures"][0])
fixed = None
before = rss()
t0 = time.perf_counter()
if args["way"] == "transformers":
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=dtype)
elif args["way"] == "transformers meta":
    with torch.device("meta"):
        model = cls._from_config(config, dtype=dtype)
    model.to_empty(device="cpu")
    for t in [*model.modules(), *model.parameters(), *model.buffers()]:
        t.__dict__.pop("_is_hf_initialized", None)
    model.initialize_weights()
    model.tie_weights()
elif args["way"] == "weightinit":
    model = hf.from_config(config, dtype=args["dtype"])
else:
    out = wi.new(args["numel"], args["dtype"], "normal", (0.0, 0.02), seed=0)
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if args["way"] == "weightinit":  # building on meta and recording the laws, timed apart
    t1 = time.perf_counter()
    derive._derive(config.to_dict(), "bench", args["dtype"], None)
    fixed = time.perf_counter() - t1
if args["way"] != "bare fill":
    numel = sum(p.numel() for p in model.parameters())
    nbytes = sum(p.numel() * p.element_size() for p in model.parameters())
else:
    numel, nbytes = args["numel"], out.nbytes
print(json.dumps({"seconds": seconds, "fixed": fixed, "numel": numel, "nbytes": nbytes,
                  "above": peak - before - nbytes, "threads": threads}))
"""


def run(way: str, model: str, dtype: str, threads: int, numel: int) -> dict:
    args = {"way": way, "config": MODELS[model], "dtype": dtype, "threads": threads,
            "numel": numel}
    done = subprocess.run([sys.executable, "-c", WORKER, json.dumps(args)],
                          capture_output=True, text=True,
                          env=dict(os.environ, TRANSFORMERS_VERBOSITY="error"))
    if done.returncode:
        raise SystemExit(f"{way}, {model}, {dtype}: the worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--threads", default="1,0", help="0: all CPUs")
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    rows, results = [], []
    print("| model | parameters | dtype | threads | way | seconds | x from_config | x bare fill "
          "| fixed cost | peak RSS above the model |")
    print("|---|---:|---|---:|---|---:|---:|---:|---:|---:|")
    for model in args.models.split(","):
        numel = 0
        for dtype in args.dtypes.split(","):
            for threads in map(int, args.threads.split(",")):
                best: dict[str, dict] = {}
                for _ in range(args.reps):
                    for way in WAYS:  # alternating, so slow phases of the machine hit all
                        r = run(way, model, dtype, threads, numel)
                        numel = numel or r["numel"]
                        if way not in best or r["seconds"] < best[way]["seconds"]:
                            best[way] = r
                base, floor = best["transformers"]["seconds"], best["bare fill"]["seconds"]
                for way in WAYS:
                    r = best[way]
                    fixed = f"{r['fixed']:.2f} s" if r["fixed"] is not None else "-"
                    line = (f"| {model} | {r['numel'] / 1e6:,.0f} M | {dtype} | {r['threads']} "
                            f"| {way} | {r['seconds']:.2f} | {base / r['seconds']:.1f}x "
                            f"| {floor / r['seconds']:.2f}x | {fixed} "
                            f"| {r['above'] / 2**20:,.0f} MiB |")
                    print(line, flush=True)
                    rows.append(line)
                    results.append({"model": model, "dtype": dtype, "way": way, **r})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
