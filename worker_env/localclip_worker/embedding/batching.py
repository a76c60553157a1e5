"""Batched WeSpeaker embeddings that equal one-at-a-time extraction, for each model family.

Zero-padding alone is not enough: each conv would see the padded steps of the activations (which
BatchNorm's shift makes non-zero) through its receptive field, and the pooling would average them in.
For ResNet and ERes2Net (:attr:`Grouping.MASKED`) a forward pre-hook on every Conv2d zeroes each
utterance's steps beyond its valid length while a batch runs, exactly what a lone utterance's conv sees
as its own zero padding, and a forward hook on the TSTP pooling replaces it by the same statistics taken
over the valid steps only. Eval-mode BatchNorm, the activations and ERes2Net's attentional fusion are per
step, so nothing else mixes time steps. The valid lengths follow the tensor: each conv's output length is
computed from its real kernel, stride, padding and dilation on the time axis, on the host (to know which
sizes need a mask) and on the device (to build the masks without copying anything to it).

CAM++ (context-aware masking over 100-frame segments and the whole utterance) and ECAPA-TDNN
(squeeze-excitation means and attentive pooling over the whole utterance) mix every step into every other
outside any conv: no hook can mask that exactly, so they batch only utterances of equal length
(:attr:`Grouping.EQUAL_LENGTH`), which is exact with no padding at all. So does a ResNet or ERes2Net
whose pooling is not TSTP.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from localclip_worker.embedding.models import FEAT_DIM, LoadedModel

TSTP_EPS = 1e-7  # WeSpeaker's TSTP: sqrt(unbiased var + 1e-7)
MASKABLE_FAMILIES = ("ResNet", "ERes2Net")  # only convs and the pooling act across time
# The frozen CPU graph is traced on the last of these lengths (frames) and checked against the module on
# all of them when it is built: the shortest the model accepts, and two that leave a remainder at every
# stride-2 stage. Short, so building and checking take about half a second (ResNet34, 1 thread).
CHECK_FRAMES = (9, 57, 157)
CHECK_TOLERANCE = 1e-5  # max |difference| / norm; measured about 2e-6 (ResNet34, embed_dim 256)


class Grouping(Enum):
    """Which utterances may share a forward pass with a result equal to one-at-a-time extraction."""

    MASKED = "masked"  # any lengths, zero-padded and masked
    EQUAL_LENGTH = "equal_length"  # only utterances of the same frame count


def embedding_of(output: Any) -> torch.Tensor:
    """WeSpeaker's models return the embedding, or a tuple whose last entry it is (as extract_embedding
    reads it)."""
    return output[-1] if isinstance(output, tuple) else output


def make_embedder(loaded: LoadedModel) -> BatchEmbedder:
    return BatchEmbedder(loaded.model, grouping_for(loaded.model, loaded.family))


def grouping_for(model: nn.Module, family: str) -> Grouping:
    if family in MASKABLE_FAMILIES and _maskable(model):
        return Grouping.MASKED
    return Grouping.EQUAL_LENGTH


def _maskable(model: nn.Module) -> bool:
    """Masking is exact with zero-padded convs, per-step BatchNorm (eval mode) and TSTP pooling."""
    pool = getattr(model, "pool", None)
    if pool is None or type(pool).__name__ != "TSTP" or model.training:
        return False
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    return all(not isinstance(c.padding, str) and c.padding_mode == "zeros" for c in convs)


class BatchEmbedder:
    """Embeds zero-padded batches of [T, 80] features with one WeSpeaker model, as its grouping allows.
    Not thread-safe: the masking hooks read this object's per-batch state."""

    def __init__(self, model: nn.Module, grouping: Grouping) -> None:
        if grouping is Grouping.MASKED and not _maskable(model):
            raise ValueError("masked batching needs zero-padded convs, TSTP pooling and eval mode")
        self.model = model
        self.grouping = grouping
        self._convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
        # time size -> (valid length of each utterance, the same on the device)
        self._lengths: dict[int, tuple[list[int], torch.Tensor]] = {}
        self._masks: dict[int, torch.Tensor | None] = {}  # time size -> [B, T] bool, None when all full

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def forward(
        self, padded: torch.Tensor, lengths: Sequence[int], lengths_on_device: torch.Tensor
    ) -> torch.Tensor:
        """[B, D] on the device for ``padded`` ([B, T, 80], zero past each utterance's ``lengths``),
        queued without any host synchronisation. The caller sets inference mode and any autocast."""
        if self.grouping is Grouping.EQUAL_LENGTH:
            if min(lengths) != max(lengths):
                raise ValueError("this model batches only utterances of equal length")
            return embedding_of(self.model(padded))
        with self._masking(list(lengths), lengths_on_device, padded.shape[1]):
            return embedding_of(self.model(padded))

    def embed_batch(self, features: Sequence[torch.Tensor]) -> torch.Tensor:
        """One forward pass over all of ``features`` ([T, 80] each): [B, D] float32 on the CPU."""
        device = self.device
        padded = pad_sequence([f.to(torch.float32) for f in features], batch_first=True).to(device)
        lengths = [int(f.shape[0]) for f in features]
        with torch.inference_mode():
            out = self.forward(padded, lengths, torch.tensor(lengths, device=device))
        return out.float().cpu()

    @contextmanager
    def _masking(self, lengths: list[int], on_device: torch.Tensor, frames: int) -> Iterator[None]:
        self._lengths, self._masks = {frames: (lengths, on_device)}, {}
        handles = [conv.register_forward_pre_hook(self._zero_padding) for conv in self._convs]
        handles += [conv.register_forward_hook(self._follow_lengths) for conv in self._convs]
        handles.append(self.model.pool.register_forward_hook(self._masked_tstp))
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()
            self._lengths, self._masks = {}, {}

    # -- hooks --------------------------------------------------------------------------------------------

    def _zero_padding(self, conv: nn.Module, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        x = args[0]
        mask = self._mask(x.shape[-1], x.device)
        if mask is None:
            return None
        return (x.masked_fill(~mask[:, None, None, :], 0.0), *args[1:])

    def _follow_lengths(self, conv: nn.Conv2d, args: tuple[Any, ...], output: torch.Tensor) -> None:
        lengths, on_device = self._valid(args[0].shape[-1])
        # Time is the last axis: index 1 of Conv2d's (frequency, time) parameters.
        kernel, stride = conv.kernel_size[1], conv.stride[1]
        padding, dilation = conv.padding[1], conv.dilation[1]  # type: ignore[index]
        reach = 2 * padding - dilation * (kernel - 1) - 1
        out = [(n + reach) // stride + 1 for n in lengths]
        self._record(
            output.shape[-1], out, lambda: torch.div(on_device + reach, stride, rounding_mode="floor") + 1
        )

    def _masked_tstp(self, pool: nn.Module, args: tuple[Any, ...], output: torch.Tensor) -> torch.Tensor:
        x = args[0]  # [B, C, F, T] from the last layer
        mask = self._mask(x.shape[-1], x.device)
        if mask is None:
            return output  # every utterance fills the batch: WeSpeaker's own pooling result
        # Statistics in float32 whatever the autocast: a sum over thousands of steps in bf16 loses digits.
        x = x.float()
        keep = mask[:, None, None, :].to(x.dtype)
        count = keep.sum(dim=-1)  # [B, 1, 1]: valid steps
        mean = (x * keep).sum(dim=-1) / count
        centred = (x - mean.unsqueeze(-1)) * keep
        var = centred.square().sum(dim=-1) / (count - 1)  # unbiased, as torch.var
        std = torch.sqrt(var + TSTP_EPS)
        return torch.cat((mean.flatten(start_dim=1), std.flatten(start_dim=1)), dim=1)

    # -- valid lengths ------------------------------------------------------------------------------------

    def _valid(self, size: int) -> tuple[list[int], torch.Tensor]:
        lengths = self._lengths.get(size)
        if lengths is None:
            raise RuntimeError(
                f"a tensor of {size} time steps reached a conv or the pooling, but no conv produced that "
                "size: this model changes the time axis in a way masked batching does not follow"
            )
        return lengths

    def _record(self, size: int, lengths: list[int], on_device: Any) -> None:
        known = self._lengths.get(size)
        if known is None:
            self._lengths[size] = (lengths, on_device())
        elif known[0] != lengths:
            raise RuntimeError(f"two different valid lengths for {size} time steps: cannot mask this model")

    def _mask(self, size: int, device: torch.device) -> torch.Tensor | None:
        if size not in self._masks:
            lengths, on_device = self._valid(size)
            if min(lengths) >= size:
                self._masks[size] = None
            else:  # built on the device from the device's lengths: nothing copied, nothing waited for
                self._masks[size] = torch.arange(size, device=device)[None, :] < on_device[:, None]
        return self._masks[size]


class FrozenCpuEmbedder:
    """One utterance per forward pass on the CPU, through a frozen oneDNN graph of the same model.

    ``torch.jit.optimize_for_inference`` on a trace of the model folds every BatchNorm into the convolution
    before it and keeps the activations in oneDNN's blocked layout from the first convolution to the
    pooling, with the weights reordered once. The module as it is reorders every convolution's input,
    output and weights to and from that layout and runs BatchNorm as a pass of its own (together with
    ReLU and the residual adds, about 30 % of a pass in a profile). Measured, ResNet34, 1 thread, 60 clips
    of 1-10 s, one per pass: 22.4 s as the module, 18.5 s as the graph.

    The graph computes the same float32 operations, only rounded in another order (BatchNorm's scale
    multiplied into the weights): on building it is compared with the module on a few lengths and
    refused beyond ``CHECK_TOLERANCE`` (measured about 2e-6 of the norm). There is no padding and so no
    masking: every call embeds its utterances one by one.
    """

    def __init__(self, model: nn.Module) -> None:
        if model.training or next(model.parameters()).device.type != "cpu":
            raise ValueError("the frozen CPU graph needs a model in eval mode on the CPU")
        if not torch.backends.mkldnn.is_available():
            raise ValueError("this torch build has no oneDNN (mkldnn)")
        wrapper = _LastOutput(model).eval()
        example = torch.zeros(1, CHECK_FRAMES[-1], _feat_dim(model))
        with torch.no_grad(), warnings.catch_warnings():
            # Silenced: the trace's notes about constants (ResNet's tensor(0.0)) and, from torch 2.11 on,
            # torch.jit's deprecation notices (the graph still builds there, and is checked below).
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(wrapper, example, check_trace=False)
            self._graph = torch.jit.optimize_for_inference(traced)
        self._check(model)

    def _check(self, model: nn.Module) -> None:
        generator = torch.Generator().manual_seed(0)
        for frames in CHECK_FRAMES:
            features = torch.randn(frames, _feat_dim(model), generator=generator)
            with torch.inference_mode():
                want = embedding_of(model(features.unsqueeze(0)))[0]
            got = self.embed_batch([features])[0]
            error = float((got - want).abs().max() / want.norm())
            if not error <= CHECK_TOLERANCE:  # NaN fails too
                raise ValueError(f"the frozen graph differs from the model by {error:.1e} of the norm")

    def embed_batch(self, features: Sequence[torch.Tensor]) -> torch.Tensor:
        """[B, D] float32, row i for ``features[i]`` ([T, F]), each embedded on its own."""
        with torch.inference_mode():
            rows = [self._graph(f.to(torch.float32).unsqueeze(0)) for f in features]
        return torch.cat(rows).float()


class _LastOutput(nn.Module):
    """The embedding alone, whatever the family returns (see :func:`embedding_of`)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return embedding_of(self.model(features))


def _feat_dim(model: nn.Module) -> int:
    return int(getattr(model, "feat_dim", FEAT_DIM))


def split_by_frames(lengths: Sequence[int], max_frames: int | None) -> list[list[int]]:
    """Consecutive groups of indexes into ``lengths`` (sorted ascending) whose size x longest stays within
    ``max_frames``; one group when it is None; an utterance longer than the budget gets a group of its own."""
    if max_frames is None:
        return [list(range(len(lengths)))]
    groups: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index, length in enumerate(lengths):
        wider = max(longest, length)
        if current and (len(current) + 1) * wider > max_frames:
            groups.append(current)
            current, wider = [], length
        current.append(index)
        longest = wider
    if current:
        groups.append(current)
    return groups
