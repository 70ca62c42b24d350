# SPDX-License-Identifier: BSD-3-Clause
"""Architectures across transformers' families, each from a tiny config: `weightinit init
--hf-config` writes a checkpoint that its Auto class loads with no missing, unexpected or
newly initialized keys, and every tensor has from_config's law: a tensor that transformers
computes (equal for two seeds of torch's generator: sinusoidal tables, Mamba's A_log, CLIP's
logit_scale, constants) is equal bit for bit; a random one has from_config's zero rows and
passes a two-sample Kolmogorov-Smirnov test against from_config's tensor at p > 1e-9; a
weight normalization's magnitude is the norm of its direction as written. The
architectures weightinit refuses fail with a one-line error naming the parameter and why
(the README lists them)."""

import json

import pytest
from optional import require

torch = require("torch", extra="torch")
transformers = require("transformers", extra="hf", minversion="5")
stats = require("scipy.stats", extra="test")

from weightinit.checkpoint import CheckpointError  # noqa: E402
from weightinit.checkpoint import cli as _cli  # noqa: E402
from weightinit.checkpoint import hf  # noqa: E402
from hf_checks import assert_loads_cleanly, quiet_transformers, zero_rows  # noqa: E402,F401

TEXT = {"vocab_size": 200, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64}
ENC = {"vocab_size": 200, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
       "num_attention_heads": 4}
SEQ = {"vocab_size": 200, "d_model": 32, "encoder_layers": 1, "decoder_layers": 1,
       "encoder_attention_heads": 4, "decoder_attention_heads": 4, "encoder_ffn_dim": 64,
       "decoder_ffn_dim": 64, "max_position_embeddings": 64}
VISION = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
          "num_attention_heads": 4, "image_size": 32, "patch_size": 8}
AUDIO_CONV = {"conv_dim": [16, 16], "conv_stride": [5, 2], "conv_kernel": [10, 3],
              "num_conv_pos_embeddings": 16, "num_conv_pos_embedding_groups": 4}
CLIP_TEXT = {"vocab_size": 200, "hidden_size": 32, "intermediate_size": 64,
             "num_hidden_layers": 1, "num_attention_heads": 4, "max_position_embeddings": 32}

