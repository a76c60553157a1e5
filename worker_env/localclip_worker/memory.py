"""Memory figures for events. psutil is optional: a user's own environment may lack it."""

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
