"""One worker process's protocol state, whatever moves its bytes.

A :class:`WorkerLink` lives for one process lifetime. A transport (QProcess in the window and the command
line, ``subprocess`` with threads in the Qt-free driver) starts the process and hands the link the bytes
it reads; the link frames them into lines, checks every line as untrusted input (size, JSON, the protocol,
hello first and once, the protocol version), watches for silence, and tells its listener every valid
event, every stderr line, and exactly once that the process ended and why, whatever the cause (clean exit,
crash, kill, failure to start), so the pool handles each death once.

Every method runs on the owner's one event thread (the Qt event loop, or the driver's loop thread); the
transport delivers its bytes there, in order, and the end of the process only after the last bytes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from localclip.core.paths import WORKER_MODULE, worker_package_dir
from localclip.pool.crash_cause import crash_cause, describe_exit
from localclip.pool.framing import LineSplitter, OversizedLine
from localclip.pool.launch import WorkerLaunch
from localclip_worker import protocol

STDERR_LINES_KEPT = 200
_STDERR_LINE_LIMIT = 64 * 1024


@dataclass(frozen=True)
class WorkerEnd:
    """Why a worker process is gone. ``retry`` is False when restarting cannot help (bad setup)."""

    reason: str
    retry: bool
    exit_code: int | None = None


class Timer(Protocol):
    def cancel(self) -> None: ...


class Loop(Protocol):
    """The owner's event loop: runs a callback later, on the same thread as everything else."""

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer: ...


class Transport(Protocol):
    """Moves one process's bytes. It calls the link back with :meth:`WorkerLink.on_stdout`,
    :meth:`~WorkerLink.on_stderr`, then once :meth:`~WorkerLink.on_exit` or
    :meth:`~WorkerLink.on_failed_to_start`."""

    @property
    def pid(self) -> int: ...

    @property
    def running(self) -> bool: ...

    def start(self, program: str, arguments: list[str], environment: dict[str, str]) -> None: ...

    def write(self, data: bytes) -> None: ...

    def close_stdin(self) -> None: ...

    def kill(self) -> None:
        """End the process and everything it started (ffmpeg, loaders' helpers)."""
        ...

    def release(self) -> None:
        """Let go of the process's resources once it has ended."""
        ...


class LinkListener(Protocol):
    def link_event(self, link: WorkerLink, message: protocol.Message) -> None: ...

    def link_log(self, link: WorkerLink, line: str) -> None: ...

    def link_problem(self, link: WorkerLink, text: str) -> None: ...

    def link_ended(self, link: WorkerLink, end: WorkerEnd) -> None: ...


TransportFactory = Callable[["WorkerLink"], Transport]


