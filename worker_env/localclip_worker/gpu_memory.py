"""Whether an exception means the GPU ran out of memory, told from the exception alone.

Standard library only: ``main`` (which must not import torch) decides an item's failure code with it, and
the jobs decide with it when to back off (embed: smaller batches) or give cached memory back
(``memory.give_back_cached_memory``).

torch reports running out of GPU memory in several ways, by which allocation failed. Sources:

- ``torch.OutOfMemoryError`` (``torch.cuda.OutOfMemoryError`` is the same class in torch 2.8), message
  ``CUDA out of memory. Tried to allocate ...``: torch's caching allocator (c10/cuda/CUDACachingAllocator.cpp;
  torch before 1.13 raised a plain RuntimeError with that message).
- ``CUDA error: out of memory``: cudaErrorMemoryAllocation from a CUDA runtime call outside the caching
  allocator (C10_CUDA_CHECK: a kernel's or a library's own allocation); a ``torch.AcceleratorError`` in
  torch 2.8, a RuntimeError before. ``CUDA driver error: out of memory``: the same from a driver call
  (expandable segments map memory with cuMemCreate).
- ``CUBLAS_STATUS_ALLOC_FAILED``: cuBLAS could not allocate its handle or workspace.
- ``CUDNN_STATUS_ALLOC_FAILED``, ``CUDNN_STATUS_NOT_ENOUGH_WORKSPACE``: cuDNN's own allocations
  (``cuDNN error: ...``).
- ``CUDNN_STATUS_INTERNAL_ERROR``: what cuDNN usually reports when an allocation inside it failed because
  torch's cache holds the memory (cuDNN 9 also names them ``..._INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED``).
  A genuine cuDNN fault reads the same: taking it for out-of-memory costs a retry with smaller batches and
  then a failure with its message, never a wrong result.
- ``NVML_SUCCESS == r INTERNAL ASSERT FAILED``: the caching allocator's NVML query failing while it builds
  its out-of-memory message (seen with some drivers and with expandable segments).
- :class:`OutOfGpuMemory`: LocalClip's own, for an item that does not fit even alone.

The GPU check (bench/gpu_check.py) records which exceptions CUDA really raised on a GPU: a new way of
saying "out of memory" goes into OUT_OF_MEMORY_TYPES (a class name) or OUT_OF_MEMORY_MESSAGES (part of the
message, matched case-sensitively), with its source in the list above.
"""

from __future__ import annotations

from localclip_worker import protocol

# Class names, matched anywhere in the exception's class hierarchy (so subclasses count too).
OUT_OF_MEMORY_TYPES = frozenset({"OutOfMemoryError", "OutOfGpuMemory"})
OUT_OF_MEMORY_MESSAGES = (
    "CUDA out of memory",
    "CUDA error: out of memory",
    "CUDA driver error: out of memory",
    "CUBLAS_STATUS_ALLOC_FAILED",
    "CUDNN_STATUS_ALLOC_FAILED",
    "CUDNN_STATUS_NOT_ENOUGH_WORKSPACE",
    "CUDNN_STATUS_INTERNAL_ERROR",
    "NVML_SUCCESS == r INTERNAL ASSERT FAILED",
)


class OutOfGpuMemory(RuntimeError):
    """An item that does not fit in GPU memory even alone; the message says so to a person."""


def too_large_alone(what: str, error: Exception) -> OutOfGpuMemory:
    """The failure of an item that ran out of GPU memory alone: ``what`` says it for a person, what CUDA
    said comes last (some errors taken for out-of-memory can have another cause). The job reports it as
    out_of_memory, which the pool retries a few times (another worker may have more room)."""
    said = protocol.truncate((str(error).splitlines() or [""])[0], 160)
    failure = OutOfGpuMemory(f"{what} ({type(error).__name__}: {said})")
    failure.__cause__ = error  # for a traceback in the log; the code comes from the failure itself
    return failure


def is_out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` itself (not its cause) says the GPU, or a CUDA library on it, ran out of memory.

    Host memory (``MemoryError``) is not this: the caller decides about it separately."""
    if any(cls.__name__ in OUT_OF_MEMORY_TYPES for cls in type(error).__mro__):
        return True
    message = str(error)
    return any(pattern in message for pattern in OUT_OF_MEMORY_MESSAGES)
