"""Why a take needs listening to: flags with reasons, from its stored scores (scores.py) and the thresholds
in the settings, worked out when read (a changed threshold needs no new scoring); the order the review
puts takes in (`risk`) and which take of a line is best (`best_take`).

**Voice, relative to the model's scale.** Cosines from a speaker model are not on a fixed scale: two
different speakers' centroids may be 0.2 alike under one model and 0.6 under another. Two rules, both from
numbers of the same model and project:

- *Margin*: flagged when the take is not clearly closer to its own speaker than to every other:
  `voice - best_other < voice_margin` (default 0.05). Catches a take that drifted into another voice.
- *Relative floor*: flagged when the take is further from its own speaker's centroid (cosine distance,
  `1 - voice`) than `voice_fraction` (default 0.75) of the distance from its speaker's centroid to the
  nearest other speaker's (`speakers_apart`): `1 - voice > voice_fraction * speakers_apart`, that is
  `voice < 1 - voice_fraction * speakers_apart`. The spacing of the project's own voices is the yardstick
  of how far a take may wander: where the model puts voices far apart, a take may sit further from its
  centroid; where two voices are close, a take must stay close to its own to be told from the other.
  Catches a take that sounds like nobody (close to no centroid), which the margin alone lets through.

A project with one speaker has neither a best other nor a spacing: its voice is never flagged (the
words and the audio still are).

**Duration.** Seconds per character (of the line's normalised text) against the speaker's other scored
takes: flagged more than `duration_z` standard deviations (sample standard deviation) from their mean,
when the speaker has at least MIN_TAKES other takes. `SpeakerStats` is built over all of a speaker's
scored takes; `take_flags` leaves the judged take out itself.

**Severity** (for sorting): each flag has one from 0 to 1, how far past its threshold it is over a span
(SPANS: 0.25 of a cosine, 0.5 of the error rate, 5 s of silence, 1000 clipped samples, 3 standard
deviations); a take that ran to the token limit is always 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from localclip.core.messages import Message
from localclip.core.options import (
    QA_DURATION_Z,
    QA_MAX_CLIPPED_SAMPLES,
    QA_MAX_ERROR_RATE,
    QA_MAX_SILENCE_S,
    QA_VOICE_FRACTION,
    QA_VOICE_MARGIN,
    OptionSource,
)
from localclip.core.qa.scores import TakeQa
from localclip.core.qa.text import UNIT_CHAR

VOICE = "voice"
WORDS = "words"
SILENCE = "silence"
CLIPPING = "clipping"
DURATION = "duration"
TOKEN_LIMIT = "token_limit"  # noqa: S105 (a flag kind, not a password)
KINDS = (VOICE, WORDS, SILENCE, CLIPPING, DURATION, TOKEN_LIMIT)
MIN_TAKES = 5  # other scored takes of a speaker before its durations say anything
# How far past its threshold a flag is fully severe (1.0), in the flag's own units.
SPANS = {VOICE: 0.25, WORDS: 0.5, SILENCE: 5.0, CLIPPING: 1000.0, DURATION: 3.0}
# risk(): a flagged take's risk starts here; an unscored one without flags is UNSCORED_RISK; a clean scored
# one is from 0 to CLEAN_RISK_MAX.
FLAGGED_RISK = 2.0
UNSCORED_RISK = 1.0
CLEAN_RISK_MAX = 0.5


@dataclass(frozen=True)
class Flag:
    kind: str  # one of KINDS
    reason: str  # for people: "8 of 23 words wrong"
    severity: float = 0.0  # 0 to 1: how far past its threshold

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"a flag's kind is one of {', '.join(KINDS)}, not {self.kind!r}")


@dataclass(frozen=True)
class QaThresholds:
    voice_margin: float = QA_VOICE_MARGIN.default
    voice_fraction: float = QA_VOICE_FRACTION.default
    max_error_rate: float = QA_MAX_ERROR_RATE.default
    max_silence_s: float = QA_MAX_SILENCE_S.default
    max_clipped_samples: int = QA_MAX_CLIPPED_SAMPLES.default
    duration_z: float = QA_DURATION_Z.default

    @classmethod
    def from_options(cls, options: OptionSource) -> QaThresholds:
        """The thresholds in the settings (or `Defaults()`), each within its option's bounds."""
        return cls(
            options.get(QA_VOICE_MARGIN),
            options.get(QA_VOICE_FRACTION),
            options.get(QA_MAX_ERROR_RATE),
            options.get(QA_MAX_SILENCE_S),
            options.get(QA_MAX_CLIPPED_SAMPLES),
            options.get(QA_DURATION_Z),
        )


