"""The window's sizes, rates and durations: localclip/core/units.py's arithmetic, translated and written
with the locale's digits (context "Units" in the translation files)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale

from localclip.core.units import NO_VALUE, byte_parts, duration_parts, format_clock


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
