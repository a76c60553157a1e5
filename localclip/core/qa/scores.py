"""A take's QA scores (`TakeQa`), made from the worker's `qa` result, the take's audio facts and its line's
text, and stored with the take in the manifest (`Take.qa`, docs/qa.md "What is stored"). Scores only:
the flags are worked out from them when read (flags.py), so a changed threshold needs no new scoring.

Both the worker's result and the manifest's copy are untrusted (another process; a file anyone can edit):
every field is checked, a bad value raises ValueError saying which, unknown keys are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from localclip.core.qa.text import UNIT_CHAR, UNIT_WORD, error_rate, normalise

if TYPE_CHECKING:  # the manifest reads scores without the audio reader
    from localclip.core.qa.audio import AudioFacts


@dataclass(frozen=True, kw_only=True)
class TakeQa:
    voice: float  # cosine of the take's embedding with its own speaker's reference centroid
    best_other: float | None = None  # the highest cosine with another speaker's centroid (None: no other)
    best_other_speaker: str = ""  # that speaker
    # 1 - the cosine of the take's speaker's centroid with the nearest other speaker's: how far apart the
    # model puts the two voices (0: the same; None: no other speaker)
    speakers_apart: float | None = None
    nearest_speaker: str = ""  # that nearest other speaker
    transcript: str | None = None  # None: no recogniser; the four fields below are set with it
    unit: str = ""  # UNIT_CHAR or UNIT_WORD
    errors: int | None = None
    units: int | None = None
    error_rate: float | None = None
    language: str = ""  # the recogniser's language code (given or detected)
    longest_silence: float = 0.0  # seconds, inside the take
    silence_at: float | None = None  # where it starts (None: no silence inside)
    clipped: int = 0  # clipped samples (audio.py's rule)
    seconds_per_char: float | None = None  # the take's duration over its line's normalised characters
    scored: str = ""  # ISO 8601, UTC
    recogniser: str = ""  # the recogniser's model folder name

    def __post_init__(self) -> None:
        _cosine("voice", self.voice)
        _optional(_cosine, "best_other", self.best_other)
        _optional(_apart, "speakers_apart", self.speakers_apart)
        for name in ("best_other_speaker", "nearest_speaker", "unit", "language", "scored", "recogniser"):
            _text(name, getattr(self, name))
        _optional(_text, "transcript", self.transcript)
        words = (self.errors, self.units, self.error_rate)
        if self.transcript is None:
            if self.unit or any(value is not None for value in words):
                raise ValueError("word errors without a transcript")
        else:
            if self.unit not in (UNIT_CHAR, UNIT_WORD):
                raise ValueError(f"unit must be {UNIT_CHAR!r} or {UNIT_WORD!r}, not {self.unit!r}")
            _count("errors", self.errors)
            _count("units", self.units)
            _non_negative("error_rate", self.error_rate)
        _non_negative("longest_silence", self.longest_silence)
        _optional(_non_negative, "silence_at", self.silence_at)
        _count("clipped", self.clipped)
        _optional(_non_negative, "seconds_per_char", self.seconds_per_char)

    def to_dict(self) -> dict[str, Any]:
        """The stored form: fields without a value (None, "") left out."""
        return {
            name: getattr(self, name)
            for name in _FIELDS
            if getattr(self, name) is not None and getattr(self, name) != ""
        }

    @classmethod
    def from_dict(cls, data: Any) -> TakeQa:
        """Scores read back from the manifest; ValueError when a field is missing or wrong."""
        if not isinstance(data, dict):
            raise ValueError(f"QA scores are an object, not {type(data).__name__}")
        if "voice" not in data:
            raise ValueError("QA scores without a voice score")
        values = {name: data[name] for name in _FIELDS if name in data}
        for name in _FLOATS:  # JSON writes 1.0 as 1 at times; a whole number is a number here
            value = values.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                values[name] = float(value)
        return cls(**values)

    @classmethod
    def from_stored(cls, data: Any) -> TakeQa | None:
        """Scores kept with a take, or None when there are none or they are damaged: a damaged block is
        dropped (the take stays, unscored, and is scored again), never fatal to the manifest around it."""
        if data is None:
            return None
        try:
            return cls.from_dict(data)
        except (TypeError, ValueError):
            return None


_FIELDS = tuple(TakeQa.__dataclass_fields__)
_FLOATS = ("voice", "best_other", "speakers_apart", "error_rate", "longest_silence", "silence_at")
_FLOATS += ("seconds_per_char",)


def score_take(result: Any, facts: AudioFacts, text: str, speaker: str, scored: str | None = None) -> TakeQa:
    """A take's scores: `result` is the worker's `qa` result for it (untrusted: ValueError saying what is
    wrong with it), `facts` its audio facts, `text` its line's text, `speaker` the line's speaker.
    `scored`: when (ISO 8601; default now, UTC)."""
    if not isinstance(result, dict):
        raise ValueError(f"the QA result is an object, not {type(result).__name__}")
    for key in ("voice", "speaker_similarity", "transcript"):
        if key not in result:
            raise ValueError(f"the QA result has no {key!r}")
    voice = _similarities("voice", result["voice"])
    if speaker not in voice:
        raise ValueError(f"the QA result has no voice score for the take's speaker {speaker!r}")
    apart = _similarities("speaker_similarity", result["speaker_similarity"])
    transcript = result["transcript"]
    if transcript is not None and not isinstance(transcript, str):
        raise ValueError(f"the transcript is text or null, not {type(transcript).__name__}")
    language = result.get("language", "")
    recogniser = result.get("recogniser", "")
    _text("language", language)
    _text("recogniser", recogniser)
    best_other_speaker, best_other = _highest(voice, speaker)
    nearest, nearest_similarity = _highest(apart, speaker)
    words = None if transcript is None else error_rate(text, transcript, language)
    characters = len(normalise(text, language).replace(" ", ""))
    return TakeQa(
        voice=voice[speaker],
        best_other=best_other,
        best_other_speaker=best_other_speaker,
        speakers_apart=None if nearest_similarity is None else 1.0 - nearest_similarity,
        nearest_speaker=nearest,
        transcript=transcript,
        unit=words.unit if words else "",
        errors=words.errors if words else None,
        units=words.units if words else None,
        error_rate=words.rate if words else None,
        language=language,
        longest_silence=facts.longest_silence,
        silence_at=facts.silence_at,
        clipped=facts.clipped_samples,
        seconds_per_char=facts.duration / characters if characters else None,
        scored=scored if scored is not None else datetime.now(UTC).isoformat(timespec="seconds"),
        recogniser=recogniser,
    )


def _highest(values: dict[str, float], speaker: str) -> tuple[str, float | None]:
    """The other speaker with the highest value (the first by name on a tie), and the value."""
    others = sorted((name, value) for name, value in values.items() if name != speaker)
    if not others:
        return "", None
    return max(others, key=lambda item: item[1])


def _similarities(name: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ValueError(f"{name} is an object of speakers and cosines, not {type(value).__name__}")
    for speaker, cosine in value.items():
        if not isinstance(speaker, str):
            raise ValueError(f"{name}: a speaker is named by text, not {speaker!r}")
        _cosine(f"{name} of {speaker!r}", cosine)
    return {speaker: float(cosine) for speaker, cosine in value.items()}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _cosine(name: str, value: Any) -> None:
    if not _number(value) or not -1.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a cosine from -1 to 1, not {value!r}")


def _apart(name: str, value: Any) -> None:
    if not _number(value) or not 0.0 <= value <= 2.0:
        raise ValueError(f"{name} must be a cosine distance from 0 to 2, not {value!r}")


def _non_negative(name: str, value: Any) -> None:
    if not _number(value) or value < 0:
        raise ValueError(f"{name} must be a finite number from 0, not {value!r}")


def _count(name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a whole number from 0, not {value!r}")


def _text(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {value!r}")


def _optional(check: Callable[[str, Any], None], name: str, value: Any) -> None:
    if value is not None:
        check(name, value)
