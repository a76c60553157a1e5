"""``diag``: a diagnostic job for support and tests. Each item may sleep (with progress), print to Python's
stdout, write through C's stdio, fail, or end the process; it returns what it did and the worker's pid.

It exercises the worker's guarantees (a clean protocol stream, cancel between items, crash recovery in
the pool) with no model installed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
import time
from typing import Any

from localclip_worker.job import BadInput, ItemContext


def _c_level_write(text: str) -> None:
    """Write to fd 1 through the C runtime, as a native library would."""
    libc_name = "msvcrt" if sys.platform == "win32" else ctypes.util.find_library("c")
    if libc_name is None:  # no C runtime to be found: the raw system call is the same test
        os.write(1, text.encode())
        return
    libc = ctypes.CDLL(libc_name)
    libc.printf(b"%s", text.encode())
    libc.fflush(None)


class DiagJob:
    def setup(self, params: dict[str, Any]) -> dict[str, Any]:
        return {}

    def run(self, item: dict[str, Any], params: dict[str, Any], context: ItemContext) -> dict[str, Any]:
        child_pid = None
        if item.get("spawn_child"):  # a long-lived child, as a model package's helper process would be
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
            child_pid = child.pid
            context.progress(0, 1, f"child {child_pid}")
        if "print" in item:
            print(item["print"])
        if "c_write" in item:
            _c_level_write(str(item["c_write"]))
        if "exit" in item:
            os._exit(int(item["exit"]))  # an abrupt death, as a native crash would be
        if "fail" in item:
            raise BadInput(str(item["fail"]) * int(item.get("repeat", 1)))
        seconds = float(item.get("sleep", 0.0))
        steps = max(1, int(seconds / 0.05))
        for step in range(steps):
            time.sleep(seconds / steps)
            context.progress(step + 1, steps)
        result = {"pid": os.getpid(), "slept": seconds, "echo": item.get("echo"), "child_pid": child_pid}
        if "result_bytes" in item:  # a result too large for one protocol line
            result["padding"] = "x" * int(item["result_bytes"])
        return result


def create() -> DiagJob:
    return DiagJob()
