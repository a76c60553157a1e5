"""The ``localclip`` command.

    localclip                      open the main window
    localclip gpus [--json]        the GPUs NVML sees and the worker plan
    localclip probe [options]      run the probe job on every planned worker

``--events jsonl`` prints every pool event as one JSON line on stdout (and nothing else there), so scripts
and tests can follow a run; people get a progress bar on stderr instead.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from localclip import __version__

EXIT_OK, EXIT_ITEMS_FAILED, EXIT_BAD_SETUP, EXIT_CANCELLED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="localclip", description="LocalClip: speech work on your own GPUs.")
    parser.add_argument("--version", action="version", version=f"localclip {__version__}")
    commands = parser.add_subparsers(dest="command")
    gpus = commands.add_parser("gpus", help="show the GPUs and the worker plan")
    gpus.add_argument("--json", action="store_true", help="print the probe and the plan as JSON")
    add_plan_options(gpus)
    probe = commands.add_parser("probe", help="run the probe job on every planned worker")
    add_plan_options(probe)
    add_run_options(probe)
    return parser


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--workers", type=int, metavar="N", help="at most N workers (default: the settings)")
    parser.add_argument("--memory-per-worker", type=float, metavar="GB", help="GPU memory per worker")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--worker-python", type=Path, metavar="PATH", help="the worker interpreter")
    parser.add_argument("--events", choices=["jsonl"], help="print every pool event as a JSON line")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from localclip.gui.app import run_app  # only the window needs widgets

        return run_app()
    try:
        if args.command == "gpus":
            return show_gpus(args)
        return run_probe(args)
    except UsageError as error:
        print(f"localclip: {error}", file=sys.stderr)
        return EXIT_BAD_SETUP


class UsageError(Exception):
    """A problem with the set-up or the arguments, told in one line."""


def make_plan(args: argparse.Namespace, work_items: int | None = None) -> tuple[Any, Any]:
    from dataclasses import replace

    from localclip.core.gpus import probe_gpus
    from localclip.core.plan import NoUsableGpu, plan_workers
    from localclip.settings import Settings

    settings = Settings().plan_settings()
    try:
        if args.workers is not None:
            settings = replace(settings, max_workers=args.workers, cpu_workers=args.workers)
        if args.memory_per_worker is not None:
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
        used = gpu.used_bytes / 1024**3
        total = gpu.total_bytes / 1024**3
        busy = "" if gpu.utilization_percent is None else f", {gpu.utilization_percent}% busy"
        print(f"GPU {gpu.index}  {gpu.name}  {used:.1f} / {total:.1f} GB used{busy}  {gpu.uuid}")
    print("Plan:")
    for line in plan.explanation:
        print(f"  {line}")
    return EXIT_OK


def run_probe(args: argparse.Namespace) -> int:
    from localclip.settings import Settings

    _, plan = make_plan(args)
    python = args.worker_python or Settings().worker_python("default")
    items = [{"id": f"probe-{slot.worker_id}", "worker_id": slot.worker_id} for slot in plan.slots]
    run = PoolRun(plan, python, events=args.events == "jsonl")
    summary = run.execute("probe", items, {})
    if args.events != "jsonl":
        print_probe_results(run.results, plan, summary)
    return run.exit_code(summary)


def print_probe_results(results: dict[str, dict[str, Any]], plan: Any, summary: dict[str, Any]) -> None:
    for slot in plan.slots:
        result = results.get(f"probe-{slot.worker_id}")
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
    for failure in summary["failures"]:
        print(f"failed: {failure['item']}: {failure['reason']}")


class PoolRun:
    """One run of the pool from the command line, under a bare QCoreApplication."""

    def __init__(self, plan: Any, python: Path, events: bool, stream: TextIO | None = None) -> None:
        self.plan = plan
        self.python = python
        self.events = events
        self.stream = stream or sys.stdout
        self.results: dict[str, dict[str, Any]] = {}
        self._started = time.monotonic()
        self._bar: Any = None
        self._interrupts = 0

    def execute(self, kind: str, items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        from PySide6.QtCore import QCoreApplication, QTimer

        from localclip.pool.launch import launches_for_plan
        from localclip.pool.pool import WorkerPool
        from localclip.pool.worker_process import WorkerConfigError

        app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
        pool = WorkerPool(launches_for_plan(self.plan, self.python))
        summary: dict[str, Any] = {}
        self._connect(pool)

        def on_finished(result: dict[str, Any]) -> None:
            summary.update(result)
            pool.shutdown()

        pool.finished.connect(on_finished)
        pool.stopped.connect(app.quit)
        self._emit("plan", plan=self.plan.to_dict(), python=str(self.python))
        try:
            pool.start()
        except WorkerConfigError as error:
            raise UsageError(str(error)) from None
        self._open_bar(len(items))
        pool.submit(kind, items, params)
        previous = signal.signal(signal.SIGINT, lambda *_: self._interrupt(pool))
        ticker = QTimer()  # wakes the interpreter so Ctrl+C is handled while Qt waits
        ticker.start(200)
        ticker.timeout.connect(lambda: None)
        app.exec()
        signal.signal(signal.SIGINT, previous)
        if self._bar is not None:
            self._bar.close()
        self._emit("stopped", seconds=round(time.monotonic() - self._started, 3))
        return summary

    @staticmethod
    def exit_code(summary: dict[str, Any]) -> int:
        if summary.get("cancelled_run"):
            return EXIT_CANCELLED
        return EXIT_ITEMS_FAILED if summary.get("failed") or not summary else EXIT_OK

    def _interrupt(self, pool: Any) -> None:
        self._interrupts += 1
        print("\nlocalclip: cancelling (Ctrl+C again to stop at once)", file=sys.stderr)
        pool.cancel() if self._interrupts == 1 else pool.shutdown()

    def _connect(self, pool: Any) -> None:
        pool.worker_state_changed.connect(lambda w, s: self._emit("worker_state", worker=w, state=s))
        pool.worker_event.connect(lambda w, m: self._emit("worker_event", worker=w, message=m))
        pool.worker_log.connect(lambda w, line: self._emit("worker_log", worker=w, line=line))
        pool.worker_problem.connect(self._on_problem)
        pool.item_started.connect(lambda i, w: self._emit("item_started", item=i, worker=w))
        pool.item_done.connect(self._on_item_done)
        pool.item_failed.connect(
            lambda i, w, c, r: self._emit("item_failed", item=i, worker=w, code=c, reason=r)
        )
        pool.progress.connect(self._on_progress)
        pool.finished.connect(lambda summary: self._emit("finished", summary=summary))

    def _on_item_done(self, item_id: str, worker_id: str, result: dict[str, Any]) -> None:
        self.results[item_id] = result
        self._emit("item_done", item=item_id, worker=worker_id, result=result)

    def _on_problem(self, worker_id: str, text: str) -> None:
        self._emit("worker_problem", worker=worker_id, message=text)
        if not self.events:
            (self._bar.write if self._bar is not None else print)(f"localclip: {text}", file=sys.stderr)

    def _on_progress(self, finished: int, total: int) -> None:
        self._emit("progress", finished=finished, total=total)
        if self._bar is not None:
            self._bar.total = total
            self._bar.n = finished
            self._bar.refresh()

    def _open_bar(self, total: int) -> None:
        if self.events:
            return
        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="item", file=sys.stderr, dynamic_ncols=True, leave=True)

    def _emit(self, event: str, **fields: Any) -> None:
        if self.events:
            record = {"event": event, "t": round(time.monotonic() - self._started, 4), **fields}
            self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.stream.flush()
