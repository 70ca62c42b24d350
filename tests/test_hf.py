# SPDX-License-Identifier: BSD-3-Clause
"""Hugging Face checkpoints: presets and --hf-config load with from_pretrained (no missing,
unexpected or newly initialized weights), each tensor follows the architecture's own
_init_weights, and the loss at init matches transformers' from_config model."""

import importlib.util
import json
import math
import pathlib

import numpy as np
import pytest
from optional import require

torch = require("torch", extra="torch")
transformers = require("transformers", extra="hf", minversion="5")

from weightinit import checkpoint  # noqa: E402
from weightinit.checkpoint import cli as _cli  # noqa: E402
from weightinit.checkpoint import hf  # noqa: E402
from hf_checks import assert_loads_cleanly, quiet_transformers, zero_rows  # noqa: E402,F401

safetensors_numpy = require("safetensors.numpy", extra="safetensors")

_spec = importlib.util.spec_from_file_location(
    "make_presets", pathlib.Path(__file__).parent / "data" / "make_presets.py")
presets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(presets)

SMALL = {"vocab_size": 1000, "max_position_embeddings": 128, "hidden_size": 64,
         "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
         "num_key_value_heads": 2, "bos_token_id": 1, "eos_token_id": 2}
CONFIGS = {  # each names its class in 'architectures', as a saved model's config does
    "gpt2": {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": 1000,
             "n_positions": 128, "n_embd": 64, "n_layer": 2, "n_head": 4, "bos_token_id": 0,
             "eos_token_id": 0},
    "llama": {"model_type": "llama", "architectures": ["LlamaForCausalLM"], **SMALL},
    "mistral": {"model_type": "mistral", "architectures": ["MistralForCausalLM"], **SMALL,
                "pad_token_id": 0},  # a padding row
    "qwen2": {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], **SMALL,
              "tie_word_embeddings": True},
    "mixtral": {"model_type": "mixtral", "architectures": ["MixtralForCausalLM"], **SMALL,
                "num_local_experts": 4, "num_experts_per_tok": 2},
    "qwen2_moe": {"model_type": "qwen2_moe", "architectures": ["Qwen2MoeForCausalLM"], **SMALL,
                  "moe_intermediate_size": 32, "shared_expert_intermediate_size": 64,
                  "num_experts": 4, "num_experts_per_tok": 2},
}
DECODER = {"vocab_size": 200, "hidden_size": 64, "intermediate_size": 128,
           "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
           "max_position_embeddings": 128, "head_dim": 16}
ENCODER = {"vocab_size": 200, "hidden_size": 64, "intermediate_size": 128,
           "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 130}
#: Tied embedding and head, the embedding with a padding row (ModernBERT: a head whose own
#: law differs from the embedding's); each with the Auto class that loads it.
TIED = {
    "gemma": ({"model_type": "gemma", "architectures": ["GemmaForCausalLM"], **DECODER,
               "pad_token_id": 0}, "AutoModelForCausalLM"),
    "gemma2": ({"model_type": "gemma2", "architectures": ["Gemma2ForCausalLM"], **DECODER,
                "pad_token_id": 0}, "AutoModelForCausalLM"),
    "gemma3_text": ({"model_type": "gemma3_text", "architectures": ["Gemma3ForCausalLM"],
                     **DECODER, "pad_token_id": 0}, "AutoModelForCausalLM"),
    "qwen2": ({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], **DECODER,
               "tie_word_embeddings": True, "pad_token_id": 3}, "AutoModelForCausalLM"),
    "xglm": ({"model_type": "xglm", "architectures": ["XGLMForCausalLM"], "vocab_size": 200,
              "d_model": 64, "num_layers": 2, "attention_heads": 4, "ffn_dim": 128,
              "max_position_embeddings": 128, "pad_token_id": 1}, "AutoModelForCausalLM"),
    "roberta": ({"model_type": "roberta", "architectures": ["RobertaForMaskedLM"], **ENCODER,
                 "pad_token_id": 1}, "AutoModelForMaskedLM"),
    "albert": ({"model_type": "albert", "architectures": ["AlbertForMaskedLM"], **ENCODER,
                "embedding_size": 32, "pad_token_id": 0}, "AutoModelForMaskedLM"),
    "modernbert": ({"model_type": "modernbert", "architectures": ["ModernBertForMaskedLM"],
                    **ENCODER, "pad_token_id": 0}, "AutoModelForMaskedLM"),
    "bart": ({"model_type": "bart", "architectures": ["BartForConditionalGeneration"],
              "vocab_size": 200, "d_model": 64, "encoder_layers": 2, "decoder_layers": 2,
              "encoder_attention_heads": 4, "decoder_attention_heads": 4,
              "encoder_ffn_dim": 128, "decoder_ffn_dim": 128, "max_position_embeddings": 128,
              "pad_token_id": 1}, "AutoModelForSeq2SeqLM"),
}


