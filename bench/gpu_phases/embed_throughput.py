"""embed_throughput: speaker embeddings per second on this GPU, three ways, on one generated dataset.

The dataset: a few thousand mixed-format clips of 1-10 s (bench/embed.py's workload, gpu_phases/artifacts)
and a real-size ResNet34 of random weights (the compute of a trained one).

- **LocalClip** through the Qt-free driver with 1, 2 and 4 workers on the GPU, set up as the app sets them
  up (threads, params, jobs of 256 clips: gpu_phases/workers.py): clips/s from launch and steady (first
  ``ready`` to last result), audio seconds per second, the workers' ``ready`` facts and the CPU cores each
  used. GPU use and each worker's GPU memory come from the parent's NVML samples of the configuration.
- **ceiling**: features computed beforehand, then LocalClip's forward step alone at its starting and its
  largest batch budget (bench/embed_ceiling.py's passes), CUDA-synchronised; and the plain WeSpeaker module
  on the same zero-padded batches (no masking: an upper bound).
- **naive**: WeSpeaker's ``Speaker`` per file with the model on the GPU, on a random subset for a fixed time.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import soundfile
import torch
from embed_ceiling import padded_frames, passes, synchronize  # bench/: the ceiling's batching
from torch.nn.utils.rnn import pad_sequence

from gpu_phases.artifacts import build_facts, dataset_paths, ensure
from gpu_phases.common import PhaseContext, rate, skipped
from gpu_phases.embedding import new_job
from gpu_phases.oracles import torch_compat, wespeaker_file, wespeaker_speaker
from gpu_phases.workers import (
    Recorder,
    embed_clips_per_job,
    embed_params,
    embed_threads,
    launches,
    run_timed,
    thread_env,
)
from localclip.pool.driver import WorkerDriver
from localclip.pool.engine import PoolOptions
from localclip_worker.embedding.budget import CUDA_CAP_FRAMES, CUDA_START_FRAMES
from localclip_worker.embedding.features import load_clip

WORKERS, QUICK_WORKERS = (1, 2, 4), (1, 2)
NAIVE_SECONDS, QUICK_NAIVE_SECONDS = 20.0, 5.0  # the naive loop's time box
CEILING_CLIPS, QUICK_CEILING_CLIPS = 800, 6
MIN_CONFIG_SECONDS = 15.0  # a LocalClip configuration is not started with less time left
REPEAT = 5  # GPU: the dataset's files, each listed this many times


def run(ctx: PhaseContext) -> None:
    with ctx.step("torch_compat"):
        ctx.result["torch_compat"] = torch_compat()
    model = ensure("wespeaker", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    folder = ensure("dataset", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    paths = dataset_paths(folder)
    seconds = {path: soundfile.info(str(path)).duration for path in paths}
    ctx.result["workload"] = {
        "clips": len(paths),
        "audio_seconds": round(sum(seconds.values()), 1),
        "formats": sorted({f"{p.suffix} {soundfile.info(str(p)).subtype}" for p in paths[:50]}),
        "dataset_build": build_facts(folder),
    }
    counts = QUICK_WORKERS if ctx.quick else WORKERS
    rows: dict[str, Any] = ctx.result.setdefault("rows", {})
    for count in counts:  # one worker first: the figure that matters most if time runs short
        if count == counts[1]:
            with ctx.step("ceiling"):
                rows |= ceiling(ctx, model, paths, seconds)
            with ctx.step("naive"):
                rows["naive"] = naive(ctx, model, paths, seconds)
            if ctx.cuda:  # this process's cached blocks back to the GPU before the workers run again
                torch.cuda.empty_cache()
        with ctx.step(f"localclip_{count}"):
            rows[f"localclip {count}"] = localclip(ctx, model, paths, seconds, count)
    ratios(ctx)


def localclip(
    ctx: PhaseContext, model: Path, paths: list[Path], seconds: dict[Path, float], count: int
) -> dict:
    if ctx.time_left() < MIN_CONFIG_SECONDS:
        return skipped(f"{ctx.time_left():.0f} s left")
    threads = embed_threads(ctx.device, count, ctx.cores)
    params = embed_params(model, ctx.device, threads)
    # On a GPU each file is listed REPEAT times (distinct ids; the page cache holds the files): a few thousand
    # clips are under a second of work there, too little against the workers' start.
    repeat = REPEAT if ctx.cuda and not ctx.quick else 1
    items = [{"id": str(n), "path": str(paths[n % len(paths)])} for n in range(len(paths) * repeat)]
    per_job = embed_clips_per_job(ctx.device, len(items), count)
    recorder = Recorder()
    with ctx.segment(f"localclip {count} worker(s)") as segment:
        worker_launches = launches(count, ctx.device, thread_env(threads))
        with WorkerDriver(worker_launches, PoolOptions(items_per_job=per_job), listener=recorder) as driver:
            segment["pids"] = {f"worker {w}": pid for w, pid in driver.pids().items()}
            timed = run_timed(driver, "embed", items, params, ctx.time_left() - 5)
    done_at = [t for t, _, _ in recorder.done]
    audio = sum(seconds[paths[int(item) % len(paths)]] for _, _, item in recorder.done)
    first_ready = min((facts["at"] for facts in recorder.ready.values()), default=recorder.launched)
    from_launch = (max(done_at) - recorder.launched) if done_at else 0.0
    steady = (max(done_at) - first_ready) if done_at else 0.0
    return {
        "workers": count,
        "threads_per_worker": asdict(threads),
        "params": {k: v for k, v in params.items() if k != "model_dir"},
        "clips_per_job": per_job,
        "done": len(done_at),
        "failed": recorder.failures(),
        "timed_out": timed["timed_out"],
        "seconds_from_launch": round(from_launch, 2),
        "seconds_steady": round(steady, 2),
        "clips_per_s": rate(len(done_at), from_launch),
        "steady_clips_per_s": rate(len(done_at), steady),
        "audio_s_per_s": rate(audio, from_launch),
        "steady_audio_s_per_s": rate(audio, steady),
        "ready": recorder.ready_facts(),
        "cpu": timed["cpu"],
        "problems": recorder.problems[:5],
    }


def ceiling(ctx: PhaseContext, model: Path, paths: list[Path], seconds: dict[Path, float]) -> dict[str, Any]:
    sample = random.Random(0).sample(
        paths, min(len(paths), QUICK_CEILING_CLIPS if ctx.quick else CEILING_CLIPS)
    )
    with ThreadPoolExecutor(max_workers=ctx.cores) as pool:  # decoding and fbank release the GIL
        features = list(pool.map(lambda path: load_clip(path).features, sample))
    features = [f.to(ctx.device) for f in features]  # the ceiling is the model step alone
    audio = sum(seconds[path] for path in sample)
    job, _, facts = new_job(model, ctx.device)
    budgets = (CUDA_START_FRAMES, CUDA_CAP_FRAMES) if ctx.cuda else (CUDA_CAP_FRAMES,)
    rows = {}
    for budget in budgets:
        batches = passes(features, ctx.device, budget)
        label = f"ceiling {budget} frames" if ctx.cuda else "ceiling one clip a pass"
        rows[label] = timed_passes(ctx, job.forward_step, batches, audio)
    if ctx.cuda:  # WeSpeaker's module on the same batches, zero-padded without masks
        model_module, device = job.model, torch.device(ctx.device)

        def eager(batch: list[torch.Tensor]) -> torch.Tensor:
            with torch.inference_mode():
                return model_module(pad_sequence(batch, batch_first=True).to(device))[-1]

        batches = passes(features, ctx.device, CUDA_CAP_FRAMES)
        rows[f"ceiling eager module {CUDA_CAP_FRAMES} frames"] = timed_passes(ctx, eager, batches, audio)
    for row in rows.values():
        row |= {
            "clips": len(sample),
            "audio_seconds": round(audio, 1),
            "torch_threads": torch.get_num_threads(),
        }
    rows["ceiling_setup"] = {"ready": {k: v for k, v in facts.items() if k != "memory_bytes"}}
    return rows


def timed_passes(ctx: PhaseContext, forward: Any, batches: list[list[torch.Tensor]], audio: float) -> dict:
    forward(max(batches, key=padded_frames))  # warm-up with the largest: the memory cache is then filled
    synchronize(ctx.device)
    started = time.perf_counter()
    for batch in batches:
        forward(batch)
    synchronize(ctx.device)
    elapsed = time.perf_counter() - started
    clips = sum(len(batch) for batch in batches)
    return {
        "passes": len(batches),
        "padded_frames": sum(padded_frames(batch) for batch in batches),
        "seconds": round(elapsed, 3),
        "clips_per_s": rate(clips, elapsed),
        "audio_s_per_s": rate(audio, elapsed),
    }


def naive(ctx: PhaseContext, model: Path, paths: list[Path], seconds: dict[Path, float]) -> dict[str, Any]:
    """WeSpeaker per file (model on the device), a random subset for a fixed time; load not timed."""
    load_started = time.perf_counter()
    speaker = wespeaker_speaker(model, ctx.device)
    load_seconds = time.perf_counter() - load_started
    box = min(QUICK_NAIVE_SECONDS if ctx.quick else NAIVE_SECONDS, max(1.0, ctx.time_left() / 4))
    order = random.Random(1).sample(paths, len(paths))
    done, audio, fallbacks = 0, 0.0, 0
    started = time.perf_counter()
    for path in order:
        _, fell_back = wespeaker_file(speaker, path)
        done, audio, fallbacks = done + 1, audio + seconds[path], fallbacks + fell_back
        if time.perf_counter() - started > box:
            break
    elapsed = time.perf_counter() - started
    return {
        "clips": done,
        "audio_seconds": round(audio, 1),
        "seconds": round(elapsed, 3),
        "clips_per_s": rate(done, elapsed),
        "audio_s_per_s": rate(audio, elapsed),
        "load_seconds": round(load_seconds, 2),
        "torch_threads": torch.get_num_threads(),  # as WeSpeaker leaves it (silero-vad sets one)
        "torchaudio_fallbacks": fallbacks,  # files torchaudio.load could not read: samples via soundfile
        "device": ctx.device,
    }


def ratios(ctx: PhaseContext) -> None:
    rows = ctx.result.get("rows", {})
    naive_rate = rows.get("naive", {}).get("audio_s_per_s")
    ceiling_key = f"ceiling {CUDA_CAP_FRAMES} frames" if ctx.cuda else "ceiling one clip a pass"
    ceiling_rate = rows.get(ceiling_key, {}).get("audio_s_per_s")
    parts = []
    for label, row in rows.items():
        if not label.startswith("localclip") or "steady_audio_s_per_s" not in row:
            continue
        if naive_rate:
            row["vs_naive"] = round(row["audio_s_per_s"] / naive_rate, 2)
            row["steady_vs_naive"] = round(row["steady_audio_s_per_s"] / naive_rate, 2)
        if ceiling_rate:
            row["vs_ceiling"] = round(row["audio_s_per_s"] / ceiling_rate, 2)
            row["steady_vs_ceiling"] = round(row["steady_audio_s_per_s"] / ceiling_rate, 2)
        parts.append(
            f"{row['workers']}w {row['clips_per_s']} clips/s ({row['steady_clips_per_s']} steady, "
            f"{row.get('steady_vs_naive')}x naive, {row.get('steady_vs_ceiling')}x ceiling)"
        )
    ctx.headline("; ".join(parts[:2]) or "no LocalClip figures")
    if parts[2:]:
        ctx.headline("; ".join(parts[2:]))
    ctx.headline(
        f"naive {rows.get('naive', {}).get('clips_per_s')} clips/s; "
        f"ceiling {rows.get(ceiling_key, {}).get('clips_per_s')} clips/s ({ceiling_key})"
    )
