"""embed_correct: do LocalClip's batched embeddings equal WeSpeaker's per-file ones on the GPU?

Clips of 9 frames (0.105 s) to 15 s in every accepted format, through LocalClip's ``embed`` job in this
process (decoding, features, masked batches: the worker's own code). The reference is WeSpeaker's own
per-file extraction (gpu_phases/oracles.py) on the same device from the same int16-scale samples. On CUDA
three modes: TF32 as the job leaves it after its set-up (``default``: the bar, 1e-4 of the norm), all off,
all on; each against WeSpeaker per file under the same settings, and against WeSpeaker on the CPU (the
float32 oracle). WeSpeaker's ``Speaker`` turns ``cudnn.benchmark`` on for the whole process; the job runs
with it off, as in a worker. On the CPU: the job's default (one clip per pass) and its masked batches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from gpu_phases.artifacts import ensure
from gpu_phases.common import PhaseContext, difference_summary, relative_differences
from gpu_phases.embedding import (
    SHORTEST_SECONDS,
    items_for,
    new_job,
    run_job,
    set_tf32,
    tf32_flags,
    write_clips,
)
from gpu_phases.oracles import torch_compat, wespeaker_embedding, wespeaker_speaker
from localclip_worker.embedding.budget import CUDA_START_FRAMES
from localclip_worker.embedding.features import load_clip

BAR = 1e-4  # of the embedding's norm, for the default mode
SECONDS = (SHORTEST_SECONDS, 0.2, 0.5, 1.0, 2.0, 3.3, 5.0, 7.7, 10.0, 12.5, 15.0)
QUICK_SECONDS = (SHORTEST_SECONDS, 0.5, 2.0, 5.0)


def run(ctx: PhaseContext) -> None:
    with ctx.step("torch_compat"):
        ctx.result["torch_compat"] = torch_compat()
    model = ensure("wespeaker", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    paths = write_clips(ctx.work / "correct-clips", QUICK_SECONDS if ctx.quick else SECONDS)
    ctx.result["clips"] = [{"file": p.name, "frames": load_clip(p).frames} for p in paths]
    references: dict[str, list[np.ndarray]] = {}
    with ctx.step("wespeaker_cpu"):
        references["cpu"] = per_file(wespeaker_speaker(model, "cpu"), paths)
    speaker = None
    if ctx.cuda:
        with ctx.step("wespeaker_gpu_load"):
            speaker = wespeaker_speaker(model, "cuda")
    torch.backends.cudnn.benchmark = False  # as in a worker (WeSpeaker's Speaker turned it on)
    job, params, facts = new_job(model, ctx.device)
    ctx.result["job"] = {"ready": facts, "tf32_after_setup": tf32_flags()}
    for mode, extra, tf32 in modes(ctx):
        with ctx.step(mode):
            ctx.result.setdefault("modes", {})[mode] = compare(
                ctx, job, {**params, **extra}, paths, tf32, speaker, references["cpu"], mode == "default"
            )
    summarise(ctx)


def modes(ctx: PhaseContext) -> list[tuple[str, dict[str, Any], bool | None]]:
    """(name, extra job params, TF32 on/off or None: as the job left it)."""
    if ctx.cuda:
        return [("default", {}, None), ("tf32_off", {}, False), ("tf32_on", {}, True)]
    # CPU: no TF32; the job's CPU default, then its masked batches (the path a GPU takes)
    return [("default", {}, None), ("batched", {"batch_frames": CUDA_START_FRAMES}, None)]


def per_file(speaker: Any, paths: list[Path]) -> list[np.ndarray]:
    return [wespeaker_embedding(speaker, path) for path in paths]


def compare(
    ctx: PhaseContext,
    job: Any,
    params: dict[str, Any],
    paths: list[Path],
    tf32: bool | None,
    speaker: Any,
    cpu_reference: list[np.ndarray],
    with_bar: bool,
) -> dict[str, Any]:
    if tf32 is not None:
        set_tf32(tf32)
    elif ctx.cuda:
        set_tf32_as(ctx.result["job"]["tf32_after_setup"])
    entry: dict[str, Any] = {"tf32_set": tf32_flags()}
    reference = cpu_reference
    if speaker is not None:  # WeSpeaker per file on the GPU, as WeSpeaker leaves cuDNN (benchmark on)
        torch.backends.cudnn.benchmark = True
        reference = per_file(speaker, paths)
        torch.backends.cudnn.benchmark = False
    items = items_for(paths)
    embeddings, failures = run_job(job, items, params)
    entry["tf32_after_run"] = tf32_flags()  # a job that sets its own flags shows here
    if failures:
        entry["failures"] = {item_id: f"{type(e).__name__}: {e}" for item_id, e in failures.items()}
        return entry
    ours = [embeddings[item["id"]] for item in items]
    entry["bar_applies"] = with_bar  # the bar is for the default mode; the others are for the record
    entry["vs_wespeaker_same_device"] = difference_summary(ours, reference, BAR)
    if ctx.cuda:
        entry["vs_wespeaker_cpu"] = difference_summary(ours, cpu_reference)
        entry["wespeaker_gpu_vs_cpu"] = difference_summary(reference, cpu_reference)
    entry["per_clip"] = {
        path.name: float(f"{difference:.3g}")
        for path, difference in zip(paths, relative_differences(ours, reference), strict=True)
    }
    return entry


def set_tf32_as(flags: dict[str, Any]) -> None:
    torch.backends.cuda.matmul.allow_tf32 = bool(flags.get("matmul", False))
    torch.backends.cudnn.allow_tf32 = bool(flags.get("cudnn", True))


def summarise(ctx: PhaseContext) -> None:
    parts = []
    for mode, entry in ctx.result.get("modes", {}).items():
        same = entry.get("vs_wespeaker_same_device")
        if same is None:
            parts.append(f"{mode}: failed")
            continue
        verdict = f" ({'pass' if same['pass'] else 'FAIL'} at {BAR:g})" if entry["bar_applies"] else ""
        parts.append(f"{mode} max {same['max']:.1e} med {same['median']:.1e}{verdict}")
    ctx.headline("vs WeSpeaker per file: " + "; ".join(parts))