def config_dir(tmp_path, name, config=None, **changes):
    folder = tmp_path / f"config-{name}"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({**(config or CONFIGS[name]), **changes}))
    return folder


def batch_loss(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, model.config.vocab_size, (8, 64), generator=g)
    with torch.no_grad():
        return model(input_ids=ids, labels=ids).loss.item()


# --- presets --------------------------------------------------------------------------------

@pytest.mark.parametrize("preset", ["tiny-gpt2", "tiny-llama"])
def test_tiny_presets_load(tmp_path, capsys, preset):
    out = tmp_path / preset
    assert _cli.main(["init", preset, "-o", str(out), "-q"]) == 0
    assert (out / "config.json").is_file() and (out / "generation_config.json").is_file()
    model = assert_loads_cleanly(out)
    m = checkpoint.load_model(preset)
    for name, p in model.state_dict().items():
        if name in {q.name for q in m.parameters}:
            want = checkpoint.regenerate(m, name, seed=0)
            np.testing.assert_array_equal(p.numpy(), want, err_msg=name)
    assert math.isfinite(batch_loss(model))


def settings(config):
    """What a config says of the model, not which transformers release wrote it."""
    return {k: v for k, v in config.items() if k != "transformers_version"}


@pytest.mark.parametrize("preset", presets.NAMES)
def test_presets_are_their_config_derived(tmp_path, preset):
    """Every preset with a config is --hf-config of that config, name for name in order, with
    the same shapes, dtypes, laws and zero rows (so the same tensors under a seed), the same
    config.json and generation_config.json; the file is what tests/data/make_presets.py
    writes, but for the transformers release named in it."""
    m = checkpoint.load_model(preset)
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(m.config))
    derived = hf.model_from_hf_config(folder)
    assert settings(derived.config) == settings(m.config)
    assert settings(derived.generation_config) == settings(m.generation_config)

    def key(p):
        return (p.name, p.shape, p.dtype, p.initializer, p.zero_rows)

    assert list(map(key, derived.parameters)) == list(map(key, m.parameters))
    shipped = json.loads(checkpoint._presets().joinpath(f"{preset}.json").read_text())
    made = json.loads(presets.dumps(presets.description(preset)))
    for desc in (shipped, made):
        for k in ("config", "generation_config"):
            desc[k] = settings(desc[k])
    assert shipped == made


@pytest.mark.parametrize("preset", ["tiny-gpt2", "tiny-llama"])
def test_preset_and_hf_config_write_the_same_tensors(tmp_path, capsys, preset):
    """The preset and --hf-config of its config, same seed: the same tensors, bit for bit."""
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(checkpoint.load_model(preset).config))
    for args, out in ([preset], "a"), (["--hf-config", str(folder)], "b"):
        assert _cli.main(["init", *args, "-o", str(tmp_path / out), "-q", "--seed", "7"]) == 0
    a = safetensors_numpy.load_file(tmp_path / "a" / "model.safetensors")
    b = safetensors_numpy.load_file(tmp_path / "b" / "model.safetensors")
    assert list(a) == list(b)
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].tobytes() == b[name].tobytes(), name


