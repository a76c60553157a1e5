"""Ending a worker and everything it started (ffmpeg, loaders' helpers), the same way on every OS.

On Windows ``QProcess.terminate`` only posts WM_CLOSE, which a console program never sees, and killing the
parent leaves its children running; psutil finds the whole tree first, then kills it.
"""

from __future__ import annotations

import contextlib

import psutil


def kill_tree(pid: int) -> None:
    if pid <= 0:
        return
    try:
        root = psutil.Process(pid)
        processes = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            process.kill()
