"""The worker pool for the window and the command line: the pool's logic (:mod:`localclip.pool.engine`)
with QProcess workers, Qt timers, and Qt signals for what happens.

Everything happens in slots called from the Qt event loop; nothing here waits. Works under a QApplication
(the window) and under a bare QCoreApplication (the command line).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from localclip.pool.engine import Picker, PoolEngine, PoolListener, PoolOptions, WorkerSlot, WorkItem
from localclip.pool.launch import WorkerLaunch
from localclip.pool.worker_process import QtLoop, qprocess_transports

# Makes the pool's engine for a pool and the listener that turns its notices into the pool's signals.
EngineFactory = Callable[["WorkerPool", PoolListener], Any]


class WorkerPool(QObject):
    worker_state_changed = Signal(str, str)  # worker id, WorkerState value
    worker_event = Signal(str, object)  # worker id, every protocol event
    worker_log = Signal(str, str)  # worker id, a stderr line
    worker_problem = Signal(str, str)  # worker id, a message for a person
    item_started = Signal(str, str)  # item id, worker id
    item_done = Signal(str, str, object)  # item id, worker id, result
    item_failed = Signal(str, str, str, str)  # item id, worker id, failure code, reason
    item_requeued = Signal(str, str, str)  # item id, the worker it came back from, why (worker_died, ...)
    progress = Signal(int, int)  # items finished, items in the run
    finished = Signal(object)  # the run's summary, when no item is pending or in flight
    stopped = Signal()  # every worker process is gone after shutdown()

    def __init__(
        self,
        launches: list[WorkerLaunch],
        options: PoolOptions | None = None,
        parent: QObject | None = None,
        engine: EngineFactory | None = None,
    ) -> None:
        super().__init__(parent)
        if engine is not None:  # another engine behind the same signals (a cluster's, localclip/cluster)
            self._engine = engine(self, _SignalRelay(self))
            return
        self._engine = PoolEngine(
            launches, options or PoolOptions(), QtLoop(self), qprocess_transports(self), _SignalRelay(self)
        )

    @property
    def options(self) -> PoolOptions:
        return self._engine.options

    @property
    def slots(self) -> dict[str, WorkerSlot]:
        return self._engine.slots

    @property
    def busy(self) -> bool:
        return self._engine.busy

    @property
    def is_stopped(self) -> bool:
        """Every worker process is gone after shutdown() (``stopped`` was emitted)."""
        return self._engine.stopped

    @property
    def picker(self) -> Picker:
        return self._engine.picker

    @picker.setter
    def picker(self, picker: Picker) -> None:
        self._engine.picker = picker

    def take_in_order(self, worker_id: str, pending: deque[WorkItem]) -> list[WorkItem]:
        return self._engine.take_in_order(worker_id, pending)

    def start(self) -> None:
        self._engine.start()

    def add_worker(self, launch: WorkerLaunch) -> None:
        self._engine.add_worker(launch)

    def submit(self, kind: str, items: list[dict[str, Any]], params: dict[str, Any] | None = None) -> None:
        self._engine.submit(kind, items, params)

    def cancel(self) -> None:
        self._engine.cancel()

    def shutdown(self) -> None:
        self._engine.shutdown()

    def summary(self) -> dict[str, Any]:
        return self._engine.summary()


class _SignalRelay(PoolListener):
    """The engine's listener: every notice becomes the pool's signal of the same name."""

    def __init__(self, pool: WorkerPool) -> None:
        self._pool = pool

    def worker_state_changed(self, worker_id: str, state: str) -> None:
        self._pool.worker_state_changed.emit(worker_id, state)

    def worker_event(self, worker_id: str, message: dict[str, Any]) -> None:
        self._pool.worker_event.emit(worker_id, message)

    def worker_log(self, worker_id: str, line: str) -> None:
        self._pool.worker_log.emit(worker_id, line)

    def worker_problem(self, worker_id: str, text: str) -> None:
        self._pool.worker_problem.emit(worker_id, text)

    def item_started(self, item_id: str, worker_id: str) -> None:
        self._pool.item_started.emit(item_id, worker_id)

    def item_done(self, item_id: str, worker_id: str, result: Any) -> None:
        self._pool.item_done.emit(item_id, worker_id, result)

    def item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None:
        self._pool.item_failed.emit(item_id, worker_id, code, reason)

    def item_requeued(self, item_id: str, worker_id: str, code: str) -> None:
        self._pool.item_requeued.emit(item_id, worker_id, code)

    def progress(self, finished: int, total: int) -> None:
        self._pool.progress.emit(finished, total)

    def finished(self, summary: dict[str, Any]) -> None:
        self._pool.finished.emit(summary)

    def stopped(self) -> None:
        self._pool.stopped.emit()
