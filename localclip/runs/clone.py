"""One cloning run: a project, a fish-speech model, the worker pool, the manifest.

The scheduler (core/clone_schedule) decides what an idle worker gets: lines of a speaker it already has,
else the largest speaker nobody has started, else the back half of another worker's long queue. Every
finished line is recorded in the manifest at once (a killed run loses nothing that was written). After a
worker's first line on a GPU, its measured peak memory decides whether one more worker fits there; an
out-of-memory line is retried on another worker and no more workers are started on that GPU.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from localclip.core.cloning.manifest import (
    CloneParams,
    LinePlan,
    Manifest,
    ManifestError,
    SeedPolicy,
    check_peak_db,
    random_seed,
)
from localclip.core.cloning.project import ProjectScan
from localclip.core.cloning.schedule import CloneScheduler, speaker_work
from localclip.core.cloning.takes import speaker_stats
from localclip.core.kinds import QA_WORKER_JOB, JobKind, WorkerState
from localclip.core.machine.gpus import GpuReport, probe_gpus
from localclip.core.machine.plan import PlanSettings, more_workers_by_measurement, worker_threads
from localclip.core.models.folders import FishModelInfo
from localclip.core.monitor.board import TokenRate
from localclip.core.qa.flags import best_take
from localclip.pool.engine import PoolOptions, WorkItem
from localclip.pool.launch import WorkerLaunch
from localclip.pool.pool import WorkerPool
from localclip.runs.report import clone_report
from localclip.runs.take_checks import CheckedTake, QaSetup, TakeChecks, pick_checks
from localclip_worker import protocol

# The chunk size (about 15-20 s of speech) is the shared chunker's default: the worker splits a whole text
# exactly as the app does.
from localclip_worker.text_chunks import DEFAULT_CHUNK_CHARS as CHUNK_CHARS
from localclip_worker.text_chunks import split_text

# A worker decodes its job's lines together (the clone job's ``rows``), refilling rows as lines end; its
# rows drain only while the job's last lines finish (about half a line's time). With 4 lines per row a job
# keeps its rows busy ~90 % of the time when line lengths vary; fewer when the run is nearly done (an even
# share of what is left caps a job). The defaults are the worker's own (worker_env/localclip_worker/jobs/
# clone.py) until its ready event tells.
LINES_PER_ROW = 4
DEFAULT_ROWS = 16  # the worker's default on the CPU, and its most on a GPU
MOST_ROWS_TRUSTED = 256


@dataclass(frozen=True)
class CloneOptions:
    device: str = "auto"
    precision: str = ""  # "": the worker's default (bfloat16 on a GPU, float32 on the CPU)
    params: CloneParams = field(default_factory=CloneParams)
    seed: int | None = None  # a project seed makes every line reproducible
    only: tuple[str, ...] | None = None
    max_workers: int | None = None  # the user's maximum, also for workers started by measurement
    qa: QaSetup | None = None  # check every new take (docs/qa.md); None: takes are not checked
    check_existing: bool = False  # also check the takes made earlier that have no scores (localclip qa)


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    generation: TokenRate = field(default_factory=TokenRate)
    gpu_memory_bytes: int = 0

    @property
    def tokens(self) -> int:
        return self.generation.tokens

    @property
    def tokens_per_s(self) -> float:
        return self.generation.per_second or 0.0


@dataclass
class CloneProgress:
    total: int  # lines to generate in this run
    up_to_date: int  # lines already generated with the same inputs (skipped)
    done: int = 0
    failed: int = 0
    started_at: float = field(default_factory=time.monotonic)
    workers: dict[str, WorkerStats] = field(default_factory=lambda: defaultdict(WorkerStats))

    @property
    def tokens_per_s(self) -> float:
        elapsed = time.monotonic() - self.started_at
        return sum(w.tokens for w in self.workers.values()) / elapsed if elapsed > 0 else 0.0


class CloneRun(QObject):
    progress = Signal(object)  # CloneProgress
    line_finished = Signal(str, object)  # line id, {"status", "path" or "reason", ...}
    take_checked = Signal(str, object)  # line id, CheckedTake (its scores stored in the manifest)
    problem = Signal(str)
    finished = Signal(object)  # RunReport

    def __init__(
        self,
        scan: ProjectScan,
        model: FishModelInfo,
        options: CloneOptions | None = None,
        plans: list[LinePlan] | None = None,
        gpu_reader: Callable[[], GpuReport] = probe_gpus,
        plan_settings: PlanSettings | None = None,
        parent: QObject | None = None,
        manifest: Manifest | None = None,  # one shared with the caller (the review pane), else loaded
    ) -> None:
        super().__init__(parent)
        self.scan, self.model = scan, model
        self.options = options or CloneOptions()
        self.manifest = manifest if manifest is not None else Manifest.load(scan.root)
        if plans is None:
            seeds = SeedPolicy(self.options.seed)
            plans = self.manifest.plan_lines(
                scan, model.model_id, self.options.params, seeds, self.options.only
            )
        self.plans: dict[str, LinePlan] = {plan.line_id: plan for plan in plans}
        wanted = set(self.options.only) if self.options.only else None
        self.up_to_date = sum(1 for line in scan.lines if wanted is None or line.id in wanted) - len(plans)
        self.scheduler = CloneScheduler(speaker_work(plans), workers=1)
        self.state = CloneProgress(total=len(plans), up_to_date=max(0, self.up_to_date))
        self.pool: WorkerPool | None = None
        self._pool_running = False  # the pool's workers are started (an attached warm pool is)
        self._gpu_reader = gpu_reader
        self._plan_settings = plan_settings or PlanSettings()
        self._speakers_of: dict[str, set[str]] = defaultdict(set)  # worker -> speakers it has encoded
        self._rows_of: dict[str, int] = {}  # worker -> lines it decodes at once (its ready event)
        self._measured: set[str] = set()  # workers whose first line was measured
        self._full_gpus: set[str] = set()  # GPUs (uuid) where no further worker may start
        self._failures: list[dict[str, str]] = []
        self._cpu_threads = 0  # torch threads per worker; 0: torch's default
        qa = self.options.qa
        self.checks = TakeChecks(scan, self.manifest, qa, self.options.device) if qa else None
        self._done_lines: set[str] = set()  # lines with a take made in this run
        self._takes_made: dict[str, list[int]] = defaultdict(list)  # line -> its takes made in this run
        self._retakes: dict[str, int] = defaultdict(int)  # line -> new takes made because it was flagged
        self._qa_counts = {"checked": 0, "flagged": 0, "retaken": 0, "unchecked": 0}
        self._cancelled = False

    # -- set-up ------------------------------------------------------------------------

    def create_pool(self, launches: list[WorkerLaunch]) -> WorkerPool:
        self._pool_running = False
        return self._connect_pool(WorkerPool(launches, PoolOptions(), self), launches)

    def use_pool(self, pool: WorkerPool) -> WorkerPool:
        """Run on ``pool``, not started yet, whose workers are not this machine's (a cluster's,
        cluster/pool.py): `start` starts it, and each node sizes its workers' threads itself."""
        self._pool_running = False
        return self._connect_pool(pool, [])

    def attach_pool(self, pool: WorkerPool) -> WorkerPool:
        """Run on workers that are already up (kept warm after an earlier run): `start` starts none, and
        they keep the models they loaded. `release_pool` hands them on afterwards."""
        self._pool_running = True
        launches = [slot.launch for slot in pool.slots.values() if slot.alive]
        return self._connect_pool(pool, launches)

    def _connect_pool(self, pool: WorkerPool, launches: list[WorkerLaunch]) -> WorkerPool:
        self.pool = pool
        # Workers sharing the machine split its cores: measured with the tiny model, 1 thread each ran at
        # 170-180 tokens/s and 2 threads each on 2 busy cores at 7-58 (threads fighting over cores). GPU
        # workers get a few each (core/plan.py): 15 workers on an H200 would otherwise run 16 each.
        device = "cpu" if all(launch.gpu_uuid is None for launch in launches) else "cuda"
        threads = worker_threads(device, len(launches), os.cpu_count() or 1, self._plan_settings)
        self._cpu_threads = threads.torch
        self.pool.picker = self._pick
        self.scheduler.set_workers(max(1, len(launches)))
        for signal, slot in self._pool_connections():
            signal.connect(slot)
        return self.pool

    def _pool_connections(self) -> list[tuple[Any, Callable[..., None]]]:
        assert self.pool is not None
        return [
            (self.pool.item_done, self._on_line_done),
            (self.pool.item_failed, self._on_line_failed),
            (self.pool.item_requeued, self._on_line_requeued),
            (self.pool.worker_state_changed, self._on_worker_state),
            (self.pool.worker_event, self._on_worker_event),
            (self.pool.finished, self._on_pool_finished),
        ]

    def release_pool(self) -> WorkerPool | None:
        """Stop listening to the pool and hand it over with its workers still running (warm for the next
        run, e.g. regenerating a line). Call it after `finished`; the caller then owns the pool."""
        if self.pool is None:
            return None
        for signal, slot in self._pool_connections():
            signal.disconnect(slot)
        pool, self.pool = self.pool, None
        if pool.picker == self._pick:
            pool.picker = pool.take_in_order
        pool.setParent(None)  # it outlives this run
        return pool

    def job_params(self) -> dict[str, Any]:
        return {
            "checkpoint_dir": str(self.model.checkpoint_dir),
            "codec_path": str(self.model.codec_path),
            "device": self.options.device,
            "precision": self.options.precision,
            "cache_dir": str(self.manifest.output_dir / ".cache" / "references"),
            "cpu_threads": self._cpu_threads,
        }

    def item_for(self, plan: LinePlan) -> dict[str, Any]:
        references = self.scan.references_for(plan.line)  # the chosen one only, where one was chosen
        return {
            "id": plan.line_id,
            "speaker": plan.speaker,
            "text": plan.text,
            "chunks": split_text(plan.text, CHUNK_CHARS),
            "references": [{"audio": str(ref.audio), "text": ref.transcript} for ref in references],
            "seed": plan.seed,
            **self.options.params.to_dict(),
            "out_path": str(plan.out_path),
        }

    def start(self) -> None:
        """Start the workers and queue the lines (and, with ``check_existing``, the takes made earlier
        that have no scores). Raises WorkerConfigError for a bad interpreter."""
        assert self.pool is not None, "create_pool() first"
        checks = self._unchecked_takes() if self.options.check_existing else []
        if not self.plans and not checks:  # nothing to do: finish from the event loop, as a run would
            pool = self.pool
            QTimer.singleShot(0, lambda: self._on_pool_finished(pool.summary()))
            return
        if not self._pool_running:
            self.pool.start()
            self._pool_running = True
        if checks:
            assert self.checks is not None
            self.pool.submit(QA_WORKER_JOB, checks, self.checks.params(self._cpu_threads))
        if self.plans:
            items = [self.item_for(plan) for plan in self.plans.values()]
            self.pool.submit(JobKind.CLONE.worker_job, items, self.job_params())

    def _unchecked_takes(self) -> list[dict[str, Any]]:
        """qa items for the takes of this run's lines that have no scores and whose file is there."""
        if self.checks is None:
            return []
        wanted = set(self.options.only) if self.options.only else None
        items = []
        for line_id, record in self.manifest.lines.items():
            if wanted is not None and line_id not in wanted:
                continue
            for take in record.takes:
                if take.qa is None and (self.manifest.output_dir / take.path).is_file():
                    items.append(self.checks.item(line_id, take))
                    self._takes_made[line_id].append(take.take)
        return items

    def cancel(self) -> None:
        self._cancelled = True  # no new checks or takes after this
        if self.pool is not None:
            self.pool.cancel()

    # -- scheduling ------------------------------------------------------------------------

    def _pick(self, worker_id: str, pending: Any) -> list[WorkItem]:
        """Takes to check first (their scores may ask for a new take), else lines for ``LINES_PER_ROW`` x
        the worker's rows (it decodes them together), but no more than an even share of the unsent lines
        (the other workers get work too), from as many of the scheduler's units as that takes: each unit
        is one speaker's lines, in the scheduler's order."""
        checks = pick_checks(pending, worker_id) if self.checks is not None and self.checks.pending else []
        if checks:
            return checks
        workers = max(1, len(self.pool.slots) if self.pool is not None else 1)
        share = -(-self.scheduler.unsent // workers)
        wanted = min(LINES_PER_ROW * self._rows_of.get(worker_id, DEFAULT_ROWS), share)
        by_id = {item.item_id: item for item in pending}
        picked: list[WorkItem] = []
        while len(picked) < wanted:
            lines = self.scheduler.next_unit(worker_id, self._speakers_of[worker_id])
            if not lines:
                break
            unit = [by_id[line] for line in lines if line in by_id]
            if unit:
                self._speakers_of[worker_id].add(self.plans[unit[0].item_id].speaker)
            picked += unit
        return picked

    def _on_worker_event(self, worker_id: str, event: Any) -> None:
        if not isinstance(event, dict) or event.get("type") != "ready":
            return
        if event.get("kind") != JobKind.CLONE.worker_job:
            return
        rows = event.get("rows")  # untrusted: a whole number in range, or the default stays
        if isinstance(rows, int) and not isinstance(rows, bool) and 1 <= rows <= MOST_ROWS_TRUSTED:
            self._rows_of[worker_id] = rows

    def _on_worker_state(self, worker_id: str, state: str) -> None:
        if state in (WorkerState.RESTARTING, WorkerState.RETIRED, WorkerState.STOPPED):
            self.scheduler.worker_gone(worker_id)
            self._rows_of.pop(worker_id, None)
            self._speakers_of.pop(worker_id, None)  # a new process has no reference in memory

    def _on_line_requeued(self, line_id: str, worker_id: str, code: str) -> None:
        avoid = worker_id if code == protocol.FAIL_OUT_OF_MEMORY else None
        self.scheduler.requeue([line_id], avoid_worker=avoid)
        if code == protocol.FAIL_OUT_OF_MEMORY:
            self._stop_growing_on(worker_id, f"line {line_id} ran out of GPU memory on worker {worker_id}")

    # -- results ------------------------------------------------------------------------

    def _on_line_done(self, line_id: str, worker_id: str, result: dict[str, Any]) -> None:
        if self.checks is not None and self.checks.owns(line_id):
            self._on_checked(self.checks.checked(line_id, result))
            return
        plan = self.plans.get(line_id)
        if plan is None:
            return
        try:
            duration = float(result["duration"])
            tokens = int(result.get("tokens", 0))
            seconds = float(result.get("generate_seconds", 0.0)) + float(result.get("decode_seconds", 0.0))
            peak_db = reported_peak_db(result.get("peak_db"))
            token_limit = result.get("token_limit") is True
            take = self.manifest.record_done(plan, duration, peak_db=peak_db, token_limit=token_limit)
        except (KeyError, TypeError, ValueError) as error:  # untrusted worker output, or no file written
            self._on_line_failed(
                line_id, worker_id, protocol.FAIL_EXCEPTION, f"bad result from the worker: {error}"
            )
            return
        self.manifest.save()
        self.scheduler.report_done(line_id, seconds)
        stats = self.state.workers[worker_id]
        stats.done += 1
        stats.generation.add(tokens, float(result.get("generate_seconds", 0.0)), time.monotonic())
        stats.gpu_memory_bytes = int(result.get("gpu_memory_bytes", 0))
        if line_id not in self._done_lines:  # a new take of a flagged line is not one more line done
            self._done_lines.add(line_id)
            self.state.done += 1
        self._takes_made[line_id].append(take.take)
        info = {"status": "done", "path": str(plan.out_path), **result, "peak_db": peak_db}  # checked
        self.line_finished.emit(line_id, info)
        self.progress.emit(self.state)
        if self.checks is not None and self.pool is not None and not self._cancelled:
            params = self.checks.params(self._cpu_threads)
            self.pool.submit(QA_WORKER_JOB, [self.checks.item(line_id, take)], params)
        if worker_id not in self._measured:
            self._measured.add(worker_id)
            self._maybe_grow(worker_id, int(result.get("peak_gpu_memory_bytes", 0)))

    def _on_line_failed(self, line_id: str, worker_id: str, code: str, reason: str) -> None:
        if self.checks is not None and self.checks.owns(line_id):
            if code == protocol.FAIL_CANCELLED:
                self.checks.forget([line_id])
            else:
                self._on_checked(self.checks.failed(line_id, reason))
            return
        plan = self.plans.get(line_id)
        if plan is None:
            return
        if line_id in self._done_lines:  # a new take of a flagged line: the line keeps its takes
            self.scheduler.report_failed(line_id)
            self.problem.emit(f"a new take of line {line_id} failed: {reason}")
            self._keep_best(line_id)
            return
        self.manifest.record_failed(plan, reason)
        self.manifest.save()
        self.scheduler.report_failed(line_id)
        self.state.workers[worker_id].failed += 1
        self.state.failed += 1
        self._failures.append({"line": line_id, "speaker": plan.speaker, "code": code, "reason": reason})
        self.line_finished.emit(line_id, {"status": "failed", "code": code, "reason": reason})
        self.progress.emit(self.state)

    # -- take checks (docs/qa.md) --------------------------------------------------------------

    def _on_checked(self, checked: CheckedTake) -> None:
        """A take's scores are in: kept in the manifest; a flagged line gets a new take while it may (up to
        ``qa.retakes``), and once it may not, its best-scored take of this run is the chosen one."""
        if checked.qa is None:
            self._qa_counts["unchecked"] += 1
            what = f"take {checked.take} of line {checked.line_id}"
            self.problem.emit(f"{what} was not checked: {checked.problem}")
        else:
            self._qa_counts["checked"] += 1
        self.manifest.save()
        self.take_checked.emit(checked.line_id, checked)
        assert self.options.qa is not None
        record = self.manifest.lines.get(checked.line_id)
        chosen = record is not None and record.chosen_take == checked.take  # not an old take set aside
        may_retake = self._retakes[checked.line_id] < self.options.qa.retakes and not self._cancelled
        if checked.flags and chosen and may_retake and self.pool is not None:
            self._retake(checked.line_id)
        else:
            self._keep_best(checked.line_id)

    def _retake(self, line_id: str) -> None:
        assert self.pool is not None
        try:
            plan = self.manifest.plan_take(
                self.scan, line_id, self.model.model_id, self.options.params, random_seed()
            )
        except ManifestError as error:  # the script changed under the run: the line keeps its takes
            self.problem.emit(f"no new take of line {line_id}: {error}")
            self._keep_best(line_id)
            return
        self.manifest.save()  # the new take's number is reserved
        self._retakes[line_id] += 1
        self.plans[line_id] = plan
        self.scheduler.reopen(line_id)
        self.pool.submit(JobKind.CLONE.worker_job, [self.item_for(plan)], self.job_params())

    def _keep_best(self, line_id: str) -> None:
        """A line that was retaken keeps the best-scored of the takes this run made (none is deleted)."""
        if self.checks is None or not self._retakes.get(line_id):
            return
        record = self.manifest.lines.get(line_id)
        takes = [record.take(number) for number in self._takes_made[line_id]] if record else []
        stats = speaker_stats(self.manifest)  # once for the line's takes, not once a take
        checks = self.checks
        ranked = [
            (take.take, checks.flags(line_id, take, stats), take.qa) for take in takes if take is not None
        ]
        if not ranked:
            return
        best = best_take(ranked)
        try:
            self.manifest.choose_take(line_id, best)
        except ManifestError as error:  # its file went away meanwhile
            self.problem.emit(f"line {line_id}: {error}")
            return
        self.manifest.save()

    def _qa_report(self) -> dict[str, int]:
        if self.checks is None:
            return {}
        flagged = 0
        stats = speaker_stats(self.manifest)  # once for the run's lines, not once a line
        for line_id in self._takes_made:
            record = self.manifest.lines.get(line_id)
            chosen = record.chosen if record is not None else None
            flagged += bool(chosen is not None and self.checks.flags(line_id, chosen, stats))
        retaken = sum(1 for count in self._retakes.values() if count)
        return {**self._qa_counts, "flagged": flagged, "retaken": retaken}

    # -- measured footprint ------------------------------------------------------------------------

    def _maybe_grow(self, worker_id: str, peak_bytes: int) -> None:
        """One more worker on this worker's GPU if its measured peak fits in what is free now."""
        assert self.pool is not None
        launch = self.pool.slots[worker_id].launch
        if not launch.gpu_uuid or launch.gpu_uuid in self._full_gpus or peak_bytes <= 0:
            return
        if self.options.max_workers is not None and len(self.pool.slots) >= self.options.max_workers:
            return
        if self.scheduler.unsent <= len(self.pool.slots):  # no work left for another worker
            return
        on_gpu = sum(1 for slot in self.pool.slots.values() if slot.launch.gpu_uuid == launch.gpu_uuid)
        gpu = next((g for g in self._gpu_reader().gpus if g.uuid == launch.gpu_uuid), None)
        if gpu is None or more_workers_by_measurement(gpu, peak_bytes, self._plan_settings, on_gpu) < 1:
            return
        new_id = str(max(int(w) for w in self.pool.slots if w.isdigit()) + 1)
        self.pool.add_worker(replace(launch, worker_id=new_id))  # its environment too
        self.scheduler.set_workers(len(self.pool.slots))
        self.problem.emit(
            f"worker {worker_id} peaked at {peak_bytes / 1024**3:.1f} GB on {launch.gpu_name}: "
            f"starting worker {new_id} there"
        )

    def _stop_growing_on(self, worker_id: str, reason: str) -> None:
        assert self.pool is not None
        uuid = self.pool.slots[worker_id].launch.gpu_uuid
        if uuid and uuid not in self._full_gpus:
            self._full_gpus.add(uuid)
            self.problem.emit(f"{reason}: no more workers will start on that GPU")

    # -- the end ------------------------------------------------------------------------

    def _on_pool_finished(self, summary: dict[str, Any]) -> None:
        report = clone_report(
            summary,
            self.state.started_at,
            project=str(self.scan.root),
            lines=len(self.plans) + self.state.up_to_date,
            up_to_date=self.state.up_to_date,
            done=self.state.done,
            failed=self.state.failed,
            skipped_lines=[{"line": s.line.id, "reason": s.reason} for s in self.scan.skipped],
            failures=self._failures,
            tokens_per_s=round(self.state.tokens_per_s, 1),
            output=str(self.manifest.output_dir),
            workers={
                worker: {**info, "tokens_per_s": round(self.state.workers[worker].tokens_per_s, 1)}
                for worker, info in summary.get("workers", {}).items()
            },
            scheduler={"switches": self.scheduler.switches, "steals": self.scheduler.steals},
            qa=self._qa_report(),
        )
        self.finished.emit(report)


def reported_peak_db(value: Any) -> float | None:
    """A worker's `peak_db` (untrusted, absent from older workers) if it is a usable peak, else None: an
    unknown peak only means the review measures the take itself, so a bad one never fails the line."""
    if value is None:
        return None
    try:
        return check_peak_db(value)
    except ValueError:
        return None


def chosen_outputs(project: Path) -> dict[str, Path]:
    """Line id -> the chosen take's file, for printing where the clips are."""
    manifest = Manifest.load(project)
    return {line: path for line in manifest.lines if (path := manifest.chosen_path(line)) is not None}
