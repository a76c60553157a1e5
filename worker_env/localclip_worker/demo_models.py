"""Model folders with random weights, for the demo, the tests and the benchmarks (no download needed).

    <worker python> -m localclip_worker.demo_models OUT_DIR [--embed-dim 32] [--model ResNet34] [--seed 0]
    <worker python> -m localclip_worker.demo_models OUT_DIR --kind fish [--size tiny|s1-mini] [--seed 0]
    <worker python> -m localclip_worker.demo_models OUT_DIR --kind recogniser [--seed 0]

Demo models compute exactly what a trained model computes, with random weights: their embeddings tell
LocalClip's pipeline works, not who is speaking. Real models come from the WeSpeaker model hub.

The model is WeSpeaker's own class; its BatchNorm running statistics and affine parameters are randomised
too, so the network is not the near-identity a fresh BatchNorm gives and different inputs give different
embeddings. ``--embed-dim 256`` gives the real-size ResNet34 for benchmarks.

``--kind fish`` writes a fish-speech checkpoint folder (config.json, model.pth, tokenizer.tiktoken,
special_tokens.json, codec.pth) built with fish-speech's own classes: a dual-AR language model and its
tokenizer, and a modded DAC codec. Random weights make noise, not speech, through the real code paths.
- ``tiny`` (default): a 127 k-parameter language model (4 codebooks: 1 semantic of 64 + 3 residual of 32)
  whose tokenizer holds the 256 single bytes (any UTF-8 text encodes), and a 0.28 M-parameter codec at
  44.1 kHz and 21.5 frames/s (codec.yaml beside codec.pth describes it). Builds, loads and generates on a
  CPU in seconds.
- ``s1-mini``: sized like OpenAudio S1-mini for benchmarks. The codec is fish-speech's own S1 codec config
  (modded_dac_vq.yaml, 391 M parameters; no codec.yaml is written, so the loader uses the package's). The
  real language model's dimensions are not published (its model card says 0.5 B parameters); these are a
  plausible guess in the Qwen-0.5B family: dim 1024, 24 layers, 16 heads (8 KV heads of 64), feed-forward
  3072, 4 fast layers of the same width, 10 codebooks (1 semantic of 4096 + 9 residual of 1024), a
  151,643-token BPE vocabulary plus specials, 8192 positions. About 0.56 B parameters, saved in bfloat16.
  Writes about 3 GB.

``--kind recogniser`` writes a Whisper folder as Hugging Face publishes them (config.json,
generation_config.json, model.safetensors, vocab.json, merges.txt, tokenizer.json, tokenizer_config.json,
special_tokens_map.json, added_tokens.json, preprocessor_config.json), loaded by
transformers' own ``WhisperForConditionalGeneration`` and ``WhisperProcessor`` offline: a 0.1 M-parameter
model (1 encoder and 1 decoder layer of width 32, 80 mel bins, the full 30 s window of 1,500 encoder
positions, 64 decoder positions) whose tokenizer holds the 256 single bytes (byte-level BPE, no merges:
any UTF-8 text encodes) and Whisper's special tokens, every language of Whisper's list among them, so
language detection and a given language work as with a real model. Random weights transcribe any audio
as garbage text, through the real code paths.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import torch
import yaml

from localclip_worker.embedding.models import CONFIG_FILE, FEAT_DIM, WEIGHTS_FILE, import_wespeaker_models


def build(name: str, embed_dim: int, seed: int, two_emb_layer: bool) -> tuple[torch.nn.Module, dict]:
    """A WeSpeaker model of any family LocalClip loads (ResNet34, CAMPPlus, ECAPA_TDNN_c512,
    ERes2Net34_Base...), as its recipes configure it."""
    torch.manual_seed(seed)
    args: dict = {"feat_dim": FEAT_DIM, "embed_dim": embed_dim}
    if name.startswith("ECAPA_TDNN"):
        args |= {"pooling_func": "ASTP", "emb_bn": False}
    elif name.startswith("CAMPPlus"):
        args |= {"pooling_func": "TSTP"}
    else:  # ResNet and ERes2Net
        args |= {"pooling_func": "TSTP", "two_emb_layer": two_emb_layer}
    model = import_wespeaker_models().get_speaker_model(name)(**args)
    randomise_batchnorm(model, seed)
    return model.eval(), {"model": name, "model_args": args}


def randomise_batchnorm(model: torch.nn.Module, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for module in model.modules():
            if not isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                continue
            size = module.num_features
            module.running_mean.copy_(0.1 * torch.randn(size, generator=generator))
            module.running_var.copy_(0.5 + torch.rand(size, generator=generator))
            if module.affine:
                module.weight.copy_(0.5 + torch.rand(size, generator=generator))
                module.bias.copy_(0.1 * torch.randn(size, generator=generator))


# -- fish-speech ------------------------------------------------------------------------------------------

FISH_NON_SEMANTIC_SPECIALS = 15  # <|begin_of_text|> ... <|audio|>: fish_speech.tokenizer.ALL_SPECIAL_TOKENS
TINY_CODEC_TRANSFORMER = {
    "_target_": "fish_speech.models.dac.modded_dac.WindowLimitedTransformer",
    "causal": True,
    "window_size": 128,
    "input_dim": 64,
    "config": {
        "_target_": "fish_speech.models.dac.modded_dac.ModelArgs",
        "block_size": 1024,  # the longest sequence it can take: 1024 frames, 47 s
        "n_layer": 1,
        "n_head": 2,
        "dim": 16,
        "intermediate_size": 32,
        "n_local_heads": -1,  # modded DAC splits wqkv in three equal parts: as many KV heads as heads
        "head_dim": 8,
        "channels_first": True,
    },
}
TINY_CODEC = {
    "_target_": "fish_speech.models.dac.modded_dac.DAC",
    "sample_rate": 44100,
    "encoder_dim": 4,
    "encoder_rates": [2, 4, 8, 8],  # hop 512, x4 in the quantizer: 2048 samples (21.5 frames/s) as in S1
    "decoder_dim": 16,
    "decoder_rates": [8, 8, 4, 2],
    "encoder_transformer_layers": [0, 0, 0, 0],
    "decoder_transformer_layers": [0, 0, 0, 0],
    "transformer_general_config": None,
    "quantizer": {
        "_target_": "fish_speech.models.dac.rvq.DownsampleResidualVectorQuantize",
        "input_dim": 64,  # encoder_dim x 2**4
        "n_codebooks": 3,
        "codebook_size": 32,
        "codebook_dim": 4,
        "quantizer_dropout": 0.0,
        "downsample_factor": [2, 2],
        "semantic_codebook_size": 64,
        "pre_module": TINY_CODEC_TRANSFORMER,
        "post_module": TINY_CODEC_TRANSFORMER,
    },
}


@dataclass(frozen=True)
class FishSize:
    bpe_tokens: int
    semantic_tokens: int
    llm: dict
    codec: dict | None  # None: fish-speech's own configs/modded_dac_vq.yaml
    llm_dtype: torch.dtype


FISH_SIZES = {
    "tiny": FishSize(
        bpe_tokens=256,
        semantic_tokens=64,
        llm={
            "codebook_size": 64,
            "num_codebooks": 4,
            "dim": 64,
            "n_layer": 2,
            "n_head": 2,
            "n_local_heads": 1,
            "head_dim": 32,
            "intermediate_size": 128,
            "max_seq_len": 4096,
            "n_fast_layer": 1,
            "fast_dim": 32,
            "fast_n_head": 2,
            "fast_n_local_heads": 1,
            "fast_head_dim": 16,
            "fast_intermediate_size": 64,
        },
        codec=TINY_CODEC,
        llm_dtype=torch.float32,
    ),
    "s1-mini": FishSize(
        bpe_tokens=151_643,
        semantic_tokens=4096,
        llm={
            "codebook_size": 4096,
            "num_codebooks": 10,
            "dim": 1024,
            "n_layer": 24,
            "n_head": 16,
            "n_local_heads": 8,
            "head_dim": 64,
            "intermediate_size": 3072,
            "max_seq_len": 8192,
            "n_fast_layer": 4,
            "fast_dim": 1024,
            "fast_n_head": 16,
            "fast_n_local_heads": 8,
            "fast_head_dim": 64,
            "fast_intermediate_size": 3072,
        },
        codec=None,
        llm_dtype=torch.bfloat16,
    ),
}


def build_fish(out_dir: Path, size: str = "tiny", seed: int = 0) -> None:
    """Write a fish-speech checkpoint folder with random weights (see the module's doc)."""
    from localclip_worker.cloning.fish import fish

    spec = FISH_SIZES[size]
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_fish_tokenizer(out_dir, spec.bpe_tokens, spec.semantic_tokens, seed)
    torch.manual_seed(seed)
    tokenizer = fish().tokenizer.FishTokenizer.from_pretrained(str(out_dir))
    # Exactly the tokenizer's tokens: a random model samples any id, and one past the semantic tokens would
    # index past the fast transformer's codebook embeddings (a trained model never emits those).
    vocab = spec.bpe_tokens + FISH_NON_SEMANTIC_SPECIALS + spec.semantic_tokens
    args = fish().llama.DualARModelArgs(model_type="dual_ar", vocab_size=vocab, **spec.llm)
    model = fish().llama.DualARTransformer(args, tokenizer)
    # Saved before any setup_caches: afterwards the KV caches would be saved too, as persistent buffers.
    args.save(str(out_dir / "config.json"))
    torch.save({k: v.to(spec.llm_dtype) for k, v in model.state_dict().items()}, out_dir / "model.pth")
    del model
    _write_fish_codec(out_dir, spec.codec)


def _write_fish_tokenizer(out_dir: Path, bpe_tokens: int, semantic_tokens: int, seed: int) -> None:
    import base64
    import json
    import random

    from localclip_worker.cloning.fish import fish

    # The 256 single bytes first, so any UTF-8 text encodes; then distinct printable byte strings as
    # stand-ins for a real BPE vocabulary's merges (only their count matters for the model's size).
    tokens = [bytes([value]) for value in range(256)]
    seen, rng = set(tokens), random.Random(seed)  # noqa: S311 - stand-in tokens, not secrets
    while len(tokens) < bpe_tokens:
        token = bytes(rng.randrange(33, 127) for _ in range(rng.randrange(2, 8)))
        if token not in seen:
            seen.add(token)
            tokens.append(token)
    lines = [f"{base64.b64encode(token).decode('ascii')} {rank}" for rank, token in enumerate(tokens)]
    (out_dir / "tokenizer.tiktoken").write_text("\n".join(lines) + "\n", encoding="ascii")
    module = fish().tokenizer
    names = module.ALL_SPECIAL_TOKENS[:FISH_NON_SEMANTIC_SPECIALS]
    names += [module.SEMANTIC_TOKEN_TEMPLATE.format(i=i) for i in range(semantic_tokens)]
    # fish-speech recomputes the ids (bpe count + position); they are written as it would write them.
    specials = {name: bpe_tokens + index for index, name in enumerate(names)}
    (out_dir / "special_tokens.json").write_text(json.dumps(specials, indent=1), encoding="utf-8")


def _write_fish_codec(out_dir: Path, config: dict | None) -> None:
    from localclip_worker.cloning.models import build_codec

    codec_file = out_dir / "codec.pth"
    if config is not None:
        (out_dir / "codec.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    codec, _ = build_codec(codec_file)
    torch.save(codec.state_dict(), codec_file)


# -- Whisper (the take QA's recogniser) --------------------------------------------------------------------

WHISPER_TINY = {  # transformers' WhisperConfig fields; the vocabulary size comes from the tokenizer
    "num_mel_bins": 80,
    "d_model": 32,
    "encoder_layers": 1,
    "encoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_layers": 1,
    "decoder_attention_heads": 2,
    "decoder_ffn_dim": 64,
    "max_source_positions": 1500,  # 3,000 mel frames halved by the second conv: Whisper's 30 s window
    "max_target_positions": 64,  # short: random weights rarely stop before the limit
}
# Whisper's special tokens after <|endoftext|>, in the order its tokenizer has them (the language tokens go
# between <|startoftranscript|> and <|translate|>); the timestamp tokens that follow in a real vocabulary
# are left out (LocalClip never asks for timestamps).
WHISPER_SPECIALS_AFTER_LANGUAGES = (
    "<|translate|>",
    "<|transcribe|>",
    "<|startoflm|>",
    "<|startofprev|>",
    "<|nocaptions|>",
    "<|notimestamps|>",
)


def build_whisper(out_dir: Path, seed: int = 0) -> None:
    """Write a tiny multilingual Whisper folder with random weights (see the module's doc)."""
    import json
    import tempfile

    from transformers import (
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizer,
        WhisperTokenizerFast,
    )
    from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    out_dir.mkdir(parents=True, exist_ok=True)
    # Byte-level BPE as GPT-2 and Whisper write it: each byte is a printable character in vocab.json.
    byte_chars = bytes_to_unicode()
    vocab = {byte_chars[value]: value for value in range(256)}
    end = vocab["<|endoftext|>"] = len(vocab)
    languages = [f"<|{code}|>" for code in LANGUAGES]
    specials = ["<|startoftranscript|>", *languages, *WHISPER_SPECIALS_AFTER_LANGUAGES]
    with tempfile.TemporaryDirectory() as scratch:
        vocab_file, merges_file = Path(scratch) / "vocab.json", Path(scratch) / "merges.txt"
        vocab_file.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        merges_file.write_text("#version: 0.2\n", encoding="utf-8")
        slow = WhisperTokenizer(str(vocab_file), str(merges_file), model_max_length=1024)
        slow.add_special_tokens({"additional_special_tokens": specials})
        slow.save_pretrained(scratch)
        tokenizer = WhisperTokenizerFast.from_pretrained(scratch)  # writes tokenizer.json when saved
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in specials}
    assert list(ids.values()) == list(range(end + 1, end + 1 + len(specials))), "special ids out of order"
    start, no_timestamps = ids["<|startoftranscript|>"], ids["<|notimestamps|>"]
    space = vocab[byte_chars[ord(" ")]]
    config = WhisperConfig(
        vocab_size=len(tokenizer),
        pad_token_id=end,
        bos_token_id=end,
        eos_token_id=end,
        decoder_start_token_id=start,
        begin_suppress_tokens=None,  # generation settings: in generation_config.json (below)
        suppress_tokens=None,
        **WHISPER_TINY,
    )
    torch.manual_seed(seed)
    model = WhisperForConditionalGeneration(config).eval()
    generation = model.generation_config
    # What WhisperForConditionalGeneration.generate reads besides the model config (a real checkpoint's
    # generation_config.json has the same fields).
    generation.decoder_start_token_id = start
    generation.pad_token_id = generation.bos_token_id = generation.eos_token_id = end
    generation.max_length = WHISPER_TINY["max_target_positions"]
    generation.begin_suppress_tokens = [space, end]  # a transcript never starts with a space or ends at once
    # As OpenAI's Whisper does, the task and prompt tokens are never sampled (a random model would sample
    # them as often as any byte, and they decode to nothing).
    generation.suppress_tokens = list(ids.values())
    generation.no_timestamps_token_id = no_timestamps
    generation.prev_sot_token_id = ids["<|startofprev|>"]
    generation.is_multilingual = True
    generation.lang_to_id = {token: ids[token] for token in languages}
    generation.task_to_id = {"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]}
    generation.max_initial_timestamp_index = 50
    generation.return_timestamps = False
    generation.forced_decoder_ids = None
    # Marked as derived from the model config, GenerationConfig.from_pretrained would drop every field it
    # has no default for (lang_to_id, task_to_id, no_timestamps_token_id...) when the folder is loaded.
    generation._from_model_config = False
    model.save_pretrained(out_dir, safe_serialization=True)
    features = WhisperFeatureExtractor(feature_size=WHISPER_TINY["num_mel_bins"])  # Whisper's 16 kHz, 30 s
    WhisperProcessor(features, tokenizer).save_pretrained(out_dir)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--kind", choices=["wespeaker", "fish", "recogniser"], default="wespeaker")
    parser.add_argument("--embed-dim", type=int, default=32, help="wespeaker only")
    parser.add_argument(
        "--model",
        default="ResNet34",
        help="wespeaker only: ResNet34, CAMPPlus, ECAPA_TDNN_c512, ERes2Net34_Base...",
    )
    parser.add_argument("--size", choices=sorted(FISH_SIZES), default="tiny", help="fish only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--two-emb-layer", action="store_true", help="wespeaker only")
    args = parser.parse_args()
    if args.kind == "fish":
        build_fish(args.out_dir, args.size, args.seed)
        return
    if args.kind == "recogniser":
        build_whisper(args.out_dir, args.seed)
        return
    model, config = build(args.model, args.embed_dim, args.seed, args.two_emb_layer)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    torch.save(model.state_dict(), args.out_dir / WEIGHTS_FILE)


if __name__ == "__main__":
    main()
