"""One embedding run: a scanned dataset, a WeSpeaker model, the worker pool and the store.

Clips already in the store are skipped (resume); the rest go to the workers in jobs of ``clips_per_job``
(a worker batches inside a job and decodes the next clips while the model runs). Results are checked
(worker output is untrusted), buffered, and written to the store in one transaction every
``FLUSH_MS``: a killed run loses at most the unflushed results, never leaves a partial record, and a
re-run computes only what is missing.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from localclip.core.embedding.datasets import Clip, DatasetScan
from localclip.core.embedding.store import (
    EmbeddingRecord,
    EmbeddingStore,
    FailureRecord,
    embedding_bytes_b64,
    vectors_from_bytes,
)
from localclip.core.kinds import JobKind
from localclip.core.models.folders import WeSpeakerModelInfo
from localclip.pool.engine import PoolOptions
from localclip.pool.launch import WorkerLaunch
from localclip.pool.pool import WorkerPool
from localclip.runs.report import embed_report
from localclip_worker import protocol

FLUSH_MS = 250
# ``progress`` is emitted at most this often, and at the end: a GPU reports thousands of clips a second,
# and every listener (the window's panes, the command line's bar) would redraw for each.
PROGRESS_INTERVAL_S = 0.1
# Failures that belong to the clip (stored, shown per speaker; a later run tries them again); others (a
# worker died, no worker left) belong to the run and are only reported: the clip is simply not done yet.
# out_of_memory reaches the run only after the pool's retries: the clip does not fit even alone.
CLIP_FAILURE_CODES = {protocol.FAIL_BAD_INPUT, protocol.FAIL_EXCEPTION, protocol.FAIL_OUT_OF_MEMORY}


@dataclass(frozen=True)
class EmbedOptions:
    device: str = "auto"  # what the workers' torch should use: auto, cpu or cuda
    batch_size: int = 0  # clips per batch; 0 lets the worker adapt it to the GPU
    precision: str = "exact"  # the model's arithmetic on a GPU (core/options.py EMBED_PRECISION)
    clips_per_job: int = 256
    io_threads: int = 4
    torch_threads: int = 0  # 0: as the worker started (OMP_NUM_THREADS, else one per core)
    skip_existing: bool = True


@dataclass(frozen=True, slots=True)
class Incoming:
    """A result as it came in: the vector's bytes are checked for length, not yet for their values."""

    key: str
    worker_id: str
    clip: Clip
    duration: float
    rate: int
    raw: bytes


@dataclass
class WorkerCounts:
    done: int = 0
    failed: int = 0


@dataclass
class EmbedProgress:
    total: int  # clips in the dataset
    skipped: int  # already in the store when the run started
    done: int = 0
    failed: int = 0
    started_at: float = field(default_factory=time.monotonic)
    workers: dict[str, WorkerCounts] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return self.total - self.skipped - self.done - self.failed

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started_at
        return (self.done + self.failed) / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        return self.remaining / self.rate if self.rate > 0 else None


