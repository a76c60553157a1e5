"""Sizes and durations (localclip/core/units.py): binary units written KB/MB/GB, durations by the clock."""

from __future__ import annotations

import pytest

from localclip.core.units import (
    byte_parts,
    duration_parts,
    format_bytes,
    format_clock,
    format_duration,
    format_item_rate,
    rate_parts,
)

KIB, MIB, GIB = 1024, 1024**2, 1024**3


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (None, "–"),
        (0, "0 bytes"),
        (1, "1 bytes"),
        (1023, "1023 bytes"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (1000**3, "953.7 MB"),  # a decimal "GB" is not a GB here
        (GIB, "1.0 GB"),
        (GIB - 1, "1024.0 MB"),
        (3 * GIB // 2, "1.5 GB"),
        (5 * 1024 * GIB, "5120.0 GB"),  # GB is the largest unit
        (-5, "0 bytes"),
    ],
)
def test_format_bytes(count: int | None, text: str) -> None:
    assert format_bytes(count) == text


def test_byte_parts_use_binary_units_and_respect_the_smallest_unit() -> None:
    assert byte_parts(0) == (0, "bytes")
    assert byte_parts(1023) == (1023, "bytes")
    assert byte_parts(KIB) == (1, "KB")
    assert byte_parts(MIB) == (1, "MB")
    assert byte_parts(GIB) == (1, "GB")
    assert byte_parts(512 * KIB, smallest="MB") == (0.5, "MB")
    assert byte_parts(2 * GIB, smallest="MB") == (2, "GB")


@pytest.mark.parametrize(
    ("seconds", "parts", "text", "clock"),
    [
        (0, (0, 0, 0), "0 s", "0:00"),
        (-3, (0, 0, 0), "0 s", "0:00"),
        (45.4, (0, 0, 45), "45 s", "0:45"),
        (59.6, (0, 1, 0), "1 min 00 s", "1:00"),  # rounded to the second before splitting
        (200, (0, 3, 20), "3 min 20 s", "3:20"),
        (3599.4, (0, 59, 59), "59 min 59 s", "59:59"),
        (3600, (1, 0, 0), "1 h 00 min", "1:00:00"),
        (7500, (2, 5, 0), "2 h 05 min", "2:05:00"),
        (100 * 3600 + 61, (100, 1, 1), "100 h 01 min", "100:01:01"),
    ],
)
def test_durations(seconds: float, parts: tuple[int, int, int], text: str, clock: str) -> None:
    assert duration_parts(seconds) == parts
    assert format_duration(seconds) == text
    assert format_clock(seconds) == clock


def test_an_unknown_duration_is_a_dash() -> None:
    assert format_duration(None) == "–"


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (None, "–"),
        (3.44, "3.4 lines/s"),
        (1.0, "1.0 lines/s"),
        (250.0, "250 lines/s"),
        (1 / 12, "12 s/line"),  # a slow rate is seconds per line, never "0.1 lines/s" or "0.0 lines/s"
        (0.02, "50 s/line"),
        (0.5, "2.0 s/line"),
        (0.0, "– s/line"),  # nothing finished lately
    ],
)
def test_format_item_rate_writes_slow_rates_as_seconds_per_item(rate: float | None, text: str) -> None:
    assert format_item_rate(rate, "line", "lines") == text


def test_rate_parts_switch_to_seconds_per_item_below_one_a_second() -> None:
    assert rate_parts(2.0) == (2.0, False)
    assert rate_parts(0.25) == (4.0, True)
    assert rate_parts(0.0) == (float("inf"), True)


def test_the_window_s_rates_are_translated_forms_of_the_same(qapp) -> None:
    from localclip.gui.formatting import format_item_rate as window_rate

    assert window_rate(1 / 12, "lines") == "12 s/line"
    assert window_rate(0.5, "clips") == "2.0 s/clip"
    assert window_rate(3.44, "clips") == "3.4 clips/s"
    assert window_rate(0.0, "items") == "– s/item"
    assert window_rate(None, "lines") == "–"
