"""Setting up an embedding or cloning run from the user's settings: the run, its worker plan, its pool.

The window's counterpart of what ``localclip embed`` and ``localclip clone`` do before they start (the
commands add their own overrides from the command line). Nothing here starts a process: the caller
connects its views to the pool, then calls ``run.start()``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from localclip.core.kinds import JobKind
from localclip.core.machine.gpus import GpuReport, probe_gpus
from localclip.core.machine.plan import (
    NoUsableGpu,
    PlanSettings,
    WorkerPlan,
    WorkerThreads,
    plan_workers,
    worker_threads,
)
from localclip.core.options import (
    CLONE_MAX_NEW_TOKENS,
    CLONE_REPETITION_PENALTY,
    CLONE_SEED,
    CLONE_TEMPERATURE,
    CLONE_TOP_P,
    CLUSTER_ADDRESS,
    CLUSTER_TLS_CA,
    CLUSTER_TLS_CERT,
    CLUSTER_TLS_KEY,
    EMBED_BATCH_SIZE,
    EMBED_PRECISION,
    MAX_WORKERS,
    QA_ENABLED,
    QA_RETAKES,
    RECOGNISER_MODEL_DIR,
    RUN_DEVICE,
    RUN_WHERE,
    WESPEAKER_MODEL_DIR,
)
from localclip.settings import Settings

# The runs, stores and manifests (numpy, soundfile) are imported when a run is prepared: the window
# imports this module for its plans at start-up, which must stay quick.
if TYPE_CHECKING:
    from localclip.cluster.security import ClusterTarget
    from localclip.core.cloning.manifest import CloneParams
    from localclip.core.cloning.project import ProjectScan
    from localclip.core.embedding.datasets import DatasetScan
    from localclip.core.models.folders import FishModelInfo, WeSpeakerModelInfo
    from localclip.pool.launch import WorkerLaunch
    from localclip.pool.pool import WorkerPool
    from localclip.runs.clone import CloneRun
    from localclip.runs.embed import EmbedRun
    from localclip.runs.take_checks import QaSetup

# For the window and `localclip embed` alike: CPU workers take clips in jobs small enough that each gets
# several.
CPU_JOBS_PER_WORKER = 8
CPU_MIN_CLIPS_PER_JOB = 8
# GPU workers take large jobs: a job's end drains the worker's pipeline (its prefetched window of decoded
# clips and the batches in flight) before the next job's first clips are decoded, a pause of the order of
# 0.1 s each time, which at thousands of clips/s would cost a 256-clip job most of its time. About four
# jobs per worker still share the work out evenly at the end of a run; a job line of 4,096 clips with long
# paths may pass the protocol's line limit, and the pool then sends it in halves (pool/engine.py).
GPU_JOBS_PER_WORKER = 4
GPU_MIN_CLIPS_PER_JOB = 256
GPU_MAX_CLIPS_PER_JOB = 4096


class SetupError(ValueError):
    """The run cannot start as set up; the message says what to change."""


@dataclass
class PreparedRun:
    run: EmbedRun | CloneRun
    pool: WorkerPool
    plan: WorkerPlan
    python: Path


# --- embedding ---------------------------------------------------------------------------------------


def cpu_clips_per_job(pending: int, workers: int, most: int) -> int:
    """Clips per job for CPU workers: about CPU_JOBS_PER_WORKER jobs each, at least 8 and at most ``most``."""
    wanted = -(-pending // (workers * CPU_JOBS_PER_WORKER))
    return max(CPU_MIN_CLIPS_PER_JOB, min(most, wanted))


def gpu_clips_per_job(pending: int, workers: int) -> int:
    """Clips per job for GPU workers: about GPU_JOBS_PER_WORKER jobs each, within 256 to 4,096 clips."""
    wanted = -(-pending // (workers * GPU_JOBS_PER_WORKER))
    return max(GPU_MIN_CLIPS_PER_JOB, min(GPU_MAX_CLIPS_PER_JOB, wanted))


def prepare_embed(
    scan: DatasetScan,
    model: WeSpeakerModelInfo,
    out_dir: Path,
    settings: Settings,
    report: GpuReport | None = None,
    skip_existing: bool = True,
) -> PreparedRun:
    """The run, its plan (sized by the pending clips) and its pool. Raises SetupError."""
    from localclip.core.embedding.store import StoreMismatch
    from localclip.runs.embed import EmbedOptions, EmbedRun

    device = settings.get(RUN_DEVICE)
    target = cluster_target(settings)
    options = EmbedOptions(
        device=device,
        batch_size=settings.get(EMBED_BATCH_SIZE),
        precision=settings.get(EMBED_PRECISION),
        skip_existing=skip_existing,
    )
    try:
        run = EmbedRun(scan, model, out_dir, options)
    except StoreMismatch as error:
        raise SetupError(str(error)) from None
    except OSError as error:
        raise SetupError(f"cannot use the results folder {out_dir}: {error}") from None
    python = settings.worker_python(JobKind.EMBED)
    if target is not None:
        return PreparedRun(run, use_cluster(run, target), cluster_plan(target), python)
    report = report or probe_gpus()
    plan_settings = JobKind.EMBED.plan_settings(settings)
    plan, launches = embed_launches(
        run, lambda items: _plan(report, plan_settings, items, device), python, plan_settings
    )
    return PreparedRun(run, run.create_pool(launches), plan, python)


def embed_launches(
    run: EmbedRun,
    plan_for: Callable[[int], WorkerPlan],
    python: Path,
    settings: PlanSettings,
    cores: int | None = None,
) -> tuple[WorkerPlan, list[WorkerLaunch]]:
    """The worker plan and launches of an embedding run; ``plan_for(work_items)`` makes a plan.

    Every pending clip could be a job of its own: a CPU plan then sizes its jobs to its workers (several
    each, so none idles at the end) and gives each worker an equal share of the cores as torch (OpenMP)
    threads: on 2 cores, 2 workers x 1 thread embed faster than 1 worker x 2 threads (bench/embed.py,
    docs/benchmarks.md). A GPU plan keeps large jobs (large batches) and no more workers than jobs, and
    splits the cores too: a few torch threads each, the rest of its share decoding (core/plan.py).
    """
    from localclip.pool.launch import launches_for_plan

    plan = plan_for(max(1, len(run.pending)))
    notes: tuple[str, ...] = ()
    if plan.device == "cpu":
        per_job = cpu_clips_per_job(len(run.pending), len(plan.slots), run.options.clips_per_job)
        run.options = replace(run.options, clips_per_job=per_job)
        notes = (f"{per_job} clips per job",)
    else:
        per_job = gpu_clips_per_job(len(run.pending), len(plan.slots))
        run.options = replace(run.options, clips_per_job=per_job)
        notes = (f"{per_job} clips per job",)
        if len(plan.slots) > run.jobs:
            plan = plan_for(max(1, run.jobs))
    threads = worker_threads(plan.device, len(plan.slots), cores or os.cpu_count() or 1, settings)
    run.options = replace(
        run.options, torch_threads=threads.torch, io_threads=threads.io or run.options.io_threads
    )
    plan = replace(plan, explanation=(*plan.explanation, ", ".join((threads.describe(), *notes))))
    return plan, with_threads(launches_for_plan(plan, python), threads)


def with_threads(launches: list[WorkerLaunch], threads: WorkerThreads) -> list[WorkerLaunch]:
    """The launches with torch's thread pools (OpenMP, MKL) sized from the start, before torch loads."""
    env = {"OMP_NUM_THREADS": str(threads.torch), "MKL_NUM_THREADS": str(threads.torch)}
    return [replace(launch, extra_env={**launch.extra_env, **env}) for launch in launches]