#: name -> (family, config, the Auto class that loads the checkpoint). A config without
#: 'architectures' builds the base model, as AutoModel.from_config does.
SWEEP = {
    # decoders, dense and mixture of experts
    "falcon": ("causal LM", {"model_type": "falcon", "vocab_size": 200, "hidden_size": 32,
                             "num_hidden_layers": 2, "num_attention_heads": 4}, "AutoModel"),
    "mpt": ("causal LM", {"model_type": "mpt", "vocab_size": 200, "d_model": 32, "n_layers": 2,
                          "n_heads": 4, "max_seq_len": 64}, "AutoModel"),
    "gpt_neo": ("causal LM", {"model_type": "gpt_neo", "vocab_size": 200, "hidden_size": 32,
                              "num_layers": 2, "num_heads": 4, "max_position_embeddings": 64,
                              "attention_types": [[["global", "local"], 1]]}, "AutoModel"),
    "nemotron": ("causal LM", {"model_type": "nemotron", **TEXT, "head_dim": 8}, "AutoModel"),
    "persimmon": ("causal LM", {"model_type": "persimmon", **TEXT}, "AutoModel"),
    "olmoe": ("MoE", {"model_type": "olmoe", **TEXT, "num_experts": 4,
                      "num_experts_per_tok": 2}, "AutoModel"),
    "deepseek_v3": ("MoE", {"model_type": "deepseek_v3", **TEXT, "moe_intermediate_size": 16,
                            "n_routed_experts": 4, "num_experts_per_tok": 2,
                            "n_shared_experts": 1, "first_k_dense_replace": 1,
                            "kv_lora_rank": 16, "q_lora_rank": 16, "qk_rope_head_dim": 8,
                            "qk_nope_head_dim": 8, "v_head_dim": 8, "n_group": 1,
                            "topk_group": 1}, "AutoModel"),
    "jamba": ("state-space (hybrid MoE)", {
        "model_type": "jamba", **TEXT, "num_experts": 2, "num_experts_per_tok": 1,
        "attn_layer_period": 2, "attn_layer_offset": 1, "expert_layer_period": 2,
        "expert_layer_offset": 1, "mamba_d_state": 8, "mamba_expand": 2, "mamba_dt_rank": 4},
        "AutoModel"),
    "rwkv": ("recurrent", {"model_type": "rwkv", "vocab_size": 200, "hidden_size": 32,
                           "num_hidden_layers": 2, "attention_hidden_size": 32,
                           "intermediate_size": 64, "context_length": 64}, "AutoModel"),
    # encoders
    "bert": ("encoder", {"model_type": "bert", **ENC}, "AutoModel"),
    "bert-mlm": ("encoder", {"model_type": "bert", **ENC, "architectures": ["BertForMaskedLM"]},
                 "AutoModelForMaskedLM"),
    "distilbert": ("encoder", {"model_type": "distilbert", "vocab_size": 200, "dim": 32,
                               "n_layers": 1, "n_heads": 4, "hidden_dim": 64,
                               "max_position_embeddings": 64}, "AutoModel"),
    "distilbert-sinusoidal": ("encoder", {
        "model_type": "distilbert", "vocab_size": 200, "dim": 32, "n_layers": 1, "n_heads": 4,
        "hidden_dim": 64, "max_position_embeddings": 64, "sinusoidal_pos_embds": True},
        "AutoModel"),
    "electra": ("encoder", {"model_type": "electra", **ENC, "embedding_size": 16}, "AutoModel"),
    "deberta-v2": ("encoder", {"model_type": "deberta-v2", **ENC}, "AutoModel"),
    "xlm-roberta": ("encoder", {"model_type": "xlm-roberta", **ENC, "pad_token_id": 1},
                    "AutoModel"),
    "longformer": ("encoder", {"model_type": "longformer", **ENC, "attention_window": 8,
                               "max_position_embeddings": 66, "pad_token_id": 1}, "AutoModel"),
    "funnel": ("encoder", {"model_type": "funnel", "vocab_size": 200, "d_model": 32,
                           "n_head": 4, "d_head": 8, "d_inner": 64, "block_sizes": [1, 1]},
               "AutoModel"),
    "layoutlm": ("encoder", {"model_type": "layoutlm", **ENC}, "AutoModel"),
    # encoder-decoders
    "t5": ("encoder-decoder", {"model_type": "t5", "vocab_size": 200, "d_model": 32, "d_kv": 8,
                               "d_ff": 64, "num_layers": 1, "num_heads": 4}, "AutoModel"),
    "mt5": ("encoder-decoder", {"model_type": "mt5", "vocab_size": 200, "d_model": 32,
                                "d_kv": 8, "d_ff": 64, "num_layers": 1, "num_heads": 4},
            "AutoModel"),
    "pegasus": ("encoder-decoder", {"model_type": "pegasus", **SEQ}, "AutoModel"),
    "marian": ("encoder-decoder", {"model_type": "marian", **SEQ, "pad_token_id": 0,
                                   "decoder_start_token_id": 0}, "AutoModel"),
    "mbart": ("encoder-decoder", {"model_type": "mbart", **SEQ}, "AutoModel"),
    # vision
    "vit": ("vision", {"model_type": "vit", **VISION}, "AutoModel"),
    "vit-classifier": ("vision", {"model_type": "vit", **VISION,
                                  "architectures": ["ViTForImageClassification"]},
                       "AutoModelForImageClassification"),
    "deit": ("vision", {"model_type": "deit", **VISION}, "AutoModel"),
    "beit": ("vision", {"model_type": "beit", **VISION, "vocab_size": 100}, "AutoModel"),
    "dinov2": ("vision", {"model_type": "dinov2", "hidden_size": 32, "num_hidden_layers": 1,
                          "num_attention_heads": 4, "image_size": 32, "patch_size": 8,
                          "mlp_ratio": 2}, "AutoModel"),
    "swin": ("vision", {"model_type": "swin", "image_size": 32, "patch_size": 4,
                        "embed_dim": 16, "depths": [1, 1], "num_heads": [2, 2],
                        "window_size": 4}, "AutoModel"),
    "convnext": ("vision", {"model_type": "convnext", "hidden_sizes": [8, 16],
                            "depths": [1, 1], "num_stages": 2}, "AutoModel"),
    "resnet": ("vision", {"model_type": "resnet", "embedding_size": 8, "hidden_sizes": [8, 16],
                          "depths": [1, 1]}, "AutoModel"),
    "regnet": ("vision", {"model_type": "regnet", "embedding_size": 8, "hidden_sizes": [8, 16],
                          "depths": [1, 1], "groups_width": 8}, "AutoModel"),
    "mobilevit": ("vision", {"model_type": "mobilevit", "image_size": 32, "patch_size": 2,
                             "hidden_sizes": [16, 16, 16],
                             "neck_hidden_sizes": [8, 8, 16, 16, 16, 16, 32],
                             "num_attention_heads": 2, "num_hidden_layers": 1}, "AutoModel"),
    "segformer": ("vision", {"model_type": "segformer", "num_encoder_blocks": 2,
                             "depths": [1, 1], "sr_ratios": [2, 1], "hidden_sizes": [8, 16],
                             "patch_sizes": [7, 3], "strides": [4, 2],
                             "num_attention_heads": [1, 2], "mlp_ratios": [2, 2],
                             "decoder_hidden_size": 16}, "AutoModel"),
    "yolos": ("vision", {"model_type": "yolos", **VISION, "image_size": [32, 32],
                         "num_detection_tokens": 4}, "AutoModel"),
    # audio
    "whisper": ("audio", {"model_type": "whisper", **{k: v for k, v in SEQ.items()
                                                       if k != "max_position_embeddings"},
                          "num_mel_bins": 16, "max_source_positions": 30,
                          "max_target_positions": 40, "pad_token_id": 0, "bos_token_id": 1,
                          "eos_token_id": 2, "decoder_start_token_id": 1}, "AutoModel"),
    "audio-spectrogram-transformer": ("audio", {
        "model_type": "audio-spectrogram-transformer", **ENC, "num_mel_bins": 16,
        "max_length": 32, "patch_size": 8, "frequency_stride": 8, "time_stride": 8},
        "AutoModel"),
    "speecht5": ("audio", {"model_type": "speecht5", "vocab_size": 80, "hidden_size": 32,
                           "encoder_layers": 1, "decoder_layers": 1,
                           "encoder_attention_heads": 4, "decoder_attention_heads": 4,
                           "encoder_ffn_dim": 64, "decoder_ffn_dim": 64,
                           "speech_decoder_prenet_units": 16,
                           "speech_decoder_postnet_units": 16, "num_mel_bins": 8, **AUDIO_CONV},
                 "AutoModel"),
    "wav2vec2": ("audio", {"model_type": "wav2vec2", **ENC, "vocab_size": 32, **AUDIO_CONV},
                 "AutoModel"),  # a weight-normalized convolution: its magnitude and direction
    "hubert": ("audio", {"model_type": "hubert", **ENC, "vocab_size": 32, **AUDIO_CONV},
               "AutoModel"),
    "encodec": ("audio", {"model_type": "encodec", "hidden_size": 16, "num_filters": 4,
                          "num_residual_layers": 1, "upsampling_ratios": [2, 2],
                          "codebook_size": 16, "codebook_dim": 16, "target_bandwidths": [1.5]},
                "AutoModel"),
    # multimodal
    "clip": ("multimodal", {"model_type": "clip", "text_config": CLIP_TEXT,
                            "vision_config": VISION, "projection_dim": 16}, "AutoModel"),
    "siglip": ("multimodal", {"model_type": "siglip", "text_config": CLIP_TEXT,
                              "vision_config": VISION}, "AutoModel"),
    "blip": ("multimodal", {"model_type": "blip", "text_config": {
        k: v for k, v in CLIP_TEXT.items() if k != "max_position_embeddings"},
        "vision_config": VISION, "projection_dim": 16}, "AutoModel"),
    "llava": ("multimodal", {"model_type": "llava", "text_config": {"model_type": "llama",
                                                                    **TEXT},
                             "vision_config": {"model_type": "clip_vision_model", **VISION,
                                               "projection_dim": 16},
                             "image_token_index": 199}, "AutoModel"),
    "gemma3": ("multimodal", {"model_type": "gemma3",
                              "text_config": {"model_type": "gemma3_text", **TEXT,
                                              "head_dim": 8},
                              "vision_config": {"model_type": "siglip_vision_model", **VISION},
                              "mm_tokens_per_image": 4}, "AutoModel"),
}

