"""The names LocalClip's layers share: kinds of folder, worker states (no Qt, quick to import)."""

from __future__ import annotations

from enum import StrEnum


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
