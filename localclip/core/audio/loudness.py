"""How loud a take is, for people and for delivery: integrated loudness (ITU-R BS.1770, in LUFS, through
pyloudnorm) and sample peak (dBFS), and the gain that brings a take to a loudness target without its peak
passing a ceiling.

Broadcast delivery asks for -23 LUFS (EBU R128), web video for about -16 LUFS; both also cap the peak, so
a normalised take is never pushed into clipping: the gain stops at the ceiling, and the take ends up
quieter than the target rather than distorted.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

if TYPE_CHECKING:
    import pyloudnorm

BLOCK_SECONDS = 0.4  # BS.1770's gating block: shorter audio has no integrated loudness
SILENCE_DB = -60.0  # a take whose peak stays below this is silent for an editor
MAX_CHANNELS = 5  # what BS.1770's channel weights cover
EBU_R128_LUFS = -23.0
WEB_LUFS = -16.0


@dataclass(frozen=True)
class Loudness:
    lufs: float | None  # integrated loudness; None when too short (< 0.4 s) or silent to measure
    peak_db: float  # sample peak in dBFS; -inf for digital silence

    @property
    def silent(self) -> bool:
        return self.peak_db < SILENCE_DB


def measure_loudness(samples: np.ndarray, rate: int) -> Loudness:
    """The loudness of `samples` ((frames,) or (frames, channels), floats in [-1, 1]) at `rate` Hz."""
    data = np.asarray(samples, dtype=np.float64)
    peak = float(np.max(np.abs(data))) if data.size else 0.0
    peak_db = 20 * math.log10(peak) if peak > 0 else -math.inf
    return Loudness(_integrated(data, rate) if peak_db >= SILENCE_DB else None, peak_db)


def measure_file(path: Path) -> Loudness:
    samples, rate = sf.read(str(path), dtype="float64", always_2d=True)
    return measure_loudness(samples, rate)


def is_silent(path: Path) -> bool:
    """Whether the file's peak stays below SILENCE_DB (a take the model left without speech). Reads it in
    blocks: a long take is never held whole."""
    threshold = 10 ** (SILENCE_DB / 20)
    with sf.SoundFile(str(path)) as audio:
        for block in audio.blocks(blocksize=1 << 16, dtype="float32", always_2d=True):
            if block.size and float(np.max(np.abs(block))) >= threshold:
                return False
    return True


def normalise_gain(loudness: Loudness, target_lufs: float, peak_ceiling_db: float = -1.0) -> float:
    """The linear gain that brings `loudness` to `target_lufs`, lowered where the peak would pass
    `peak_ceiling_db`. Audio without a measurable loudness only has its peak kept under the ceiling."""
    if not math.isfinite(loudness.peak_db):
        return 1.0  # digital silence: no gain makes it anything else
    gain_db = 0.0 if loudness.lufs is None else target_lufs - loudness.lufs
    gain_db = min(gain_db, peak_ceiling_db - loudness.peak_db)
    return float(10 ** (gain_db / 20))


def gain_db(gain: float) -> float:
    return 20 * math.log10(gain) if gain > 0 else -math.inf


def _integrated(data: np.ndarray, rate: int) -> float | None:
    if data.ndim == 2 and data.shape[1] > MAX_CHANNELS:
        data = data.mean(axis=1)  # BS.1770 weights five channels; more is not speech delivery
    if data.shape[0] < round(BLOCK_SECONDS * rate) + 1:
        return None
    lufs = float(_meter(int(rate)).integrated_loudness(data))
    return lufs if math.isfinite(lufs) else None  # every block under the -70 LUFS gate


@functools.lru_cache(maxsize=8)
def _meter(rate: int) -> pyloudnorm.Meter:
    # Imported here: pyloudnorm loads scipy.signal, two seconds of every command's start-up otherwise.
    import pyloudnorm

    # The meter builds its K-weighting filters for one rate: one per rate is enough.
    return pyloudnorm.Meter(rate, block_size=BLOCK_SECONDS)
