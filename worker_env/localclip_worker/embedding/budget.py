"""How many padded frames an embedding forward pass may take on a GPU, and the GPU memory that needs.

Standard library only: the app derives its GPU memory figure per embedding worker from these numbers
(``embed/memory_per_worker_gb`` in localclip/settings.py), so the plan and the batches cannot disagree.
"""

from __future__ import annotations

import math

GIB = 1024**3
# ResNet34 peaks at about 60 KiB of activations per padded frame (measured on the CPU). A GPU starts at
# 8192 frames (~0.5 GB, any GPU copes) and doubles after each pass that used most of it, up to 65536
# (3.75 GiB: larger batches hardly help throughput); bigger ResNets (~4x per frame) learn their limit
# from an out-of-memory.
ACTIVATION_BYTES_PER_FRAME = 60 * 1024
CUDA_START_FRAMES = 8192
CUDA_CAP_FRAMES = 65536

# GPU memory one embedding worker reaches at the cap, for the plan (estimates where not measured):
#   activations      65,536 frames x 60 KiB                                                  3.75 GiB
#   allocator slack  x 1.25: the caching allocator rounds blocks up and splits its segments,
#                    and batch shapes change with every batch                               -> 4.69 GiB
#   model            ResNet34: ~6.6 M weights x 4 B = 0.03 GiB, with cuDNN and cuBLAS
#                    workspaces                                                              0.25 GiB
#   CUDA context     0.5-1 GiB, which NVML counts and torch does not: the upper figure       1.00 GiB
#   in all           5.94 GiB, rounded up to half a GB                                       6.0 GB
ALLOCATOR_SLACK = 1.25
MODEL_AND_WORKSPACE_BYTES = GIB // 4
CUDA_CONTEXT_BYTES = GIB

# After an out-of-memory the budget may grow again, but never straight back to what failed: it grows up
# to a ceiling that starts at half the size that failed, and rises by a quarter of itself after every
# RELAX_PASSES full passes. An out-of-memory before the ceiling is back at the cap doubles that wait (up to
# MAX_RELAX_PASSES), so a GPU that really is full is probed ever more rarely, while a passing spike from
# another process costs some passes at smaller batches. Chosen by reasoning, not yet measured on a GPU.
RELAX_PASSES = 16
MAX_RELAX_PASSES = 1024
RELAX_FRACTION = 4  # the ceiling rises by 1 / RELAX_FRACTION of itself


def gpu_memory_gb(frames: int = CUDA_CAP_FRAMES) -> float:
    """GPU memory (GB, rounded up to half a GB) an embedding worker reaches with batches of ``frames``."""
    activations = frames * ACTIVATION_BYTES_PER_FRAME * ALLOCATOR_SLACK
    return math.ceil((activations + MODEL_AND_WORKSPACE_BYTES + CUDA_CONTEXT_BYTES) / GIB * 2) / 2


class FrameBudget:
    """Padded frames (batch size x longest clip) per forward pass, adapted to GPU memory; at most ``cap``.

    It lives as long as its worker's model, across jobs, so what one job learnt serves the next.
    """

    def __init__(self, frames: int, cap: int) -> None:
        self.frames = frames
        self.cap = cap
        self.ceiling = cap  # the most frames the budget may grow to now
        self.relax_passes = RELAX_PASSES  # full passes before the ceiling rises
        self._full_passes = 0  # since the ceiling last moved

    def succeeded(self, used: int) -> None:
        # Only a pass that used most of the budget says something about memory: grow after those.
        if used * 2 <= self.frames:
            return
        self._full_passes += 1
        if self.ceiling < self.cap and self._full_passes >= self.relax_passes:
            self.ceiling = min(self.cap, self.ceiling + max(1, self.ceiling // RELAX_FRACTION))
            self._full_passes = 0
            if self.ceiling == self.cap:  # recovered: a later spike starts from the shortest wait again
                self.relax_passes = RELAX_PASSES
        self.frames = min(self.ceiling, self.frames * 2)

    def out_of_memory(self, used: int) -> None:
        # Halve what failed (not the budget, which a small batch may not have reached), so a retry is
        # smaller, and keep the budget below that until the ceiling relaxes.
        half = max(1, used // 2)
        if half >= self.ceiling:  # a lone clip far longer than any batch allowed: nothing new learnt
            return
        if self.ceiling < self.cap:  # still recovering from an earlier one: wait longer before growing
            self.relax_passes = min(MAX_RELAX_PASSES, self.relax_passes * 2)
        self.frames = min(self.frames, half)
        self.ceiling = half
        self._full_passes = 0
