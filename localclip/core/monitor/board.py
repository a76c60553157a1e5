"""What every worker is doing, and how far the run is: the view models behind the per-worker panes, the
overall progress bar and the log panel.

Plain Python (no Qt): the pool's signals and the workers' protocol events go in through ``on_*`` methods,
and the widgets read the results on their own timer. Every payload is untrusted (a worker may send a
wrong-typed field, and extra fields are allowed by the protocol), so no ``on_*`` method raises on bad
input: odd values are ignored or shown as unknown.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from localclip.core.kinds import WorkerState

STDERR_LINES_KEPT = 200  # per worker, for "show its log" on a pane
LOG_LINE_CHARS = 2000  # a log line longer than this is cut: one line must not flood a text view
TRANSITIONS_KEPT = 64
RATE_WINDOW_S = 20.0  # rates and ETAs follow the last 20 s, so a slow model load does not skew them
SAMPLE_SPACING_S = 0.1

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # colours and cursor moves (tqdm, loggers)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PaneState(StrEnum):
    """What a pane shows: the pool's worker states, refined by the protocol events and the run's end."""

    STARTING = "starting"
    LOADING = "loading"  # a job arrived and the worker is setting its kind up (loading the model)
    READY = "ready"  # idle with a model loaded: warm, takes work at once
    WORKING = "working"
    IDLE = "idle"  # said hello, nothing loaded yet
    RESTARTING = "restarting"  # from its death until the new process says hello
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"  # retired by the pool: it kept dying or cannot start
    DONE = "done"  # the run finished and this worker has nothing left to do
    CANCELLED = "cancelled"  # the run was cancelled


@dataclass(frozen=True)
class ItemInfo:
    """How a pane names an item: its speaker, a short label and a longer detail (tooltip)."""

    speaker: str = ""
    label: str = ""
    detail: str = ""


Describer = Callable[[str], ItemInfo | None]


# -- untrusted values ----------------------------------------------------------------------------------


def as_number(value: object) -> float | None:
    """A finite JSON number, else None (bools are not numbers here, as in the protocol)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def as_count(value: object) -> int | None:
    number = as_number(value)
    return int(number) if number is not None and number >= 0 else None


def as_text(value: object, limit: int = LOG_LINE_CHARS) -> str:
    if not isinstance(value, str):
        return ""
    return value if len(value) <= limit else value[:limit] + "…"


def clean_log_line(value: object, limit: int = LOG_LINE_CHARS) -> str:
    """One line of worker output made safe to show: escape sequences gone, control characters replaced,
    cut to ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    text = _ANSI_ESCAPE.sub("", text.rstrip("\r\n"))
    if "\r" in text:  # a progress bar redrawn in place: only its last state is worth showing
        text = text.rsplit("\r", 1)[-1]
    text = _CONTROL.sub("\ufffd", text)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


# -- rates -----------------------------------------------------------------------------------------------


@dataclass
class TokenRate:
    """A cloning worker's generated tokens per second of its generation time.

    A worker decodes several lines at once, and each line reports the seconds it took while sharing the
    model: their sum would count shared time once per line. This counts the time the lines cover instead:
    each line spans ``[end - seconds, end]`` (its end is when its result arrived), and only the part of a
    span after the last covered instant is added (results arrive in the order lines end)."""

    tokens: int = 0
    seconds: float = 0.0
    _covered_until: float = float("-inf")

    def add(self, tokens: int, seconds: float, end: float) -> None:
        self.tokens += tokens
        start = max(end - seconds, self._covered_until)
        if end > start:
            self.seconds += end - start
        self._covered_until = max(self._covered_until, end)

    @property
    def per_second(self) -> float | None:
        return self.tokens / self.seconds if self.tokens > 0 and self.seconds > 0 else None


class RateMeter:
    """Units per second over the last ``window`` seconds, from cumulative counts.

    Returns None until two samples are at least ``min_span`` apart: a burst of results at one instant
    says nothing about a rate. Measured up to *now*, so a stalled worker's rate decays to zero."""

    def __init__(self, window: float = RATE_WINDOW_S, min_span: float = 0.5) -> None:
        self.window = window
        self.min_span = min_span
        self._samples: deque[tuple[float, float]] = deque()
        self.total = 0.0

    def add(self, now: float, amount: float = 1.0) -> None:
        self.set_total(now, self.total + amount)

    def set_total(self, now: float, total: float) -> None:
        """Record a cumulative count. The first sample marks the start: a rate counts what follows it."""
        if total < self.total:  # counting started over (a new run)
            self._samples.clear()
        self.total = total
        if len(self._samples) > 1 and now - self._samples[-1][0] < SAMPLE_SPACING_S:
            self._samples[-1] = (now, total)  # results in bursts: one sample per spacing keeps this small
        else:
            self._samples.append((now, total))
        self._prune(now)

    def _prune(self, now: float) -> None:
        # Keep one sample at or before the window's start, so the window is always covered.
        while len(self._samples) > 2 and self._samples[1][0] <= now - self.window:
            self._samples.popleft()

    def rate(self, now: float) -> float | None:
        if len(self._samples) < 2:
            return None
        self._prune(now)
        start_time, start_total = self._samples[0]
        span = now - start_time
        if span < self.min_span or self._samples[-1][0] - start_time < self.min_span / 2:
            return None
        return max(0.0, (self.total - start_total) / span)

    def reset(self) -> None:
        self._samples.clear()
        self.total = 0.0


