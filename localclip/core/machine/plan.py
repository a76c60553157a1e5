"""How many workers to start and where: sized from each GPU's free memory, with a CPU fallback.

Sizes are in GiB but printed as "GB", the way Windows shows them to users.
"""

import math
from dataclasses import asdict, dataclass
from typing import Any

from localclip.core.machine.gpus import GpuInfo, GpuReport
from localclip.core.messages import Message, joined

GIB = 1024**3
DEVICES = ("auto", "cuda", "cpu")
# CPU threads of a GPU worker: the GPU does the model's math, so torch's intra-op threads only launch kernels
# and run small host-side steps (a few are enough), and the rest of the worker's share of the cores decodes
# audio (embedding). Reasoned defaults, not measured: the GPU measurement (bench/gpu_check.py) decides them.
GPU_TORCH_THREADS = 4  # the most torch threads a GPU worker gets
GPU_IO_THREADS = 0  # decoding threads of a GPU embedding worker; 0: its whole share of the cores


class NoUsableGpu(ValueError):
    """The device is set to cuda, but no GPU has room for a worker."""


@dataclass(frozen=True)
class PlanSettings:
    memory_per_worker_gb: float = 8.0  # seeds' FISH_MODEL_MEMORY_GB default
    reserve_fraction: float = 0.10  # of each GPU's total memory, kept free for the desktop and other apps
    max_workers: int | None = None  # user maximum over all GPUs; None = no cap
    cpu_workers: int = 1  # workers when running on the CPU
    max_workers_per_gpu: int | None = None  # e.g. 1 for a job that batches on the GPU instead
    gpu_torch_threads: int = GPU_TORCH_THREADS
    gpu_io_threads: int = GPU_IO_THREADS
    # CPU workers each hold a model copy in RAM: with both set, a CPU plan starts no more than fit (a
    # worker killed by the out-of-memory killer loses its line and its progress).
    cpu_worker_memory_gb: float | None = None
    free_memory_gb: float | None = None

    def __post_init__(self) -> None:
        problem = _settings_problem(self)
        if problem:
            raise ValueError(problem)


@dataclass(frozen=True)
class WorkerSlot:
    worker_id: str  # "0", "1", ... in plan order
    device: str  # "cuda" or "cpu"
    gpu_index: int | None
    gpu_uuid: str | None  # what the worker is pinned to; NVML and CUDA may number GPUs differently
    gpu_name: str | None


@dataclass(frozen=True)
class WorkerPlan:
    slots: tuple[WorkerSlot, ...]
    device: str  # "cuda" or "cpu"
    # One line per GPU, plus lines for problems, caps and the CPU fallback: Messages the window translates.
    explanation: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "slots": [asdict(slot) for slot in self.slots],
            "explanation": list(self.explanation),
        }


@dataclass(frozen=True)
class WorkerThreads:
    """CPU threads for each of a machine's workers, so that together they do not oversubscribe its cores."""

    cores: int  # the worker's share of the cores (at least 1)
    torch: int  # torch's intra-op threads (OMP_NUM_THREADS, MKL_NUM_THREADS)
    io: int | None  # an embedding worker's decoding threads; None: the job's default

    def describe(self) -> str:
        text = f"{self.torch} torch thread{'s' if self.torch > 1 else ''}"
        if self.io is not None:
            text += f" and {self.io} decoding thread{'s' if self.io > 1 else ''}"
        return f"{text} per worker"


