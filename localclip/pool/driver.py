"""The worker pool without Qt: plain ``subprocess`` and threads, for cluster nodes and the GPU check.

The pool's logic is the same :class:`~localclip.pool.engine.PoolEngine` as the window's, with the same
protocol checks per process (:mod:`localclip.pool.link`); only the bytes move differently. One loop thread
runs the engine and every callback, so the engine sees the same one-thread world as under Qt. Each worker
process has a reader thread for stdout, one for stderr and one writer for stdin (a worker that stops
reading never blocks the loop), and a waiter that reports its end after its last bytes.

    with WorkerDriver(launches, PoolOptions(items_per_job=64)) as driver:
        run = driver.run("embed", items, params, timeout=600)
        run.results, run.failures, run.summary
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from localclip.pool.engine import ListenerGroup, PoolEngine, PoolListener, PoolOptions
from localclip.pool.launch import WorkerLaunch
from localclip.pool.link import WorkerLink
from localclip.pool.process_tree import kill_tree

log = logging.getLogger(__name__)

READ_CHUNK = 64 * 1024
# After a worker exits, how long its pipes may stay open (a grandchild holding them) before its end is
# reported anyway.
PIPE_DRAIN_SECONDS = 2.0
STOP_POLL_S = 0.5  # how often a run's ``stop_when`` is asked


class LoopTimer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ThreadLoop:
    """A one-thread event loop: callbacks posted from any thread, and timers, run in order on its thread.

    A callback that raises is logged and the loop goes on; the first such error is kept in ``error``.
    """

    def __init__(self, name: str = "localclip-pool") -> None:
        self._ready: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._timers: list[tuple[float, int, LoopTimer, Callable[[], None]]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._ready.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the loop thread (thread-safe)."""
        self._ready.put(callback)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> LoopTimer:
        timer = LoopTimer()
        with self._lock:
            heapq.heappush(self._timers, (time.monotonic() + seconds, next(self._order), timer, callback))
        self._ready.put(_wake)  # the loop recomputes its wait
        return timer

    def call(self, function: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Run ``function`` on the loop thread and return its result (or raise its exception) here."""
        if threading.current_thread() is self._thread:
            return function()
        done: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

        def run() -> None:
            try:
                done.put((True, function()))
            except BaseException as error:
                done.put((False, error))

        self.call_soon(run)
        ok, value = done.get(timeout=timeout)
        if not ok:
            raise value
        return value

    def _run(self) -> None:
        while True:
            try:
                callback = self._ready.get(timeout=self._next_wait())
            except queue.Empty:
                callback = _wake
            if callback is None:
                return
            self._guarded(callback)
            for due in self._due_timers():
                self._guarded(due)

    def _next_wait(self) -> float | None:
        with self._lock:
            if not self._timers:
                return None
            return max(0.0, self._timers[0][0] - time.monotonic())

    def _due_timers(self) -> list[Callable[[], None]]:
        due: list[Callable[[], None]] = []
        now = time.monotonic()
        with self._lock:
            while self._timers and self._timers[0][0] <= now:
                _, _, timer, callback = heapq.heappop(self._timers)
                if not timer.cancelled:
                    due.append(callback)
        return due

    def _guarded(self, callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception as error:
            log.exception("a pool callback failed")
            if self.error is None:
                self.error = error


def _wake() -> None:
    """Posted to end the loop's wait so it looks at its timers again."""


class SubprocessTransport:
    """One worker process through ``subprocess``: its bytes are handed to the link on the loop thread."""

    def __init__(self, link: WorkerLink, loop: ThreadLoop) -> None:
        self._link = link
        self._loop = loop
        self._process: subprocess.Popen[bytes] | None = None
        self._writes: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._exited = False

    @property
    def pid(self) -> int:
        return self._process.pid if self._process is not None else 0

    @property
    def running(self) -> bool:
        return self._process is not None and not self._exited

    def start(self, program: str, arguments: list[str], environment: dict[str, str]) -> None:
        # No console window for a worker on Windows; no shell anywhere.
        flags = subprocess.CREATE_NO_WINDOW if sys.platform == "win32" else 0
        try:
            self._process = subprocess.Popen(
                [program, *arguments],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environment,
                bufsize=0,
                creationflags=flags,
            )
        except OSError as error:
            message = error.strerror or str(error)
            self._loop.call_soon(lambda: self._link.on_failed_to_start(message))
            return
        process = self._process
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        readers = [
            self._thread(self._read, process.stdout, self._link.on_stdout),
            self._thread(self._read, process.stderr, self._link.on_stderr),
        ]
        self._thread(self._write_all, process.stdin)
        self._thread(self._wait, process, readers)

    def write(self, data: bytes) -> None:
        if self.running:
            self._writes.put(data)

    def close_stdin(self) -> None:
        self._writes.put(None)

    def kill(self) -> None:
        if self._process is None or self._exited:
            return
        kill_tree(self._process.pid)
        with contextlib.suppress(OSError):
            self._process.kill()

    def release(self) -> None:
        self._writes.put(None)  # the writer thread ends and closes stdin

    # -- threads --------------------------------------------------------------------------------------------

    def _thread(self, target: Callable[..., None], *args: Any) -> threading.Thread:
        name = f"worker-{self._link.launch.worker_id}-{target.__name__.strip('_')}"
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        return thread

    def _read(self, stream: IO[bytes], deliver: Callable[[bytes], None]) -> None:
        with contextlib.suppress(OSError, ValueError):
            while data := stream.read(READ_CHUNK):
                self._loop.call_soon(lambda data=data: deliver(data))
        with contextlib.suppress(OSError):
            stream.close()

    def _write_all(self, stream: IO[bytes]) -> None:
        while (data := self._writes.get()) is not None:
            try:
                stream.write(data)
                stream.flush()
            except (OSError, ValueError):  # the worker is gone: what it did not read does not matter
                break
        with contextlib.suppress(OSError, ValueError):
            stream.close()

    def _wait(self, process: subprocess.Popen[bytes], readers: list[threading.Thread]) -> None:
        code = process.wait()
        deadline = time.monotonic() + PIPE_DRAIN_SECONDS
        for reader in readers:
            reader.join(max(0.0, deadline - time.monotonic()))
        self._loop.call_soon(lambda: self._exit(code))

    def _exit(self, code: int) -> None:
        self._exited = True
        # A negative code is the signal that ended the process (POSIX): a crash, as QProcess calls it.
        self._link.on_exit(code, crashed=code < 0)


@dataclass
class DriverRun:
    """What one :meth:`WorkerDriver.run` gave: the pool's summary, each item's result or failure."""

    summary: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)  # item id -> (code, reason)


