"""Worker processes through the Qt-free driver, set up as the app sets them up, and what they did.

The plan settings come from the app's own job kinds over default settings (localclip/core/kinds.py, no
Qt). What only Qt modules hold (runs/embed.py's options, runs/setup.py's CPU job sizes) is restated here,
and tests/test_gpu_check.py checks (in the app environment) that it still agrees.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict, deque
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil

from localclip.core.kinds import JobKind
from localclip.core.machine.gpus import probe_gpus
from localclip.core.machine.plan import PlanSettings, WorkerThreads, worker_threads
from localclip.core.options import EMBED_BATCH_SIZE as EMBED_BATCH_SIZE_OPTION
from localclip.core.options import Defaults
from localclip.pool.driver import WorkerDriver
from localclip.pool.engine import PoolListener
from localclip.pool.launch import WorkerLaunch

# localclip/runs/embed.py: EmbedOptions (a Qt module).
EMBED_BATCH_SIZE = EMBED_BATCH_SIZE_OPTION.default
EMBED_CLIPS_PER_JOB = 256
EMBED_IO_THREADS = 4
# localclip/runs/setup.py: a CPU plan gives each worker about this many jobs, of at least this many clips.
CPU_JOBS_PER_WORKER = 8
CPU_MIN_CLIPS_PER_JOB = 8
# localclip/runs/setup.py: a GPU plan gives each worker about this many jobs, within these sizes.
GPU_JOBS_PER_WORKER = 4
GPU_MIN_CLIPS_PER_JOB = 256
GPU_MAX_CLIPS_PER_JOB = 4096
LOG_LINES_KEPT = 30


def embed_plan_settings(cpu_workers: int = 1) -> PlanSettings:
    """The app's embed plan settings at their defaults (cpu_workers depends on free memory there: the
    caller's choice here)."""
    return replace(JobKind.EMBED.plan_settings(Defaults()), cpu_workers=cpu_workers)


def clone_plan_settings() -> PlanSettings:
    """The app's clone plan settings at their defaults: what ``prepare_clone`` plans with."""
    return JobKind.CLONE.plan_settings(Defaults())


def embed_threads(device: str, workers: int, cores: int) -> WorkerThreads:
    return worker_threads(device, workers, cores, embed_plan_settings())


def thread_env(threads: WorkerThreads) -> dict[str, str]:
    """runs/setup.py ``with_threads``: torch's thread pools sized before torch loads."""
    return {"OMP_NUM_THREADS": str(threads.torch), "MKL_NUM_THREADS": str(threads.torch)}


def embed_params(model_dir: Path, device: str, threads: WorkerThreads) -> dict[str, Any]:
    """The job params ``EmbedRun.start`` sends (runs/embed.py), threads as ``embed_launches`` sets them."""
    return {
        "model_dir": str(model_dir),
        "device": device,
        "batch_size": EMBED_BATCH_SIZE,
        "io_threads": threads.io or EMBED_IO_THREADS,
        "torch_threads": threads.torch,
    }