def worker_threads(device: str, workers: int, cores: int, settings: PlanSettings) -> WorkerThreads:
    """The thread budget of each of ``workers`` workers started on ``device`` on a machine of ``cores``."""
    share = max(1, cores // max(1, workers))
    if device == "cpu":  # the model runs on these cores: all of the share, and decoding as the job likes
        return WorkerThreads(share, share, None)
    return WorkerThreads(share, min(settings.gpu_torch_threads, share), settings.gpu_io_threads or share)


def plan_workers(
    report: GpuReport, settings: PlanSettings, work_items: int | None = None, device: str = "auto"
) -> WorkerPlan:
    """Plan workers for `device` ("auto", "cuda" or "cpu"); never more workers than `work_items`."""
    _check_request(work_items, device)
    if device == "cpu":
        return _cpu_plan(settings, work_items, [], chosen=True)
    counts = [workers_fitting_on(gpu, settings) for gpu in report.gpus]
    lines = [_gpu_line(gpu, count, settings) for gpu, count in zip(report.gpus, counts, strict=True)]
    if report.problem:
        lines.append(report.problem)
    # The device is chosen before caps, so a small batch of work never moves the app off the GPU.
    if sum(counts) > 0:
        return _gpu_plan(report.gpus, counts, settings, work_items, lines)
    reason = _no_gpu_reason(report, settings)
    if device == "cuda":
        details = joined([*lines, reason], "\n")
        raise NoUsableGpu(Message("plan.no_usable_gpu", details=details))
    return _cpu_plan(settings, work_items, [*lines, Message("plan.cpu_fallback", reason=reason)])


def more_workers_by_measurement(
    gpu: GpuInfo, measured_peak_bytes: int, settings: PlanSettings, running: int = 0
) -> int:
    """How many more workers fit on ``gpu`` now, by a running worker's measured peak memory, within the
    plan's workers per GPU (``running``: the workers already on it).

    ``gpu`` is a fresh reading, so the running workers' memory is already out of its free figure. The plan
    was made from the ``memory per worker`` setting; once a worker has loaded and generated, its real
    footprint is known and may be smaller (start more) or larger (start none).
    """
    if measured_peak_bytes <= 0:
        return 0
    fitting = max(0, math.floor(_usable_bytes(gpu, settings) / measured_peak_bytes))
    if settings.max_workers_per_gpu is None:
        return fitting
    return min(fitting, max(0, settings.max_workers_per_gpu - running))


def workers_fitting_on(gpu: GpuInfo, settings: PlanSettings) -> int:
    """Workers that fit in the GPU's free memory after keeping the reserve back."""
    fitting = _fitting_by_memory(gpu, settings)
    return fitting if settings.max_workers_per_gpu is None else min(fitting, settings.max_workers_per_gpu)


def _fitting_by_memory(gpu: GpuInfo, settings: PlanSettings) -> int:
    per_worker = settings.memory_per_worker_gb * GIB
    return max(0, math.floor(_usable_bytes(gpu, settings) / per_worker))


def _usable_bytes(gpu: GpuInfo, settings: PlanSettings) -> float:
    return gpu.free_bytes - settings.reserve_fraction * gpu.total_bytes


def _gpu_plan(
    gpus: tuple[GpuInfo, ...],
    counts: list[int],
    settings: PlanSettings,
    work_items: int | None,
    lines: list[str],
) -> WorkerPlan:
    total, cap_line = _apply_caps(sum(counts), settings, work_items)
    kept = _spread(counts, total)
    slots: list[WorkerSlot] = []
    for gpu, count in zip(gpus, kept, strict=True):
        for _ in range(count):
            slots.append(WorkerSlot(str(len(slots)), "cuda", gpu.index, gpu.uuid, gpu.name))
    if cap_line:
        lines.append(cap_line)
    return WorkerPlan(tuple(slots), "cuda", tuple(lines))


def _cpu_plan(
    settings: PlanSettings, work_items: int | None, lines: list[str], chosen: bool = False
) -> WorkerPlan:
    total, cap_line = _apply_caps(settings.cpu_workers, settings, work_items)
    fitting = _cpu_workers_fitting(settings)
    if fitting is not None and fitting < total:
        total = fitting
        memory = _gb(settings.free_memory_gb * GIB) if settings.free_memory_gb is not None else ""
        cap_line = Message("plan.capped_by_memory", workers=_workers_text(total), memory=memory)
    key = "plan.cpu_line_chosen" if chosen else "plan.cpu_line"
    lines.append(Message(key, workers=_workers_text(settings.cpu_workers)))
    if cap_line:
        lines.append(cap_line)
    slots = tuple(WorkerSlot(str(number), "cpu", None, None, None) for number in range(total))
    return WorkerPlan(slots, "cpu", tuple(lines))


def _cpu_workers_fitting(settings: PlanSettings) -> int | None:
    """CPU workers the free memory holds (at least one), or None when the plan was not told the figures."""
    if settings.cpu_worker_memory_gb is None or settings.free_memory_gb is None:
        return None
    return max(1, int(settings.free_memory_gb / settings.cpu_worker_memory_gb))


def _apply_caps(planned: int, settings: PlanSettings, work_items: int | None) -> tuple[int, str | None]:
    """The worker total after the user maximum and the amount of work, and a line saying which capped it."""
    total, cap_line = planned, None
    if settings.max_workers is not None and settings.max_workers < total:
        total = settings.max_workers
        cap_line = Message("plan.capped_by_setting", workers=_workers_text(total))
    if work_items is not None and work_items < total:
        total = work_items
        cap_line = Message("plan.capped_by_work", workers=_workers_text(total), items=_items_text(total))
    return total, cap_line


def _spread(counts: list[int], keep: int) -> list[int]:
    """Keep `keep` workers, one at a time from the GPU with the most capacity left (ties: lowest index)."""
    kept = [0] * len(counts)
    for _ in range(keep):
        position = max(range(len(counts)), key=lambda i: (counts[i] - kept[i], -i))
        kept[position] += 1
    return kept


def _gpu_line(gpu: GpuInfo, count: int, settings: PlanSettings) -> str:
    usable = max(0.0, _usable_bytes(gpu, settings))
    figures = {
        "index": gpu.index,
        "name": gpu.name,
        "total": _gb(gpu.total_bytes),
        "usable": _gb(usable),
        "workers": _workers_text(count),
    }
    if count == 0:
        return Message("plan.gpu_line_needs", **figures, memory=_gb_setting(settings.memory_per_worker_gb))
    if count < _fitting_by_memory(gpu, settings):
        return Message("plan.gpu_line_per_gpu", **figures, count=count)
    return Message("plan.gpu_line", **figures)


def _no_gpu_reason(report: GpuReport, settings: PlanSettings) -> Message:
    if not report.gpus:
        return Message("plan.no_nvidia_gpu")
    return Message("plan.no_gpu_room", memory=_gb_setting(settings.memory_per_worker_gb))


def _check_request(work_items: int | None, device: str) -> None:
    if device not in DEVICES:
        raise ValueError(f"The device must be one of {', '.join(DEVICES)} (got {device!r}).")
    if work_items is not None and work_items < 0:
        raise ValueError(f"The number of work items cannot be negative (got {work_items}).")


def _settings_problem(settings: PlanSettings) -> str | None:
    memory, reserve = settings.memory_per_worker_gb, settings.reserve_fraction
    if not (memory > 0 and math.isfinite(memory)):
        return f"Memory per worker must be a number of GB above 0 (got {memory})."
    if not 0 <= reserve < 1:
        return f"The reserved share of GPU memory must be at least 0 and below 1 (got {reserve})."
    if settings.max_workers is not None and settings.max_workers < 1:
        return f"The maximum number of workers must be at least 1, or unset (got {settings.max_workers})."
    if settings.cpu_workers < 1:
        return f"The number of CPU workers must be at least 1 (got {settings.cpu_workers})."
    if settings.max_workers_per_gpu is not None and settings.max_workers_per_gpu < 1:
        return (
            f"The maximum workers per GPU must be at least 1, or unset (got {settings.max_workers_per_gpu})."
        )
    if settings.gpu_torch_threads < 1 or settings.gpu_io_threads < 0:
        return (
            f"A GPU worker needs at least 1 torch thread (got {settings.gpu_torch_threads}) and 0 or more "
            f"decoding threads (got {settings.gpu_io_threads})."
        )
    return None


def _gb(size_bytes: float) -> str:
    return f"{size_bytes / GIB:.1f} GB"


def _gb_setting(gigabytes: float) -> str:
    # One decimal like every other size, unless that would misstate a finer setting such as 7.25.
    text = f"{gigabytes:.1f}"
    return f"{text if float(text) == gigabytes else f'{gigabytes:g}'} GB"


def _workers_text(count: int) -> Message:
    return Message("plan.one_worker") if count == 1 else Message("plan.workers", count=count)


def _items_text(count: int) -> Message:
    if count == 0:
        return Message("plan.no_work")
    return Message("plan.one_item") if count == 1 else Message("plan.items", count=count)
