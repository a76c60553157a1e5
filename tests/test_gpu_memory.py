"""Running out of GPU memory, without a GPU: which exceptions mean it (localclip_worker/gpu_memory.py), the
failure code the worker gives them, and how the embedding batch budget backs off and grows back
(localclip_worker/embedding/budget.py). Both modules are standard library only, so they run here."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from localclip.core.options import EMBED_MEMORY_PER_WORKER_GB
from localclip_worker import protocol
from localclip_worker.embedding.budget import (
    ACTIVATION_BYTES_PER_FRAME,
    CUDA_CAP_FRAMES,
    CUDA_CONTEXT_BYTES,
    CUDA_START_FRAMES,
    GIB,
    MAX_RELAX_PASSES,
    RELAX_PASSES,
    FrameBudget,
    gpu_memory_gb,
)
from localclip_worker.gpu_memory import OutOfGpuMemory, is_out_of_memory
from localclip_worker.job import BadInput
from localclip_worker.main import _failure_code


class OutOfMemoryError(RuntimeError):
    """Stands in for torch.OutOfMemoryError (torch.cuda.OutOfMemoryError), matched by name."""


class AcceleratorError(RuntimeError):
    """Stands in for torch.AcceleratorError (torch 2.8's CUDA errors)."""


class CudaOutOfMemoryError(OutOfMemoryError):
    """A subclass of an out-of-memory class counts too."""


TORCH_OOM = (
    "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 139.72 GiB of which "
    "1.06 GiB is free. Of the allocated memory 130.2 GiB is allocated by PyTorch. If reserved but "
    "unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True"
)
OUT_OF_MEMORY = [
    OutOfMemoryError(TORCH_OOM),
    CudaOutOfMemoryError("anything"),
    RuntimeError(TORCH_OOM),  # torch before 1.13
    AcceleratorError("CUDA error: out of memory\nCUDA kernel errors might be asynchronously reported"),
    RuntimeError("CUDA error: out of memory"),
    RuntimeError("CUDA driver error: out of memory"),
    RuntimeError("CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"),
    RuntimeError("cuDNN error: CUDNN_STATUS_ALLOC_FAILED"),
    RuntimeError("cuDNN error: CUDNN_STATUS_NOT_ENOUGH_WORKSPACE"),
    RuntimeError("cuDNN error: CUDNN_STATUS_INTERNAL_ERROR"),
    RuntimeError("cuDNN error: CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED"),
    RuntimeError("NVML_SUCCESS == r INTERNAL ASSERT FAILED at /pytorch/c10/cuda/CUDACachingAllocator.cpp"),
    OutOfGpuMemory("out of GPU memory for this clip alone (612.0 s, 61198 frames)"),
]
NOT_OUT_OF_MEMORY = [
    RuntimeError("CUDA error: device-side assert triggered"),
    AcceleratorError("CUDA error: an illegal memory access was encountered"),
    RuntimeError("cuDNN error: CUDNN_STATUS_NOT_SUPPORTED"),
    RuntimeError("CUBLAS_STATUS_EXECUTION_FAILED when calling `cublasSgemm`"),
    RuntimeError("NVML_SUCCESS == DriverAPI::get()->nvmlInit_v2_() INTERNAL ASSERT FAILED"),
    RuntimeError("cuda out of memory"),  # the patterns are torch's exact spelling
    ValueError("Expected 4-dimensional input for 4-dimensional weight"),
    MemoryError(),  # host memory: the worker's own rule, not the GPU's
]


@pytest.mark.parametrize("error", OUT_OF_MEMORY, ids=lambda e: f"{type(e).__name__}: {str(e)[:40]}")
def test_what_says_the_gpu_ran_out_of_memory(error: BaseException) -> None:
    assert is_out_of_memory(error)
    assert _failure_code(error) == protocol.FAIL_OUT_OF_MEMORY


@pytest.mark.parametrize("error", NOT_OUT_OF_MEMORY, ids=lambda e: f"{type(e).__name__}: {str(e)[:40]}")
def test_what_does_not(error: BaseException) -> None:
    assert not is_out_of_memory(error)


def test_failure_codes() -> None:
    assert _failure_code(MemoryError()) == protocol.FAIL_OUT_OF_MEMORY
    assert _failure_code(BadInput("CUDA out of memory in the file name")) == protocol.FAIL_BAD_INPUT
    assert _failure_code(RuntimeError("CUDA error: device-side assert triggered")) == protocol.FAIL_EXCEPTION
    wrapped = RuntimeError("could not read the audio")
    wrapped.__cause__ = OutOfMemoryError(TORCH_OOM)  # the exception itself decides, never its cause
    assert _failure_code(wrapped) == protocol.FAIL_EXCEPTION


# -- the embedding batch budget ------------------------------------------------------------------------------


def run_passes(budget: FrameBudget, limit: Callable[[int], int], passes: int) -> tuple[list[int], list[int]]:
    """Full batches at the budget on a GPU that fits ``limit(n)`` frames at pass n: the sizes tried and
    the passes that ran out of memory."""
    sizes, failed = [], []
    for number in range(passes):
        used = budget.frames
        sizes.append(used)
        if used > limit(number):
            budget.out_of_memory(used)
            failed.append(number)
        else:
            budget.succeeded(used)
    return sizes, failed


def test_the_budget_doubles_to_the_cap_after_full_passes_only() -> None:
    budget = FrameBudget(CUDA_START_FRAMES, CUDA_CAP_FRAMES)
    budget.succeeded(CUDA_START_FRAMES // 2)  # a short batch says nothing about memory
    assert budget.frames == CUDA_START_FRAMES
    sizes, failed = run_passes(budget, lambda n: CUDA_CAP_FRAMES, 6)
    assert sizes == [8192, 16384, 32768, 65536, 65536, 65536] and not failed


def test_after_a_passing_spike_the_budget_grows_back_gradually() -> None:
    budget = FrameBudget(CUDA_START_FRAMES, CUDA_CAP_FRAMES)
    # At pass 10 another process takes memory: 65536 frames fail, then 32768; from pass 13 all is free.
    sizes, failed = run_passes(budget, lambda n: 20_000 if 10 <= n < 13 else CUDA_CAP_FRAMES, 400)
    assert failed == [10, 11] and sizes[10:13] == [65536, 32768, 16384]
    # Never straight back: the second failure came while recovering, so the wait doubled to 32 passes,
    # and each wait raises the ceiling by a quarter.
    assert sizes[12 : 12 + 2 * RELAX_PASSES] == [16384] * (2 * RELAX_PASSES)
    assert sizes[12 + 2 * RELAX_PASSES] == 20480
    steps = sorted(set(sizes[12:]))
    assert steps == [16384, 20480, 25600, 32000, 40000, 50000, 62500, 65536]
    back = sizes.index(CUDA_CAP_FRAMES, 13)
    assert back == 12 + 7 * 2 * RELAX_PASSES  # seven steps of 32 passes
    assert budget.relax_passes == RELAX_PASSES  # recovered: the next spike starts from the short wait


def test_a_gpu_that_stays_full_is_probed_ever_more_rarely() -> None:
    budget = FrameBudget(CUDA_START_FRAMES, CUDA_CAP_FRAMES)
    sizes, failed = run_passes(budget, lambda n: 30_000, 3000)
    gaps = [later - earlier for earlier, later in itertools.pairwise(failed)]
    assert len(failed) <= 7 and gaps == sorted(gaps)  # each retry of a larger batch waits longer
    assert all(size <= 30_000 for size in sizes[failed[-1] + 1 :])
    assert min(sizes[3:]) >= 30_000 // 2  # never below half of what fits
    assert budget.relax_passes <= MAX_RELAX_PASSES


def test_a_lone_clip_that_does_not_fit_lowers_only_what_it_shows() -> None:
    budget = FrameBudget(CUDA_START_FRAMES, CUDA_CAP_FRAMES)
    budget.out_of_memory(400_000)  # one very long clip: 200,000 frames would not fit either, nothing new
    assert (budget.frames, budget.ceiling, budget.relax_passes) == (8192, CUDA_CAP_FRAMES, RELAX_PASSES)
    budget.out_of_memory(20_000)  # a lone clip of 20,000 frames failed: the budget may grow to 10,000
    assert (budget.frames, budget.ceiling) == (8192, 10_000)
    budget.succeeded(8192)
    assert budget.frames == 10_000


def test_a_fixed_budget_is_halved_and_grows_back_to_itself() -> None:
    budget = FrameBudget(4000, 4000)  # the caller's batch_frames
    budget.out_of_memory(3000)
    assert budget.frames == 1500
    sizes, failed = run_passes(budget, lambda n: 4000, 400)
    assert not failed and max(sizes) == 4000 and sizes[-1] == 4000


def test_a_cpu_budget_of_one_frame_stays_one() -> None:
    budget = FrameBudget(1, 1)
    for _ in range(100):
        budget.succeeded(500)  # one clip per pass, whatever its length
    assert budget.frames == 1


# -- the GPU memory an embedding worker is planned with ------------------------------------------------------


def test_the_embedding_workers_memory_is_what_its_largest_batch_reaches() -> None:
    activations = CUDA_CAP_FRAMES * ACTIVATION_BYTES_PER_FRAME
    assert activations / GIB == 3.75
    assert gpu_memory_gb() == 6.0
    assert gpu_memory_gb() * GIB >= activations + CUDA_CONTEXT_BYTES
    assert gpu_memory_gb(CUDA_START_FRAMES) == 2.0  # the old default: enough for the first batches only
    # The plan's default is that figure, so the two cannot drift apart.
    assert EMBED_MEMORY_PER_WORKER_GB.default == gpu_memory_gb(CUDA_CAP_FRAMES)
