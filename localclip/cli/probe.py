"""``localclip gpus`` and ``localclip probe``."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from typing import Any

from localclip.cli.terminal import EXIT_OK, TerminalRun, UsageError, exit_code
from localclip.core.kinds import DEFAULT_INTERPRETER
from localclip.core.machine.gpus import GpuReport, probe_gpus
from localclip.core.machine.plan import NoUsableGpu, PlanSettings, WorkerPlan, plan_workers
from localclip.settings import Settings


def make_plan(
    args: argparse.Namespace, base: PlanSettings | None = None, work_items: int | None = None
) -> tuple[GpuReport, WorkerPlan]:
    """The plan for this machine from the settings (or ``base``), with the command's overrides."""
    settings = base or Settings().plan_settings()
    try:
        if args.workers is not None:
            settings = replace(settings, max_workers=args.workers, cpu_workers=args.workers)
        if getattr(args, "memory_per_worker", None) is not None:
            settings = replace(settings, memory_per_worker_gb=args.memory_per_worker)
        report = probe_gpus()
        return report, plan_workers(report, settings, work_items=work_items, device=args.device)
    except (NoUsableGpu, ValueError) as error:
        raise UsageError(str(error)) from None


def show_gpus(args: argparse.Namespace) -> int:
    report, plan = make_plan(args)
    if args.json:
        print(json.dumps({"gpus": report.to_dict(), "plan": plan.to_dict()}, indent=2, ensure_ascii=False))
        return EXIT_OK
    if report.gpus:
        print(f"NVIDIA driver {report.driver_version}, CUDA {report.cuda_driver_version}")
    for gpu in report.gpus:
        used, total = gpu.used_bytes / 1024**3, gpu.total_bytes / 1024**3
        busy = "" if gpu.utilization_percent is None else f", {gpu.utilization_percent}% busy"
        print(f"GPU {gpu.index}  {gpu.name}  {used:.1f} / {total:.1f} GB used{busy}  {gpu.uuid}")
    print("Plan:")
    for line in plan.explanation:
        print(f"  {line}")
    return EXIT_OK


def run_probe(args: argparse.Namespace) -> int:
    from localclip.runs.probe import ProbeRun

    _, plan = make_plan(args)
    python = args.worker_python or Settings().worker_python(DEFAULT_INTERPRETER)
    terminal = TerminalRun(events=args.events == "jsonl")
    probe = ProbeRun(plan, python)
    terminal.follow(probe.pool)
    ended: dict[str, Any] = {}  # the pool's summary, the probe results
    probe.pool.progress.connect(lambda done, total: terminal.show_progress(done, total))
    probe.finished.connect(lambda summary, results: ended.update(summary=summary, results=results))
    probe.pool.finished.connect(lambda _summary: probe.pool.shutdown())  # after follow's "finished" event
    terminal.emit("plan", plan=plan.to_dict(), python=str(python))

    def start() -> None:
        probe.start()
        probe.submit()

    terminal.execute(probe.pool, start, total=len(plan.slots))
    summary = ended.get("summary", {})
    if args.events != "jsonl":
        print_probe_results(ended.get("results", {}), plan, summary)
    return exit_code(summary)


def print_probe_results(
    results: dict[str, dict[str, Any]], plan: WorkerPlan, summary: dict[str, Any]
) -> None:
    for slot in plan.slots:
        result = results.get(slot.worker_id)
        where = f"GPU {slot.gpu_index} {slot.gpu_name}" if slot.device == "cuda" else "CPU"
        if result is None:
            print(f"worker {slot.worker_id} ({where}): no answer")
            continue
        cuda = f"CUDA {result['torch_cuda']}" if result["torch_cuda"] else "CPU-only build"
        usable = "CUDA usable" if result["cuda_available"] else "no CUDA device visible"
        print(
            f"worker {slot.worker_id} ({where}): Python {result['python']}, torch {result['torch']} "
            f"({cuda}), {usable}"
        )
        for device in result["devices"]:
            verdict = "supported" if device["supported"] else "NOT SUPPORTED"
            print(
                f"    cuda:{device['index']} {device['name']}, {device['total_bytes'] / 1024**3:.1f} GB, "
                f"compute capability {device['capability']}: {verdict}"
            )
        for problem in result["problems"]:
            print(f"    problem: {problem}")
    for failure in summary.get("failures", []):
        print(f"failed: {failure['item']}: {failure['reason']}")
