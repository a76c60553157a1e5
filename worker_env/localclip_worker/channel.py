"""The protocol stream: a private duplicate of file descriptor 1, so nothing else can write to it.

At start-up fd 1 is moved onto stderr. A library that prints, from Python (``print``) or from C
(``printf`` on fd 1), then writes to stderr, and only :meth:`ProtocolChannel.send` writes protocol lines.
"""

from __future__ import annotations

import os
import sys
import threading

from localclip_worker import protocol


class ProtocolChannel:
    """Thread-safe writer of protocol lines to the private stdout duplicate."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def take_stdout(cls) -> ProtocolChannel:
        """Duplicate fd 1 for protocol lines, then point fd 1 and ``sys.stdout`` at stderr."""
        sys.stdout.flush()
        protocol_fd = os.dup(1)  # non-inheritable: child processes (ffmpeg, ...) never get it
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        return cls(protocol_fd)

    def send(self, message: protocol.Message) -> bool:
        """Write one message; False once the reader has gone (the pool closed our stdout).

        Raises ValueError for a message the protocol cannot carry (NaN, over the line limit), so the caller
        can report the item as failed instead of breaking the stream.
        """
        data = protocol.encode(message)
        if len(data) > protocol.MAX_LINE_BYTES:
            raise ValueError(
                f"message of {len(data)} bytes exceeds the {protocol.MAX_LINE_BYTES}-byte line limit"
            )
        with self._lock:
            if self._closed:
                return False
            try:
                view = memoryview(data)
                while view:  # a pipe write may be partial for long lines
                    view = view[os.write(self._fd, view) :]
            except (BrokenPipeError, OSError):
                self._closed = True
                return False
        return True
