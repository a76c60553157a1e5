"""Decoding a clip for WeSpeaker: channel 0 of the file at its own rate, checked, ready for the front end.

Decoding stays on the CPU (libsndfile through soundfile, in the job's I/O threads); resampling, the
fbank and CMN run in :mod:`.frontend` on the worker's device, batched. Every step matches
``wespeaker.cli.speaker.Speaker.extract_embedding`` (VAD off), so the features, and the embeddings computed
from them, equal WeSpeaker's for a 16-bit file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
import torch

from localclip_worker.embedding.frontend import (
    FRAME_SAMPLES,
    INT16_SCALE,
    SAMPLE_RATE,
    SHIFT_SAMPLES,
    FbankFrontEnd,
    RateGroup,
    frame_count,
    resampled_length,
)
from localclip_worker.embedding.models import MIN_FRAMES
from localclip_worker.job import BadInput

MIN_SAMPLES = FRAME_SAMPLES + (MIN_FRAMES - 1) * SHIFT_SAMPLES
SILENCE_PEAK = 1.0 / INT16_SCALE  # below one int16 step: nothing but digital silence
BLOCK_FRAMES = 1 << 20  # read in blocks so only channel 0 of a long multichannel file is kept


@dataclass
class Audio:
    """A decoded clip, before its features: what the I/O threads hand to the device."""

    samples: torch.Tensor  # 1-D float32, channel 0 at the file's rate, soundfile's [-1, 1] scale
    rate: int  # the file's
    duration_s: float
    frames: int  # feature frames once resampled to 16 kHz

    def group(self) -> RateGroup:
        """This clip alone as a front-end batch."""
        return RateGroup(self.rate, self.samples.unsqueeze(0), [self.frames])


@dataclass
class Clip:
    features: torch.Tensor  # [frames, 80] float32, per-utterance mean removed
    duration_s: float  # of the file, at its own sample rate
    sample_rate: int  # the file's
    frames: int


def read_audio(path: str | Path, min_frames: int = MIN_FRAMES, pin: bool = False) -> Audio:
    """Decode ``path`` and check it; raise :class:`BadInput` with a readable reason. ``pin`` puts the
    samples in page-locked memory, so a GPU copies them without a staging copy and without waiting."""
    path = Path(path)
    samples, rate = _channel0(path)
    duration = len(samples) / rate
    frames = frame_count(resampled_length(len(samples), rate))
    _check_samples(samples, duration, frames, min_frames)
    tensor = torch.from_numpy(samples)
    return Audio(tensor.pin_memory() if pin else tensor, rate, duration, frames)


def load_clip(path: str | Path, front_end: FbankFrontEnd | None = None, min_frames: int = MIN_FRAMES) -> Clip:
    """Decode ``path`` and compute its features on the CPU (WeSpeaker's defaults unless ``front_end``)."""
    audio = read_audio(path, min_frames)
    return clip_features(audio, front_end or cpu_front_end())


def clip_features(audio: Audio, front_end: FbankFrontEnd) -> Clip:
    frames = torch.tensor([audio.frames])
    features = front_end.features([audio.group()], frames)[0]
    return Clip(features, audio.duration_s, audio.rate, audio.frames)


_CPU_FRONT_END: FbankFrontEnd | None = None


def cpu_front_end() -> FbankFrontEnd:
    """WeSpeaker's default front end (hamming, int16 scale) on the CPU, built once."""
    global _CPU_FRONT_END
    if _CPU_FRONT_END is None:
        _CPU_FRONT_END = FbankFrontEnd("cpu")
    return _CPU_FRONT_END


def _channel0(path: Path) -> tuple[np.ndarray, int]:
    """Channel 0 as float32 in [-1, 1] (WeSpeaker uses channel 0 and never downmixes)."""
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
    # soundfile scales integer PCM by 1/32768 (16-bit) and so on: the front end's scale gives the int16
    # values back exactly.
    return samples, rate


def _check_samples(samples: np.ndarray, duration: float, frames: int, min_frames: int) -> None:
    if len(samples) == 0:
        raise BadInput("empty: the file holds no audio samples")
    if frames < min_frames:
        raise BadInput(_too_short(duration, min_frames))
    if not np.isfinite(samples).all():
        raise BadInput("the audio holds NaN or infinite samples")
    if float(np.abs(samples).max()) < SILENCE_PEAK:
        raise BadInput(f"silent: every sample of channel 0 is zero or nearly so ({duration:.2f} s)")


def _too_short(duration: float, min_frames: int) -> str:
    least = (FRAME_SAMPLES + (min_frames - 1) * SHIFT_SAMPLES) / SAMPLE_RATE
    return (
        f"too short: {duration:.2f} s; this model needs at least {least:.3f} s ({min_frames} feature frames)"
    )
