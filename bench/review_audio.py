"""What the review and the export cost on this machine: waveform peaks of long takes, a cached take,
loudness of a take, and delivering a take (44.1 kHz float as made by the worker -> 48 kHz 24-bit, with and
without loudness normalisation).

    .venv/bin/python bench/review_audio.py [--repeats 5] [--out docs/benchmarks/review-audio-cpu-2core.json]

Everything is measured in this one process, each figure the median of `--repeats` runs (the machine is
shared: the spread is printed beside each median). The files are written to a temporary folder first
(and read once before timing, so they come from the page cache, as a take just made does).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

from localclip.core.audio.convert import DeliveryFormat, convert_file
from localclip.core.audio.loudness import measure_file, normalise_gain
from localclip.core.audio.peaks import PeakCache, read_peaks

WORKER_RATE = 44_100  # what the clone worker writes (float WAV)


def write_take(path: Path, seconds: float, rate: int) -> Path:
    rng = np.random.default_rng(7)
    frames = round(seconds * rate)
    tone = 0.3 * np.sin(2 * np.pi * 180 * np.arange(frames) / rate) * rng.uniform(0.5, 1.0, frames)
    sf.write(path, tone.astype(np.float32), rate, subtype="FLOAT")
    path.read_bytes()  # into the page cache
    return path


def timed(work: Callable[[], Any], repeats: int) -> dict[str, float]:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return {
        "median_ms": statistics.median(seconds) * 1000,
        "min_ms": min(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="localclip review ") as folder:
        root = Path(folder)
        hour = write_take(root / "one hour.wav", 3600, 48_000)
        ten = write_take(root / "ten minutes.wav", 600, 48_000)
        take = write_take(root / "take 3 s.wav", 3.0, WORKER_RATE)
        results["peaks_1h_48k_mono"] = timed(lambda: read_peaks(hour), args.repeats)
        results["peaks_10min_48k_mono"] = timed(lambda: read_peaks(ten), args.repeats)
        results["peaks_3s_take"] = timed(lambda: read_peaks(take), args.repeats * 10)
        cache = PeakCache()
        cache.get(take)
        results["peaks_3s_take_cached"] = timed(lambda: cache.get(take), args.repeats * 10)
        results["loudness_3s_take"] = timed(lambda: measure_file(take), args.repeats * 10)
        delivery = DeliveryFormat(48_000, "PCM_24")
        out = root / "delivered.wav"
        results["deliver_3s_take_48k_24bit"] = timed(
            lambda: convert_file(take, out, delivery), args.repeats * 10
        )

        def normalised() -> None:
            gain = normalise_gain(measure_file(take), -23.0)
            convert_file(take, out, delivery, gain=gain)

        results["deliver_3s_take_48k_24bit_normalised"] = timed(normalised, args.repeats * 10)
    for name, figures in results.items():
        print(
            f"{name:42s} {figures['median_ms']:9.2f} ms  ({figures['min_ms']:.2f} - {figures['max_ms']:.2f})"
        )
    if args.out:
        record = {
            "command": " ".join(sys.argv),
            "machine": machine_facts(["numpy", "soundfile", "soxr", "pyloudnorm", "scipy"]),
            "repeats": args.repeats,
            "results": results,
        }
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
