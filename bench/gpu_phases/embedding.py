"""LocalClip's ``embed`` job run in this process (as a worker runs it), and clips of chosen lengths."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from localclip.core.demo_data import FORMATS, AudioFormat, synthesize, voices, write_clip
from localclip.core.embedding.store import decode_embedding_b64
from localclip_worker.embedding.features import MIN_SAMPLES
from localclip_worker.job import ItemContext
from localclip_worker.jobs import create_job
from localclip_worker.jobs.embed import EmbedJob

SHORTEST_SECONDS = MIN_SAMPLES / 16000  # 9 frames at 16 kHz: the shortest clip the model takes


def write_clips(folder: Path, seconds: Sequence[float], seed: int = 0) -> list[Path]:
    """One clip per length, formats in turn (the shortest as 16 kHz WAV, so it is exactly 9 frames)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    speakers = voices(3, seed)
    paths = []
    for number, length in enumerate(seconds):
        audio_format = FORMATS[0] if length <= SHORTEST_SECONDS else FORMATS[number % len(FORMATS)]
        path = folder / f"clip_{number:02d}_{length:.3f}s{audio_format.extension}"
        if not path.is_file():
            audio = synthesize(speakers[number % 3], length, audio_format.sample_rate, rng)
            write_clip(path, audio, audio_format)
        paths.append(path)
    return paths


def format_of(path: Path) -> AudioFormat | None:
    return next((f for f in FORMATS if path.suffix == f.extension), None)


def items_for(paths: Sequence[Path], repeat: int = 1) -> list[dict[str, str]]:
    """Job items as the app sends them; ``repeat`` > 1 lists each file several times (distinct ids)."""
    return [{"id": f"{n}:{path.name}", "path": str(path)} for n in range(repeat) for path in paths]


def new_job(model_dir: Path, device: str, **params: Any) -> tuple[EmbedJob, dict[str, Any], dict[str, Any]]:
    """A set-up embed job, its params and its ``ready`` facts."""
    job = create_job("embed")
    assert isinstance(job, EmbedJob)
    job_params = {"model_dir": str(model_dir), "device": device, **params}
    return job, job_params, job.setup(job_params)


def run_job(
    job: EmbedJob,
    items: list[dict[str, str]],
    params: dict[str, Any],
    after_each: Callable[[str], None] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Exception]]:
    """The job over ``items``: embeddings by id, and the exceptions of the items that failed."""
    context = ItemContext(lambda done, total, message: None, lambda: False)
    embeddings: dict[str, np.ndarray] = {}
    failures: dict[str, Exception] = {}
    for item_id, outcome in job.run_items(items, params, context):
        if isinstance(outcome, Exception):
            failures[item_id] = outcome
        else:
            embeddings[item_id] = decode_embedding_b64(outcome["embedding_b64"], int(outcome["dim"]))
        if after_each:
            after_each(item_id)
    return embeddings, failures


def tf32_flags() -> dict[str, Any]:
    """TF32 as torch has it now: the flags (``allow_tf32``) and, from torch 2.9, the precision settings that
    replace them (reading one after the other was set can raise: whatever reads is kept)."""
    readers = {
        "matmul": lambda: torch.backends.cuda.matmul.allow_tf32,
        "cudnn": lambda: torch.backends.cudnn.allow_tf32,
        "matmul_fp32_precision": lambda: torch.backends.cuda.matmul.fp32_precision,
        "conv_fp32_precision": lambda: torch.backends.cudnn.conv.fp32_precision,
    }
    flags: dict[str, Any] = {}
    for name, read in readers.items():
        try:
            flags[name] = read()
        except (AttributeError, RuntimeError):
            continue
    return flags


def set_tf32(enabled: bool) -> None:
    torch.backends.cuda.matmul.allow_tf32 = enabled
    torch.backends.cudnn.allow_tf32 = enabled
