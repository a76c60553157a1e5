"""Runs from the window: queued folders one after another, each an embedding or a cloning run.

No widgets here: the controller prepares each run from the settings (``localclip.runs.setup``), tells
the window when a run's pool exists (so panes can attach before the first worker starts), and reports
through signals. One folder runs at a time; the next starts once the previous run's workers are gone.
After an embedding run the speakers are aggregated on a worker thread (``core.speaker_update``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from localclip.core.kinds import KIND_DATASET, JobKind, ModelKind
from localclip.core.options import (
    SPEAKERS_MIN_UTTERANCES,
    SPEAKERS_NORMALIZE,
)
from localclip.runs.background import BackgroundTask, error_details, run_in_background
from localclip.runs.folders import FolderEntry, FolderStatus
from localclip.runs.report import RunReport
from localclip.settings import Settings

if TYPE_CHECKING:
    from localclip.core.machine.gpus import GpuReport
    from localclip.pool.pool import WorkerPool
    from localclip.runs.setup import PreparedRun


class RunState(StrEnum):
    IDLE = "idle"
    PREPARING = "preparing"  # checking the model, planning
    RUNNING = "running"
    CANCELLING = "cancelling"
    FINISHING = "finishing"  # workers shutting down, speakers being aggregated
    STOPPING = "stopping"  # the window is closing


class RunController(QObject):
    state_changed = Signal(str)  # RunState value
    entry_status = Signal(object, str)  # FolderEntry, FolderStatus value
    # FolderEntry: a run is about to be planned. Workers outside it (the review's warm worker for new takes)
    # must go now: the plan counts every GPU's memory as the run's own.
    run_starting = Signal(object)
    run_started = Signal(object, object)  # FolderEntry, PreparedRun: attach views now, workers start next
    run_finished = Signal(object, object)  # FolderEntry, RunReport (after the workers are gone)
    pool_released = Signal(object, object)  # FolderEntry, WorkerPool: a clone run's warm workers, handed on
    probe_started = Signal(object)  # WorkerPool
    probe_finished = Signal(object, object)  # summary, {worker id: probe result}
    progress = Signal(object)  # EmbedProgress or CloneProgress
    message = Signal(str)  # for the status bar
    problem = Signal(str)  # a run's notice, for the log
    error = Signal(str, str, str)  # title, message, details
    stopped = Signal()  # after shutdown(): no worker is left

    def __init__(
        self,
        settings: Settings,
        gpu_report: Callable[[], GpuReport | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._gpu_report = gpu_report
        self.state = RunState.IDLE
        self.queue: deque[FolderEntry] = deque()
        self.entry: FolderEntry | None = None
        self.prepared: PreparedRun | None = None
        self.pool: WorkerPool | None = None  # the pool of the run or probe under way
        self.report: RunReport | None = None
        self._skip_existing = True
        self._task: BackgroundTask | None = None
        self._pool_gone = True
        self._speakers_pending = False
        self._cancelled = False

    # -- public API ---------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.state != RunState.IDLE

    def start(self, entries: list[FolderEntry], skip_existing: bool = True) -> bool:
        """Run ``entries`` one after another. False (nothing started) when a run is under way."""
        usable = [entry for entry in entries if entry.usable]
        if self.busy or not usable:
            return False
        self._skip_existing = skip_existing
        self._cancelled = False
        self.queue = deque(usable)
        for entry in usable:
            self.entry_status.emit(entry, FolderStatus.QUEUED)
        self._next()
        return True

    def cancel(self) -> None:
        """Stop the run under way (workers stop within seconds) and drop the queued folders."""
        if not self.busy or self.state in (RunState.CANCELLING, RunState.STOPPING):
            return
        self._cancelled = True
        self._release_queue()
        if self.state == RunState.PREPARING:
            if self._task is not None:
                self._task.cancel()
            entry, self.entry = self.entry, None
            if entry is not None:
                self.entry_status.emit(entry, FolderStatus.READY)
            self._set_state(RunState.IDLE)
            return
        if self.state == RunState.RUNNING:
            self._set_state(RunState.CANCELLING)
            self.message.emit(self.tr("Cancelling: stopping the workers…"))
            if self.prepared is not None:
                self.prepared.run.cancel()
            elif self.pool is not None:  # a probe
                self.pool.shutdown()

    def shutdown(self) -> None:
        """Stop everything now (the window is closing); ``stopped`` follows when no worker is left."""
        self._cancelled = True
        self._release_queue()
        if self._task is not None:
            self._task.cancel()
        self._set_state(RunState.STOPPING)
        if self.pool is not None and not self._pool_gone:
            self.pool.shutdown()
        else:
            self._set_state(RunState.IDLE)
            self.stopped.emit()

    def start_probe(self) -> bool:
        """The probe job on every planned worker: checks that the worker environment works."""
        if self.busy:
            return False
        from localclip.core.machine.gpus import probe_gpus
        from localclip.core.machine.plan import plan_workers
        from localclip.core.options import RUN_DEVICE
        from localclip.pool.launch import WorkerConfigError
        from localclip.runs.probe import ProbeRun

        try:
            plan = plan_workers(
                self._gpu_report() or probe_gpus(),
                self.settings.plan_settings(),
                device=self.settings.get(RUN_DEVICE),
            )
        except ValueError as error:
            self.error.emit(self.tr("Cannot check the workers"), str(error), "")
            return False
        probe = ProbeRun(plan, self.settings.worker_python("default"), parent=self)
        probe.finished.connect(self._on_probe_finished)
        probe.pool.stopped.connect(self._on_pool_stopped)
        self.pool, self._pool_gone = probe.pool, False
        self.probe_started.emit(probe.pool)
        try:
            probe.start()
        except WorkerConfigError as error:
            self.error.emit(self.tr("The workers cannot start"), str(error), "")
            self.pool, self._pool_gone = None, True
            self.probe_finished.emit({"done": 0, "failed": 0, "error": str(error)}, {})
            return False
        self._set_state(RunState.RUNNING)
        self.message.emit(self.tr("Checking the workers…"))
        probe.submit()
        return True

    # -- one folder after another -------------------------------------------------------------------------

    def _release_queue(self) -> None:
        while self.queue:
            self.entry_status.emit(self.queue.popleft(), FolderStatus.READY)

    def _next(self) -> None:
        if self._cancelled or not self.queue:
            self.queue.clear()
            self._set_state(RunState.IDLE)
            return
        entry = self.queue.popleft()
        self.entry, self.report = entry, None
        self._set_state(RunState.PREPARING)
        self.run_starting.emit(entry)  # before the model check and the plan that follows it
        self.entry_status.emit(entry, FolderStatus.RUNNING)
        job = JobKind.for_folder(entry.kind)
        kind = job.model_kind
        folder = self.settings.get(job.model_dir_option)
        if not folder:
            what = (
                self.tr("speaker embedding (WeSpeaker)")
                if kind == ModelKind.WESPEAKER
                else self.tr("voice cloning (Fish-Speech)")
            )
            self._setup_failed(
                self.tr(
                    "No {what} model is chosen. Choose its folder in Settings, "
                    "or get one with Manage models.",
                ).format(what=what),
                "",
            )
            return
        self.message.emit(self.tr("Checking the model…"))
        self._task = BackgroundTask(
            lambda _context: check_model(kind, Path(folder)), "localclip-run-model", owner=self
        )
        self._task.succeeded.connect(lambda model: self._launch(entry, model))
        self._task.failed.connect(self._on_model_failed)
        self._task.start()

    def _on_model_failed(self, error: BaseException) -> None:
        from localclip.core.models.folders import ModelDirError

        self._task = None
        if isinstance(error, ModelDirError | OSError):
            self._setup_failed(str(error), "")
        else:
            self._setup_failed(
                self.tr("The model folder could not be checked: {error}").format(error=error),
                error_details(error),
            )

    def _launch(self, entry: FolderEntry, model: Any) -> None:
        from localclip.pool.launch import WorkerConfigError
        from localclip.runs.setup import SetupError, prepare_clone, prepare_embed

        self._task = None
        if self.state != RunState.PREPARING or entry is not self.entry:
            return
        report = self._gpu_report()
        try:
            if entry.kind == KIND_DATASET:
                assert entry.dataset is not None and entry.out_dir is not None
                prepared = prepare_embed(
                    entry.dataset,
                    model,
                    entry.out_dir,
                    self.settings,
                    report,
                    skip_existing=self._skip_existing,
                )
            else:
                assert entry.project is not None
                prepared = prepare_clone(entry.project, model, self.settings, report)
        except SetupError as error:
            self._setup_failed(str(error), "")
            return
        self.prepared, self.pool, self._pool_gone = prepared, prepared.pool, False
        self._speakers_pending = False
        prepared.run.progress.connect(self.progress)
        prepared.run.problem.connect(self.problem)
        prepared.run.finished.connect(self._on_run_finished)
        prepared.pool.stopped.connect(self._on_pool_stopped)
        self.run_started.emit(entry, prepared)
        try:
            prepared.run.start()
        except WorkerConfigError as error:
            self.prepared = None
            store = getattr(prepared.run, "store", None)
            if store is not None:
                store.close()
            self._setup_failed(str(error), "")
            prepared.pool.shutdown()
            return
        self._set_state(RunState.RUNNING)
        self.message.emit(self.tr("Running {name}…").format(name=entry.name))

    def _setup_failed(self, message: str, details: str) -> None:
        entry = self.entry
        self.error.emit(self.tr("The run cannot start"), message, details)
        if entry is not None:
            self.entry_status.emit(entry, FolderStatus.READY)
        self._release_queue()
        self.entry = None
        if self.prepared is None:
            self._set_state(RunState.IDLE)

    # -- the end of a run ---------------------------------------------------------------------------------

    def _on_run_finished(self, report: RunReport) -> None:
        entry, prepared = self.entry, self.prepared
        self.report = report
        self._set_state(RunState.FINISHING)
        completed = not report.cancelled_run and not report.setup_error and not self._cancelled
        if entry is not None and entry.kind == KIND_DATASET and completed:
            self._update_speakers(entry)  # pending before the pool stops: the run ends after both
        pool = self.pool
        started = pool is not None and any(slot.process is not None for slot in pool.slots.values())
        if entry is not None and entry.kind != KIND_DATASET and completed and started and not self.queue:
            # The last run of the queue: its workers stay warm for new takes in the review.
            released = prepared.run.release_pool() if prepared is not None else None
            if released is not None:
                released.stopped.disconnect(self._on_pool_stopped)
                self.pool, self._pool_gone = None, True
                self.pool_released.emit(entry, released)
                self._maybe_complete()
                return
        if pool is not None:
            pool.shutdown()

    def _update_speakers(self, entry: FolderEntry) -> None:
        from localclip.core.embedding.speaker_update import update_speakers

        out_dir = entry.out_dir
        normalize = self.settings.get(SPEAKERS_NORMALIZE)
        minimum = self.settings.get(SPEAKERS_MIN_UTTERANCES)
        self._speakers_pending = True
        self.message.emit(self.tr("Making one embedding per speaker…"))
        run_in_background(
            lambda: update_speakers(out_dir, normalize, minimum),
            self._on_speakers,
            self._on_speakers_failed,
            name="localclip-speakers",
            owner=self,
        )

    def _on_speakers(self, update: Any) -> None:
        if self.report is not None:
            speakers = {
                "speakers": update.speakers,
                "written": update.written,
                "unchanged": update.unchanged,
                "removed": update.removed,
                "skipped": [list(item) for item in update.skipped],
            }
            self.report = replace(self.report, speakers=speakers)
        self._speakers_pending = False
        self._maybe_complete()

    def _on_speakers_failed(self, error: BaseException) -> None:
        self.error.emit(
            self.tr("Speaker embeddings were not made"),
            self.tr(
                "The clips' embeddings are saved, but one embedding per speaker could not be made: {error}",
            ).format(error=error),
            error_details(error),
        )
        self._speakers_pending = False
        self._maybe_complete()

    def _on_pool_stopped(self) -> None:
        self._pool_gone = True
        if self.state == RunState.STOPPING:
            self.pool = self.prepared = None
            self._set_state(RunState.IDLE)
            self.stopped.emit()
            return
        if self.prepared is None:  # a probe, or a run that could not start
            self.pool = None
            if self.state != RunState.PREPARING:
                self._set_state(RunState.IDLE)
            return
        self._maybe_complete()

    def _maybe_complete(self) -> None:
        if not self._pool_gone or self._speakers_pending or self.prepared is None:
            return
        entry, report = self.entry, self.report
        self.prepared = self.pool = None
        self.entry = None
        if entry is not None:
            if report is None:  # the workers stopped before the run could report
                report = RunReport(kind=entry.kind)
            status = run_status(report)
            report = replace(report, folder=str(entry.path), status=str(status))
            entry.report = report.to_dict()
            self.entry_status.emit(entry, status)
            self.message.emit(describe_report(entry, report))
            self.run_finished.emit(entry, report)
        self._next()

    def _on_probe_finished(self, summary: dict[str, Any], results: dict[str, dict[str, Any]]) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        self.message.emit(
            self.tr("Worker check finished: {done} answered, {failed} failed").format(
                done=summary.get("done", 0), failed=summary.get("failed", 0)
            )
        )
        self.probe_finished.emit(summary, results)

    def _set_state(self, state: RunState) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(str(state))


def check_model(kind: str, folder: Path) -> Any:
    """The model folder's facts (on a worker thread: a WeSpeaker check hashes the weights)."""
    from localclip.core.models.folders import check_fish_dir, check_wespeaker_dir

    return check_wespeaker_dir(folder) if kind == ModelKind.WESPEAKER else check_fish_dir(folder)