# --- cloning -----------------------------------------------------------------------------------------


def clone_params(settings: Settings) -> CloneParams:
    """The sampling parameters from the settings. Raises SetupError for a combination fish-speech refuses."""
    from localclip.core.cloning.manifest import CloneParams

    try:
        return CloneParams(
            settings.get(CLONE_TEMPERATURE),
            settings.get(CLONE_TOP_P),
            settings.get(CLONE_REPETITION_PENALTY),
            settings.get(CLONE_MAX_NEW_TOKENS),
        )
    except ValueError as error:
        raise SetupError(f"the cloning settings cannot be used: {error}") from None


def qa_setup(settings: Settings) -> QaSetup | None:
    """How new takes are checked (docs/qa.md), or None: checks are off, or no speaker embedding model is
    chosen (the recogniser is optional: without it the words are not checked)."""
    from localclip.core.qa.flags import QaThresholds
    from localclip.runs.take_checks import QaSetup

    speaker_model, recogniser = settings.get(WESPEAKER_MODEL_DIR), settings.get(RECOGNISER_MODEL_DIR)
    if not settings.get(QA_ENABLED) or not speaker_model:
        return None
    return QaSetup(
        Path(speaker_model),
        Path(recogniser) if recogniser else None,
        QaThresholds.from_options(settings),
        settings.get(QA_RETAKES),
    )


def clone_seed(settings: Settings) -> int | None:
    seed = settings.get(CLONE_SEED)
    return None if seed < 0 else seed


