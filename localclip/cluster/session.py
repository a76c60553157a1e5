"""The coordinator's side of a cluster run: a Dask client, batches out, checked outcomes back. No Qt.

:class:`ClusterSession` is the pool engine's counterpart for remote workers and tells the same
:class:`~localclip.pool.engine.PoolListener`, so a run cannot tell a cluster from local workers. Its state
lives on the owner's thread (the window's or the command line's event loop), which it never blocks: Dask
calls that wait (connecting, reading a batch's files, scattering, submitting, cancelling, asking the
scheduler which workers there are) run on three threads of its own, and what they and Dask's callbacks
learn comes back through the owner's ``post``.

- **Pull**: each remote worker (one Dask worker of a node) holds up to ``depth`` batches: one running, the
  next already on the machine, so its GPU never waits on the network. A batch's audio is scattered straight
  to that Dask worker (never through the scheduler) and its task is pinned there; the run's picker chooses
  the batch (cloning keeps a speaker on the worker that has its reference), as with local workers.
- **Faults**: a batch whose worker dies or leaves goes back to the front of the queue, the one that was
  running in halves until a clip that kills workers runs alone; a clip lost alone ``allowed-failures`` + 1
  times (Dask's ``distributed.scheduler.allowed-failures``, the limit Dask itself puts on a task that kills
  workers) fails with its reason, and the run goes on (``_lost``). A worker that cannot set the job up (no
  model, a broken environment) takes no more batches of the run; when none is left the run stops with
  that reason.
- **Trust**: results are plain data; the client refuses pickled results (``deserializers=["msgpack"]``),
  every outcome is checked (``wire.check_outcome``), clone takes must be WAV files and are written by the
  coordinator under its own paths.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from localclip.cluster.wire import (
    GPU_TOPIC,
    NODE_TOPIC,
    SLOT_RESOURCE,
    WORKER_TOPIC,
    BadOutcome,
    BatchOutcome,
    ModelRef,
    ReferenceNames,
    check_outcome,
    node_params,
    pack_batch,
    travelling_params,
)
from localclip.core.files import write_bytes_atomically
from localclip.core.kinds import JobKind, WorkerState
from localclip.pool.engine import Picker, PoolListener, PoolOptions, RunCounts, WorkerSlot, WorkItem
from localclip.pool.launch import WorkerLaunch
from localclip_worker import protocol

log = logging.getLogger(__name__)

POLL_S = 1.0  # how often the scheduler is asked which workers there are
POLL_TIMEOUT_S = 10.0  # a slower answer is skipped: the poll (and a close queued behind it) goes on
CONNECT_TIMEOUT_S = 20.0
RESULT_TIMEOUT_S = 600.0  # fetching a finished batch's outcome from its worker
PROGRESS_INTERVAL_S = 0.1
BATCHES_PER_WORKER = 4
MIN_BATCH_ITEMS = 8
NO_WORKER_GRACE_S = 30.0  # queued work and no worker: how long to wait for one before the run stops
MAX_ITEM_ATTEMPTS = PoolOptions().max_item_attempts  # an out-of-memory item, tried again as locally
MAX_REASONS_QUOTED = 3  # why workers cannot work, quoted in a run's stop message


class ClusterUnavailable(ConnectionError):
    """The scheduler cannot be reached: a message for a person."""


@dataclass(frozen=True)
class ClusterOptions:
    items_per_batch: int = 256  # for the default picker; a run's own picker sizes its batches
    depth: int = 2  # batches a remote worker holds at once
    poll_s: float = POLL_S
    connect_timeout: float = CONNECT_TIMEOUT_S
    max_batch_losses: int | None = None  # None: Dask's allowed-failures + 1


@dataclass
class RemoteWorker:
    """One Dask worker of a node, as the coordinator sees it."""

    name: str  # "<node>/<n>": the worker id the run and the window use
    address: str
    node: str
    slot: WorkerSlot
    device: str = "cpu"
    gpu_name: str = ""
    gpu_uuid: str = ""
    gpu_memory_bytes: int = 0
    gpu_used_bytes: int | None = None  # the node's latest NVML reading of its GPU
    gpu_load_percent: int | None = None
    in_flight: list[InFlight] = field(default_factory=list)
    unusable: str = ""  # why it takes no batches of this run (its news, or a set-up error)
    present: bool = True
    references: set[str] = field(default_factory=set)  # content names of references its node was sent

    @property
    def usable(self) -> bool:
        return self.present and not self.unusable

    def view(self) -> RemoteGpu:
        return RemoteGpu(
            self.name,
            self.node,
            self.device,
            self.gpu_name,
            self.gpu_memory_bytes,
            self.gpu_used_bytes,
            self.gpu_load_percent,
            str(self.slot.state),
            self.unusable,
        )


@dataclass(frozen=True)
class RemoteGpu:
    """One remote worker's device as the window's GPU panel shows it, under its machine's name."""

    worker: str
    node: str
    device: str  # "cuda" or "cpu"
    gpu_name: str
    total_bytes: int
    used_bytes: int | None
    load_percent: int | None
    state: str  # WorkerState value
    problem: str


