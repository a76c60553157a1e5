"""embed_oom: the embed job's out-of-memory backoff, on a GPU whose memory is really capped.

In this child process: the job over a set of clips without a cap (the results to compare against), then a
fresh job under ``torch.cuda.set_per_process_memory_fraction`` chosen so that its starting budget
(CUDA_START_FRAMES padded frames) does not fit. Every forward pass is recorded: clips, padded frames, the
budget before it, and what it raised (the type, as CUDA raised it, and the head of its message; whether
the worker's rule takes it for out-of-memory). Then the budget's trajectory, the capped results against
the uncapped ones, and one clip too long to fit even alone: its outcome and the failure code a worker
sends for it (the pool retries ``out_of_memory`` on another attempt before failing the clip).

On the CPU a stand-in runs the same budget logic and failure path: passes above a fixed frame count raise
torch's OutOfMemoryError before computing, on a job given the GPU's budget (CUDA figures skipped).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from gpu_phases.artifacts import ensure
from gpu_phases.common import PhaseContext, difference_summary, head, skipped
from gpu_phases.embedding import items_for, new_job, run_job, write_clips
from localclip_worker.embedding.budget import CUDA_CAP_FRAMES, CUDA_START_FRAMES, FrameBudget
from localclip_worker.gpu_memory import is_out_of_memory
from localclip_worker.jobs.embed import EmbedJob
from localclip_worker.main import _failure_code  # the worker's own rule for an outcome's failure code

MIB = 2**20
# Memory the cap leaves for activations above the loaded model: ~2,700 frames at 60 KiB, a third of the
# starting budget, so the first passes fail and the budget has to come down twice.
CAP_HEADROOM_BYTES = 160 * MIB
CLIP_SECONDS = (6.0, 8.0, 10.0, 12.0, 15.0, 14.0, 9.0, 7.0)
QUICK_CLIP_SECONDS = (2.0, 3.0, 4.0, 2.5)
REPEAT, QUICK_REPEAT = 6, 3  # each file listed this many times (distinct ids): batches to fill
LONG_SECONDS, QUICK_LONG_SECONDS = 60.0, 20.0  # one clip that cannot fit alone under the cap
STAND_IN_FRAMES, QUICK_STAND_IN_FRAMES = 3000, 1500  # the CPU stand-in's "memory", in padded frames


def run(ctx: PhaseContext) -> None:
    model = ensure("wespeaker", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    folder = ctx.work / "oom-clips"
    paths = write_clips(folder, QUICK_CLIP_SECONDS if ctx.quick else CLIP_SECONDS, seed=1)
    items = items_for(paths, QUICK_REPEAT if ctx.quick else REPEAT)
    [long_path] = write_clips(folder / "long", [QUICK_LONG_SECONDS if ctx.quick else LONG_SECONDS], seed=2)
    ctx.result["clips"] = {"files": len(paths), "items": len(items), "long_clip": long_path.name}
    ctx.result["stand_in"] = None if ctx.cuda else "CPU: simulated out-of-memory above a frame count"
    uncapped: dict[str, np.ndarray] = {}
    with ctx.step("uncapped"):
        uncapped = uncapped_run(ctx, model, items)
    with ctx.step("capped"):
        capped_run(ctx, model, items, uncapped, long_path)
    summarise(ctx)


def job_params(ctx: PhaseContext) -> dict[str, Any]:
    # On the CPU the caller's batch_frames gives masked batches (the GPU's path) instead of one clip a pass.
    return {} if ctx.cuda else {"batch_frames": CUDA_START_FRAMES}


def uncapped_run(ctx: PhaseContext, model: Any, items: list[dict[str, str]]) -> dict[str, np.ndarray]:
    job, params, _ = new_job(model, ctx.device, **job_params(ctx))
    passes: list[dict[str, Any]] = []
    watch_passes(ctx, job, passes, None)
    embeddings, failures = run_job(job, items, params)
    ctx.result["uncapped"] = {
        "passes": len(passes),
        "budget_final": job._budget.frames,
        "failures": len(failures),
        "peak_allocated_mb": max((p.get("peak_allocated_mb", 0) for p in passes), default=None)
        if ctx.cuda
        else None,
    }
    del job
    if ctx.cuda:
        torch.cuda.empty_cache()
    return embeddings


def capped_run(
    ctx: PhaseContext,
    model: Any,
    items: list[dict[str, str]],
    uncapped: dict[str, np.ndarray],
    long_path: Any,
) -> None:
    job, params, _ = new_job(model, ctx.device, **job_params(ctx))
    stand_in = None
    if ctx.cuda:
        ctx.result["cap"] = cap_memory()
    else:  # the GPU's budget, start and cap, on the CPU stand-in
        job._budget = FrameBudget(CUDA_START_FRAMES, CUDA_CAP_FRAMES)
        stand_in = QUICK_STAND_IN_FRAMES if ctx.quick else STAND_IN_FRAMES
        ctx.result["cap"] = {
            "stand_in_frames": stand_in,
            "gpu_fraction": skipped("no GPU memory to cap on the CPU"),
        }
    passes: list[dict[str, Any]] = []
    watch_passes(ctx, job, passes, stand_in)
    embeddings, failures = run_job(job, items, params)
    trajectory = [entry["budget"] for entry in passes] + [job._budget.frames]
    ctx.result["capped"] = {
        "passes": passes,
        # the budget before each pass and at the end, repeats left out
        "budget_trajectory": [
            frames for n, frames in enumerate(trajectory) if n == 0 or frames != trajectory[n - 1]
        ],
        "budget_final": {"frames": job._budget.frames, "ceiling": job._budget.ceiling},
        "raised": raised_kinds(passes),
        "failures": {item: f"{type(e).__name__}: {head(str(e))}" for item, e in failures.items()},
    }
    common = [item for item in uncapped if item in embeddings]
    if common:
        ctx.result["capped"]["vs_uncapped"] = difference_summary(
            [embeddings[i] for i in common], [uncapped[i] for i in common]
        )
    ctx.save()
    alone_passes: list[dict[str, Any]] = []
    watch_passes(ctx, job, alone_passes, stand_in)
    _, long_failures = run_job(job, items_for([long_path]), params)
    ctx.result["too_large_alone"] = too_large(long_failures, alone_passes)


def cap_memory() -> dict[str, Any]:
    """Cap this process's CUDA memory at what is reserved now (the model) plus CAP_HEADROOM_BYTES."""
    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(0).total_memory
    reserved = torch.cuda.memory_reserved()
    fraction = (reserved + CAP_HEADROOM_BYTES) / total
    torch.cuda.set_per_process_memory_fraction(fraction, 0)
    torch.cuda.reset_peak_memory_stats()
    return {
        "gpu_fraction": fraction,
        "cap_mb": round(fraction * total / MIB),
        "reserved_before_mb": round(reserved / MIB),
        "allocated_before_mb": round(torch.cuda.memory_allocated() / MIB),
    }


