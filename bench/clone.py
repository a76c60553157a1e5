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

    .venv/bin/python bench/clone.py --rows 1,2,4,8,16 [--size tiny|s1-mini] [--device cpu|cuda]
        [--max-new-tokens N] [--lines L] [--single-workers N] [--repeats 2] [--out FILE.json]

Rows mode: the batched decoder of the clone job (its param ``rows``: lines decoded together in one copy of
the language model). One speaker, lines of equal text, the same ``--lines`` lines (default 2 x the largest
rows value, so every row stays busy) in every configuration: ONE worker process at each ``--rows`` value
(one job of all the lines), and N single-row worker processes (rows=1 each, one job of an equal share each;
N = ``--single-workers``, default the largest rows value that fits: the cores on the CPU, the GPU plan on
CUDA). Every measurement starts fresh workers and warms each with a 1-line job (model load, reference
encoding, first steps), then times from submitting the measured lines to the last result. Aggregate
tokens/s = the results' ``tokens`` over that wall time (the codec's decoding included). Configurations are
interleaved and repeated (``--repeats``, every other repeat in reverse order); reported per configuration:
the median tokens/s and its ratio to one worker with rows=1 (always measured). Workers split the cores as
the app splits them (torch threads = cores // workers); precision float32 on the CPU, the worker's default
(bfloat16) on CUDA. The raw JSON has every measurement with the 1-minute load average at its start.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from localclip.core.cloning.manifest import CloneParams
from localclip.core.cloning.project import scan_project
from localclip.core.machine.gpus import probe_gpus
from localclip.core.machine.plan import NoUsableGpu, PlanSettings, WorkerPlan, plan_workers, worker_threads
from localclip.core.models.folders import check_fish_dir
from localclip.core.paths import bundled_worker_python, resources_dir
from localclip.pool.engine import PoolOptions
from localclip.pool.launch import WorkerLaunch, launches_for_plan
from localclip.pool.pool import WorkerPool
from localclip.runs.clone import CloneOptions, CloneRun

SPEAKER_LINES = (16, 15, 8, 7, 3, 1)
TEXT = "Every line of this benchmark has the same length, so only scheduling differs."
WORKER_PACKAGES = ("torch", "fish-speech", "numpy", "transformers")


def make_project(root: Path, speaker_lines: Sequence[int] = SPEAKER_LINES) -> Path:
    reference = resources_dir() / "example_project" / "speakers" / "anna"
    rows = []
    for number, count in enumerate(speaker_lines):
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


def worker_plan(args: argparse.Namespace, workers: int | None = None) -> WorkerPlan:
    """``workers`` (default ``--workers``) workers on ``--device``, planned as the app plans them (on CUDA,
    pinned to GPUs)."""
    workers = workers or args.workers
    plan = planned(args.device, workers)
    if len(plan.slots) < workers:
        details = "\n".join(plan.explanation)
        raise SystemExit(f"only {len(plan.slots)} of {workers} workers fit on {args.device}:\n{details}")
    return plan


def planned(device: str, workers: int) -> WorkerPlan:
    """The app's plan for up to ``workers`` workers on ``device`` (fewer where fewer fit)."""
    settings = PlanSettings(max_workers=workers, cpu_workers=workers)
    try:
        return plan_workers(probe_gpus(), settings, work_items=workers, device=device)
    except NoUsableGpu as error:
        raise SystemExit(f"--device cuda needs a GPU that LocalClip can use. {error}") from None


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


# -- rows mode: one worker decoding many lines together against single-row workers --------------------------


@dataclass(frozen=True)
class Config:
    """One measured configuration: ``workers`` processes of ``rows`` rows each, ``lines`` lines in all."""

    workers: int
    rows: int
    lines: int

    @property
    def name(self) -> str:
        if self.workers == 1:
            return f"1 worker, rows={self.rows}"
        return f"{self.workers} workers, rows={self.rows} each"


@dataclass
class Watch:
    """One measurement's results, the workers' set-up facts and their memory, from the pool's signals."""

    ready: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    finished: int = 0
    last_done: float = 0.0
    peak_rss: int = 0
    sampled: float = 0.0

    def follow(self, pool: WorkerPool) -> None:
        pool.worker_event.connect(self._event)
        pool.item_done.connect(self._done)
        pool.item_failed.connect(self._failed)
        pool.finished.connect(self._finished)

    def _event(self, worker: str, message: dict[str, Any]) -> None:
        if message["type"] == "ready":
            self.ready.append(message)

    def _done(self, line: str, worker: str, result: dict[str, Any]) -> None:
        self.results.append(result)
        self.last_done = time.monotonic()

    def _failed(self, line: str, worker: str, code: str, reason: str) -> None:
        self.failures.append(f"{line} on worker {worker}: {code}: {reason}")

    def _finished(self, summary: Any) -> None:
        self.finished += 1

    def sample_memory(self) -> None:
        """Every worker's resident memory together, at most once a second (the cores are shared)."""
        now = time.monotonic()
        if now - self.sampled < 1.0:
            return
        self.sampled, total = now, 0
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a process that just ended
                total += child.memory_info().rss
        self.peak_rss = max(self.peak_rss, total)


def rows_list(text: str) -> list[int]:
    """``--rows 1,2,4``: the values, sorted, 1 always among them (the ratios' base)."""
    try:
        values = {int(value) for value in text.split(",") if value.strip()}
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--rows takes whole numbers separated by commas, not {text!r}"
        ) from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"--rows values must be 1 or more, not {text!r}")
    return sorted(values | {1})


