"""The names LocalClip's layers share: kinds of folder, model and job, worker states (no Qt).

One enumeration of job kinds (:class:`JobKind`) maps each pipeline onto its folder kind, model kind, worker
job, plan settings and interpreter setting; nothing else spells these kinds out.
"""

from __future__ import annotations

import os
from dataclasses import replace
from enum import StrEnum

from localclip.core.machine.plan import PlanSettings
from localclip.core.options import (
    CLONE_WORKERS_PER_GPU,
    CPU_WORKERS,
    EMBED_CPU_WORKERS,
    EMBED_GPU_IO_THREADS,
    EMBED_MEMORY_PER_WORKER_GB,
    EMBED_WORKERS_PER_GPU,
    FISH_MODEL_DIR,
    GPU_WORKER_TORCH_THREADS,
    MAX_WORKERS,
    MEMORY_PER_WORKER_GB,
    RESERVE_FRACTION,
    WESPEAKER_MODEL_DIR,
    Option,
    OptionSource,
    python_option,
)

# Host memory budgeted per CPU embedding worker (a ResNet34 worker peaks near 1 GB RSS).
CPU_WORKER_MEMORY_GB = 1.5
# Host memory budgeted per CPU cloning worker: S1-mini's 1.74 GB of bf16 weights held in float32 (3.5 GB),
# its 1.87 GB codec and about 1 GB of runtime (docs: shared reference, fish-speech measurements).
CLONE_CPU_WORKER_MEMORY_GB = 6.0


class FolderKind(StrEnum):
    DATASET = "dataset"  # clips by speaker: speaker embeddings
    PROJECT = "project"  # references and a script: voice cloning


KIND_DATASET = FolderKind.DATASET
KIND_PROJECT = FolderKind.PROJECT


class WorkerState(StrEnum):
    """A worker process as the pool sees it (the pool sets it; the monitor reads it)."""

    STARTING = "starting"
    IDLE = "idle"
    WORKING = "working"
    RESTARTING = "restarting"
    RETIRED = "retired"
    STOPPING = "stopping"
    STOPPED = "stopped"


class ModelKind(StrEnum):
    WESPEAKER = "wespeaker"  # speaker embeddings
    FISH = "fish"  # voice cloning (Fish-Speech / OpenAudio)


# Take checks: a worker job of the clone pipeline, run by clone workers in their environment (docs/qa.md).
QA_WORKER_JOB = "qa"


class JobKind(StrEnum):
    """The pipelines: each knows its folder kind, model kind, worker job, plan settings and interpreter
    setting. The value is the worker's job name (localclip_worker.jobs.JOB_MODULES)."""

    EMBED = "embed"
    CLONE = "clone"

    @classmethod
    def for_folder(cls, kind: str) -> JobKind:
        return cls.EMBED if kind == FolderKind.DATASET else cls.CLONE

    @classmethod
    def for_model(cls, kind: str) -> JobKind:
        return cls.EMBED if kind == ModelKind.WESPEAKER else cls.CLONE

    @property
    def folder_kind(self) -> FolderKind:
        return FolderKind.DATASET if self is JobKind.EMBED else FolderKind.PROJECT

    @property
    def model_kind(self) -> ModelKind:
        return ModelKind.WESPEAKER if self is JobKind.EMBED else ModelKind.FISH

    @property
    def worker_job(self) -> str:
        return self.value

    @property
    def model_dir_option(self) -> Option[str]:
        return WESPEAKER_MODEL_DIR if self is JobKind.EMBED else FISH_MODEL_DIR

    @property
    def interpreter_option(self) -> Option[str]:
        """The setting naming this kind's worker interpreter ("" : the default one)."""
        return python_option(self.value)

    def plan_settings(self, source: OptionSource, cores: int | None = None) -> PlanSettings:
        """How to plan this kind's workers from the settings (``cores``: this machine's, by default)."""
        base = base_plan_settings(source)
        if self is JobKind.CLONE:
            return replace(
                base,
                max_workers_per_gpu=source.get(CLONE_WORKERS_PER_GPU) or None,
                cpu_worker_memory_gb=CLONE_CPU_WORKER_MEMORY_GB,
                free_memory_gb=_free_memory_gb(),
            )
        return replace(
            base,
            memory_per_worker_gb=source.get(EMBED_MEMORY_PER_WORKER_GB),
            max_workers_per_gpu=source.get(EMBED_WORKERS_PER_GPU) or None,
            cpu_workers=source.get(EMBED_CPU_WORKERS) or default_cpu_workers(cores or os.cpu_count() or 1),
            gpu_io_threads=source.get(EMBED_GPU_IO_THREADS),
        )


# The worker interpreters a user may set: one per job kind, and a default that serves the probe and any
# kind without its own.
DEFAULT_INTERPRETER = "default"
INTERPRETER_KINDS = (DEFAULT_INTERPRETER, *JobKind)


def base_plan_settings(source: OptionSource) -> PlanSettings:
    """The plan settings every kind starts from (cloning uses them as they are; so does the probe)."""
    return PlanSettings(
        memory_per_worker_gb=source.get(MEMORY_PER_WORKER_GB),
        reserve_fraction=source.get(RESERVE_FRACTION),
        max_workers=source.get(MAX_WORKERS) or None,
        cpu_workers=source.get(CPU_WORKERS),
        gpu_torch_threads=source.get(GPU_WORKER_TORCH_THREADS),
    )


def _free_memory_gb() -> float:
    import psutil  # here: the names above are imported at start-up, and psutil only plans CPU runs

    return psutil.virtual_memory().available / 2**30


def default_cpu_workers(cores: int) -> int:
    """One embedding worker per core, as many as the free memory holds (at least one)."""
    fits = int(_free_memory_gb() / CPU_WORKER_MEMORY_GB)
    return max(1, min(cores, fits))