def watch_passes(
    ctx: PhaseContext, job: EmbedJob, passes: list[dict[str, Any]], stand_in: int | None
) -> None:
    """Record every forward pass of the job's batched embedder (and raise the stand-in's out-of-memory)."""
    embedder = job._embedder
    assert embedder is not None
    inner: Callable[..., torch.Tensor] = type(embedder).forward.__get__(embedder)

    def forward(padded: torch.Tensor, *lengths: Any) -> torch.Tensor:
        frames = int(padded.shape[0]) * int(padded.shape[1])
        entry: dict[str, Any] = {
            "clips": int(padded.shape[0]),
            "padded_frames": frames,
            "budget": job._budget.frames,
        }
        passes.append(entry)
        if ctx.cuda:
            torch.cuda.reset_peak_memory_stats()
        try:
            if stand_in is not None and frames > stand_in:
                raise torch.cuda.OutOfMemoryError(
                    f"CUDA out of memory (stand-in: {frames} frames > {stand_in})"
                )
            out = inner(padded, *lengths)
        except Exception as error:
            entry["raised"] = {
                "type": type(error).__name__,
                "module": type(error).__module__,
                "message": head(str(error)),
                "taken_for_out_of_memory": is_out_of_memory(error),
            }
            raise
        if ctx.cuda:
            entry["peak_allocated_mb"] = round(torch.cuda.max_memory_allocated() / MIB)
        return out

    embedder.forward = forward  # type: ignore[method-assign]


def raised_kinds(passes: list[dict[str, Any]]) -> dict[str, Any]:
    """Each distinct exception type raised, how often, and its first message."""
    kinds: dict[str, dict[str, Any]] = {}
    for entry in passes:
        raised = entry.get("raised")
        if raised:
            kind = kinds.setdefault(f"{raised['module']}.{raised['type']}", {"count": 0, **raised})
            kind["count"] += 1
    return kinds


def too_large(failures: dict[str, Exception], passes: list[dict[str, Any]]) -> dict[str, Any]:
    if not failures:
        return {"failed": False, "passes": passes}
    [error] = failures.values()
    return {
        "failed": True,
        "code": _failure_code(error),
        "type": type(error).__name__,
        "reason": str(error),
        "cause": f"{type(error.__cause__).__name__}: {head(str(error.__cause__))}"
        if error.__cause__
        else None,
        "passes": passes,
    }


def summarise(ctx: PhaseContext) -> None:
    capped = ctx.result.get("capped", {})
    trajectory = " > ".join(map(str, capped.get("budget_trajectory", [])))
    raised = ", ".join(
        f"{name.rsplit('.', 1)[-1]} x{k['count']}" for name, k in capped.get("raised", {}).items()
    )
    ctx.headline(f"budget {trajectory}; raised {raised or 'nothing'}")
    same = capped.get("vs_uncapped", {})
    alone = ctx.result.get("too_large_alone", {})
    ctx.headline(
        f"vs uncapped max {same.get('max', float('nan')):.1e}; "
        f"too large alone: {alone.get('code') if alone.get('failed') else 'did not fail'}"
    )