# -- one worker --------------------------------------------------------------------------------------------


@dataclass
class WorkerStatus:
    """A pane's view model."""

    worker_id: str
    gpu_name: str = ""  # "" for a CPU worker
    gpu_uuid: str = ""
    pool_state: str = WorkerState.STARTING
    state: PaneState = PaneState.STARTING
    transitions: deque[PaneState] = field(default_factory=lambda: deque(maxlen=TRANSITIONS_KEPT))
    restarts: int = 0
    problem: str = ""  # the last problem the pool reported about this worker
    pid: int | None = None
    hello_seen: bool = False  # in the current process
    restarting: bool = False  # died and not yet back (hello)
    ready_kinds: set[str] = field(default_factory=set)  # kinds set up in the current process
    load_seconds: float | None = None
    current_kind: str = ""
    finish: PaneState | None = None  # DONE or CANCELLED once the run has ended
    # the current unit of work (one job: a batch of clips, or a speaker's lines)
    in_flight: dict[str, None] = field(default_factory=dict)  # ordered set of item ids
    unit_total: int = 0
    unit_reported: int = 0
    item_id: str = ""
    item: ItemInfo = field(default_factory=ItemInfo)
    item_fraction: float = 0.0
    item_steps: tuple[float, float] | None = None  # the running item's own (done, total), when it says
    item_message: str = ""  # what those steps are ("chunks")
    done: int = 0
    # Handed back unfinished: cancelled, or requeued after a crash or out of memory (another worker, or
    # this one restarted, takes them). Not called "skipped", which reads as "already done before".
    handed_back: int = 0
    failed: int = 0
    last_failure: str = ""
    rss_bytes: int | None = None
    model_memory_bytes: int | None = None
    gpu_memory_bytes: int | None = None
    generation: TokenRate = field(default_factory=TokenRate)
    items_meter: RateMeter = field(default_factory=RateMeter)
    stderr: deque[str] = field(default_factory=lambda: deque(maxlen=STDERR_LINES_KEPT))
    stderr_serial: int = 0  # lines ever received: a view redraws the tail only when this moves

    @property
    def on_cpu(self) -> bool:
        return not self.gpu_uuid and not self.gpu_name

    @property
    def unit_fraction(self) -> float:
        if self.unit_total <= 0:
            return 0.0
        return min(1.0, (self.unit_reported + self.item_fraction) / self.unit_total)

    def items_per_s(self, now: float) -> float | None:
        return self.items_meter.rate(now)

    @property
    def tokens_per_s(self) -> float | None:
        """Generated tokens per second of generation (cloning); None when the job counts no tokens."""
        return self.generation.per_second

    @property
    def memory_bytes(self) -> int | None:
        """Resident memory now (heartbeats), else what the model load reported."""
        return self.rss_bytes if self.rss_bytes is not None else self.model_memory_bytes


