"""Sizes and durations for people: the arithmetic, and the plain-English forms (no Qt).

One convention for every size LocalClip shows: binary units (1 KB = 1024 bytes, 1 GB = 1024**3 bytes, i.e.
KiB/MiB/GiB) written "KB"/"MB"/"GB", the way Windows shows sizes, so the model manager, the worker panes
and the command line agree on what "GB" means (core/machine/plan.py states the same for GPU memory).
GB is the largest unit: a model folder or a GPU is counted in GB, however large.

The command line and core messages use :func:`format_bytes`, :func:`format_duration` and
:func:`format_item_rate`; the window translates its own forms from :func:`byte_parts`,
:func:`duration_parts` and :func:`rate_parts` (localclip/gui/formatting.py).
"""

from __future__ import annotations

from typing import Literal

ByteUnit = Literal["bytes", "KB", "MB", "GB"]
BYTE_UNITS: tuple[tuple[ByteUnit, int], ...] = (("bytes", 1), ("KB", 1024), ("MB", 1024**2), ("GB", 1024**3))
NO_VALUE = "–"  # shown where a size or a duration is unknown
# Below one item a second, a rate reads as seconds per item ("12 s/line"): "0.0 lines/s" says nothing.
SLOW_RATE = 1.0


def byte_parts(count: float, smallest: ByteUnit = "bytes") -> tuple[float, ByteUnit]:
    """``count`` bytes in the largest binary unit it fills at least once, never below ``smallest``:
    (1.5, "GB") for 1.5 GiB; (0.5, "MB") for 512 KiB with ``smallest="MB"``."""
    names = [name for name, _ in BYTE_UNITS]
    chosen = BYTE_UNITS[names.index(smallest)]
    for unit in BYTE_UNITS[names.index(smallest) + 1 :]:
        if count >= unit[1]:
            chosen = unit
    name, size = chosen
    return count / size, name


def format_bytes(count: float | None) -> str:
    """'0 bytes', '1023 bytes', '1.0 KB', '1.5 GB': whole bytes, else one decimal; '–' when unknown."""
    if count is None:
        return NO_VALUE
    number, unit = byte_parts(max(0.0, count))
    return f"{number:.0f} {unit}" if unit == "bytes" else f"{number:.1f} {unit}"


def duration_parts(seconds: float) -> tuple[int, int, int]:
    """(hours, minutes, seconds) of ``seconds`` rounded to a whole second (negative counts as 0)."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs


def format_duration(seconds: float | None) -> str:
    """'45 s', '3 min 20 s', '2 h 05 min'; '–' when unknown."""
    if seconds is None:
        return NO_VALUE
    hours, minutes, secs = duration_parts(seconds)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def format_clock(seconds: float) -> str:
    """'4:12' or '1:04:12', as a player shows a length (a column of durations reads best this way)."""
    hours, minutes, secs = duration_parts(seconds)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def rate_parts(rate: float) -> tuple[float, bool]:
    """(items per second, False) for a rate of at least `SLOW_RATE`, else (seconds per item, True); a
    rate of 0 or less is (inf, True): nothing finished lately."""
    if rate >= SLOW_RATE:
        return rate, False
    return (1.0 / rate if rate > 0 else float("inf")), True


def format_item_rate(rate: float | None, singular: str = "item", plural: str = "items") -> str:
    """'3.4 lines/s', '120 lines/s', or for slow rates '12 s/line'; '–' when unknown or nothing finished."""
    if rate is None:
        return NO_VALUE
    value, per_item = rate_parts(rate)
    if not per_item:
        return f"{value:.{1 if value < 100 else 0}f} {plural}/s"
    if value == float("inf"):
        return f"{NO_VALUE} s/{singular}"
    return f"{value:.{1 if value < 10 else 0}f} s/{singular}"
