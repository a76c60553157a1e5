"""What every benchmark records about the machine it ran on (the ``machine`` field of its raw JSON)."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil


def machine_facts(packages: Iterable[str], gpu: str = "none", **extra: Any) -> dict[str, Any]:
    """Platform, Python, CPU, memory, GPU and the versions of ``packages`` (of this environment)."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "gpu": gpu,
        "packages": {name: metadata.version(name) for name in packages},
        **extra,
    }


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
