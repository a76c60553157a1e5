"""Checks of a job's parameters shared by the model jobs (embed, clone): every value is untrusted input."""

from __future__ import annotations

from typing import Any

import torch

from localclip_worker.job import BadInput


def pick_device(asked: Any) -> torch.device:
    """The torch device for ``asked`` ("auto", "cpu", "cuda" or "cuda:N"); BadInput when it is not usable."""
    if asked in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if asked == "cpu":
        return torch.device("cpu")
    if isinstance(asked, str) and asked.startswith("cuda"):
        if not torch.cuda.is_available():
            raise BadInput(f"device {asked!r} was asked for, but this worker has no usable CUDA GPU")
        return torch.device(asked)
    raise BadInput(f"device must be 'auto', 'cpu' or 'cuda', not {asked!r}")


def int_param(params: dict[str, Any], name: str, default: int, minimum: int) -> int:
    """``params[name]`` as a whole number of at least ``minimum`` (``default`` when absent)."""
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BadInput(f"param {name!r} must be a whole number of at least {minimum}, not {value!r}")
    return value


def apply_torch_threads(params: dict[str, Any], name: str) -> None:
    """Set torch's intra-op threads to ``params[name]`` (0 or absent: leave them as the process started)."""
    threads = int_param(params, name, 0, minimum=0)
    if threads and threads != torch.get_num_threads():  # a change rebuilds torch's thread pool: only then
        torch.set_num_threads(threads)
