"""Write a tiny fish-speech checkpoint folder with random weights (run with the worker environment's python).

    make_fish_model.py OUT_DIR [--mismatched-codec DIR] [--missing-tensor DIR]

The checkpoint is the product's own demo builder (localclip_worker.demo_models, ``--kind fish``).
``--mismatched-codec`` also writes DIR/codec.pth + codec.yaml: a consistent codec (weights fit its yaml)
with 2 residual codebooks instead of 3, which does not match the tiny language model's 4 codebooks.
``--missing-tensor`` writes DIR/model.pth: the checkpoint's weights less one tensor (the folder's other
files are the test's to copy).
"""

import argparse
import copy
from pathlib import Path

import torch
import yaml

from localclip_worker.cloning.models import build_codec
from localclip_worker.demo_models import TINY_CODEC, build_fish


def write_mismatched_codec(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    config = copy.deepcopy(TINY_CODEC)
    config["quantizer"]["n_codebooks"] = 2
    (folder / "codec.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    codec, _ = build_codec(folder / "codec.pth")
    torch.save(codec.state_dict(), folder / "codec.pth")


def write_missing_tensor(checkpoint: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    weights = torch.load(checkpoint / "model.pth", weights_only=True)
    del weights["fast_output.weight"]
    torch.save(weights, folder / "model.pth")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--mismatched-codec", type=Path)
    parser.add_argument("--missing-tensor", type=Path)
    args = parser.parse_args()
    build_fish(args.out_dir, "tiny", seed=0)
    if args.mismatched_codec:
        write_mismatched_codec(args.mismatched_codec)
    if args.missing_tensor:
        write_missing_tensor(args.out_dir, args.missing_tensor)
