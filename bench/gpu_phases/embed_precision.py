"""embed_precision: the embed job's device path at each precision, its speed and its closeness to exact,
and whether a batch makes any host synchronisation while it is launched.

The clips: a sample of the throughput dataset (1-10 s, every accepted format), decoded beforehand into
page-locked memory as the job's I/O threads do. For each precision (exact = float32 with TF32 off, tf32,
bf16, fp16), with and without channels-last convolutions: the whole device path (copy in, resampling,
fbank, CMN, model, copy out: ``DevicePipeline.launch`` over batches of the job's largest budget) and the
model step alone, each timed once warm; every clip's cosine similarity to its exact embedding. The
recommended default is the fastest mode whose every clip keeps cosine >= 0.9999.

Synchronisations: the launches of exact run under ``torch.cuda.set_sync_debug_mode("warn")``, which warns
on every operation that makes the host wait for the GPU; then a profile of a few batches counts the CUDA
synchronisation calls, host-to-device copies, kernels and the GPU's busy share of the wall time. On the
CPU (rehearsal) only exact runs, with the same code.
"""

from __future__ import annotations

import random
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import torch
from embed_ceiling import synchronize

from gpu_phases.artifacts import dataset_paths, ensure
from gpu_phases.common import PhaseContext, rate
from gpu_phases.embedding import new_job
from localclip_worker.embedding.batching import split_by_frames
from localclip_worker.embedding.budget import CUDA_CAP_FRAMES
from localclip_worker.embedding.features import Audio, read_audio
from localclip_worker.embedding.pipeline import Precision

COSINE_BAR = 0.9999
CLIPS, QUICK_CLIPS = 1500, 24
PROFILE_BATCHES = 6
CPU_BATCH_FRAMES = 4000  # the rehearsal's batches: masked, as a GPU's, but small


