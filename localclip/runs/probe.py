"""The ``probe`` job on every planned worker: checks that the worker environment works (Python, torch, CUDA,
the GPUs it sees). One run of it for the window's "Check workers" and ``localclip probe``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from localclip.core.machine.plan import WorkerPlan
from localclip.pool.launch import launches_for_plan
from localclip.pool.pool import WorkerPool


def probe_items(plan: WorkerPlan) -> list[dict[str, Any]]:
    """One probe item pinned to each planned worker."""
    return [{"id": f"probe-{slot.worker_id}", "worker_id": slot.worker_id} for slot in plan.slots]


class ProbeRun(QObject):
    """A pool of the plan's workers, each answering one probe item; the caller shuts the pool down."""

    finished = Signal(object, object)  # the pool's summary, {worker id: probe result}

    def __init__(self, plan: WorkerPlan, python: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.results: dict[str, dict[str, Any]] = {}  # by worker id
        self.pool = WorkerPool(launches_for_plan(plan, python), parent=self)
        self.pool.item_done.connect(self._on_item_done)
        self.pool.finished.connect(lambda summary: self.finished.emit(summary, dict(self.results)))

    def start(self) -> None:
        """Start the workers. Raises WorkerConfigError for a bad interpreter."""
        self.pool.start()

    def submit(self) -> None:
        self.pool.submit("probe", probe_items(self.plan), {})

    def _on_item_done(self, _item: str, worker_id: str, result: dict[str, Any]) -> None:
        self.results[worker_id] = result
