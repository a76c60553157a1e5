"""One batch of decoded clips through the device without the host waiting: copy in, front end, model,
copy out.

On a GPU, :meth:`DevicePipeline.launch` only queues work and returns:
- each clip's samples (page-locked by the I/O thread that decoded them) and the frame counts are copied
  into one zero-padded device buffer on a copy stream of their own, non-blocking, so the copies of the
  next batch overlap the compute of this one;
- the compute stream waits for that copy on the device (an event), not the host; the front end builds
  every mask on the device from the copied frame counts;
- the embeddings are copied back into page-locked memory, non-blocking, and an event marks the end.
:meth:`Pending.wait` is the one host synchronisation of a batch, made by whoever encodes the results (a
thread of the embedding job other than the one that launches).

On the CPU the same steps run in order and :meth:`Pending.wait` returns at once; it is still counted, so
a test on the CPU sees one wait per batch and no other synchronisation (tests/test_embed_frontend.py).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import torch

from localclip_worker.embedding.batching import BatchEmbedder
from localclip_worker.embedding.features import Audio
from localclip_worker.embedding.frontend import FbankFrontEnd, RateGroup


class Precision(Enum):
    """How the model's forward pass computes on a GPU; the front end is always float32.

    EXACT is float32 with TF32 off, the reference every other mode is measured against (cosine of each
    embedding to the exact one: bench/gpu_phases/embed_precision.py). On the CPU every mode runs EXACT.
    """

    EXACT = "exact"
    TF32 = "tf32"  # float32 storage, TF32 tensor-core matmuls and convolutions
    BF16 = "bf16"  # autocast to bfloat16
    FP16 = "fp16"  # autocast to float16

    @classmethod
    def parse(cls, value: object) -> Precision:
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(mode.value for mode in cls)
            raise ValueError(f"unknown precision {value!r}; one of {names}") from None


AUTOCAST = {Precision.BF16: torch.bfloat16, Precision.FP16: torch.float16}


def apply_precision(precision: Precision, device: torch.device) -> None:
    """Set torch's process-wide TF32 switches for ``precision`` (a worker runs one job at a time)."""
    if device.type != "cuda":
        return
    tf32 = precision is not Precision.EXACT  # autocast modes leave their float32 layers to TF32 as well
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32


@dataclass
class Pending:
    """A launched batch: its embeddings once :meth:`wait` returns."""

    rows: torch.Tensor  # [B, D] float32 on the CPU (page-locked on a GPU), filled when ``done`` fires
    order: list[int]  # row k is the embedding of the launched clips[order[k]]
    done: torch.cuda.Event | None  # None on the CPU: the rows are already there
    counter: SyncCounter

    def wait(self) -> torch.Tensor:
        self.counter.count()
        if self.done is not None:
            self.done.synchronize()
        return self.rows


@dataclass
class Features:
    """A batch's features on the device, in launch order (grouped by sample rate)."""

    features: torch.Tensor  # [B, T, 80] float32, zero past each clip's frames
    frames: list[int]
    frames_on_device: torch.Tensor  # int64 [B]
    order: list[int]  # row k is clips[order[k]]


