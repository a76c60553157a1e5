"""The app side of an embedding run alone, on one core: can it take the results of a fast GPU?

    .venv/bin/python bench/coordinator.py [--clips 100000] [--repeat 3] [--dim 256] [--only NAME ...]
                                          [--compare LABEL=DIR ...] [--profile] [--out FILE.json]

A worker that answers at once with precomputed vectors (bench/fake_embed_worker.py: the real protocol,
standard library only, started as a real process on the other core) stands in for a GPU; the measuring
process is pinned to one core. Each measurement runs in a fresh process of its own, and the rounds are
interleaved (every measurement once per round), so a noisy machine slows them alike:

- **run**: everything a real run does with the results, through the command line's own path
  (cli/embedding.py ``follow_embed_run``, what ``localclip embed`` runs): the QProcess pool (line framing
  and checks, JSON, the engine's bookkeeping, Qt signals), the embedding run (base64 vectors checked and
  decoded, buffered, written to the SQLite store with the running speaker sums) and the progress bar (to
  /dev/null). Timed from the run's start to its end report, store closed.
- **run, 1 MiB pipe**: the same, the worker's stdout pipe enlarged to 1 MiB (``F_SETPIPE_SZ``, Linux), so
  the coordinator reads 16 times fewer, larger chunks.
- **events, QProcess pool** and **events, driver**: the pool alone, each ``item_done`` counted and dropped
  (what the transport, the link's checks and the engine cost): the QProcess pool of the window and the
  command line, and the Qt-free ``subprocess`` driver (pool/driver.py) of the GPU check and cluster nodes.
- **store writes**: the store alone, ``EmbeddingStore.add_embeddings`` with batches as large as a run's
  flush at 20,000 results/s (``FLUSH_MS``), records made beforehand.

Each figure is given against the wall clock and against the measuring process's CPU time (user + system,
all its threads, on its one core): a run also waits for its worker at the start of every job (pull
scheduling) and, on a virtual machine, for an idle core to wake; the CPU figure is what the app's own
work allows. ``--compare LABEL=DIR`` adds every measurement again with the ``localclip`` package taken
from DIR (e.g. a ``git archive`` of an earlier commit): before and after, side by side, in the same rounds.
``--profile`` adds a cProfile of one more **run** (top functions by own time). ``--out`` writes the raw
measurements as JSON. The target (issue 12): at least 20,000 results/s on one core, so that a GPU at
10,000 clips/s is never held back by the app.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

BENCH = Path(__file__).resolve().parent
COORDINATOR_CPU, WORKER_CPU = 0, 1
TARGET = 20_000
SPEAKERS = 100
BIG_PIPE = 1 << 20  # Linux's default /proc/sys/fs/pipe-max-size
_FOLDERS: list[Path] = []  # made by a measurement, removed after it
MEASUREMENTS = ("run", "run, 1 MiB pipe", "events, QProcess pool", "events, driver", "store writes")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--only", nargs="+", choices=MEASUREMENTS, help="these measurements only")
    parser.add_argument("--compare", nargs="+", default=[], metavar="LABEL=DIR")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one measurement, in this process
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.clips, args.dim, args.profile)))
        return
    trees: list[tuple[str, str | None]] = [("", None)]
    for spec in args.compare:
        label, _, folder = spec.partition("=")
        trees.append((f" ({label})", str(Path(folder).resolve())))
    plan = [(name + label, name, tree) for name in (args.only or MEASUREMENTS) for label, tree in trees]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in plan}
    for index in range(args.repeat):
        for name, measurement, tree in plan:
            measured = in_child(measurement, tree, args.clips, args.dim)
            runs[name].append(measured)
            print(
                f"round {index + 1}, {name}: {measured['per_s']:,.0f}/s wall, "
                f"{measured['per_cpu_s']:,.0f}/s CPU ({measured['seconds']:.2f} s, "
                f"{measured['cpu_seconds']:.2f} s CPU)",
                flush=True,
            )
    medians = {
        name: {
            "per_s": round(statistics.median(r["per_s"] for r in measured), 1),
            "per_cpu_s": round(statistics.median(r["per_cpu_s"] for r in measured), 1),
        }
        for name, measured in runs.items()
    }
    print(f"\nmedians of {args.repeat} ({args.clips:,} results; target {TARGET:,}/s on one core):")
    for name, median in medians.items():
        print(f"  {name:<36} {median['per_s']:>9,.0f}/s wall  {median['per_cpu_s']:>9,.0f}/s CPU")
    record: dict[str, Any] = {
        "command": " ".join(["bench/coordinator.py", *sys.argv[1:]]),
        "machine": machine_facts(
            ["PySide6", "numpy"], coordinator_cpus=[COORDINATOR_CPU], worker_cpus=[WORKER_CPU]
        ),
        "workload": {"clips": args.clips, "dim": args.dim, "speakers": SPEAKERS},
        "runs": runs,
        "medians": medians,
        "target": TARGET,
    }
    if args.profile:
        record["profile"] = in_child("run", None, args.clips, args.dim, profile=True)["profile"]
        print(record["profile"])
    if args.out:
        args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def in_child(name: str, tree: str | None, clips: int, dim: int, profile: bool = False) -> dict[str, Any]:
    """One measurement in a fresh interpreter (``tree``: where its localclip package comes from)."""
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if tree is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [tree, os.environ.get("PYTHONPATH")]))
    command = [sys.executable, str(Path(__file__)), "--child", name]
    command += ["--clips", str(clips), "--dim", str(dim), *(["--profile"] if profile else [])]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- one measurement (in the child) -------------------------------------------------------------------------


def child(name: str, clips: int, dim: int, profile: bool) -> dict[str, Any]:
    pin(COORDINATOR_CPU)
    measure: Callable[[int, int], Callable[[], int]] = {
        "run": lambda c, d: prepared_run(c, d, 0),
        "run, 1 MiB pipe": lambda c, d: prepared_run(c, d, BIG_PIPE),
        "events, QProcess pool": prepared_pool_events,
        "events, driver": prepared_driver_events,
        "store writes": prepared_store_writes,
    }[name]
    go = measure(clips, dim)  # everything not timed (the dataset, the items, a Qt application) made here
    profiler = cProfile.Profile() if profile else None
    cpu, started = cpu_seconds(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    count = go()
    if profiler is not None:
        profiler.disable()
    seconds, cpu_used = time.perf_counter() - started, cpu_seconds() - cpu
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
    result: dict[str, Any] = {
        "count": count,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_used, 3),
        "per_s": round(count / seconds, 1),
        "per_cpu_s": round(count / cpu_used, 1),
    }
    if profiler is not None:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
        result["profile"] = text.getvalue()
    return result


def pin(cpu: int) -> None:
    """This process (and every thread it starts) on one core, where the machine has two or more."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {cpu})


