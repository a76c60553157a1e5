"""The worker pool: N worker processes, a queue of work items, pull scheduling, recovery.

Everything happens in slots called from the Qt event loop; nothing here waits. Works under a QApplication
(the window) and under a bare QCoreApplication (the command line).

- **Pull**: a worker gets a job (``items_per_job`` items) when it says hello or reports the last item of its
  previous job, so fast workers take more work and nothing is assigned once and for all.
- **Recovery**: a worker that exits, crashes, breaks the protocol or goes silent has its in-flight items
  put back at the front of the queue and is restarted, at most ``max_restarts`` times; then it is retired
  with its reason. An item that has been in flight on ``max_item_attempts`` dying workers is failed.
- **Cancel**: pending items are dropped, busy workers get ``cancel`` and are killed (process tree) if they
  are still busy after ``cancel_grace`` seconds. **Shutdown**: ``shutdown`` and stdin closed, killed after
  ``shutdown_grace``.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from localclip.pool.worker_process import WorkerEnd, WorkerLaunch, WorkerProcess, check_interpreter
from localclip_worker import protocol


class WorkerState(StrEnum):
    STARTING = "starting"
    IDLE = "idle"
    WORKING = "working"
    RESTARTING = "restarting"
    RETIRED = "retired"
    STOPPING = "stopping"
    STOPPED = "stopped"


@dataclass(frozen=True)
class PoolOptions:
    max_restarts: int = 3
    max_item_attempts: int = 3
    start_timeout: float = 120.0  # seconds to the worker's hello (a cold Windows disk is slow)
    silence_timeout: float = 15.0  # seconds without any line (heartbeats included) before a worker is hung
    cancel_grace: float = 5.0
    shutdown_grace: float = 5.0
    restart_delay: float = 0.5  # times the restart count: a worker dying in a loop backs off
    items_per_job: int = 1


@dataclass
class WorkItem:
    item_id: str
    kind: str
    payload: dict[str, Any]
    params: dict[str, Any]
    worker_id: str | None = None  # only this worker may take the item (e.g. probe every worker)
    attempts: int = 0


@dataclass
class WorkerSlot:
    launch: WorkerLaunch
    state: WorkerState = WorkerState.STARTING
    process: WorkerProcess | None = None
    restarts: int = 0
    job_id: str | None = None
    in_flight: dict[str, WorkItem] = field(default_factory=dict)
    done: int = 0
    failed: int = 0
    reason: str = ""  # why it restarts or was retired
    killed_by_cancel: bool = False

    @property
    def worker_id(self) -> str:
        return self.launch.worker_id

    @property
    def alive(self) -> bool:
        return self.state not in (WorkerState.RETIRED, WorkerState.STOPPED)


@dataclass
class RunCounts:
    total: int = 0
    done: int = 0
    failed: int = 0
    cancelled: int = 0
    started_at: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.cancelled


Picker = Callable[[str, "deque[WorkItem]"], list[WorkItem]]  # (worker id, pending) -> items to send it


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
        self, launches: list[WorkerLaunch], options: PoolOptions | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.options = options or PoolOptions()
        self._slots: dict[str, WorkerSlot] = {}
        self._pending: deque[WorkItem] = deque()
        self._counts = RunCounts()
        self._job_numbers = itertools.count(1)
        self._cancelling = False
        self._stopping = False
        self._stopped_emitted = False
        # Which pending items an idle worker gets; a run may plug in its own policy (e.g. cloning keeps a
        # speaker's lines on the worker that already encoded its reference).
        self.picker: Picker = self.take_in_order
        for launch in launches:
            self._slots[launch.worker_id] = WorkerSlot(launch)

    # -- public API --------------------------------------------------------------------------------------

    @property
    def slots(self) -> dict[str, WorkerSlot]:
        return self._slots

    @property
    def busy(self) -> bool:
        return bool(self._pending) or any(slot.in_flight for slot in self._slots.values())

    def start(self) -> None:
        """Start every worker. Raises WorkerConfigError at once for an interpreter that cannot work."""
        for slot in self._slots.values():
            check_interpreter(slot.launch.python)
        for slot in self._slots.values():
            self._spawn(slot)

    def add_worker(self, launch: WorkerLaunch) -> None:
        check_interpreter(launch.python)
        slot = WorkerSlot(launch)
        self._slots[launch.worker_id] = slot
        self._spawn(slot)

    def submit(self, kind: str, items: list[dict[str, Any]], params: dict[str, Any] | None = None) -> None:
        """Queue ``items`` (dicts with an ``id``; ``worker_id`` pins one to a worker) for job ``kind``."""
        if not self.busy:
            self._counts = RunCounts(started_at=time.monotonic())
        shared_params = params or {}
        for item in items:
            payload = {key: value for key, value in item.items() if key != "worker_id"}
            self._pending.append(
                WorkItem(str(item["id"]), kind, payload, shared_params, item.get("worker_id"))
            )
        self._counts.total += len(items)
        for item in [
            item for item in self._pending if item.worker_id and not self._can_serve(item.worker_id)
        ]:
            self._pending.remove(item)
            self._fail(item, item.worker_id or "", "no_worker", f"worker {item.worker_id} is not available")
        self._dispatch()
        self._check_finished()

    def cancel(self) -> None:
        """Drop pending items and stop busy workers: politely, then by force after ``cancel_grace``."""
        if not self.busy:
            return
        self._cancelling = True
        self._counts.cancelled += len(self._pending)
        self._pending.clear()
        for slot in self._slots.values():
            if slot.in_flight and slot.process is not None:
                slot.process.send(protocol.make("cancel", job_id=slot.job_id))
                slot.process.kill_after(
                    self.options.cancel_grace, "did not stop within the cancel grace period"
                )
                slot.killed_by_cancel = True
        self._check_finished()

    def shutdown(self) -> None:
        """Stop every worker; ``stopped`` is emitted when all processes are gone."""
        if self._stopping:
            return
        self.cancel()
        self._stopping = True
        for slot in self._slots.values():
            if slot.process is not None and slot.process.running:
                self._set_state(slot, WorkerState.STOPPING)
                slot.process.stop(self.options.shutdown_grace)
            elif slot.state != WorkerState.RETIRED:
                self._set_state(slot, WorkerState.STOPPED)
        self._check_stopped()

    def summary(self) -> dict[str, Any]:
        counts = self._counts
        return {
            "total": counts.total,
            "done": counts.done,
            "failed": counts.failed,
            "cancelled": counts.cancelled,
            "seconds": round(time.monotonic() - counts.started_at, 3) if counts.started_at else 0.0,
            "failures": list(counts.failures),
            "workers": {
                worker_id: {
                    "state": str(slot.state),
                    "done": slot.done,
                    "failed": slot.failed,
                    "restarts": slot.restarts,
                    "reason": slot.reason,
                }
                for worker_id, slot in self._slots.items()
            },
        }

    # -- processes ---------------------------------------------------------------------------------------

    def _spawn(self, slot: WorkerSlot) -> None:
        if self._stopping:
            self._set_state(slot, WorkerState.STOPPED)
            self._check_stopped()
            return
        process = WorkerProcess(slot.launch, self.options.start_timeout, self.options.silence_timeout, self)
        slot.process = process
        slot.killed_by_cancel = False
        worker_id = slot.worker_id
        process.event.connect(lambda message: self._on_event(worker_id, process, message))
        process.log_line.connect(lambda line: self.worker_log.emit(worker_id, line))
        process.problem.connect(lambda text: self.worker_problem.emit(worker_id, text))
        process.ended.connect(lambda end: self._on_ended(worker_id, process, end))
        slot.state = WorkerState.STARTING  # announced even when it was already "starting" (first start)
        self.worker_state_changed.emit(worker_id, str(slot.state))
        process.start()

    def _on_ended(self, worker_id: str, process: WorkerProcess, end: WorkerEnd) -> None:
        slot = self._slots[worker_id]
        # Break the lambda <-> process cycles now: left to Python's garbage collector they would be torn
        # down later in the middle of some other event dispatch, after Qt has deleted the process.
        for signal in (process.event, process.log_line, process.problem, process.ended):
            signal.disconnect()
        process.deleteLater()
        if slot.process is not process:
            return
        slot.process = None
        slot.job_id = None
        self._requeue_in_flight(slot, end.reason)
        if self._stopping:
            self._set_state(slot, WorkerState.STOPPED)
        elif not end.retry:
            self._retire(slot, end.reason)
        elif slot.killed_by_cancel:  # stopped on the user's request: back at once, no restart counted
            self._spawn(slot)
        elif slot.restarts < self.options.max_restarts:
            slot.restarts += 1
            slot.reason = end.reason
            self.worker_problem.emit(
                worker_id,
                f"worker {worker_id} stopped: {end.reason}; restarting it "
                f"({slot.restarts} of {self.options.max_restarts})",
            )
            self._set_state(slot, WorkerState.RESTARTING)
            QTimer.singleShot(
                int(self.options.restart_delay * slot.restarts * 1000), lambda: self._spawn(slot)
            )
        else:
            self._retire(slot, f"stopped {slot.restarts + 1} times; last: {end.reason}")
        self._dispatch()
        self._check_finished()
        self._check_stopped()

    def _retire(self, slot: WorkerSlot, reason: str) -> None:
        slot.reason = reason
        self.worker_problem.emit(slot.worker_id, f"worker {slot.worker_id} retired: {reason}")
        self._set_state(slot, WorkerState.RETIRED)
        orphaned = [item for item in self._pending if item.worker_id == slot.worker_id]
        if not any(other.alive for other in self._slots.values()):
            orphaned = list(self._pending)
        for item in orphaned:
            self._pending.remove(item)
            self._fail(item, slot.worker_id, "no_worker", f"no worker left to run it: {reason}")

    def _requeue_in_flight(self, slot: WorkerSlot, reason: str) -> None:
        items, slot.in_flight = list(slot.in_flight.values()), {}
        for item in reversed(items):
            if self._cancelling or self._stopping:
                self._counts.cancelled += 1
                continue
            item.attempts += 1
            if item.attempts >= self.options.max_item_attempts:
                self._fail(
                    item,
                    slot.worker_id,
                    "worker_died",
                    f"the worker died {item.attempts} times while running it; last: {reason}",
                )
            else:
                self._requeue(item, slot.worker_id, "worker_died")

    # -- events ------------------------------------------------------------------------------------------

    def _on_event(self, worker_id: str, process: WorkerProcess, message: protocol.Message) -> None:
        slot = self._slots[worker_id]
        if slot.process is not process:
            return
        self.worker_event.emit(worker_id, message)
        kind = message["type"]
        if kind == "hello":
            self._set_state(slot, WorkerState.IDLE)
            self._dispatch()
        elif kind in ("item_done", "item_failed"):
            self._on_item_reported(slot, message)
        elif kind == "error" and message["fatal"]:
            process.kill(f"fatal error: {message['message']}")

    def _on_item_reported(self, slot: WorkerSlot, message: protocol.Message) -> None:
        item = slot.in_flight.pop(message["item_id"], None) if message["job_id"] == slot.job_id else None
        if item is None:
            self.worker_problem.emit(
                slot.worker_id,
                f"worker {slot.worker_id} reported an item it was not "
                f"given: {protocol.truncate(str(message['item_id']))}",
            )
            return
        if message["type"] == "item_done":
            slot.done += 1
            self._counts.done += 1
            self.item_done.emit(item.item_id, slot.worker_id, message["result"])
        else:
            self._on_item_failed(slot, item, message["code"], message["reason"])
        self.progress.emit(self._counts.finished, self._counts.total)
        if not slot.in_flight:
            slot.job_id = None
            if slot.process is not None and not self._stopping:  # a shutdown's kill timer stays armed
                slot.process.cancel_kill()
            if slot.state == WorkerState.WORKING:
                self._set_state(slot, WorkerState.IDLE)
            self._dispatch()
            self._check_finished()

    def _on_item_failed(self, slot: WorkerSlot, item: WorkItem, code: str, reason: str) -> None:
        if code == protocol.FAIL_CANCELLED:
            if self._cancelling or self._stopping:
                self._counts.cancelled += 1
            else:  # the worker stopped it for its own reasons: the item is still to do
                self._requeue(item, slot.worker_id, code)
            return
        item.attempts += 1
        if code == protocol.FAIL_OUT_OF_MEMORY and item.attempts < self.options.max_item_attempts:
            self._requeue(item, slot.worker_id, code)  # another worker (or this one, memory freed) may manage
            return
        slot.failed += 1
        self._fail(item, slot.worker_id, code, reason)

    def _requeue(self, item: WorkItem, worker_id: str, code: str) -> None:
        self._pending.appendleft(item)
        self.item_requeued.emit(item.item_id, worker_id, code)

    def _fail(self, item: WorkItem, worker_id: str, code: str, reason: str) -> None:
        self._counts.failed += 1
        self._counts.failures.append({"item": item.item_id, "code": code, "reason": reason})
        self.item_failed.emit(item.item_id, worker_id, code, reason)
        self.progress.emit(self._counts.finished, self._counts.total)

    # -- scheduling --------------------------------------------------------------------------------------

    def _can_serve(self, worker_id: str) -> bool:
        slot = self._slots.get(worker_id)
        return slot is not None and slot.alive and not self._stopping

    def _dispatch(self) -> None:
        if self._cancelling or self._stopping:
            return
        for slot in self._slots.values():
            if not self._pending:
                return
            while slot.state == WorkerState.IDLE and slot.process is not None and self._pending:
                items = self._take(slot.worker_id)
                if not items:
                    break
                self._send_job(slot, items)

    def _take(self, worker_id: str) -> list[WorkItem]:
        taken = self.picker(worker_id, self._pending)
        for item in taken:  # taken items sit near the front of the queue: cheap to remove
            self._pending.remove(item)
        return taken

    def take_in_order(self, worker_id: str, pending: deque[WorkItem]) -> list[WorkItem]:
        """The default picker: up to ``items_per_job`` queued items this worker may run, in queue order,
        all of one kind and params."""
        taken: list[WorkItem] = []
        for item in pending:
            if item.worker_id not in (None, worker_id):
                continue
            if taken and (item.kind != taken[0].kind or item.params is not taken[0].params):
                break
            taken.append(item)
            if len(taken) == self.options.items_per_job:
                break
        return taken

    def _send_job(self, slot: WorkerSlot, items: list[WorkItem]) -> None:
        assert slot.process is not None
        job_id = f"{slot.worker_id}.{next(self._job_numbers)}"
        job = protocol.make(
            "job",
            job_id=job_id,
            kind=items[0].kind,
            params=items[0].params,
            items=[{**item.payload, "id": item.item_id} for item in items],
        )
        line = protocol.encode(job)
        if len(line) > protocol.MAX_LINE_BYTES:  # the worker would refuse it: fail it here, with the reason
            reason = f"too large to send to a worker ({len(line)} bytes; limit {protocol.MAX_LINE_BYTES})"
            for item in items:
                self._fail(item, slot.worker_id, protocol.FAIL_BAD_INPUT, reason)
            self._check_finished()
            return
        slot.job_id = job_id
        slot.in_flight = {item.item_id: item for item in items}
        self._set_state(slot, WorkerState.WORKING)
        slot.process.send_line(line)
        for item in items:
            self.item_started.emit(item.item_id, slot.worker_id)

    # -- state -------------------------------------------------------------------------------------------

    def _set_state(self, slot: WorkerSlot, state: WorkerState) -> None:
        if slot.state != state:
            slot.state = state
            self.worker_state_changed.emit(slot.worker_id, str(state))

    def _check_finished(self) -> None:
        if self._counts.total == 0 or self.busy:
            return
        summary = self.summary()
        summary["cancelled_run"] = self._cancelling
        self._cancelling = False
        self._counts = RunCounts()
        self.finished.emit(summary)

    def _check_stopped(self) -> None:
        if (
            self._stopping
            and not self._stopped_emitted
            and all(slot.process is None for slot in self._slots.values())
        ):
            self._stopped_emitted = True
            self.stopped.emit()