#: Refused, with the parameter and the reason the error gives (README, "Refused").
REFUSED = {
    "mamba": ({"model_type": "mamba", "vocab_size": 200, "hidden_size": 32, "state_size": 8,
               "num_hidden_layers": 1, "expand": 2},
              r"layers\.0\.mixer\.dt_proj\.bias .* copy_ of values drawn from torch's generator"),
    "mamba2": ({"model_type": "mamba2", "vocab_size": 200, "hidden_size": 32, "state_size": 8,
                "num_hidden_layers": 1, "expand": 2, "num_heads": 4, "head_dim": 16,
                "n_groups": 1},
               r"layers\.0\.mixer\.dt_bias .* copy_ of values drawn from torch's generator"),
    "recurrent_gemma": ({"model_type": "recurrent_gemma", **TEXT, "num_hidden_layers": 1,
                         "num_key_value_heads": 1, "lru_width": 32, "attention_window_size": 16,
                         "head_dim": 8},
                        r"rg_lru\.recurrent_param .* copy_ of values drawn from torch's "
                        r"generator"),
    "falcon_mamba": ({"model_type": "falcon_mamba", "vocab_size": 200, "hidden_size": 32,
                      "state_size": 8, "num_hidden_layers": 1, "expand": 2},
                     r"layers\.0\.mixer\.dt_proj\.bias .* copy_ of values drawn from torch's "
                     r"generator"),
}


