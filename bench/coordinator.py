"""The app side of an embedding run alone, on one core: can it take the results of a fast GPU?

    .venv/bin/python bench/coordinator.py [--clips 100000] [--repeat 3] [--dim 256] [--profile]
                                          [--out FILE.json]

A worker that answers at once with precomputed vectors (bench/fake_embed_worker.py, the real protocol, on
another core) stands in for a GPU; this process, pinned to one core, does everything a real run does with
the results: the QProcess pool (line framing and checks, JSON, the engine's bookkeeping, Qt signals), the
embedding run (base64 vectors checked and decoded, buffered and written to the SQLite store with the
running speaker sums) and the command line's progress (``localclip embed``'s own wiring,
cli/embedding.py ``follow_embed_run``). Timed from the run's start to its end report.

Two variants, interleaved: **redraw per result**, progress told and the bar redrawn for every result (as
before this was measured), and **as shipped**, both at most every 0.1 s (runs/embed.py and
cli/terminal.py ``PROGRESS_INTERVAL_S``). The bar goes to stderr, sent to /dev/null here (a terminal only
costs more). Printed: results/s for each run and the fastest of each variant; ``--profile`` adds a
cProfile of one more run as shipped, its top functions by own time. ``--out`` writes the raw run as
JSON. The target (issue 12): at least 20,000
results/s on one core, so that a GPU at 10,000 clips/s is never held back by the app.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

BENCH = Path(__file__).resolve().parent
COORDINATOR_CPU, WORKER_CPU = 0, 1
TARGET = 20_000
SPEAKERS = 100
VARIANTS = {"redraw per result": 0.0, "as shipped": None}  # progress interval (None: the shipped one)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    pinned = pin(COORDINATOR_CPU)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])  # noqa: F841 - kept alive
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    for index in range(args.repeat):
        for name, interval in VARIANTS.items():
            runs[name].append(one_run(args.clips, args.dim, interval))
            run = runs[name][-1]
            print(
                f"round {index + 1}, {name}: {run['results_per_s']:,.0f} results/s ({run['seconds']:.2f} s)"
            )
    best = {name: max(run["results_per_s"] for run in variant) for name, variant in runs.items()}
    for name, value in best.items():
        print(f"{name:<24} {value:>10,.0f} results/s (fastest of {args.repeat})")
    shipped = best["as shipped"]
    verdict = "met" if shipped >= TARGET else "NOT met"
    print(
        f"as shipped: {shipped / best['redraw per result']:.2f}x; target {TARGET:,}/s on one core: {verdict}"
    )
    record: dict[str, Any] = {
        "command": " ".join(["bench/coordinator.py", *sys.argv[1:]]),
        "machine": machine_facts(["PySide6", "numpy"], coordinator_cpus=sorted(pinned)),
        "workload": {"clips": args.clips, "dim": args.dim, "speakers": SPEAKERS},
        "runs": runs,
        "best_results_per_s": best,
        "target": TARGET,
    }
    if args.profile:
        record["profile"] = profiled_run(args.clips, args.dim)
        print(record["profile"])
    if args.out:
        args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def pin(cpu: int) -> set[int]:
    """This process on one core, where the machine has two or more."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return set(range(os.cpu_count() or 1))
    os.sched_setaffinity(0, {cpu})
    return {cpu}


def one_run(clips: int, dim: int, interval: float | None = None) -> dict[str, Any]:
    from localclip.cli import terminal as terminal_module
    from localclip.runs import embed as embed_module

    shipped = (terminal_module.PROGRESS_INTERVAL_S, embed_module.PROGRESS_INTERVAL_S)
    if interval is not None:
        terminal_module.PROGRESS_INTERVAL_S = embed_module.PROGRESS_INTERVAL_S = interval
    try:
        with stderr_to_null():
            return _timed_run(clips, dim)
    finally:
        terminal_module.PROGRESS_INTERVAL_S, embed_module.PROGRESS_INTERVAL_S = shipped


@contextlib.contextmanager
def stderr_to_null() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)


def _timed_run(clips: int, dim: int) -> dict[str, Any]:
    from localclip.cli.embedding import follow_embed_run
    from localclip.cli.terminal import TerminalRun
    from localclip.core.embedding.datasets import Clip, DatasetScan
    from localclip.core.models.folders import WeSpeakerModelInfo
    from localclip.pool.launch import WorkerLaunch
    from localclip.runs.embed import EmbedOptions, EmbedRun
    from localclip.runs.setup import gpu_clips_per_job

    with tempfile.TemporaryDirectory(prefix="localclip-coordinator-") as folder:
        root = Path(folder)
        scan = DatasetScan(root, "speaker/clip", tuple(make_clips(Clip, root, clips)), ())
        model = WeSpeakerModelInfo(root, "ResNet34", dim, "bench")
        options = EmbedOptions(clips_per_job=gpu_clips_per_job(clips, 1))  # a GPU worker's job size
        run = EmbedRun(scan, model, root / "out", options)
        worker = BENCH / "fake_embed_worker.py"
        arguments = ("-I", str(worker), "--dim", str(dim), "--cpu", str(WORKER_CPU))
        launch = WorkerLaunch("0", Path(sys.executable), arguments=arguments)
        pool = run.create_pool([launch])
        terminal = TerminalRun(events=False)
        reports = follow_embed_run(run, pool, terminal)
        started = time.perf_counter()
        terminal.execute(pool, run.start, total=len(run.pending), unit="clip")
        seconds = time.perf_counter() - started
        report = reports[0]
        assert report.done == clips and report.failed == 0, report.to_dict()
        return {"seconds": round(seconds, 3), "results_per_s": round(clips / seconds, 1), "done": report.done}


def make_clips(clip: Any, root: Path, count: int) -> list[Any]:
    """``count`` clips over SPEAKERS speakers; the files need not exist (the worker is a stand-in)."""
    clips = []
    for index in range(count):
        speaker = f"speaker_{index % SPEAKERS:03d}"
        key = f"{speaker}/clip_{index:07d}.wav"
        clips.append(clip(key, root.name, speaker, root / key))
    return sorted(clips, key=lambda c: c.key)


def profiled_run(clips: int, dim: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    one_run(clips, dim)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    return text.getvalue()


if __name__ == "__main__":
    main()