class SyncCounter:
    """Host waits on the device, counted (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waits = 0

    def count(self) -> None:
        with self._lock:
            self.waits += 1


class DevicePipeline:
    """Launches batches of decoded clips on one device. Used from one thread (the job's); the
    :class:`Pending` it returns may be waited on from another."""

    def __init__(
        self,
        front_end: FbankFrontEnd,
        embedder: BatchEmbedder,
        precision: Precision = Precision.EXACT,
        channels_last: bool = False,
    ) -> None:
        self.front_end = front_end
        self.embedder = embedder
        self.device = front_end.device
        self.precision = precision if self.device.type == "cuda" else Precision.EXACT
        self.channels_last = channels_last and self.device.type == "cuda"
        self.syncs = SyncCounter()
        cuda = self.device.type == "cuda"
        self._copy_stream = torch.cuda.Stream(self.device) if cuda else None
        if self.channels_last:
            embedder.model.to(memory_format=torch.channels_last)

    def launch(self, clips: Sequence[Audio]) -> Pending:
        """Queue ``clips`` through the device, grouped by sample rate; row k of the result is the embedding
        of ``clips[pending.order[k]]`` (reordering on the device would cost an index copy).

        Raises what the device raises at launch, which is where CUDA reports running out of memory.
        """
        batch = self.features(clips)
        return self._copy_out(self.forward(batch), batch.order)

    def forward(self, batch: Features) -> torch.Tensor:
        """The model step alone: [B, D] float32 on the device, at this pipeline's precision."""
        with torch.inference_mode(), self._autocast():
            return self.embedder.forward(batch.features, batch.frames, batch.frames_on_device).float()

    def features_of(self, features: Sequence[torch.Tensor]) -> Features:
        """A batch of features computed elsewhere ([T, 80] each), padded on the device: for measuring the
        model step alone (bench/embed_ceiling.py)."""
        frames = [int(f.shape[0]) for f in features]
        padded = torch.nn.utils.rnn.pad_sequence([f.to(self.device) for f in features], batch_first=True)
        counts = torch.tensor(frames, dtype=torch.int64, device=self.device)
        return Features(padded, frames, counts, list(range(len(frames))))

    def features(self, clips: Sequence[Audio]) -> Features:
        """Copy ``clips`` in and compute their features on the device (the first half of :meth:`launch`)."""
        order = sorted(range(len(clips)), key=lambda i: (clips[i].rate, clips[i].frames))
        ordered = [clips[i] for i in order]
        waves, frames_on_device = self._copy_in(ordered)
        frames = [clip.frames for clip in ordered]
        with torch.inference_mode():
            features = self.front_end.features(_groups(ordered, waves, frames), frames_on_device)
        return Features(features, frames, frames_on_device, order)

    # -- copies -------------------------------------------------------------------------------------------

    def _copy_in(self, clips: Sequence[Audio]) -> tuple[list[torch.Tensor], torch.Tensor]:
        """One zero-padded [b, N] buffer per sample rate, and the frame counts, on the device."""
        counts = torch.tensor([clip.frames for clip in clips], dtype=torch.int64)
        if self._copy_stream is None:
            return [_padded(group) for group in _by_rate(clips)], counts
        # Allocated on the copy stream, the buffers come from its own pool, which the compute stream's
        # frees (below, record_stream) rejoin only once their kernels are done: no wait between streams.
        stream, compute = self._copy_stream, torch.cuda.current_stream(self.device)
        with torch.cuda.stream(stream):
            buffers = []
            for group in _by_rate(clips):
                buffer = torch.zeros(len(group), max(len(c.samples) for c in group), device=self.device)
                for row, clip in enumerate(group):
                    buffer[row, : len(clip.samples)].copy_(clip.samples, non_blocking=True)
                buffers.append(buffer)
            counts_on_device = counts.pin_memory().to(self.device, non_blocking=True)
        compute.wait_stream(stream)
        for tensor in (*buffers, counts_on_device):
            tensor.record_stream(compute)  # the allocator must not hand them out while compute reads them
        return buffers, counts_on_device

    def _copy_out(self, rows: torch.Tensor, order: list[int]) -> Pending:
        if self.device.type != "cuda":
            return Pending(rows, order, None, self.syncs)
        host = torch.empty(rows.shape, dtype=rows.dtype, pin_memory=True)
        host.copy_(rows, non_blocking=True)
        done = torch.cuda.Event()
        done.record(torch.cuda.current_stream(self.device))
        return Pending(host, order, done, self.syncs)

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        dtype = AUTOCAST.get(self.precision)
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=dtype)


def _by_rate(clips: Sequence[Audio]) -> Iterator[list[Audio]]:
    """Consecutive clips of one sample rate (``clips`` are sorted by rate)."""
    for _, group in itertools.groupby(clips, key=lambda clip: clip.rate):
        yield list(group)


def _padded(group: Sequence[Audio]) -> torch.Tensor:
    return torch.nn.utils.rnn.pad_sequence([clip.samples for clip in group], batch_first=True)


def _groups(clips: Sequence[Audio], waves: Sequence[torch.Tensor], frames: Sequence[int]) -> list[RateGroup]:
    groups, start = [], 0
    for group, buffer in zip(_by_rate(clips), waves, strict=True):
        groups.append(RateGroup(group[0].rate, buffer, frames[start : start + len(group)]))
        start += len(group)
    return groups
