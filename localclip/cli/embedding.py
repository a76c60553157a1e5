"""``localclip embed``, ``localclip speakers`` and ``localclip export``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from localclip.cli.cluster import cluster_target, on_cluster
from localclip.cli.probe import make_plan
from localclip.cli.terminal import EXIT_OK, TerminalRun, UsageError, report_exit_code
from localclip.core.embedding.datasets import LayoutError, scan_dataset
from localclip.core.kinds import JobKind
from localclip.core.models.folders import ModelDirError, check_wespeaker_dir
from localclip.core.options import EMBED_PRECISION
from localclip.runs.report import RunReport
from localclip.runs.setup import cluster_plan, embed_launches
from localclip.settings import Settings

if TYPE_CHECKING:  # runs.embed imports Qt: only when a run is made
    from localclip.runs.embed import EmbedOptions, EmbedProgress, EmbedRun

SETUP_HINT = "no clip was marked failed for it: run the same command again once it is fixed"


def run_embed(args: argparse.Namespace) -> int:
    from localclip.core.embedding.store import StoreMismatch
    from localclip.runs.embed import EmbedRun

    try:
        scan = scan_dataset(args.dataset)
        model = check_wespeaker_dir(args.model)
    except (LayoutError, ModelDirError) as error:
        raise UsageError(str(error)) from None
    settings = Settings()
    try:
        run = EmbedRun(scan, model, args.out, embed_options(args, settings))
    except StoreMismatch as error:
        raise UsageError(str(error)) from None
    target = cluster_target(args)
    python = args.worker_python or settings.worker_python(JobKind.EMBED)
    if target is None:
        plan_settings = JobKind.EMBED.plan_settings(settings)
        plan, launches = embed_launches(
            run, lambda items: make_plan(args, plan_settings, work_items=items)[1], python, plan_settings
        )
        pool = run.create_pool(launches)
    else:
        plan, pool = cluster_plan(target), on_cluster(run, target)
    terminal = TerminalRun(events=args.events == "jsonl")
    reports = follow_embed_run(run, pool, terminal)
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
        print(describe_end(reports[0] if reports else None))
    return report_exit_code(reports[0] if reports else None)


def embed_options(args: argparse.Namespace, settings: Settings) -> EmbedOptions:
    """The run's options from the command line; without --precision, the precision setting."""
    from localclip.runs.embed import EmbedOptions

    return EmbedOptions(
        device=args.device,
        batch_size=args.batch_size,
        precision=args.precision or settings.get(EMBED_PRECISION),
        skip_existing=not args.no_skip_existing,
    )


def follow_embed_run(run: EmbedRun, pool: Any, terminal: TerminalRun) -> list[RunReport]:
    """The terminal's view of an embedding run (progress, problems, the end report, the pool shut down at
    the end); the list receives the report. Also what bench/coordinator.py measures."""
    terminal.follow(pool)
    reports: list[RunReport] = []

    def on_progress(state: EmbedProgress) -> None:
        terminal.show_progress(state.done + state.failed, len(run.pending), lambda: worker_counts(state))

    def on_finished(report: RunReport) -> None:
        reports.append(report)
        terminal.emit("embed_finished", report=report.to_dict())
        pool.shutdown()

    run.progress.connect(on_progress)
    run.problem.connect(lambda text: terminal.say(f"localclip: {text}"))
    run.finished.connect(on_finished)
    return reports


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


def describe_end(report: RunReport | None) -> str:
    if report is None:
        return "nothing was done"
    text = (
        f"{report.done} embedded, {report.failed} failed, {report.skipped} skipped (already done) "
        f"in {report.seconds:.1f} s; results in {report.store}"
    )
    if report.not_done:
        text += f"\nnot done (will be retried on the next run): {json.dumps(report.not_done)}"
    if report.write_error:
        text += f"\nstopped: {report.write_error}"
    if report.setup_error:
        text += f"\nstopped: {report.setup_error}\n{SETUP_HINT}"
    if report.cancelled_run:
        text += "\ncancelled: run the same command again to resume"
    return text


def run_speakers(args: argparse.Namespace) -> int:
    from localclip.core.embedding.speaker_update import update_speakers
    from localclip.core.embedding.store import StoreMismatch, StoreNotFound

    try:
        update = update_speakers(args.out, args.normalize, args.min_utterances, args.no_skip_existing)
    except (StoreNotFound, StoreMismatch, OSError, ValueError) as error:
        raise UsageError(str(error)) from None
    print(
        f"{update.speakers} speakers: {update.written} written, {update.unchanged} unchanged (skipped), "
        f"{update.removed} removed; {len(update.skipped)} not aggregated; {update.seconds:.2f} s"
    )
    for dataset, speaker, reason in update.skipped[:20]:
        print(f"  skipped {dataset}/{speaker}: {reason}")
    if len(update.skipped) > 20:
        print(f"  ... and {len(update.skipped) - 20} more")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from localclip.core.embedding.export import ExportTargetError, export_store
    from localclip.core.embedding.store import EmbeddingStore, StoreMismatch, StoreNotFound
    from localclip.core.files import UnsafeName

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
