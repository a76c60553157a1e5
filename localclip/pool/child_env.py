"""The environment of every child process LocalClip starts (workers, model downloads, demo-model builds):
UTF-8 text and unbuffered output, so lines arrive as they are written and decode the same on every system.

Plain Python (no Qt): the Qt-free driver starts workers with it too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

# Every child speaks UTF-8 and flushes each line: its output is read line by line as it comes.
_CHILD_TEXT = {"PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}


def child_environment(
    extra: Mapping[str, str] | None = None,
    inherited: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
) -> dict[str, str]:
    """``inherited`` (this process's environment by default) without ``drop``, with UTF-8 unbuffered
    output, then ``extra``."""
    source = os.environ if inherited is None else inherited
    dropped = set(drop)
    env = {name: value for name, value in source.items() if name not in dropped}
    env.update(_CHILD_TEXT)
    env.update(extra or {})
    return env