@dataclass(frozen=True)
class SpeakerStats:
    """Seconds per character over a speaker's scored takes: their count, mean and sum of squared
    deviations (Welford), so one take can be left out exactly (`without`)."""

    speaker: str
    count: int = 0
    mean: float = 0.0
    squares: float = 0.0  # sum of squared deviations from the mean

    @classmethod
    def of(cls, speaker: str, values: Iterable[float | None]) -> SpeakerStats:
        """The stats of `values` (seconds per character of each scored take; None, unknown, skipped)."""
        count, mean, squares = 0, 0.0, 0.0
        for value in values:
            if value is None or not math.isfinite(value):
                continue
            count += 1
            delta = value - mean
            mean += delta / count
            squares += delta * (value - mean)
        return cls(speaker, count, mean, squares)

    @property
    def std(self) -> float:
        """The sample standard deviation (0.0 under two takes)."""
        return math.sqrt(max(0.0, self.squares) / (self.count - 1)) if self.count > 1 else 0.0

    @property
    def usable(self) -> bool:
        return self.count >= MIN_TAKES

    def with_value(self, value: float) -> SpeakerStats:
        """The stats with one more take of `value` (Welford's step; `without`'s counterpart)."""
        count = self.count + 1
        delta = value - self.mean
        mean = self.mean + delta / count
        return SpeakerStats(self.speaker, count, mean, self.squares + delta * (value - mean))

    def without(self, value: float) -> SpeakerStats:
        """The stats with one take of `value` left out (that take must be among them)."""
        if self.count <= 1:
            return SpeakerStats(self.speaker)
        count = self.count - 1
        mean = (self.mean * self.count - value) / count
        return SpeakerStats(
            self.speaker, count, mean, max(0.0, self.squares - (value - self.mean) * (value - mean))
        )


def take_flags(
    qa: TakeQa | None, token_limit: bool, stats: SpeakerStats | None, thresholds: QaThresholds
) -> list[Flag]:
    """A take's flags, in the order of KINDS. `qa`: its scores (None: not scored; only the token limit
    can be flagged); `token_limit`: the clone job said a chunk stopped at max_new_tokens; `stats`: its
    speaker's seconds per character over all their scored takes, this one among them (left out here)."""
    flags = []
    if qa is not None:
        voice = _voice_flag(qa, thresholds)
        flags += [voice] if voice else []
        flags += _words_flag(qa, thresholds)
        if qa.longest_silence > thresholds.max_silence_s:
            where = qa.silence_at or 0.0
            reason = Message("qa.silence", seconds=f"{qa.longest_silence:.1f}", at=f"{where:.1f}")
            flags.append(Flag(SILENCE, reason, _past(qa.longest_silence, thresholds.max_silence_s, SILENCE)))
        if qa.clipped > thresholds.max_clipped_samples:
            reason = Message("qa.clipped", count=qa.clipped, noun=_noun("sample", qa.clipped))
            flags.append(Flag(CLIPPING, reason, _past(qa.clipped, thresholds.max_clipped_samples, CLIPPING)))
        flags += _duration_flag(qa, stats, thresholds)
    if token_limit:
        flags.append(Flag(TOKEN_LIMIT, Message("qa.token_limit"), 1.0))
    return flags


