"""Cloning: the seeds' scheduling strategies against LocalClip's, same workers, same model, one run.

    .venv/bin/python bench/clone.py [--workers 4] [--size tiny] [--max-new-tokens 24] [--out FILE.json]

The project is the skewed one of issue 4: six speakers with 16, 15, 8, 7, 3 and 1 lines. Strategies:
  reload     the seeds' second way: batches of `workers` processes, one per speaker, each loading the
             model for its speaker (a model load per speaker)
  roundrobin the seeds' third way: workers load the model once and take a fixed round-robin share of the
             speakers (speaker i -> worker i mod N)
  localclip  LocalClip's scheduler: workers pull, a speaker's lines stay with the worker that encoded its
             reference, large speakers are split off to idle workers
Reported per strategy: makespan (wall clock), model loads, parallel efficiency (time spent on lines /
(workers x makespan)), tokens/s per worker and in total. Workers run on the CPU here (one torch thread
each); on a GPU machine pass --device cuda and --size s1-mini for S1-mini-sized models of random weights:
the workers are then planned and pinned to the GPUs as the app does (NVML probe, CUDA_VISIBLE_DEVICES set
to the GPU's UUID), with the app's CPU thread budget for GPU workers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from localclip.core.cloning.manifest import CloneParams
from localclip.core.cloning.project import scan_project
from localclip.core.machine.gpus import probe_gpus
from localclip.core.machine.plan import NoUsableGpu, PlanSettings, WorkerPlan, plan_workers, worker_threads
from localclip.core.models.folders import check_fish_dir
from localclip.core.paths import bundled_worker_python, resources_dir
from localclip.pool.launch import WorkerLaunch, launches_for_plan
from localclip.pool.pool import WorkerPool
from localclip.runs.clone import CloneOptions, CloneRun

SPEAKER_LINES = (16, 15, 8, 7, 3, 1)
TEXT = "Every line of this benchmark has the same length, so only scheduling differs."


def make_project(root: Path) -> Path:
    reference = resources_dir() / "example_project" / "speakers" / "anna"
    rows = []
    for number, count in enumerate(SPEAKER_LINES):
        speaker = f"speaker_{number}"
        shutil.copytree(reference, root / "speakers" / speaker)
        rows += [(f"{speaker}-{line:02d}", speaker, TEXT) for line in range(count)]
    with (root / "script.csv").open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([("id", "speaker", "text"), *rows])
    return root


def wait(condition: Any, timeout: float = 3600) -> None:
    loop, deadline = QEventLoop(), time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark did not finish")
        QTimer.singleShot(20, loop.quit)
        loop.exec()


class Tally:
    """Per-line results and model loads, from the pool's signals."""

    def __init__(self) -> None:
        self.loads = 0
        self.tokens: dict[str, int] = defaultdict(int)
        self.line_seconds: dict[str, float] = defaultdict(float)
        self.lines = 0

    def follow(self, pool: WorkerPool) -> None:
        pool.worker_event.connect(lambda w, m: self._event(m))
        pool.item_done.connect(self._done)

    def _event(self, message: dict[str, Any]) -> None:
        self.loads += message["type"] == "ready"

    def _done(self, line: str, worker: str, result: dict[str, Any]) -> None:
        self.lines += 1
        self.tokens[worker] += int(result["tokens"])
        self.line_seconds[worker] += float(result["generate_seconds"]) + float(result["decode_seconds"])


def fresh_run(project: Path, model: Path, args: argparse.Namespace) -> CloneRun:
    shutil.rmtree(project / "output", ignore_errors=True)
    options = CloneOptions(device=args.device, params=CloneParams(max_new_tokens=args.max_new_tokens), seed=1)
    return CloneRun(scan_project(project), check_fish_dir(model), options)


def worker_plan(args: argparse.Namespace) -> WorkerPlan:
    """``--workers`` workers on ``--device``, planned as the app plans them (on CUDA, pinned to GPUs)."""
    settings = PlanSettings(max_workers=args.workers, cpu_workers=args.workers)
    report = probe_gpus()
    try:
        plan = plan_workers(report, settings, work_items=args.workers, device=args.device)
    except NoUsableGpu as error:
        raise SystemExit(f"--device cuda needs a GPU that LocalClip can use. {error}") from None
    if len(plan.slots) < args.workers:
        details = "\n".join(plan.explanation)
        raise SystemExit(f"only {len(plan.slots)} of {args.workers} workers fit on {args.device}:\n{details}")
    return plan


def launches(plan: WorkerPlan, count: int) -> list[WorkerLaunch]:
    """The first ``count`` workers of the plan (ids "0", "1", ...; on CUDA each carries its GPU's UUID)."""
    return launches_for_plan(plan, bundled_worker_python(), heartbeat_seconds=2.0)[:count]