def embed_clips_per_job(device: str, pending: int, workers: int) -> int:
    """runs/setup.py: about 4 jobs per worker on a GPU (gpu_clips_per_job), 8 on a CPU (cpu_clips_per_job)."""
    if device == "cuda":
        wanted = -(-pending // (workers * GPU_JOBS_PER_WORKER))
        return max(GPU_MIN_CLIPS_PER_JOB, min(GPU_MAX_CLIPS_PER_JOB, wanted))
    wanted = -(-pending // (workers * CPU_JOBS_PER_WORKER))
    return max(CPU_MIN_CLIPS_PER_JOB, min(EMBED_CLIPS_PER_JOB, wanted))


def launches(count: int, device: str, extra_env: dict[str, str] | None = None) -> list[WorkerLaunch]:
    """``count`` workers of this interpreter, pinned to GPU 0 by UUID on CUDA (as the plan pins them)."""
    uuid = name = None
    if device == "cuda":
        report = probe_gpus()
        if not report.gpus:
            raise RuntimeError(f"no GPU to pin workers to: {report.problem}")
        uuid, name = report.gpus[0].uuid, report.gpus[0].name
    python = Path(sys.executable)
    env = dict(extra_env or {})
    return [
        WorkerLaunch(str(n), python, uuid, name, heartbeat_seconds=1.0, extra_env=env) for n in range(count)
    ]


class Recorder(PoolListener):
    """What the workers told: ``ready`` facts, when each item finished, failures, their last log lines."""

    def __init__(self) -> None:
        self.launched = time.time()
        self.ready: dict[str, dict[str, Any]] = {}
        self.done: list[tuple[float, str, str]] = []  # (time, worker, item)
        self.results: dict[str, Any] = {}
        self.failed: dict[str, tuple[str, str]] = {}
        self.problems: list[str] = []
        self.logs: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=LOG_LINES_KEPT))

    def worker_event(self, worker_id: str, message: dict[str, Any]) -> None:
        if message.get("type") == "ready":
            self.ready[worker_id] = {"at": time.time(), **message}

    def item_done(self, item_id: str, worker_id: str, result: Any) -> None:
        self.done.append((time.time(), worker_id, item_id))
        self.results[item_id] = result

    def item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None:
        self.failed[item_id] = (code, reason)

    def worker_problem(self, worker_id: str, text: str) -> None:
        self.problems.append(f"{worker_id}: {text}")

    def worker_log(self, worker_id: str, line: str) -> None:
        self.logs[worker_id].append(line)

    def ready_facts(self) -> dict[str, dict[str, Any]]:
        keep = ("load_seconds", "threads", "io_threads", "device", "forward", "memory_bytes", "precision")
        keep += ("cuda_memory_allocated", "gpu_memory_bytes", "peak_gpu_memory_bytes")
        return {
            worker: {"after_launch_s": round(facts["at"] - self.launched, 2)}
            | {key: facts[key] for key in keep if key in facts}
            for worker, facts in sorted(self.ready.items())
        }

    def failures(self, shown: int = 5) -> dict[str, Any]:
        codes: dict[str, int] = defaultdict(int)
        for code, _ in self.failed.values():
            codes[code] += 1
        return {"count": len(self.failed), "codes": dict(codes), "some": list(self.failed.items())[:shown]}


def cpu_times(pids: dict[str, int]) -> dict[str, tuple[float, int]]:
    """Per worker: CPU seconds used so far (user + system) and its thread count now."""
    seen = {}
    for worker, pid in pids.items():
        try:
            process = psutil.Process(pid)
            times = process.cpu_times()
            seen[worker] = (times.user + times.system, process.num_threads())
        except psutil.Error:
            continue
    return seen


def cores_used(
    before: dict[str, tuple[float, int]], after: dict[str, tuple[float, int]], seconds: float
) -> dict[str, Any]:
    """CPU seconds each worker used between two readings, as cores busy on average, and its threads."""
    per_worker = {
        worker: {
            "cpu_seconds": round(after[worker][0] - before.get(worker, (0.0, 0))[0], 2),
            "cores_used": round((after[worker][0] - before.get(worker, (0.0, 0))[0]) / seconds, 2),
            "threads": after[worker][1],
        }
        for worker in sorted(after)
        if seconds > 0
    }
    total = sum(entry["cpu_seconds"] for entry in per_worker.values())
    return {"per_worker": per_worker, "cores_used_total": round(total / seconds, 2) if seconds > 0 else None}


def run_timed(
    driver: WorkerDriver, kind: str, items: list[dict[str, Any]], params: dict[str, Any], timeout: float
) -> dict[str, Any]:
    """One run on running workers: its summary (None on timeout: the run is then cancelled), wall time,
    and the CPU the workers used meanwhile."""
    pids = driver.pids()
    before, started = cpu_times(pids), time.time()
    try:
        summary: dict[str, Any] | None = driver.run(kind, items, params, timeout=max(1.0, timeout)).summary
    except TimeoutError:
        summary = None
    seconds = time.time() - started
    return {
        "started": started,
        "seconds": round(seconds, 3),
        "timed_out": summary is None,
        "summary": {k: v for k, v in (summary or {}).items() if k != "failures"},
        "cpu": cores_used(before, cpu_times(pids), seconds),
        "pids": pids,
    }
