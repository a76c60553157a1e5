"""clone_throughput: tokens per second with 1, 2, 4 and 8 single-row clone workers sharing one GPU.

An S1-mini-sized fish-speech model of random weights (demo_models ``--size s1-mini``; the tiny one with
``--quick``). The most workers any configuration needs start once through the Qt-free driver, pinned to the
GPU as the app pins them, and each warms up with one short line (model load, reference encoding, first
kernels). Then each configuration of N workers gets one line per worker, pinned to workers 0..N-1 (the
rest idle with their models loaded, as warm workers wait in the app), with ``max_new_tokens`` sized from
the warm-up rate so a configuration runs about half a minute, and the CPU threads the app gives each of N
GPU workers. Per configuration: tokens/s per worker (language model only) and in all (wall clock, decoding
included), each worker's GPU memory (torch's peak reserve, and NVML's per-process figure in the parent's
summary) against the plan's figure per worker, and the CPU cores each worker used.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from gpu_phases.artifacts import ensure, fish_size
from gpu_phases.clone_correct import reference_audio
from gpu_phases.common import PhaseContext, rate, skipped
from gpu_phases.workers import Recorder, clone_plan_settings, launches, run_timed
from localclip.core.cloning.manifest import CloneParams
from localclip.core.machine.plan import worker_threads
from localclip.pool.driver import WorkerDriver
from localclip.pool.engine import PoolOptions

COUNTS, QUICK_COUNTS = (1, 2, 4, 8), (1, 2)
WARM_TOKENS, QUICK_WARM_TOKENS = 32, 8
TARGET_SECONDS, QUICK_TARGET_SECONDS = 30.0, 3.0  # per configuration, at most
TOKENS_RANGE, QUICK_TOKENS_RANGE = (16, 1024), (8, 48)  # 1024: the app's default max_new_tokens
MIN_CONFIG_SECONDS = 8.0
TEXT = "Every line of this benchmark has the same length, so only the number of workers differs."
REFERENCE_TEXT = "A short reference recording for speaker A."
GIB = 1024**3


def run(ctx: PhaseContext) -> None:
    size = fish_size(ctx.device, ctx.quick)
    checkpoint = ensure(f"fish-{size}", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    reference = reference_audio(ctx.work / "reference")
    settings = clone_plan_settings()
    counts = QUICK_COUNTS if ctx.quick else COUNTS
    ctx.result["model"] = size
    ctx.result["plan_memory_per_worker_gb"] = settings.memory_per_worker_gb
    recorder = Recorder()
    worker_launches = launches(max(counts), ctx.device)
    with WorkerDriver(worker_launches, PoolOptions(items_per_job=1), listener=recorder) as driver:
        pids = {f"worker {w}": pid for w, pid in driver.pids().items()}
        lines = Lines(ctx, checkpoint, reference)
        with ctx.step("warm_up"), ctx.segment("warm-up: load, reference, first line", pids):
            items = lines.make(max(counts), lines.warm_tokens)
            warm = run_timed(driver, "clone", items, lines.params(max(counts)), ctx.time_left())
            ctx.result["warm_up"] = {**summary(warm, recorder, lines.last), "ready": recorder.ready_facts()}
        measured = (ctx.result["warm_up"].get("tokens_per_s_per_worker") or 0.0, max(counts))
        configs: dict[str, Any] = ctx.result.setdefault("configs", {})
        for index, count in enumerate(counts):
            # Per worker no faster than measured with fewer workers, and at worst the GPU was already
            # full (the same total shared by more): lines sized on that never overrun the phase.
            predicted = measured[0] * min(1.0, measured[1] / count)
            with ctx.step(f"workers_{count}"):
                entry = configuration(ctx, driver, recorder, lines, count, predicted, len(counts) - index)
                configs[str(count)] = entry
            if entry.get("tokens_per_s_per_worker"):
                measured = (entry["tokens_per_s_per_worker"], count)
    summarise(ctx)


class Lines:
    """The job's params and lines as CloneRun makes them (runs/clone.py), numbered across configurations."""

    def __init__(self, ctx: PhaseContext, checkpoint: Path, reference: Path) -> None:
        self.ctx, self.checkpoint, self.reference = ctx, checkpoint, reference
        self.warm_tokens = QUICK_WARM_TOKENS if ctx.quick else WARM_TOKENS
        self.number = 0
        self.last: list[str] = []

    def params(self, workers: int) -> dict[str, Any]:
        threads = worker_threads(self.ctx.device, workers, self.ctx.cores, clone_plan_settings())
        return {
            "checkpoint_dir": str(self.checkpoint),
            "codec_path": str(self.checkpoint / "codec.pth"),
            "device": self.ctx.device,
            "precision": "",  # the worker's default: bfloat16 on a GPU
            "cache_dir": str(self.ctx.work / "clone-cache"),
            "cpu_threads": threads.torch,
            # Single-row workers: N model copies time-sharing the GPU, against which clone_batched's rows
            # in one copy compare (and a one-row decoder captures in seconds).
            "rows": 1,
        }

    def make(self, workers: int, tokens: int) -> list[dict[str, Any]]:
        """One line per worker, pinned to workers 0..workers-1."""
        items = []
        for worker in range(workers):
            self.number += 1
            line_id = f"line-{self.number:03d}"
            items.append(
                {
                    "id": line_id,
                    "speaker": "a",
                    "text": TEXT,
                    "chunks": [TEXT],
                    "references": [{"audio": str(self.reference), "text": REFERENCE_TEXT}],
                    "seed": self.number,
                    **CloneParams(max_new_tokens=tokens).to_dict(),
                    "out_path": str(self.ctx.work / "clone-throughput" / f"{line_id}.wav"),
                    "worker_id": str(worker),
                }
            )
        self.last = [item["id"] for item in items]
        return items


