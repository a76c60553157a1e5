"""The phases of bench/gpu_check.py, one module each, plus what they share (common, artifacts, sampler,
workers). Each phase module has ``run(ctx: PhaseContext) -> None``, run in a child process of its own.

The checkout's root goes on the path here: on the GPU machine and in the worker environment the app
package (``localclip``) is not installed, and every phase imports its Qt-free parts.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))
