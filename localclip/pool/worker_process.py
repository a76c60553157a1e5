"""The Qt transport: a worker's bytes moved by QProcess, timers by QTimer, on the Qt event loop.

The protocol itself (framing, checks, the watchdog, the one end per process) is the link's
(:mod:`localclip.pool.link`); this module only moves bytes, so the window and the command line never wait
on a worker.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QProcess, QTimer

from localclip.pool.child_process import process_environment
from localclip.pool.link import WorkerLink
from localclip.pool.process_tree import kill_tree


class QtTimer:
    """One single-shot QTimer that can be cancelled; it is gone once it fired or was cancelled."""

    def __init__(self, loop: QtLoop, seconds: float, callback: Callable[[], None]) -> None:
        self._loop = loop
        self._callback: Callable[[], None] | None = callback
        self._timer = QTimer(loop.parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)
        self._timer.start(max(0, int(seconds * 1000)))

    def _fire(self) -> None:
        callback = self._callback
        self.cancel()
        if callback is not None:
            callback()

    def cancel(self) -> None:
        if self._callback is None:
            return
        self._callback = None
        self._timer.stop()
        self._timer.timeout.disconnect()
        self._timer.deleteLater()
        self._loop.timers.discard(self)


class QtLoop:
    """Timers on the Qt event loop, owned by ``parent``."""

    def __init__(self, parent: QObject) -> None:
        self.parent = parent
        self.timers: set[QtTimer] = set()  # held here until they fire: Qt holds no Python reference

    def call_later(self, seconds: float, callback: Callable[[], None]) -> QtTimer:
        timer = QtTimer(self, seconds, callback)
        self.timers.add(timer)
        return timer


class QProcessTransport:
    def __init__(self, link: WorkerLink, parent: QObject) -> None:
        self._link = link
        self._process = QProcess(parent)
        self._process.readyReadStandardOutput.connect(self._read_stdout)
        self._process.readyReadStandardError.connect(self._read_stderr)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)

    @property
    def pid(self) -> int:
        return int(self._process.processId())

    @property
    def running(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def start(self, program: str, arguments: list[str], environment: dict[str, str]) -> None:
        self._process.setProgram(program)
        self._process.setArguments(arguments)
        self._process.setProcessEnvironment(process_environment(environment))
        self._process.start()

    def write(self, data: bytes) -> None:
        if self._process.state() == QProcess.ProcessState.Running:
            self._process.write(data)

    def close_stdin(self) -> None:
        self._process.closeWriteChannel()

    def kill(self) -> None:
        kill_tree(self.pid)
        self._process.kill()

    def release(self) -> None:
        # Break the QProcess <-> transport cycles now: left to Python's garbage collector they would be torn
        # down later in the middle of some other event dispatch, after Qt has deleted the process.
        for signal in (
            self._process.readyReadStandardOutput,
            self._process.readyReadStandardError,
            self._process.finished,
            self._process.errorOccurred,
        ):
            signal.disconnect()
        self._process.deleteLater()

    def _read_stdout(self) -> None:
        self._link.on_stdout(bytes(self._process.readAllStandardOutput().data()))

    def _read_stderr(self) -> None:
        self._link.on_stderr(bytes(self._process.readAllStandardError().data()))

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._link.on_failed_to_start(self._process.errorString())

    def _on_finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        self._read_stderr()
        self._read_stdout()
        self._link.on_exit(exit_code, crashed=status == QProcess.ExitStatus.CrashExit)


def qprocess_transports(parent: QObject) -> Callable[[WorkerLink], QProcessTransport]:
    """A transport factory for the pool: each worker's QProcess is a child of ``parent``."""
    return lambda link: QProcessTransport(link, parent)
