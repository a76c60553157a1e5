"""Splitting a worker's output stream into lines.

Bytes are buffered and split on ``\\n`` *before* decoding, so a UTF-8 character cut between two reads is
never mangled. A line that grows past the limit without a newline is dropped as it arrives (memory stays
bounded) and reported once as :class:`OversizedLine`.
"""

from __future__ import annotations

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

    def feed(self, data: bytes) -> list[bytes | OversizedLine]:
        """Complete lines (without ``\\n`` or a trailing ``\\r``) found after adding ``data``.

        One ``split`` per read rather than a search and two copies per line: a GPU's worker sends tens of
        thousands of lines a second (bench/coordinator.py)."""
        if self._discarding:
            end = data.find(b"\n")
            if end == -1:
                return []
            self._discarding = False
            data = data[end + 1 :]
        parts = data.split(b"\n")
        rest = parts.pop()  # after the last newline: the start of a line still to come
        if parts and self._buffer:
            self._buffer += parts[0]
            parts[0] = bytes(self._buffer)
            self._buffer.clear()
        lines: list[bytes | OversizedLine]
        if not parts or (len(parts[0]) <= self._max and len(data) <= self._max):  # none can be too long
            lines = [line.removesuffix(b"\r") for line in parts]
        else:
            lines = [self._checked(line.removesuffix(b"\r")) for line in parts]
        self._buffer += rest
        if len(self._buffer) > self._max:
            lines.append(OversizedLine(len(self._buffer), bytes(self._buffer[:200])))
            self._buffer.clear()
            self._discarding = True
        return lines

    def _checked(self, line: bytes) -> bytes | OversizedLine:
        return OversizedLine(len(line), line[:200]) if len(line) > self._max else line

    def rest(self) -> bytes:
        """What is left without a newline (a half line at the end of the stream)."""
        return bytes(self._buffer)
