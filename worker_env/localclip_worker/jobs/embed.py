"""``embed``: a speaker embedding per audio clip, with a WeSpeaker model folder (ResNet, CAM++, ECAPA-TDNN,
ERes2Net).

params: ``model_dir`` (config.yaml + avg_model.pt), ``device`` (``auto``, ``cpu``, ``cuda``), ``batch_size``
(most clips per batch, 0: adapt), ``batch_frames`` (padded frames per forward pass; 0 picks one for the
device), ``io_threads`` (decoding threads, 4), ``torch_threads`` (torch's CPU threads; 0: as started),
``precision`` (``exact``, ``tf32``, ``bf16``, ``fp16``: the model's arithmetic on a GPU; the CPU runs exact)
and ``channels_last`` (a GPU's convolutions in channels-last layout).

Where the work runs: the I/O threads decode (soundfile) and check each clip; on a GPU, or whenever clips
are batched, the front end (resampling, fbank, CMN) and the model run batched on the device through
:class:`~localclip_worker.embedding.pipeline.DevicePipeline`, and a thread of its own waits for each
batch and encodes its results, so the launching thread never waits on the device. On the CPU, one clip
per pass (the default there), the I/O threads also compute the features and the model runs as a frozen
oneDNN graph.
items: ``{"id", "path"}``. Result: ``embedding_b64`` (little-endian float32), ``dim``, ``duration`` (s),
``sample_rate`` (the file's), ``frames``. The embeddings equal WeSpeaker's ``extract_embedding`` (VAD off)
to float rounding, batched as the model's family allows: see :mod:`localclip_worker.embedding.batching`.
"""

from __future__ import annotations

import base64
import ctypes
import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import torch

from localclip_worker.embedding.batching import BatchEmbedder, FrozenCpuEmbedder, Grouping, make_embedder
from localclip_worker.embedding.budget import CUDA_CAP_FRAMES, CUDA_START_FRAMES, FrameBudget
from localclip_worker.embedding.features import Audio, Clip, clip_features, read_audio
from localclip_worker.embedding.frontend import INT16_SCALE, FbankFrontEnd
from localclip_worker.embedding.models import LoadedModel, ModelError, load_model_dir
from localclip_worker.embedding.pipeline import DevicePipeline, Pending, Precision, apply_precision
from localclip_worker.gpu_memory import is_out_of_memory, too_large_alone
from localclip_worker.job import BadInput, ItemContext, SetupError
from localclip_worker.jobs.params import apply_torch_threads, int_param, pick_device
from localclip_worker.memory import give_back_cached_memory, resident_bytes

log = logging.getLogger(__name__)

Outcome = dict[str, Any] | Exception
Decoded = Audio | Clip  # a Clip (with its features) on the CPU one clip per pass, else Audio
Entry = tuple[str, Decoded]

DEFAULT_IO_THREADS = 4  # decoding is mostly libsndfile, which releases the GIL
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
# Clips sorted together by length, so batches pad little: on a GPU a window holds a few full batches
# (65,536 frames are about 130 clips of 5 s); the decoded samples of the prefetched clips are page-locked
# (1,024 clips of 5 s at 48 kHz: about 1 GB), on the CPU four times fewer.
WINDOW_ITEMS = {"cuda": 512, "cpu": 128}
WINDOW_BUDGETS = 4  # a window holds about this many batches' worth of frames
IN_FLIGHT_BATCHES = 3  # launched and not yet encoded: enough to keep a GPU busy, bounded host memory


