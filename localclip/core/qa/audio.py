"""What a take's audio says without a model: its longest silence inside the speech and where, clipped
samples, and its peak; read from the file in blocks, so a take of minutes is never held whole.

- **Silence.** The take is cut into 20 ms frames; a frame's level is its RMS over all channels, in dBFS.
  The take's own loudness is the 90th percentile of its frames' levels above SILENCE_DB (the level under
  which core/audio/loudness.py calls a take silent). A frame is silent when it is below SILENCE_DB or more
  than SILENCE_BELOW_DB under that loudness. Only silence *inside* the take counts, between its first and
  last sounding frames: leading and trailing silence is the trim's business. A take with no sounding frame
  at all is one silence, its whole duration, at 0.0 s.
- **Clipping.** A sample is clipped when its magnitude is at least CLIP_LEVEL (0.999 of full scale, or
  past it in a float file) *and* it is in a run of at least CLIP_RUN such samples in a row on its channel:
  a flat top, not a lone peak that touches full scale. `clipped_samples` counts every sample of such runs,
  over all channels (runs carry over from one block to the next).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from localclip.core.audio.loudness import SILENCE_DB

FRAME_SECONDS = 0.02
SILENCE_BELOW_DB = 35.0  # a frame this far under the take's loudness is a pause, not speech
LOUDNESS_PERCENTILE = 90.0
CLIP_LEVEL = 0.999
CLIP_RUN = 2
_BLOCK_FRAMES = 1 << 20  # samples a channel per block: about 22 s at 48 kHz, 4 MB per channel


class QaAudioError(ValueError):
    """A take whose audio cannot be read (missing, not audio, damaged); the message says which and why."""


@dataclass(frozen=True)
class AudioFacts:
    duration: float  # seconds
    longest_silence: float  # seconds of the longest silence inside the take (0.0: none)
    silence_at: float | None  # where it starts, seconds into the take (None: no silence inside)
    clipped_samples: int  # samples in runs of CLIP_RUN or more at CLIP_LEVEL or past it, all channels
    peak_db: float  # sample peak in dBFS; -inf for digital silence


def audio_facts(path: Path) -> AudioFacts:
    """The facts of the audio file `path`; QaAudioError when it cannot be read."""
    path = Path(path)
    try:
        with sf.SoundFile(str(path)) as audio:
            return _facts(audio)
    except QaAudioError:
        raise
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as error:
        # libsndfile reports a missing file as a "System error": say what it is.
        missing = isinstance(error, FileNotFoundError) or not path.exists()
        reason = "the file is missing" if missing else str(error).strip()
        raise QaAudioError(
            f"Cannot check the audio of {path.name}: {reason or type(error).__name__}"
        ) from error


def _facts(audio: sf.SoundFile) -> AudioFacts:
    rate = int(audio.samplerate)
    if rate <= 0:
        raise QaAudioError(f"Cannot check the audio of {Path(audio.name).name}: it has no sample rate")
    frame = max(1, round(rate * FRAME_SECONDS))
    powers: list[np.ndarray] = []  # mean square of each frame
    clips = _ClipRuns(int(audio.channels))
    peak = 0.0
    frames = 0
    for block in audio.blocks(
        blocksize=max(1, _BLOCK_FRAMES // frame) * frame, dtype="float32", always_2d=True
    ):
        if not len(block):
            continue
        frames += len(block)
        magnitude = np.abs(block)
        peak = max(peak, float(magnitude.max()))
        clips.add(magnitude >= CLIP_LEVEL)
        square = np.square(block, dtype=np.float64).mean(axis=1)
        whole, rest = divmod(len(square), frame)
        if whole:
            powers.append(square[: whole * frame].reshape(whole, frame).mean(axis=1))
        if rest:  # only the file's last block ends inside a frame
            powers.append(np.array([square[whole * frame :].mean()]))
    longest, at = _longest_silence(np.concatenate(powers) if powers else np.zeros(0), frame / rate)
    return AudioFacts(
        duration=frames / rate,
        longest_silence=min(longest, frames / rate),
        silence_at=at,
        clipped_samples=clips.finish(),
        peak_db=20 * math.log10(peak) if peak > 0 else -math.inf,
    )


def _longest_silence(powers: np.ndarray, frame_seconds: float) -> tuple[float, float | None]:
    """The longest run of silent frames between the first and last sounding ones, and where it starts."""
    if not len(powers):
        return 0.0, None
    with np.errstate(divide="ignore"):
        levels = 10 * np.log10(powers)
    sounding = levels[levels >= SILENCE_DB]
    if not len(sounding):
        return len(powers) * frame_seconds, 0.0  # no sound at all: the whole take is one silence
    threshold = max(SILENCE_DB, float(np.percentile(sounding, LOUDNESS_PERCENTILE)) - SILENCE_BELOW_DB)
    loud = np.flatnonzero(levels >= threshold)
    gaps = np.diff(loud) - 1  # silent frames between consecutive sounding frames
    if not len(gaps) or gaps.max() <= 0:
        return 0.0, None
    widest = int(np.argmax(gaps))  # the first of the longest
    return int(gaps[widest]) * frame_seconds, int(loud[widest] + 1) * frame_seconds


class _ClipRuns:
    """Samples in runs of CLIP_RUN or more clipped samples per channel, across blocks."""

    def __init__(self, channels: int) -> None:
        self.open = np.zeros(channels, dtype=np.int64)  # the run each channel's last block ended in
        self.count = 0

    def add(self, clipped: np.ndarray) -> None:
        for channel in range(clipped.shape[1]):
            mask = clipped[:, channel]
            if not mask.any():
                self._close(channel)
                continue
            edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            lengths = ends - starts
            if starts[0] == 0:  # the first run goes on from the last block's
                lengths[0] += self.open[channel]
            else:
                self._close(channel)
            self.open[channel] = 0
            if ends[-1] == len(mask):  # the last run may go on in the next block
                self.open[channel] = lengths[-1]
                lengths = lengths[:-1]
            self.count += int(lengths[lengths >= CLIP_RUN].sum())

    def _close(self, channel: int) -> None:
        if self.open[channel] >= CLIP_RUN:
            self.count += int(self.open[channel])
        self.open[channel] = 0

    def finish(self) -> int:
        for channel in range(len(self.open)):
            self._close(channel)
        return self.count