def single_workers(args: argparse.Namespace) -> int:
    """``--single-workers``, else the largest rows value that fits: the cores on the CPU, the plan on CUDA."""
    if args.single_workers:
        return args.single_workers
    cores = os.cpu_count() or 1
    fits = cores if args.device == "cpu" else len(planned("cuda", max(args.rows)).slots)
    return max(value for value in args.rows if value <= max(1, fits))


def configs(args: argparse.Namespace, singles: int) -> list[Config]:
    """One worker at each rows value, then ``singles`` single-row workers; the same lines for every one
    (default 2 x the largest rows value: every row busy, and equal work to compare)."""
    lines = args.lines or 2 * max(args.rows)
    chosen = [Config(1, rows, lines) for rows in args.rows]
    return [*chosen, Config(singles, 1, lines)] if singles > 1 else chosen


def check_memory(model: Path, workers: int, device: str) -> None:
    """Refuse a CPU run whose workers cannot all fit in memory: float32 of the saved weights (at most twice
    the files, saved in bfloat16 or float32) and 1 GiB of working memory per worker."""
    if device != "cpu":
        return
    per_worker = 2 * sum(path.stat().st_size for path in model.glob("*.pth")) + 2**30
    available = psutil.virtual_memory().available
    if workers * per_worker > available:
        raise SystemExit(
            f"{workers} workers need about {workers * per_worker / 2**30:.1f} GiB; "
            f"{available / 2**30:.1f} GiB is available: pass a smaller --single-workers"
        )


def rows_job(project: Path, model: Path, args: argparse.Namespace) -> tuple[list[dict[str, Any]], dict]:
    """The project's lines as clone items, and the run's params (float32 on the CPU)."""
    run = fresh_run(project, model, args)
    items = [run.item_for(plan) for plan in run.plans.values()]
    params = run.job_params()
    if args.device == "cpu":
        params["precision"] = "float32"
    return items, params


def measure(config: Config, items: list[dict[str, Any]], params: dict, args: argparse.Namespace) -> dict:
    """Fresh workers, each warmed with a 1-line job; then the measured job, timed from its submission to
    its last result."""
    worker_launches = launches(worker_plan(args, config.workers), config.workers)
    ids = [launch.worker_id for launch in worker_launches]
    threads = worker_threads(args.device, config.workers, os.cpu_count() or 1, PlanSettings()).torch
    job_params = {**params, "rows": config.rows, "cpu_threads": threads}
    share = math.ceil(config.lines / config.workers)
    pool = WorkerPool(worker_launches, PoolOptions(items_per_job=share))  # one job per worker
    watch = Watch()
    watch.follow(pool)
    load = os.getloadavg()[0]  # the machine is shared: recorded per measurement
    pool.start()
    try:
        pool.submit("clone", warm_items(items[0], ids), job_params)
        wait_finished(watch, 1)
        watch.results.clear()
        lines = [{**item, "worker_id": ids[n % len(ids)]} for n, item in enumerate(items[: config.lines])]
        started = time.monotonic()
        pool.submit("clone", lines, job_params)
        wait_finished(watch, 2)
    finally:
        stop(pool)
    return {**measurement(config, watch, watch.last_done - started, threads), "load_average_1m": load}


