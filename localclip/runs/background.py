"""Plain functions on a worker thread, their results on the GUI thread.

Scanning a folder of 100,000 clips, reading NVML, checking a model folder and aggregating speakers are
file or driver work that would stall the window; a :class:`BackgroundTask` runs one such function on a
Python thread and delivers what it reports as queued signals, so slots run on the GUI thread. The
function gets a :class:`TaskContext` to report partial results and to see whether it was cancelled.

Nothing is delivered once the task is cancelled (checked on the GUI thread, so a result already on its
way is dropped too), nor once its ``owner`` widget is gone. A task keeps itself alive until its thread has
finished, so callers need not hold it; the thread is a daemon, so a scan of a slow network share never
keeps the application from quitting.
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

_running: set[BackgroundTask] = set()


class TaskContext:
    def __init__(self, task: BackgroundTask) -> None:
        self._task = task

    def report(self, value: Any) -> None:
        """Send a partial result to the GUI thread (``BackgroundTask.progressed``)."""
        if not self.cancelled():
            self._task._reported.emit(value)

    def cancelled(self) -> bool:
        return self._task._cancel.is_set()


class BackgroundTask(QObject):
    progressed = Signal(object)  # what the function reported
    succeeded = Signal(object)  # its return value
    failed = Signal(object)  # the exception it raised
    # Emitted on the worker thread, received on the GUI thread (queued), forwarded unless cancelled.
    _reported = Signal(object)
    _returned = Signal(object)
    _raised = Signal(object)
    _ended = Signal()

    def __init__(
        self, work: Callable[[TaskContext], Any], name: str = "localclip-task", owner: QObject | None = None
    ) -> None:
        super().__init__()
        self._work = work
        self._name = name
        self._owner = owner
        self._cancel = threading.Event()
        self._reported.connect(self._forward_progress)
        self._returned.connect(self._forward_success)
        self._raised.connect(self._forward_failure)
        self._ended.connect(self._release)

    def start(self) -> BackgroundTask:
        _running.add(self)
        threading.Thread(target=self._run, name=self._name, daemon=True).start()
        return self

    def cancel(self) -> None:
        """Ask the function to stop; from now on nothing more is delivered."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _run(self) -> None:
        try:
            result = self._work(TaskContext(self))
        except Exception as error:  # delivered to the GUI thread, which shows it readably
            self._raised.emit(error)
        else:
            self._returned.emit(result)
        self._ended.emit()

    def _deliverable(self) -> bool:
        return not self._cancel.is_set() and (self._owner is None or shiboken6.isValid(self._owner))

    def _forward_progress(self, value: Any) -> None:
        if self._deliverable():
            self.progressed.emit(value)

    def _forward_success(self, result: Any) -> None:
        if self._deliverable():
            self.succeeded.emit(result)

    def _forward_failure(self, error: BaseException) -> None:
        if self._deliverable():
            self.failed.emit(error)

    def _release(self) -> None:
        # Later, not now: this runs inside one of the task's own signal deliveries.
        QTimer.singleShot(0, lambda: _running.discard(self))


def run_in_background(
    work: Callable[[], Any],
    done: Callable[[Any], None],
    failed: Callable[[BaseException], None],
    name: str = "localclip-task",
    owner: QObject | None = None,
) -> BackgroundTask:
    """``work()`` on a thread; ``done(result)`` or ``failed(error)`` on the GUI thread (not after
    ``owner`` is deleted)."""
    task = BackgroundTask(lambda _context: work(), name, owner)
    task.succeeded.connect(done)
    task.failed.connect(failed)
    return task.start()


def running_tasks() -> int:
    """How many tasks have not finished yet (tests wait for zero)."""
    return len(_running)


def error_details(error: BaseException) -> str:
    """The technical details of an exception (its type, message and traceback), for the details pane."""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()


class MainThreadCollector(QObject):
    """Python's cyclic garbage collector, run on the GUI thread only.

    Left automatic, a collection runs in whichever thread happens to allocate past the threshold: a
    background task's thread, collecting a QObject left in a reference cycle (a widget with a lambda
    connected to its own signal), runs ``~QObject`` there. That takes Qt's connection locks on the wrong
    thread while PySide waits for the GIL, and the GUI thread, connecting a signal, waits for the same
    lock: both stop for good (seen in the test suite: a model-folder check against ``MainWindow``'s
    construction). So automatic collection is switched off and a timer collects on the GUI thread, each
    generation as often as its threshold says it would have been.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        """Collect the oldest generation whose count has passed its threshold (none: nothing to do)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        """Back to automatic collection (tests; a process that no longer runs Qt)."""
        self._timer.stop()
        gc.enable()


def collect_garbage_on_main_thread(app: QObject) -> MainThreadCollector:
    """Install the collector on ``app`` (the QApplication or QCoreApplication), once."""
    existing = app.findChild(MainThreadCollector)
    return existing if isinstance(existing, MainThreadCollector) else MainThreadCollector(app)
