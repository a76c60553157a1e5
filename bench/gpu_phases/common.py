"""What every phase shares: its context (result, deadline, segments, steps) and JSON written atomically.

A phase runs in a child process with a deadline; it fills ``ctx.result`` and saves it after every step, so
a phase stopped at its time limit still leaves what it measured. A step that raises is recorded under
``errors`` with its traceback's end and the phase goes on with its other steps: the GPU machine is lent for
minutes, and one failure must not hide every other figure.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRACEBACK_CHARS = 2000


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1, ensure_ascii=False, default=str)
            file.write("\n")
        Path(temporary).chmod(0o644)  # mkstemp makes it private; the results are to be read by others
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def skipped(reason: str) -> dict[str, str]:
    """A figure that cannot be measured here, with why (e.g. CUDA-only on the CPU rehearsal)."""
    return {"skipped": reason}


@dataclass
class PhaseContext:
    name: str
    device: str  # "cuda" or "cpu"
    quick: bool
    work: Path  # scratch shared by the phases (cached artifacts)
    deadline: float  # time.time() by which the phase must be done
    result_path: Path
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def cuda(self) -> bool:
        return self.device == "cuda"

    @property
    def cores(self) -> int:
        return os.cpu_count() or 1

    def time_left(self) -> float:
        return self.deadline - time.time()

    def save(self) -> None:
        write_json(self.result_path, self.result)

    def headline(self, line: str) -> None:
        """A line of the summary table the run prints at its end (keep it short)."""
        self.result.setdefault("headline", []).append(line)
        self.save()

    def not_applicable(self, reason: str) -> None:
        self.result["not_applicable"] = reason
        self.save()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Run a step; an exception is recorded under ``errors[name]`` and the phase goes on."""
        started = time.perf_counter()
        try:
            yield
        except Exception as error:
            self.result.setdefault("errors", {})[name] = {
                "error": f"{type(error).__name__}: {error}"[:TRACEBACK_CHARS],
                "traceback": traceback.format_exc()[-TRACEBACK_CHARS:],
            }
            print(f"[{self.name}] step {name} failed: {type(error).__name__}: {error}", flush=True)
        finally:
            self.result.setdefault("step_seconds", {})[name] = round(time.perf_counter() - started, 2)
            self.save()

    @contextlib.contextmanager
    def segment(self, label: str, pids: dict[str, int] | None = None) -> Iterator[dict[str, Any]]:
        """A stretch of wall time the NVML samples are summarised over (by the parent, which samples);
        ``pids`` names the processes whose GPU memory the summary picks out (filled in later is fine)."""
        entry: dict[str, Any] = {"label": label, "t0": time.time(), "pids": dict(pids or {})}
        self.result.setdefault("segments", []).append(entry)
        try:
            yield entry
        finally:
            entry["t1"] = time.time()
            self.save()


# -- figures ------------------------------------------------------------------------------------------------


def relative_differences(got: Sequence[Any], want: Sequence[Any]) -> list[float]:
    """Per row: max |got - want| / ||want|| (numpy arrays)."""
    import numpy as np

    return [
        float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max() / np.linalg.norm(b))
        for a, b in zip(got, want, strict=True)
    ]


def difference_summary(got: Sequence[Any], want: Sequence[Any], bar: float | None = None) -> dict[str, Any]:
    differences = relative_differences(got, want)
    summary: dict[str, Any] = {
        "rows": len(differences),
        "max": max(differences),
        "median": statistics.median(differences),
    }
    if bar is not None:
        summary |= {"bar": bar, "pass": summary["max"] <= bar}  # NaN fails
    return summary


def rate(count: float, seconds: float) -> float | None:
    return round(count / seconds, 3) if seconds > 0 else None


def head(text: str, chars: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= chars else text[: chars - 3] + "..."