@dataclass(eq=False)
class InFlight:
    worker: str
    address: str
    items: list[WorkItem]
    future: Any = None
    losses: int = 0
    on_node: frozenset[str] = frozenset()  # the worker's references when the batch was made: not sent
    carried: set[str] = field(default_factory=set)  # the references it carries (set by the sender thread)


@dataclass(frozen=True)
class NodeNews:
    """What a node's Dask worker said about itself (NODE_TOPIC), checked."""

    worker: str  # the Dask worker's address, as the scheduler stamped it
    node: str
    device: str
    gpu_name: str
    gpu_uuid: str
    gpu_memory_bytes: int
    problem: str

    @classmethod
    def parse(cls, raw: Any) -> NodeNews | None:
        if not isinstance(raw, dict):
            return None
        text = {key: raw.get(key) for key in ("worker", "node", "device", "gpu_name", "gpu_uuid", "problem")}
        memory = raw.get("gpu_memory_bytes")
        if not all(isinstance(value, str) for value in text.values()) or not isinstance(memory, int):
            return None
        if raw.get("protocol") != protocol.PROTOCOL_VERSION:
            problem = f"runs another LocalClip version (protocol {raw.get('protocol')!r}): update it"
            text["problem"] = text["problem"] or problem
        clipped = {key: protocol.truncate(value, 500) for key, value in text.items()}
        return cls(**clipped, gpu_memory_bytes=max(0, memory))


