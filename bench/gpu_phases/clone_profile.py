"""clone_profile: what one decode step of the clone worker's batched decoder costs the host.

The clone job set up in this process as a worker sets it up (S1-mini-sized, or tiny with ``--quick``), its
speaker prompt encoded; then, over the job's model, a ``BatchDecoder`` of 1 and of 16 rows (quick: 1 and
2), eager and (on CUDA) replaying the step captured in CUDA graphs. Every row is started (prefill, outside
the profile) and stepped a few times to warm up, then a run of decode steps goes under torch.profiler.
Counted per step and per generated token: CUDA kernel launches (runtime calls; graph launches apart) and
kernels run, host synchronisations (stream, device and event syncs), memory copies (calls, and
device-to-host copies run), ATen ops, and the commonest ATen ops. An eager step synchronises once per
sampled codebook (top-p's host check) and once to read its tokens; a replayed graph should leave only that
last one. Also each configuration's tokens/s without the profiler.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import torch
from torch.profiler import ProfilerActivity, profile

from gpu_phases.artifacts import ensure, fish_size
from gpu_phases.clone_batched import (
    busy_rows,
    drop_decoder,
    new_decoder,
    release,
    set_up,
    start_rows,
)
from gpu_phases.common import PhaseContext, rate, skipped
from localclip_worker.cloning.decoder import BatchDecoder
from localclip_worker.cloning.models import LoadedModels

ROWS, QUICK_ROWS = (1, 16), (1, 2)
WARM_STEPS = 4
PROFILED_STEPS, QUICK_PROFILED_STEPS = 16, 8
TIMED_STEPS, QUICK_TIMED_STEPS = 64, 16
MIN_CONFIG_SECONDS = 4.0
LAUNCHES = ("cudaLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernel", "cuLaunchKernelEx")
GRAPH_LAUNCHES = ("cudaGraphLaunch", "cuGraphLaunch")
SYNCS = ("cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize")
MEMCPY = ("cudaMemcpyAsync", "cudaMemcpy")
CUDA_FIGURES = ("kernel_launches", "graph_launches", "kernels_run", "syncs", "memcpy_calls", "device_to_host")
TOP_OPS = 12


def run(ctx: PhaseContext) -> None:
    size = fish_size(ctx.device, ctx.quick)
    checkpoint = ensure(f"fish-{size}", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    ctx.result["model"] = size
    # One eager row: setting up the worker's own full-length decoder and graphs is clone_batched's matter.
    job, prompt = set_up(ctx, checkpoint, {"rows": 1, "cuda_graphs": False})
    models = job._models
    assert models is not None
    drop_decoder(job)
    configs: dict[str, Any] = ctx.result.setdefault("configs", {})
    for rows in QUICK_ROWS if ctx.quick else ROWS:
        for graphs in (False, True):
            name = f"{rows}_{'graphs' if graphs else 'eager'}"
            if graphs and not ctx.cuda:
                configs[name] = skipped("CUDA graphs: CUDA only")
            elif ctx.time_left() < MIN_CONFIG_SECONDS:
                configs[name] = skipped(f"{ctx.time_left():.0f} s left")
            else:
                with ctx.step(f"rows_{name}"):
                    configs[name] = configuration(ctx, models, prompt, rows, graphs)
    summarise(ctx)


def configuration(
    ctx: PhaseContext, models: LoadedModels, prompt: torch.Tensor, rows: int, graphs: bool
) -> dict[str, Any]:
    profiled = QUICK_PROFILED_STEPS if ctx.quick else PROFILED_STEPS
    timed = QUICK_TIMED_STEPS if ctx.quick else TIMED_STEPS
    tokens = WARM_STEPS + profiled + timed + 2  # no row reaches its limit while measured
    decoder, captured = new_decoder(models, rows, graphs, prompt.shape[1] + tokens + 1)
    entry: dict[str, Any] = {"rows": rows, "cuda_graphs": decoder.graphs is not None}
    if graphs:
        entry |= {"capture_s": round(captured, 3), "graph_error": decoder.graph_error}
    start_rows(decoder, [prompt] * rows, list(range(1, rows + 1)), tokens)
    advance(decoder, WARM_STEPS)
    entry["per_step"], entry["per_token"] = profiled_steps(ctx, decoder, profiled)
    started = time.perf_counter()
    steps, made = advance(decoder, timed)
    elapsed = time.perf_counter() - started
    entry["unprofiled"] = {
        "steps": steps,
        "tokens": made,
        "seconds": round(elapsed, 3),
        "steps_per_s": rate(steps, elapsed),
        "tokens_per_s": rate(made, elapsed),
    }
    for row in busy_rows(decoder):
        decoder.stop(row)
    del decoder
    release()
    return entry


def advance(decoder: BatchDecoder, steps: int) -> tuple[int, int]:
    """Up to ``steps`` decode steps (fewer if every row ended): the steps done and the tokens they made
    (a random model may sample a row's end token early)."""
    done = made = 0
    while done < steps and decoder.busy():
        made += len(busy_rows(decoder))
        decoder.step()  # reads its tokens on the host: each step ends synchronised
        done += 1
    return done, made


def profiled_steps(
    ctx: PhaseContext, decoder: BatchDecoder, steps: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    activities = [ProfilerActivity.CPU, *([ProfilerActivity.CUDA] if ctx.cuda else [])]
    with profile(activities=activities) as profiler:
        done, made = advance(decoder, steps)
    if not done:
        problem = {"problem": "every row ended before the profile"}
        return problem, problem
    totals = counts(profiler)
    per_step = figures(ctx, totals, done) | {"steps": done}
    per_token = figures(ctx, totals, made) | {"tokens": made}
    return per_step, per_token


def figures(ctx: PhaseContext, totals: Counter[str], per: int) -> dict[str, Any]:
    result: dict[str, Any] = {"aten_ops": round(totals["aten_ops"] / per, 1)}
    for key in CUDA_FIGURES:
        result[key] = round(totals[key] / per, 2) if ctx.cuda else skipped("no CUDA events on the CPU")
    ops = Counter({k.removeprefix("op:"): v for k, v in totals.items() if k.startswith("op:")})
    result["top_aten_ops"] = {name: round(count / per, 1) for name, count in ops.most_common(TOP_OPS)}
    result["syncs_by_kind"] = {
        k.removeprefix("sync:"): round(v / per, 2) for k, v in totals.items() if k.startswith("sync:")
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
        elif name in GRAPH_LAUNCHES:
            found["graph_launches"] += count
        elif name in SYNCS:
            found["syncs"] += count
            found[f"sync:{name}"] += count
        elif name in MEMCPY:
            found["memcpy_calls"] += count
        elif "Memcpy DtoH" in name:
            found["device_to_host"] += count
        elif getattr(event, "device_type", None) == torch.autograd.DeviceType.CUDA and "Mem" not in name:
            found["kernels_run"] += count
    return found


def summarise(ctx: PhaseContext) -> None:
    def figure(token: dict[str, Any], key: str) -> Any:
        value = token.get(key)
        return "-" if isinstance(value, dict) or value is None else value

    for name, entry in ctx.result.get("configs", {}).items():
        if "per_step" not in entry:
            continue
        step = entry["per_step"]
        ctx.headline(
            f"{ctx.result.get('model')} {name} per step: {figure(step, 'kernel_launches')} launches, "
            f"{figure(step, 'graph_launches')} graphs, {figure(step, 'syncs')} syncs, "
            f"{figure(step, 'device_to_host')} D2H, {figure(step, 'aten_ops')} ATen ops; "
            f"{entry['unprofiled'].get('tokens_per_s')} tok/s unprofiled"
        )
