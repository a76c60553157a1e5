"""Regenerating lines from the review pane: a new take of a line on a warm worker, never an overwrite.

What `localclip regenerate` does for one line (the manifest plans a new take with the script's current
text and a fresh seed; a CloneRun speaks it and records it as the kept take), kept alive between
requests so that the worker's loaded model is used again:

- **Warm workers.** The pool of a finished clone run can be handed over (`adopt_pool`, after
  `CloneRun.release_pool`); otherwise the first request starts one worker, planned like a run (a GPU when
  one has room, else the CPU). The pool stays up after a take, and is shut down after `idle_timeout`
  seconds without a request (the REVIEW_WORKER_IDLE_MINUTES setting; its GPU memory is then free for
  other work), by `release_workers` when a run starts (a run plans the GPUs' memory without it: two model
  copies never share one GPU's budget behind the plan's back), or by `shutdown`.
- **One manifest.** Requests made while others are queued or running share one `Manifest` object with
  the runs that record them, so take numbers reserved for queued requests are not handed out twice and
  a take chosen meanwhile is not lost when a run saves. Between requests the manifest is read again
  whenever its file changed on disk.
- **The project is read on a thread.** A request scans the project again (the script's current text, the
  references' hashes: seconds for a large project) on a worker thread, then plans the take on the event
  loop; until then the line counts as pending.
- **Batches.** Requests queue up; each batch (one request per line) is one CloneRun on the pool, so
  several lines are spread over several warm workers by the run's scheduler.

Everything happens in slots on the Qt event loop; nothing here waits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from localclip.core.cloning.manifest import (
    OUTPUT_FOLDER,
    CloneParams,
    LinePlan,
    LineRecord,
    Manifest,
    ManifestError,
    random_seed,
)
from localclip.core.cloning.project import ProjectScan, scan_project
from localclip.core.cloning.run_settings import CloneRunSettings, load_run_settings
from localclip.core.cloning.takes import manifest_stamp
from localclip.core.kinds import JobKind
from localclip.core.machine.gpus import GpuReport, probe_gpus
from localclip.core.machine.plan import NoUsableGpu, plan_workers
from localclip.core.models.folders import FishModelInfo, ModelDirError, check_fish_dir
from localclip.core.options import FISH_MODEL_DIR, REVIEW_WORKER_IDLE_MINUTES, RUN_DEVICE
from localclip.pool.launch import WorkerConfigError, launches_for_plan
from localclip.pool.pool import WorkerPool
from localclip.runs.background import BackgroundTask, run_in_background
from localclip.runs.clone import CloneOptions, CloneRun
from localclip.runs.setup import SetupError, clone_params, qa_setup
from localclip.settings import Settings

FROM_SETTINGS = "settings"  # the idle timeout is the REVIEW_WORKER_IDLE_MINUTES setting


_stopping: set[WorkerPool] = set()  # pools shutting down; each is released once its workers are gone


def _forget(pool: WorkerPool) -> None:
    _stopping.discard(pool)
    pool.deleteLater()


class RegenerateError(ValueError):
    """A take cannot be made as asked; the message says why (for the person)."""


@dataclass(frozen=True)
class CloneSetup:
    """What a new take is made with: the project's last clone settings (or the window's)."""

    model: FishModelInfo
    device: str
    precision: str
    params: CloneParams


def clone_setup(output_dir: Path, settings: Settings) -> CloneSetup:
    """The model and sampling of the project's last clone run; for a project never cloned, the model
    folder and parameters chosen in the window. Raises RegenerateError."""
    recorded = load_run_settings(output_dir)
    if recorded is None:
        recorded = _settings_from_window(settings)
    codec = Path(recorded.codec_path) if recorded.codec_path else None
    try:
        model = check_fish_dir(Path(recorded.checkpoint_dir), codec)
        params = recorded.clone_params
    except (ModelDirError, ValueError) as error:
        raise RegenerateError(str(error)) from None
    return CloneSetup(model, recorded.device, recorded.precision, params)


def _settings_from_window(settings: Settings) -> CloneRunSettings:
    fish_dir = settings.get(FISH_MODEL_DIR)
    if not fish_dir:
        raise RegenerateError(
            QCoreApplication.translate(
                "TakeRegenerator",
                "This project has not been cloned yet and no Fish-Speech model folder is chosen: choose one "
                "in the run settings, or run the project once.",
            )
        )
    try:
        params = clone_params(settings)
    except SetupError as error:
        raise RegenerateError(str(error)) from None
    return CloneRunSettings(fish_dir, "", settings.get(RUN_DEVICE), "", params.to_dict(), None)


class TakeRegenerator(QObject):
    take_queued = Signal(str, object)  # line id, LinePlan (its take number and file)
    take_started = Signal(str)  # line id: a worker is speaking it
    # line id, {"take", "path", "duration", "seed", "peak_db" (checked; None: unknown), ...worker figures}
    take_done = Signal(str, object)
    take_failed = Signal(str, str)  # line id, reason (the line's earlier takes are kept)
    take_refused = Signal(str, str)  # line id, why no take could be planned (once the project was read)
    take_checked = Signal(str, object)  # line id, CheckedTake: a new take's scores are in the manifest
    busy_changed = Signal(bool)
    pool_changed = Signal(object)  # the warm WorkerPool, or None (for worker panes)
    problem = Signal(str)  # a sentence for the person
    stopped = Signal()  # after shutdown(): every worker is gone

    def __init__(
        self,
        project: Path,
        settings: Settings | None = None,
        gpu_reader: Callable[[], GpuReport] = probe_gpus,
        idle_timeout: float | str | None = FROM_SETTINGS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = Path(project).absolute()
        self.settings = settings or Settings()
        self._gpu_reader = gpu_reader
        self._pool: WorkerPool | None = None
        self._adopted_later: WorkerPool | None = None  # handed over while a batch ran
        self._stopping_pools: set[WorkerPool] = set()
        self._queue: list[tuple[ProjectScan, LinePlan, CloneSetup]] = []
        self._preparing: dict[str, BackgroundTask] = {}  # requested lines whose project scan is under way
        self._run: CloneRun | None = None
        self._manifest: Manifest | None = None
        self._manifest_stamp: tuple[int, int] | None = None
        self._shutting_down = False
        self._stale_reservations = False  # the shared manifest reserved takes that were never made
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self._on_idle_timeout)
        if idle_timeout == FROM_SETTINGS:
            idle_timeout = self.settings.get(REVIEW_WORKER_IDLE_MINUTES) * 60.0 or None
        if isinstance(idle_timeout, int | float):  # None (or 0 from the settings): kept until released
            self._idle_timer.setInterval(int(idle_timeout * 1000))

    # -- state ---------------------------------------------------------------------------------------

    @property
    def pool(self) -> WorkerPool | None:
        return self._pool

    @property
    def busy(self) -> bool:
        return self._reserving or bool(self._preparing)

    @property
    def _reserving(self) -> bool:
        """Takes are queued or being made: their numbers are reserved in the shared manifest."""
        return self._run is not None or bool(self._queue)

    def pending_lines(self) -> set[str]:
        """Lines with a take being planned, queued or being spoken."""
        running = set(self._run.plans) if self._run is not None else set()
        return running | set(self._preparing) | {plan.line_id for _, plan, _ in self._queue}

    def manifest(self) -> Manifest:
        """The project's manifest: the one shared with the runs while requests are under way, else the
        file as it is now (read again only when it changed). Raises RegenerateError."""
        if self._reserving and self._manifest is not None:
            return self._manifest
        stamp = self._stamp()
        if self._manifest is None or stamp != self._manifest_stamp:
            try:
                self._manifest = Manifest.load(self.project)
            except ManifestError as error:
                raise RegenerateError(str(error)) from None
            self._manifest_stamp = stamp
            if self._manifest.notice:
                self.problem.emit(self._manifest.notice)
        return self._manifest

    def record(self, line_id: str) -> LineRecord | None:
        return self.manifest().lines.get(line_id)

    def offer_manifest(self, manifest: Manifest, stamp: tuple[int, int] | None) -> None:
        """Use a manifest read elsewhere (the pane reads one on a thread), taken when the file had
        `stamp` (`manifest_stamp`, read before loading), instead of reading it again."""
        if not self._reserving and manifest.project == self.project:
            self._manifest, self._manifest_stamp = manifest, stamp

    def _stamp(self) -> tuple[int, int] | None:
        return manifest_stamp(self.project)

    # -- requests ------------------------------------------------------------------------------------

    def regenerate(self, line_id: str, seed: int | None = None) -> None:
        """Ask for a new take of `line_id` (a random seed unless given); it becomes the kept take when it
        is done. The project is read again on a thread, then the take is planned: `take_queued` with the
        plan (its take number and file), or `take_refused` with the reason. Raises RegenerateError for
        what is known at once."""
        if self._shutting_down:
            raise RegenerateError(
                QCoreApplication.translate("TakeRegenerator", "The workers are shutting down.")
            )
        if line_id in self.pending_lines():
            raise RegenerateError(
                QCoreApplication.translate(
                    "TakeRegenerator", "A new take of line {0} is already being made."
                ).format(line_id)
            )
        setup = clone_setup(self.project / OUTPUT_FOLDER, self.settings)
        was_busy, project = self.busy, self.project
        self._preparing[line_id] = run_in_background(
            lambda: scan_project(project),
            lambda scan: self._plan(line_id, seed, setup, scan),
            lambda error: self._refuse(line_id, str(error)),
            "localclip-regenerate-scan",
            owner=self,
        )
        self._idle_timer.stop()
        if not was_busy:
            self.busy_changed.emit(True)

    def _plan(self, line_id: str, seed: int | None, setup: CloneSetup, scan: ProjectScan) -> None:
        """The project was read: plan the take against the manifest and queue it."""
        if self._preparing.pop(line_id, None) is None:
            return  # cancelled meanwhile
        try:
            manifest = self.manifest()
            plan = manifest.plan_take(
                scan, line_id, setup.model.model_id, setup.params, random_seed() if seed is None else seed
            )
        except (RegenerateError, ManifestError, ValueError) as error:
            self._refuse(line_id, str(error))
            return
        self._queue.append((scan, plan, setup))
        self.take_queued.emit(line_id, plan)
        QTimer.singleShot(0, self._start_next)  # after the caller has seen the plan

    def _refuse(self, line_id: str, reason: str) -> None:
        self._preparing.pop(line_id, None)
        self.take_refused.emit(line_id, reason)
        if not self.busy:
            self._end_session()

    def choose_take(self, line_id: str, take: int) -> LineRecord:
        """Keep `take` as the line's output, saved at once. Raises RegenerateError."""
        manifest = self.manifest()
        try:
            manifest.choose_take(line_id, take)
            manifest.save()
        except (ManifestError, OSError) as error:
            raise RegenerateError(str(error)) from None
        self._manifest_stamp = self._stamp()
        return manifest.lines[line_id]

    def adopt_pool(self, pool: WorkerPool) -> None:
        """Use the workers of a finished clone run (`CloneRun.release_pool()`) for the next takes."""
        if pool is self._pool:
            return
        if self._run is not None:
            if self._adopted_later is not None:
                self._stop_pool(self._adopted_later)
            self._adopted_later = pool
            return
        self._replace_pool(pool)
        self._restart_idle_timer()

    def take_pool(self) -> WorkerPool | None:
        """Hand the warm workers on (to the regenerator of the next project opened) when nothing is under
        way; None otherwise. The caller then owns the pool."""
        if self.busy or self._pool is None:
            return None
        pool, self._pool = self._pool, None
        self._idle_timer.stop()
        pool.setParent(None)
        self.pool_changed.emit(None)
        return pool

    def cancel(self) -> None:
        """Drop queued requests and stop the take being spoken (its line keeps its earlier takes)."""
        preparing, self._preparing = self._preparing, {}
        for line_id, task in preparing.items():
            task.cancel()
            self.take_failed.emit(line_id, "cancelled")
        dropped, self._queue = self._queue, []
        self._stale_reservations |= bool(dropped)
        for _, plan, _ in dropped:
            self.take_failed.emit(plan.line_id, "cancelled")
        if self._run is not None:
            self._run.cancel()
        elif dropped or preparing:
            self._end_session()

    def shutdown(self) -> bool:
        """Cancel everything and stop the workers. True when `stopped` will follow; False when no worker
        was running (nothing to wait for). Afterwards a new request starts a worker again."""
        self._shutting_down = True
        self._idle_timer.stop()
        self.cancel()
        pools = [pool for pool in (self._pool, self._adopted_later) if pool is not None]
        self._adopted_later = None
        if self._pool is not None:
            self._pool = None
            self.pool_changed.emit(None)
        for pool in pools:
            self._stop_pool(pool)
        if not self._stopping_pools:
            self._shutting_down = False  # nothing to wait for: usable again at once
            return False
        return True

    def release_workers(self) -> bool:
        """A run is starting: stop the warm workers (a take under way is cancelled; the line keeps its
        earlier takes), so the run's plan has the GPU memory to itself. True when workers were stopped;
        a later request starts one again."""
        if self._pool is None and self._adopted_later is None and not self.busy:
            return False
        stopping = self.shutdown()
        self.problem.emit(
            QCoreApplication.translate(
                "TakeRegenerator",
                "The warm cloning worker was stopped for the run; the next new take starts it again.",
            )
        )
        return stopping

    # -- batches -------------------------------------------------------------------------------------

    def _start_next(self) -> None:
        if self._run is not None or not self._queue or self._shutting_down:
            return
        batch, later, lines = [], [], set()
        for entry in self._queue:
            (later if entry[1].line_id in lines else batch).append(entry)
            lines.add(entry[1].line_id)
        self._queue = later
        scan, _, setup = batch[-1]  # the newest scan and settings
        checks = qa_setup(self.settings)  # the editor asked for each take: no automatic new ones
        options = CloneOptions(
            device=setup.device,
            precision=setup.precision,
            params=setup.params,
            qa=replace(checks, retakes=0) if checks is not None else None,
        )
        run = CloneRun(
            scan,
            setup.model,
            options,
            plans=[plan for _, plan, _ in batch],
            gpu_reader=self._gpu_reader,
            plan_settings=JobKind.CLONE.plan_settings(self.settings),
            parent=self,
            manifest=self.manifest(),
        )
        self._run = run
        run.line_finished.connect(self._on_line_finished)
        run.take_checked.connect(self.take_checked)
        run.problem.connect(self.problem)
        run.finished.connect(self._on_run_finished)
        try:
            self._connect_run_to_pool(run, setup)
            run.start()
        except (WorkerConfigError, RegenerateError) as error:
            self._abandon(run, str(error))

    def _connect_run_to_pool(self, run: CloneRun, setup: CloneSetup) -> None:
        if self._pool is not None and any(slot.alive for slot in self._pool.slots.values()):
            pool = run.attach_pool(self._pool)
        else:
            if self._pool is not None:  # every worker retired: start afresh
                self._stop_pool(self._pool)
                self._pool = None
            try:
                plan = plan_workers(
                    self._gpu_reader(),
                    JobKind.CLONE.plan_settings(self.settings),
                    work_items=1,
                    device=setup.device,
                )
            except (NoUsableGpu, ValueError) as error:
                raise RegenerateError(str(error)) from None
            pool = run.create_pool(launches_for_plan(plan, self.settings.worker_python(JobKind.CLONE)))
            self._pool = pool
            self.pool_changed.emit(pool)
        pool.item_started.connect(self._on_item_started)

    def _abandon(self, run: CloneRun, reason: str) -> None:
        """The batch could not start (no usable worker interpreter, no room on the GPU)."""
        pool = run.release_pool()
        if pool is not None:
            pool.item_started.disconnect(self._on_item_started)
            if pool is self._pool and not any(slot.process for slot in pool.slots.values()):
                self._pool = None  # never started: nothing to stop
                self.pool_changed.emit(None)
        self._run = None
        self._stale_reservations = True
        run.deleteLater()
        self.problem.emit(reason)
        for line_id in run.plans:
            self.take_failed.emit(line_id, reason)
        self._after_batch()

    def _on_item_started(self, line_id: str, worker_id: str) -> None:
        if self._run is not None and line_id in self._run.plans:
            self.take_started.emit(line_id)

    def _on_line_finished(self, line_id: str, info: dict[str, Any]) -> None:
        self._manifest_stamp = self._stamp()  # the run saved the shared manifest
        if info.get("status") == "done":
            plan = self._run.plans[line_id] if self._run is not None else None
            take = {"take": plan.take, "seed": plan.seed} if plan is not None else {}
            self.take_done.emit(line_id, {**info, **take})
        else:
            self.take_failed.emit(line_id, str(info.get("reason", "failed")))

    def _on_run_finished(self, report: dict[str, Any]) -> None:
        run = self._run
        if run is None:
            return
        self._run = None
        pool = run.release_pool()
        if pool is not None:
            pool.item_started.disconnect(self._on_item_started)
            if pool is self._pool:
                pool.setParent(self)  # it was the run's child; it stays warm here
        # Lines the run never reported (cancelled before a worker took them) end here too.
        reported = {failure["line"] for failure in report.failures}
        if report.cancelled_run or report.setup_error:
            self._stale_reservations = True
            # A model or device that could not be set up stopped the batch: its lines end with that reason
            # (nothing was recorded as failed for them).
            reason = report.setup_error or "cancelled"
            for line_id in run.plans:
                record = self._manifest.lines.get(line_id) if self._manifest else None
                made = record is not None and record.chosen_take == run.plans[line_id].take
                if line_id not in reported and not made:
                    self.take_failed.emit(line_id, reason)
        run.deleteLater()
        if self._adopted_later is not None:
            self._replace_pool(self._adopted_later)
            self._adopted_later = None
        self._after_batch()

    def _after_batch(self) -> None:
        if self._queue and not self._shutting_down:
            QTimer.singleShot(0, self._start_next)
        elif not self._preparing:  # a take still being planned keeps the session open
            self._end_session()

    def _end_session(self) -> None:
        if self._stale_reservations:
            # Take numbers were reserved for requests that never ran: read the file again rather than
            # leave a gap in the numbering (a 10,000-line manifest takes a second or two to read).
            self._manifest = None
            self._manifest_stamp = None
            self._stale_reservations = False
        self.busy_changed.emit(False)
        self._restart_idle_timer()

    # -- pools ---------------------------------------------------------------------------------------

    def _replace_pool(self, pool: WorkerPool) -> None:
        if self._pool is not None:
            self._stop_pool(self._pool)
        pool.setParent(self)
        self._pool = pool
        self.pool_changed.emit(pool)

    def _stop_pool(self, pool: WorkerPool) -> None:
        if all(slot.process is None for slot in pool.slots.values()):
            return  # never started, or already gone
        # Kept alive on its own until its workers are gone, even if this object (the pane) is deleted
        # meanwhile: deleting a pool kills its workers without their clean shutdown.
        pool.setParent(None)
        _stopping.add(pool)
        self._stopping_pools.add(pool)
        pool.stopped.connect(lambda: _forget(pool))
        pool.stopped.connect(self._on_pool_stopped)
        pool.shutdown()

    def _on_pool_stopped(self) -> None:
        self._stopping_pools &= _stopping
        if self._shutting_down and not self._stopping_pools:
            self._shutting_down = False  # a later request starts a worker again
            self.stopped.emit()

    def _restart_idle_timer(self) -> None:
        if self._pool is not None and self._idle_timer.interval() > 0 and not self._shutting_down:
            self._idle_timer.start()

    def _on_idle_timeout(self) -> None:
        if self.busy or self._pool is None:
            return
        pool, self._pool = self._pool, None
        self.pool_changed.emit(None)
        self._stop_pool(pool)
        minutes = self._idle_timer.interval() / 60_000
        self.problem.emit(
            QCoreApplication.translate(
                "TakeRegenerator",
                "The warm cloning worker was stopped after {0:g} minutes unused; the next new take starts it "
                "again.",
            ).format(minutes)
        )