def test_the_sweep_covers_every_family():
    families = {family.split(" ")[0] for family, _, _ in SWEEP.values()}
    assert {"causal", "MoE", "encoder", "encoder-decoder", "vision", "audio", "multimodal",
            "state-space"} <= families
    assert len({config["model_type"] for _, config, _ in SWEEP.values()}) >= 40


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_sweep(tmp_path, capsys, name):
    family, config, auto = SWEEP[name]
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    out = tmp_path / "o"
    code = _cli.main(["init", "--hf-config", str(folder), "-o", str(out), "-q", "--seed", "3"])
    assert code == 0, capsys.readouterr().err
    ours = assert_loads_cleanly(out, auto)
    saved = transformers.AutoConfig.from_pretrained(str(out))
    theirs = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        theirs.append(getattr(transformers, auto).from_config(saved))
    assert type(ours) is type(theirs[0])
    mine = dict(ours.named_parameters())
    first, second = (dict(m.named_parameters()) for m in theirs)
    assert set(mine) == set(first)
    for key, p in mine.items():
        a, b, c = p.detach().double(), first[key].detach().double(), second[key].detach().double()
        if torch.equal(b, c):  # computed by the architecture, not drawn
            assert torch.equal(a, b), key
            continue
        assert zero_rows(a) == zero_rows(b), key
        a, b = a.flatten().numpy(), b.flatten().numpy()
        assert stats.ks_2samp(a, b).pvalue > 1e-9, key
    for m in ours.modules():  # a weight normalization's magnitude is its direction's norm
        if torch.nn.utils.parametrize.is_parametrized(m, "weight"):
            [norm] = m.parametrizations["weight"]
            g, v = m.parametrizations["weight"].original0, m.parametrizations["weight"].original1
            assert torch.equal(g, torch.norm_except_dim(v, 2, norm.dim))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_architectures_say_which_parameter_and_why(name):
    config, reason = REFUSED[name]
    with pytest.raises(CheckpointError, match=r"cannot derive the initialization of .*" + reason):
        hf._derive(config, name, None, None)
