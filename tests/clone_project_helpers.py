"""Helpers for the cloning tests: small WAV files, speech-shaped tones, project folders.

Run as a script to (re)make the reference recordings of the example project in
`resources/example_project/speakers/` (`.venv/bin/python -m tests.clone_project_helpers`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 44_100
EXAMPLE_PROJECT = Path(__file__).resolve().parents[1] / "resources" / "example_project"
# Rough vowel formants (Hz): each syllable gets one, so the tone moves like speech rather than humming.
_VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480), (570, 840, 2410))
# The example project's voices: folder name -> (base pitch in Hz, seed, reference name, transcript).
EXAMPLE_VOICES = {
    "anna": (200.0, 1, "hello", "Hello, my name is Anna. I read the English lines of this example."),
    "li_wei": (120.0, 2, "greeting", "大家好，我是李伟。这段录音是示例项目的参考声音。"),
    "yuki": (250.0, 3, "aisatsu", "こんにちは、ゆきです。これはサンプルの参考音声です。"),
}


def speech_like(seconds: float, base_pitch: float, seed: int, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 audio shaped like speech: voiced syllables at about four a second with a gliding
    pitch, vowel-like formants, a short noise burst at each onset, and pauses between phrases."""
    rng = np.random.default_rng(seed)
    total = int(seconds * sample_rate)
    audio = np.zeros(total, dtype=np.float64)
    position = int(0.15 * sample_rate)
    while position < total - int(0.2 * sample_rate):
        length = int(rng.uniform(0.16, 0.3) * sample_rate)
        length = min(length, total - position)
        audio[position : position + length] += _syllable(length, base_pitch, rng, sample_rate)
        gap = rng.uniform(0.25, 0.45) if rng.random() < 0.15 else rng.uniform(0.02, 0.06)
        position += length + int(gap * sample_rate)
    peak = float(np.max(np.abs(audio))) or 1.0
    return (audio / peak * 0.7).astype(np.float32)


def _syllable(length: int, base_pitch: float, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    t = np.arange(length) / sample_rate
    start_pitch = base_pitch * rng.uniform(0.85, 1.2)
    pitch = start_pitch * (1 + rng.uniform(-0.15, 0.1) * t / t[-1])  # a glide, as in intonation
    phase = 2 * np.pi * np.cumsum(pitch) / sample_rate
    formants = _VOWELS[rng.integers(len(_VOWELS))]
    voiced = np.zeros(length)
    for harmonic in range(1, int(4000 / start_pitch)):
        frequency = harmonic * start_pitch
        weight = sum(np.exp(-(((frequency - f) / 120.0) ** 2)) for f in formants) + 0.05
        voiced += weight / harmonic**0.5 * np.sin(harmonic * phase)
    envelope = np.sin(np.pi * np.arange(length) / length) ** 0.6
    burst = np.zeros(length)
    onset = min(length, int(0.02 * sample_rate))
    burst[:onset] = rng.normal(0, 0.3, onset) * np.linspace(1, 0, onset)
    return voiced * envelope / max(1.0, float(np.max(np.abs(voiced)))) + burst


def write_wav(path: Path, seconds: float = 0.3, sample_rate: int = SAMPLE_RATE, seed: int = 0) -> Path:
    """A short speech-like WAV (or FLAC/OGG/MP3, by the extension) at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    audio = speech_like(seconds, 150.0, seed, sample_rate)
    file_format = path.suffix.lstrip(".").upper()
    subtype = {"WAV": "PCM_16", "OGG": "VORBIS", "MP3": "MPEG_LAYER_III"}.get(file_format)
    sf.write(path, audio, sample_rate, format=file_format, subtype=subtype)
    return path


def add_speaker(
    project: Path, name: str, transcript: str | None = "Hello there.", reference: str = "ref"
) -> Path:
    """`speakers/<name>/<reference>.wav` with a `.lab` transcript (none when `transcript` is None)."""
    folder = project / "speakers" / name
    audio = write_wav(folder / f"{reference}.wav", seed=len(name))
    if transcript is not None:
        (folder / f"{reference}.lab").write_text(transcript, encoding="utf-8")
    return audio


def make_project(project: Path, speakers: list[str], csv_text: str, encoding: str = "utf-8") -> Path:
    """A project with one reference per speaker and `csv_text` as script.csv."""
    for name in speakers:
        add_speaker(project, name)
    (project / "script.csv").write_bytes(csv_text.encode(encoding))
    return project


def make_example_references(project: Path = EXAMPLE_PROJECT) -> None:
    """The example project's three reference recordings (3 s, 44.1 kHz mono, 16-bit) and transcripts."""
    for name, (pitch, seed, reference, transcript) in EXAMPLE_VOICES.items():
        folder = project / "speakers" / name
        folder.mkdir(parents=True, exist_ok=True)
        audio = speech_like(3.0, pitch, seed)
        sf.write(folder / f"{reference}.wav", audio, SAMPLE_RATE, subtype="PCM_16")
        (folder / f"{reference}.lab").write_text(transcript + "\n", encoding="utf-8")


if __name__ == "__main__":
    make_example_references()
    print(f"wrote the reference recordings of {EXAMPLE_PROJECT}")