def cpu_seconds() -> float:
    """This process's CPU time, user and system, all its threads."""
    return time.process_time()


def worker_launch(dim: int, pipe_bytes: int = 0) -> Any:
    from localclip.pool.launch import WorkerLaunch

    arguments = ["-I", str(BENCH / "fake_embed_worker.py"), "--dim", str(dim)]
    if (os.cpu_count() or 1) >= 2:
        arguments += ["--cpu", str(WORKER_CPU)]
    if pipe_bytes:
        arguments += ["--pipe-bytes", str(pipe_bytes)]
    return WorkerLaunch("0", Path(sys.executable), arguments=tuple(arguments))


def qt_application() -> Any:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.instance() or QCoreApplication(sys.argv[:1])


def temporary_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="localclip-coordinator-"))
    _FOLDERS.append(folder)
    return folder


def prepared_run(clips: int, dim: int, pipe_bytes: int) -> Callable[[], int]:
    """The command line's embedding run over ``clips`` made-up clips (the stand-in never opens them)."""
    from localclip.cli.embedding import follow_embed_run
    from localclip.cli.terminal import TerminalRun
    from localclip.core.embedding.datasets import Clip, DatasetScan
    from localclip.core.models.folders import WeSpeakerModelInfo
    from localclip.runs.embed import EmbedOptions, EmbedRun
    from localclip.runs.setup import gpu_clips_per_job

    qt_application()
    root = temporary_folder()
    scan = DatasetScan(root, "speaker/clip", tuple(made_up_clips(Clip, root, clips)), ())
    model = WeSpeakerModelInfo(root, "ResNet34", dim, "bench")
    options = EmbedOptions(clips_per_job=gpu_clips_per_job(clips, 1))  # a GPU worker's job size
    run = EmbedRun(scan, model, root / "out", options)
    pool = run.create_pool([worker_launch(dim, pipe_bytes)])
    terminal = TerminalRun(events=False)
    reports = follow_embed_run(run, pool, terminal)

    def go() -> int:
        with stderr_to_null():
            terminal.execute(pool, run.start, total=len(run.pending), unit="clip")
        report = reports[0]
        assert report.done == clips and report.failed == 0, report.to_dict()
        return int(report.done)

    return go