class EmbedJob:
    def __init__(self) -> None:
        self._loaded: LoadedModel | None = None
        self._embedder: BatchEmbedder | None = None
        self._pipeline: DevicePipeline | None = None
        self._front_end: FbankFrontEnd | None = None
        # One clip per pass on the CPU (the default there) goes through a frozen oneDNN graph of the model,
        # built on first need; None where it could not be built, and then the module does it all.
        self._frozen: FrozenCpuEmbedder | None = None
        self._frozen_tried = False
        self._one_at_a_time = False  # the budget is the CPU's one clip per pass
        self._source: tuple[str, ...] = ()  # the params the loaded model was set up from
        self._device = torch.device("cpu")
        self._budget = FrameBudget(CPU_BATCH_FRAMES, CPU_BATCH_FRAMES)
        self._batch_frames: tuple[int, int] | None = None  # the (batch_frames, batch_size) of the budget
        self._batch_size = 0  # most clips per batch; 0: as many as the frame budget allows
        self._encoder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed-encode")

    # -- setup ----------------------------------------------------------------------------------------------

    def setup(self, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        apply_torch_threads(params, "torch_threads")
        loaded = self._load(params)
        forward = "frozen oneDNN graph" if self._use_frozen() else "module"  # built here: part of set-up
        assert self._pipeline is not None and self._embedder is not None
        facts: dict[str, Any] = {
            "load_seconds": time.perf_counter() - started,
            "memory_bytes": resident_bytes(),
            "embed_dim": loaded.embed_dim,
            "model_name": loaded.model_name,
            "family": loaded.family,
            "grouping": self._embedder.grouping.value,
            "device": str(self._device),
            "precision": self._pipeline.precision.value,
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
        """Load the model and build the device path; every failure here is a set-up error, which stops the
        run once instead of failing each clip."""
        model_dir = params.get("model_dir")
        if not isinstance(model_dir, str) or not model_dir:
            raise SetupError("params need 'model_dir', the folder with config.yaml and avg_model.pt")
        try:
            device = pick_device(params.get("device", "auto"))
            precision = Precision.parse(params.get("precision", Precision.EXACT.value))
            loaded = load_model_dir(Path(model_dir), device)
        except (ModelError, BadInput, ValueError) as error:
            raise SetupError(str(error)) from error
        # cudnn.benchmark stays off: batches change shape all the time, and it would re-tune for each shape.
        apply_precision(precision, device)
        front_end = FbankFrontEnd(device, loaded.window_type, INT16_SCALE if loaded.int16_scale else 1.0)
        embedder = make_embedder(loaded)
        channels_last = bool(params.get("channels_last", False))
        self._loaded, self._embedder, self._front_end = loaded, embedder, front_end
        self._pipeline = DevicePipeline(front_end, embedder, precision, channels_last)
        self._frozen, self._frozen_tried = None, False
        self._source, self._device = _source(params), device
        self._batch_frames = None
        self._set_budget(params)
        return loaded

    def _set_budget(self, params: dict[str, Any]) -> None:
        frames = int_param(params, "batch_frames", 0, minimum=0)
        self._batch_size = int_param(params, "batch_size", 0, minimum=0)
        if (frames, self._batch_size) == self._batch_frames:
            return  # keep what this worker learnt about its GPU memory
        self._batch_frames = (frames, self._batch_size)
        self._one_at_a_time = self._device.type == "cpu" and frames == 0 and self._batch_size == 0
        if frames > 0:  # the caller's choice: the most, halved on out-of-memory and grown back to it
            self._budget = FrameBudget(frames, frames)
        elif self._batch_size > 0 and self._device.type != "cuda":  # a clip count alone decides on the CPU
            self._budget = FrameBudget(UNLIMITED_FRAMES, UNLIMITED_FRAMES)
        elif self._device.type == "cuda":
            self._budget = FrameBudget(CUDA_START_FRAMES, CUDA_CAP_FRAMES)
        else:
            self._budget = FrameBudget(CPU_BATCH_FRAMES, CPU_BATCH_FRAMES)

    def forward_step(self, features: list[torch.Tensor]) -> torch.Tensor:
        """The model step alone over features computed beforehand ([T, 80] each, best already on the
        device), as this job runs it: the benchmarks' ceiling. [B, D] on the device; raises what it raises."""
        assert self._pipeline is not None and self._embedder is not None
        if self._one_at_a_time:
            embedder = self._frozen if self._use_frozen() else self._embedder
            return torch.cat([embedder.embed_batch([f]) for f in features])
        return self._pipeline.forward(self._pipeline.features_of(features))

    @property
    def model(self) -> torch.nn.Module:
        assert self._loaded is not None, "set the job up first"
        return self._loaded.model

    # -- items ----------------------------------------------------------------------------------------------

    def run_items(
        self, items: list[dict[str, Any]], params: dict[str, Any], context: ItemContext
    ) -> Iterator[tuple[str, Outcome]]:
        if self._loaded is None or self._source != _source(params):
            self._load(params)  # the worker sets a job up once per kind: a later run may name another model
        self._set_budget(params)
        apply_torch_threads(params, "torch_threads")
        executor = ThreadPoolExecutor(max_workers=_io_threads(params), thread_name_prefix="embed-io")
        in_flight: deque[Future[list[tuple[str, Outcome]]]] = deque()
        try:
            for window in self._windows(items, executor):
                decoded: list[Entry] = []
                for item_id, outcome in window:
                    if isinstance(outcome, Exception):
                        yield item_id, outcome
                    else:
                        decoded.append((item_id, outcome))
                if self._one_at_a_time:
                    yield from self._embed_one_by_one(decoded, context)  # type: ignore[arg-type]
                else:
                    yield from self._launch_window(decoded, in_flight, context)
                if context.cancelled:
                    break
            while in_flight:  # launched work is done work: report it, cancelled or not
                yield from in_flight.popleft().result()
        finally:
            executor.shutdown(wait=False, cancel_futures=True)  # a cancelled run does not wait for decoding

    def _windows(self, items: list[dict[str, Any]], executor: ThreadPoolExecutor) -> Iterator[list[Entry]]:
        """Decoded items in windows of about WINDOW_BUDGETS batches, decoding a window ahead."""
        pending: deque[tuple[str, Future[Decoded | Exception]]] = deque()
        queue = iter(items)
        window_items = WINDOW_ITEMS["cuda" if self._device.type == "cuda" else "cpu"]
        decode = self._decoder()

        def refill() -> None:
            while len(pending) < 2 * window_items and (item := next(queue, None)) is not None:
                pending.append((str(item["id"]), executor.submit(decode, item)))

        refill()
        while pending:
            window: list[Entry] = []
            frames = 0
            while pending and len(window) < window_items and frames < WINDOW_BUDGETS * self._budget.frames:
                item_id, future = pending.popleft()
                refill()
                decoded = future.result()
                window.append((item_id, decoded))  # type: ignore[arg-type]
                frames += 0 if isinstance(decoded, Exception) else decoded.frames
            yield window

    def _decoder(self) -> Callable[[dict[str, Any]], Decoded | Exception]:
        """What an I/O thread does with an item: decode it, and on the CPU one by one its features too."""
        assert self._loaded is not None and self._front_end is not None
        min_frames, front_end = self._loaded.min_frames, self._front_end
        pin, one_at_a_time = self._device.type == "cuda", self._one_at_a_time

        def decode(item: dict[str, Any]) -> Decoded | Exception:
            audio = _decode(item, min_frames, pin)
            if isinstance(audio, Exception) or not one_at_a_time:
                return audio
            return clip_features(audio, front_end)

        return decode

    # -- batched, on the device -----------------------------------------------------------------------------

    def _launch_window(
        self,
        entries: list[Entry],
        in_flight: deque[Future[list[tuple[str, Outcome]]]],
        context: ItemContext,
    ) -> Iterator[tuple[str, Outcome]]:
        assert self._pipeline is not None
        queue = deque(sorted(entries, key=lambda entry: entry[1].frames))
        while queue:
            if context.cancelled:
                return
            batch = self._take(queue)
            used = len(batch) * batch[-1][1].frames
            try:
                pending = self._pipeline.launch([audio for _, audio in batch])  # type: ignore[misc]
            except Exception as error:
                failure = self._out_of_memory_or_raise(error, len(batch))
                self._budget.out_of_memory(used)
                if len(batch) == 1:
                    yield batch[0][0], _out_of_memory(batch[0][1], failure)
                else:
                    queue.extendleft(reversed(batch))  # the same clips again, in smaller batches
                continue
            self._budget.succeeded(used)
            in_flight.append(self._encoder.submit(_encode_batch, pending, batch))
            while in_flight and (in_flight[0].done() or len(in_flight) > IN_FLIGHT_BATCHES):
                yield from in_flight.popleft().result()

    def _take(self, queue: deque[Entry]) -> list[Entry]:
        """The next clips (shortest first) whose padded size fits the budget, as the model's grouping
        allows; at least one."""
        assert self._embedder is not None
        batch = [queue.popleft()]
        equal_length = self._embedder.grouping is Grouping.EQUAL_LENGTH
        room = self._batch_size or len(queue) + 1
        while queue and len(batch) < room and (len(batch) + 1) * queue[0][1].frames <= self._budget.frames:
            if equal_length and queue[0][1].frames != batch[0][1].frames:
                break
            batch.append(queue.popleft())
        return batch

    @staticmethod
    def _out_of_memory_or_raise(error: Exception, clips: int) -> Exception:
        if not is_out_of_memory(error):
            raise error
        give_back_cached_memory(error)
        log.warning("out of GPU memory for %d clips (%s): %s", clips, type(error).__name__, error)
        return error

    # -- one by one, on the CPU -----------------------------------------------------------------------------

    def _embed_one_by_one(
        self, clips: list[tuple[str, Clip]], context: ItemContext
    ) -> Iterator[tuple[str, Outcome]]:
        assert self._embedder is not None
        embedder = self._frozen if self._use_frozen() else self._embedder
        for item_id, clip in clips:
            if context.cancelled:
                return
            vector = embedder.embed_batch([clip.features])
            yield item_id, _encode(vector.numpy()[0], clip)

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


def _encode_batch(pending: Pending, batch: Sequence[Entry]) -> list[tuple[str, Outcome]]:
    """In the encoding thread: wait for the batch (the one host synchronisation) and encode its rows."""
    rows = pending.wait().numpy()
    return [(batch[index][0], _encode(rows[k], batch[index][1])) for k, index in enumerate(pending.order)]


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


def _decode(item: dict[str, Any], min_frames: int, pin: bool) -> Audio | Exception:
    """Runs in an I/O thread; every failure comes back as the item's outcome, never raised."""
    path = item.get("path")
    if not isinstance(path, str) or not path:
        return BadInput("the item has no 'path'")
    try:
        return read_audio(path, min_frames, pin)
    except BadInput as error:
        # A fresh BadInput without the decoder's exception as its cause: the worker reports an outcome's
        # cause's type as its failure code, and this one is bad input, not an exception.
        return BadInput(str(error))
    except Exception as error:  # one odd file must not stop the others
        log.exception("reading %s failed", path)
        failure = RuntimeError(f"could not read the audio: {type(error).__name__}: {error}")
        failure.__cause__ = error
        return failure


def _encode(vector: np.ndarray, clip: Decoded) -> Outcome:
    if not np.isfinite(vector).all():
        return BadInput("the model produced a non-finite embedding")
    return {
        "embedding_b64": base64.b64encode(vector.astype("<f4", copy=False).tobytes()).decode("ascii"),
        "dim": int(vector.shape[0]),
        "duration": clip.duration_s,
        "sample_rate": clip.rate if isinstance(clip, Audio) else clip.sample_rate,
        "frames": clip.frames,
    }


def _out_of_memory(clip: Decoded, error: Exception) -> Exception:
    return too_large_alone(
        f"out of GPU memory for this clip alone ({clip.duration_s:.1f} s, {clip.frames} frames): it needs a "
        "GPU with more free memory, or cutting into shorter clips",
        error,
    )


def _io_threads(params: dict[str, Any]) -> int:
    return int_param(params, "io_threads", DEFAULT_IO_THREADS, minimum=1)


def _source(params: dict[str, Any]) -> tuple[str, ...]:
    """What the loaded model and its device path were built from: a change means a new set-up."""
    keys = ("model_dir", "device", "precision", "channels_last")
    return tuple(str(params.get(key, "")) for key in keys)


def create() -> EmbedJob:
    return EmbedJob()
