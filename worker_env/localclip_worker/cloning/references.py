"""Reference audio to codec codes, once: cached in this worker's memory and on disk across workers and runs.

The key is the SHA-256 of the audio file's bytes, under a folder per codec (its identity, see
:func:`.models.codec_identity`): the same recording under another name is a hit, an edited one is not.
Files are ``.npy`` (int64 [codebooks, frames]), written to a temporary name and renamed, and read without
pickle; a damaged or foreign cache file is encoded again and replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from localclip_worker.cloning.audio import read_reference
from localclip_worker.cloning.models import LoadedModels
from localclip_worker.job import BadInput

log = logging.getLogger(__name__)

MEMORY_ENTRIES = 256  # codes of ~30 s of audio take 50 KB: a worker keeps every speaker of a project
HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class ReferenceCodes:
    audio_hash: str  # SHA-256 of the file's bytes
    codes: torch.Tensor  # int64 [codebooks, frames] on the CPU
    source: str  # "memory", "disk" or "encoded"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as file:
            while block := file.read(HASH_BLOCK):
                digest.update(block)
    except FileNotFoundError as error:
        raise BadInput(f"reference audio {path}: no such file") from error
    except OSError as error:
        raise BadInput(f"reference audio {path} cannot be read: {error}") from error
    return digest.hexdigest()


class ReferenceCache:
    def __init__(self, models: LoadedModels, cache_dir: Path | None) -> None:
        self._models = models
        self._folder = cache_dir / models.codec_identity[:16] if cache_dir else None
        self._memory: OrderedDict[str, torch.Tensor] = OrderedDict()
        self.counts = {"memory": 0, "disk": 0, "encoded": 0}

    def codes(self, path: Path) -> ReferenceCodes:
        """The codes of the audio file at ``path``; BadInput when it cannot be read or decoded."""
        audio_hash = file_sha256(path)
        codes, source = self._cached(audio_hash)
        if codes is None:
            codes, source = self._encode(path), "encoded"
            self._store(audio_hash, codes)
        self._remember(audio_hash, codes)
        self.counts[source] += 1
        return ReferenceCodes(audio_hash, codes, source)

    def _cached(self, audio_hash: str) -> tuple[torch.Tensor | None, str]:
        if audio_hash in self._memory:
            self._memory.move_to_end(audio_hash)
            return self._memory[audio_hash], "memory"
        return self._load(audio_hash), "disk"

    def _remember(self, audio_hash: str, codes: torch.Tensor) -> None:
        self._memory[audio_hash] = codes
        self._memory.move_to_end(audio_hash)
        while len(self._memory) > MEMORY_ENTRIES:
            self._memory.popitem(last=False)

    @torch.inference_mode()
    def _encode(self, path: Path) -> torch.Tensor:
        """As fish-speech's encode_reference: the whole file at once, [1, 1, samples] -> [codebooks, T]."""
        models = self._models
        audio = read_reference(path, models.sample_rate).to(models.device)[None, None, :]
        lengths = torch.tensor([audio.shape[2]], device=models.device, dtype=torch.long)
        codes = models.codec.encode(audio, lengths)[0][0]
        return codes.to(device="cpu", dtype=torch.long)

    # -- disk -----------------------------------------------------------------------------------------------

    def _path(self, audio_hash: str) -> Path | None:
        return self._folder / f"{audio_hash}.npy" if self._folder else None

    def _load(self, audio_hash: str) -> torch.Tensor | None:
        path = self._path(audio_hash)
        if path is None or not path.is_file():
            return None
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as error:
            log.warning("reference cache file %s is unreadable (%s): encoding again", path, error)
            return None
        if array.ndim != 2 or array.shape[0] != self._models.num_codebooks or array.dtype.kind not in "iu":
            log.warning("reference cache file %s holds %s %s: encoding again", path, array.dtype, array.shape)
            return None
        return torch.from_numpy(array.astype(np.int64))

    def _store(self, audio_hash: str, codes: torch.Tensor) -> None:
        path = self._path(audio_hash)
        if path is None:
            return
        temporary = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as file:
                np.save(file, codes.numpy(), allow_pickle=False)
            temporary.replace(path)  # atomic: another worker reads the old file, the new one or none
        except OSError as error:  # a cache that cannot be written costs time, never the line
            log.warning("reference codes could not be cached in %s: %s", path.parent, error)
            with contextlib.suppress(OSError):
                temporary.unlink()