def warm_items(item: dict[str, Any], worker_ids: list[str]) -> list[dict[str, Any]]:
    folder = Path(item["out_path"]).parent
    return [
        {**item, "id": f"warm-{worker}", "worker_id": worker, "out_path": str(folder / f"warm-{worker}.wav")}
        for worker in worker_ids
    ]


def wait_finished(watch: Watch, count: int) -> None:
    """Until the pool has finished ``count`` submissions; a failed line ends the benchmark."""

    def done() -> bool:
        watch.sample_memory()
        return watch.finished >= count or bool(watch.failures)

    wait(done)
    if watch.failures:
        raise SystemExit("a line failed:\n" + "\n".join(watch.failures))


def measurement(config: Config, watch: Watch, seconds: float, threads: int) -> dict[str, Any]:
    tokens = sum(int(result["tokens"]) for result in watch.results)
    return {
        "config": config.name,
        "workers": config.workers,
        "rows": config.rows,
        "lines": len(watch.results),
        "cpu_threads": threads,
        "seconds": round(seconds, 3),
        "tokens": tokens,
        "tokens_per_s": round(tokens / seconds, 2) if seconds > 0 else 0.0,
        "generate_seconds": round(sum(float(r["generate_seconds"]) for r in watch.results), 3),
        "decode_seconds": round(sum(float(r["decode_seconds"]) for r in watch.results), 3),
        "worker_rows": [m.get("rows") for m in watch.ready],  # as each worker's ready reported them
        "worker_threads": [m.get("threads") for m in watch.ready],
        "load_seconds": [round(float(m["load_seconds"]), 2) for m in watch.ready],
        "memory_after_load_gb": [round(int(m["memory_bytes"]) / 2**30, 2) for m in watch.ready],
        "peak_rss_gb": round(watch.peak_rss / 2**30, 2),
    }


def rows_summary(runs: list[dict[str, Any]], chosen: list[Config]) -> list[dict[str, Any]]:
    """Per configuration: median tokens/s over the repeats and its ratio to one worker with rows=1."""
    medians = {
        config.name: statistics.median(run["tokens_per_s"] for run in runs if run["config"] == config.name)
        for config in chosen
    }
    base = medians[Config(1, 1, 0).name]
    return [
        {
            "config": config.name,
            "workers": config.workers,
            "rows": config.rows,
            "lines": config.lines,
            "tokens_per_s_median": round(medians[config.name], 2),
            "tokens_per_s_each": [run["tokens_per_s"] for run in runs if run["config"] == config.name],
            "vs_rows_1": round(medians[config.name] / base, 3) if base else 0.0,
            "peak_rss_gb": max(run["peak_rss_gb"] for run in runs if run["config"] == config.name),
        }
        for config in chosen
    ]


def print_rows_table(summary: list[dict[str, Any]]) -> None:
    print(f"\n{'configuration':<26} {'lines':>5} {'tokens/s (median)':>17}  {'vs rows=1':>9}  each run")
    for row in summary:
        each = ", ".join(f"{value:.1f}" for value in row["tokens_per_s_each"])
        print(
            f"{row['config']:<26} {row['lines']:>5} {row['tokens_per_s_median']:>17.1f}  "
            f"{row['vs_rows_1']:>8.2f}x  {each}"
        )


