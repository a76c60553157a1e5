"""WeSpeaker's audio front end for a batch of clips on the worker's device: resampling to 16 kHz, the
80-bin Kaldi fbank (25/10 ms frames, dither 0, DC removal, pre-emphasis 0.97, 512-point FFT, power
spectrum, mel banks from 20 Hz, log with a floor) and per-utterance mean normalisation (CMN).

Every step is what ``torchaudio.compliance.kaldi.fbank`` and ``torchaudio.transforms.Resample`` do to one
clip, written over a zero-padded batch [B, N]: resampling and framing look only at samples inside each
clip's own valid length (a lone clip's resampler pads with zeros too), each frame is computed on its own,
and the mean is taken over each clip's valid frames. So a clip's features equal WeSpeaker's own to float
rounding (tested: tests/test_embed_frontend.py), whichever clips share its batch.

On a GPU the whole front end is a few dozen kernels per batch instead of a few milliseconds of one CPU
core per clip; on the CPU the same code runs one clip at a time in the decoding threads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torchaudio.compliance.kaldi as kaldi
import torchaudio.transforms

SAMPLE_RATE = 16000
NUM_MEL_BINS = 80
FRAME_SAMPLES = 400  # 25 ms at 16 kHz
SHIFT_SAMPLES = 160  # 10 ms at 16 kHz
FFT_SIZE = 512  # the frame length rounded up to a power of two, as Kaldi does
PREEMPHASIS = 0.97
LOW_FREQ = 20.0  # Kaldi's default lowest mel bank edge
INT16_SCALE = 32768.0  # WeSpeaker trains on int16-valued samples, whatever the file's bit depth
WINDOWS = ("hamming", "povey")  # WeSpeaker's models, 3D-Speaker's models


def resampled_length(samples: int, rate: int) -> int:
    """Samples after resampling ``samples`` at ``rate`` to 16 kHz: ceil(N * 16k / rate), as torchaudio."""
    if rate == SAMPLE_RATE:
        return samples
    divisor = math.gcd(rate, SAMPLE_RATE)
    new, orig = SAMPLE_RATE // divisor, rate // divisor
    return -(-samples * new // orig)


def frame_count(samples_16k: int) -> int:
    """Kaldi's frames of a 16 kHz clip (snip_edges): 0 when shorter than one frame."""
    if samples_16k < FRAME_SAMPLES:
        return 0
    return 1 + (samples_16k - FRAME_SAMPLES) // SHIFT_SAMPLES


@dataclass(frozen=True)
class RateGroup:
    """Consecutive clips of a batch that share one sample rate, as a zero-padded [clips, samples] wave."""

    rate: int
    waves: torch.Tensor  # [b, N] float32 on the device, at the file's scale (see FbankFrontEnd.scale)
    frames: Sequence[int]  # each clip's feature frames