def run(ctx: PhaseContext) -> None:
    model = ensure("wespeaker", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    folder = ensure("dataset", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    paths = dataset_paths(folder)
    random.Random(2).shuffle(paths)
    paths = paths[: QUICK_CLIPS if ctx.quick else CLIPS]
    with ThreadPoolExecutor(max_workers=ctx.cores) as pool:
        clips = list(pool.map(lambda p: read_audio(p, pin=ctx.cuda), paths))
    frames = CUDA_CAP_FRAMES if ctx.cuda else CPU_BATCH_FRAMES
    order = sorted(range(len(clips)), key=lambda i: clips[i].frames)
    groups = split_by_frames([clips[i].frames for i in order], frames)
    batches = [[clips[order[i]] for i in group] for group in groups]
    audio = sum(clip.duration_s for clip in clips)
    ctx.result["workload"] = {"clips": len(clips), "audio_seconds": round(audio, 1), "batches": len(batches)}
    modes = [(p, cl) for p in Precision for cl in (False, True)] if ctx.cuda else [(Precision.EXACT, False)]
    exact: dict[int, np.ndarray] = {}
    rows: dict[str, Any] = ctx.result.setdefault("modes", {})
    for precision, channels_last in modes:
        label = precision.value + (" channels_last" if channels_last else "")
        if ctx.time_left() < 8:
            rows[label] = {"skipped": f"{ctx.time_left():.0f} s left"}
            continue
        with ctx.step(label):
            rows[label] = measure(ctx, model, batches, audio, precision, channels_last, exact)
    with ctx.step("syncs"):
        ctx.result["syncs"] = synchronisations(ctx, model, batches)
    recommend(ctx)


def measure(
    ctx: PhaseContext,
    model: Path,
    batches: list[list[Audio]],
    audio: float,
    precision: Precision,
    channels_last: bool,
    exact: dict[int, np.ndarray],
) -> dict[str, Any]:
    params = {"precision": precision.value, "channels_last": channels_last, "batch_frames": CUDA_CAP_FRAMES}
    job, _, facts = new_job(model, ctx.device, **params)
    pipeline = job._pipeline
    assert pipeline is not None
    clips = sum(len(batch) for batch in batches)
    embeddings = [pipeline.launch(batch) for batch in batches[-2:]]  # warm-up with the longest clips
    synchronize(ctx.device)
    started = time.perf_counter()
    pending = [pipeline.launch(batch) for batch in batches]
    vectors = {}
    for batch, launched in zip(batches, pending, strict=True):
        rows = launched.wait().numpy()
        for k, index in enumerate(launched.order):
            vectors[id(batch[index])] = rows[k].copy()
    device_path = time.perf_counter() - started
    features = [pipeline.features(batch) for batch in batches]  # computed beforehand: the model alone
    synchronize(ctx.device)
    started = time.perf_counter()
    for batch in features:
        pipeline.forward(batch)
    synchronize(ctx.device)
    model_only = time.perf_counter() - started
    del embeddings, features
    entry: dict[str, Any] = {
        "ready": {k: facts.get(k) for k in ("precision", "forward", "grouping", "device")},
        "device_path_s": round(device_path, 4),
        "device_path_clips_per_s": rate(clips, device_path),
        "device_path_audio_s_per_s": rate(audio, device_path),
        "model_only_s": round(model_only, 4),
        "model_only_clips_per_s": rate(clips, model_only),
    }
    if precision is Precision.EXACT and not channels_last:
        exact.update(vectors)
    if exact:
        cosines = np.array([cosine(vectors[key], exact[key]) for key in exact if key in vectors])
        entry["cosine_to_exact"] = {
            "min": float(cosines.min()),
            "p01": float(np.quantile(cosines, 0.01)),
            "median": float(np.median(cosines)),
            "clips": len(cosines),
            "pass": bool(cosines.min() >= COSINE_BAR),
        }
    if ctx.cuda:
        entry["peak_allocated_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
        torch.cuda.reset_peak_memory_stats()
    return entry


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def synchronisations(ctx: PhaseContext, model: Path, batches: list[list[Audio]]) -> dict[str, Any]:
    """Host waits while launching (sync debug mode), then a profile of a few batches."""
    job, _, _ = new_job(model, ctx.device, batch_frames=CUDA_CAP_FRAMES)
    pipeline = job._pipeline
    assert pipeline is not None
    sample = batches[len(batches) // 2 :][:PROFILE_BATCHES]
    out: dict[str, Any] = {"batches": len(sample)}
    pending = [pipeline.launch(batch) for batch in sample]  # warm
    for launched in pending:
        launched.wait()
    if ctx.cuda:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn")
            try:
                pending = [pipeline.launch(batch) for batch in sample]
            finally:
                torch.cuda.set_sync_debug_mode("default")
        for launched in pending:
            launched.wait()
        out["sync_warnings_while_launching"] = len(caught)
        out["sync_warning_heads"] = sorted({str(w.message).splitlines()[0][:160] for w in caught})[:5]
    activities = [torch.profiler.ProfilerActivity.CPU]
    if ctx.cuda:
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    synchronize(ctx.device)
    started = time.perf_counter()
    with torch.profiler.profile(activities=activities) as profile:
        pending = [pipeline.launch(batch) for batch in sample]
        for launched in pending:
            launched.wait()
    wall = time.perf_counter() - started
    out |= profile_summary(profile, wall, len(sample))
    return out


def profile_summary(profile: Any, wall: float, batches: int) -> dict[str, Any]:
    names: dict[str, int] = {}
    kernel_us = 0.0
    kernels = 0
    for event in profile.events():
        name = event.name
        if "Synchronize" in name or name in ("cudaMemcpy", "cudaStreamWaitEvent", "cudaMemcpyAsync"):
            names[name] = names.get(name, 0) + 1
        if getattr(event, "device_type", None) == torch.autograd.DeviceType.CUDA:
            kernels += 1
            kernel_us += getattr(event, "device_time", 0.0) or 0.0
    return {
        "profile_wall_s": round(wall, 4),
        "cuda_calls": names,
        "device_events": kernels,
        "device_events_per_batch": round(kernels / max(1, batches), 1),
        "device_busy_share": round(kernel_us / 1e6 / wall, 3) if wall > 0 else None,
    }


def recommend(ctx: PhaseContext) -> None:
    rows = ctx.result.get("modes", {})
    passing = [
        (row["device_path_clips_per_s"] or 0, label)
        for label, row in rows.items()
        if row.get("cosine_to_exact", {}).get("pass") and row.get("device_path_clips_per_s")
    ]
    best = max(passing)[1] if passing else "exact"
    ctx.result["recommended"] = best
    parts = [
        f"{label} {row.get('device_path_clips_per_s')} clips/s (model {row.get('model_only_clips_per_s')}, "
        f"cos min {row.get('cosine_to_exact', {}).get('min', float('nan')):.6f})"
        for label, row in rows.items()
        if "device_path_clips_per_s" in row
    ]
    for start in range(0, len(parts), 3):
        ctx.headline("; ".join(parts[start : start + 3]))
    syncs = ctx.result.get("syncs", {})
    ctx.headline(
        f"recommended {best}; sync warnings while launching {syncs.get('sync_warnings_while_launching')}; "
        f"GPU busy {syncs.get('device_busy_share')}; calls {syncs.get('cuda_calls')}"
    )
