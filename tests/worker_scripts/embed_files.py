"""LocalClip's batched path over files: features + MaskedResNetEmbedder (run with the worker python).

    embed_files.py MODEL_DIR OUT.npy WAV... [--batch-frames N] [--one-at-a-time]

Saves [files, dim] float32 in the order given. ``--batch-frames`` caps the padded frames per forward pass
(default: all files in one batch); ``--one-at-a-time`` runs ``model(feats)[-1]`` per file instead (the same
features, no batching). A file that cannot be used stops the script with its reason.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from localclip_worker.embedding.batching import MaskedResNetEmbedder
from localclip_worker.embedding.features import load_clip
from localclip_worker.embedding.models import load_model_dir


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("wavs", nargs="+")
    parser.add_argument("--batch-frames", type=int, default=None)
    parser.add_argument("--one-at-a-time", action="store_true")
    args = parser.parse_args()
    loaded = load_model_dir(args.model_dir, "cpu")
    features = [load_clip(wav).features for wav in args.wavs]
    if args.one_at_a_time:
        with torch.inference_mode():
            out = torch.cat([loaded.model(f.unsqueeze(0))[-1] for f in features])
    else:
        out = MaskedResNetEmbedder(loaded.model).embed(features, max_frames=args.batch_frames)
    np.save(args.out, out.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
