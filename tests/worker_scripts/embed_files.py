"""LocalClip's batched path over files: decoding, the device pipeline (front end + model) on the CPU.

    embed_files.py MODEL_DIR OUT.npy WAV... [--batch-frames N] [--one-at-a-time] [--job BATCH_SIZE]

Saves [files, dim] float32 in the order given. ``--batch-frames`` caps the padded frames per forward pass
(default: all files in one batch; clips are sorted by length first, as the embed job does, and batched
as the model's grouping allows); ``--one-at-a-time`` runs ``model(feats)[-1]`` per file on the CPU
features instead (no batching); ``--job`` runs the embed job itself on the CPU with that ``batch_size``
(0: its default there, one clip per pass through the frozen graph) and prints its ready facts and the
number of batches it launched as JSON. A file that cannot be used stops the script with its reason.
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import numpy as np
import torch

from localclip_worker.embedding.batching import Grouping, embedding_of, make_embedder, split_by_frames
from localclip_worker.embedding.features import load_clip, read_audio
from localclip_worker.embedding.frontend import FbankFrontEnd
from localclip_worker.embedding.models import load_model_dir
from localclip_worker.embedding.pipeline import DevicePipeline
from localclip_worker.job import ItemContext
from localclip_worker.jobs.embed import EmbedJob


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("wavs", nargs="+")
    parser.add_argument("--batch-frames", type=int, default=None)
    parser.add_argument("--one-at-a-time", action="store_true")
    parser.add_argument("--job", type=int, default=None, metavar="BATCH_SIZE")
    args = parser.parse_args()
    if args.job is not None:
        _run_job(args.model_dir, args.out, args.wavs, args.job)
        return
    loaded = load_model_dir(args.model_dir, "cpu")
    if args.one_at_a_time:
        features = [load_clip(wav).features for wav in args.wavs]
        with torch.inference_mode():
            out = torch.cat([embedding_of(loaded.model(f.unsqueeze(0))) for f in features])
        np.save(args.out, out.numpy().astype(np.float32))
        return
    embedder = make_embedder(loaded)
    pipeline = DevicePipeline(FbankFrontEnd("cpu", loaded.window_type), embedder)
    clips = [read_audio(wav, loaded.min_frames) for wav in args.wavs]
    order = sorted(range(len(clips)), key=lambda i: clips[i].frames)
    rows: list[np.ndarray | None] = [None] * len(clips)
    for group in _groups([clips[i].frames for i in order], args.batch_frames, embedder.grouping):
        chosen = [order[i] for i in group]
        pending = pipeline.launch([clips[i] for i in chosen])
        vectors = pending.wait().numpy()
        for k, index in enumerate(pending.order):
            rows[chosen[index]] = vectors[k]
    np.save(args.out, np.stack(rows).astype(np.float32))  # type: ignore[arg-type]


def _groups(lengths: list[int], max_frames: int | None, grouping: Grouping) -> list[list[int]]:
    groups = split_by_frames(lengths, max_frames)
    if grouping is Grouping.EQUAL_LENGTH:  # split further where the frame count changes
        groups = [
            [i for i in group if lengths[i] == length]
            for group in groups
            for length in sorted({lengths[i] for i in group})
        ]
    return groups


def _run_job(model_dir: Path, out: Path, wavs: list[str], batch_size: int) -> None:
    job = EmbedJob()
    params = {"model_dir": str(model_dir), "device": "cpu", "batch_size": batch_size}
    facts = job.setup(params)
    items = [{"id": str(i), "path": wav} for i, wav in enumerate(wavs)]
    rows: list[np.ndarray | None] = [None] * len(wavs)
    for item_id, outcome in job.run_items(items, params, ItemContext(lambda *a: None, lambda: False)):
        if isinstance(outcome, Exception):
            raise SystemExit(f"{wavs[int(item_id)]}: {outcome}")
        rows[int(item_id)] = np.frombuffer(base64.b64decode(outcome["embedding_b64"]), dtype="<f4")
    np.save(out, np.stack(rows).astype(np.float32))  # type: ignore[arg-type]
    batches = job._pipeline.syncs.waits if job._pipeline is not None else 0
    facts = {k: v for k, v in facts.items() if k in ("family", "grouping", "forward", "model_name")}
    print(json.dumps({**facts, "batches": batches}))


if __name__ == "__main__":
    main()
