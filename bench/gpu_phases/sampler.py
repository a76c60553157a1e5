"""GPU utilisation and memory through NVML, sampled by a thread of the parent for the whole run.

Every ~200 ms, per GPU: utilisation (%), memory used, and each compute process's memory
(``nvmlDeviceGetComputeRunningProcesses``). Summaries cover a stretch of wall time (a phase, or a
configuration inside one). Without NVML (no pynvml, no driver: the CPU rehearsal) nothing is sampled and
the summaries say why. In a container NVML may report host process ids, which then match none of ours:
the summary says how many of the pids asked for it found.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

GIB = 1024**3


@dataclass
class Sample:
    t: float
    gpu: int
    util: int | None
    memory_used: int
    processes: dict[int, int] = field(default_factory=dict)  # pid -> bytes


class NvmlSampler:
    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.samples: list[Sample] = []
        self.devices: list[dict[str, Any]] = []
        self.problem = ""
        self._nvml: Any = None
        self._handles: list[Any] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="nvml-sampler", daemon=True)

    @property
    def available(self) -> bool:
        return self._nvml is not None

    def start(self) -> NvmlSampler:
        try:
            import pynvml

            pynvml.nvmlInit()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        except Exception as error:  # no package, no driver, no device: recorded, nothing sampled
            self.problem = f"NVML not available: {type(error).__name__}: {error}"
            return self
        self._nvml = pynvml
        self.devices = [self._describe(index, handle) for index, handle in enumerate(self._handles)]
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._nvml is None:
            return
        self._stop.set()
        self._thread.join()
        with contextlib.suppress(Exception):  # the samples are taken; a failed shutdown changes nothing
            self._nvml.nvmlShutdown()

    def _describe(self, index: int, handle: Any) -> dict[str, Any]:
        nvml = self._nvml
        name = nvml.nvmlDeviceGetName(handle)
        return {
            "index": index,
            "name": name.decode() if isinstance(name, bytes) else str(name),
            "total_gb": round(nvml.nvmlDeviceGetMemoryInfo(handle).total / GIB, 2),
        }

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            taken = [self._sample(index, handle) for index, handle in enumerate(self._handles)]
            with self._lock:
                self.samples.extend(sample for sample in taken if sample is not None)

    def _sample(self, index: int, handle: Any) -> Sample | None:
        nvml = self._nvml
        try:
            memory = nvml.nvmlDeviceGetMemoryInfo(handle)
        except nvml.NVMLError:
            return None
        sample = Sample(time.time(), index, None, int(memory.used))
        with contextlib.suppress(nvml.NVMLError):  # not every GPU reports it
            sample.util = int(nvml.nvmlDeviceGetUtilizationRates(handle).gpu)
        try:
            for process in nvml.nvmlDeviceGetComputeRunningProcesses(handle):
                used = process.usedGpuMemory
                sample.processes[int(process.pid)] = int(used) if isinstance(used, int) else 0
        except nvml.NVMLError:
            pass
        return sample

    # -- summaries ------------------------------------------------------------------------------------------

    def between(self, t0: float, t1: float) -> list[Sample]:
        with self._lock:
            return [sample for sample in self.samples if t0 <= sample.t <= t1]

    def summary(self, t0: float, t1: float, pids: dict[str, int] | None = None) -> dict[str, Any]:
        """Mean and max utilisation, max memory used, and each process's max memory over [t0, t1];
        ``pids`` (name -> pid) also gets each named process's max, and how many of them NVML saw."""
        if not self.available:
            return {"nvml": False, "reason": self.problem}
        samples = self.between(t0, t1)
        utils = [s.util for s in samples if s.util is not None]
        per_pid: dict[int, int] = {}
        for sample in samples:
            for pid, used in sample.processes.items():
                per_pid[pid] = max(per_pid.get(pid, 0), used)
        result: dict[str, Any] = {
            "samples": len(samples),
            "util_mean": round(sum(utils) / len(utils), 1) if utils else None,
            "util_max": max(utils) if utils else None,
            "memory_used_max_gb": round(max((s.memory_used for s in samples), default=0) / GIB, 3),
            "per_pid_max_gb": {str(pid): round(used / GIB, 3) for pid, used in sorted(per_pid.items())},
        }
        if pids:
            named = {name: per_pid.get(pid) for name, pid in pids.items()}
            result["named_max_gb"] = {n: None if v is None else round(v / GIB, 3) for n, v in named.items()}
            result["named_found"] = f"{sum(v is not None for v in named.values())} of {len(named)}"
        return result

    def timeline(self, t0: float, step: float = 1.0) -> list[list[float]]:
        """[seconds since t0, mean util, max memory GB] per ``step`` of the run (GPU 0), for plotting."""
        if not self.available:
            return []
        buckets: dict[int, list[Sample]] = {}
        with self._lock:
            for sample in self.samples:
                if sample.gpu == 0:
                    buckets.setdefault(int((sample.t - t0) / step), []).append(sample)
        rows = []
        for bucket, samples in sorted(buckets.items()):
            utils = [s.util for s in samples if s.util is not None]
            mean = round(sum(utils) / len(utils), 1) if utils else -1.0
            rows.append([bucket * step, mean, round(max(s.memory_used for s in samples) / GIB, 2)])
        return rows
