"""Memory figures for events (psutil is optional: a user's own environment may lack it), and GPU memory
given back after running out of it (torch imported only then: ``main`` imports this module)."""

from __future__ import annotations

import sys


def resident_bytes() -> int:
    """This process's resident memory in bytes (0 when it cannot be read)."""
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        pass
    if sys.platform != "win32":
        import resource

        # ru_maxrss is the peak, in KiB on Linux: the best the standard library offers.
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
    return 0


def give_back_cached_memory(error: BaseException) -> None:
    """After running out of GPU memory: drop the error's traceback (its frames hold the failed try's
    tensors) and give torch's cached GPU memory back to the device, so the next, smaller try finds it."""
    import torch  # here, not at import: main imports this module and must not import torch

    error.__traceback__ = None
    if torch.cuda.is_initialized():
        torch.cuda.empty_cache()
