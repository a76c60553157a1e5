"""``localclip clone``, ``localclip regenerate`` and ``localclip qa`` (checking takes, docs/qa.md)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from localclip.cli.cluster import add_cluster_options, cluster_target, on_cluster
from localclip.cli.probe import make_plan
from localclip.cli.terminal import TerminalRun, UsageError, report_exit_code
from localclip.core.cloning.manifest import CloneParams, Manifest, ManifestError, random_seed
from localclip.core.cloning.project import ProjectError, ProjectScan, scan_project
from localclip.core.cloning.run_settings import CloneRunSettings, load_run_settings, save_run_settings
from localclip.core.kinds import JobKind
from localclip.core.models.folders import (
    FishModelInfo,
    ModelDirError,
    check_fish_dir,
    check_recogniser_dir,
    check_wespeaker_dir,
)
from localclip.runs.report import RunReport
from localclip.runs.take_checks import QaSetup
from localclip.settings import Settings


def add_cloning_commands(commands: argparse._SubParsersAction, add_plan: Any, add_run: Any) -> None:
    clone = commands.add_parser(
        "clone", help="speak a project's script in its speakers' voices (Fish-Speech)"
    )
    clone.add_argument("project", type=Path, help="<project>/speakers/<speaker>/<ref>.wav + .lab, script.*")
    clone.add_argument("--model", type=Path, required=True, help="fish-speech checkpoint folder")
    clone.add_argument("--codec", type=Path, help="codec weights (default: MODEL/codec.pth)")
    clone.add_argument("--seed", type=int, help="project seed: every line reproducible (default: random)")
    clone.add_argument("--only", nargs="+", metavar="ID", help="only these line ids")
    clone.add_argument("--temperature", type=float, default=CloneParams.temperature)
    clone.add_argument("--top-p", type=float, default=CloneParams.top_p)
    clone.add_argument("--repetition-penalty", type=float, default=CloneParams.repetition_penalty)
    clone.add_argument("--max-new-tokens", type=int, default=CloneParams.max_new_tokens)
    add_check_options(clone, required=False)
    add_plan(clone)
    add_run(clone)
    add_cluster_options(clone)
    regenerate = commands.add_parser("regenerate", help="a new take of one line (the old one is kept)")
    regenerate.add_argument("project", type=Path)
    regenerate.add_argument("id", help="the line's id")
    regenerate.add_argument("--seed", type=int, help="the new take's seed (default: random)")
    add_plan(regenerate)
    add_run(regenerate)
    qa = commands.add_parser("qa", help="check a cloned project's takes that have no scores (docs/qa.md)")
    qa.add_argument("project", type=Path)
    qa.add_argument("--only", nargs="+", metavar="ID", help="only these line ids")
    add_check_options(qa, required=True)
    add_plan(qa)
    add_run(qa)
    add_cluster_options(qa)


def add_check_options(parser: argparse.ArgumentParser, required: bool) -> None:
    also = "" if required else " (checks every new take; without it takes are not checked)"
    parser.add_argument("--speaker-model", type=Path, required=required, help=f"WeSpeaker model folder{also}")
    parser.add_argument(
        "--recogniser", type=Path, help="Whisper model folder for the words (without it they are not checked)"
    )
    parser.add_argument(
        "--retake-flagged",
        type=int,
        default=0,
        metavar="K",
        help="up to K new takes of a flagged line, keeping the best-scored (no take is deleted)",
    )


def check_setup(args: argparse.Namespace) -> QaSetup | None:
    """How takes are checked, from the command line (thresholds from the settings). Raises UsageError."""
    from localclip.core.qa.flags import QaThresholds
    from localclip.runs.take_checks import QaSetup

    if args.speaker_model is None:
        if args.recogniser is not None or args.retake_flagged:
            raise UsageError("--recogniser and --retake-flagged check takes: give --speaker-model too")
        return None
    if not 0 <= args.retake_flagged <= 10:
        raise UsageError(f"--retake-flagged is 0 to 10, not {args.retake_flagged}")
    try:
        speaker_model = check_wespeaker_dir(args.speaker_model).path
        recogniser = check_recogniser_dir(args.recogniser).path if args.recogniser is not None else None
    except ModelDirError as error:
        raise UsageError(str(error)) from None
    return QaSetup(speaker_model, recogniser, QaThresholds.from_options(Settings()), args.retake_flagged)


def run_clone(args: argparse.Namespace) -> int:
    from localclip.runs.clone import CloneOptions, CloneRun

    project_scan = scan(args.project)
    try:
        model = check_fish_dir(args.model, args.codec)
        params = CloneParams(args.temperature, args.top_p, args.repetition_penalty, args.max_new_tokens)
    except (ModelDirError, ValueError) as error:
        raise UsageError(str(error)) from None
    options = CloneOptions(
        device=args.device,
        params=params,
        seed=args.seed,
        only=tuple(args.only) if args.only else None,
        max_workers=args.workers,
        qa=check_setup(args),
    )
    run = make_run(CloneRun, project_scan, model, options)
    save_run_settings(
        run.manifest.output_dir,
        CloneRunSettings(
            str(model.checkpoint_dir), str(model.codec_path), args.device, "", params.to_dict(), args.seed
        ),
    )
    return execute(args, run, project_scan)


def run_regenerate(args: argparse.Namespace) -> int:
    from localclip.runs.clone import CloneOptions, CloneRun

    project_scan = scan(args.project)
    recorded, model = recorded_model(args.project)
    try:
        seed = random_seed() if args.seed is None else args.seed
        manifest = Manifest.load(args.project)
        plan = manifest.plan_take(project_scan, args.id, model.model_id, recorded.clone_params, seed)
        manifest.save()  # the new take's number is reserved
    except (ModelDirError, ManifestError, ValueError) as error:
        raise UsageError(str(error)) from None
    options = CloneOptions(
        device=recorded.device, precision=recorded.precision, params=recorded.clone_params, seed=seed
    )
    run = make_run(CloneRun, project_scan, model, options, plans=[plan])
    code = execute(args, run, project_scan)
    if code == 0:
        print(f"take {plan.take} of line {args.id} (seed {seed}): {plan.out_path}")
    return code


def run_qa(args: argparse.Namespace) -> int:
    """Check the takes that have no scores; flagged lines get new takes with --retake-flagged."""
    from localclip.runs.clone import CloneOptions, CloneRun

    project_scan = scan(args.project)
    recorded, model = recorded_model(args.project)
    options = CloneOptions(
        device=recorded.device,
        precision=recorded.precision,
        params=recorded.clone_params,
        only=tuple(args.only) if args.only else None,
        qa=check_setup(args),
        check_existing=True,
    )
    run = make_run(CloneRun, project_scan, model, options, plans=[])
    return execute(args, run, project_scan)


def recorded_model(project: Path) -> tuple[CloneRunSettings, FishModelInfo]:
    """The settings and model the project was last cloned with (a new take uses them). Raises UsageError."""
    recorded = load_run_settings(Manifest.load(project).output_dir)
    if recorded is None:
        raise UsageError(f"{project} has not been cloned yet: run `localclip clone` first")
    try:
        return recorded, check_fish_dir(Path(recorded.checkpoint_dir), Path(recorded.codec_path))
    except ModelDirError as error:
        raise UsageError(f"the project's model cannot be used: {error}") from None


def scan(project: Path) -> ProjectScan:
    try:
        return scan_project(project)
    except ProjectError as error:
        raise UsageError(str(error)) from None


def make_run(run_class: Any, project_scan: ProjectScan, model: Any, options: Any, **extra: Any) -> Any:
    try:
        return run_class(project_scan, model, options, **extra)
    except ManifestError as error:
        raise UsageError(str(error)) from None


def execute(args: argparse.Namespace, run: Any, project_scan: ProjectScan) -> int:
    from localclip.pool.launch import launches_for_plan
    from localclip.runs.setup import cluster_plan

    settings = Settings()
    plan_settings = JobKind.CLONE.plan_settings(settings)
    if args.memory_per_worker is not None:
        plan_settings = replace(plan_settings, memory_per_worker_gb=args.memory_per_worker)
    run._plan_settings = plan_settings
    python = args.worker_python or settings.worker_python(JobKind.CLONE)
    target = cluster_target(args)
    if target is None:
        _, plan = make_plan(args, plan_settings, work_items=max(1, len(run.plans)))
        pool = run.create_pool(launches_for_plan(plan, python))
    else:
        plan, pool = cluster_plan(target), on_cluster(run, target)
    terminal = TerminalRun(events=args.events == "jsonl")
    terminal.follow(pool)
    reports: list[RunReport] = []
    run.progress.connect(
        lambda state: terminal.show_progress(state.done + state.failed, state.total, worker_line(state))
    )
    run.problem.connect(lambda text: terminal.say(f"localclip: {text}"))
    run.line_finished.connect(lambda line, info: terminal.emit("line_finished", line=line, **info))
    run.take_checked.connect(lambda _line, checked: terminal.emit("take_checked", **checked.to_event()))

    def on_finished(report: RunReport) -> None:
        reports.append(report)
        terminal.emit("clone_finished", report=report.to_dict())
        pool.shutdown()

    run.finished.connect(on_finished)
    terminal.emit("plan", plan=plan.to_dict(), python=str(python))
    terminal.emit("project", **project_scan.summary(), to_generate=len(run.plans))
    terminal.say(describe_start(project_scan, run, plan.explanation))
    terminal.execute(pool, run.start, total=len(run.plans), unit="line")
    if args.events != "jsonl":
        print(describe_end(reports[0] if reports else None))
    return report_exit_code(reports[0] if reports else None)


def worker_line(state: Any) -> str:
    return " | ".join(
        f"W{worker}: ✅{stats.done} ❌{stats.failed} {stats.tokens_per_s:.0f} tok/s"
        for worker, stats in sorted(state.workers.items())
    )


def describe_start(project_scan: ProjectScan, run: Any, plan_lines: tuple[str, ...]) -> str:
    summary = project_scan.summary()
    lines = [
        f"{project_scan.root}: {summary.get('speakers', len(project_scan.speakers))} speakers, "
        f"{len(project_scan.lines)} lines to speak",
        f"{run.state.up_to_date} up to date, {len(run.plans)} to generate",
        *plan_lines,
        *(f"problem: {problem.file}: {problem.message}" for problem in project_scan.problems[:20]),
    ]
    return "\n".join(lines)


SETUP_HINT = "no line was marked failed for it: run the same command again once it is fixed"


def describe_end(report: RunReport | None) -> str:
    if report is None:
        return "nothing was done"
    text = (
        f"{report.done} lines generated, {report.failed} failed, {report.up_to_date} up to date "
        f"in {report.seconds:.1f} s ({report.tokens_per_s:.1f} tokens/s in all)"
        f"\nclips in {report.output}"
    )
    if report.qa:
        qa = report.qa
        text += (
            f"\ntakes checked: {qa['checked']} ({qa['unchecked']} could not be), lines flagged: "
            f"{qa['flagged']}, lines retaken: {qa['retaken']}"
        )
    for failure in report.failures[:20]:
        text += f"\n  failed {failure['line']} ({failure['speaker']}): {failure['reason']}"
    for skipped in report.skipped_lines[:20]:
        text += f"\n  not generated {skipped['line']}: {skipped['reason']}"
    if report.setup_error:
        text += f"\nstopped: {report.setup_error}\n{SETUP_HINT}"
    if report.cancelled_run:
        text += "\ncancelled: run the same command again to resume"
    return text
