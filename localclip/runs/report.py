"""A run's end report: what an embedding or a cloning run did, typed, made in one place from the pool's
summary and the run's own counts.

``to_dict()`` is the form the command line's ``embed_finished`` / ``clone_finished`` events carry
(docs/protocol.md §8): its keys and their order are part of that stream, so they are fixed per kind here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from localclip.core.kinds import KIND_DATASET, KIND_PROJECT

# The event stream's keys, in its order, per kind of run.
_EMBED_KEYS = (
    "clips", "skipped", "done", "failed", "not_done", "cancelled", "cancelled_run", "setup_error", "seconds",
    "store", "write_error", "workers",
)  # fmt: skip
_CLONE_KEYS = (
    "project", "lines", "up_to_date", "done", "failed", "skipped_lines", "failures", "cancelled_run",
    "setup_error", "seconds", "tokens_per_s", "output", "workers", "scheduler", "qa",
)  # fmt: skip


@dataclass(frozen=True)
class RunReport:
    kind: str  # KIND_DATASET (an embedding run) or KIND_PROJECT (a cloning run)
    done: int = 0
    failed: int = 0
    cancelled_run: bool = False
    setup_error: str = ""  # the model or device could not be set up: the run stopped, nothing failed for it
    seconds: float = 0.0
    workers: dict[str, dict[str, Any]] = field(default_factory=dict)  # the pool's, by worker id
    failures: list[dict[str, Any]] = field(default_factory=list)  # clone: each line, speaker, reason
    # Embedding runs
    clips: int = 0
    # Already in the store when the run started: "already done", not run again. (The event stream's key
    # keeps its name; the window and the command line say "already done".)
    skipped: int = 0
    not_done: dict[str, int] = field(default_factory=dict)  # run failures (not the clip's) by code
    cancelled: int = 0
    store: str = ""
    write_error: str = ""
    # Cloning runs
    project: str = ""
    lines: int = 0
    up_to_date: int = 0
    skipped_lines: list[dict[str, str]] = field(default_factory=list)  # each line, reason
    tokens_per_s: float = 0.0
    output: str = ""
    scheduler: dict[str, int] = field(default_factory=dict)
    # Take checks (docs/qa.md): takes checked, lines still flagged, lines retaken, takes left unchecked
    qa: dict[str, int] = field(default_factory=dict)
    # Set by the window's queue after the run
    speakers: dict[str, Any] | None = None
    folder: str = ""
    status: str = ""

    @property
    def already_done(self) -> int:
        """Items done before the run started: clips already in the store, or lines up to date."""
        return self.skipped if self.is_embedding else self.up_to_date

    @property
    def is_embedding(self) -> bool:
        return self.kind == KIND_DATASET

    def to_dict(self) -> dict[str, Any]:
        keys = _EMBED_KEYS if self.is_embedding else _CLONE_KEYS
        record = {key: getattr(self, key) for key in keys}
        if self.speakers is not None:
            record["speakers"] = self.speakers
        if self.folder:  # the queue's record: the window's run_finished and the folder's last report
            record.update(folder=self.folder, kind=self.kind, status=self.status)
        return record

    # The dict form's values by key: for readers not yet moved to attributes (runs/regenerate.py, tests).
    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]


def run_report(kind: str, summary: dict[str, Any], started_at: float, **counts: Any) -> RunReport:
    """The report of a run that started at ``started_at`` (monotonic), from the pool's ``summary`` and the
    run's own ``counts`` (RunReport's fields)."""
    return RunReport(
        kind=kind,
        cancelled_run=bool(summary.get("cancelled_run")),
        setup_error=str(summary.get("setup_error") or ""),
        seconds=round(time.monotonic() - started_at, 3),
        workers=counts.pop("workers", None) or summary.get("workers", {}),
        **counts,
    )


def embed_report(summary: dict[str, Any], started_at: float, **counts: Any) -> RunReport:
    return run_report(KIND_DATASET, summary, started_at, cancelled=summary.get("cancelled", 0), **counts)


def clone_report(summary: dict[str, Any], started_at: float, **counts: Any) -> RunReport:
    return run_report(KIND_PROJECT, summary, started_at, **counts)
