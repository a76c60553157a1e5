"""``localclip embed``, ``localclip speakers`` and ``localclip export``."""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from typing import Any

import psutil

from localclip.cli.probe import make_plan
from localclip.cli.terminal import EXIT_OK, TerminalRun, UsageError, exit_code
from localclip.core.datasets import LayoutError, scan_dataset
from localclip.core.models import ModelDirError, check_wespeaker_dir
from localclip.settings import (
    EMBED_CPU_WORKERS,
    EMBED_MEMORY_PER_WORKER_GB,
    EMBED_WORKERS_PER_GPU,
    Settings,
)

# CPU workers take clips in jobs small enough that each worker gets several (the last jobs end close
# together, so no core idles at the end), and never larger than the usual size (256 clips).
CPU_JOBS_PER_WORKER = 8
CPU_MIN_CLIPS_PER_JOB = 8
# Host memory per CPU worker: a ResNet34 worker peaks at about 1.0 GB RSS (bench/embed.py, clips of 1-10 s),
# so the default of one worker per core is capped at what the free memory holds.
CPU_WORKER_MEMORY_GB = 1.5


def run_embed(args: argparse.Namespace) -> int:
    from localclip.core.embedding_store import StoreMismatch
    from localclip.pool.launch import launches_for_plan
    from localclip.runs.embed import EmbedOptions, EmbedProgress, EmbedRun

    try:
        scan = scan_dataset(args.dataset)
        model = check_wespeaker_dir(args.model)
    except (LayoutError, ModelDirError) as error:
        raise UsageError(str(error)) from None
    settings = Settings()
    options = EmbedOptions(
        device=args.device, batch_size=args.batch_size, skip_existing=not args.no_skip_existing
    )
    try:
        run = EmbedRun(scan, model, args.out, options)
    except StoreMismatch as error:
        raise UsageError(str(error)) from None
    per_gpu = settings.get(EMBED_WORKERS_PER_GPU)
    cores = os.cpu_count() or 1
    embed_plan = replace(
        settings.plan_settings(),
        memory_per_worker_gb=settings.get(EMBED_MEMORY_PER_WORKER_GB),
        max_workers_per_gpu=per_gpu or None,
        cpu_workers=settings.get(EMBED_CPU_WORKERS) or default_cpu_workers(cores),
    )
    # Every pending clip could be a job of its own; a CPU plan then sizes its jobs to its workers, and a GPU
    # plan keeps 256-clip jobs (large batches) and no more workers than those jobs.
    _, plan = make_plan(args, embed_plan, work_items=max(1, len(run.pending)))
    python = args.worker_python or settings.worker_python("embed")
    launches = launches_for_plan(plan, python)
    if plan.device == "cpu":
        per_job = cpu_clips_per_job(len(run.pending), len(launches), run.options.clips_per_job)
        run.options = replace(run.options, clips_per_job=per_job)
        # Each worker gets an equal share of the cores as torch (OpenMP) threads: on 2 cores, 2 workers x 1
        # thread embed faster than 1 worker x 2 threads (bench/embed.py, docs/benchmarks.md).
        threads = max(1, cores // len(launches))
        env = {"OMP_NUM_THREADS": str(threads)}
        launches = [replace(launch, extra_env={**launch.extra_env, **env}) for launch in launches]
        note = f"{threads} torch thread{'s' if threads > 1 else ''} per worker, {per_job} clips per job"
        plan = replace(plan, explanation=(*plan.explanation, note))
    elif len(plan.slots) > run.jobs:
        _, plan = make_plan(args, embed_plan, work_items=max(1, run.jobs))
        launches = launches_for_plan(plan, python)
    terminal = TerminalRun(events=args.events == "jsonl")
    pool = run.create_pool(launches)
    terminal.follow(pool)
    report: dict[str, Any] = {}

    def on_progress(state: EmbedProgress) -> None:
        terminal.show_progress(state.done + state.failed, len(run.pending), worker_counts(state))

    def on_finished(result: dict[str, Any]) -> None:
        report.update(result)
        terminal.emit("embed_finished", report=result)
        pool.shutdown()

    run.progress.connect(on_progress)
    run.problem.connect(lambda text: terminal.say(f"localclip: {text}"))
    run.finished.connect(on_finished)
    terminal.emit("plan", plan=plan.to_dict(), python=str(python))
    terminal.emit(
        "dataset",
        root=str(scan.root),
        layout=scan.layout,
        clips=len(scan.clips),
        pending=len(run.pending),
        problems=list(scan.problems),
    )
    terminal.say(describe_start(scan, run, plan.explanation))
    terminal.execute(pool, run.start, total=len(run.pending), unit="clip")
    if args.events != "jsonl":
        print(describe_end(report))
    return exit_code({**report, "failed": report.get("failed", 0)})


def default_cpu_workers(cores: int) -> int:
    """One embedding worker per core, as many as the free memory holds (at least one)."""
    fits = int(psutil.virtual_memory().available / 2**30 / CPU_WORKER_MEMORY_GB)
    return max(1, min(cores, fits))


def cpu_clips_per_job(pending: int, workers: int, most: int) -> int:
    """Clips per job for CPU workers: about CPU_JOBS_PER_WORKER jobs each, at least 8 and at most ``most``."""
    wanted = -(-pending // (workers * CPU_JOBS_PER_WORKER))
    return max(CPU_MIN_CLIPS_PER_JOB, min(most, wanted))


def worker_counts(state: Any) -> str:
    """The seeds' per-worker line: ``P0: ✅15 ❌0``, after the clips skipped as already done."""
    parts = [f"⏭️{state.skipped}"]
    parts += [f"P{worker}: ✅{c.done} ❌{c.failed}" for worker, c in sorted(state.workers.items())]
    return " | ".join(parts)


def describe_start(scan: Any, run: Any, plan_lines: tuple[str, ...]) -> str:
    lines = [
        f"{scan.root}: {len(scan.clips)} clips, {scan.summary()['speakers']} speakers ({scan.layout} layout)",
        f"{run.state.skipped} already in {run.store.path.name}, {len(run.pending)} to compute",
        *plan_lines,
        *(f"note: {problem}" for problem in scan.problems[:10]),
    ]
    return "\n".join(lines)


def describe_end(report: dict[str, Any]) -> str:
    if not report:
        return "nothing was done"
    text = (
        f"{report['done']} embedded, {report['failed']} failed, {report['skipped']} skipped (already done) "
        f"in {report['seconds']:.1f} s; results in {report['store']}"
    )
    if report.get("not_done"):
        text += f"\nnot done (will be retried on the next run): {json.dumps(report['not_done'])}"
    if report.get("write_error"):
        text += f"\nstopped: {report['write_error']}"
    if report.get("cancelled_run"):
        text += "\ncancelled: run the same command again to resume"
    return text


def run_speakers(args: argparse.Namespace) -> int:
    from localclip.core.embedding_store import EmbeddingStore, StoreMismatch, StoreNotFound
    from localclip.core.speakers import changed_speakers

    started = time.perf_counter()
    try:
        store = EmbeddingStore.open_existing(args.out)
    except (StoreNotFound, StoreMismatch, OSError) as error:
        raise UsageError(str(error)) from None
    with store:
        try:
            speakers, skipped = store.aggregate_speakers(args.normalize, args.min_utterances)
        except ValueError as error:
            raise UsageError(str(error)) from None
        if args.no_skip_existing:
            store.replace_speakers(speakers)
            changed, unchanged, removed = speakers, [], []
        else:
            changes = changed_speakers(store.speakers(with_utterances=False), speakers)
            changed, unchanged, removed = changes.changed, changes.unchanged, changes.removed
            store.delete_speakers(removed)
            store.save_speakers(changed)
    print(
        f"{len(speakers)} speakers: {len(changed)} written, {len(unchanged)} unchanged (skipped), "
        f"{len(removed)} removed; {len(skipped)} not aggregated; {time.perf_counter() - started:.2f} s"
    )
    for dataset, speaker, reason in skipped[:20]:
        print(f"  skipped {dataset}/{speaker}: {reason}")
    if len(skipped) > 20:
        print(f"  ... and {len(skipped) - 20} more")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from localclip.core.embedding_store import EmbeddingStore, StoreMismatch, StoreNotFound
    from localclip.core.export import ExportTargetError, UnsafeName, export_store

    to = args.to or args.out / f"export-{args.format}"
    try:
        with EmbeddingStore.open_existing(args.out) as store:
            report = export_store(store, to, args.format)
    except (StoreNotFound, StoreMismatch, OSError, ExportTargetError, UnsafeName) as error:
        raise UsageError(str(error)) from None
    print(
        f"exported {report.clips} clips and {report.speakers} speakers as {report.fmt} to {report.to} "
        f"({report.files} files written, {report.removed} old files removed)"
    )
    for note in report.notes:
        print(f"  {note}")
    return EXIT_OK
