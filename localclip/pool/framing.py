"""Splitting a worker's output stream into lines.

Bytes are buffered and split on ``\\n`` *before* decoding, so a UTF-8 character cut between two reads is
never mangled. A line that grows past the limit without a newline is dropped as it arrives (memory stays
bounded) and reported once as :class:`OversizedLine`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class OversizedLine:
    size: int  # bytes seen so far when the line was given up
    head: bytes  # its first bytes, for the report


class LineSplitter:
    def __init__(self, max_line_bytes: int) -> None:
        self._max = max_line_bytes
        self._buffer = bytearray()
        self._discarding = False  # inside an oversized line: drop bytes until its newline

    def feed(self, data: bytes) -> Iterator[bytes | OversizedLine]:
        """Complete lines (without ``\\n`` or a trailing ``\\r``) found after adding ``data``."""
        start = 0
        while (end := data.find(b"\n", start)) != -1:
            if self._discarding:
                self._discarding = False
            else:
                self._buffer += data[start:end]
                line = bytes(self._buffer).removesuffix(b"\r")
                self._buffer.clear()
                if len(line) > self._max:
                    yield OversizedLine(len(line), line[:200])
                else:
                    yield line
            start = end + 1
        if not self._discarding:
            self._buffer += data[start:]
            if len(self._buffer) > self._max:
                yield OversizedLine(len(self._buffer), bytes(self._buffer[:200]))
                self._buffer.clear()
                self._discarding = True

    def rest(self) -> bytes:
        """What is left without a newline (a half line at the end of the stream)."""
        return bytes(self._buffer)