def configuration(
    ctx: PhaseContext,
    driver: WorkerDriver,
    recorder: Recorder,
    lines: Lines,
    count: int,
    per_worker_rate: float,
    left: int,
) -> dict[str, Any]:
    """``count`` lines at once, one per worker, sized to last about the time this configuration has."""
    if ctx.time_left() < MIN_CONFIG_SECONDS:
        return skipped(f"{ctx.time_left():.0f} s left")
    target = min(QUICK_TARGET_SECONDS if ctx.quick else TARGET_SECONDS, (ctx.time_left() - 5) / left)
    low, high = QUICK_TOKENS_RANGE if ctx.quick else TOKENS_RANGE
    tokens = max(low, min(high, int(per_worker_rate * target)))
    params = lines.params(count)
    pids = {f"worker {w}": pid for w, pid in driver.pids().items() if int(w) < count}
    with ctx.segment(f"{count} worker(s)", pids):
        timed = run_timed(driver, "clone", lines.make(count, tokens), params, ctx.time_left() - 2)
    return {"workers": count, "max_new_tokens": tokens, "cpu_threads": params["cpu_threads"]} | summary(
        timed, recorder, lines.last
    )


def summary(timed: dict[str, Any], recorder: Recorder, ids: list[str]) -> dict[str, Any]:
    worker_of = {item: worker for _, worker, item in recorder.done}
    results = {worker_of[i]: recorder.results[i] for i in ids if i in recorder.results}
    tokens = sum(int(r["tokens"]) for r in results.values())
    workers = {
        worker: {
            "tokens": int(r["tokens"]),
            "tokens_per_s": round(float(r["tokens_per_s"]), 2),
            "generate_s": round(float(r["generate_seconds"]), 2),
            "decode_s": round(float(r["decode_seconds"]), 2),
            "peak_gpu_memory_gb": round(int(r["peak_gpu_memory_bytes"]) / GIB, 3),
        }
        for worker, r in sorted(results.items())
    }
    return {
        "lines": len(ids),
        "done": len(results),
        "failed": {i: recorder.failed[i] for i in ids if i in recorder.failed},
        "seconds": timed["seconds"],
        "timed_out": timed["timed_out"],
        "tokens": tokens,
        "tokens_per_s_total": rate(tokens, timed["seconds"]),
        "tokens_per_s_per_worker": round(statistics.mean(w["tokens_per_s"] for w in workers.values()), 2)
        if workers
        else None,
        "per_worker": workers,
        "cpu": timed["cpu"],
    }


def summarise(ctx: PhaseContext) -> None:
    parts = []
    peak = 0.0
    for count, entry in ctx.result.get("configs", {}).items():
        if "tokens_per_s_total" not in entry:
            parts.append(f"{count}w skipped")
            continue
        parts.append(
            f"{count}w {entry['tokens_per_s_total']} tok/s ({entry['tokens_per_s_per_worker']}/worker)"
        )
        peak = max([peak, *(worker["peak_gpu_memory_gb"] for worker in entry["per_worker"].values())])
    ctx.headline(f"{ctx.result.get('model')}: " + "; ".join(parts))
    ctx.headline(
        f"torch peak reserve per worker {peak:.2f} GB vs plan {ctx.result['plan_memory_per_worker_gb']} GB "
        "(+ CUDA context: NVML per-pid in segments)"
    )