class ClusterSession:
    def __init__(
        self,
        address: str,
        security: Any,
        models: dict[str, dict[str, ModelRef]],
        listener: PoolListener,
        post: Callable[[Callable[[], None]], None],
        options: ClusterOptions | None = None,
        on_workers: Callable[[tuple[RemoteGpu, ...]], None] | None = None,
    ) -> None:
        self.address = address
        self._on_workers = on_workers  # told the workers' devices and states when they change
        self._shown: tuple[RemoteGpu, ...] = ()
        self.options = options or ClusterOptions()
        self._security = security
        self._models = models  # by job kind, its models (wire.job_models)
        self._listener = listener
        self._post = post
        self._client: Any = None
        self._sender = ThreadPoolExecutor(1, thread_name_prefix="localclip-cluster-send")
        self._reference_names = ReferenceNames()  # the sender thread's
        self._control = ThreadPoolExecutor(1, thread_name_prefix="localclip-cluster-control")
        self._workers: dict[str, RemoteWorker] = {}
        self._news: dict[str, NodeNews] = {}
        self._seen: dict[str, str] = {}  # the LocalClip workers the scheduler last listed: name -> address
        # Dask workers that offer no LocalClip slot: a node's that cannot work (its news says why), or not
        # LocalClip's at all.
        self._others: dict[str, str] = {}
        self._pending: deque[WorkItem] = deque()
        # Parts of lost batches, each to be sent as it is; their items are in the queue as well (so the
        # queue's counts, a cancel and a stop see them).
        self._suspects: deque[list[WorkItem]] = deque()
        self._counts = RunCounts()
        self._cancel_event = f"localclip-cancel-{uuid.uuid4().hex}"
        self._cancelling = False
        self._stopping = False
        self._closed = threading.Event()
        self._connected = False
        self._connect_error = ""
        self._next_progress = 0.0
        self._batch_numbers = itertools.count(1)
        self._max_losses = self.options.max_batch_losses
        self._nobody_since: float | None = None
        self.picker: Picker = self.take_in_order
        self.stopped = False

    # -- the pool's API ------------------------------------------------------------------------------

    @property
    def slots(self) -> dict[str, WorkerSlot]:
        return {name: worker.slot for name, worker in self._workers.items() if worker.usable}

    @property
    def workers(self) -> dict[str, RemoteWorker]:
        return self._workers

    @property
    def busy(self) -> bool:
        return bool(self._pending) or any(worker.in_flight for worker in self._workers.values())

    def start(self) -> None:
        """Connect in the background; the workers appear as the scheduler reports them."""
        self._control.submit(self._connect)

    def submit(self, kind: str, items: list[dict[str, Any]], params: dict[str, Any] | None = None) -> None:
        if not self.busy:
            self._counts = RunCounts(started_at=time.monotonic())
            self._cancelling = False
        self._counts.total += len(items)
        models = self._models.get(kind)
        if models is None:  # a job the run named no models for: nothing a node could do with it
            reason = f"this run cannot send {kind} jobs to the cluster"
            for item in items:
                self._fail(WorkItem(str(item["id"]), kind, item, {}), "", protocol.FAIL_SETUP, reason)
            self._check_finished()
            return
        shared = node_params(params or {}, models)
        self._pending.extend(WorkItem(str(item["id"]), kind, item, shared) for item in items)
        if self._connect_error:
            self._fail_pending("no_worker", self._connect_error)
        self._wait_for_workers()
        self._dispatch()
        self._check_finished()

    def cancel(self) -> None:
        """Drop the queue, tell the nodes to stop their batches, forget what they still send."""
        if not self.busy:
            return
        self._cancelling = True
        self._counts.cancelled += len(self._pending)
        self._pending.clear()
        futures = []
        for worker in self._workers.values():
            for batch in worker.in_flight:
                self._counts.cancelled += len(batch.items)
                if batch.future is not None:
                    futures.append(batch.future)
            worker.in_flight = []
            self._set_state(worker, WorkerState.IDLE)
        event, self._cancel_event = (
            self._cancel_event,
            f"localclip-cancel-{uuid.uuid4().hex}",
        )  # the next run's
        self._control.submit(self._cancel_remote, event, futures)
        self._check_finished()

    def shutdown(self) -> None:
        if self._stopping:
            return
        self.cancel()
        self._stopping = True
        for worker in self._workers.values():
            self._set_state(worker, WorkerState.STOPPED)
        self._closed.set()  # ends the polling
        self._control.submit(self._close)

    def summary(self) -> dict[str, Any]:
        return self._counts.summary(
            {
                name: {
                    "state": str(worker.slot.state),
                    "done": worker.slot.done,
                    "failed": worker.slot.failed,
                    "restarts": worker.slot.restarts,
                    "reason": worker.unusable,
                    "node": worker.node,
                }
                for name, worker in self._workers.items()
            }
        )

    def take_in_order(self, worker_id: str, pending: deque[WorkItem]) -> list[WorkItem]:
        """The default picker: the next items in queue order, all of one kind, in batches of about a
        BATCHES_PER_WORKER-th of each worker's share of the queue (so every worker gets several and none idles
        at the end), within MIN_BATCH_ITEMS and ``items_per_batch``."""
        workers = max(1, sum(1 for worker in self._workers.values() if worker.usable))
        share = -(-len(pending) // (workers * BATCHES_PER_WORKER))
        size = max(MIN_BATCH_ITEMS, min(self.options.items_per_batch, share))
        taken: list[WorkItem] = []
        for item in pending:
            if taken and (item.kind != taken[0].kind or item.params is not taken[0].params):
                break
            taken.append(item)
            if len(taken) == size:
                break
        return taken

    # -- connection (control thread) ---------------------------------------------------------------------

    def _connect(self) -> None:
        from distributed import Client

        try:
            # Only msgpack comes back: a node's result is plain data, never a pickle to load here.
            client = Client(
                self.address,
                security=self._security,
                timeout=self.options.connect_timeout,
                deserializers=["msgpack"],
                direct_to_workers=True,
                set_as_default=False,
            )
        except Exception as error:  # Dask raises OSError, TimeoutError or its own CommClosedError
            reason = (
                f"cannot reach the cluster's scheduler at {self.address}: {error or type(error).__name__}"
            )
            self._post(lambda: self._on_connect_failed(reason))
            return
        self._client = client
        past = [event for _, event in client.get_events(NODE_TOPIC)]
        client.subscribe_topic(NODE_TOPIC, lambda event: self._post(lambda: self._on_news(event[1])))
        client.subscribe_topic(
            WORKER_TOPIC, lambda event: self._post(lambda: self._on_worker_event(event[1]))
        )
        client.subscribe_topic(GPU_TOPIC, lambda event: self._post(lambda: self._on_gpu_reading(event[1])))
        self._post(lambda: self._on_connected(past))
        # Its own thread: the control thread stays free for cancelling and closing.
        threading.Thread(target=self._poll, name="localclip-cluster-poll", daemon=True).start()

    def _poll(self) -> None:
        """Read which workers the scheduler has, every ``poll_s`` until closed (its own thread)."""
        while not self._closed.wait(self.options.poll_s if self._connected else 0.05):
            try:
                # The scheduler's own answer: Client.scheduler_info() races with the client's periodic
                # refresh, which asks for no workers, and may return none (every worker "left").
                info = self._client.sync(
                    self._client.scheduler.identity, n_workers=-1, callback_timeout=POLL_TIMEOUT_S
                )
            except Exception as error:
                log.warning("the scheduler did not answer: %s", error)
                continue
            seen, others = {}, {}
            for address, worker in info.get("workers", {}).items():
                hosts = worker.get("resources", {}).get(SLOT_RESOURCE, 0) >= 1
                (seen if hosts else others)[str(worker.get("name"))] = address
            self._post(lambda seen=seen, others=others: self._on_workers_seen(seen, others))

    def _cancel_remote(self, event: str, futures: list[Any]) -> None:
        if self._client is None:
            return
        from distributed import Event

        try:
            Event(event, client=self._client).set()
            if futures:
                self._client.cancel(futures)
        except Exception as error:
            log.warning("cancelling the cluster's tasks: %s", error)

    def _close(self) -> None:
        if self._client is not None:
            try:
                self._client.close(timeout=10)
            except Exception as error:
                log.warning("closing the cluster client: %s", error)
        self._sender.shutdown(wait=False, cancel_futures=True)
        self._post(self._on_closed)

    # -- what comes back (owner's thread) -----------------------------------------------------------------

    def _on_connect_failed(self, reason: str) -> None:
        self._connect_error = reason
        self._listener.worker_problem("cluster", reason)
        self._fail_pending("no_worker", reason)
        self._check_finished()

    def _on_connected(self, past: list[Any]) -> None:
        self._connected = True
        for event in past:
            self._on_news(event)

    def _on_closed(self) -> None:
        self.stopped = True
        self._control.shutdown(wait=False)
        self._listener.stopped()

    def _on_news(self, raw: Any) -> None:
        news = NodeNews.parse(raw)
        if news is None:
            self._listener.worker_problem("cluster", "a node sent news that is not LocalClip's: ignored")
            return
        self._news[news.worker] = news
        worker = self._by_address(news.worker)
        if worker is not None:
            self._apply_news(worker, news)
        elif news.problem and news.worker in self._others.values():  # a node that cannot work says why
            self._on_workers_seen(self._seen, self._others)

    def _apply_news(self, worker: RemoteWorker, news: NodeNews) -> None:
        worker.node, worker.device = news.node, news.device
        worker.gpu_name, worker.gpu_uuid, worker.gpu_memory_bytes = (
            news.gpu_name,
            news.gpu_uuid,
            news.gpu_memory_bytes,
        )
        # The panes name a worker's GPU from its launch, as for a local worker.
        worker.slot.launch = replace(
            worker.slot.launch, gpu_uuid=news.gpu_uuid or None, gpu_name=news.gpu_name or None
        )
        if news.problem and not worker.unusable:
            self._make_unusable(worker, _cannot_work(news))
        self._tell_workers()

    def _on_gpu_reading(self, raw: Any) -> None:
        """A node's NVML reading of a worker's GPU (GPU_TOPIC), checked."""
        worker = self._by_address(raw.get("worker")) if isinstance(raw, dict) else None
        used, load = (raw.get("used_bytes"), raw.get("load_percent")) if worker is not None else (None, None)
        if worker is None or not _is_count(used) or not (load is None or _is_count(load)):
            return
        worker.gpu_used_bytes = min(used, worker.gpu_memory_bytes or used)
        worker.gpu_load_percent = None if load is None else min(load, 100)
        self._tell_workers()

    def _tell_workers(self) -> None:
        views = tuple(worker.view() for worker in self._workers.values())
        if self._on_workers is not None and views != self._shown:
            self._shown = views
            self._on_workers(views)

    def _on_workers_seen(self, seen: dict[str, str], others: dict[str, str] | None = None) -> None:
        """The scheduler's list: ``seen``, the Dask workers that host a LocalClip worker; ``others``, those
        that offer no LocalClip slot (a node that cannot work is listed with its news, which say why)."""
        if self._stopping:
            return
        self._seen, self._others = dict(seen), dict(others or {})
        broken = {
            name: address
            for name, address in self._others.items()
            if address in self._news and self._news[address].problem
        }
        seen = {**broken, **seen}
        for name, address in seen.items():
            worker = self._workers.get(name)
            if worker is None:
                self._add_worker(name, address)
            elif not worker.present or worker.address != address:  # back, or restarted by its nanny
                self._lose_all(worker, f"{name} restarted")
                if worker.address != address:  # a new process (a node started again, mended): asked afresh
                    worker.unusable = ""
                worker.address, worker.present = address, True
                worker.slot.restarts += 1
                news = self._news.get(address)
                if news is not None:
                    self._apply_news(worker, news)
                if not worker.unusable:
                    self._set_state(worker, WorkerState.IDLE)
        for worker in self._workers.values():
            if worker.present and worker.name not in seen:
                worker.present = False
                self._lose_all(worker, f"{worker.name} left the cluster")
                self._set_state(worker, WorkerState.RESTARTING)
        self._wait_for_workers()
        self._dispatch()
        self._check_finished()

    def _add_worker(self, name: str, address: str) -> None:
        node = name.rsplit("/", 1)[0]
        slot = WorkerSlot(WorkerLaunch(name, Path(), None, None))
        worker = RemoteWorker(name, address, node, slot)
        self._workers[name] = worker
        news = self._news.get(address)
        if news is not None:  # its device first: the pane made at the next signal names the GPU
            self._apply_news(worker, replace(news, problem=""))
        self._listener.worker_state_changed(name, str(WorkerState.STARTING))
        if news is not None and news.problem:
            self._make_unusable(worker, _cannot_work(news))
        if not worker.unusable:
            self._set_state(worker, WorkerState.IDLE)
        self._listener.worker_log(name, f"joined from {worker.node} ({worker.gpu_name or worker.device})")

    def _by_address(self, address: Any) -> RemoteWorker | None:
        """The worker at a Dask address: the scheduler sets an event's ``worker`` to its sender's address,
        which a node cannot make up (the names inside the event are the node's word)."""
        return next((worker for worker in self._workers.values() if worker.address == address), None)

    def _on_worker_event(self, raw: Any) -> None:
        worker = self._by_address(raw.get("worker")) if isinstance(raw, dict) else None
        if worker is None:
            return
        try:  # the same checks as a local worker's line
            line = json.dumps(raw.get("event"), allow_nan=False).encode()
            message = protocol.decode(line, protocol.EVENTS)
        except (TypeError, ValueError) as error:
            self._listener.worker_problem(worker.name, f"a malformed event: {error}")
            return
        if message["type"] != "item_done":
            self._listener.worker_event(worker.name, message)

    # -- batches ------------------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        if self._cancelling or self._stopping or self._client is None:
            return
        # Breadth first: every idle worker gets its first batch before any gets its next, as batches are read
        # and sent one after another (a worker served last waited for its partners' spare batches to travel).
        for held in range(self.options.depth):
            for worker in self._workers.values():
                if not (worker.usable and self._pending and len(worker.in_flight) <= held):
                    continue
                # Halves of a batch that killed its worker go first, each as it is (see _lost).
                items = self._next_suspects() or self.picker(worker.name, self._pending)
                if items:
                    for item in items:
                        self._pending.remove(item)
                    self._send(worker, items)

    def _send(self, worker: RemoteWorker, items: list[WorkItem]) -> None:
        batch = InFlight(worker.name, worker.address, items, on_node=frozenset(worker.references))
        worker.in_flight.append(batch)
        self._set_state(worker, WorkerState.WORKING)
        for item in items:
            self._listener.item_started(item.item_id, worker.name)
        cancel_event = self._cancel_event
        self._sender.submit(self._pack_and_submit, batch, cancel_event)

    def _pack_and_submit(self, batch: InFlight, cancel_event: str) -> None:
        """Read the batch's files, scatter them to its worker, submit its task (sender thread)."""
        from localclip.cluster.host import run_batch

        first = batch.items[0]
        try:
            payloads = [item.payload for item in batch.items]
            packed = pack_batch(first.kind, payloads, first.params, batch.on_node, self._reference_names)
            batch.carried = packed.carried
            if packed.unreadable:
                self._post(lambda: self._on_unreadable(batch, packed.unreadable))
            if not packed.items:
                self._post(lambda: self._on_outcome(batch, BatchOutcome(worker=batch.worker)))
                return
            [data] = self._client.scatter(
                [packed.to_wire()], workers=[batch.address], direct=True, hash=False
            )
            key = f"localclip-{first.kind}-{next(self._batch_numbers)}-{uuid.uuid4().hex[:8]}"
            future = self._client.submit(
                run_batch,
                data,
                travelling_params(first.kind, first.params),
                cancel_event,
                key=key,
                workers=[batch.address],
                allow_other_workers=False,
                resources={SLOT_RESOURCE: 1},
                pure=False,
            )
        except Exception as error:  # the worker left while the batch was sent: sent again elsewhere
            reason = f"could not send the batch to {batch.worker}: {error or type(error).__name__}"
            self._post(lambda: self._on_lost(batch, reason))
            return
        batch.future = future
        sent = {item.item_id for item in batch.items if item.item_id not in packed.unreadable}
        future.add_done_callback(lambda done: self._collect(batch, done, sent))

    def _collect(self, batch: InFlight, future: Any, sent: set[str]) -> None:
        """A batch's task ended: its outcome checked and its takes written (a Dask callback thread)."""
        if future.cancelled():
            self._post(lambda: self._on_lost(batch, "its Dask worker went away (the task was cancelled)"))
            return
        try:
            raw = future.result(timeout=RESULT_TIMEOUT_S)
        except Exception as error:  # the worker died, its data was lost, or a pickle was refused
            reason = (
                f"{batch.worker} did not return it: {protocol.truncate(str(error) or type(error).__name__)}"
            )
            self._post(lambda: self._on_lost(batch, reason))
            return
        try:
            outcome = check_outcome(raw, sent)
            self._write_takes(batch, outcome)
        except BadOutcome as error:
            reason = f"{batch.worker} sent a bad outcome: {error}"
            self._post(lambda: self._on_refused(batch, reason))
            return
        self._post(lambda: self._on_outcome(batch, outcome))

    def _write_takes(self, batch: InFlight, outcome: BatchOutcome) -> None:
        """A clone take's bytes written to the path the run chose; one that is no WAV file fails."""
        if batch.items[0].kind != JobKind.CLONE.worker_job:
            return
        payloads = {item.item_id: item.payload for item in batch.items}
        for item_id in list(outcome.results):
            data = outcome.files.pop(item_id, b"")
            if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
                del outcome.results[item_id]
                outcome.failures[item_id] = (
                    protocol.FAIL_EXCEPTION,
                    "the node sent no WAV file for the take",
                )
                continue
            try:
                target = Path(payloads[item_id]["out_path"])
                target.parent.mkdir(parents=True, exist_ok=True)  # a speaker's folder, as a worker makes it
                write_bytes_atomically(target, data)
            except OSError as error:
                del outcome.results[item_id]
                outcome.failures[item_id] = (protocol.FAIL_EXCEPTION, f"cannot write the take: {error}")

    def _take_back(self, batch: InFlight) -> RemoteWorker | None:
        """The batch's worker if the batch is still in flight there (not cancelled, not already lost)."""
        worker = self._workers.get(batch.worker)
        if worker is None or batch not in worker.in_flight:
            return None
        worker.in_flight.remove(batch)
        if not worker.in_flight and worker.usable:
            self._set_state(worker, WorkerState.IDLE)
        return worker

    def _on_outcome(self, batch: InFlight, outcome: BatchOutcome) -> None:
        worker = self._take_back(batch)
        if worker is None:
            return
        if outcome.missing_references:
            worker.references.clear()  # sent again with every reference's bytes
            self._listener.worker_log(
                worker.name, f"{worker.node} no longer holds the references it was sent: they go again"
            )
            self._requeue(batch.items, worker.name, "missing_references")
        elif outcome.setup_error:
            self._make_unusable(worker, outcome.setup_error)
            self._requeue(batch.items, worker.name, protocol.FAIL_SETUP)
            self._stop_if_nobody_can(outcome.setup_error)
        else:
            worker.references |= batch.carried  # kept by the node under their content names
            for item in batch.items:
                if item.item_id in outcome.results:
                    worker.slot.done += 1
                    self._counts.done += 1
                    self._listener.item_done(item.item_id, worker.name, outcome.results[item.item_id])
                elif item.item_id in outcome.failures:
                    self._on_item_failed(worker, item, *outcome.failures[item.item_id])
            self._listener.worker_log(  # the log says which machine did what
                worker.name,
                f"{worker.node} ran a batch of {len(batch.items)}: {len(outcome.results)} done, "
                f"{len(outcome.failures)} not",
            )
        self._tell_progress()
        self._dispatch()
        self._check_finished()

    def _on_item_failed(self, worker: RemoteWorker, item: WorkItem, code: str, reason: str) -> None:
        if code == protocol.FAIL_CANCELLED:
            if self._cancelling:
                self._counts.cancelled += 1
            else:
                self._requeue([item], worker.name, code)
            return
        item.attempts += 1
        if code == protocol.FAIL_OUT_OF_MEMORY and item.attempts < MAX_ITEM_ATTEMPTS:
            self._requeue([item], worker.name, code)
            return
        worker.slot.failed += 1
        self._fail(item, worker.name, code, reason)

    def _on_unreadable(self, batch: InFlight, unreadable: dict[str, str]) -> None:
        worker = self._workers.get(batch.worker)
        if worker is None or batch not in worker.in_flight:
            return
        for item in [item for item in batch.items if item.item_id in unreadable]:
            batch.items.remove(item)
            self._fail(item, batch.worker, protocol.FAIL_BAD_INPUT, unreadable[item.item_id])

    def _on_lost(self, batch: InFlight, reason: str) -> None:
        worker = self._workers.get(batch.worker)
        if worker is None or batch not in worker.in_flight:  # cancelled, or already lost
            return
        # Its Dask worker died (the scheduler cancels a task whose data went with it) or cannot be reached:
        # the batches waiting there are lost with it, and nothing more goes to that address until the
        # scheduler lists the worker again (a batch sent to a dead address would hold the sender thread for
        # Dask's connect timeout, 30 s, and every worker with it).
        worker.present = False
        self._lose_all(worker, reason)
        self._set_state(worker, WorkerState.RESTARTING)
        self._dispatch()
        self._check_finished()

    def _on_refused(self, batch: InFlight, reason: str) -> None:
        worker = self._take_back(batch)
        if worker is None:
            return
        self._listener.worker_problem(worker.name, reason)
        self._lost(batch, worker.name, reason)
        self._dispatch()
        self._check_finished()

    def _lost(self, batch: InFlight, worker_name: str, reason: str, suspect: bool = True) -> None:
        """A batch that did not come back goes to the front of the queue.

        One clip that crashes its Dask worker must not fail the 255 others of its batch, so a lost batch
        that may have killed its worker (``suspect``: the one running, not one waiting behind it) goes back
        in two halves, each sent as a batch of its own before the rest of the queue and never merged by
        the picker: a binary search that ends with the culprit alone, log2(batch size) losses later. Only
        the losses of an item sent alone count: after allowed-failures + 1 of them (Dask's limit for a
        task that kills workers) it fails with the reason, and the run goes on. A batch lost with a node
        that simply died comes back in halves too, which costs nothing but a batch more."""
        items = batch.items
        if not suspect or not items:
            self._requeue(items, worker_name, "worker_died")
            self._listener.worker_log(
                worker_name, f"a batch of {len(items)} waiting on the worker went back to the queue: {reason}"
            )
            return
        if len(items) > 1:
            half = (len(items) + 1) // 2
            self._requeue(items, worker_name, "worker_died")
            self._suspects.extendleft([items[half:], items[:half]])  # the first half first
            self._listener.worker_log(
                worker_name, f"a batch of {len(items)} went back to the queue in two halves: {reason}"
            )
            return
        [item] = items
        item.attempts += 1
        limit = self._loss_limit()
        if item.attempts >= limit:
            text = (
                f"it kept killing its worker: lost with it {item.attempts} times, sent alone (the cluster "
                f"allows {limit - 1} failures: distributed.scheduler.allowed-failures); last: {reason}"
            )
            self._fail(item, worker_name, "worker_died", text)
            self._listener.worker_log(worker_name, f"{item.item_id} failed: {text}")
            return
        self._requeue(items, worker_name, "worker_died")
        self._suspects.appendleft(items)
        self._listener.worker_log(
            worker_name,
            f"{item.item_id} went back to the queue, alone ({item.attempts} of {limit} losses): {reason}",
        )

    def _next_suspects(self) -> list[WorkItem]:
        """The next part of a lost batch, of its items those still queued (a cancel drops them), or []."""
        groups = self._suspects
        while groups:
            queued = {id(item) for item in self._pending}
            group = [item for item in groups.popleft() if id(item) in queued]
            if group:
                return group
        return []

    def _lose_all(self, worker: RemoteWorker, reason: str) -> None:
        batches, worker.in_flight = worker.in_flight, []
        futures = [batch.future for batch in batches if batch.future is not None]
        if futures:
            self._control.submit(self._cancel_futures, futures)
        # A Dask worker of a node runs its batches one at a time, in the order they were sent: only the
        # first can have killed it, the others were waiting.
        for index, batch in enumerate(batches):
            self._lost(batch, worker.name, reason, suspect=index == 0)

    def _cancel_futures(self, futures: list[Any]) -> None:
        try:
            self._client.cancel(futures)
        except Exception as error:
            log.warning("cancelling lost batches: %s", error)

    def _loss_limit(self) -> int:
        if self._max_losses is None:
            import dask

            self._max_losses = int(dask.config.get("distributed.scheduler.allowed-failures", 3)) + 1
        return self._max_losses

    def _make_unusable(self, worker: RemoteWorker, reason: str) -> None:
        worker.unusable = reason
        self._listener.worker_problem(worker.name, reason)
        self._set_state(worker, WorkerState.RETIRED)
        batches, worker.in_flight = worker.in_flight, []
        for batch in batches:
            self._requeue(batch.items, worker.name, protocol.FAIL_SETUP)

    def _wait_for_workers(self) -> None:
        """Queued work and no worker to take it. If every worker the cluster has said why it cannot work,
        stop the run at once with their reasons, as for a node without the model; else (none yet, or one
        restarting) wait NO_WORKER_GRACE_S for one (a node restarting its worker, a node joining), then
        stop the run with the reason."""
        workers = list(self._workers.values())
        if any(worker.usable for worker in workers) or not self._pending:
            self._nobody_since = None
            return
        if workers and all(worker.present for worker in workers):
            self._stop_if_nobody_can()
            return
        now = time.monotonic()
        if self._nobody_since is None:
            self._nobody_since = now
        elif now - self._nobody_since >= NO_WORKER_GRACE_S:
            self._stop_if_nobody_can(
                f"the cluster at {self.address} has no LocalClip worker that can run this job: start "
                f"'localclip node --scheduler {self.address}' on its GPU machines"
            )

    def _stop_if_nobody_can(self, reason: str = "") -> None:
        """No worker of the cluster can take the run's work: stop the run once, with the reason, and the
        reasons its workers gave (the distinct ones, a few at most)."""
        if any(worker.usable for worker in self._workers.values()) or not self._pending:
            return
        reasons = list(
            dict.fromkeys(w.unusable for w in self._workers.values() if w.unusable and w.unusable != reason)
        )
        given = "; ".join(reasons[:MAX_REASONS_QUOTED])
        if len(reasons) > MAX_REASONS_QUOTED:
            given += f" (and {len(reasons) - MAX_REASONS_QUOTED} more)"
        if reason and given:
            reason = f"{reason}. {given}"
        reason = reason or given or "the cluster has no LocalClip worker"
        if not self._counts.setup_error:
            self._counts.setup_error = reason
        self.cancel()

    # -- counts ---------------------------------------------------------------------------------------------

    def _requeue(self, items: list[WorkItem], worker_name: str, code: str) -> None:
        for item in reversed(items):
            if self._cancelling or self._stopping:
                self._counts.cancelled += 1
                continue
            self._pending.appendleft(item)
            self._listener.item_requeued(item.item_id, worker_name, code)

    def _fail(self, item: WorkItem, worker_name: str, code: str, reason: str) -> None:
        self._counts.add_failure(item.item_id, code, reason)
        self._listener.item_failed(item.item_id, worker_name, code, reason)
        self._tell_progress()

    def _fail_pending(self, code: str, reason: str) -> None:
        items, self._pending = list(self._pending), deque()
        for item in items:
            self._fail(item, "", code, reason)

    def _tell_progress(self) -> None:
        finished = self._counts.done + self._counts.failed + self._counts.cancelled
        now = time.monotonic()
        if finished < self._counts.total and now < self._next_progress:
            return
        self._next_progress = now + PROGRESS_INTERVAL_S
        self._listener.progress(finished, self._counts.total)

    def _check_finished(self) -> None:
        if self._counts.total == 0 or self.busy:
            return
        summary = self.summary()
        summary["cancelled_run"] = self._cancelling and not self._counts.setup_error
        self._cancelling = False
        self._counts = RunCounts()
        self._listener.finished(summary)

    def _set_state(self, worker: RemoteWorker, state: WorkerState) -> None:
        if worker.slot.state != state:
            worker.slot.state = state
            self._listener.worker_state_changed(worker.name, str(state))
            self._tell_workers()


def _cannot_work(news: NodeNews) -> str:
    return f"{news.node} cannot run LocalClip's jobs: {news.problem}"


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
