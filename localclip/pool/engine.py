"""The pool's logic: N worker processes, a queue of work items, pull scheduling, recovery. No Qt.

:class:`PoolEngine` is driven from one event thread and never waits. Its owner gives it that thread's
:class:`~localclip.pool.link.Loop` (for timers), a factory of transports (what moves a process's bytes) and
a :class:`PoolListener` told everything that happens. Two owners exist: the QProcess
:class:`~localclip.pool.pool.WorkerPool` (the window and the command line, listener = Qt signals) and the
``subprocess`` :class:`~localclip.pool.driver.WorkerDriver` (cluster nodes and the GPU check, no Qt).

- **Pull**: a worker gets a job (``items_per_job`` items) when it says hello or reports the last item of its
  previous job, so fast workers take more work and nothing is assigned once and for all.
- **Recovery**: a worker that exits, crashes, breaks the protocol or goes silent has its in-flight items
  put back at the front of the queue and is restarted, at most ``max_restarts`` times; then it is retired
  with its reason. An item that has been in flight on ``max_item_attempts`` dying workers is failed.
- **Set-up errors**: a job whose model or device cannot be set up (item code ``setup``) stops the run once:
  its items and everything queued are not done (counted as cancelled, never failed), and the summary's
  ``setup_error`` says why, so a run over 100,000 clips reports one problem, not 100,000 failures.
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
from typing import Any

from localclip.core.kinds import WorkerState
from localclip.pool.launch import WorkerLaunch, check_interpreter
from localclip.pool.link import Loop, TransportFactory, WorkerEnd, WorkerLink
from localclip_worker import protocol


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


@dataclass(slots=True)  # a GPU run queues hundreds of thousands
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
    process: WorkerLink | None = None
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
    setup_error: str = ""  # the first set-up error of the run, which stopped it

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.cancelled

    def add_failure(self, item_id: str, code: str, reason: str) -> None:
        self.failed += 1
        self.failures.append({"item": item_id, "code": code, "reason": reason})

    def summary(self, workers: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The run's summary (what ``PoolListener.finished`` gets), with each worker's own figures."""
        return {
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "seconds": round(time.monotonic() - self.started_at, 3) if self.started_at else 0.0,
            "failures": list(self.failures),
            "setup_error": self.setup_error,
            "workers": workers,
        }


Picker = Callable[[str, "deque[WorkItem]"], list[WorkItem]]
# The listener's progress is told at most this often (and for a run's first and last item): a GPU run
# finishes thousands of items a second, and every listener would redraw for each (bench/coordinator.py).
PROGRESS_INTERVAL_S = 0.1  # (worker id, pending) -> items to send it


class PoolListener:
    """What the pool tells its owner; each method does nothing unless overridden. Called on the pool's
    event thread."""

    def worker_state_changed(self, worker_id: str, state: str) -> None:
        """A WorkerState value."""

    def worker_event(self, worker_id: str, message: protocol.Message) -> None:
        """Every valid protocol event of a worker (hello included) but ``item_done``, which comes as
        :meth:`item_done` only (a GPU sends thousands a second)."""

    def worker_log(self, worker_id: str, line: str) -> None:
        """A line the worker wrote to stderr."""

    def worker_problem(self, worker_id: str, text: str) -> None:
        """Something wrong, in words for a person."""

    def item_started(self, item_id: str, worker_id: str) -> None: ...

    def item_done(self, item_id: str, worker_id: str, result: Any) -> None: ...

    def item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None: ...

    def item_requeued(self, item_id: str, worker_id: str, code: str) -> None:
        """The item went back to the queue from ``worker_id``, because of ``code`` (worker_died, ...)."""

    def progress(self, finished: int, total: int) -> None: ...

    def finished(self, summary: dict[str, Any]) -> None:
        """No item is pending or in flight any more: the run's summary."""

    def stopped(self) -> None:
        """Every worker process is gone after shutdown()."""


class ListenerGroup(PoolListener):
    """Several listeners told every notice, in order."""

    def __init__(self, listeners: list[PoolListener]) -> None:
        self.listeners = listeners

    def _tell(self, notice: str, *args: Any) -> None:
        for listener in self.listeners:
            getattr(listener, notice)(*args)

    def worker_state_changed(self, worker_id: str, state: str) -> None:
        self._tell("worker_state_changed", worker_id, state)

    def worker_event(self, worker_id: str, message: protocol.Message) -> None:
        self._tell("worker_event", worker_id, message)

    def worker_log(self, worker_id: str, line: str) -> None:
        self._tell("worker_log", worker_id, line)

    def worker_problem(self, worker_id: str, text: str) -> None:
        self._tell("worker_problem", worker_id, text)

    def item_started(self, item_id: str, worker_id: str) -> None:
        self._tell("item_started", item_id, worker_id)

    def item_done(self, item_id: str, worker_id: str, result: Any) -> None:
        self._tell("item_done", item_id, worker_id, result)

    def item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None:
        self._tell("item_failed", item_id, worker_id, code, reason)

    def item_requeued(self, item_id: str, worker_id: str, code: str) -> None:
        self._tell("item_requeued", item_id, worker_id, code)

    def progress(self, finished: int, total: int) -> None:
        self._tell("progress", finished, total)

    def finished(self, summary: dict[str, Any]) -> None:
        self._tell("finished", summary)

    def stopped(self) -> None:
        self._tell("stopped")