def prepare_clone(
    scan: ProjectScan,
    model: FishModelInfo,
    settings: Settings,
    report: GpuReport | None = None,
    only: tuple[str, ...] | None = None,
) -> PreparedRun:
    """The run (lines that need generating), its plan and its pool; the settings are recorded in the
    project's output folder for regenerating a line later. Raises SetupError."""
    from localclip.core.cloning.manifest import ManifestError
    from localclip.core.cloning.run_settings import CloneRunSettings, save_run_settings
    from localclip.pool.launch import launches_for_plan
    from localclip.runs.clone import CloneOptions, CloneRun

    device = settings.get(RUN_DEVICE)
    target = cluster_target(settings)
    params, seed = clone_params(settings), clone_seed(settings)
    plan_settings = JobKind.CLONE.plan_settings(settings)
    options = CloneOptions(
        device=device,
        params=params,
        seed=seed,
        only=only,
        max_workers=settings.get(MAX_WORKERS) or None,
        qa=qa_setup(settings),
    )
    try:
        run = CloneRun(scan, model, options, plan_settings=plan_settings)
        record = CloneRunSettings(
            str(model.checkpoint_dir), str(model.codec_path), device, "", params.to_dict(), seed
        )
        save_run_settings(run.manifest.output_dir, record)
    except ManifestError as error:
        raise SetupError(str(error)) from None
    except OSError as error:
        raise SetupError(f"cannot write to {scan.root}: {error}") from None
    python = settings.worker_python(JobKind.CLONE)
    if target is not None:
        return PreparedRun(run, use_cluster(run, target), cluster_plan(target), python)
    plan = _plan(report or probe_gpus(), plan_settings, max(1, len(run.plans)), device)
    return PreparedRun(run, run.create_pool(launches_for_plan(plan, python)), plan, python)


# --- demo models --------------------------------------------------------------------------------------


def demo_model_command(settings: Settings, folder: Path, kind: str) -> list[str]:
    """The command that builds a demo model of ``kind`` (random weights) in
    ``folder``, run by the worker interpreter of the job kind that will use the model."""
    python = settings.worker_python(JobKind.for_model(kind))
    return [str(python), "-I", "-m", "localclip_worker.demo_models", str(folder), "--kind", kind]


def _plan(report: GpuReport, settings: PlanSettings, work_items: int, device: str) -> WorkerPlan:
    try:
        return plan_workers(report, settings, work_items=work_items, device=device)
    except (NoUsableGpu, ValueError) as error:
        raise SetupError(str(error)) from None


# --- a cluster ----------------------------------------------------------------------------------------


def cluster_target(settings: Settings) -> ClusterTarget | None:
    """The cluster the window's runs go to (None: this workstation). Raises SetupError."""
    from localclip.cluster.security import ClusterSetupError, ClusterTarget, TlsFiles

    if settings.get(RUN_WHERE) != "cluster":
        return None
    try:
        tls = TlsFiles.from_options(
            settings.get(CLUSTER_TLS_CA), settings.get(CLUSTER_TLS_CERT), settings.get(CLUSTER_TLS_KEY)
        )
        return ClusterTarget.parse(settings.get(CLUSTER_ADDRESS), tls)
    except ClusterSetupError as error:
        raise SetupError(f"the cluster in the settings cannot be used: {error}") from None


def use_cluster(run: EmbedRun | CloneRun, target: ClusterTarget) -> WorkerPool:
    """Give ``run`` the cluster at ``target`` as its pool (connected when the run starts). The model is
    named to the nodes by folder name and fingerprint: each node uses its own copy. Raises SetupError."""
    from localclip.cluster.pool import ClusterPool
    from localclip.cluster.session import ClusterOptions
    from localclip.cluster.wire import clone_model_ref, embed_model_ref, job_models, recogniser_model_ref
    from localclip.core.models.folders import ModelDirError
    from localclip.runs.embed import EmbedRun

    checks = {}
    try:
        if isinstance(run, EmbedRun):
            model = embed_model_ref(run.model.path)
            options = ClusterOptions(items_per_batch=GPU_MAX_CLIPS_PER_JOB)
        else:
            model = clone_model_ref(run.model.checkpoint_dir, run.model.codec_path)
            options = ClusterOptions()
            qa = run.options.qa  # the nodes check takes with their copies of the same models
            if qa is not None:
                checks["wespeaker_dir"] = embed_model_ref(qa.speaker_model)
                if qa.recogniser is not None:
                    checks["recogniser_dir"] = recogniser_model_ref(qa.recogniser)
    except (ModelDirError, OSError) as error:
        raise SetupError(str(error)) from None
    models = job_models(model, checks)
    return run.use_pool(ClusterPool(target.address, target.security(), models, options, parent=run))


def cluster_plan(target: ClusterTarget) -> WorkerPlan:
    """What a cluster run says about its workers before it starts: they are the nodes'."""
    return WorkerPlan((), "cluster", (f"on the cluster at {target.address}: its nodes' workers",))