def run_status(report: RunReport) -> FolderStatus:
    if report.cancelled_run:
        return FolderStatus.CANCELLED
    if report.failed or report.write_error or report.skipped_lines or report.setup_error:
        return FolderStatus.FAILED
    return FolderStatus.DONE


def describe_report(entry: FolderEntry, report: RunReport) -> str:
    """One line for the status bar."""
    if report.setup_error:  # one message for the run, however many items it held
        return QCoreApplication.translate(
            "RunController", "{name}: stopped: {reason}. Nothing was marked failed; run it again once fixed."
        ).format(name=entry.name, reason=report.setup_error)
    if report.cancelled_run:
        return QCoreApplication.translate(
            "RunController", "{name}: cancelled. Run it again to resume where it stopped."
        ).format(name=entry.name)
    if entry.kind == KIND_DATASET:
        return QCoreApplication.translate(
            "RunController",
            "{name}: {done} clips embedded, {failed} failed, {skipped} already done ({seconds:.1f} s)",
        ).format(
            name=entry.name,
            done=report.done,
            failed=report.failed,
            skipped=report.skipped,
            seconds=report.seconds,
        )
    text = QCoreApplication.translate(
        "RunController", "{name}: {done} lines generated, {failed} failed, {up} up to date ({seconds:.1f} s)"
    ).format(
        name=entry.name,
        done=report.done,
        failed=report.failed,
        up=report.up_to_date,
        seconds=report.seconds,
    )
    if report.qa:  # takes were checked (docs/qa.md)
        text += QCoreApplication.translate(
            "RunController", "; {flagged} still flagged, {retaken} retaken"
        ).format(flagged=report.qa.get("flagged", 0), retaken=report.qa.get("retaken", 0))
    return text
