"""The NVIDIA GPUs of this computer, read from the driver's NVML library with ctypes.

The bootstrap runs on a bare Python before any environment exists, so it cannot use nvidia-ml-py; the
handful of NVML calls it needs are declared here. NVML ships with the driver (nvml.dll on Windows,
libnvidia-ml.so.1 on Linux): no CUDA toolkit is needed.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootstrap_torch import Gpu, Machine, parse_cuda_version

NVML_SUCCESS = 0
NAME_LENGTH = 96  # NVML_DEVICE_NAME_V2_BUFFER_SIZE
VERSION_LENGTH = 80  # NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE


@dataclass(frozen=True)
class GpuReading:
    machine: Machine
    driver_version: str | None  # e.g. "560.94"
    problem: str | None  # why NVML could not be read (no NVIDIA driver is the usual, harmless reason)


def this_os() -> str:
    if sys.platform == "win32":
        return "windows"
    return "macos" if sys.platform == "darwin" else "linux"


def this_arch() -> str:
    machine = platform.machine().lower()
    return (
        "x86_64"
        if machine in ("x86_64", "amd64")
        else "arm64"
        if machine in ("arm64", "aarch64")
        else machine
    )


def read_machine(library: Any | None = None) -> GpuReading:
    """The OS, the driver's CUDA version and every GPU's name and compute capability.

    ``library`` is the loaded NVML (a ctypes CDLL) or a test double with the same functions."""
    blank = Machine(os=this_os(), arch=this_arch())
    if library is None:
        library, problem = _load_nvml()
        if library is None:
            return GpuReading(blank, None, problem)
    if library.nvmlInit_v2() != NVML_SUCCESS:
        return GpuReading(blank, None, "The NVIDIA driver is installed but NVML would not start.")
    try:
        return _read(library, blank)
    finally:
        library.nvmlShutdown()


def _read(library: Any, blank: Machine) -> GpuReading:
    version = ctypes.create_string_buffer(VERSION_LENGTH)
    driver = None
    if library.nvmlSystemGetDriverVersion(version, VERSION_LENGTH) == NVML_SUCCESS:
        driver = version.value.decode("utf-8", "replace")
    cuda = ctypes.c_int(0)
    cuda_ok = library.nvmlSystemGetCudaDriverVersion(ctypes.pointer(cuda)) == NVML_SUCCESS
    count = ctypes.c_uint(0)
    if library.nvmlDeviceGetCount_v2(ctypes.pointer(count)) != NVML_SUCCESS:
        return GpuReading(blank, driver, "NVML started but could not count the GPUs.")
    gpus = [gpu for index in range(count.value) if (gpu := _read_gpu(library, index)) is not None]
    machine = Machine(
        os=blank.os,
        arch=blank.arch,
        cuda_driver=parse_cuda_version(cuda.value) if cuda_ok else None,
        gpus=tuple(gpus),
    )
    return GpuReading(machine, driver, None)


def _read_gpu(library: Any, index: int) -> Gpu | None:
    handle = ctypes.c_void_p()
    if library.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.pointer(handle)) != NVML_SUCCESS:
        return None  # a GPU fallen off the bus should not hide the healthy ones
    name = ctypes.create_string_buffer(NAME_LENGTH)
    if library.nvmlDeviceGetName(handle, name, NAME_LENGTH) != NVML_SUCCESS:
        name.value = f"GPU {index}".encode()
    major, minor = ctypes.c_int(0), ctypes.c_int(0)
    capability = library.nvmlDeviceGetCudaComputeCapability(
        handle, ctypes.pointer(major), ctypes.pointer(minor)
    )
    if capability != NVML_SUCCESS:
        return None
    return Gpu(name.value.decode("utf-8", "replace"), (major.value, minor.value))


def _load_nvml() -> tuple[Any | None, str | None]:
    for candidate in _nvml_candidates():
        try:
            library = ctypes.CDLL(str(candidate))
        except OSError:
            continue
        _declare(library)
        return library, None
    return None, "No NVIDIA driver was found (NVML could not be loaded)."


def _nvml_candidates() -> list[str | Path]:
    if sys.platform == "win32":
        # Drivers since 2019 put nvml.dll in System32; older ones in the NVSMI folder.
        windows = Path(os.environ.get("SYSTEMROOT", r"C:\Windows"))
        program_files = Path(
            os.environ.get("PROGRAMW6432", os.environ.get("PROGRAMFILES", r"C:\Program Files"))
        )
        return [
            windows / "System32" / "nvml.dll",
            program_files / "NVIDIA Corporation" / "NVSMI" / "nvml.dll",
        ]
    return ["libnvidia-ml.so.1", "libnvidia-ml.so"]


def _declare(library: Any) -> None:
    pointer = ctypes.c_void_p
    signatures: dict[str, list[Any]] = {
        "nvmlInit_v2": [],
        "nvmlShutdown": [],
        "nvmlSystemGetDriverVersion": [ctypes.c_char_p, ctypes.c_uint],
        "nvmlSystemGetCudaDriverVersion": [pointer],
        "nvmlDeviceGetCount_v2": [pointer],
        "nvmlDeviceGetHandleByIndex_v2": [ctypes.c_uint, pointer],
        "nvmlDeviceGetName": [pointer, ctypes.c_char_p, ctypes.c_uint],
        "nvmlDeviceGetCudaComputeCapability": [pointer, pointer, pointer],
    }
    for name, arguments in signatures.items():
        function = getattr(library, name)
        function.argtypes = arguments
        function.restype = ctypes.c_int


if __name__ == "__main__":  # a quick look on a machine: python installer/bootstrap_gpu.py
    print(read_machine())
