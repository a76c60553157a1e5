"""From a worker plan (core) to the launches the pool starts."""

from __future__ import annotations

from pathlib import Path

from localclip.core.plan import WorkerPlan
from localclip.pool.worker_process import WorkerLaunch


def launches_for_plan(plan: WorkerPlan, python: Path, heartbeat_seconds: float = 1.0) -> list[WorkerLaunch]:
    return [
        WorkerLaunch(
            worker_id=slot.worker_id,
            python=python,
            gpu_uuid=slot.gpu_uuid if slot.device == "cuda" else None,
            gpu_name=slot.gpu_name,
            heartbeat_seconds=heartbeat_seconds,
        )
        for slot in plan.slots
    ]
