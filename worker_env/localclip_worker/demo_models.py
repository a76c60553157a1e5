"""Model folders with random weights, for the demo, the tests and the benchmarks (no download needed).

    <worker python> -m localclip_worker.demo_models OUT_DIR [--embed-dim 32] [--model ResNet34] [--seed 0]

Demo models compute exactly what a trained model computes, with random weights: their embeddings tell
LocalClip's pipeline works, not who is speaking. Real models come from the WeSpeaker model hub.

The model is WeSpeaker's own class; its BatchNorm running statistics and affine parameters are randomised
too, so the network is not the near-identity a fresh BatchNorm gives and different inputs give different
embeddings. ``--embed-dim 256`` gives the real-size ResNet34 for benchmarks.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
import yaml

from localclip_worker.embedding.models import CONFIG_FILE, FEAT_DIM, WEIGHTS_FILE, import_wespeaker_models


def build(name: str, embed_dim: int, seed: int, two_emb_layer: bool) -> tuple[torch.nn.Module, dict]:
    torch.manual_seed(seed)
    args = {
        "feat_dim": FEAT_DIM,
        "embed_dim": embed_dim,
        "pooling_func": "TSTP",
        "two_emb_layer": two_emb_layer,
    }
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--embed-dim", type=int, default=32)
    parser.add_argument("--model", default="ResNet34")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--two-emb-layer", action="store_true")
    args = parser.parse_args()
    model, config = build(args.model, args.embed_dim, args.seed, args.two_emb_layer)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    torch.save(model.state_dict(), args.out_dir / WEIGHTS_FILE)


if __name__ == "__main__":
    main()