def run_localclip(
    project: Path, model: Path, args: argparse.Namespace, plan: WorkerPlan, tally: Tally
) -> float:
    run = fresh_run(project, model, args)
    pool = run.create_pool(launches(plan, args.workers))
    tally.follow(pool)
    done: list[Any] = []
    run.finished.connect(done.append)
    started = time.monotonic()
    run.start()
    wait(lambda: done)
    seconds = time.monotonic() - started
    stop(pool)
    return seconds


def run_fixed(
    project: Path, model: Path, args: argparse.Namespace, plan: WorkerPlan, tally: Tally, reload: bool
) -> float:
    """The seeds' ways: speakers assigned up front (round robin), or one fresh process per speaker."""
    run = fresh_run(project, model, args)
    # On the CPU one torch thread each; on a GPU the app's budget (the localclip strategy's, from CloneRun).
    gpu_threads = worker_threads(plan.device, args.workers, os.cpu_count() or 1, PlanSettings()).torch
    params = {**run.job_params(), "cpu_threads": 1 if args.device == "cpu" else gpu_threads}
    by_speaker: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in run.plans.values():
        by_speaker[line.speaker].append(run.item_for(line))
    speakers = list(by_speaker)
    started = time.monotonic()
    if reload:  # batches of `workers` speakers, each on a new process that loads the model
        for first in range(0, len(speakers), args.workers):
            batch = speakers[first : first + args.workers]
            items = [{**item, "worker_id": str(n)} for n, s in enumerate(batch) for item in by_speaker[s]]
            run_pool(launches(plan, len(batch)), items, params, tally)
    else:
        items = [
            {**item, "worker_id": str(n % args.workers)}
            for n, s in enumerate(speakers)
            for item in by_speaker[s]
        ]
        run_pool(launches(plan, args.workers), items, params, tally)
    return time.monotonic() - started


def run_pool(
    worker_launches: list[WorkerLaunch], items: list[dict[str, Any]], params: dict, tally: Tally
) -> None:
    pool = WorkerPool(worker_launches)
    tally.follow(pool)
    done: list[Any] = []
    pool.finished.connect(done.append)
    pool.start()
    pool.submit("clone", items, params)
    wait(lambda: done)
    stop(pool)


def stop(pool: WorkerPool) -> None:
    stopped: list[bool] = []
    pool.stopped.connect(lambda: stopped.append(True))
    pool.shutdown()
    wait(lambda: stopped)


def summarise(name: str, seconds: float, tally: Tally, workers: int) -> dict[str, Any]:
    busy = sum(tally.line_seconds.values())
    total_tokens = sum(tally.tokens.values())
    return {
        "strategy": name,
        "makespan_s": round(seconds, 2),
        "model_loads": tally.loads,
        "lines": tally.lines,
        "parallel_efficiency": round(busy / (workers * seconds), 3) if seconds else 0.0,
        "tokens_per_s_total": round(total_tokens / seconds, 1) if seconds else 0.0,
        "tokens_per_s_per_worker": {
            w: round(tally.tokens[w] / tally.line_seconds[w], 1)
            for w in sorted(tally.tokens)
            if tally.line_seconds[w]
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--size", choices=["tiny", "s1-mini"], default="tiny")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--max-new-tokens", type=int, default=24)
    parser.add_argument("--out", type=Path, help="write the raw run as JSON here")
    args = parser.parse_args()
    QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    plan = worker_plan(args)  # before the model is built: no GPU, no benchmark
    work = Path(tempfile.mkdtemp(prefix="localclip-bench-clone-"))
    model = work / "model"
    subprocess.run(
        [
            str(bundled_worker_python()),
            "-I",
            "-m",
            "localclip_worker.demo_models",
            str(model),
            "--kind",
            "fish",
            "--size",
            args.size,
        ],
        check=True,
    )
    project = make_project(work / "project")
    rows = []
    for name in ("reload", "roundrobin", "localclip"):
        tally = Tally()
        if name == "localclip":
            seconds = run_localclip(project, model, args, plan, tally)
        else:
            seconds = run_fixed(project, model, args, plan, tally, reload=name == "reload")
        rows.append(summarise(name, seconds, tally, args.workers))
        row = rows[-1]
        print(
            f"{name:>10}: makespan {row['makespan_s']:7.1f} s, {row['model_loads']} model loads, "
            f"efficiency {row['parallel_efficiency']:.2f}, {row['tokens_per_s_total']:.1f} tokens/s in all"
        )
    if args.out:
        record = {
            "command": " ".join(sys.argv),
            "date": time.strftime("%Y-%m-%d"),
            "machine": machine_facts(
                ("localclip", "PySide6"), gpu="none" if args.device == "cpu" else plan.slots[0].gpu_name
            ),
            "workload": {
                "speaker_lines": SPEAKER_LINES,
                "workers": args.workers,
                "plan": list(plan.explanation),
                "model": args.size,
                "max_new_tokens": args.max_new_tokens,
            },
            "results": rows,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