def pane_state(status: WorkerStatus) -> PaneState:
    """The pane state from the pool state and what the worker said (see PaneState)."""
    pool = status.pool_state
    if pool == WorkerState.RETIRED:
        return PaneState.FAILED
    if pool == WorkerState.RESTARTING or (pool == WorkerState.STARTING and status.restarting):
        return PaneState.RESTARTING
    resting = (WorkerState.IDLE, WorkerState.STOPPING, WorkerState.STOPPED, WorkerState.STARTING)
    if status.finish is not None and pool in resting:
        return status.finish
    if pool == WorkerState.WORKING:
        if status.current_kind:
            return PaneState.WORKING if status.current_kind in status.ready_kinds else PaneState.LOADING
        nothing_yet = not status.ready_kinds and status.unit_reported == 0 and status.item_fraction == 0
        return PaneState.LOADING if nothing_yet else PaneState.WORKING
    if pool == WorkerState.IDLE:
        return PaneState.READY if status.ready_kinds else PaneState.IDLE
    if pool == WorkerState.STOPPING:
        return PaneState.STOPPING
    if pool == WorkerState.STOPPED:
        return PaneState.STOPPED
    return PaneState.STARTING


class WorkerBoard:
    """Every worker's status, fed by the pool's signals (one ``on_*`` method per signal).

    ``describe`` names an item (speaker, label) from its id; the run knows, the pool does not.
    ``take_dirty`` returns the workers changed since the last call, so a view redraws only those.
    """

    def __init__(
        self, describe: Describer | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.describe = describe
        self.clock = clock
        self.workers: dict[str, WorkerStatus] = {}
        self._dirty: set[str] = set()
        self.added: list[str] = []  # workers that appeared since the last take_added()
        self._handlers: dict[str, Callable[[WorkerStatus, dict[str, Any]], None]] = {
            "hello": self._on_hello,
            "ready": self._on_ready,
            "progress": self._on_progress,
            "heartbeat": self._on_heartbeat,
            "item_failed": self._on_item_failed_event,
            "error": self._on_error,
        }

    # -- workers -----------------------------------------------------------------------------------------

    def add_worker(self, worker_id: object, gpu_name: object = "", gpu_uuid: object = "") -> WorkerStatus:
        key = str(worker_id)
        status = self.workers.get(key)
        if status is None:
            status = WorkerStatus(key, as_text(gpu_name, 200), as_text(gpu_uuid, 200))
            status.transitions.append(status.state)
            self.workers[key] = status
            self.added.append(key)
        self._dirty.add(key)
        return status

    def new_run(self) -> None:
        """A new run on the same (warm) workers: per-run counts start over; what is known about each
        process (models loaded, memory, log, restarts) stays."""
        for status in self.workers.values():
            status.done = status.handed_back = status.failed = 0
            status.last_failure = ""
            status.generation = TokenRate()
            status.items_meter.reset()
            status.finish = None
            self._touch(status)

    def touch(self, worker_id: str) -> None:
        """Mark a worker for redrawing (a new view of it)."""
        if worker_id in self.workers:
            self._dirty.add(worker_id)

    def take_dirty(self) -> set[str]:
        dirty, self._dirty = self._dirty, set()
        return dirty

    def take_added(self) -> list[str]:
        added, self.added = self.added, []
        return added

    def _known(self, worker_id: object) -> WorkerStatus | None:
        """Only state changes add workers: an item pinned to a worker that does not exist is reported
        under that id, and must not make a pane appear."""
        return self.workers.get(str(worker_id))

    def _touch(self, status: WorkerStatus) -> None:
        state = pane_state(status)
        if state != status.state:
            status.state = state
            status.transitions.append(state)
        self._dirty.add(status.worker_id)

    # -- pool signals ------------------------------------------------------------------------------------

    def on_state(self, worker_id: object, state: object) -> None:
        status = self.add_worker(worker_id)
        new = str(state)
        if new == "restarting":
            status.restarts += 1
            status.restarting = True
        if new in ("restarting", "starting", "retired", "stopped"):
            status.handed_back += len(status.in_flight)  # what the pool dropped silently (a cancel's death)
            self._end_unit(status)
            if new != "stopped":
                status.hello_seen = False
                status.ready_kinds.clear()
                status.rss_bytes = None
        if new == "working":
            status.finish = None
        status.pool_state = new
        self._touch(status)

    def on_item_started(self, item_id: object, worker_id: object, kind: object = "") -> None:
        if (status := self._known(worker_id)) is None:
            return
        key = str(item_id)
        status.finish = None
        if status.unit_reported >= status.unit_total:  # the first item of a new job
            status.unit_total = status.unit_reported = 0
        status.unit_total += 1
        status.in_flight[key] = None
        status.current_kind = kind if isinstance(kind, str) else ""
        if status.item_id not in status.in_flight:
            self._set_item(status, key)
        self._touch(status)

    def on_item_done(self, item_id: object, worker_id: object, result: object) -> None:
        if (status := self._known(worker_id)) is None:
            return
        if not self._report(status, str(item_id)):
            return
        status.done += 1
        status.items_meter.add(self.clock())
        if isinstance(result, dict):
            tokens = as_count(result.get("tokens"))
            seconds = as_number(result.get("generate_seconds"))
            if tokens is not None and seconds is not None and seconds > 0:
                status.generation.add(tokens, seconds, self.clock())
            gpu = as_count(result.get("gpu_memory_bytes"))
            if gpu:
                status.gpu_memory_bytes = gpu
        self._touch(status)

    def on_item_failed(self, item_id: object, worker_id: object, code: object, reason: object) -> None:
        if (status := self._known(worker_id)) is None:
            return
        # Items that never ran here (no worker left for them) are the run's failures, not this worker's.
        if not self._report(status, str(item_id)):
            return
        status.failed += 1
        status.items_meter.add(self.clock())
        status.last_failure = f"{as_text(code, 100)}: {as_text(reason, 500)}"
        self._touch(status)

    def on_item_requeued(self, item_id: object, worker_id: object, code: object = "") -> None:
        if (status := self._known(worker_id)) is None:
            return
        if self._report(status, str(item_id)):
            status.handed_back += 1
            self._touch(status)

    def on_log(self, worker_id: object, line: object) -> None:
        if (status := self._known(worker_id)) is None:
            return
        status.stderr.append(clean_log_line(line))
        status.stderr_serial += 1

    def on_problem(self, worker_id: object, text: object) -> None:
        if (status := self._known(worker_id)) is None:
            return
        status.problem = clean_log_line(text, 1000)
        self._touch(status)

    def on_run_finished(self, summary: object) -> None:
        """The pool's ``finished``: every worker still alive is done (or cancelled)."""
        cancelled = isinstance(summary, dict) and summary.get("cancelled_run") is True
        for status in self.workers.values():
            if status.pool_state == WorkerState.RETIRED:
                continue
            status.finish = PaneState.CANCELLED if cancelled else PaneState.DONE
            status.handed_back += len(status.in_flight)
            self._end_unit(status)
            self._touch(status)

    # -- protocol events -----------------------------------------------------------------------------------

    def on_event(self, worker_id: object, message: object) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is not None:
            if (status := self._known(worker_id)) is None:
                return
            handler(status, message)
            self._touch(status)

    def _on_hello(self, status: WorkerStatus, message: dict[str, Any]) -> None:
        status.hello_seen = True
        status.restarting = False
        status.ready_kinds.clear()
        pid = as_count(message.get("pid"))
        status.pid = pid

    def _on_ready(self, status: WorkerStatus, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        status.ready_kinds.add(kind if isinstance(kind, str) else "")
        if not isinstance(kind, str) and status.current_kind:  # unnamed: take it as the current job's
            status.ready_kinds.add(status.current_kind)
        status.load_seconds = as_number(message.get("load_seconds"))
        memory = as_count(message.get("memory_bytes"))
        if memory is not None:
            status.model_memory_bytes = memory
        cuda = as_count(message.get("cuda_memory_allocated"))
        if cuda:
            status.gpu_memory_bytes = cuda

    def _on_progress(self, status: WorkerStatus, message: dict[str, Any]) -> None:
        item_id = message.get("item_id")
        if not isinstance(item_id, str) or item_id not in status.in_flight:
            return
        if item_id != status.item_id:
            self._set_item(status, item_id)
        done, total = as_number(message.get("done")), as_number(message.get("total"))
        if done is not None and total is not None and total > 0:
            status.item_fraction = min(1.0, max(0.0, done / total))
            status.item_steps = (done, total)
        status.item_message = as_text(message.get("message"), 200)
        if status.current_kind and status.current_kind not in status.ready_kinds:
            status.ready_kinds.add(status.current_kind)  # progress means set-up is over

    def _on_heartbeat(self, status: WorkerStatus, message: dict[str, Any]) -> None:
        rss = as_count(message.get("rss_bytes"))
        if rss:  # 0: the worker cannot measure it
            status.rss_bytes = rss

    def _on_item_failed_event(self, status: WorkerStatus, message: dict[str, Any]) -> None:
        # Cancelled items reach the pool's signals only as a requeue, or not at all during a cancel.
        if message.get("code") == "cancelled" and self._report(status, str(message.get("item_id"))):
            status.handed_back += 1

    def _on_error(self, status: WorkerStatus, message: dict[str, Any]) -> None:
        status.problem = clean_log_line(as_text(message.get("message"), 1000))

    # -- units and items ------------------------------------------------------------------------------------

    def _report(self, status: WorkerStatus, item_id: str) -> bool:
        """Take an item off the worker; False when it was not in flight there (already reported)."""
        if item_id not in status.in_flight:
            return False
        del status.in_flight[item_id]
        status.unit_reported = min(status.unit_total, status.unit_reported + 1)
        if item_id == status.item_id or status.item_id not in status.in_flight:
            _clear_item_progress(status)
            next_item = next(iter(status.in_flight), "")
            if next_item:
                self._set_item(status, next_item)
        return True

    def _set_item(self, status: WorkerStatus, item_id: str) -> None:
        status.item_id = item_id
        _clear_item_progress(status)
        info: ItemInfo | None = None
        if self.describe is not None:
            try:
                info = self.describe(item_id)
            except Exception:  # a describer must never break the pane; the id alone will do
                info = None
        status.item = info if isinstance(info, ItemInfo) else ItemInfo(label=item_id)

    def _end_unit(self, status: WorkerStatus) -> None:
        status.in_flight.clear()
        status.unit_total = status.unit_reported = 0
        _clear_item_progress(status)
        status.current_kind = ""


def _clear_item_progress(status: WorkerStatus) -> None:
    status.item_fraction = 0.0
    status.item_steps = None
    status.item_message = ""


# -- the whole run -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFigures:
    """The overall bar's numbers, from a run's progress object (EmbedProgress, CloneProgress) or the
    pool's (finished, total)."""

    noun: str  # "clips", "lines" or "items"
    total: int  # everything in the run, already_done included
    already_done: int  # done before the run started (in the store, or up to date): not run again
    done: int
    failed: int
    items_per_s: float | None
    tokens_per_s: float | None
    eta_seconds: float | None
    elapsed_seconds: float

    @property
    def finished(self) -> int:
        return self.already_done + self.done + self.failed

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.finished)

    @property
    def fraction(self) -> float:
        return min(1.0, self.finished / self.total) if self.total > 0 else 0.0


class RunTracker:
    """Reads a run's progress object (duck-typed: runs are a layer above core) into RunFigures, with an
    ETA from the recent rate rather than the average since start (which includes model loading)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.meter = RateMeter()
        self._started = clock()
        self._noun = "items"
        self._counts = (0, 0, 0, 0)  # total, already done, done, failed
        self._tokens_per_s: float | None = None
        self._ended_at: float | None = None

    def reset(self) -> None:
        self.meter.reset()
        self._started = self.clock()
        self._counts = (0, 0, 0, 0)
        self._tokens_per_s = None
        self._ended_at = None

    def on_progress(self, progress: object) -> None:
        """An EmbedProgress or CloneProgress (or anything with the same fields)."""
        done = as_count(getattr(progress, "done", None)) or 0
        failed = as_count(getattr(progress, "failed", None)) or 0
        total = as_count(getattr(progress, "total", None)) or 0
        if hasattr(progress, "up_to_date"):  # cloning: ``total`` counts only the lines to generate
            self._noun = "lines"
            already_done = as_count(getattr(progress, "up_to_date", None)) or 0
            total += already_done
            try:
                self._tokens_per_s = as_number(getattr(progress, "tokens_per_s", None))
            except Exception:  # a property computed from untrusted results
                self._tokens_per_s = None
        else:
            # embedding: EmbedProgress.skipped counts the clips already in the store
            self._noun = "clips" if hasattr(progress, "skipped") else "items"
            already_done = as_count(getattr(progress, "skipped", None)) or 0
        self._update(total, already_done, done, failed)

    def on_pool_progress(self, finished: object, total: object) -> None:
        """The pool's ``progress(finished, total)``, for runs without their own progress object."""
        self._noun = "items"
        self._update(as_count(total) or 0, 0, as_count(finished) or 0, 0)

    def _update(self, total: int, already_done: int, done: int, failed: int) -> None:
        total = max(total, already_done + done + failed)
        self._counts = (total, already_done, done, failed)
        if done + failed > 0:  # the first result starts the rate: model loading before it is not work
            self.meter.set_total(self.clock(), done + failed)
        self._ended_at = None

    def on_finished(self) -> None:
        self._ended_at = self.clock()

    def figures(self) -> RunFigures:
        now = self._ended_at if self._ended_at is not None else self.clock()
        total, already_done, done, failed = self._counts
        elapsed = max(0.0, now - self._started)
        if self._ended_at is None:
            rate = self.meter.rate(now)
        else:  # over: the average of the whole run
            rate = (done + failed) / elapsed if elapsed > 0 and done + failed else None
        remaining = max(0, total - already_done - done - failed)
        eta = remaining / rate if rate and remaining else (0.0 if total and not remaining else None)
        return RunFigures(
            noun=self._noun,
            total=total,
            already_done=already_done,
            done=done,
            failed=failed,
            items_per_s=rate,
            tokens_per_s=self._tokens_per_s,
            eta_seconds=eta,
            elapsed_seconds=elapsed,
        )


# -- the log -----------------------------------------------------------------------------------------------


class LogKind(StrEnum):
    STATE = "state"
    INFO = "info"
    PROBLEM = "problem"
    FAILURE = "failure"
    OUTPUT = "output"  # a worker's stderr


@dataclass(frozen=True)
class LogEntry:
    serial: int
    wall_time: float  # time.time(): shown as the clock time
    worker_id: str  # "" for the run itself
    kind: LogKind
    text: str


class LogBook:
    """The log panel's entries, bounded: a chatty worker pushes old lines out instead of eating memory."""

    def __init__(self, limit: int = 20_000, wall_clock: Callable[[], float] = time.time) -> None:
        self.entries: deque[LogEntry] = deque(maxlen=limit)
        self.serial = 0
        self.wall_clock = wall_clock
        self.workers: list[str] = []  # every worker that wrote something, in order of appearance

    def add(self, worker_id: object, kind: LogKind, text: object) -> LogEntry:
        self.serial += 1
        key = "" if worker_id is None else str(worker_id)
        if key and key not in self.workers:
            self.workers.append(key)
        entry = LogEntry(self.serial, self.wall_clock(), key, kind, clean_log_line(text))
        self.entries.append(entry)
        return entry

    def since(self, serial: int) -> list[LogEntry]:
        """Entries added after ``serial`` that are still kept, oldest first."""
        newer = self.serial - serial
        if newer <= 0:
            return []
        count = min(newer, len(self.entries))
        return [self.entries[index] for index in range(len(self.entries) - count, len(self.entries))]

    def select(self, worker_id: str | None, kinds: Iterable[LogKind] | None = None) -> list[LogEntry]:
        """Entries of one worker ("" the run's own; None every worker), of the given kinds."""
        wanted = set(kinds) if kinds is not None else set(LogKind)
        return [
            entry
            for entry in self.entries
            if (worker_id is None or entry.worker_id == worker_id) and entry.kind in wanted
        ]

    def clear(self) -> None:
        self.entries.clear()