class _Recorder(PoolListener):
    """Keeps each item's result or failure and the run's end, for :meth:`WorkerDriver.run` and ``wait``."""

    def __init__(self) -> None:
        self.results: dict[str, Any] = {}
        self.failures: dict[str, tuple[str, str]] = {}
        self.summaries: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self.all_stopped = threading.Event()

    def item_done(self, item_id: str, worker_id: str, result: Any) -> None:
        self.results[item_id] = result

    def item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None:
        self.failures[item_id] = (code, reason)

    def finished(self, summary: dict[str, Any]) -> None:
        self.summaries.put(summary)

    def stopped(self) -> None:
        self.all_stopped.set()


class WorkerDriver:
    """N worker processes, Qt-free; thread-safe methods for the caller, callbacks on the loop thread."""

    def __init__(
        self,
        launches: list[WorkerLaunch],
        options: PoolOptions | None = None,
        listener: PoolListener | None = None,
    ) -> None:
        self._loop = ThreadLoop()
        self._recorder = _Recorder()
        # The caller's listener first: what it does with a notice is done before wait() returns.
        listeners = ListenerGroup([listener, self._recorder] if listener else [self._recorder])
        self._engine = PoolEngine(
            launches,
            options or PoolOptions(),
            self._loop,
            lambda link: SubprocessTransport(link, self._loop),
            listeners,
        )
        self._started = False
        self._closed = False

    @property
    def engine(self) -> PoolEngine:
        """The pool's state; read it only from listener callbacks or through :meth:`call`."""
        return self._engine

    def call(self, function: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Run ``function`` on the loop thread (where the engine may be read safely); its result."""
        return self._loop.call(function, timeout)

    def start(self) -> None:
        """Start every worker. Raises WorkerConfigError at once for an interpreter that cannot work."""
        if not self._started:
            self._started = True
            self._loop.start()
        self.call(self._engine.start)

    def submit(self, kind: str, items: list[dict[str, Any]], params: dict[str, Any] | None = None) -> None:
        self.call(lambda: self._engine.submit(kind, items, params))

    def wait(self, timeout: float | None = None) -> dict[str, Any]:
        """Block until the submitted items are all finished; the run's summary. TimeoutError on timeout."""
        try:
            return self._recorder.summaries.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"the run did not finish within {timeout} s") from None

    def run(
        self,
        kind: str,
        items: list[dict[str, Any]],
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
        stop_when: Callable[[], bool] | None = None,
    ) -> DriverRun:
        """Submit ``items`` and wait for them: their results and failures. On timeout the run is cancelled
        and TimeoutError raised. ``stop_when`` is asked every STOP_POLL_S: once it says so, the run is
        cancelled (its unfinished items fail as cancelled) and what was done is returned."""
        ids = {str(item["id"]) for item in items}
        self.submit(kind, items, params)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            wait = left if stop_when is None else min(STOP_POLL_S, left if left is not None else STOP_POLL_S)
            try:
                summary = self.wait(wait)
                break
            except TimeoutError:
                if deadline is not None and time.monotonic() >= deadline:
                    self.cancel()
                    raise TimeoutError(f"the run did not finish within {timeout} s") from None
                if stop_when is not None and stop_when():
                    self.cancel()
                    summary = self.wait(self._engine.options.cancel_grace + PIPE_DRAIN_SECONDS + 5.0)
                    break
        recorder = self._recorder
        return DriverRun(
            summary,
            results={item_id: recorder.results.pop(item_id) for item_id in ids & recorder.results.keys()},
            failures={item_id: recorder.failures.pop(item_id) for item_id in ids & recorder.failures.keys()},
        )

    def pids(self) -> dict[str, int]:
        """The process id of every running worker."""

        def read() -> dict[str, int]:
            return {
                worker_id: slot.process.pid
                for worker_id, slot in self._engine.slots.items()
                if slot.process is not None and slot.process.running
            }

        return self.call(read)

    def cancel(self) -> None:
        self.call(self._engine.cancel)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop every worker (killing any still there after the grace period) and the loop thread."""
        if self._closed:
            return
        self._closed = True
        if self._started:
            self.call(self._engine.shutdown)
            if not self._recorder.all_stopped.wait(timeout):
                self.call(self._kill_all)
                self._recorder.all_stopped.wait(PIPE_DRAIN_SECONDS + 1.0)
            self._loop.stop()

    def _kill_all(self) -> None:
        for slot in self._engine.slots.values():
            if slot.process is not None:
                slot.process.kill("the driver shut down")

    def __enter__(self) -> WorkerDriver:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
