"""Batched WeSpeaker ResNet embeddings that equal one-at-a-time extraction.

Zero-padding alone is not enough: each 3x3 conv (padding 1) would see the padded steps of the activations
(which BatchNorm's shift makes non-zero) through its receptive field, and TSTP pooling would average them
in. So while a batch runs, a forward pre-hook on every Conv2d zeroes each utterance's steps beyond its valid
length, exactly what a lone utterance's conv sees as its own zero padding, and a forward hook on the
pooling layer replaces TSTP by the same statistics taken over the valid steps only. Eval-mode BatchNorm
and ReLU are per step, so nothing else mixes time steps. The valid lengths follow the tensor: each conv's
output length is computed from its real kernel, stride, padding and dilation on the time axis.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

TSTP_EPS = 1e-7  # WeSpeaker's TSTP: sqrt(unbiased var + 1e-7)
# The frozen CPU graph is traced on the last of these lengths (frames) and checked against the module on
# all of them when it is built: the shortest the model accepts, and two that leave a remainder at every
# stride-2 stage. Short, so building and checking take about half a second (ResNet34, 1 thread).
CHECK_FRAMES = (9, 57, 157)
CHECK_TOLERANCE = 1e-5  # max |difference| / norm; measured about 2e-6 (ResNet34, embed_dim 256)


class MaskedResNetEmbedder:
    """Embeds lists of [T, 80] feature tensors with a WeSpeaker ResNet (TSTP pooling). Not thread-safe:
    the hooks read this object's per-batch state."""

    def __init__(self, model: nn.Module) -> None:
        _check_model(model)
        self.model = model
        self._convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
        self._lengths: dict[int, list[int]] = {}  # time size -> valid length of each utterance
        self._masks: dict[int, torch.Tensor | None] = {}  # time size -> [B, T] bool, None when all full

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def embed(self, features: Sequence[torch.Tensor], max_frames: int | None = None) -> torch.Tensor:
        """[B, D] float32 on the CPU, row i for ``features[i]``, like WeSpeaker's ``model(feats)[-1]``.

        Utterances are sorted by length, so each batch pads little; with ``max_frames`` a batch holds at
        most that many padded frames (batch size x longest), but always at least one utterance.
        """
        if not features:
            raise ValueError("no features to embed")
        order = sorted(range(len(features)), key=lambda i: int(features[i].shape[0]))
        rows: list[torch.Tensor | None] = [None] * len(features)
        for group in split_by_frames([int(features[i].shape[0]) for i in order], max_frames):
            chosen = [order[i] for i in group]
            out = self.embed_batch([features[i] for i in chosen])
            for row, index in enumerate(chosen):
                rows[index] = out[row]
        return torch.stack(rows)  # type: ignore[arg-type]

    def embed_batch(self, features: Sequence[torch.Tensor]) -> torch.Tensor:
        """One forward pass over all of ``features`` (zero-padded to the longest): [B, D] on the CPU."""
        device = self.device
        padded = pad_sequence([f.to(torch.float32) for f in features], batch_first=True).to(device)
        lengths = [int(f.shape[0]) for f in features]
        with torch.inference_mode(), self._masking(lengths, padded.shape[1]):
            out = self.model(padded)[-1]
        return out.float().cpu()

    @contextmanager
    def _masking(self, lengths: list[int], frames: int) -> Iterator[None]:
        self._lengths, self._masks = {frames: lengths}, {}
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
        lengths = self._valid(args[0].shape[-1])
        # Time is the last axis: index 1 of Conv2d's (frequency, time) parameters.
        kernel, stride = conv.kernel_size[1], conv.stride[1]
        padding, dilation = conv.padding[1], conv.dilation[1]  # type: ignore[index]
        out = [(n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1 for n in lengths]
        self._record(output.shape[-1], out)

    def _masked_tstp(self, pool: nn.Module, args: tuple[Any, ...], output: torch.Tensor) -> torch.Tensor:
        x = args[0]  # [B, C, F, T] from the last ResNet layer
        mask = self._mask(x.shape[-1], x.device)
        if mask is None:
            return output  # every utterance fills the batch: WeSpeaker's own pooling result
        keep = mask[:, None, None, :].to(x.dtype)
        count = keep.sum(dim=-1)  # [B, 1, 1]: valid steps
        mean = (x * keep).sum(dim=-1) / count
        centred = (x - mean.unsqueeze(-1)) * keep
        var = centred.square().sum(dim=-1) / (count - 1)  # unbiased, as torch.var
        std = torch.sqrt(var + TSTP_EPS)
        return torch.cat((mean.flatten(start_dim=1), std.flatten(start_dim=1)), dim=1)

    # -- valid lengths ------------------------------------------------------------------------------------

    def _valid(self, size: int) -> list[int]:
        lengths = self._lengths.get(size)
        if lengths is None:
            raise RuntimeError(
                f"a tensor of {size} time steps reached a conv or the pooling, but no conv produced that "
                "size: this model changes the time axis in a way masked batching does not follow"
            )
        return lengths

    def _record(self, size: int, lengths: list[int]) -> None:
        known = self._lengths.setdefault(size, lengths)
        if known != lengths:
            raise RuntimeError(f"two different valid lengths for {size} time steps: cannot mask this model")

    def _mask(self, size: int, device: torch.device) -> torch.Tensor | None:
        if size not in self._masks:
            lengths = self._valid(size)
            if min(lengths) >= size:
                self._masks[size] = None
            else:  # built once per time size and batch: a few small host-to-device copies per batch
                valid = torch.tensor(lengths, device=device)
                self._masks[size] = torch.arange(size, device=device)[None, :] < valid[:, None]
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
                want = model(features.unsqueeze(0))[-1][0]
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
    """WeSpeaker's ResNet returns (embed_a, embed_b) or (0, embed_a): the embedding is the last output."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.model(features)[-1]


def _feat_dim(model: nn.Module) -> int:
    return int(model.feat_dim)


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


def _check_model(model: nn.Module) -> None:
    """Masking is exact for WeSpeaker's ResNet only: zero-padded convs, per-step BN/ReLU, TSTP pooling."""
    pool = getattr(model, "pool", None)
    if pool is None or type(pool).__name__ != "TSTP":
        raise ValueError("masked batching needs a WeSpeaker ResNet with TSTP pooling (model.pool)")
    if model.training:
        raise ValueError("masked batching needs the model in eval mode (BatchNorm must use running stats)")
    for conv in (m for m in model.modules() if isinstance(m, nn.Conv2d)):
        if isinstance(conv.padding, str) or conv.padding_mode != "zeros":
            raise ValueError(f"masked batching needs zero-padded convs with numeric padding, not {conv}")
