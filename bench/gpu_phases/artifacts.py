"""Inputs the phases share, built once into ``--work`` and reused by later phases and reruns.

- ``wespeaker``: a WeSpeaker ResNet34 of real size (embed_dim 256), random weights (demo_models).
- ``fish-tiny`` / ``fish-s1-mini``: fish-speech checkpoints of random weights (demo_models ``--kind fish``).
- ``dataset``: mixed-format clips of 1-10 s (localclip.core.demo_data.make_dataset, as bench/embed.py's
  workload), written by several processes at once.

Each is built by ``gpu_check.py --prepare NAME`` under a lock, into a temporary folder renamed into place
with a ``.done`` marker: the parent starts the builds in the background at launch, and a phase that needs
one waits for it (or builds it) through :func:`ensure`.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from gpu_phases.common import read_json, write_json

SCRIPT = Path(__file__).resolve().parents[1] / "gpu_check.py"
DONE = ".done"
NAMES = ("wespeaker", "fish-tiny", "fish-s1-mini", "dataset")
SHARD_CLIPS = 40  # clips per dataset-building task


def dataset_clips(device: str, quick: bool) -> int:
    """A few thousand clips on a GPU (seconds of work there); a few dozen for the CPU rehearsal."""
    if quick:
        return 40
    return 3000 if device == "cuda" else 240


def fish_size(device: str, quick: bool) -> str:
    return "s1-mini" if device == "cuda" and not quick else "tiny"


def folder_of(name: str, work: Path, device: str, quick: bool) -> Path:
    if name == "dataset":
        return work / f"dataset-{dataset_clips(device, quick)}"
    return work / "models" / name


def ensure(name: str, work: Path, device: str, quick: bool, timeout: float) -> Path:
    """The artifact's folder, built (or waited for, when a build is under way) if it is not there yet."""
    folder = folder_of(name, work, device, quick)
    if not (folder / DONE).is_file():
        command = [sys.executable, str(SCRIPT), "--prepare", name, "--work", str(work), "--device", device]
        subprocess.run([*command, *(["--quick"] if quick else [])], check=True, timeout=max(1.0, timeout))
    return folder


def prepare(name: str, work: Path, device: str, quick: bool) -> None:
    """Build the artifact unless it is there; the lock makes a second builder wait for the first."""
    folder = folder_of(name, work, device, quick)
    with _locked(work / ".locks" / f"{name}.lock"):
        if (folder / DONE).is_file():
            return
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        started = time.perf_counter()
        facts = _build(name, partial, device, quick)
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
        write_json(folder / DONE, {**facts, "build_seconds": round(time.perf_counter() - started, 1)})


def build_facts(folder: Path) -> dict:
    return read_json(folder / DONE)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        try:
            import fcntl  # POSIX; the GPU machine and the rehearsal are Linux
        except ImportError:
            yield
            return
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def _build(name: str, folder: Path, device: str, quick: bool) -> dict:
    if name == "dataset":
        return _build_dataset(folder, dataset_clips(device, quick))
    command = [sys.executable, "-I", "-m", "localclip_worker.demo_models", str(folder)]
    if name == "wespeaker":
        command += ["--embed-dim", "256"]  # real size: the compute of a trained ResNet34
    else:
        command += ["--kind", "fish", "--size", name.removeprefix("fish-")]
    subprocess.run(command, check=True)
    return {"command": " ".join(command[1:])}


def _build_dataset(folder: Path, clips: int) -> dict:
    shards = [min(SHARD_CLIPS, clips - start) for start in range(0, clips, SHARD_CLIPS)]
    processes = max(1, min(len(shards), (os.cpu_count() or 1) - 1))
    with ProcessPoolExecutor(max_workers=processes) as pool:
        written = sum(pool.map(_write_shard, [folder] * len(shards), range(len(shards)), shards))
    return {"clips": written, "processes": processes}


def _write_shard(folder: Path, index: int, clips: int) -> int:
    from embed import CLIPS_PER_SPEAKER, MIXED_FORMATS, SECONDS  # bench/embed.py's workload

    from localclip.core.demo_data import make_dataset

    speakers = math.ceil(clips / CLIPS_PER_SPEAKER)
    paths = make_dataset(
        folder / f"part_{index:03d}", speakers, CLIPS_PER_SPEAKER, SECONDS, MIXED_FORMATS, index
    )
    for surplus in paths[clips:]:
        surplus.unlink()
    return min(clips, len(paths))


def dataset_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
