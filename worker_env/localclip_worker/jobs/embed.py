"""``embed``: a speaker embedding per audio clip, with a WeSpeaker ResNet model folder.

params: ``model_dir`` (config.yaml + avg_model.pt), ``device`` (``auto``, ``cpu``, ``cuda``), ``batch_size``
(most clips per batch, 0: adapt), ``batch_frames`` (padded frames per forward pass; 0 picks one for the
device), ``io_threads`` (decoding threads, 4) and ``torch_threads`` (torch's CPU threads; 0: as started).
items: ``{"id", "path"}``. Result: ``embedding_b64`` (little-endian float32), ``dim``, ``duration`` (s),
``sample_rate`` (the file's), ``frames``. The embeddings equal WeSpeaker's ``extract_embedding`` (VAD off)
to float rounding: see :mod:`localclip_worker.embedding.batching`.
"""

from __future__ import annotations

import base64
import ctypes
import logging
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import torch

from localclip_worker import protocol
from localclip_worker.embedding.batching import FrozenCpuEmbedder, MaskedResNetEmbedder
from localclip_worker.embedding.budget import CUDA_CAP_FRAMES, CUDA_START_FRAMES, FrameBudget
from localclip_worker.embedding.features import Clip, load_clip
from localclip_worker.embedding.models import LoadedModel, ModelError, load_model_dir
from localclip_worker.gpu_memory import OutOfGpuMemory, is_out_of_memory
from localclip_worker.job import BadInput, ItemContext
from localclip_worker.jobs.params import apply_torch_threads, int_param, pick_device
from localclip_worker.memory import resident_bytes

log = logging.getLogger(__name__)

Outcome = dict[str, Any] | Exception
Decoded = tuple[str, Clip | Exception]

DEFAULT_IO_THREADS = 4  # decoding is mostly libsndfile and fbank, which release the GIL
# CPU: one clip per pass. Batching gains nothing there and the masking costs copies (measured, ResNet34,
# 2 cores, 147 s of audio: 5.0 s one at a time, 5.8 s at 1000 padded frames, 10.3 s at 4000).
CPU_BATCH_FRAMES = 1
# CUDA: from CUDA_START_FRAMES up to CUDA_CAP_FRAMES, adapted to the GPU's memory (embedding/budget.py).
# glibc hands freed blocks of 128 KiB or more back to the kernel (munmap, heap trimming) and raises that
# threshold only slowly, while a ResNet pass on the CPU allocates activations of several MB per layer in
# sizes that change with every clip: each pass faulted fresh zeroed pages in. Fixed thresholds keep the
# freed blocks for the next pass (32 MiB is the largest mmap threshold glibc accepts). Measured, ResNet34,
# 1 thread, 60 clips of 1-10 s, one per pass: the frozen graph 18.5 s -> 17.7 s (374,000 -> 129,000 page
# faults), the module 22.4 s -> 20.5 s (861,000 -> 219,000); peak RSS +2 % and +11 %. Set for one clip
# per pass on the CPU only, the case measured.
MALLOC_MMAP_THRESHOLD = (-3, 32 << 20)  # (M_MMAP_THRESHOLD, bytes)
MALLOC_TRIM_THRESHOLD = (-1, 256 << 20)  # (M_TRIM_THRESHOLD, bytes)
UNLIMITED_FRAMES = 1 << 40  # with batch_size set on the CPU, only the clip count limits a batch
WINDOW_ITEMS = 128  # clips sorted together by length, so batches pad little
PREFETCH_ITEMS = 2 * WINDOW_ITEMS  # a whole window decodes while the previous one runs; bounds memory
WINDOW_BUDGETS = 4  # a window holds about this many batches' worth of frames