class FbankFrontEnd:
    """Batched features on one device. Holds the window, the mel banks and one resampler per rate, all
    built once; not thread-safe only in that the resampler cache is filled lazily (a lock-free dict insert:
    at worst one resampler is built twice)."""

    def __init__(self, device: torch.device | str, window_type: str = "hamming", scale: float = INT16_SCALE):
        if window_type not in WINDOWS:
            raise ValueError(f"unknown fbank window {window_type!r}; WeSpeaker uses {', '.join(WINDOWS)}")
        self.device = torch.device(device)
        self.scale = scale  # applied on the device: soundfile's [-1, 1] samples times 32768 are int16 values
        self._window = _window(window_type).to(self.device)
        banks, _ = kaldi.get_mel_banks(
            NUM_MEL_BINS, FFT_SIZE, float(SAMPLE_RATE), LOW_FREQ, 0.0, 100.0, -500.0, 1.0
        )
        # Kaldi's banks stop one bin short of the Nyquist bin, which torchaudio pads with a zero column.
        self._banks = torch.nn.functional.pad(banks, (0, 1)).T.contiguous().to(self.device)  # [257, 80]
        self._floor = torch.tensor(torch.finfo(torch.float32).eps, device=self.device)
        self._resamplers: dict[int, Resampler] = {}

    def features(self, groups: Sequence[RateGroup], frames_on_device: torch.Tensor) -> torch.Tensor:
        """[B, T, 80] float32 on the device: the groups' clips in order, T their most frames, each clip's
        frames past its own count zero. ``frames_on_device`` is every clip's frame count (int64, [B])."""
        total = sum(len(group.frames) for group in groups)
        longest = max(max(group.frames) for group in groups)
        out = torch.zeros(total, longest, NUM_MEL_BINS, device=self.device)
        start = 0
        for group in groups:
            count = len(group.frames)
            logmel = self.log_mel(self.to_16k(group.waves * self.scale, group.rate))
            width = min(logmel.shape[1], longest)
            out[start : start + count, :width] = logmel[:, :width]
            start += count
        return subtract_mean(out, frames_on_device)

    def to_16k(self, waves: torch.Tensor, rate: int) -> torch.Tensor:
        if rate == SAMPLE_RATE:
            return waves
        resampler = self._resamplers.get(rate)
        if resampler is None:
            resampler = self._resamplers[rate] = Resampler(rate, self.device)
        return resampler(waves)

    def log_mel(self, waves: torch.Tensor) -> torch.Tensor:
        """[b, frames, 80] log mel energies of [b, N] 16 kHz waves (frames of the longest; no CMN)."""
        frames = waves.unfold(-1, FRAME_SAMPLES, SHIFT_SAMPLES)  # [b, F, 400], a view
        frames = frames - frames.mean(dim=-1, keepdim=True)  # DC offset per frame
        # Pre-emphasis x[j] - 0.97 x[j-1], the first sample against itself (Kaldi's replicate padding).
        previous = torch.cat((frames[..., :1], frames[..., :-1]), dim=-1)
        frames = (frames - PREEMPHASIS * previous) * self._window
        power = torch.fft.rfft(frames, n=FFT_SIZE).abs().pow(2.0)  # [b, F, 257]
        return torch.matmul(power, self._banks).clamp_min(self._floor).log()


class Resampler:
    """``torchaudio.transforms.Resample(rate, 16000)`` over a batch, with its own kernel: WeSpeaker's
    resampler computes that kernel in float64 and keeps it as float32 (``functional.resample``'s float32
    kernel differs by up to 3e-6 of a sample). The forward is torchaudio's (pad, strided conv1d, cut to
    ceil(N * 16k / rate)) with the output length worked out in Python: torchaudio's reads it back from a
    tensor, a host read that a GPU path must not make."""

    def __init__(self, rate: int, device: torch.device) -> None:
        reference = torchaudio.transforms.Resample(orig_freq=rate, new_freq=SAMPLE_RATE)
        divisor = math.gcd(rate, SAMPLE_RATE)
        self.rate = rate
        self._orig, self._new = rate // divisor, SAMPLE_RATE // divisor
        self._width = int(reference.width)
        self._kernel = reference.kernel.to(device)

    def __call__(self, waves: torch.Tensor) -> torch.Tensor:
        count, length = waves.shape
        padded = torch.nn.functional.pad(waves, (self._width, self._width + self._orig))
        out = torch.nn.functional.conv1d(padded[:, None], self._kernel, stride=self._orig)
        return out.transpose(1, 2).reshape(count, -1)[:, : resampled_length(length, self.rate)]


def subtract_mean(features: torch.Tensor, frames: torch.Tensor) -> torch.Tensor:
    """CMN over each clip's valid frames of zero-padded [B, T, D] features; padded frames stay zero."""
    valid = (torch.arange(features.shape[1], device=features.device)[None, :] < frames[:, None]).unsqueeze(-1)
    valid = valid.to(features.dtype)
    mean = (features * valid).sum(dim=1, keepdim=True) / frames.to(features.dtype)[:, None, None]
    return (features - mean) * valid


def _window(window_type: str) -> torch.Tensor:
    # Kaldi's windows over the 400 samples of a frame, built in float32 as torchaudio builds them.
    if window_type == "hamming":
        return torch.hamming_window(FRAME_SAMPLES, periodic=False, alpha=0.54, beta=0.46)
    return torch.hann_window(FRAME_SAMPLES, periodic=False).pow(0.85)
