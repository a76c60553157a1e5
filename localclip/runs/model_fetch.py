"""One model download as a child process, ``localclip models download ID --events jsonl``, read line by line.

A process, not a thread: Pause is a kill that works at any moment (a thread blocked in a DNS lookup or a
stalled TLS read cannot be interrupted), the ``.part`` files stay for the next run, and the window drives
exactly the code path the command line and its tests use. The access token goes to the child in its
environment (``HF_TOKEN``), not on its command line, which other programs can read.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal

from localclip.pool.child_process import child_process_environment, complete_lines
from localclip.pool.framing import LineSplitter

STDERR_TAIL = 20_000  # characters of the child's stderr kept for "Details"
MAX_LINE_BYTES = 1 << 20  # an event line is small; a longer one is no event


@dataclass(frozen=True)
class FetchEnd:
    paused: bool  # stopped by pause() or stop(): what arrived stays
    ok: bool  # installed and verified
    exit_code: int  # -1: the child could not start
    message: str  # the child's own error message, if it gave one
    details: str  # the tail of its stderr


class ModelFetch(QObject):
    progress = Signal(object)  # the child's "progress" event: file, done, total (bytes)
    ended = Signal(object)  # FetchEnd

    def __init__(self, model_id: str, folder: Path, token: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines = LineSplitter(MAX_LINE_BYTES)
        self._stderr = ""
        self._outcome: dict[str, Any] = {}  # the child's last "finished" or "error" event
        self._pausing = False
        self._process: QProcess | None = self._make_process(model_id, folder, token)

    @property
    def running(self) -> bool:
        return self._process is not None

    def _make_process(self, model_id: str, folder: Path, token: str) -> QProcess:
        process = QProcess(self)
        process.setProcessEnvironment(child_process_environment({"HF_TOKEN": token} if token else None))
        process.setProgram(sys.executable)
        arguments = ["-X", "utf8", "-m", "localclip", "models", "download", model_id]
        process.setArguments([*arguments, "--to", str(folder), "--events", "jsonl"])
        process.readyReadStandardOutput.connect(self._read_stdout)
        process.readyReadStandardError.connect(self._read_stderr)
        process.finished.connect(lambda code, _status: self._done(process, code))
        process.errorOccurred.connect(lambda error: self._on_error(process, error))
        return process

    def start(self) -> None:
        if self._process is not None:
            self._process.start()

    def pause(self) -> None:
        """Stop the download at once; what arrived stays, and a new fetch continues from there."""
        if self._process is not None:
            self._pausing = True
            self._process.kill()

    def stop(self) -> None:
        """Pause and wait for the child to be gone (closing the window)."""
        process = self._process
        if process is not None:
            self.pause()
            process.waitForFinished(5000)

    def _read_stdout(self) -> None:
        if self._process is None:
            return
        for line in complete_lines(self._lines, bytes(self._process.readAllStandardOutput().data())):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                self._on_event(event)

    def _read_stderr(self) -> None:
        if self._process is not None:
            text = bytes(self._process.readAllStandardError().data()).decode("utf-8", errors="replace")
            self._stderr = (self._stderr + text)[-STDERR_TAIL:]

    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "progress":
            self.progress.emit(event)
        elif kind in ("finished", "error"):
            self._outcome = event

    def _on_error(self, process: QProcess, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._done(process, -1)

    def _done(self, process: QProcess, exit_code: int) -> None:
        if process is not self._process:
            return  # already handled (finished and errorOccurred can both arrive)
        self._read_stdout()
        self._read_stderr()
        self._process = None
        process.deleteLater()
        ok = not self._pausing and exit_code == 0 and self._outcome.get("event") == "finished"
        message = str(self._outcome.get("message") or "")
        self.ended.emit(FetchEnd(self._pausing, ok, exit_code, message, self._stderr.strip()))
