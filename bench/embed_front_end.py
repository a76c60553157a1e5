"""The embedding front end on this machine's CPU: the per-clip torchaudio path against LocalClip's batched
front end (run with the worker python).

    worker_env/.venv/bin/python bench/embed_front_end.py [--clips 120] [--repeat 5] [--device cpu|cuda]
                                                         [--out FILE.json]

The clips: bench/embed.py's generated dataset (1-10 s, WAV/FLAC/OGG/MP3 at 16-48 kHz), decoded once
beforehand (decoding is the same in both paths). Then, interleaved and repeated, one thread:

- **torchaudio per clip**: ``transforms.Resample`` to 16 kHz (one per rate, built once) and
  ``compliance.kaldi.fbank`` + CMN, clip by clip: the front end the embedding job used before (WeSpeaker's
  own steps);
- **LocalClip, one clip a call**: :class:`FbankFrontEnd` with batches of one, as the CPU path runs it
  (each decoding thread computes its clip's features);
- **LocalClip, batches of 16**: the same code over zero-padded batches, as a GPU runs it.

Printed: ms per clip for each, the fastest repeat, and the ratios. ``--out`` writes the raw run as JSON
(command, machine, package versions, every repeat).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi
from machine import machine_facts  # bench/machine.py

from localclip_worker.embedding.features import Audio, read_audio
from localclip_worker.embedding.frontend import INT16_SCALE, SAMPLE_RATE, FbankFrontEnd, RateGroup

BENCH = Path(__file__).resolve().parent
BATCH = 16


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--work", type=Path, default=Path("build/bench-embed"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    clips = [read_audio(path) for path in dataset(args.work, args.clips)]
    audio = sum(clip.duration_s for clip in clips)
    front_end = FbankFrontEnd(args.device)
    paths: dict[str, Callable[[], None]] = {
        "torchaudio per clip": lambda: [torchaudio_features(clip) for clip in clips],
        "LocalClip one clip a call": lambda: [one(front_end, clip) for clip in clips],
        f"LocalClip batches of {BATCH}": lambda: batched(front_end, clips),
    }
    runs: dict[str, list[float]] = {name: [] for name in paths}
    for path in paths.values():  # warm-up: resampler kernels, allocator
        path()
    for _ in range(args.repeat):
        for name, path in paths.items():
            started = time.perf_counter()
            path()
            if args.device == "cuda":
                torch.cuda.synchronize()
            runs[name].append(time.perf_counter() - started)
    base = min(runs["torchaudio per clip"])
    rows = {
        name: {
            "best_s": round(min(times), 4),
            "ms_per_clip": round(1000 * min(times) / len(clips), 3),
            "speed_vs_torchaudio": round(base / min(times), 2),
            "runs_s": [round(t, 4) for t in times],
        }
        for name, times in runs.items()
    }
    for name, row in rows.items():
        print(
            f"{name:<28} {row['ms_per_clip']:>7.3f} ms/clip  {row['speed_vs_torchaudio']:>5.2f}x",
            file=sys.stderr,
        )
    if args.out:
        record: dict[str, Any] = {
            "command": " ".join(sys.argv),
            "machine": machine_facts(("torch", "torchaudio", "numpy", "soundfile"), torch_threads=1),
            "workload": {"clips": len(clips), "audio_seconds": round(audio, 1), "device": args.device},
            "rows": rows,
        }
        args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def dataset(work: Path, clips: int) -> list[Path]:
    """bench/embed.py's dataset of ``clips`` clips, built with its generator and settings when absent."""
    sys.path.insert(0, str(BENCH.parent))
    from localclip.core.demo_data import FORMATS, make_dataset

    folder = work / f"dataset-{clips}"
    paths = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    if len(paths) != clips:
        per_speaker = 20
        made = make_dataset(
            folder, -(-clips // per_speaker), per_speaker, (1.0, 10.0), (*FORMATS, FORMATS[0]), seed=0
        )
        for surplus in made[clips:]:
            surplus.unlink()
        paths = sorted(made[:clips])
    return paths


def torchaudio_features(clip: Audio) -> torch.Tensor:
    wave = (clip.samples * INT16_SCALE).unsqueeze(0)
    if clip.rate != SAMPLE_RATE:
        wave = resampler(clip.rate)(wave)
    features = kaldi.fbank(
        wave,
        num_mel_bins=80,
        frame_length=25,
        frame_shift=10,
        dither=0.0,
        sample_frequency=16000,
        window_type="hamming",
    )
    return features - features.mean(dim=0)


@functools.lru_cache(maxsize=16)
def resampler(rate: int) -> torchaudio.transforms.Resample:
    return torchaudio.transforms.Resample(orig_freq=rate, new_freq=SAMPLE_RATE)  # built once, as the job did


def one(front_end: FbankFrontEnd, clip: Audio) -> torch.Tensor:
    samples = clip.samples.to(front_end.device)
    frames = torch.tensor([clip.frames], device=front_end.device)
    return front_end.features([RateGroup(clip.rate, samples.unsqueeze(0), [clip.frames])], frames)


def batched(front_end: FbankFrontEnd, clips: list[Audio]) -> None:
    ordered = sorted(clips, key=lambda clip: (clip.rate, clip.frames))
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        groups = []
        for rate in sorted({clip.rate for clip in batch}):
            members = [clip for clip in batch if clip.rate == rate]
            waves = torch.nn.utils.rnn.pad_sequence([c.samples for c in members], batch_first=True)
            groups.append(RateGroup(rate, waves.to(front_end.device), [c.frames for c in members]))
        frames = torch.tensor([f for group in groups for f in group.frames], device=front_end.device)
        front_end.features(groups, frames)


if __name__ == "__main__":
    main()
