"""The codec's Snake activations computed in place: on the CPU only.

fish-speech's codec puts a Snake activation (``x + sin(alpha * x)**2 / alpha``, descript-audio-codec's
``dac.nn.layers.snake``) before every convolution. It is a TorchScript function of five whole-tensor
operations, each writing a new tensor; on the CPU nothing fuses them, and a new tensor of the decoder's last
layers (96-192 channels at the audio's rate: tens of MB) is fresh memory the operating system maps page by
page, which costs ten times the arithmetic (one multiplication of 192 x 102,400 values: 27.6 ms into a new
tensor, 2.5 ms in place). Here the same operations run in the same order into one new tensor and then in
place: the result is bitwise identical (checked on a probe once per process), and an S1-sized codec decodes
about 1.3x faster on the CPU for lines of 4.6 s and more (docs/benchmarks.md). On a GPU the codec keeps
the scripted function until measured there (``bench/gpu_check.py``'s clone_batched decodes a line with
both).
"""

from __future__ import annotations

import functools
import logging

import torch

from localclip_worker.cloning.fish import fish

log = logging.getLogger(__name__)


class InPlaceSnake(torch.nn.Module):
    """DAC's ``Snake1d`` with its alpha, computing into one new tensor instead of five."""

    def __init__(self, alpha: torch.nn.Parameter) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _snake(x, self.alpha)


def snakes_in_place(codec: torch.nn.Module) -> int:
    """Every ``Snake1d`` of a CPU codec replaced by an :class:`InPlaceSnake` (the same parameter).
    Returns how many were replaced: 0 on a GPU, or where the probe finds a difference."""
    if next(codec.parameters()).device.type != "cpu" or not in_place_matches():
        return 0
    return swap_snakes(codec, in_place=True)


def swap_snakes(codec: torch.nn.Module, in_place: bool) -> int:
    """Every Snake activation of ``codec`` made the in-place kind or DAC's scripted kind, keeping its
    alpha (bench/gpu_check.py times both on a GPU). Returns how many there are."""
    scripted = fish().modded_dac.Snake1d
    swapped = 0
    for parent in list(codec.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, scripted | InPlaceSnake):
                alpha = child.alpha
                snake = InPlaceSnake(alpha) if in_place else scripted(alpha.shape[1])
                snake.alpha = alpha
                setattr(parent, name, snake)
                swapped += 1
    return swapped


@functools.cache
def in_place_matches() -> bool:
    """The in-place snake equals DAC's own, bit for bit, on a probe (float32 and bfloat16 inputs, as
    decoding under autocast gives)."""
    generator = torch.Generator().manual_seed(0)
    original = fish().modded_dac.Snake1d(6)
    with torch.inference_mode():
        original.alpha.copy_(torch.rand(1, 6, 1, generator=generator) + 0.5)
        for dtype in (torch.float32, torch.bfloat16):
            x = (torch.randn(2, 6, 301, generator=generator) * 4).to(dtype)
            want, got = original(x), _snake(x, original.alpha)
            if got.dtype != want.dtype or not torch.equal(got, want):
                log.warning("the in-place snake differs from DAC's here (%s): not used", dtype)
                return False
    return True


def _snake(x: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    # DAC's order: x + (alpha + 1e-9).reciprocal() * sin(alpha * x).pow(2). pow(2) is y * y in PyTorch, and
    # swapping the operands of a product or a sum changes no bit.
    y = torch.mul(alpha, x)
    y.sin_()
    y.mul_(y)
    y.mul_((alpha + 1e-9).reciprocal())
    return y.add_(x)
