"""One worker process: a QProcess that speaks the protocol, watched for silence and bad output.

A :class:`WorkerProcess` lives for one process lifetime. It emits every valid event, every stderr line,
and exactly one :attr:`WorkerProcess.ended` when the process is gone, whatever the cause (clean exit,
crash, kill, failure to start), so the pool handles each death once.
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from localclip.core.framing import LineSplitter, OversizedLine
from localclip.core.paths import WORKER_MODULE, worker_package_dir
from localclip.pool.process_tree import kill_tree
from localclip_worker import protocol

STDERR_LINES_KEPT = 200
_STDERR_LINE_LIMIT = 64 * 1024


@dataclass(frozen=True)
class WorkerLaunch:
    """Everything needed to start one worker."""

    worker_id: str
    python: Path  # the worker interpreter
    gpu_uuid: str | None = None  # None: the worker runs on the CPU
    gpu_name: str | None = None
    heartbeat_seconds: float = 1.0
    # Arguments after the interpreter; by default ``-I -m localclip_worker ...``. Tests replace it to run a
    # deliberately misbehaving worker script.
    arguments: tuple[str, ...] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def device(self) -> str:
        return "cuda" if self.gpu_uuid else "cpu"

    def argv(self) -> list[str]:
        if self.arguments is not None:
            return list(self.arguments)
        return [
            "-I",
            "-m",
            WORKER_MODULE,
            "--worker-id",
            self.worker_id,
            "--heartbeat",
            str(self.heartbeat_seconds),
        ]

    def environment(self) -> QProcessEnvironment:
        env = QProcessEnvironment.systemEnvironment()
        for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONIOENCODING", "CUDA_VISIBLE_DEVICES"):
            env.remove(name)
        env.insert("PYTHONUTF8", "1")
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        env.insert("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
        # By UUID: indices differ between NVML and CUDA's default order; an empty value hides every GPU.
        env.insert("CUDA_VISIBLE_DEVICES", self.gpu_uuid or "")
        for name, value in self.extra_env.items():
            env.insert(name, value)
        return env


@dataclass(frozen=True)
class WorkerEnd:
    """Why a worker process is gone. ``retry`` is False when restarting cannot help (bad setup)."""

    reason: str
    retry: bool
    exit_code: int | None = None


class WorkerConfigError(ValueError):
    """The worker cannot be started as configured (missing interpreter...): a message for a person."""


def check_interpreter(python: Path) -> None:
    if not python.is_file():
        raise WorkerConfigError(
            f"Worker interpreter not found: {python}. Set a worker Python in the settings, or run "
            "'python installer/dev.py setup' to create the bundled worker environment."
        )
    if not os.access(python, os.X_OK):
        raise WorkerConfigError(f"Worker interpreter is not executable: {python}. Check its permissions.")


class WorkerProcess(QObject):
    event = Signal(object)  # a valid protocol event (hello included)
    log_line = Signal(str)  # a line the worker wrote to stderr
    problem = Signal(str)  # something wrong, told to a person, before the process is ended
    ended = Signal(object)  # WorkerEnd, exactly once

    def __init__(
        self,
        launch: WorkerLaunch,
        start_timeout: float,
        silence_timeout: float,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.launch = launch
        self.hello: protocol.Message | None = None
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
        self._start_timeout = start_timeout
        self._silence_timeout = silence_timeout
        self._stdout = LineSplitter(protocol.MAX_LINE_BYTES)
        self._stderr = LineSplitter(_STDERR_LINE_LIMIT)
        self._last_heard = time.monotonic()
        self._end: WorkerEnd | None = None  # the cause, once decided (before the process is gone)
        self._deaf = False  # set when the worker broke the protocol: its later output is not read
        self._ended = False
        self._process = QProcess(self)
        self._process.setProgram(str(launch.python))
        self._process.setArguments(launch.argv())
        self._process.setProcessEnvironment(launch.environment())
        self._process.readyReadStandardOutput.connect(self._read_stdout)
        self._process.readyReadStandardError.connect(self._read_stderr)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)
        self._watchdog = QTimer(self)
        self._watchdog.setInterval(max(100, int(launch.heartbeat_seconds * 500)))
        self._watchdog.timeout.connect(self._check_alive)
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_reason = ""
        self._kill_timer.timeout.connect(lambda: self.kill(self._kill_reason))

    # -- control ------------------------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return int(self._process.processId())

    @property
    def running(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def start(self) -> None:
        self._last_heard = time.monotonic()
        self._process.start()
        self._watchdog.start()

    def send(self, message: protocol.Message) -> None:
        self.send_line(protocol.encode(message))

    def send_line(self, line: bytes) -> None:
        if self._process.state() == QProcess.ProcessState.Running:
            self._process.write(line)

    def stop(self, grace_seconds: float) -> None:
        """Ask the worker to finish (shutdown + stdin closed); kill it if it is still there after grace."""
        self._decide(WorkerEnd("shut down", retry=False))
        self.send(protocol.make("shutdown"))
        self._process.closeWriteChannel()
        self._watchdog.stop()
        self.kill_after(grace_seconds, "did not stop within the grace period")

    def kill_after(self, grace_seconds: float, reason: str) -> None:
        """Kill unless the process is gone within ``grace_seconds`` (used after a cancel)."""
        self._kill_reason = reason
        self._kill_timer.start(int(grace_seconds * 1000))

    def cancel_kill(self) -> None:
        self._kill_timer.stop()

    def kill(self, reason: str, retry: bool = True) -> None:
        """End the process and everything it started. The ``ended`` signal follows from Qt."""
        self._decide(WorkerEnd(reason, retry))
        self._watchdog.stop()
        if self.running:
            kill_tree(self.pid)
            self._process.kill()

    # -- reading ------------------------------------------------------------------------------------------

    def _read_stdout(self) -> None:
        self._last_heard = time.monotonic()
        data = bytes(self._process.readAllStandardOutput().data())
        if self._deaf:
            return
        for line in self._stdout.feed(data):
            if isinstance(line, OversizedLine):
                self._violation(
                    f"line of {line.size}+ bytes exceeds the {protocol.MAX_LINE_BYTES}-byte limit",
                    line.head.decode("utf-8", "replace"),
                )
                return
            if not line.strip():
                continue
            try:
                message = protocol.decode(line, protocol.EVENTS)
            except protocol.ProtocolError as error:
                self._violation(error.reason, error.text)
                return
            if not self._accept(message):
                return
            self.event.emit(message)

    def _accept(self, message: protocol.Message) -> bool:
        if message["type"] != "hello":
            if self.hello is None:
                self._violation("first message is not hello", protocol.truncate(str(message)))
                return False
            return True
        if self.hello is not None:
            self._violation("second hello", protocol.truncate(str(message)))
            return False
        if message["protocol"] != protocol.PROTOCOL_VERSION:
            self.problem.emit(
                f"worker {self.launch.worker_id}: protocol version mismatch: the worker speaks version "
                f"{message['protocol']}, LocalClip speaks {protocol.PROTOCOL_VERSION}. Reinstall the worker "
                f"program in {self.launch.python}."
            )
            self._deaf = True
            self.kill("protocol version mismatch", retry=False)
            return False
        self.hello = message
        return True

    def _violation(self, reason: str, text: str) -> None:
        self._deaf = True
        self.problem.emit(
            f"worker {self.launch.worker_id} broke the protocol: {reason}: {protocol.truncate(text)}"
        )
        self.kill(f"protocol violation ({reason})")

    def _read_stderr(self) -> None:
        for line in self._stderr.feed(bytes(self._process.readAllStandardError().data())):
            text = (
                f"[line of {line.size}+ bytes cut] {line.head.decode('utf-8', 'replace')}"
                if isinstance(line, OversizedLine)
                else line.decode("utf-8", "replace")
            )
            self.stderr_tail.append(text)
            self.log_line.emit(text)

    def _check_alive(self) -> None:
        silent_for = time.monotonic() - self._last_heard
        if self.hello is None and silent_for > self._start_timeout:
            self.problem.emit(
                f"worker {self.launch.worker_id} did not say hello within {self._start_timeout:.0f} s"
            )
            self.kill("no hello")
        elif self.hello is not None and silent_for > self._silence_timeout:
            self.problem.emit(
                f"worker {self.launch.worker_id} sent no heartbeat for {silent_for:.1f} s: it is hung"
            )
            self.kill("missed heartbeats")

    # -- the end --------------------------------------------------------------------------------------------

    def _decide(self, end: WorkerEnd) -> None:
        if self._end is None:
            self._end = end

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._decide(
                WorkerEnd(
                    f"the worker interpreter {self.launch.python} could not be started "
                    f"({self._process.errorString()}): check the worker interpreter setting",
                    retry=False,
                )
            )
            self._finish(None)

    def _on_finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        self._read_stderr()
        self._read_stdout()
        if self._stderr.rest():
            self.stderr_tail.append(self._stderr.rest().decode("utf-8", "replace"))
        if self._end is None:
            self._end = self._unexpected_end(exit_code, status)
        self._finish(exit_code)

    def _unexpected_end(self, exit_code: int, status: QProcess.ExitStatus) -> WorkerEnd:
        tail = "\n".join(self.stderr_tail)
        if self.hello is None and f"No module named {WORKER_MODULE}" in tail:
            python = self.launch.python
            return WorkerEnd(
                f'the worker program is not installed in {python}: run "{python}" -m pip install '
                f'"{worker_package_dir()}" (or choose the bundled worker environment)',
                retry=False,
                exit_code=exit_code,
            )
        how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exited with code {exit_code}"
        last = self.stderr_tail[-1] if self.stderr_tail else "no output on stderr"
        return WorkerEnd(f"worker {how} ({protocol.truncate(last, 160)})", retry=True, exit_code=exit_code)

    def _finish(self, exit_code: int | None) -> None:
        if self._ended:
            return
        self._ended = True
        self._watchdog.stop()
        self._kill_timer.stop()
        assert self._end is not None
        self.ended.emit(WorkerEnd(self._end.reason, self._end.retry, exit_code))
