"""clone_profile: what each generated token costs one clone worker's host: kernels, syncs, ATen ops.

The clone job set up in this process as a worker sets it up (S1-mini-sized, or tiny with ``--quick``), its
speaker prompt encoded, then fish-speech's ``generate_long`` as the job calls it, twice under
torch.profiler: a short and a longer generation, both seeded; the difference of their event counts over
the difference of their steps is the cost of one decode step, the prompt's prefill left out. Counted: CUDA
kernel launches (runtime calls and kernels run), host synchronisations (stream, device and event syncs),
memory copies (calls, and device-to-host copies run), ATen ops, and the commonest ATen ops per token.
Also the tokens/s of the same generation without the profiler.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch
from torch.profiler import ProfilerActivity, profile

from gpu_phases.artifacts import ensure, fish_size
from gpu_phases.clone_correct import reference_audio
from gpu_phases.clone_throughput import REFERENCE_TEXT, TEXT
from gpu_phases.common import PhaseContext, rate, skipped
from gpu_phases.workers import clone_plan_settings
from localclip.core.machine.plan import worker_threads
from localclip_worker.cloning.generate import Sampling, generate_codes
from localclip_worker.jobs import create_job
from localclip_worker.jobs.clone import CloneJob, Reference

SHORT_STEPS = 4
PROFILED_STEPS, QUICK_PROFILED_STEPS = 16, 8  # more than the short run
TIMED_STEPS, QUICK_TIMED_STEPS = 48, 16  # without the profiler, prompt included
TIMED_MIN_SECONDS = 8.0
LAUNCHES = ("cudaLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernel", "cuLaunchKernelEx")
SYNCS = ("cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize")
MEMCPY = ("cudaMemcpyAsync", "cudaMemcpy")
TOP_OPS = 12


def run(ctx: PhaseContext) -> None:
    size = fish_size(ctx.device, ctx.quick)
    checkpoint = ensure(f"fish-{size}", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    job, prompt = set_up(ctx, checkpoint, reference_audio(ctx.work / "reference"))
    ctx.result["model"] = size
    generate(job, prompt, SHORT_STEPS)  # warm-up: first kernels, allocator
    with ctx.step("profile"):
        ctx.result["per_token"] = per_token(ctx, job, prompt)
    if ctx.time_left() > TIMED_MIN_SECONDS:
        with ctx.step("timed"):
            steps = QUICK_TIMED_STEPS if ctx.quick else TIMED_STEPS
            started = time.perf_counter()
            made = generate(job, prompt, steps)
            elapsed = time.perf_counter() - started
            ctx.result["unprofiled"] = {
                "steps": made,
                "seconds": round(elapsed, 3),
                "tokens_per_s": rate(made, elapsed),
            }
    summarise(ctx)


def set_up(ctx: PhaseContext, checkpoint: Path, reference: Path) -> tuple[CloneJob, Any]:
    job = create_job("clone")
    assert isinstance(job, CloneJob)
    threads = worker_threads(ctx.device, 1, ctx.cores, clone_plan_settings()).torch
    params = {
        "checkpoint_dir": str(checkpoint),
        "device": ctx.device,
        "precision": "",
        "cpu_threads": threads,
    }
    ctx.result["ready"] = {k: v for k, v in job.setup(params).items() if not isinstance(v, list | dict)}
    return job, job._prompt((Reference(reference, REFERENCE_TEXT),)).prompt


def generate(job: CloneJob, prompt: Any, steps: int) -> int:
    """Generate ``steps`` tokens (fewer if the model ends the line) as the job does; the steps made."""
    assert job._models is not None
    torch.manual_seed(1)
    codes = generate_codes(job._models, TEXT, prompt, Sampling(max_new_tokens=steps))
    if job._models.device.type == "cuda":
        torch.cuda.synchronize()
    return int(codes.shape[1])


def per_token(ctx: PhaseContext, job: CloneJob, prompt: Any) -> dict[str, Any]:
    activities = [ProfilerActivity.CPU, *([ProfilerActivity.CUDA] if ctx.cuda else [])]
    runs = []
    for steps in (SHORT_STEPS, SHORT_STEPS + (QUICK_PROFILED_STEPS if ctx.quick else PROFILED_STEPS)):
        with profile(activities=activities) as profiler:
            made = generate(job, prompt, steps)
        runs.append((made, counts(profiler)))
    (short, few), (long, many) = runs
    if long <= short:
        return {"steps": [short, long], "problem": "the model ended the longer line as early as the shorter"}
    tokens = long - short
    totals: Counter[str] = Counter({k: many[k] - few.get(k, 0) for k in many})
    result: dict[str, Any] = {"steps": [short, long]}
    for key in (
        "aten_ops",
        "kernel_launches",
        "kernels_run",
        "syncs",
        "memcpy_calls",
        "device_to_host_copies",
    ):
        if key in ("aten_ops",) or ctx.cuda:
            result[key] = round(totals[key] / tokens, 1)
        else:
            result[key] = skipped("no CUDA events on the CPU")
    ops = Counter({k.removeprefix("op:"): v for k, v in totals.items() if k.startswith("op:")})
    result["top_aten_ops"] = {name: round(count / tokens, 1) for name, count in ops.most_common(TOP_OPS)}
    result["syncs_by_kind"] = {
        k.removeprefix("sync:"): round(v / tokens, 2) for k, v in totals.items() if k.startswith("sync:")
    }
    return result


def counts(profiler: Any) -> Counter[str]:
    """Event counts of one profiled run, by the kinds this phase reports."""
    found: Counter[str] = Counter()
    for event in profiler.key_averages():
        name, count = event.key, event.count
        if name.startswith("aten::"):
            found["aten_ops"] += count
            found[f"op:{name}"] += count
        elif name in LAUNCHES:
            found["kernel_launches"] += count
        elif name in SYNCS:
            found["syncs"] += count
            found[f"sync:{name}"] += count
        elif name in MEMCPY:
            found["memcpy_calls"] += count
        elif "Memcpy DtoH" in name:
            found["device_to_host_copies"] += count
        elif getattr(event, "device_type", None) == torch.autograd.DeviceType.CUDA and "Mem" not in name:
            found["kernels_run"] += count
    return found


def summarise(ctx: PhaseContext) -> None:
    token = ctx.result.get("per_token", {})
    unprofiled = ctx.result.get("unprofiled", {})

    def figure(key: str) -> Any:
        value = token.get(key)
        return "-" if isinstance(value, dict) or value is None else value

    ctx.headline(
        f"{ctx.result.get('model')} per token: {figure('kernel_launches')} launches, "
        f"{figure('syncs')} syncs, {figure('device_to_host_copies')} D2H, {figure('aten_ops')} ATen ops; "
        f"{unprofiled.get('tokens_per_s')} tok/s unprofiled"
    )
