"""Synthetic voices for the demo and the benchmarks: a dataset folder LocalClip can embed with no download.

Each speaker has its own pitch range and vowel formants; each clip is a few "syllables" of a harmonic
source shaped by those formants, with pauses, so speakers differ the way voices do (the demo's heat map
and similarity figures are then meaningful even with a random-weight model: they are only a sanity check).
Clips come in the formats and rates LocalClip accepts: 16-bit and 24-bit WAV, float WAV, FLAC, OGG and MP3,
at 16 to 48 kHz, mono or stereo.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf


@dataclass(frozen=True)
class AudioFormat:
    extension: str
    subtype: str
    sample_rate: int
    channels: int


FORMATS = (
    AudioFormat(".wav", "PCM_16", 16000, 1),
    AudioFormat(".flac", "PCM_16", 44100, 1),
    AudioFormat(".wav", "PCM_24", 48000, 2),
    AudioFormat(".ogg", "VORBIS", 22050, 1),
    AudioFormat(".wav", "FLOAT", 16000, 1),
    AudioFormat(".mp3", "MPEG_LAYER_III", 24000, 1),
)


@dataclass(frozen=True)
class Voice:
    name: str
    pitch_hz: float
    formants_hz: tuple[float, float, float]


def voices(count: int, seed: int = 0) -> list[Voice]:
    rng = np.random.default_rng(seed)
    result = []
    for number in range(count):
        pitch = float(rng.uniform(85, 260))
        formants = (
            float(rng.uniform(300, 900)),
            float(rng.uniform(900, 2400)),
            float(rng.uniform(2400, 3400)),
        )
        result.append(Voice(f"speaker_{number + 1:02d}", pitch, formants))
    return result


def synthesize(voice: Voice, seconds: float, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """``seconds`` of a voice-like signal in [-1, 1]."""
    count = max(1, int(seconds * sample_rate))
    time = np.arange(count) / sample_rate
    # A wandering pitch contour, as intonation.
    contour = voice.pitch_hz * (
        1 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.3, 1.2) * time + rng.uniform(0, 6))
    )
    phase = 2 * np.pi * np.cumsum(contour) / sample_rate
    signal = np.zeros(count)
    for harmonic in range(1, 30):
        frequency = harmonic * contour
        # Each harmonic's gain follows the voice's formants (resonances of its vocal tract).
        gain = sum(1.0 / (1 + ((frequency - f) / (0.12 * f)) ** 2) for f in voice.formants_hz)
        signal += gain * np.sin(harmonic * phase) / harmonic
    syllables = np.clip(np.sin(2 * np.pi * rng.uniform(2.5, 4.5) * time + rng.uniform(0, 6)), 0, None) ** 0.6
    signal = signal * syllables + rng.normal(0, 0.003, count)
    return (0.6 * signal / max(1e-9, np.abs(signal).max())).astype(np.float32)


def write_clip(path: Path, audio: np.ndarray, audio_format: AudioFormat) -> None:
    data = np.stack([audio, audio * 0.8], axis=1) if audio_format.channels == 2 else audio
    sf.write(str(path), data, audio_format.sample_rate, subtype=audio_format.subtype)


def make_dataset(
    root: Path,
    speakers: int = 4,
    clips_per_speaker: int = 6,
    seconds: tuple[float, float] = (0.8, 6.0),
    formats: tuple[AudioFormat, ...] = FORMATS,
    seed: int = 0,
) -> list[Path]:
    """Write ``<root>/<speaker>/<clip>`` files; returns their paths. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    paths = []
    for voice in voices(speakers, seed):
        folder = root / voice.name
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(clips_per_speaker):
            audio_format = formats[(number + len(paths)) % len(formats)]
            audio = synthesize(voice, float(rng.uniform(*seconds)), audio_format.sample_rate, rng)
            path = folder / f"clip_{number + 1:03d}{audio_format.extension}"
            write_clip(path, audio, audio_format)
            paths.append(path)
    return paths