class EmbedRun(QObject):
    progress = Signal(object)  # EmbedProgress
    problem = Signal(str)
    finished = Signal(object)  # RunReport

    def __init__(
        self,
        scan: DatasetScan,
        model: WeSpeakerModelInfo,
        out_dir: Path,
        options: EmbedOptions | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scan = scan
        self.model = model
        self.options = options or EmbedOptions()
        self.store = EmbeddingStore.open(out_dir, model.model_id, model.embed_dim)
        self.pool: WorkerPool | None = None
        self._clips: dict[str, Clip] = {clip.key: clip for clip in scan.clips}
        self._incoming: list[Incoming] = []  # results since the last flush, their vectors not yet checked
        self._failures: list[FailureRecord] = []
        self._run_failures: Counter[str] = Counter()
        self.write_error = ""
        self._next_progress = 0.0
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        done = self.store.done_keys() if self.options.skip_existing else set()
        self.pending = [clip for clip in scan.clips if clip.key not in done]
        self.state = EmbedProgress(total=len(scan.clips), skipped=len(scan.clips) - len(self.pending))

    @property
    def jobs(self) -> int:
        """How many jobs the pending clips make: no plan needs more workers than this."""
        return -(-len(self.pending) // self.options.clips_per_job)

    def create_pool(self, launches: list[WorkerLaunch]) -> WorkerPool:
        return self.use_pool(
            WorkerPool(launches, PoolOptions(items_per_job=self.options.clips_per_job), self)
        )

    def use_pool(self, pool: WorkerPool) -> WorkerPool:
        """Run on ``pool`` (not started yet): local workers, or a cluster's (cluster/pool.py)."""
        self.pool = pool
        self.pool.item_done.connect(self._on_item_done)
        self.pool.item_failed.connect(self._on_item_failed)
        self.pool.finished.connect(self._on_pool_finished)
        return self.pool

    def start(self) -> None:
        """Start the workers and queue the clips. Raises WorkerConfigError for a bad interpreter."""
        assert self.pool is not None, "create_pool() first"
        if not self.pending:  # all done already: finish from the event loop, as a run would
            pool = self.pool
            QTimer.singleShot(0, lambda: self._on_pool_finished(pool.summary()))
            return
        self.pool.start()
        self.pool.submit(
            JobKind.EMBED.worker_job,
            [{"id": clip.key, "path": str(clip.path)} for clip in self.pending],
            self.job_params(),
        )
        self._flush_timer.start()

    def job_params(self) -> dict[str, Any]:
        """The embed job's params (docs/protocol.md, the embed job)."""
        return {
            "model_dir": str(self.model.path),
            "device": self.options.device,
            "batch_size": self.options.batch_size,
            "precision": self.options.precision,
            "io_threads": self.options.io_threads,
            "torch_threads": self.options.torch_threads,
        }

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.cancel()

    # -- results ------------------------------------------------------------------------------------------

    def _on_item_done(self, key: str, worker_id: str, result: dict[str, Any]) -> None:
        clip = self._clips.get(key)
        if clip is None:
            return
        try:
            raw = embedding_bytes_b64(result["embedding_b64"], self.model.embed_dim)
            duration, rate = float(result["duration"]), int(result["sample_rate"])
            if not math.isfinite(duration) or duration < 0:
                raise ValueError(f"the duration {duration!r} is not a length in seconds")
        except (KeyError, TypeError, ValueError) as error:  # untrusted worker output: the clip fails
            self._on_item_failed(
                key, worker_id, protocol.FAIL_EXCEPTION, f"bad result from the worker: {error}"
            )
            return
        self._incoming.append(Incoming(key, worker_id, clip, duration, rate, raw))
        self.state.done += 1
        self._worker(worker_id).done += 1
        self._tell_progress()

    def _on_item_failed(self, key: str, worker_id: str, code: str, reason: str) -> None:
        clip = self._clips.get(key)
        if clip is None:
            return
        if code in CLIP_FAILURE_CODES:
            self._failures.append(
                FailureRecord(key, clip.dataset, clip.speaker, str(clip.path), code, reason)
            )
        else:
            self._run_failures[code] += 1
        self.state.failed += 1
        self._worker(worker_id).failed += 1
        self._tell_progress()

    def _tell_progress(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now >= self._next_progress:
            self._next_progress = now + PROGRESS_INTERVAL_S
            self.progress.emit(self.state)

    def _take_incoming(self) -> list[EmbeddingRecord]:
        """The results since the last flush as records. Their values are checked here, for the batch at
        once (per result it cost the coordinator more than the store did): a vector with NaN or infinite
        values fails its clip after all."""
        incoming, self._incoming = self._incoming, []
        if not incoming:
            return []
        matrix, finite = vectors_from_bytes([entry.raw for entry in incoming], self.model.embed_dim)
        records = []
        for entry, vector, ok in zip(incoming, matrix, finite, strict=True):
            clip = entry.clip
            if ok:
                path = str(clip.path)
                records.append(
                    EmbeddingRecord(
                        entry.key, clip.dataset, clip.speaker, path, entry.duration, entry.rate, vector
                    )
                )
                continue
            self.state.done -= 1
            self._worker(entry.worker_id).done -= 1
            reason = "bad result from the worker: the embedding has NaN or infinite values"
            self._on_item_failed(entry.key, entry.worker_id, protocol.FAIL_EXCEPTION, reason)
        return records

    def _worker(self, worker_id: str) -> WorkerCounts:
        return self.state.workers.setdefault(worker_id, WorkerCounts())

    def flush(self) -> None:
        """Write what came in since the last flush, in one transaction each.

        A store that cannot be written (disk full, folder gone) stops the run: computing results that
        cannot be kept would only waste the GPU; what was written stays, and a re-run resumes from it."""
        try:
            records = self._take_incoming()
            if records:
                self.store.add_embeddings(records)
            if self._failures:
                self.store.add_failures(self._failures)
                self._failures = []
        except (OSError, sqlite3.Error) as error:
            self.write_error = f"cannot write to {self.store.path}: {error}"
            self.problem.emit(self.write_error)
            self._incoming, self._failures = [], []
            self.cancel()

    def _on_pool_finished(self, summary: dict[str, Any]) -> None:
        self._flush_timer.stop()
        self.flush()
        self._tell_progress(force=True)  # the last counts, however soon after the previous
        report = embed_report(
            summary,
            self.state.started_at,
            clips=self.state.total,
            skipped=self.state.skipped,
            done=self.state.done,
            failed=self.state.failed,
            not_done=dict(self._run_failures),
            store=str(self.store.path),
            write_error=self.write_error,
        )
        self.store.close()
        self.finished.emit(report)
