"""Subtitle-timed delivery: when the script is an SRT, each line has a slot (its cue's start and end), and
the kept takes can be laid on a timeline ready to drop into an editor at 00:00:00.

One WAV per speaker holds that speaker's takes, each starting at its cue's start to the sample
(`round(start * rate)`), with silence elsewhere; one more WAV mixes every speaker. The tracks are made from
the delivered clips themselves (already trimmed, normalised and resampled), so what lies on the timeline
is exactly what lies in the folder. A track lasts until the last cue ends, or longer where a take overruns
past it: audio is never cut. Takes that overlap are summed; a track whose sum would pass full scale is
scaled down as a whole (never clipped), and the report says so.

Tracks are held in memory as float32, one speaker's and the mix at a time: an hour at 48 kHz is about
700 MB each.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from localclip.core.audio.convert import read_audio, resample, write_audio
from localclip.core.cloning.project import ProjectScan

TIMELINE_FOLDER = "timeline"
MIX_STEM = "mix"


@dataclass(frozen=True)
class Cue:
    """A delivered clip and where it goes."""

    line_id: str
    speaker: str
    start: float  # seconds: the cue's start
    end: float  # seconds: the cue's end
    path: Path  # the delivered clip


@dataclass
class TimelineResult:
    tracks: dict[str, Path]  # speaker -> its track
    mix: Path | None
    sample_rate: int
    frames: int
    scaled: dict[str, float] = field(default_factory=dict)  # track name -> gain applied to stay in range
    cancelled: bool = False

    @property
    def paths(self) -> list[Path]:
        return [*self.tracks.values(), *([self.mix] if self.mix else [])]

    def notes(self) -> list[str]:
        return [
            f"{name} was scaled by {20 * math.log10(gain):.1f} dB: the takes summed past full scale"
            for name, gain in self.scaled.items()
        ]


def script_slots(scan: ProjectScan | None) -> dict[str, tuple[float, float]]:
    """Each SRT line's (start, end), by id; empty for other scripts."""
    if scan is None:
        return {}
    lines = [*scan.lines, *(item.line for item in scan.skipped)]
    return {line.id: line.slot for line in lines if line.slot is not None}


def offset(start: float, rate: int) -> int:
    """The first sample of a take that starts at `start` seconds."""
    return round(start * rate)


def track_names(speakers: Iterable[str]) -> dict[str, str]:
    """A file name for each speaker's track and for the mix (key ""), none two alike ignoring case."""
    names = {"": f"{MIX_STEM}.wav"}
    taken = {names[""].casefold()}
    for speaker in sorted(set(speakers)):
        number = 1
        while True:
            name = f"{speaker}.wav" if number == 1 else f"{speaker}-{number}.wav"
            if name.casefold() not in taken:
                taken.add(name.casefold())
                names[speaker] = name
                break
            number += 1
    return names


def timeline_rate(cues: list[Cue], wanted: int | None) -> int:
    """The wanted rate, or (keeping sources' rates) the rate most of the clips have."""
    if wanted is not None:
        return wanted
    rates = Counter(sf.info(str(cue.path)).samplerate for cue in cues)
    return rates.most_common(1)[0][0] if rates else 48_000


def write_timeline(
    cues: list[Cue],
    targets: Mapping[str, Path],
    rate: int,
    subtype: str,
    step: Callable[[], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TimelineResult:
    """Write each speaker's track and the mix (`targets`: speaker -> path, "" -> the mix). `step` is
    called after each file; `should_stop` is asked before each."""
    frames = _length(cues, rate)
    result = TimelineResult({}, None, rate, frames)
    mix = np.zeros(frames, dtype=np.float32)
    for speaker in sorted({cue.speaker for cue in cues}):
        if should_stop is not None and should_stop():
            result.cancelled = True
            return result
        track = np.zeros(frames, dtype=np.float32)
        for cue in cues:
            if cue.speaker == speaker:
                place(track, _mono_at(cue.path, rate), offset(cue.start, rate))
        mix += track
        name = targets[speaker].name
        _write_in_range(targets[speaker], track, rate, subtype, name, result.scaled)
        result.tracks[speaker] = targets[speaker]
        if step is not None:
            step()
    if should_stop is not None and should_stop():
        result.cancelled = True
        return result
    _write_in_range(targets[""], mix, rate, subtype, targets[""].name, result.scaled)
    result.mix = targets[""]
    if step is not None:
        step()
    return result


def place(track: np.ndarray, samples: np.ndarray, start: int) -> None:
    """Add `samples` into `track` from sample `start` (overlapping takes sum)."""
    end = min(len(track), start + len(samples))
    if end > start:
        track[start:end] += samples[: end - start]


def _length(cues: list[Cue], rate: int) -> int:
    """Until the last cue ends, or the last take does where it overruns."""
    ends = [offset(cue.end, rate) for cue in cues]
    for cue in cues:
        info = sf.info(str(cue.path))
        ends.append(offset(cue.start, rate) + math.ceil(info.frames * rate / info.samplerate))
    return max(ends, default=0)


def _mono_at(path: Path, rate: int) -> np.ndarray:
    samples, source_rate = read_audio(path)
    mono = samples.mean(axis=1) if samples.shape[1] > 1 else samples[:, 0]
    return resample(mono, source_rate, rate)


def _write_in_range(
    path: Path, track: np.ndarray, rate: int, subtype: str, name: str, scaled: dict[str, float]
) -> None:
    peak = float(np.max(np.abs(track))) if len(track) else 0.0
    if peak > 1.0:  # summed past 0 dBFS: lower the whole track rather than clip it
        gain = 1.0 / peak
        track = track * np.float32(gain)
        scaled[name] = gain
    write_audio(path, track, rate, subtype)
