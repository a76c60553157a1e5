"""What the pool itself costs: worker start-up, item round trips, event throughput.

    .venv/bin/python bench/pool.py [--workers 1 2 4] [--items 2000] [--out docs/benchmarks/pool-X.json]

Runs real worker processes (the worker environment) with the ``diag`` job, whose items do nothing, so
every figure is the pool's and the protocol's overhead: the ceiling on items per second any job can reach
with one item per job. Prints a table and writes the raw run as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from localclip.core.paths import bundled_worker_python
from localclip.pool.engine import PoolOptions
from localclip.pool.launch import WorkerLaunch
from localclip.pool.pool import WorkerPool


class Waiter:
    """Runs the event loop until a condition holds. The pool's signals wake it at once, so timings are not
    rounded up to a polling interval; a timer re-checks in any case."""

    def __init__(self, pool: WorkerPool) -> None:
        self.loop = QEventLoop()
        for signal in (pool.worker_event, pool.finished, pool.stopped):
            signal.connect(self.loop.quit)
        self.guard = QTimer()
        self.guard.timeout.connect(self.loop.quit)
        self.guard.start(100)

    def until(self, condition: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the benchmark run did not finish")
            self.loop.exec()


def measure(workers: int, items: int) -> dict[str, Any]:
    python = bundled_worker_python()
    launches = [WorkerLaunch(str(n), python) for n in range(workers)]
    pool = WorkerPool(launches, PoolOptions())
    hellos: list[float] = []
    pool.worker_event.connect(
        lambda worker, message: message["type"] == "hello" and hellos.append(time.perf_counter())
    )
    summaries: list[dict[str, Any]] = []
    pool.finished.connect(summaries.append)
    waiter = Waiter(pool)
    started = time.perf_counter()
    pool.start()
    waiter.until(lambda: len(hellos) == workers, 60)
    start_seconds = max(hellos) - started

    # Round trips: one item at a time, so each figure is submit -> job -> item_done -> finished.
    latencies = []
    for n in range(50):
        before = time.perf_counter()
        pool.submit("diag", [{"id": f"rt{n}"}])
        waiter.until(lambda n=n: len(summaries) == n + 1, 30)
        latencies.append(time.perf_counter() - before)

    # Throughput: many empty items pulled by all workers.
    before = time.perf_counter()
    pool.submit("diag", [{"id": f"i{n}"} for n in range(items)])
    waiter.until(lambda: len(summaries) == 51, 600)
    item_seconds = time.perf_counter() - before

    stopped = []
    pool.stopped.connect(lambda: stopped.append(time.perf_counter()))
    before = time.perf_counter()
    pool.shutdown()
    waiter.until(lambda: stopped, 60)
    return {
        "workers": workers,
        "start_to_all_hello_s": round(start_seconds, 3),
        "round_trip_ms_median": round(statistics.median(latencies) * 1000, 2),
        "round_trip_ms_p95": round(sorted(latencies)[int(0.95 * len(latencies))] * 1000, 2),
        "items": items,
        "items_per_s": round(items / item_seconds, 1),
        "shutdown_s": round(stopped[0] - before, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--out", type=Path, help="write the raw run as JSON here")
    args = parser.parse_args()
    QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    rows = [measure(workers, args.items) for workers in args.workers]
    columns = ("workers", "start s", "rt ms", "rt p95", "items/s", "stop s")
    print(" ".join(f"{name:>8}" for name in columns))
    for row in rows:
        print(
            f"{row['workers']:>7} {row['start_to_all_hello_s']:>8} {row['round_trip_ms_median']:>7} "
            f"{row['round_trip_ms_p95']:>8} {row['items_per_s']:>8} "
            f"{row['shutdown_s']:>7}"
        )
    if args.out:
        record = {
            "command": " ".join(sys.argv),
            "machine": machine_facts(("PySide6", "localclip", "psutil")),
            "results": rows,
            "date": time.strftime("%Y-%m-%d"),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
