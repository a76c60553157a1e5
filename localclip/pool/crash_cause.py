"""Why a worker process died, in words: its exit code or signal, and the error it printed last.

The last stderr line of a dying worker is rarely its cause (a library's warning and the source line the
warning quotes, a progress bar), so the cause is read from what the process says when it dies: the exit
status itself, the last Python traceback (the lines from ``Traceback (most recent call last):`` through
the exception line), or a fatal line of the C runtime or the interpreter. One home for both transports:
:class:`~localclip.pool.link.WorkerLink` calls it when a process ends by itself.
"""

from __future__ import annotations

import re
import signal
import sys

from localclip_worker import protocol

TRACEBACK_START = "Traceback (most recent call last):"
FAULT_START = "Fatal Python error:"  # faulthandler's report of a native crash
# A traceback followed by more lines than this is an old, handled one (the worker logs an item's failure
# with its traceback and goes on), not what ended the process.
_LINES_AFTER_CAUSE = 8
_FRAMES_SHOWN = 2
CAUSE_CHARS = 700

# Windows ends a crashed process with an NTSTATUS; the common ones, in words.
_NTSTATUS = {
    0xC0000005: "access violation",
    0xC000001D: "illegal instruction",
    0xC0000017: "out of memory",
    0xC00000FD: "stack overflow",
    0xC0000094: "integer division by zero",
    0xC0000409: "fail-fast exception (stack buffer overrun or abort)",
    0xC000013A: "interrupted (Ctrl+C or the console closed)",
    0xC0000142: "a DLL failed to initialise",
    0xC0000135: "a DLL was not found",
    0xE06D7363: "unhandled C++ exception",
}
_SIGNAL_HINTS = {
    "SIGKILL": "ended from outside (on Linux usually the out-of-memory killer: see dmesg)",
    "SIGSEGV": "a native crash",
    "SIGBUS": "a native crash",
    "SIGILL": "a native crash (an instruction this CPU lacks?)",
    "SIGABRT": "aborted by a native library",
    "SIGFPE": "a native arithmetic error",
}
# A line that states a fatal error by itself, when no traceback was printed.
_FATAL_LINE = re.compile(
    r"Fatal Python error|terminate called|Segmentation fault|Aborted|Killed|Assertion .* failed|"
    r"out of memory|^\w*(Error|Exception)\b.*:",
    re.IGNORECASE,
)


def describe_exit(exit_code: int, crashed: bool, windows: bool = sys.platform == "win32") -> str:
    """How the process ended: ``crashed`` means a signal on POSIX (``exit_code`` its number, or minus it
    as ``subprocess`` gives it) and an exception status on Windows."""
    if windows:
        status = exit_code & 0xFFFFFFFF
        if crashed or status >= 0x80000000:
            name = _NTSTATUS.get(status)
            return f"crashed with status 0x{status:08X}{f' ({name})' if name else ''}"
        return f"exited with code {status}"
    if crashed or exit_code < 0:
        number = abs(exit_code)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "an unknown signal"
        hint = _SIGNAL_HINTS.get(name)
        return f"was killed by signal {name} ({number}){f', {hint}' if hint else ''}"
    return f"exited with code {exit_code}"


def crash_cause(stderr: list[str]) -> str:
    """The error a dying worker printed last, on one line (the panes show one line): the exception line
    and the last frames of its last traceback, else a fatal line; "" when it printed neither."""
    lines = [line.rstrip() for line in stderr]
    while lines and not lines[-1].strip():
        lines.pop()
    start = _last_start(lines)
    if start is not None:
        block = _traceback_block(lines, start)
        if block is not None and len(lines) - (start + len(block)) <= _LINES_AFTER_CAUSE:
            return protocol.truncate(_one_line(block), CAUSE_CHARS)
    for line in reversed(lines[-_LINES_AFTER_CAUSE:]):
        if _FATAL_LINE.search(line) and "warning" not in line.lower():
            return protocol.truncate(line.strip(), CAUSE_CHARS)
    return ""


def _last_start(lines: list[str]) -> int | None:
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].lstrip().startswith((TRACEBACK_START, FAULT_START)):
            return index
    return None


def _traceback_block(lines: list[str], start: int) -> list[str] | None:
    """From the header through the exception line (the first line after the frames that is not indented);
    a fault report (frames listed most recent first, no exception line) runs to its last frame."""
    if lines[start].lstrip().startswith(FAULT_START):
        end = start + 1
        while end < len(lines) and _in_fault_report(lines[end]):
            end += 1
        return lines[start:end]
    for index in range(start + 1, len(lines)):
        if lines[index] and not lines[index][:1].isspace():
            return lines[start : index + 1]
    return None


def _in_fault_report(line: str) -> bool:
    """Blank, a frame (indented) or a thread's heading ("Current thread 0x... (most recent call first):")."""
    return not line.strip() or line[:1].isspace() or "(most recent call first)" in line


def _one_line(block: list[str]) -> str:
    header, body = block[0].strip(), block[1:]
    if header.startswith(FAULT_START):
        frames = [line.strip() for line in body if line.strip().startswith("File ")][:_FRAMES_SHOWN]
        return header + (f" (at {'; '.join(frames)})" if frames else "")
    exception, frames = body[-1].strip(), _frames(body[:-1])
    return exception + (f" (at {'; '.join(frames[-_FRAMES_SHOWN:])})" if frames else "")


def _frames(lines: list[str]) -> list[str]:
    """Each ``File "...", line N, in f`` with its source line; carets and other text left out."""
    frames: list[list[str]] = []
    for line in lines:
        text = line.strip()
        if text.startswith("File "):
            frames.append([text])
        elif frames and len(frames[-1]) == 1 and text and not set(text) <= set("^~ "):
            frames[-1].append(text)
    return [": ".join(frame) for frame in frames]
