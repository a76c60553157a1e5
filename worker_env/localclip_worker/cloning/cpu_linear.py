"""The language model's linear layers in oneDNN's packed weight layout: float32 on the CPU only.

PyTorch's CPU ``F.linear`` calls MKL's matrix product, which at the few rows of a decode step (1 to 16)
runs far below the machine's pace: on the 2-core AMD EPYC, a 3,072 x 1,024 layer takes 1.05 ms for 8 rows
and 0.27 ms through oneDNN with its weight packed; whole S1-mini decode steps (with the sampling change of
the same session) ran 1.75x faster at one row and 2.8x at eight (docs/benchmarks.md). oneDNN ships inside
every PyTorch build for x86 and ARM CPUs (its CPU convolutions use it); the two ops used here are what
``torch.compile``'s CPU backend emits for a linear layer. Written here rather than taken from a library:
``torch.compile`` needs a C++ compiler at run time, which editors' Windows machines lack, and
intel-extension-for-pytorch is Intel-only and retired.

The ops are private to PyTorch, so packing is checked once per process: they must exist in this build and
give ``F.linear``'s result within rounding on a probe; otherwise every layer stays as it is. float64 (the
exact tests) and GPUs are never packed. A packed layer's result differs from ``F.linear``'s in rounding
only, and does not depend on how many rows are multiplied together (a row's tokens do not depend on its
partners in the batch).
"""

from __future__ import annotations

import functools
import logging

import torch
import torch.nn.functional as F

log = logging.getLogger(__name__)

ROWS_HINT = 16  # the rows oneDNN lays the weight out for (a CPU worker decodes up to 16); any count works
PROBE_TOLERANCE = 1e-5  # of the result's largest value: rounding, not a different product


class PackedLinear(torch.nn.Module):
    """``nn.Linear`` with its weight reordered once into oneDNN's layout (a buffer, not a parameter)."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None) -> None:
        super().__init__()
        self.out_features, self.in_features = weight.shape
        self.register_buffer("packed", _reorder(weight), persistent=False)
        self.bias = None if bias is None else torch.nn.Parameter(bias.detach(), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _multiply(x, self.packed, self.bias)


def pack_linear_layers(llm: torch.nn.Module) -> int:
    """Every ``nn.Linear`` of a float32 CPU model replaced by a :class:`PackedLinear`, and a tied output
    head given one of its own as ``llm.output`` (fish-speech reads ``output`` only when the head is not
    tied, so its own code is unaffected). Returns how many layers were packed: 0 where packing does not
    apply or does not work here."""
    weight = next(llm.parameters())
    if weight.device.type != "cpu" or weight.dtype != torch.float32 or not packing_works():
        return 0
    packed = 0
    for parent in list(llm.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is torch.nn.Linear:
                setattr(parent, name, PackedLinear(child.weight, child.bias))
                packed += 1
    if getattr(llm.config, "tie_word_embeddings", False):
        # A copy of the embedding table (the lookups keep the table as it is): 0.6 GB for S1-mini.
        llm.output = PackedLinear(llm.embeddings.weight, None)
        packed += 1
    return packed


@functools.cache
def packing_works() -> bool:
    """The packed ops exist in this PyTorch build and agree with ``F.linear`` on a probe."""
    generator = torch.Generator().manual_seed(0)
    weight = torch.randn(48, 40, generator=generator)
    bias = torch.randn(48, generator=generator)
    try:
        with torch.inference_mode():
            packed = _reorder(weight)
            for rows in (1, 3, 16):
                x = torch.randn(rows, 40, generator=generator)
                want = F.linear(x, weight, bias)
                got = _multiply(x, packed, bias)
                if got.shape != want.shape or (got - want).abs().max() > PROBE_TOLERANCE * want.abs().max():
                    log.warning("oneDNN linear layers disagree with F.linear here: not used")
                    return False
    except (AttributeError, RuntimeError, NotImplementedError) as error:
        log.info("oneDNN linear layers unavailable (%s): F.linear used", error)
        return False
    return True


def _reorder(weight: torch.Tensor) -> torch.Tensor:
    return torch.ops.mkldnn._reorder_linear_weight(weight.detach(), ROWS_HINT)


def _multiply(x: torch.Tensor, packed: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
    return torch.ops.mkldnn._linear_pointwise(x, packed, bias, "none", [], "")
