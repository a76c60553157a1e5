"""The parts of fish-speech 0.1.0 LocalClip uses, imported once, with a clear error when it is missing.

Imported: the language model (``text2semantic.llama``, ``text2semantic.inference``), the tokenizer, the
codec classes (``dac.modded_dac``, ``dac.rvq``). Never imported here: ``fish_speech.models.dac.inference``
(it calls ``pyrootutils.setup_root`` at import, which fails in an installed package, and registers an
``eval`` resolver in OmegaConf), ``fish_speech.utils`` (lightning, pytorch_lightning) and the server.
"""

from __future__ import annotations

import functools
import logging
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class FishMissing(ImportError):
    """fish-speech (or one of the packages its inference imports) is not installed."""


@dataclass(frozen=True)
class Fish:
    inference: types.ModuleType  # fish_speech.models.text2semantic.inference
    llama: types.ModuleType  # fish_speech.models.text2semantic.llama
    tokenizer: types.ModuleType  # fish_speech.tokenizer
    modded_dac: types.ModuleType  # fish_speech.models.dac.modded_dac


@functools.cache
def fish() -> Fish:
    """fish-speech's modules; raises FishMissing naming what is absent."""
    try:
        from fish_speech import tokenizer
        from fish_speech.models.dac import modded_dac
        from fish_speech.models.text2semantic import inference, llama
    except ImportError as error:
        raise FishMissing(
            f"fish-speech 0.1.0 cannot be imported in this worker environment ({error}); "
            "install worker_env/requirements.txt and requirements-nodeps.txt"
        ) from error
    # decode_n_tokens wraps every generation in a tqdm bar on stderr: in a worker that is the log, where a
    # bar per line is noise. Only the module's own name is replaced, so tqdm elsewhere is untouched.
    inference.tqdm = _no_progress_bar
    return Fish(inference, llama, tokenizer, modded_dac)


def _no_progress_bar(iterable: Iterable[T], *args: Any, **kwargs: Any) -> Iterable[T]:
    return iterable


def quiet_fish_logs(level: str = "WARNING") -> None:
    """fish-speech logs through loguru at INFO for every line it generates ("Encoded text", bandwidth...).
    A worker keeps loguru's output for warnings and errors only, on stderr (its log), one line each."""
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level=level, format="{time:YYYY-MM-DD HH:mm:ss} {level} fish_speech: {message}")
