"""Voice scores for take QA: WeSpeaker embeddings of takes and of each speaker's references, through the
embedding job's own code (:mod:`localclip_worker.embedding`: strict model loading, WeSpeaker's features on
the job's device, masked batches), so a take's embedding is the one ``embed`` would store for the file.

A speaker is its references' centroid: each reference's embedding scaled to unit length (so a long
reference counts no more than a short one), averaged, and the mean scaled to unit length again. A take's
voice score against a speaker is the cosine of its embedding with that centroid.

Reference embeddings are kept per file (path, size, modification time) while the model stays loaded: a
worker embeds a speaker's references once, whichever jobs and speaker sets name them later.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from localclip_worker import protocol
from localclip_worker.embedding.batching import Grouping, make_embedder, split_by_frames
from localclip_worker.embedding.features import Audio, read_audio
from localclip_worker.embedding.frontend import INT16_SCALE, FbankFrontEnd
from localclip_worker.embedding.models import LoadedModel, load_model_dir
from localclip_worker.embedding.pipeline import DevicePipeline
from localclip_worker.gpu_memory import is_out_of_memory, too_large_alone
from localclip_worker.job import BadInput
from localclip_worker.memory import give_back_cached_memory

log = logging.getLogger(__name__)

REFERENCES_KEPT = 4096  # reference embeddings kept per worker (a few KB each)
# Padded frames per forward pass on a GPU for a model that batches with masks (ResNet, ERes2Net): about
# 160 s of audio, well within the embed job's starting budget (embedding/budget.py). On the CPU, and for
# models that batch only equal lengths, one clip per pass (the embed job measured that fastest there).
CUDA_BATCH_FRAMES = 16_384

FileKey = tuple[str, int, int]  # path, size, modification time (ns)


@dataclass
class Centroids:
    """Each speaker's centroid (unit length) and, for a speaker without one, why."""

    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # speaker -> reason it has no centroid
    # Speakers without a centroid because a reference did not fit in GPU memory: their takes fail as out of
    # memory (retried elsewhere), not as bad input.
    out_of_memory: set[str] = field(default_factory=set)
    embedded: int = 0  # reference files embedded for this call (the others came from memory)
    reused: int = 0


