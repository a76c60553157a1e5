"""``probe``: what this worker's interpreter and torch build can do on the GPU it was given."""

from __future__ import annotations

import os
import platform
import sys
import time
from typing import Any

from localclip_worker.compat import support_message, supports
from localclip_worker.job import ItemContext
from localclip_worker.memory import resident_bytes


class ProbeJob:
    def __init__(self) -> None:
        self._torch: Any = None

    def setup(self, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        import torch  # the worker's one heavy import for this job; timed for the ready event

        self._torch = torch
        return {"load_seconds": time.perf_counter() - started, "memory_bytes": resident_bytes()}

    def run(self, item: dict[str, Any], params: dict[str, Any], context: ItemContext) -> dict[str, Any]:
        torch = self._torch
        cuda_available = bool(torch.cuda.is_available())
        arch_list = list(torch.cuda.get_arch_list()) if cuda_available else []
        devices = (
            [self._device(index, arch_list) for index in range(torch.cuda.device_count())]
            if (cuda_available)
            else []
        )
        problems = [device["message"] for device in devices if device["message"]]
        return {
            "python": platform.python_version(),
            "executable": sys.executable,
            "platform": platform.platform(),
            "torch": torch.__version__,
            "torch_cuda": torch.version.cuda,
            "cuda_available": cuda_available,
            "arch_list": arch_list,
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "devices": devices,
            "problems": problems,
        }

    def _device(self, index: int, arch_list: list[str]) -> dict[str, Any]:
        torch = self._torch
        props = torch.cuda.get_device_properties(index)
        capability = (props.major, props.minor)
        try:
            free_bytes, total_bytes = torch.cuda.mem_get_info(index)
        except RuntimeError:  # no usable kernel image still allows the driver query; be safe anyway
            free_bytes, total_bytes = -1, int(props.total_memory)
        return {
            "index": index,
            "name": props.name,
            "total_bytes": int(total_bytes),
            "free_bytes": int(free_bytes),
            "capability": f"{props.major}.{props.minor}",
            "supported": supports(arch_list, capability),
            "message": support_message(props.name, capability, arch_list, torch.__version__),
        }


def create() -> ProbeJob:
    return ProbeJob()