def prepared_pool_events(clips: int, dim: int) -> Callable[[], int]:
    from localclip.pool.engine import PoolOptions
    from localclip.pool.pool import WorkerPool

    app = qt_application()
    items = made_up_items(clips)
    pool = WorkerPool([worker_launch(dim)], PoolOptions(items_per_job=job_size(clips)))
    done = [0]

    def count(item_id: str, worker_id: str, result: Any) -> None:
        done[0] += 1

    pool.item_done.connect(count)
    pool.finished.connect(lambda summary: pool.shutdown())
    pool.stopped.connect(app.quit)

    def go() -> int:
        pool.start()
        pool.submit("embed", items, {})
        app.exec()
        return done[0]

    return go


def prepared_driver_events(clips: int, dim: int) -> Callable[[], int]:
    from localclip.pool.driver import WorkerDriver
    from localclip.pool.engine import PoolListener, PoolOptions

    class Counter(PoolListener):
        done = 0

        def item_done(self, item_id: str, worker_id: str, result: Any) -> None:
            self.done += 1

    items = made_up_items(clips)

    def go() -> int:
        counter = Counter()
        options = PoolOptions(items_per_job=job_size(clips))
        with WorkerDriver([worker_launch(dim)], options, counter) as driver:
            driver.submit("embed", items, {})
            driver.wait(600)
        return counter.done

    return go


def prepared_store_writes(clips: int, dim: int) -> Callable[[], int]:
    import numpy as np

    from localclip.core.embedding.store import EmbeddingRecord, EmbeddingStore
    from localclip.runs.embed import FLUSH_MS

    batch = TARGET * FLUSH_MS // 1000
    vectors = np.random.default_rng(0).standard_normal((clips, dim)).astype(np.float32)
    records = [
        EmbeddingRecord(item["id"], "bench", item["id"].split("/")[0], item["path"], 5.0, 16000, vector)
        for item, vector in zip(made_up_items(clips), vectors, strict=True)
    ]
    folder = temporary_folder()

    def go() -> int:
        store = EmbeddingStore.open(folder, "bench", dim)
        for start in range(0, clips, batch):
            store.add_embeddings(records[start : start + batch])
        store.close()
        return clips

    return go


def job_size(clips: int) -> int:
    from localclip.runs.setup import gpu_clips_per_job

    return gpu_clips_per_job(clips, 1)


def made_up_items(count: int) -> list[dict[str, str]]:
    keys = [clip_key(index) for index in range(count)]
    return [{"id": key, "path": f"/data/{key}"} for key in sorted(keys)]


def made_up_clips(clip: Any, root: Path, count: int) -> list[Any]:
    """``count`` clips over SPEAKERS speakers; the files need not exist (the worker is a stand-in)."""
    keys = sorted(clip_key(index) for index in range(count))
    return [clip(key, root.name, key.split("/")[0], root / key) for key in keys]


def clip_key(index: int) -> str:
    return f"speaker_{index % SPEAKERS:03d}/clip_{index:07d}.wav"


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


if __name__ == "__main__":
    main()
