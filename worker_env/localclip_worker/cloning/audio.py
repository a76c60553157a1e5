"""Reference audio in, generated audio out.

A reference is read as fish-speech's reference loader reads it (float samples, channels averaged,
torchaudio's default resampler to the codec's rate), so the codes equal what fish-speech computes.
Outputs are 32-bit float WAV files (the codec's samples exactly, no PEAK chunk with a time stamp, so equal
audio makes equal files), written under a temporary name in the target folder and then renamed over the
target, so a reader never sees half a file and an interrupted run leaves no broken clip.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio

from localclip_worker.job import BadInput

log = logging.getLogger(__name__)


def read_reference(path: Path, sample_rate: int) -> torch.Tensor:
    """The file's audio as float32 [samples], mono, at ``sample_rate``. BadInput for what cannot be used."""
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except FileNotFoundError as error:
        raise BadInput(f"reference audio {path}: no such file") from error
    except (sf.LibsndfileError, RuntimeError, OSError, TypeError, ValueError) as error:
        raise BadInput(f"reference audio {path} cannot be decoded: {error}") from error
    if samples.shape[0] == 0:
        raise BadInput(f"reference audio {path} is empty")
    if not np.isfinite(samples).all():
        raise BadInput(f"reference audio {path} holds non-finite samples")
    # [channels, samples] as torchaudio.load gives it; the mean is fish-speech's downmix.
    waveform = torch.from_numpy(np.ascontiguousarray(samples.T))
    if waveform.shape[0] > 1:
        waveform = torch.mean(waveform, dim=0, keepdim=True)
    if rate != sample_rate:
        waveform = torchaudio.functional.resample(waveform, orig_freq=rate, new_freq=sample_rate)
    return waveform[0]


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono float32 ``samples`` to ``path`` atomically (a temporary file beside it, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same folder: a rename within one file system is atomic; a unique name: two writers never collide.
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with sf.SoundFile(str(temporary), "w", sample_rate, 1, subtype="FLOAT", format="WAV") as file:
            _without_peak_chunk(file)
            file.write(samples.astype(np.float32))
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


SFC_SET_ADD_PEAK_CHUNK = 0x1050  # libsndfile's command number (sndfile.h)


def _without_peak_chunk(file: sf.SoundFile) -> None:
    """libsndfile adds a PEAK chunk holding the time of writing to float files: without it, the same seed
    gives the same file byte for byte. pysoundfile has no public call for this, hence its private handle;
    should that ever change, the file keeps its PEAK chunk and nothing else differs."""
    try:
        sf._snd.sf_command(file._file, SFC_SET_ADD_PEAK_CHUNK, sf._ffi.NULL, 0)  # 0: SF_FALSE
    except AttributeError:
        log.debug("soundfile offers no sf_command: the WAV keeps its PEAK chunk")
