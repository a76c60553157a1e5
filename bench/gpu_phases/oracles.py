"""WeSpeaker's and fish-speech's own inference, as the tests' oracles drive them, made to run on a GPU.

- WeSpeaker: ``load_model(dir)`` with the oracle's stubs for the CLI's imports
  (tests/worker_scripts/wespeaker_reference.py), VAD off, WeSpeaker's default setters. WeSpeaker dfa7419
  (wespeaker-unofficial 0.0.2) leaves the features on the CPU after ``set_device('cuda')`` (its PR #441):
  on a GPU they are moved to the model's device, the one line that PR dropped.
- fish-speech: ``TTSInferenceEngine`` built as fish-speech's server builds it
  (tests/worker_scripts/fish_reference.py), on any device.
- torch 2.11 / torchaudio 2.11 (the GPU machine): no ``list_audio_backends``, and ``torchaudio.load``
  needs torchcodec: the worker's shims give 2.8's back first (:func:`torch_compat`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import soundfile
import torch

from gpu_phases import ROOT

SCRIPTS = ROOT / "tests" / "worker_scripts"
INT16_SCALE = 32768.0


def script(name: str) -> ModuleType:
    """A module of tests/worker_scripts (not a package), loaded from its file once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def torch_compat() -> dict[str, Any]:
    """Give torchaudio >= 2.9 back 2.8's file API with the worker's shims (localclip_worker.torch_compat),
    for WeSpeaker's and fish-speech's own loaders; what was there and what was set."""
    import torchaudio

    facts: dict[str, Any] = {
        "torchaudio": torchaudio.__version__,
        "has_list_audio_backends": hasattr(torchaudio, "list_audio_backends"),
    }
    try:
        from localclip_worker.torch_compat import install_torchaudio_shims
    except ImportError as error:
        facts["shims"] = f"not available: {error}"
        return facts
    facts["shims_set"] = install_torchaudio_shims(torchaudio)
    return facts


# -- WeSpeaker ---------------------------------------------------------------------------------------------


def wespeaker_speaker(model_dir: Path, device: str) -> Any:
    """WeSpeaker's ``Speaker`` for the folder, as the oracle sets it up, on ``device``."""
    script("wespeaker_reference").install_stubs()
    bare = sys.modules.get("wespeaker")
    if bare is not None and not hasattr(bare, "load_model"):
        # LocalClip's loader ran here first and left the bare package it makes (no CLI, no frontend):
        # forget it, so the real package imports in full (LocalClip's loaded models keep their classes).
        for name in [name for name in sys.modules if name.split(".")[0] == "wespeaker"]:
            del sys.modules[name]
    import wespeaker

    with contextlib.redirect_stdout(sys.stderr):  # load_model prints the config
        speaker = wespeaker.load_model(str(model_dir.resolve()))
    speaker.set_vad(False)
    speaker.set_wavform_norm(False)
    speaker.set_resample_rate(16000)
    speaker.set_window_type("hamming")
    speaker.set_device(device)
    if device != "cpu":
        plain = speaker.compute_features
        speaker.compute_features = lambda *args, **kwargs: plain(*args, **kwargs).to(speaker.device)
    return speaker


def int16_pcm(path: Path) -> tuple[torch.Tensor, int]:
    """Every channel, [channels, samples] at int16 scale, as WeSpeaker's CLI reads a 16-bit file (and as
    LocalClip reads any file): both sides of a comparison then get the very same samples."""
    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return torch.from_numpy(np.ascontiguousarray(samples.T) * INT16_SCALE), rate


def wespeaker_embedding(speaker: Any, path: Path) -> np.ndarray:
    """WeSpeaker's per-file extraction from the file's int16-scale samples."""
    pcm, rate = int16_pcm(path)
    with torch.inference_mode():
        embedding = speaker.extract_embedding_from_pcm(pcm, rate)
    if embedding is None:
        raise RuntimeError(f"WeSpeaker found no speech in {path}")
    return embedding.float().numpy()


def wespeaker_file(speaker: Any, path: Path) -> tuple[np.ndarray, bool]:
    """WeSpeaker's own ``extract_embedding(path)`` (torchaudio decodes); where torchaudio cannot read the
    file (24-bit WAV in 2.8, anything without torchcodec in 2.11) the int16-scale samples go through
    ``extract_embedding_from_pcm``. The embedding, and whether that fallback was taken."""
    try:
        with torch.inference_mode():
            embedding = speaker.extract_embedding(str(path))
    except Exception:
        return wespeaker_embedding(speaker, path), True
    if embedding is None:
        raise RuntimeError(f"WeSpeaker found no speech in {path}")
    return embedding.float().numpy(), False


# -- fish-speech --------------------------------------------------------------------------------------------


def fish_engine(checkpoint: Path, device: str, precision: torch.dtype) -> Any:
    """fish-speech's TTSInferenceEngine on ``device``: its own init_model behind its thread-safe queue, and
    LocalClip's codec loader (fish-speech's cannot be imported from an installed package)."""
    from fish_speech.inference_engine import TTSInferenceEngine
    from fish_speech.models.text2semantic.inference import launch_thread_safe_queue

    from localclip_worker.cloning.models import load_codec

    queue = launch_thread_safe_queue(
        checkpoint_path=checkpoint, device=device, precision=precision, compile=False
    )
    codec, _ = load_codec(checkpoint / "codec.pth", device)
    return TTSInferenceEngine(llama_queue=queue, decoder_model=codec, precision=precision, compile=False)


def fish_speak(engine: Any, request: dict[str, Any]) -> np.ndarray:
    """The engine's audio for one request (tests/worker_scripts/fish_reference.py's ``speak``)."""
    return np.asarray(script("fish_reference").speak(engine, request), dtype=np.float32)