def test_force_replaces_or_removes_the_config(tmp_path, capsys):
    out = tmp_path / "o"
    assert _cli.main(["init", "tiny-gpt2", "-o", str(out), "-q"]) == 0
    assert json.loads((out / "config.json").read_text())["model_type"] == "gpt2"
    assert _cli.main(["init", "tiny-llama", "-o", str(out), "-q", "--force"]) == 0
    assert json.loads((out / "config.json").read_text())["model_type"] == "llama"
    assert_loads_cleanly(out)
    assert _cli.main(["init", "tiny", "-o", str(out), "-q", "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["model.safetensors"]  # no stale config


def test_dtype_override_reaches_the_config(tmp_path):
    m = checkpoint.load_model("tiny-llama", dtype="bfloat16")
    assert m.config["dtype"] == "bfloat16"
    checkpoint.write(m, tmp_path / "o")
    model = assert_loads_cleanly(tmp_path / "o")
    assert model.dtype == torch.bfloat16


# --- any architecture -------------------------------------------------------------------------

def log_std_bound(n: int) -> float:
    """|log(std ours / std theirs)| for two samples of n normal values each has standard
    deviation about 1 / sqrt(n); 6.5 of them: p < 1e-10."""
    return 6.5 / math.sqrt(n)


def assert_same_init(ours, theirs):
    """The same parameters; each constant one equal to transformers', each random one with
    its all-zero rows exactly and its spread (see :func:`log_std_bound`)."""
    mine, ref = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert set(mine) == set(ref)
    for name, p in mine.items():
        a, b = p.detach().double(), ref[name].detach().double()
        if b.std() == 0 or a.std() == 0:
            assert torch.equal(a, b), name
            continue
        assert zero_rows(a) == zero_rows(b), name
        assert abs(math.log(a.std() / b.std())) < log_std_bound(a.numel()), name


@pytest.mark.parametrize("arch", sorted(CONFIGS))
def test_hf_config_matches_transformers_init(tmp_path, capsys, arch):
    """Loads with no missing, unexpected or newly initialized weights; every constant tensor
    equals transformers' own init, every random one has its spread (the GPT-2 residual
    projections' 1/sqrt(2 n_layer) included); the loss at init is transformers' within 0.1."""
    folder = config_dir(tmp_path, arch, initializer_range=0.1)
    losses = []
    for seed in (1, 2, 3):
        out = tmp_path / f"out{seed}"
        code = _cli.main(["init", "--hf-config", str(folder), "-o", str(out), "-q",
                          "--seed", str(seed)])
        assert code == 0, capsys.readouterr().err
        ours = assert_loads_cleanly(out)
        losses.append(batch_loss(ours))
    config = transformers.AutoConfig.from_pretrained(str(out))
    theirs_losses = []
    for seed in (1, 2, 3):
        torch.manual_seed(seed)
        theirs = transformers.AutoModelForCausalLM.from_config(config)
        theirs_losses.append(batch_loss(theirs))
    assert type(theirs) is type(ours)
    assert_same_init(ours, theirs)
    ours_mean, theirs_mean = np.mean(losses), np.mean(theirs_losses)
    assert abs(ours_mean - theirs_mean) < 0.1, (losses, theirs_losses)
    assert ours_mean > math.log(config.vocab_size) + 0.15  # the weights matter at this range


@pytest.mark.parametrize("arch", sorted(TIED))
def test_tied_pair_holds_the_embeddings_law(tmp_path, capsys, arch):
    """A head tied to the input embedding: the one tensor written holds the embedding's own
    law and its zero padding row, as from_config's tied tensor does (its head's law, recorded
    on the same tensor once tied, is not it: ModernBERT's head is N(0, 0.01) truncated, its
    embedding N(0, 0.02) truncated); every other tensor as transformers'; loads with its Auto
    class, tied."""
    config, auto = TIED[arch]
    out = tmp_path / "o"
    code = _cli.main(["init", "--hf-config", str(config_dir(tmp_path, arch, config)), "-o",
                      str(out), "-q", "--seed", "1"])
    assert code == 0, capsys.readouterr().err
    ours = assert_loads_cleanly(out, auto)
    torch.manual_seed(1)
    theirs = getattr(transformers, auto).from_config(transformers.AutoConfig.from_pretrained(
        str(out)))
    assert type(theirs) is type(ours) and type(ours).__name__ == config["architectures"][0]
    pairs = theirs.all_tied_weights_keys
    assert pairs and pairs == ours.all_tied_weights_keys
    for target, source in pairs.items():
        assert ours.get_parameter(target) is ours.get_parameter(source)
    [embedding] = {s for s in pairs.values() if theirs.get_parameter(s).dim() == 2}
    padded = zero_rows(theirs.get_parameter(embedding).detach())
    assert padded == ([] if arch == "modernbert" else [config["pad_token_id"]])
    assert_same_init(ours, theirs)


#: More causal LMs (tied heads and padding rows among them), each checked as TIED's are.
MORE = {
    "gptj": {"model_type": "gptj", "architectures": ["GPTJForCausalLM"], "vocab_size": 200,
             "n_embd": 64, "n_layer": 2, "n_head": 4, "rotary_dim": 8, "n_positions": 128},
    "gpt_neox": {"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], **ENCODER},
    "gpt_bigcode": {"model_type": "gpt_bigcode", "architectures": ["GPTBigCodeForCausalLM"],
                    "vocab_size": 200, "n_embd": 64, "n_layer": 2, "n_head": 4,
                    "n_positions": 128},
    "bloom": {"model_type": "bloom", "architectures": ["BloomForCausalLM"], "vocab_size": 200,
              "hidden_size": 64, "n_layer": 2, "n_head": 4},
    "opt": {"model_type": "opt", "architectures": ["OPTForCausalLM"], **ENCODER,
            "word_embed_proj_dim": 64, "ffn_dim": 128, "pad_token_id": 1},
    "qwen3": {"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], **DECODER},
    "qwen3_moe": {"model_type": "qwen3_moe", "architectures": ["Qwen3MoeForCausalLM"], **DECODER,
                  "moe_intermediate_size": 32, "num_experts": 4, "num_experts_per_tok": 2},
    "phi": {"model_type": "phi", "architectures": ["PhiForCausalLM"], **DECODER},
    "phi3": {"model_type": "phi3", "architectures": ["Phi3ForCausalLM"], **DECODER,
             "pad_token_id": 0},
    "olmo2": {"model_type": "olmo2", "architectures": ["Olmo2ForCausalLM"], **DECODER,
              "pad_token_id": 1},
    "starcoder2": {"model_type": "starcoder2", "architectures": ["Starcoder2ForCausalLM"],
                   **DECODER},
    "stablelm": {"model_type": "stablelm", "architectures": ["StableLmForCausalLM"], **DECODER},
    "granite": {"model_type": "granite", "architectures": ["GraniteForCausalLM"], **DECODER},
    "cohere": {"model_type": "cohere", "architectures": ["CohereForCausalLM"], **DECODER,
               "pad_token_id": 0},
}


@pytest.mark.parametrize("arch", sorted(MORE))
def test_more_architectures_match_from_config(tmp_path, capsys, arch):
    """Loads with no missing, unexpected or newly initialized weights, as from_config's class;
    every tensor as transformers' (see :func:`assert_same_init`)."""
    out = tmp_path / "o"
    code = _cli.main(["init", "--hf-config", str(config_dir(tmp_path, arch, MORE[arch])), "-o",
                      str(out), "-q", "--seed", "1"])
    assert code == 0, capsys.readouterr().err
    ours = assert_loads_cleanly(out)
    torch.manual_seed(1)
    theirs = transformers.AutoModelForCausalLM.from_config(
        transformers.AutoConfig.from_pretrained(str(out)))
    assert type(theirs) is type(ours) and type(ours).__name__ == MORE[arch]["architectures"][0]
    assert_same_init(ours, theirs)


BERT = {"model_type": "bert", **ENCODER}
VIT = {"model_type": "vit", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
       "intermediate_size": 64, "image_size": 32, "patch_size": 8}


@pytest.mark.parametrize("name, config, auto_class, auto, built", [
    ("bert", BERT, None, "AutoModel", "BertModel"),  # no 'architectures': the base model
    ("vit", VIT, None, "AutoModel", "ViTModel"),
    ("bert", BERT, "AutoModelForCausalLM", "AutoModelForCausalLM", "BertLMHeadModel"),
    ("bert", BERT, "BertForMaskedLM", "AutoModelForMaskedLM", "BertForMaskedLM"),
    ("vit", VIT, "AutoModelForImageClassification", "AutoModelForImageClassification",
     "ViTForImageClassification"),
    # the caller's class wins over the config's 'architectures'
    ("bert", {**BERT, "architectures": ["BertForMaskedLM"]}, "AutoModel", "AutoModel",
     "BertModel"),
])
def test_auto_class_picks_the_model(tmp_path, capsys, name, config, auto_class, auto, built):
    """A config without 'architectures' (as a config class saves it) builds AutoModel's class,
    as AutoModel.from_config does; --auto-class names an Auto class or a model class instead.
    The class built is from_config's, and its checkpoint loads with that Auto class."""
    folder = config_dir(tmp_path, name, config)
    out = tmp_path / "o"
    code = _cli.main(["init", "--hf-config", str(folder), "-o", str(out), "-q"]
                     + (["--auto-class", auto_class] if auto_class else []))
    assert code == 0, capsys.readouterr().err
    assert json.loads((out / "config.json").read_text())["architectures"] == [built]
    assert type(assert_loads_cleanly(out, auto)).__name__ == built
    theirs = getattr(transformers, auto).from_config(
        transformers.AutoConfig.from_pretrained(str(folder)))
    assert type(theirs).__name__ == built
    m = hf.model_from_hf_config(folder, auto_class=auto_class)
    assert m.config["architectures"] == [built]


@pytest.mark.parametrize("config, auto_class, message", [
    (VIT, "AutoModelForCausalLM", "AutoModelForCausalLM has no class for model_type 'vit'"),
    (BERT, "LlamaForCausalLM",
     "LlamaForCausalLM is built from a LlamaConfig, not from model_type 'bert' (BertConfig)"),
    (BERT, "BertPreTrainedModel", "BertPreTrainedModel is a base class, not a model class"),
    (BERT, "AutoConfig", "auto class 'AutoConfig' is neither an Auto class"),
    (BERT, "Nope", "auto class 'Nope' is neither an Auto class"),
    ({**BERT, "architectures": ["NoSuchModel"]}, None,
     "'architectures' ['NoSuchModel'] names no model class of transformers"),
    ({"model_type": "trocr"}, None,  # a decoder only: AutoModelForCausalLM's
     "config.json: AutoModel has no class for model_type 'trocr'; name one with --auto-class"),
])
def test_bad_auto_class(tmp_path, capsys, config, auto_class, message):
    folder = config_dir(tmp_path, "bad", config)
    code = _cli.main(["init", "--hf-config", str(folder), "-o", str(tmp_path / "o")]
                     + (["--auto-class", auto_class] if auto_class else []))
    err = capsys.readouterr().err
    assert code == 1 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "o").exists()


def test_auto_class_needs_hf_config(tmp_path, capsys):
    code = _cli.main(["init", "tiny", "-o", str(tmp_path / "o"), "--auto-class", "AutoModel"])
    err = capsys.readouterr().err
    assert code == 1 and "--auto-class goes with --hf-config" in err and err.count("\n") == 1


def test_auto_class_in_help(capsys):
    with pytest.raises(SystemExit):
        _cli.main(["init", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("--auto-class CLASS with --hf-config: the class to build, an Auto class (e.g. "
            "AutoModelForCausalLM) or a model class (e.g. BertForMaskedLM); default: the "
            "config's 'architectures', else AutoModel (the base model)") in text


def test_gpt2_residual_projections_are_scaled(tmp_path):
    m = hf.model_from_hf_config(config_dir(tmp_path, "gpt2", n_layer=8))
    std = {p.name: p.initializer.kwargs.get("std") for p in m.parameters}
    assert std["transformer.h.3.attn.c_proj.weight"] == pytest.approx(0.02 / math.sqrt(16))
    assert std["transformer.h.3.mlp.c_proj.weight"] == pytest.approx(0.02 / math.sqrt(16))
    assert std["transformer.h.3.attn.c_attn.weight"] == 0.02
    assert "lm_head.weight" not in std  # tied to transformer.wte.weight: written once


def test_padding_row_is_zero(tmp_path, capsys):
    folder = config_dir(tmp_path, "llama", pad_token_id=5)
    m = hf.model_from_hf_config(folder)
    assert m["model.embed_tokens.weight"].zero_rows == (5,)
    assert m["lm_head.weight"].zero_rows == ()
    out = tmp_path / "o"
    assert _cli.main(["init", "--hf-config", str(folder), "-o", str(out), "-q",
                      "--chunk-size", "1KB"]) == 0
    w = assert_loads_cleanly(out).model.embed_tokens.weight.detach()
    assert torch.all(w[5] == 0) and torch.all(w[4] != 0) and torch.all(w[6] != 0)
    np.testing.assert_array_equal(w.numpy(), checkpoint.regenerate(m, "model.embed_tokens.weight"))


def test_saved_buffers_and_float32_modules(tmp_path, capsys):
    """DeepSeek-V3: the router's saved e_score_correction_bias buffer (zeros in _init_weights)
    is written, and the modules the architecture keeps in float32 stay float32 in bf16."""
    CONFIGS["deepseek_v3"] = {"model_type": "deepseek_v3",
                              "architectures": ["DeepseekV3ForCausalLM"], **SMALL,
                              "num_key_value_heads": 4, "moe_intermediate_size": 16,
                              "n_routed_experts": 4, "num_experts_per_tok": 2,
                              "kv_lora_rank": 16, "q_lora_rank": 16,
                              "qk_rope_head_dim": 8, "qk_nope_head_dim": 8, "v_head_dim": 8,
                              "first_k_dense_replace": 1, "n_group": 1, "topk_group": 1}
    try:
        folder = config_dir(tmp_path, "deepseek_v3")
    finally:
        del CONFIGS["deepseek_v3"]
    m = hf.model_from_hf_config(folder, dtype="bfloat16")
    bias = m["model.layers.1.mlp.gate.e_score_correction_bias"]
    assert bias.initializer.name == "zeros" and bias.dtype.name == "float32"
    assert m["model.layers.1.mlp.gate.weight"].dtype.name == "float32"
    assert m["model.layers.1.mlp.experts.gate_up_proj"].dtype.name == "bfloat16"
    checkpoint.write(m, tmp_path / "o")
    model = assert_loads_cleanly(tmp_path / "o")
    assert model.model.layers[1].mlp.gate.weight.dtype == torch.float32


def test_tied_and_untied_heads(tmp_path):
    tied = hf.model_from_hf_config(config_dir(tmp_path, "qwen2"))
    untied = hf.model_from_hf_config(config_dir(tmp_path, "llama"))
    assert "lm_head.weight" not in [p.name for p in tied.parameters]
    assert "lm_head.weight" in [p.name for p in untied.parameters]


def test_laws_as_from_config_gives_them_and_the_underivable(tmp_path, monkeypatch):
    """What _init_weights leaves keeps its constructor's law (nn.Embedding's reset: N(0, 1));
    values copied in are written when they do not depend on torch's generator; values drawn
    from it are a clear error naming the parameter and its module type."""
    from transformers.models.llama import modeling_llama

    base = modeling_llama.LlamaPreTrainedModel._init_weights
    folder = config_dir(tmp_path, "llama")

    def skips_embeddings(self, module):
        if not isinstance(module, torch.nn.Embedding):
            base(self, module)

    monkeypatch.setattr(modeling_llama.LlamaPreTrainedModel, "_init_weights", skips_embeddings)
    embedding = hf.model_from_hf_config(folder)["model.embed_tokens.weight"]
    assert (embedding.initializer.name, embedding.initializer.kwargs) == ("normal", {})

    def copies(source):
        def init_weights(self, module):
            base(self, module)
            if isinstance(module, torch.nn.Embedding):
                transformers.initialization.copy_(module.weight, source(module.weight.shape))
        return init_weights

    monkeypatch.setattr(modeling_llama.LlamaPreTrainedModel, "_init_weights",
                        copies(lambda shape: torch.arange(shape[1]) / 7))
    embedding = hf.model_from_hf_config(folder)["model.embed_tokens.weight"]
    assert embedding.initializer.name == "values"
    expected = np.arange(64, dtype=np.float32) / np.float32(7)  # torch's float32 division
    np.testing.assert_array_equal(checkpoint.fill_parameter(
        embedding, np.empty(embedding.shape, np.float32)), np.broadcast_to(expected,
                                                                           embedding.shape))
    monkeypatch.setattr(modeling_llama.LlamaPreTrainedModel, "_init_weights",
                        copies(torch.randn))
    with pytest.raises(checkpoint.CheckpointError,
                       match=r"cannot derive the initialization of model\.embed_tokens\.weight "
                             r"\(module type Embedding of LlamaForCausalLM\): it is set by "
                             r"copy_ of values drawn from torch's generator"):
        hf.model_from_hf_config(folder)


@pytest.mark.parametrize("text, message", [
    ('{"model_type": "no-such-arch"}', "model_type 'no-such-arch' is not an architecture"),
    ('{"vocab_size": 3}', "needs a 'model_type' key"),
    ("{", "not valid JSON"),
])
def test_bad_hf_configs(tmp_path, capsys, text, message):
    path = tmp_path / "config.json"
    path.write_text(text)
    code = _cli.main(["init", "--hf-config", str(path), "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "o").exists()
    code = _cli.main(["init", "--hf-config", str(tmp_path / "missing"), "-o", str(tmp_path / "o")])
    assert code == 1 and "cannot read the config" in capsys.readouterr().err


# --- models in memory: weightinit.hf.from_config ------------------------------------------

def saved_tensors(folder):
    from safetensors.torch import load_file

    out = {}
    for f in sorted(folder.glob("*.safetensors")):
        out.update(load_file(f))
    return out


def same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(
        a.contiguous().reshape(-1).view(torch.uint8), b.contiguous().reshape(-1).view(torch.uint8))


MEMORY = {"gpt2": (CONFIGS["gpt2"], "AutoModelForCausalLM"),
          "llama": (CONFIGS["llama"], "AutoModelForCausalLM"),
          "mistral": (CONFIGS["mistral"], "AutoModelForCausalLM"),
          "qwen2_moe": (CONFIGS["qwen2_moe"], "AutoModelForCausalLM"),
          **{k: TIED[k] for k in ("qwen2", "modernbert", "bart")},
          # values the architecture computes: sinusoidal tables; CLIP's logit_scale
          "whisper": ({"model_type": "whisper", "vocab_size": 200, "d_model": 32,
                       "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 4,
                       "decoder_attention_heads": 4, "encoder_ffn_dim": 64,
                       "decoder_ffn_dim": 64, "num_mel_bins": 16, "max_source_positions": 30,
                       "max_target_positions": 40, "pad_token_id": 0, "bos_token_id": 1,
                       "eos_token_id": 2, "decoder_start_token_id": 1}, "AutoModel"),
          # a weight-normalized convolution (its magnitude the norm of its direction)
          "wav2vec2": ({"model_type": "wav2vec2", "vocab_size": 32, "hidden_size": 32,
                        "intermediate_size": 64, "num_hidden_layers": 1,
                        "num_attention_heads": 4, "conv_dim": [16, 16], "conv_stride": [5, 2],
                        "conv_kernel": [10, 3], "num_conv_pos_embeddings": 16,
                        "num_conv_pos_embedding_groups": 4}, "AutoModel"),
          "clip": ({"model_type": "clip", "projection_dim": 16,
                    "text_config": {"vocab_size": 200, "hidden_size": 32,
                                    "intermediate_size": 64, "num_hidden_layers": 1,
                                    "num_attention_heads": 4, "max_position_embeddings": 32},
                    "vision_config": {"hidden_size": 32, "intermediate_size": 64,
                                      "num_hidden_layers": 1, "num_attention_heads": 4,
                                      "image_size": 32, "patch_size": 8}}, "AutoModel")}


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("name", sorted(MEMORY))
def test_from_config_equals_the_written_checkpoint(tmp_path, capsys, name, dtype):
    """The model in memory holds, bit for bit, the tensors --hf-config writes (same seed and
    dtype); tied names share the source's tensor."""
    from weightinit import hf as memory

    folder = config_dir(tmp_path, name, MEMORY[name][0])
    model = memory.from_config(folder, seed=5, dtype=dtype)
    out = tmp_path / "ckpt"
    assert _cli.main(["init", "--hf-config", str(folder), "-o", str(out), "--seed", "5",
                      "--dtype", dtype, "-q"]) == 0
    saved = saved_tensors(out)
    state = model.state_dict()
    assert set(saved) <= set(state)
    for key, tensor in saved.items():
        assert same_bits(state[key], tensor), key
    for key in set(state) - set(saved):  # tied names, and buffers the architecture computes
        if key in dict(model.named_parameters(remove_duplicate=False)):
            assert any(state[key].data_ptr() == state[s].data_ptr() for s in saved), key
    assert all(p.device.type == "cpu" for p in model.parameters())


def test_from_config_progress(capsys):
    from weightinit import hf as memory

    model = memory.from_config(dict(MEMORY["llama"][0]), seed=2, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines and "(100%)" in lines[-1] and len(lines) <= 5, lines
    plain = memory.from_config(dict(MEMORY["llama"][0]), seed=2)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                 plain.state_dict().values()))


@pytest.mark.parametrize("name", ["whisper", "clip", "wav2vec2"])
def test_from_config_buffers_of_more_families(name):
    """Audio, multimodal, weight-normalized: every buffer as transformers' from_config model
    holds it, and that model takes the state_dict with nothing missing or unexpected."""
    from weightinit import hf as memory

    config, auto = MEMORY[name]
    model = memory.from_config(dict(config), seed=1)
    reference = getattr(transformers, auto).from_config(transformers.AutoConfig.for_model(
        **config))
    assert not any(reference.load_state_dict(model.state_dict()))  # no missing, unexpected
    buffers = dict(model.named_buffers())
    for key, b in reference.named_buffers():
        assert torch.equal(b, buffers[key]), key


@pytest.mark.parametrize("name", ["gpt2", "llama", "modernbert"])
def test_from_config_computes_the_architectures_buffers(tmp_path, name):
    """Loading the model's state_dict into transformers' own from_config model gives the same
    logits, in float32: the buffers (rotary inv_freq, position ids) are the architecture's."""
    from weightinit import hf as memory

    config, auto = MEMORY[name]
    model = memory.from_config(dict(config), seed=1).eval()
    reference = getattr(transformers, auto).from_config(
        transformers.AutoConfig.for_model(**config)).eval()
    reference.load_state_dict(model.state_dict())
    for key, b in reference.named_buffers():
        assert torch.equal(b, model.get_buffer(key)), key
    x = torch.randint(3, 200, (2, 12), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(model(x).logits, reference(x).logits)


def test_from_config_takes_any_spelling_and_any_thread_count(tmp_path):
    import weightinit as wi
    from weightinit import hf as memory

    config = CONFIGS["llama"]
    a = memory.from_config(transformers.AutoConfig.for_model(**config), seed=9).state_dict()
    wi.set_num_threads(1)
    b = memory.from_config(config_dir(tmp_path, "llama"), seed=9).state_dict()
    c = memory.from_config(config, seed=10).state_dict()
    for key in a:
        assert same_bits(a[key], b[key]), key
    assert not torch.equal(a["model.embed_tokens.weight"], c["model.embed_tokens.weight"])


def test_from_config_bad_input(tmp_path):
    from weightinit import hf as memory

    with pytest.raises(checkpoint.CheckpointError, match="needs a 'model_type' key"):
        memory.from_config({"hidden_size": 4})
    remote = {"model_type": "my-remote-model", "auto_map": {"AutoModel": "repo--m.Model"}}
    with pytest.raises(checkpoint.CheckpointError,
                       match="model_type 'my-remote-model' is not an architecture of"):
        memory.from_config(remote)  # remote code is never fetched nor run
    with pytest.raises(ValueError, match="seed"):
        memory.from_config(CONFIGS["llama"], seed=-1)


@pytest.mark.parametrize("name", ["qwen2", "gpt2"])
def test_materialize_a_transformers_model_built_on_meta(name):
    """A model the user built on the meta device (tied already) gets the tensors from_config
    gives, and the same logits."""
    from weightinit import hf as memory
    from weightinit.torch import materialize

    config = transformers.AutoConfig.for_model(**CONFIGS[name])
    with torch.device("meta"):
        model = transformers.AutoModelForCausalLM.from_config(config)
    assert materialize(model, seed=2) is model
    reference = memory.from_config(CONFIGS[name], seed=2)
    state, want = model.state_dict(), reference.state_dict()
    assert list(state) == list(want)
    for key in want:
        assert same_bits(state[key], want[key]), key
    x = torch.randint(3, 200, (2, 12), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(model.eval()(x).logits, reference.eval()(x).logits)


def test_remote_code_references_are_not_written(tmp_path):
    """A config naming remote code (auto_map) for an architecture transformers has: the
    checkpoint is transformers' own class, and its config.json names no remote code."""
    folder = config_dir(tmp_path, "llama", auto_map={"AutoModelForCausalLM": "repo--m.M"})
    desc = hf.hf_description(folder)
    assert "auto_map" not in desc["config"] and desc["config"]["model_type"] == "llama"


@pytest.mark.parametrize("changes, reason", [
    ({"hidden_size": "big"}, "Field 'hidden_size' expected int, got str"),
    ({"hidden_size": 65}, "The hidden size (65) is not a multiple of the number of attention "
                          "heads (4)"),
])
def test_configs_transformers_rejects_are_one_line_errors(tmp_path, capsys, changes, reason):
    folder = config_dir(tmp_path, "llama", **changes)
    code = _cli.main(["init", "--hf-config", str(folder), "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and len(err.splitlines()) == 1, err
    assert "transformers refuses the config: " in err and reason in err
    assert not (tmp_path / "o").exists()
