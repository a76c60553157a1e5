"""Which NVIDIA GPUs this machine has and how much memory each has free, read through NVML.

NVML (package nvidia-ml-py, module pynvml) talks to the driver directly and needs no CUDA toolkit,
so the app process can size its workers without importing torch.
"""

import contextlib
from dataclasses import asdict, dataclass
from types import ModuleType
from typing import Any

from localclip.core.messages import Message, joined

NO_PYNVML_PROBLEM = Message("gpus.no_pynvml")


@dataclass(frozen=True)
class GpuInfo:
    """One GPU as NVML saw it at probe time."""

    # NVML numbers GPUs in PCI bus order; CUDA's default order can differ, so pin workers by uuid.
    index: int
    uuid: str
    name: str
    pci_bus_id: str
    total_bytes: int
    free_bytes: int
    used_bytes: int
    utilization_percent: int | None  # None when NVML cannot read it (not supported on every GPU)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GpuReport:
    """All GPUs NVML could read, the driver versions, and a plain sentence when something went wrong."""

    gpus: tuple[GpuInfo, ...]
    driver_version: str | None  # e.g. "550.54.15"
    cuda_driver_version: str | None  # highest CUDA version the driver supports, e.g. "12.4"
    problem: str | None  # a whole sentence, a Message the window translates

    def to_dict(self) -> dict[str, Any]:
        return {
            "gpus": [gpu.to_dict() for gpu in self.gpus],
            "driver_version": self.driver_version,
            "cuda_driver_version": self.cuda_driver_version,
            "problem": self.problem,
        }


def probe_gpus(nvml: Any | None = None) -> GpuReport:
    """Read every GPU through NVML; `nvml` is the pynvml module, or a test double with the same functions."""
    if nvml is None:
        nvml = _import_pynvml()
        if nvml is None:
            return _report_without_gpus(NO_PYNVML_PROBLEM)
    try:
        nvml.nvmlInit()
    except nvml.NVMLError as exc:
        return _report_without_gpus(Message("gpus.no_driver", error=str(exc)))
    try:
        return _read_report(nvml)
    finally:
        # A failed shutdown must not hide the report we already have.
        with contextlib.suppress(nvml.NVMLError):
            nvml.nvmlShutdown()


def _import_pynvml() -> ModuleType | None:
    # Imported here, not at the top, so importing this module stays cheap and works without the package.
    try:
        import pynvml
    except ImportError:
        return None
    return pynvml


def _report_without_gpus(problem: str) -> GpuReport:
    return GpuReport(gpus=(), driver_version=None, cuda_driver_version=None, problem=problem)


def _read_report(nvml: Any) -> GpuReport:
    driver_version = _text_or_none(_optional(nvml, nvml.nvmlSystemGetDriverVersion))
    cuda_driver_version = _cuda_version_text(_optional(nvml, nvml.nvmlSystemGetCudaDriverVersion))
    try:
        count = nvml.nvmlDeviceGetCount()
    except nvml.NVMLError as exc:
        problem = Message("gpus.count_failed", error=str(exc))
        return GpuReport((), driver_version, cuda_driver_version, problem)
    gpus: list[GpuInfo] = []
    problems: list[str] = []
    for index in range(count):
        try:
            gpus.append(_read_gpu(nvml, index))
        except nvml.NVMLError as exc:
            # One broken GPU (fallen off the bus, say) should not hide the healthy ones.
            problems.append(Message("gpus.gpu_unreadable", index=index, error=str(exc)))
    return GpuReport(tuple(gpus), driver_version, cuda_driver_version, joined(problems) or None)


def _read_gpu(nvml: Any, index: int) -> GpuInfo:
    handle = nvml.nvmlDeviceGetHandleByIndex(index)
    memory = nvml.nvmlDeviceGetMemoryInfo(handle)
    return GpuInfo(
        index=index,
        uuid=_text(nvml.nvmlDeviceGetUUID(handle)),
        name=_text(nvml.nvmlDeviceGetName(handle)),
        pci_bus_id=_text(nvml.nvmlDeviceGetPciInfo(handle).busId),
        total_bytes=int(memory.total),
        free_bytes=int(memory.free),
        used_bytes=int(memory.used),
        utilization_percent=_utilization_percent(nvml, handle),
    )


def _utilization_percent(nvml: Any, handle: Any) -> int | None:
    rates = _optional(nvml, nvml.nvmlDeviceGetUtilizationRates, handle)
    return None if rates is None else int(rates.gpu)


def _optional(nvml: Any, query: Any, *args: Any) -> Any:
    """The query's answer, or None where NVML cannot give it (not supported, no permission)."""
    try:
        return query(*args)
    except nvml.NVMLError:
        return None


def _text(value: str | bytes) -> str:
    # Older pynvml returns bytes for names, uuids and bus ids; newer returns str.
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _text_or_none(value: str | bytes | None) -> str | None:
    return None if value is None else _text(value)


def _cuda_version_text(version: int | None) -> str | None:
    """NVML encodes CUDA 12.4 as 12040 (major * 1000 + minor * 10)."""
    if version is None:
        return None
    return f"{version // 1000}.{version % 1000 // 10}"
