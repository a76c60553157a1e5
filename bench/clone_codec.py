"""The codec alone: decoding a line's codes to audio with DAC's scripted snakes against the clone job's
in-place ones (cpu_snake.py), side by side in one process (run with the worker python).

    worker_env/.venv/bin/python bench/clone_codec.py CHECKPOINT_DIR [--frames 23,50,100,200]
                                                     [--repeats 4] [--threads 1,2] [--out FILE.json]

The checkpoint is any fish-speech folder, e.g. the S1-mini-sized one of random weights (``python -m
localclip_worker.demo_models DIR --kind fish --size s1-mini``): the codec's compute does not depend on its
weights. Both codecs are loaded from the same file (the clone job's loader, and fish-speech's codec as
``load_codec`` gives it to tools), decode the same random codes (a line of each of ``--frames`` tokens;
21.5 a second for S1), interleaved, every other repeat in reverse order, at each thread count. Printed:
the median seconds of each, their ratio, and whether the audio is bitwise equal; ``--out`` writes the raw
run. The gain grows with the line: glibc serves blocks up to 32 MB from memory already mapped, so the
snakes' new tensors cost page faults only on lines of more than about 2 s (on Windows every large block
is mapped afresh; not measured here).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch
from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

from localclip_worker.cloning.fish import quiet_fish_logs
from localclip_worker.cloning.models import load_codec, load_models


def main() -> int:
    args = parse_args()
    quiet_fish_logs()
    models = load_models(args.checkpoint, device="cpu", precision="float32")
    codecs = {"in_place": models.codec, "scripted": load_codec(models.codec_path, "cpu")[0]}
    frame_rate = models.sample_rate / models.frame_length
    results = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        for frames in args.frames:
            runs, equal = measure(codecs, models.num_codebooks, frames, args.repeats)
            results.append(summarise(threads, frames, runs, equal, frame_rate))
            print_result(results[-1])
    if args.out:
        write(args, models, results)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument(
        "--frames", type=_numbers, default=[23, 50, 100, 200], help="tokens of each decoded line"
    )
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--threads", type=_numbers, default=[1, 2])
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def measure(
    codecs: dict[str, torch.nn.Module], codebooks: int, frames: int, repeats: int
) -> tuple[dict[str, list[float]], bool]:
    """Seconds of each codec per repeat, and whether their audio is bitwise equal."""
    generator = torch.Generator().manual_seed(frames)
    codes = torch.randint(0, 1024, (1, codebooks, frames), generator=generator)
    lengths = torch.tensor([frames])
    audio = {name: decode(codec, codes, lengths) for name, codec in codecs.items()}  # warm-up
    runs: dict[str, list[float]] = {name: [] for name in codecs}
    for repeat in range(repeats):
        for name in codecs if repeat % 2 == 0 else list(codecs)[::-1]:
            started = time.perf_counter()
            decode(codecs[name], codes, lengths)
            runs[name].append(time.perf_counter() - started)
    return runs, torch.equal(audio["in_place"], audio["scripted"])


@torch.inference_mode()
def decode(codec: torch.nn.Module, codes: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    return codec.decode(indices=codes, feature_lengths=lengths)[0]


def summarise(
    threads: int, frames: int, runs: dict[str, list[float]], equal: bool, frame_rate: float
) -> dict[str, Any]:
    median = {name: statistics.median(seconds) for name, seconds in runs.items()}
    return {
        "threads": threads,
        "frames": frames,
        "audio_seconds": round(frames / frame_rate, 2),
        "bitwise_equal": equal,
        "median_seconds": {name: round(value, 3) for name, value in median.items()},
        "speed_up": round(median["scripted"] / median["in_place"], 2),
        "repeats": {name: [round(value, 3) for value in seconds] for name, seconds in runs.items()},
    }


def print_result(result: dict[str, Any]) -> None:
    median = result["median_seconds"]
    print(
        f"{result['threads']} threads, {result['audio_seconds']} s of audio: scripted snakes "
        f"{median['scripted']:.2f} s, in place {median['in_place']:.2f} s ({result['speed_up']:.2f}x), "
        f"bitwise equal: {result['bitwise_equal']}",
        flush=True,
    )


def write(args: argparse.Namespace, models: Any, results: list[dict[str, Any]]) -> None:
    record = {
        "command": "worker_env/.venv/bin/python bench/clone_codec.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine_facts(("torch", "numpy", "fish-speech", "descript-audio-codec")),
        "model": {"checkpoint": args.checkpoint.name, **models.facts()},
        "workload": {"frames": args.frames, "repeats": args.repeats},
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