class VoiceModel:
    """One WeSpeaker model on one device, with the reference embeddings it has computed."""

    def __init__(self, model_dir: Path, device: torch.device) -> None:
        self.loaded: LoadedModel = load_model_dir(model_dir, device)  # ModelError names what is wrong
        self.device = device
        scale = INT16_SCALE if self.loaded.int16_scale else 1.0
        self.front_end = FbankFrontEnd(device, self.loaded.window_type, scale)
        self.embedder = make_embedder(self.loaded)
        self.pipeline = DevicePipeline(self.front_end, self.embedder)
        self._references: OrderedDict[FileKey, np.ndarray] = OrderedDict()

    # -- audio ----------------------------------------------------------------------------------------------

    def read(self, path: str | Path) -> Audio:
        """Channel 0 of ``path`` at its own rate, checked as the embed job checks a clip (BadInput: missing,
        undecodable, empty, too short, silent, not finite)."""
        return read_audio(path, self.loaded.min_frames)

    def to_16k(self, audio: Audio) -> np.ndarray:
        """The clip at 16 kHz (float32, soundfile's scale), resampled as WeSpeaker's front end resamples."""
        with torch.inference_mode():
            waves = self.front_end.to_16k(audio.samples.to(self.device)[None], audio.rate)
        return waves[0].float().cpu().numpy()

    # -- embeddings -----------------------------------------------------------------------------------------

    def embed(self, clips: Sequence[Audio]) -> list[np.ndarray | Exception]:
        """Each clip's embedding scaled to unit length (float64), or the exception that failed it (an
        out-of-memory error for a clip too long for the GPU alone, or what the model raised on it); never
        raises for a clip."""
        outcomes: list[np.ndarray | Exception | None] = [None] * len(clips)
        order = sorted(range(len(clips)), key=lambda index: clips[index].frames)
        for group in self._groups([clips[index].frames for index in order]):
            indexes = [order[position] for position in group]
            for index, outcome in zip(indexes, self._embed_group([clips[i] for i in indexes]), strict=True):
                outcomes[index] = outcome
        return outcomes  # type: ignore[return-value]

    def _groups(self, frames: list[int]) -> list[list[int]]:
        if self.device.type == "cuda" and self.embedder.grouping is Grouping.MASKED:
            return split_by_frames(frames, CUDA_BATCH_FRAMES)
        return [[index] for index in range(len(frames))]

    def _embed_group(self, clips: list[Audio]) -> list[np.ndarray | Exception]:
        """One forward pass; on any failure the clips one by one, so only a clip that fails alone fails
        (out of GPU memory alone: :class:`OutOfGpuMemory`; anything else: what the model raised)."""
        try:
            pending = self.pipeline.launch(clips)
            rows = pending.wait().numpy()
        except Exception as error:
            if is_out_of_memory(error):
                give_back_cached_memory(error)
            else:
                log.error("embedding %d clip(s) failed", len(clips), exc_info=True)
            if len(clips) > 1:
                return [outcome for clip in clips for outcome in self._embed_group([clip])]
            return [_too_long(clips[0], error) if is_out_of_memory(error) else error]
        outcomes: list[np.ndarray | Exception] = [BadInput("not embedded")] * len(clips)
        for row, index in enumerate(pending.order):
            outcomes[index] = unit(rows[row])
        return outcomes

    def centroids(self, speakers: dict[str, list[str]]) -> Centroids:
        """Every speaker's centroid from its reference files, embedding only files not met before."""
        found = Centroids()
        for speaker, paths in speakers.items():
            vectors, problems, short_of_memory = [], [], False
            for path, outcome in zip(paths, self._reference_embeddings(paths, found), strict=True):
                if isinstance(outcome, Exception):
                    problems.append(f"{path}: {outcome}")
                    short_of_memory |= is_out_of_memory(outcome)
                else:
                    vectors.append(outcome)
            if problems:
                log.warning(
                    "speaker %r: %d reference(s) left out: %s", speaker, len(problems), "; ".join(problems)
                )
            if not vectors:
                reason = "; ".join(problems) if problems else "no reference audio was given"
                found.problems[speaker] = protocol.truncate(reason, 1000)
                if short_of_memory:
                    found.out_of_memory.add(speaker)
                continue
            centroid = unit(np.mean(vectors, axis=0))
            if isinstance(centroid, Exception):
                found.problems[speaker] = str(centroid)
            else:
                found.vectors[speaker] = centroid
        return found

    def _reference_embeddings(self, paths: list[str], found: Centroids) -> list[np.ndarray | Exception]:
        outcomes: list[np.ndarray | Exception | None] = [None] * len(paths)
        missing: list[tuple[int, FileKey, Audio]] = []
        for index, path in enumerate(paths):
            try:
                key = _file_key(path)
                known = self._references.get(key)
                if known is not None:
                    self._references.move_to_end(key)
                    outcomes[index] = known
                    found.reused += 1
                    continue
                missing.append((index, key, self.read(path)))
            except BadInput as error:
                outcomes[index] = BadInput(str(error))
        embedded = self.embed([audio for _, _, audio in missing])
        for (index, key, _), outcome in zip(missing, embedded, strict=True):
            outcomes[index] = outcome
            if not isinstance(outcome, Exception):
                self._remember(key, outcome)
                found.embedded += 1
        return outcomes  # type: ignore[return-value]

    def _remember(self, key: FileKey, vector: np.ndarray) -> None:
        self._references[key] = vector
        while len(self._references) > REFERENCES_KEPT:
            self._references.popitem(last=False)


def unit(vector: np.ndarray) -> np.ndarray | Exception:
    """``vector`` scaled to length 1 (float64); BadInput for one that is not finite or is zero."""
    vector = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(vector)) if np.isfinite(vector).all() else float("nan")
    if not np.isfinite(norm) or norm == 0.0:
        return BadInput("the speaker model produced an embedding that is not finite or is zero")
    return vector / norm


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine of two unit vectors, rounded to 6 digits and kept within [-1, 1] (rounding can step out)."""
    return round(min(1.0, max(-1.0, float(np.dot(a, b)))), 6)


def cosines(vector: np.ndarray, others: Iterable[tuple[str, np.ndarray]]) -> dict[str, float]:
    return {name: cosine(vector, other) for name, other in others}


def _file_key(path: str) -> FileKey:
    try:
        stat = Path(path).stat()
    except FileNotFoundError:
        raise BadInput(f"no such file: {path}") from None
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror or error}") from None
    return (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


def _too_long(clip: Audio, error: Exception) -> Exception:
    return too_large_alone(
        f"out of GPU memory embedding this take alone ({clip.duration_s:.1f} s, {clip.frames} frames): it "
        "needs a GPU with more free memory",
        error,
    )
