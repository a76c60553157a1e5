"""The model-only ceiling for bench/embed.py (run with the worker python): forward passes alone.

    embed_ceiling.py MODEL_DIR RESULT.json --threads N [--path localclip|eager] [--go FILE] CLIP...

Every clip's features are computed first (LocalClip's own front end, not timed); then, with ``--threads``
torch threads, the clips go through the model one per forward pass (LocalClip's batch size on the CPU),
and only those passes are timed. ``--path localclip`` uses the forward step of LocalClip's ``embed`` job
after its own set-up (whatever that step does on this device); ``--path eager`` calls the WeSpeaker module
itself, ``model(feats)[-1]`` under inference mode, as WeSpeaker's ``extract_embedding`` does. Several of
these processes run side by side for a plan of several workers: with ``--go`` each one writes
``RESULT.json.ready`` after its set-up and waits until the go file exists, so their timed parts overlap.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

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
    parser.add_argument("--go", type=Path, help="start timing once this file exists")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    job = create_job("embed")
    job.setup({"model_dir": str(args.model_dir), "device": "cpu"})
    torch.set_num_threads(args.threads)  # whatever the job's set-up chose, the ceiling runs with these
    features = [load_clip(path).features for path in args.clips]
    model = job._loaded.model

    def eager(batch: list[torch.Tensor]) -> torch.Tensor:
        with torch.inference_mode():
            return model(batch[0].unsqueeze(0))[-1]

    forward = job._forward if args.path == "localclip" else eager
    forward([features[0][:200]])  # one warm-up pass
    ready = time.perf_counter()
    if args.go is not None:
        args.result.with_name(args.result.name + ".ready").touch()
        while not args.go.exists():
            time.sleep(POLL_SECONDS)
    started = time.perf_counter()
    cpu_started = time.process_time()
    for clip in features:
        forward([clip])
    seconds = time.perf_counter() - started
    result = {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(time.process_time() - cpu_started, 3),
        "waited": round(started - ready, 3),
        "clips": len(features),
        "frames": sum(int(f.shape[0]) for f in features),
        "torch_threads": torch.get_num_threads(),
        "path": args.path,
    }
    args.result.write_text(json.dumps(result), encoding="utf-8")
    print(json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    main()