class EmbedJob:
    def __init__(self) -> None:
        self._loaded: LoadedModel | None = None
        self._embedder: MaskedResNetEmbedder | None = None
        # One clip per pass on the CPU (the default there) goes through a frozen oneDNN graph of the model,
        # built on first need; None where it could not be built, and then the module does it all.
        self._frozen: FrozenCpuEmbedder | None = None
        self._frozen_tried = False
        self._one_at_a_time = False  # the budget is the CPU's one clip per pass
        self._source: tuple[str, str] = ("", "")  # model_dir and device asked for, of the loaded model
        self._device = torch.device("cpu")
        self._budget = FrameBudget(CPU_BATCH_FRAMES, CPU_BATCH_FRAMES)
        self._batch_frames: (
            tuple[int, int] | int
        ) = -1  # the (batch_frames, batch_size) the budget was made for
        self._batch_size = 0  # most clips per batch; 0: as many as the frame budget allows

    # -- setup ----------------------------------------------------------------------------------------------

    def setup(self, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        apply_torch_threads(params, "torch_threads")
        loaded = self._load(params)
        forward = "frozen oneDNN graph" if self._use_frozen() else "module"  # built here: part of set-up
        facts: dict[str, Any] = {
            "load_seconds": time.perf_counter() - started,
            "memory_bytes": resident_bytes(),
            "embed_dim": loaded.embed_dim,
            "model_name": loaded.model_name,
            "device": str(self._device),
            "ignored_keys": len(loaded.ignored_keys),
            # torch's intra-op threads: its default (one per core) unless OMP_NUM_THREADS or the
            # torch_threads param say otherwise, as the app's plan does (localclip/runs/setup.py).
            "threads": torch.get_num_threads(),
            "io_threads": _io_threads(params),
            "forward": forward,
        }
        if self._device.type == "cuda":
            facts["cuda_memory_allocated"] = int(torch.cuda.memory_allocated(self._device))
        return facts

    def _load(self, params: dict[str, Any]) -> LoadedModel:
        model_dir = params.get("model_dir")
        if not isinstance(model_dir, str) or not model_dir:
            raise BadInput("params need 'model_dir', the folder with config.yaml and avg_model.pt")
        asked = params.get("device", "auto")
        device = pick_device(asked)
        # cudnn.benchmark stays off: batches change shape all the time, and it would re-tune for each shape.
        try:
            loaded = load_model_dir(Path(model_dir), device)
        except ModelError as error:  # a bad model folder is the user's input: reported, never retried
            raise BadInput(str(error)) from error
        self._loaded, self._embedder = loaded, MaskedResNetEmbedder(loaded.model)
        self._frozen, self._frozen_tried = None, False
        self._source, self._device = _source(params), device
        self._batch_frames = -1
        self._set_budget(params)
        return loaded

    def _set_budget(self, params: dict[str, Any]) -> None:
        frames = int_param(params, "batch_frames", 0, minimum=0)
        self._batch_size = int_param(params, "batch_size", 0, minimum=0)
        if (frames, self._batch_size) == self._batch_frames:
            return  # keep what this worker learnt about its GPU memory
        self._batch_frames = (frames, self._batch_size)
        self._one_at_a_time = frames == 0 and self._batch_size == 0 and self._device.type == "cpu"
        if frames > 0:  # the caller's choice: the most, halved on out-of-memory and grown back to it
            self._budget = FrameBudget(frames, frames)
        elif self._batch_size > 0 and self._device.type != "cuda":  # a clip count alone decides on the CPU
            self._budget = FrameBudget(UNLIMITED_FRAMES, UNLIMITED_FRAMES)
        elif self._device.type == "cuda":
            self._budget = FrameBudget(CUDA_START_FRAMES, CUDA_CAP_FRAMES)
        else:
            self._budget = FrameBudget(CPU_BATCH_FRAMES, CPU_BATCH_FRAMES)

    # -- items ----------------------------------------------------------------------------------------------

    def run_items(
        self, items: list[dict[str, Any]], params: dict[str, Any], context: ItemContext
    ) -> Iterator[tuple[str, Outcome]]:
        if self._loaded is None or self._source != _source(params):
            self._load(params)  # the worker sets a job up once per kind: a later run may name another model
        self._set_budget(params)
        apply_torch_threads(params, "torch_threads")
        executor = ThreadPoolExecutor(max_workers=_io_threads(params), thread_name_prefix="embed-io")
        try:
            for window in self._windows(items, executor):
                clips: list[tuple[str, Clip]] = []
                for item_id, decoded in window:
                    if isinstance(decoded, Exception):
                        yield item_id, decoded
                    else:
                        clips.append((item_id, decoded))
                yield from self._embed_window(clips, context)
                if context.cancelled:
                    return
        finally:
            executor.shutdown(wait=False, cancel_futures=True)  # a cancelled run does not wait for decoding

    def _windows(self, items: list[dict[str, Any]], executor: ThreadPoolExecutor) -> Iterator[list[Decoded]]:
        """Decoded items in windows of about WINDOW_BUDGETS batches, decoding PREFETCH_ITEMS ahead."""
        pending: deque[tuple[str, Future[Clip | Exception]]] = deque()
        queue = iter(items)

        def refill() -> None:
            while len(pending) < PREFETCH_ITEMS and (item := next(queue, None)) is not None:
                pending.append((str(item["id"]), executor.submit(_decode, item)))

        refill()
        while pending:
            window: list[Decoded] = []
            frames = 0
            while pending and len(window) < WINDOW_ITEMS and frames < WINDOW_BUDGETS * self._budget.frames:
                item_id, future = pending.popleft()
                refill()
                decoded = future.result()
                window.append((item_id, decoded))
                frames += decoded.frames if isinstance(decoded, Clip) else 0
            yield window

    def _embed_window(
        self, clips: list[tuple[str, Clip]], context: ItemContext
    ) -> Iterator[tuple[str, Outcome]]:
        queue = deque(sorted(clips, key=lambda entry: entry[1].frames))
        while queue:
            if context.cancelled:
                return
            batch = self._take(queue)
            used = len(batch) * batch[-1][1].frames
            vectors = self._forward([clip.features for _, clip in batch])
            if isinstance(vectors, Exception):
                self._budget.out_of_memory(used)
                if len(batch) == 1:
                    yield batch[0][0], _out_of_memory(batch[0][1], vectors)
                else:
                    queue.extendleft(reversed(batch))  # the same clips again, in smaller batches
                continue
            self._budget.succeeded(used)
            for (item_id, clip), vector in zip(batch, vectors, strict=True):
                yield item_id, _result(clip, vector)

    def _take(self, queue: deque[tuple[str, Clip]]) -> list[tuple[str, Clip]]:
        """The next clips (shortest first) whose padded size fits the budget; at least one."""
        batch = [queue.popleft()]
        room = self._batch_size or len(queue) + 1
        while queue and len(batch) < room and (len(batch) + 1) * queue[0][1].frames <= self._budget.frames:
            batch.append(queue.popleft())
        return batch

    def _use_frozen(self) -> bool:
        """Whether passes go through the frozen CPU graph; sets one clip per pass up on first need."""
        if not self._one_at_a_time:
            return False
        if not self._frozen_tried:
            assert self._loaded is not None
            self._frozen_tried = True
            _keep_freed_memory()
            try:
                self._frozen = FrozenCpuEmbedder(self._loaded.model)
            except Exception:  # any torch that cannot trace or freeze this model: the module does it
                log.warning("no frozen CPU graph for this model; running the module", exc_info=True)
        return self._frozen is not None

    def _forward(self, features: list[torch.Tensor]) -> torch.Tensor | Exception:
        """The batch's embeddings, or the exception that says the GPU ran out of memory for it."""
        assert self._embedder is not None
        embedder = self._frozen if self._use_frozen() else self._embedder
        try:
            return embedder.embed_batch(features)
        except Exception as error:
            if not is_out_of_memory(error):
                raise
            failure = error
        # Outside the except block, so the traceback's frames (and their tensors) are gone before the
        # cache is emptied.
        failure.__traceback__ = None
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        log.warning("out of GPU memory for %d clips (%s): %s", len(features), type(failure).__name__, failure)
        return failure


def _keep_freed_memory() -> None:
    """Have glibc keep freed activation memory for the next pass (see MALLOC_MMAP_THRESHOLD)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): its allocator as it is
        return
    for option, value in (MALLOC_MMAP_THRESHOLD, MALLOC_TRIM_THRESHOLD):
        if mallopt(option, value) != 1:
            log.info("mallopt(%d, %d) was refused", option, value)


def _decode(item: dict[str, Any]) -> Clip | Exception:
    """Runs in an I/O thread; every failure comes back as the item's outcome, never raised."""
    path = item.get("path")
    if not isinstance(path, str) or not path:
        return BadInput("the item has no 'path'")
    try:
        return load_clip(path)
    except BadInput as error:
        # A fresh BadInput without the decoder's exception as its cause: the worker reports an outcome's
        # cause's type as its failure code, and this one is bad input, not an exception.
        return BadInput(str(error))
    except Exception as error:  # one odd file must not stop the others
        log.exception("reading %s failed", path)
        failure = RuntimeError(f"could not read the audio: {type(error).__name__}: {error}")
        failure.__cause__ = error
        return failure


def _result(clip: Clip, vector: torch.Tensor) -> Outcome:
    if not bool(torch.isfinite(vector).all()):
        return BadInput("the model produced a non-finite embedding")
    data = vector.numpy().astype("<f4").tobytes()
    return {
        "embedding_b64": base64.b64encode(data).decode("ascii"),
        "dim": int(vector.shape[0]),
        "duration": clip.duration_s,
        "sample_rate": clip.sample_rate,
        "frames": clip.frames,
    }


def _out_of_memory(clip: Clip, error: Exception) -> Exception:
    # Reported as out_of_memory, which the pool retries (another worker may have more room) a few times
    # before the clip fails with this reason. What CUDA said comes last: some of the errors taken for
    # out-of-memory (gpu_memory.py) can have another cause.
    said = protocol.truncate((str(error).splitlines() or [""])[0], 160)
    failure = OutOfGpuMemory(
        f"out of GPU memory for this clip alone ({clip.duration_s:.1f} s, {clip.frames} frames): it needs a "
        f"GPU with more free memory, or cutting into shorter clips ({type(error).__name__}: {said})"
    )
    failure.__cause__ = error  # for a traceback in the log; the code comes from the failure itself
    return failure


def _io_threads(params: dict[str, Any]) -> int:
    return int_param(params, "io_threads", DEFAULT_IO_THREADS, minimum=1)


def _source(params: dict[str, Any]) -> tuple[str, str]:
    return str(params.get("model_dir")), str(params.get("device", "auto"))


def create() -> EmbedJob:
    return EmbedJob()
