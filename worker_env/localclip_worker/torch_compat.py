"""torch/torchaudio versions newer than the worker environment's (2.8): torchaudio 2.8's file API, for
WeSpeaker's and fish-speech's own code.

LocalClip's worker decodes with soundfile and never calls ``torchaudio.load``. The reference paths do:
WeSpeaker's ``Speaker.extract_embedding`` reads ``torchaudio.load(path, normalize=False)`` (int16-scale
samples from a 16-bit WAV), fish-speech's reference loader calls ``torchaudio.list_audio_backends()`` and
then ``torchaudio.load(file, backend=...)``. torchaudio 2.9 removed ``list_audio_backends`` and the
backends behind ``load``: its ``load`` is TorchCodec's, which needs the torchcodec package and always
returns float samples. :func:`install_torchaudio_shims` puts back what 2.8 did with its soundfile backend
(the only backend the worker environment has), so the references give the numbers they give under 2.8.

Standard library and soundfile at import; torch only when audio is loaded.
"""

from __future__ import annotations

import os
import types
from typing import IO, TYPE_CHECKING

import soundfile

if TYPE_CHECKING:
    import torch

# With normalize=False torchaudio 2.8 reads WAV in its native sample type; other WAV subtypes (24-bit PCM,
# mu-law...) raise ValueError there. Every other format, and normalize=True, gives float32.
NATIVE_WAV_DTYPES = {
    "PCM_S8": "int8",
    "PCM_U8": "uint8",
    "PCM_16": "int16",
    "PCM_32": "int32",
    "FLOAT": "float32",
    "DOUBLE": "float64",
}
BACKENDS = ["soundfile"]  # what torchaudio 2.8 lists in the worker environment (no FFmpeg or SoX libraries)


def list_audio_backends() -> list[str]:
    """torchaudio 2.8's ``list_audio_backends`` in the worker environment."""
    return list(BACKENDS)


def load(
    uri: str | os.PathLike[str] | IO[bytes],
    frame_offset: int = 0,
    num_frames: int = -1,
    normalize: bool = True,
    channels_first: bool = True,
    format: str | None = None,  # unused: soundfile takes no format hint (nor did 2.8)
    buffer_size: int = 4096,
    backend: str | None = None,
) -> tuple[torch.Tensor, int]:
    """torchaudio 2.8's ``load`` through its soundfile backend: [channels, frames] (or [frames, channels])
    and the sample rate. ``format``, ``buffer_size`` and ``backend`` are accepted and unused, as there."""
    import torch

    source = os.fspath(uri) if isinstance(uri, os.PathLike) else uri
    with soundfile.SoundFile(source, "r") as audio:
        dtype = _read_dtype(audio, normalize)
        _seek(audio, frame_offset)
        samples = audio.read(num_frames, dtype=dtype, always_2d=True)
        rate = int(audio.samplerate)
    waveform = torch.from_numpy(samples)
    return (waveform.t() if channels_first else waveform), rate


def _seek(audio: soundfile.SoundFile, frame_offset: int) -> None:
    # As 2.8 (through soundfile's read preparation): the offset is a slice start, so one past the end
    # gives no frames and a negative one counts from the end.
    if frame_offset and not audio.seekable():
        raise ValueError("start is only allowed for seekable files")
    if audio.seekable():
        audio.seek(slice(frame_offset, None).indices(audio.frames)[0])


def _read_dtype(audio: soundfile.SoundFile, normalize: bool) -> str:
    if normalize or audio.format != "WAV":
        return "float32"
    if audio.subtype not in NATIVE_WAV_DTYPES:
        raise ValueError(f"Unsupported subtype: {audio.subtype}")  # 2.8's words: callers match on them
    return NATIVE_WAV_DTYPES[audio.subtype]


def install_torchaudio_shims(torchaudio: types.ModuleType | None = None) -> list[str]:
    """Give ``torchaudio`` (the imported package by default) 2.8's ``list_audio_backends`` and ``load``
    when it has no ``list_audio_backends``: the names set, none on torchaudio 2.8 and older.

    One test for both: 2.9 dropped ``list_audio_backends`` in the same release that moved ``load`` to
    TorchCodec, and a ``load`` that still exists there is not the one the references were written for.
    """
    if torchaudio is None:
        import torchaudio
    if hasattr(torchaudio, "list_audio_backends"):
        return []
    torchaudio.list_audio_backends = list_audio_backends  # type: ignore[attr-defined]
    torchaudio.load = load  # type: ignore[attr-defined]
    return ["list_audio_backends", "load"]
