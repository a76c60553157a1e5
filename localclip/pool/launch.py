"""What starts one worker process: its interpreter, arguments and environment, the same for every transport.

Plain Python (no Qt): the QProcess pool and the Qt-free driver both start workers from a
:class:`WorkerLaunch`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from localclip.core.machine.plan import WorkerPlan
from localclip.core.paths import WORKER_MODULE
from localclip.pool.child_env import child_environment

# Variables a worker must not inherit: another Python's paths, or the parent's choice of GPUs.
_NOT_INHERITED = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONIOENCODING", "CUDA_VISIBLE_DEVICES")


@dataclass(frozen=True)
class WorkerLaunch:
    """Everything needed to start one worker."""

    worker_id: str
    python: Path  # the worker interpreter
    gpu_uuid: str | None = None  # None: the worker runs on the CPU
    gpu_name: str | None = None
    heartbeat_seconds: float = 1.0
    # Arguments after the interpreter; by default ``-I -m localclip_worker ...``. Tests replace it to run a
    # deliberately misbehaving worker script.
    arguments: tuple[str, ...] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def device(self) -> str:
        return "cuda" if self.gpu_uuid else "cpu"

    def argv(self) -> list[str]:
        if self.arguments is not None:
            return list(self.arguments)
        return [
            "-I",
            "-m",
            WORKER_MODULE,
            "--worker-id",
            self.worker_id,
            "--heartbeat",
            str(self.heartbeat_seconds),
        ]

    def environment(self, inherited: Mapping[str, str] | None = None) -> dict[str, str]:
        """The worker's environment: ``inherited`` (this process's by default) made safe for a worker."""
        gpus = {
            "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
            # By UUID: indices differ between NVML and CUDA's default order; an empty value hides every GPU.
            "CUDA_VISIBLE_DEVICES": self.gpu_uuid or "",
        }
        return child_environment({**gpus, **self.extra_env}, inherited, drop=_NOT_INHERITED)


class WorkerConfigError(ValueError):
    """The worker cannot be started as configured (missing interpreter...): a message for a person."""


def check_interpreter(python: Path) -> None:
    if not python.is_file():
        raise WorkerConfigError(
            f"Worker interpreter not found: {python}. Set a worker Python in the settings, or run "
            "'python installer/dev.py setup' to create the bundled worker environment."
        )
    if not os.access(python, os.X_OK):
        raise WorkerConfigError(f"Worker interpreter is not executable: {python}. Check its permissions.")


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
