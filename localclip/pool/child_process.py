"""A child process's environment for QProcess, and its output read as whole lines."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QProcessEnvironment

from localclip.pool.child_env import child_environment
from localclip.pool.framing import LineSplitter, OversizedLine


def process_environment(environment: Mapping[str, str]) -> QProcessEnvironment:
    env = QProcessEnvironment()
    for name, value in environment.items():
        env.insert(name, value)
    return env


def child_process_environment(extra: Mapping[str, str] | None = None) -> QProcessEnvironment:
    """This process's environment with a child's UTF-8 unbuffered output (``child_environment``)."""
    return process_environment(child_environment(extra))


def complete_lines(splitter: LineSplitter, data: bytes) -> list[str]:
    """The whole lines ``data`` completes, decoded; an oversized line is dropped (it is no event)."""
    return [
        line.decode("utf-8", errors="replace")
        for line in splitter.feed(data)
        if not isinstance(line, OversizedLine)
    ]