def worker_packages() -> dict[str, str]:
    code = (
        "import json\nfrom importlib import metadata\n"
        f"print(json.dumps({{n: metadata.version(n) for n in {list(WORKER_PACKAGES)!r}}}))"
    )
    done = subprocess.run(
        [str(bundled_worker_python()), "-I", "-c", code], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def rows_mode(args: argparse.Namespace, work: Path) -> int:
    singles = single_workers(args)
    chosen = configs(args, singles)
    gpu = "none" if args.device == "cpu" else worker_plan(args, 1).slots[0].gpu_name or "cuda"
    model = build_model(work, args.size)
    check_memory(model, max(config.workers for config in chosen), args.device)
    project = make_project(work / "project", [max(config.lines for config in chosen)])
    items, params = rows_job(project, model, args)
    runs = []
    for repeat in range(args.repeats):  # interleaved, every other repeat in reverse: drift hits all alike
        for config in chosen if repeat % 2 == 0 else chosen[::-1]:
            runs.append({"repeat": repeat + 1, **measure(config, items, params, args)})
            print_measurement(runs[-1], args.repeats)
    summary = rows_summary(runs, chosen)
    print_rows_table(summary)
    if args.out:
        workload = {
            "model": args.size,
            "device": args.device,
            "precision": params["precision"] or "worker default",
            "max_new_tokens": args.max_new_tokens,
            "text": TEXT,
            "rows": args.rows,
            "single_workers": singles,
            "repeats": args.repeats,
            "timing": "fresh workers per measurement, each warmed with a 1-line job; from submitting the "
            "measured job to its last result; tokens/s = sum of the results' tokens / that time",
        }
        machine = machine_facts(
            ("localclip", "PySide6", "psutil"), gpu=gpu, worker_packages=worker_packages()
        )
        write_record(args, {"machine": machine, "workload": workload, "results": summary, "runs": runs})
    return 0


def print_measurement(run: dict[str, Any], repeats: int) -> None:
    print(
        f"repeat {run['repeat']}/{repeats}  {run['config']:<26}: {run['lines']:3d} lines, {run['tokens']:5d} "
        f"tokens in {run['seconds']:7.2f} s = {run['tokens_per_s']:7.1f} tokens/s "
        f"(workers' peak RSS {run['peak_rss_gb']:.2f} GiB; load average {run['load_average_1m']:.1f} before)",
        flush=True,
    )


def write_record(args: argparse.Namespace, fields: dict[str, Any]) -> None:
    record = {
        "command": " ".join([".venv/bin/python bench/clone.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d"),
        **fields,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


# -- the scheduling strategies and the command -------------------------------------------------------------


def build_model(work: Path, size: str) -> Path:
    """A fish-speech checkpoint of random weights, by the project's demo builder."""
    model = work / "model"
    builder = "localclip_worker.demo_models"
    command = [
        str(bundled_worker_python()),
        "-I",
        "-m",
        builder,
        str(model),
        "--kind",
        "fish",
        "--size",
        size,
    ]
    subprocess.run(command, check=True)
    return model


def schedules(args: argparse.Namespace, work: Path) -> int:
    plan = worker_plan(args)  # before the model is built: no GPU, no benchmark
    model = build_model(work, args.size)
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
        workload = {
            "speaker_lines": SPEAKER_LINES,
            "workers": args.workers,
            "plan": list(plan.explanation),
            "model": args.size,
            "max_new_tokens": args.max_new_tokens,
        }
        gpu = "none" if args.device == "cpu" else plan.slots[0].gpu_name
        machine = machine_facts(("localclip", "PySide6"), gpu=gpu)
        write_record(args, {"machine": machine, "workload": workload, "results": rows})
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=4, help="workers of the scheduling strategies")
    parser.add_argument("--size", choices=["tiny", "s1-mini"], default="tiny")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--max-new-tokens", type=int, default=24)
    parser.add_argument("--rows", type=rows_list, help="rows mode: the rows values to measure, e.g. 1,2,4,8")
    parser.add_argument("--lines", type=int, help="rows mode: lines per measurement (default 2 x max rows)")
    parser.add_argument("--single-workers", type=int, help="rows mode: how many single-row workers")
    parser.add_argument("--repeats", type=int, default=3, help="rows mode: interleaved repeats")
    parser.add_argument("--out", type=Path, help="write the raw run as JSON here")
    args = parser.parse_args()
    if args.rows is None and (args.lines or args.single_workers):
        parser.error("--lines and --single-workers go with --rows")
    if min(args.lines or 1, args.single_workers or 1, args.repeats) < 1:
        parser.error("--lines, --single-workers and --repeats must be 1 or more")
    return args


def main() -> int:
    args = parse_args()
    QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    work = Path(tempfile.mkdtemp(prefix="localclip-bench-clone-"))
    try:
        return rows_mode(args, work) if args.rows else schedules(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
