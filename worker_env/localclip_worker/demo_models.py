"""Model folders with random weights, for the demo, the tests and the benchmarks (no download needed).

    <worker python> -m localclip_worker.demo_models OUT_DIR [--embed-dim 32] [--model ResNet34] [--seed 0]
    <worker python> -m localclip_worker.demo_models OUT_DIR --kind fish [--size tiny|s1-mini] [--seed 0]

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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--kind", choices=["wespeaker", "fish"], default="wespeaker")
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
    model, config = build(args.model, args.embed_dim, args.seed, args.two_emb_layer)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    torch.save(model.state_dict(), args.out_dir / WEIGHTS_FILE)


if __name__ == "__main__":
    main()
