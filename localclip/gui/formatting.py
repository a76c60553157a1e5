"""The window's sizes, rates and durations: localclip/core/units.py's arithmetic, translated and written
with the locale's digits (context "Units" in the translation files)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from localclip.core.units import NO_VALUE, byte_parts, duration_parts, format_clock, rate_parts


def format_bytes(count: int | None) -> str:
    """'1.5 GB' or '300 MB' (binary units, as core/units.py says); '–' for a size not measured (0)."""
    if count is None or count <= 0:
        return NO_VALUE
    # Panes show memory: MB is fine enough, and keeps the translated forms to two.
    number, unit = byte_parts(count, smallest="MB")
    if unit == "GB":
        return QCoreApplication.translate("Units", "{0} GB").format(QLocale().toString(number, "f", 1))
    return QCoreApplication.translate("Units", "{0} MB").format(QLocale().toString(number, "f", 0))


def format_rate(rate: float | None) -> str:
    if rate is None:
        return NO_VALUE
    return QLocale().toString(rate, "f", 1 if rate < 100 else 0)


def format_item_rate(rate: float | None, noun: str) -> str:
    """Work done per second, ``noun`` being "clips", "lines" or "items": '3.4 lines/s', or below one a
    second '12 s/line' (seconds per item: a slow rate never shows as '0.0 lines/s'); '–' when unknown."""
    translate = QCoreApplication.translate
    if rate is None:
        return NO_VALUE
    value, per_item = rate_parts(rate)
    if not per_item:
        number = format_rate(value)
        if noun == "clips":
            return translate("Units", "{0} clips/s").format(number)
        if noun == "lines":
            return translate("Units", "{0} lines/s").format(number)
        return translate("Units", "{0} items/s").format(number)
    number = NO_VALUE if value == float("inf") else QLocale().toString(value, "f", 1 if value < 10 else 0)
    if noun == "clips":
        return translate("Units", "{0} s/clip").format(number)
    if noun == "lines":
        return translate("Units", "{0} s/line").format(number)
    return translate("Units", "{0} s/item").format(number)


def format_duration(seconds: float | None) -> str:
    """'45 s', '3 min 20 s', '2 h 05 min' (translated)."""
    translate = QCoreApplication.translate
    if seconds is None:
        return NO_VALUE
    hours, minutes, secs = duration_parts(seconds)
    if hours:
        return translate("Units", "{0} h {1} min").format(hours, f"{minutes:02d}")
    if minutes:
        return translate("Units", "{0} min {1} s").format(minutes, f"{secs:02d}")
    return translate("Units", "{0} s").format(secs)


def format_length(seconds: float) -> str:
    """A clip's or a folder's length: '12.3 s' under a minute, else '4:12' or '1:04:12'."""
    if seconds < 60:
        return QCoreApplication.translate("Units", "{0} s").format(f"{seconds:.1f}")
    return format_clock(seconds)
