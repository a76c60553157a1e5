"""Splitting a worker's output into lines (localclip/pool/framing.py)."""

from collections.abc import Iterable

import pytest

from localclip.pool.framing import LineSplitter, OversizedLine

Output = list[bytes | OversizedLine]


def feed_all(splitter: LineSplitter, chunks: Iterable[bytes]) -> Output:
    out: Output = []
    for chunk in chunks:
        out.extend(splitter.feed(chunk))
    return out


def one_byte_at_a_time(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def test_several_lines_in_one_chunk() -> None:
    splitter = LineSplitter(100)
    assert list(splitter.feed(b"one\ntwo\nthree\n")) == [b"one", b"two", b"three"]
    assert splitter.rest() == b""


def test_a_line_split_across_many_feeds() -> None:
    splitter = LineSplitter(100)
    assert feed_all(splitter, [b'{"ty', b'pe":', b'"bye"', b"}"]) == []
    assert splitter.rest() == b'{"type":"bye"}'
    assert list(splitter.feed(b"\n")) == [b'{"type":"bye"}']
    assert splitter.rest() == b""


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 64])
def test_any_chunking_gives_the_same_lines(size: int) -> None:
    data = "alpha\n测试 数据\n\r\nlast line é\n".encode()
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert feed_all(LineSplitter(100), chunks) == [
        b"alpha",
        "测试 数据".encode(),
        b"",
        "last line é".encode(),
    ]


def test_a_multibyte_character_split_between_feeds() -> None:
    encoded = "测试".encode()  # 3 bytes per character
    splitter = LineSplitter(100)
    assert list(splitter.feed(encoded[:1])) == []
    assert list(splitter.feed(encoded[1:4])) == []
    (line,) = splitter.feed(encoded[4:] + b"\n")
    assert line.decode("utf-8") == "测试"


def test_crlf_endings() -> None:
    splitter = LineSplitter(100)
    assert list(splitter.feed(b"one\r\ntwo\r\n")) == [b"one", b"two"]
    # "\r" and "\n" in different feeds
    assert list(splitter.feed(b"three\r")) == []
    assert list(splitter.feed(b"\nfour\n")) == [b"three", b"four"]


def test_only_one_trailing_carriage_return_is_removed() -> None:
    splitter = LineSplitter(100)
    assert list(splitter.feed(b"a\rb\r\r\n")) == [b"a\rb\r"]


def test_empty_lines() -> None:
    splitter = LineSplitter(100)
    assert list(splitter.feed(b"\n\n\r\n")) == [b"", b"", b""]
    assert list(splitter.feed(b"")) == []
    assert splitter.rest() == b""


def test_rest_holds_a_half_line() -> None:
    splitter = LineSplitter(100)
    assert list(splitter.feed(b"done\nhalf a li")) == [b"done"]
    assert splitter.rest() == b"half a li"
    assert list(splitter.feed(b"ne")) == []
    assert splitter.rest() == b"half a line"


def test_a_line_of_exactly_the_limit_passes() -> None:
    splitter = LineSplitter(10)
    assert feed_all(splitter, one_byte_at_a_time(b"0123456789\n")) == [b"0123456789"]


def test_an_oversized_line_in_one_chunk() -> None:
    splitter = LineSplitter(10)
    out = list(splitter.feed(b"x" * 50 + b"\nnext\n"))
    assert out == [OversizedLine(50, b"x" * 50), b"next"]


def test_an_oversized_line_in_small_chunks_is_reported_once() -> None:
    limit = 100
    splitter = LineSplitter(limit)
    head = b"runaway output " * 20
    out: Output = []
    for chunk in [head[i : i + 7] for i in range(0, len(head), 7)] + [b"y" * 7] * 1000:
        out.extend(splitter.feed(chunk))
        assert len(splitter.rest()) <= limit  # memory stays bounded while discarding
    assert len(out) == 1
    (report,) = out
    assert isinstance(report, OversizedLine)
    assert limit < report.size <= limit + 7
    assert head.startswith(report.head)
    # the rest of the oversized line is dropped; what follows its newline comes through
    out = feed_all(splitter, [b"yyy\n", b'{"type":"bye",', b'"reason":"r"}\n'])
    assert out == [b'{"type":"bye","reason":"r"}']


def test_the_report_head_is_at_most_200_bytes() -> None:
    splitter = LineSplitter(1000)
    (report,) = feed_all(splitter, [b"z" * 600] * 3)
    assert isinstance(report, OversizedLine)
    assert report.size == 1200
    assert report.head == b"z" * 200


def test_the_line_after_an_oversized_one_arrives_in_the_same_chunk() -> None:
    splitter = LineSplitter(10)
    out = feed_all(splitter, [b"a" * 11, b"a" * 5 + b"\nok\npart"])
    assert out == [OversizedLine(11, b"a" * 11), b"ok"]
    assert splitter.rest() == b"part"


def test_two_oversized_lines_are_two_reports() -> None:
    splitter = LineSplitter(10)
    out = feed_all(splitter, one_byte_at_a_time(b"a" * 30 + b"\n" + b"b" * 30 + b"\nfine\n"))
    assert out == [OversizedLine(11, b"a" * 11), OversizedLine(11, b"b" * 11), b"fine"]


def test_memory_stays_bounded_with_large_chunks() -> None:
    limit = 1000
    splitter = LineSplitter(limit)
    reports = 0
    for _ in range(200):
        reports += sum(isinstance(x, OversizedLine) for x in splitter.feed(b"q" * 4096))
        assert len(splitter.rest()) <= limit
    assert reports == 1
    assert list(splitter.feed(b"\nafter\n")) == [b"after"]
