"""WeSpeaker's front end for one audio file: channel 0 at int16 scale, 16 kHz, 80-bin Kaldi fbank, CMN.

Every step matches ``wespeaker.cli.speaker.Speaker.extract_embedding`` (VAD off), so the features, and
the embeddings computed from them, equal WeSpeaker's for a 16-bit file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile
import torch
import torchaudio.compliance.kaldi as kaldi
import torchaudio.transforms

from localclip_worker.job import BadInput

SAMPLE_RATE = 16000
NUM_MEL_BINS = 80
FRAME_SAMPLES = 400  # 25 ms at 16 kHz
SHIFT_SAMPLES = 160  # 10 ms at 16 kHz
MIN_FRAMES = 9  # ResNet's unbiased std over one pooled frame (8 frames or fewer) is NaN
MIN_SAMPLES = FRAME_SAMPLES + (MIN_FRAMES - 1) * SHIFT_SAMPLES
INT16_SCALE = 32768.0  # WeSpeaker trains on int16-valued samples, whatever the file's bit depth
SILENCE_PEAK = 1.0  # below one int16 step: nothing but digital silence
BLOCK_FRAMES = 1 << 20  # read in blocks so only channel 0 of a long multichannel file is kept


@dataclass
class Clip:
    features: torch.Tensor  # [frames, 80] float32, per-utterance mean removed
    duration_s: float  # of the file, at its own sample rate
    sample_rate: int  # the file's
    frames: int


def load_clip(path: str | Path) -> Clip:
    """Decode ``path`` and compute its features; raise :class:`BadInput` with a readable reason."""
    path = Path(path)
    samples, rate = _channel0(path)
    duration = len(samples) / rate
    _check_samples(samples, rate, duration)
    wave = torch.from_numpy(samples).unsqueeze(0)
    if rate != SAMPLE_RATE:
        wave = _resampler(rate)(wave)
    if wave.shape[1] < MIN_SAMPLES:
        raise BadInput(_too_short(duration))
    features = fbank(wave)
    return Clip(features, duration, rate, int(features.shape[0]))


def fbank(wave: torch.Tensor) -> torch.Tensor:
    """WeSpeaker's features of a [1, N] 16 kHz int16-scale float waveform: [frames, 80], mean removed."""
    features = kaldi.fbank(
        wave,
        num_mel_bins=NUM_MEL_BINS,
        frame_length=25,
        frame_shift=10,
        dither=0.0,
        sample_frequency=SAMPLE_RATE,
        window_type="hamming",
    )
    return features - features.mean(dim=0)


@lru_cache(maxsize=8)
def _resampler(rate: int) -> torchaudio.transforms.Resample:
    # WeSpeaker's own resampler: its kernel is computed in float64 and kept as float32, which differs
    # from functional.resample's float32 kernel by up to 3e-6 of a sample; this one gives equal features.
    # Its forward keeps no state, so the decoding threads can share it.
    return torchaudio.transforms.Resample(orig_freq=rate, new_freq=SAMPLE_RATE)


def _channel0(path: Path) -> tuple[np.ndarray, int]:
    """Channel 0 as float32 at int16 scale (WeSpeaker uses channel 0 and never downmixes)."""
    if not path.exists():
        raise BadInput(f"no such file: {path}")
    if not path.is_file():
        raise BadInput(f"not a file: {path}")
    try:
        with soundfile.SoundFile(str(path)) as audio:
            rate = int(audio.samplerate)
            blocks = [
                block[:, 0].copy()
                for block in audio.blocks(BLOCK_FRAMES, dtype="float32", always_2d=True)
                if len(block)
            ]
    except (soundfile.LibsndfileError, RuntimeError, OSError, ValueError) as error:
        raise BadInput(f"cannot decode the audio: {error}") from error
    if rate <= 0:
        raise BadInput(f"the file gives a sample rate of {rate} Hz")
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    # soundfile scales integer PCM by 1/32768 (16-bit) and so on: this gives the int16 values back exactly.
    return samples * np.float32(INT16_SCALE), rate


def _check_samples(samples: np.ndarray, rate: int, duration: float) -> None:
    if len(samples) == 0:
        raise BadInput("empty: the file holds no audio samples")
    if -(-len(samples) * SAMPLE_RATE // rate) < MIN_SAMPLES:  # the resampler's output length, ceil(N*16k/r)
        raise BadInput(_too_short(duration))
    if not np.isfinite(samples).all():
        raise BadInput("the audio holds NaN or infinite samples")
    if float(np.abs(samples).max()) < SILENCE_PEAK:
        raise BadInput(f"silent: every sample of channel 0 is zero or nearly so ({duration:.2f} s)")


def _too_short(duration: float) -> str:
    return (
        f"too short: {duration:.2f} s; WeSpeaker needs at least {MIN_SAMPLES / SAMPLE_RATE:.3f} s "
        f"({MIN_FRAMES} feature frames)"
    )
