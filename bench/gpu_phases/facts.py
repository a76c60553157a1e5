"""facts: the machine as torch and NVML see it, LocalClip's worker plans for it, and two raw speeds.

The plans are the app's own (``probe_gpus`` and ``plan_workers``) with the settings a new user has: the
embed plan settings of runs/setup.py and the clone plan's ``Settings.plan_settings()``, restated without
Qt (gpu_phases/workers.py). The matrix product (bf16, 8192^3) and the device copy are for the record: what
the GPU can do at best, to read the other phases' figures against.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict
from importlib import metadata
from typing import Any

import torch

from gpu_phases.common import PhaseContext, skipped
from gpu_phases.workers import clone_plan_settings, embed_plan_settings
from localclip.core.machine.gpus import probe_gpus
from localclip.core.machine.plan import NoUsableGpu, plan_workers, worker_threads
from localclip_worker.compat import support_message

GIB = 1024**3


def run(ctx: PhaseContext) -> None:
    with ctx.step("torch"):
        torch_facts(ctx, ctx.result.setdefault("torch", {}))
    with ctx.step("plans"):
        ctx.result["plans"] = plans()
    with ctx.step("matmul"):
        ctx.result["matmul"] = matmul_speed(ctx)
    with ctx.step("copy"):
        ctx.result["copy"] = copy_speed(ctx)
    summarise(ctx)


def torch_facts(ctx: PhaseContext, facts: dict[str, Any]) -> None:
    """Into ``facts`` (kept if the GPU part fails): torch's versions and defaults, then the GPU's."""
    facts |= {
        "torch": torch.__version__,
        "torchaudio": _version("torchaudio"),
        "cuda_build": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "cuda_available": torch.cuda.is_available(),
        "torch_threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "cpu_count": os.cpu_count(),
        # torch's own defaults, before any LocalClip job sets anything
        "tf32_matmul": torch.backends.cuda.matmul.allow_tf32,
        "tf32_cudnn": torch.backends.cudnn.allow_tf32,
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "cudnn_benchmark": torch.backends.cudnn.benchmark,
    }
    if not ctx.cuda:
        facts["gpu"] = skipped("--device cpu")
        return
    if not torch.cuda.is_available():
        raise RuntimeError("--device cuda, but torch sees no usable CUDA device")
    properties = torch.cuda.get_device_properties(0)
    capability = (properties.major, properties.minor)
    free, total = torch.cuda.mem_get_info(0)
    arch_list = torch.cuda.get_arch_list()
    facts["gpu"] = {
        "name": properties.name,
        "devices": torch.cuda.device_count(),
        "capability": f"{capability[0]}.{capability[1]}",
        "multiprocessors": properties.multi_processor_count,
        "total_gb": round(total / GIB, 2),
        "free_gb": round(free / GIB, 2),
        "arch_list": arch_list,
        "kernels_for_this_gpu": support_message(properties.name, capability, arch_list, torch.__version__)
        or "yes",
    }


def plans() -> dict[str, Any]:
    report = probe_gpus()
    cores = os.cpu_count() or 1
    result: dict[str, Any] = {
        "gpus": report.to_dict(),
        "settings_source": "the app's defaults, restated without Qt (bench/gpu_phases/workers.py)",
    }
    for kind, settings in (("embed", embed_plan_settings(cores)), ("clone", clone_plan_settings())):
        try:
            plan = plan_workers(report, settings, device="auto")  # the app's default device setting
        except NoUsableGpu as error:
            result[kind] = {"settings": asdict(settings), "error": str(error)}
            continue
        threads = worker_threads(plan.device, len(plan.slots), cores, settings)
        result[kind] = {
            "settings": asdict(settings),
            "device": plan.device,
            "workers": len(plan.slots),
            "explanation": list(plan.explanation),
            "threads_per_worker": asdict(threads),
        }
    return result


def matmul_speed(ctx: PhaseContext) -> dict[str, Any]:
    if ctx.cuda:
        size, dtype = (4096 if ctx.quick else 8192), torch.bfloat16
    else:
        size, dtype = (512 if ctx.quick else 1024), torch.float32
    device = torch.device(ctx.device)
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    seconds, count = _timed(lambda: a @ b, ctx, 0.3 if ctx.quick else 1.5)
    return {
        "shape": f"{size}^3",
        "dtype": str(dtype).removeprefix("torch."),
        "products": count,
        "tflops": round(2 * size**3 * count / seconds / 1e12, 2),
    }


def copy_speed(ctx: PhaseContext) -> dict[str, Any]:
    size = (256 if ctx.quick or not ctx.cuda else 2048) * 2**20
    device = torch.device(ctx.device)
    source = torch.empty(size, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)
    seconds, count = _timed(lambda: target.copy_(source), ctx, 0.3 if ctx.quick else 1.0)
    result: dict[str, Any] = {
        "bytes_per_copy": size,
        # a copy reads and writes every byte
        "device_copy_gb_per_s": round(2 * size * count / seconds / 1e9, 1),
    }
    if ctx.cuda:
        pinned = torch.empty(size, dtype=torch.uint8).pin_memory()
        seconds, count = _timed(lambda: source.copy_(pinned, non_blocking=True), ctx, 0.5)
        result["host_to_device_gb_per_s"] = round(size * count / seconds / 1e9, 1)
    else:
        result["host_to_device_gb_per_s"] = skipped("no GPU on --device cpu")
    return result


def _timed(work: Any, ctx: PhaseContext, at_least: float) -> tuple[float, int]:
    """Seconds and repetitions of ``work`` for at least ``at_least`` s, after warm-up, GPU-synchronised."""
    for _ in range(3):
        work()
    _synchronize(ctx)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < at_least:
        for _ in range(10):
            work()
        count += 10
        _synchronize(ctx)
    return time.perf_counter() - started, count


def _synchronize(ctx: PhaseContext) -> None:
    if ctx.cuda:
        torch.cuda.synchronize()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def summarise(ctx: PhaseContext) -> None:
    facts = ctx.result.get("torch", {})
    gpu = facts.get("gpu", {})
    name = gpu.get("name", "no GPU") if "skipped" not in gpu else "CPU"
    ctx.headline(
        f"{name}, torch {facts.get('torch')} (CUDA {facts.get('cuda_build')}, cuDNN {facts.get('cudnn')})"
    )
    plans_ = ctx.result.get("plans", {})
    line = [
        f"{kind} plan: {plan.get('workers')} x {plan.get('device')}"
        for kind in ("embed", "clone")
        if (plan := plans_.get(kind)) and "workers" in plan
    ]
    matmul, copy = ctx.result.get("matmul", {}), ctx.result.get("copy", {})
    line.append(
        f"{matmul.get('tflops')} TFLOP/s {matmul.get('dtype')}, copy {copy.get('device_copy_gb_per_s')} GB/s"
    )
    ctx.headline("; ".join(line))
