"""A take as delivered: trimmed, with a gain, resampled (soxr) and written in the sample format an editor
asked for, atomically (a temporary name beside the target, then renamed).

Video work runs at 48 kHz, 24-bit PCM: the default. 44.1 kHz, 16-bit and 32-bit float are there for
music and web work; `sample_rate=None` keeps each take's own rate. Samples are cut where the trim says,
to the sample: `round(seconds * rate)` of the source, before resampling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from localclip.core.files import write_atomically

SUBTYPES = ("PCM_24", "PCM_16", "FLOAT")
SAMPLE_RATES = (48_000, 44_100)


class ConvertError(ValueError):
    """A file cannot be read, or written as asked; the message says which and why."""


@dataclass(frozen=True)
class DeliveryFormat:
    sample_rate: int | None = 48_000  # None: each file keeps its source's rate
    subtype: str = "PCM_24"  # one of SUBTYPES

    def __post_init__(self) -> None:
        if self.subtype not in SUBTYPES:
            raise ValueError(f"the sample format is one of {', '.join(SUBTYPES)}, not {self.subtype!r}")
        rate = self.sample_rate
        if rate is not None and (not isinstance(rate, int) or isinstance(rate, bool) or rate < 8000):
            raise ValueError(f"a sample rate is a whole number of Hz from 8000, not {rate!r}")

    def rate_for(self, source_rate: int) -> int:
        return source_rate if self.sample_rate is None else self.sample_rate


@dataclass(frozen=True)
class Converted:
    """What was written: frames and rate of the file (after the trim and resampling)."""

    frames: int
    sample_rate: int
    clipped: bool  # some samples went past full scale and were limited to it (PCM only)


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """The file's samples as float32 (frames, channels) and its rate."""
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as error:
        raise ConvertError(f"cannot read {path}: {error}") from error
    return samples, int(rate)


def trim(samples: np.ndarray, rate: int, start: float = 0.0, end: float | None = None) -> np.ndarray:
    """The frames from `start` to `end` seconds (None: to the end), cut at `round(seconds * rate)`."""
    first = min(len(samples), max(0, round(start * rate)))
    last = len(samples) if end is None else min(len(samples), max(first, round(end * rate)))
    return samples[first:last]


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """`samples` at `target_rate` (soxr, very high quality); unchanged when the rates agree."""
    if source_rate == target_rate or not len(samples):
        return samples
    converted = soxr.resample(samples, source_rate, target_rate, quality="VHQ")
    return np.asarray(converted, dtype=np.float32)


def write_audio(path: Path, samples: np.ndarray, rate: int, subtype: str) -> bool:
    """Write a WAV atomically; returns whether PCM samples had to be limited to full scale (soundfile
    would otherwise wrap them around into loud clicks)."""
    clipped = False
    if subtype != "FLOAT" and len(samples):
        peak = float(np.max(np.abs(samples)))
        if peak > 1.0:
            samples = np.clip(samples, -1.0, 1.0)
            clipped = True

    def write(stream) -> None:  # type: ignore[no-untyped-def]
        sf.write(stream, samples, rate, subtype=subtype, format="WAV")

    try:
        write_atomically(path, write)
    except (sf.LibsndfileError, RuntimeError) as error:
        raise ConvertError(f"cannot write {path}: {error}") from error
    return clipped


def process(
    samples: np.ndarray,
    rate: int,
    delivery: DeliveryFormat,
    start: float = 0.0,
    end: float | None = None,
    gain: float = 1.0,
) -> tuple[np.ndarray, int]:
    """Trim, apply the gain and resample: the samples as delivered and their rate."""
    kept = trim(samples, rate, start, end)
    if gain != 1.0 and math.isfinite(gain):
        kept = (kept * np.float32(gain)).astype(np.float32)
    target = delivery.rate_for(rate)
    return resample(kept, rate, target), target


def convert_file(
    source: Path,
    target: Path,
    delivery: DeliveryFormat,
    start: float = 0.0,
    end: float | None = None,
    gain: float = 1.0,
) -> Converted:
    """`source` trimmed, with `gain`, written to `target` in the delivery format."""
    samples, rate = read_audio(source)
    delivered, target_rate = process(samples, rate, delivery, start, end, gain)
    clipped = write_audio(target, delivered, target_rate, delivery.subtype)
    return Converted(len(delivered), target_rate, clipped)