def _voice_flag(qa: TakeQa, thresholds: QaThresholds) -> Flag | None:
    voice = qa.voice
    reason: str = ""
    severity = 0.0
    if qa.speakers_apart is not None:
        floor = 1.0 - thresholds.voice_fraction * qa.speakers_apart
        if voice < floor:
            where = f"{qa.nearest_speaker}, " if qa.nearest_speaker else ""
            apart = f"{qa.speakers_apart:.2f}"
            reason = Message(
                "qa.voice_floor", voice=f"{voice:.2f}", floor=f"{floor:.2f}", where=where, apart=apart
            )
            severity = _past(floor, voice, VOICE)
    if qa.best_other is not None:
        lead = voice - qa.best_other
        if lead < thresholds.voice_margin:
            # The stronger evidence: another voice is as close as this take's own, or closer.
            who = f" ({qa.best_other_speaker})" if qa.best_other_speaker else ""
            reason = Message("qa.voice_other", voice=f"{voice:.2f}", other=f"{qa.best_other:.2f}", who=who)
            severity = max(severity, _past(thresholds.voice_margin, lead, VOICE))
    return Flag(VOICE, reason, severity) if reason else None


def _words_flag(qa: TakeQa, thresholds: QaThresholds) -> list[Flag]:
    if qa.error_rate is None or qa.errors is None or qa.error_rate <= thresholds.max_error_rate:
        return []
    unit = "character" if qa.unit == UNIT_CHAR else "word"
    if qa.units and qa.errors > qa.units:  # more heard than the line has: insertions count too
        reason = Message("qa.errors_in", errors=qa.errors, units=qa.units, noun=_noun(unit, qa.units))
    elif qa.units:
        reason = Message("qa.units_wrong", errors=qa.errors, units=qa.units, noun=_noun(unit, qa.units))
    else:
        reason = Message("qa.heard_none", errors=qa.errors, noun=_noun(unit, qa.errors))
    return [Flag(WORDS, reason, _past(qa.error_rate, thresholds.max_error_rate, WORDS))]


def _duration_flag(qa: TakeQa, stats: SpeakerStats | None, thresholds: QaThresholds) -> list[Flag]:
    value = qa.seconds_per_char
    if value is None or stats is None:
        return []
    others = stats.without(value)
    if not others.usable:
        return []
    distance = abs(value - others.mean)
    std = others.std
    z = distance / std if std > 0 else (math.inf if distance > 1e-9 else 0.0)
    if z <= thresholds.duration_z:
        return []
    reason = Message("qa.duration", value=f"{value:.2f}", speaker=stats.speaker, mean=f"{others.mean:.2f}")
    return [Flag(DURATION, reason, _past(z, thresholds.duration_z, DURATION))]


def _noun(unit: str, count: int) -> Message:
    """ "word", "words", "character", ... as a message of its own, for the window to translate."""
    return Message(f"qa.noun.{unit}" + ("" if count == 1 else "s"))


def _past(value: float, limit: float, kind: str) -> float:
    """How far `value` is past `limit`, over the kind's span, from 0 to 1."""
    return min(1.0, max(0.0, (value - limit) / SPANS[kind]))


def risk(flags: Sequence[Flag], qa: TakeQa | None) -> float:
    """A take's place in the review's "risky first" order (higher first). A flagged take: FLAGGED_RISK
    plus, for each flag, 1 and its severity (more flags, and flags further past their thresholds, first).
    An unscored take without flags: UNSCORED_RISK, after the flagged ones and before the clean ones (it may
    be fine; nobody knows). A clean scored take: from 0 to CLEAN_RISK_MAX, lower voice scores first."""
    if flags:
        return FLAGGED_RISK + sum(1.0 + flag.severity for flag in flags)
    if qa is None:
        return UNSCORED_RISK
    return CLEAN_RISK_MAX * (1.0 - qa.voice) / 2.0


def best_take(takes_with_qa: Iterable[tuple[int, Sequence[Flag], TakeQa | None]]) -> int:
    """The number of the best of a line's takes, given as (take number, its flags, its scores): fewest
    flags, then least severe, then scored before unscored, then the highest voice score, then the earliest
    take. Automatic retakes keep this one as the line's chosen take; no take is ever deleted."""
    ranked = [
        (len(flags), sum(flag.severity for flag in flags), qa is None, -(qa.voice if qa else 0.0), take)
        for take, flags, qa in takes_with_qa
    ]
    if not ranked:
        raise ValueError("a line without takes has no best take")
    return min(ranked)[-1]