def _unpinned(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != "worker_id"}


class PoolEngine:
    def __init__(
        self,
        launches: list[WorkerLaunch],
        options: PoolOptions,
        loop: Loop,
        transport: TransportFactory,
        listener: PoolListener,
    ) -> None:
        self.options = options
        self._loop = loop
        self._transport = transport
        self._listener = listener
        self._slots: dict[str, WorkerSlot] = {}
        self._pending: deque[WorkItem] = deque()
        self._counts = RunCounts()
        self._next_progress = 0.0
        self._job_numbers = itertools.count(1)
        self._cancelling = False
        self._stopping = False
        self.stopped = False  # True once every worker process is gone after shutdown()
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
        """Queue ``items`` (dicts with an ``id``; ``worker_id`` pins one to a worker) for job ``kind``.
        The dicts are kept as given (a GPU run queues hundreds of thousands): do not change them after."""
        if not self.busy:
            self._counts = RunCounts(started_at=time.monotonic())
        shared_params = params or {}
        self._pending.extend(
            WorkItem(str(item["id"]), kind, item, shared_params)
            if "worker_id" not in item
            else WorkItem(str(item["id"]), kind, _unpinned(item), shared_params, item["worker_id"])
            for item in items
        )
        self._counts.total += len(items)
        for item in [
            item for item in self._pending if item.worker_id and not self._can_serve(item.worker_id)
        ]:
            self._pending.remove(item)
            self._fail(item, item.worker_id or "", "no_worker", f"worker {item.worker_id} is not available")
        if self._slots and not any(slot.alive for slot in self._slots.values()):
            self._fail_pending(self._no_worker_reason())
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
        """Stop every worker; the listener's ``stopped`` follows when all processes are gone."""
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
        return self._counts.summary(
            {
                worker_id: {
                    "state": str(slot.state),
                    "done": slot.done,
                    "failed": slot.failed,
                    "restarts": slot.restarts,
                    "reason": slot.reason,
                }
                for worker_id, slot in self._slots.items()
            }
        )

    # -- processes ---------------------------------------------------------------------------------------

    def _spawn(self, slot: WorkerSlot) -> None:
        if self._stopping:
            self._set_state(slot, WorkerState.STOPPED)
            self._check_stopped()
            return
        options = self.options
        link = WorkerLink(
            slot.launch, options.start_timeout, options.silence_timeout, self._loop, self._transport, self
        )
        slot.process = link
        slot.killed_by_cancel = False
        slot.state = WorkerState.STARTING  # announced even when it was already "starting" (first start)
        self._listener.worker_state_changed(slot.worker_id, str(slot.state))
        link.start()

    # The link's listener: a link that is no longer its slot's process (replaced after its end) is ignored.

    def link_event(self, link: WorkerLink, message: protocol.Message) -> None:
        slot = self._slots[link.launch.worker_id]
        if slot.process is not link:
            return
        kind = message["type"]
        if kind != "item_done":
            self._listener.worker_event(slot.worker_id, message)
        if kind == "hello":
            self._set_state(slot, WorkerState.IDLE)
            self._dispatch()
        elif kind in ("item_done", "item_failed"):
            self._on_item_reported(slot, message)
        elif kind == "error" and message["fatal"]:
            link.kill(f"fatal error: {message['message']}")

    def link_log(self, link: WorkerLink, line: str) -> None:
        self._listener.worker_log(link.launch.worker_id, line)

    def link_problem(self, link: WorkerLink, text: str) -> None:
        self._listener.worker_problem(link.launch.worker_id, text)

    def link_ended(self, link: WorkerLink, end: WorkerEnd) -> None:
        slot = self._slots[link.launch.worker_id]
        if slot.process is not link:
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
            self._listener.worker_problem(
                slot.worker_id,
                f"worker {slot.worker_id} stopped: {end.reason}; restarting it "
                f"({slot.restarts} of {self.options.max_restarts})",
            )
            self._set_state(slot, WorkerState.RESTARTING)
            self._loop.call_later(self.options.restart_delay * slot.restarts, lambda: self._spawn(slot))
        else:
            self._retire(slot, f"stopped {slot.restarts + 1} times; last: {end.reason}")
        self._dispatch()
        self._check_finished()
        self._check_stopped()

    def _retire(self, slot: WorkerSlot, reason: str) -> None:
        slot.reason = reason
        self._listener.worker_problem(slot.worker_id, f"worker {slot.worker_id} retired: {reason}")
        self._set_state(slot, WorkerState.RETIRED)
        if not any(other.alive for other in self._slots.values()):
            self._fail_pending(reason, slot.worker_id)
            return
        for item in [item for item in self._pending if item.worker_id == slot.worker_id]:
            self._pending.remove(item)
            self._fail(item, slot.worker_id, "no_worker", f"no worker left to run it: {reason}")

    def _fail_pending(self, reason: str, worker_id: str = "") -> None:
        """No worker is left: every queued item fails with why."""
        items, self._pending = list(self._pending), deque()
        for item in items:
            self._fail(item, worker_id, "no_worker", f"no worker left to run it: {reason}")

    def _no_worker_reason(self) -> str:
        reasons = [slot.reason for slot in self._slots.values() if slot.reason]
        return reasons[-1] if reasons else "every worker has stopped"

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

    def _on_item_reported(self, slot: WorkerSlot, message: protocol.Message) -> None:
        item = slot.in_flight.pop(message["item_id"], None) if message["job_id"] == slot.job_id else None
        if item is None:
            self._listener.worker_problem(
                slot.worker_id,
                f"worker {slot.worker_id} reported an item it was not "
                f"given: {protocol.truncate(str(message['item_id']))}",
            )
            return
        if message["type"] == "item_done":
            slot.done += 1
            self._counts.done += 1
            self._listener.item_done(item.item_id, slot.worker_id, message["result"])
        else:
            self._on_item_failed(slot, item, message["code"], message["reason"])
        self._tell_progress()
        if not slot.in_flight:
            slot.job_id = None
            if slot.process is not None and not self._stopping:  # a shutdown's kill timer stays armed
                slot.process.cancel_kill()
            if slot.state == WorkerState.WORKING:
                self._set_state(slot, WorkerState.IDLE)
            self._dispatch()
            self._check_finished()

    def _on_item_failed(self, slot: WorkerSlot, item: WorkItem, code: str, reason: str) -> None:
        if code == protocol.FAIL_SETUP:
            self._stop_for_setup(reason)
            return
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

    def _stop_for_setup(self, reason: str) -> None:
        """The item's job could not be set up, and the next job would not either: stop the run once."""
        self._counts.cancelled += 1
        if self._counts.setup_error:
            return
        self._counts.setup_error = reason  # told once, in the run's summary
        self.cancel()

    def _tell_progress(self) -> None:
        """At most every PROGRESS_INTERVAL_S, and always for the first and the last item of a run."""
        finished, total = self._counts.finished, self._counts.total
        if total == 0:  # the run already finished (a set-up error's cancel can end it inside a report)
            return
        now = time.monotonic()
        if finished < total and finished > 1 and now < self._next_progress:
            return
        self._next_progress = now + PROGRESS_INTERVAL_S
        self._listener.progress(finished, total)

    def _requeue(self, item: WorkItem, worker_id: str, code: str) -> None:
        self._pending.appendleft(item)
        self._listener.item_requeued(item.item_id, worker_id, code)

    def _fail(self, item: WorkItem, worker_id: str, code: str, reason: str) -> None:
        self._counts.add_failure(item.item_id, code, reason)
        self._listener.item_failed(item.item_id, worker_id, code, reason)
        self._tell_progress()

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
        if len(line) > protocol.MAX_LINE_BYTES and len(items) > 1:  # the worker would refuse it: halve it
            half = len(items) // 2
            self._pending.extendleft(reversed(items[half:]))  # the back half is next in the queue
            self._send_job(slot, items[:half])
            return
        if len(line) > protocol.MAX_LINE_BYTES:  # one item too large alone: fail it here, with the reason
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
            self._listener.item_started(item.item_id, slot.worker_id)

    # -- state -------------------------------------------------------------------------------------------

    def _set_state(self, slot: WorkerSlot, state: WorkerState) -> None:
        if slot.state != state:
            slot.state = state
            self._listener.worker_state_changed(slot.worker_id, str(state))

    def _check_finished(self) -> None:
        if self._counts.total == 0 or self.busy:
            return
        summary = self.summary()
        summary["cancelled_run"] = self._cancelling and not self._counts.setup_error
        self._cancelling = False
        self._counts = RunCounts()
        self._listener.finished(summary)

    def _check_stopped(self) -> None:
        if self._stopping and not self.stopped and all(slot.process is None for slot in self._slots.values()):
            self.stopped = True
            self._listener.stopped()