class WorkerLink:
    def __init__(
        self,
        launch: WorkerLaunch,
        start_timeout: float,
        silence_timeout: float,
        loop: Loop,
        transport: TransportFactory,
        listener: LinkListener,
    ) -> None:
        self.launch = launch
        self.hello: protocol.Message | None = None
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_LINES_KEPT)
        self._start_timeout = start_timeout
        self._silence_timeout = silence_timeout
        self._loop = loop
        self._listener = listener
        self._transport = transport(self)
        self._stdout = LineSplitter(protocol.MAX_LINE_BYTES)
        self._stderr = LineSplitter(_STDERR_LINE_LIMIT)
        self._last_heard = time.monotonic()
        self._end: WorkerEnd | None = None  # the cause, once decided (before the process is gone)
        self._deaf = False  # set when the worker broke the protocol: its later output is not read
        self._ended = False
        self._watch_interval = max(0.1, launch.heartbeat_seconds * 0.5)
        self._watchdog: Timer | None = None
        self._kill_timer: Timer | None = None

    # -- control ------------------------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return self._transport.pid

    @property
    def running(self) -> bool:
        return self._transport.running

    def start(self) -> None:
        self._last_heard = time.monotonic()
        self._transport.start(str(self.launch.python), self.launch.argv(), self.launch.environment())
        self._arm_watchdog()

    def send(self, message: protocol.Message) -> None:
        self.send_line(protocol.encode(message))

    def send_line(self, line: bytes) -> None:
        if self.running and not self._ended:
            self._transport.write(line)

    def stop(self, grace_seconds: float) -> None:
        """Ask the worker to finish (shutdown + stdin closed); kill it if it is still there after grace."""
        self._decide(WorkerEnd("shut down", retry=False))
        self.send(protocol.make("shutdown"))
        if self.running:
            self._transport.close_stdin()
        self._stop_watchdog()
        self.kill_after(grace_seconds, "did not stop within the grace period")

    def kill_after(self, grace_seconds: float, reason: str) -> None:
        """Kill unless the process is gone within ``grace_seconds`` (used after a cancel)."""
        self.cancel_kill()
        if not self._ended:
            self._kill_timer = self._loop.call_later(grace_seconds, lambda: self.kill(reason))

    def cancel_kill(self) -> None:
        if self._kill_timer is not None:
            self._kill_timer.cancel()
            self._kill_timer = None

    def kill(self, reason: str, retry: bool = True) -> None:
        """End the process and everything it started; :meth:`LinkListener.link_ended` follows."""
        self._decide(WorkerEnd(reason, retry))
        self._stop_watchdog()
        if self.running:
            self._transport.kill()

    # -- from the transport -------------------------------------------------------------------------------

    def on_stdout(self, data: bytes) -> None:
        self._last_heard = time.monotonic()
        if self._deaf or self._ended:
            return
        # Per line, the least Python that checks it: a GPU's worker sends tens of thousands a second.
        decode, events, tell = protocol.decode, protocol.EVENTS, self._listener.link_event
        for line in self._stdout.feed(data):
            if isinstance(line, OversizedLine):
                self._violation(
                    f"line of {line.size}+ bytes exceeds the {protocol.MAX_LINE_BYTES}-byte limit",
                    line.head.decode("utf-8", "replace"),
                )
                return
            if not line or line.isspace():  # a blank line (isspace: no copy, unlike strip)
                continue
            try:
                message = decode(line, events)
            except protocol.ProtocolError as error:
                self._violation(error.reason, error.text)
                return
            if (self.hello is None or message["type"] == "hello") and not self._accept(message):
                return
            tell(self, message)

    def on_stderr(self, data: bytes) -> None:
        if self._ended:
            return
        for line in self._stderr.feed(data):
            text = (
                f"[line of {line.size}+ bytes cut] {line.head.decode('utf-8', 'replace')}"
                if isinstance(line, OversizedLine)
                else line.decode("utf-8", "replace")
            )
            self.stderr_tail.append(text)
            self._listener.link_log(self, text)

    def on_exit(self, exit_code: int, crashed: bool) -> None:
        """The process is gone; every byte it wrote has been delivered before this."""
        if self._ended:
            return
        if self._stderr.rest():
            self.stderr_tail.append(self._stderr.rest().decode("utf-8", "replace"))
        if self._end is None:
            self._end = self._unexpected_end(exit_code, crashed)
        self._finish(exit_code)

    def on_failed_to_start(self, error: str) -> None:
        self._decide(
            WorkerEnd(
                f"the worker interpreter {self.launch.python} could not be started ({error}): "
                "check the worker interpreter setting",
                retry=False,
            )
        )
        self._finish(None)

    # -- checks -------------------------------------------------------------------------------------------

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
            self._listener.link_problem(
                self,
                f"worker {self.launch.worker_id}: protocol version mismatch: the worker speaks version "
                f"{message['protocol']}, LocalClip speaks {protocol.PROTOCOL_VERSION}. Reinstall the worker "
                f"program in {self.launch.python}.",
            )
            self._deaf = True
            self.kill("protocol version mismatch", retry=False)
            return False
        self.hello = message
        return True

    def _violation(self, reason: str, text: str) -> None:
        self._deaf = True
        self._listener.link_problem(
            self, f"worker {self.launch.worker_id} broke the protocol: {reason}: {protocol.truncate(text)}"
        )
        self.kill(f"protocol violation ({reason})")

    def _arm_watchdog(self) -> None:
        self._watchdog = self._loop.call_later(self._watch_interval, self._check_alive)

    def _stop_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _check_alive(self) -> None:
        self._watchdog = None
        if self._ended or self._end is not None:
            return
        silent_for = time.monotonic() - self._last_heard
        if self.hello is None and silent_for > self._start_timeout:
            self._listener.link_problem(
                self, f"worker {self.launch.worker_id} did not say hello within {self._start_timeout:.0f} s"
            )
            self.kill("no hello")
        elif self.hello is not None and silent_for > self._silence_timeout:
            self._listener.link_problem(
                self, f"worker {self.launch.worker_id} sent no heartbeat for {silent_for:.1f} s: it is hung"
            )
            # The pool's own kill: its reason says so, never "crashed" (heartbeats come from their own
            # thread, so a long step alone does not stop them; a frozen or starved process does).
            self.kill(f"killed by LocalClip after {silent_for:.0f} s without a heartbeat (hung)")
        else:
            self._arm_watchdog()

    # -- the end --------------------------------------------------------------------------------------------

    def _decide(self, end: WorkerEnd) -> None:
        if self._end is None:
            self._end = end

    def _unexpected_end(self, exit_code: int, crashed: bool) -> WorkerEnd:
        tail = "\n".join(self.stderr_tail)
        if self.hello is None and f"No module named {WORKER_MODULE}" in tail:
            python = self.launch.python
            return WorkerEnd(
                f'the worker program is not installed in {python}: run "{python}" -m pip install '
                f'"{worker_package_dir()}" (or choose the bundled worker environment)',
                retry=False,
                exit_code=exit_code,
            )
        cause = crash_cause(list(self.stderr_tail))
        how = describe_exit(exit_code, crashed)
        return WorkerEnd(f"worker {how}{f': {cause}' if cause else ''}", retry=True, exit_code=exit_code)

    def _finish(self, exit_code: int | None) -> None:
        if self._ended:
            return
        self._ended = True
        self._stop_watchdog()
        self.cancel_kill()
        self._transport.release()
        assert self._end is not None
        self._listener.link_ended(self, WorkerEnd(self._end.reason, self._end.retry, exit_code))
