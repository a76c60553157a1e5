"""The model-only ceiling for bench/embed.py (run with the worker python): forward passes alone.

    embed_ceiling.py MODEL_DIR RESULT.json --threads N [--path localclip|eager] [--device cpu|cuda]
                     [--batch-frames F] [--go FILE] CLIP...

Every clip's features are computed first (LocalClip's own front end, not timed); then, with ``--threads``
torch threads, the clips go through the model and only those passes are timed. On the CPU (the default)
one clip per forward pass, LocalClip's batch size there. On CUDA the clips, sorted by length, go in
batches of at most ``--batch-frames`` padded frames (default: LocalClip's GPU batch budget at its largest,
CUDA_CAP_FRAMES), the first batch as warm-up, with ``torch.cuda.synchronize()`` before every clock
reading. ``--path localclip`` uses the forward step of LocalClip's ``embed`` job after its own set-up
(whatever that step does on this device); ``--path eager`` calls the WeSpeaker module itself,
``model(feats)[-1]`` under inference mode, as WeSpeaker's ``extract_embedding`` does (on a zero-padded
batch on CUDA: the same compute, without LocalClip's masking). Several of these processes run side by side
for a plan of several workers: with ``--go`` each one writes ``RESULT.json.ready`` after its set-up and
waits until the go file exists, so their timed parts overlap.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from torch.nn.utils.rnn import pad_sequence

from localclip_worker.embedding.batching import split_by_frames
from localclip_worker.embedding.budget import CUDA_CAP_FRAMES
from localclip_worker.embedding.features import load_clip
from localclip_worker.jobs import create_job

POLL_SECONDS = 0.005


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("clips", nargs="+")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--path", choices=("localclip", "eager"), default="localclip")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--batch-frames", type=int, default=CUDA_CAP_FRAMES, help="CUDA: most padded frames")
    parser.add_argument(
        "--precision", default="exact", help="CUDA: the job's precision (exact, tf32, bf16, fp16)"
    )
    parser.add_argument("--go", type=Path, help="start timing once this file exists")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    job = create_job("embed")
    job.setup({"model_dir": str(args.model_dir), "device": args.device, "precision": args.precision})
    torch.set_num_threads(args.threads)  # whatever the job's set-up chose, the ceiling runs with these
    # On the device before the clock starts: the ceiling is the model step alone.
    features = [load_clip(path).features.to(args.device) for path in args.clips]
    model, device = job.model, torch.device(args.device)

    def eager(batch: list[torch.Tensor]) -> torch.Tensor:
        padded = batch[0].unsqueeze(0) if len(batch) == 1 else pad_sequence(batch, batch_first=True)
        with torch.inference_mode():
            return model(padded.to(device))[-1]

    def forward(batch: list[torch.Tensor]) -> None:
        job.forward_step(batch) if args.path == "localclip" else eager(batch)

    batches = passes(features, args.device, args.batch_frames)
    # One warm-up pass; on CUDA the largest batch, so the timed passes find torch's memory cache filled.
    forward(max(batches, key=padded_frames) if args.device == "cuda" else [features[0][:200]])
    synchronize(args.device)
    ready = time.perf_counter()
    if args.go is not None:
        args.result.with_name(args.result.name + ".ready").touch()
        while not args.go.exists():
            time.sleep(POLL_SECONDS)
    synchronize(args.device)
    started = time.perf_counter()
    cpu_started = time.process_time()
    for batch in batches:
        forward(batch)
    synchronize(args.device)
    seconds = time.perf_counter() - started
    result = {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu_started, 3),
        "waited": round(started - ready, 3),
        "clips": len(features),
        "frames": sum(int(f.shape[0]) for f in features),
        "passes": len(batches),
        "padded_frames": sum(padded_frames(batch) for batch in batches),
        "torch_threads": torch.get_num_threads(),
        "path": args.path,
        "device": args.device,
    }
    args.result.write_text(json.dumps(result), encoding="utf-8")
    print(json.dumps(result), file=sys.stderr)


def passes(features: list[torch.Tensor], device: str, most_frames: int) -> list[list[torch.Tensor]]:
    """The forward passes: one clip each on the CPU (in the given order); on CUDA, the clips sorted by
    length in batches of at most ``most_frames`` padded frames, as LocalClip's job makes them."""
    if device == "cpu":
        return [[clip] for clip in features]
    ordered = sorted(features, key=lambda f: int(f.shape[0]))
    groups = split_by_frames([int(f.shape[0]) for f in ordered], most_frames)
    return [[ordered[i] for i in group] for group in groups]


def padded_frames(batch: list[torch.Tensor]) -> int:
    return len(batch) * max(int(f.shape[0]) for f in batch)


def synchronize(device: str) -> None:
    """Wait for the GPU's queued work, so a clock read after it counts that work."""
    if device == "cuda":
        torch.cuda.synchronize()


if __name__ == "__main__":
    main()
