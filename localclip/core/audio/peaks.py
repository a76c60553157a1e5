"""Waveform peaks: the minimum and maximum of a take in a few thousand buckets, to draw it.

- **Read in blocks.** A take of an hour is 170 million samples; it is read as float32 a block at a time
  (about a million frames), each block reduced to its buckets at once, so memory stays flat.
- **Cached.** Moving through a project of 10,000 lines asks for the same takes again and again: a
  :class:`PeakCache` keeps the last few hundred, keyed by the file's resolved path, modification time and
  size, so a take replaced on disk (a new take, an export over it) is read again.
- **Any width.** :meth:`Peaks.reduce` gives the min/max per pixel column for the width being drawn,
  vectorised, without reading the file again.
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

DEFAULT_BUCKETS = 4096
_BLOCK_FRAMES = 1 << 20  # about 22 s at 48 kHz: 4 MB per channel as float32


class PeaksError(ValueError):
    """A file whose waveform cannot be read (missing, not audio, damaged); the message says which."""


@dataclass(frozen=True, eq=False)  # eq=False: arrays do not compare to one truth value
class Peaks:
    rate: int  # samples per second
    frames: int  # frames in the file
    duration: float  # seconds
    mins: np.ndarray  # float32, the lowest sample of each bucket over all channels
    maxs: np.ndarray  # float32, the highest
    bucket: int  # frames per bucket (the last bucket may hold fewer)

    @property
    def buckets(self) -> int:
        return len(self.mins)

    def reduce(self, width: int) -> tuple[np.ndarray, np.ndarray]:
        """The min and max for each of `width` pixel columns spread over the whole take (float32)."""
        width = max(0, int(width))
        count = self.buckets
        if width == 0 or count == 0:
            empty = np.zeros(width, dtype=np.float32)
            return empty, empty.copy()
        if count <= width:  # fewer buckets than columns: each column shows the bucket under it
            index = (np.arange(width, dtype=np.int64) * count) // width
            return self.mins[index], self.maxs[index]
        # More buckets than columns: the extremes over each column's run of buckets.
        starts = (np.arange(width, dtype=np.int64) * count) // width  # strictly increasing here
        return np.minimum.reduceat(self.mins, starts), np.maximum.reduceat(self.maxs, starts)


def read_peaks(path: Path, buckets: int = DEFAULT_BUCKETS) -> Peaks:
    """The peaks of the audio file `path` in at most `buckets` buckets (PeaksError when unreadable)."""
    path = Path(path)
    try:
        with sf.SoundFile(str(path)) as audio:
            return _read(audio, max(1, int(buckets)))
    except PeaksError:
        raise
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as error:
        raise PeaksError(f"Cannot read the waveform of {path.name}: {_reason(error)}") from error


def _read(audio: sf.SoundFile, buckets: int) -> Peaks:
    rate, frames = int(audio.samplerate), int(audio.frames)
    if rate <= 0:
        raise PeaksError(f"{Path(audio.name).name} has no sample rate")
    bucket = max(1, math.ceil(frames / buckets))
    count = math.ceil(frames / bucket)
    mins = np.zeros(count, dtype=np.float32)
    maxs = np.zeros(count, dtype=np.float32)
    block_frames = max(1, _BLOCK_FRAMES // bucket) * bucket  # whole buckets per block
    done = 0  # buckets filled
    for block in audio.blocks(blocksize=block_frames, dtype="float32", always_2d=True):
        whole, rest = divmod(len(block), bucket)
        if whole:
            shaped = block[: whole * bucket].reshape(whole, -1)  # a bucket's frames and channels in a row
            mins[done : done + whole] = shaped.min(axis=1)
            maxs[done : done + whole] = shaped.max(axis=1)
            done += whole
        if rest and done < count:  # only the file's last block ends inside a bucket
            mins[done] = block[whole * bucket :].min()
            maxs[done] = block[whole * bucket :].max()
            done += 1
    # A file shorter than its header said leaves the remaining buckets silent (zero), not garbage.
    return Peaks(rate=rate, frames=frames, duration=frames / rate, mins=mins, maxs=maxs, bucket=bucket)


def _reason(error: BaseException) -> str:
    if isinstance(error, FileNotFoundError):
        return "the file is missing"
    text = str(error).strip()
    return text or type(error).__name__


class PeakCache:
    """The peaks of recently drawn files, least recently used dropped first. Thread-safe: the window
    reads long files on a background thread."""

    def __init__(self, max_entries: int = 256, buckets: int = DEFAULT_BUCKETS) -> None:
        self.max_entries = max(1, max_entries)
        self.buckets = buckets
        self._entries: OrderedDict[tuple[str, int, int], Peaks] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def cached(self, path: Path) -> Peaks | None:
        """The peaks of `path` if they are cached and the file has not changed since; never reads it."""
        key = _key(path)
        if key is None:
            return None
        with self._lock:
            peaks = self._entries.get(key)
            if peaks is not None:
                self._entries.move_to_end(key)
            return peaks

    def get(self, path: Path) -> Peaks:
        """The peaks of `path`, read once per version of the file (PeaksError when unreadable)."""
        key = _key(path)
        if key is None:
            raise PeaksError(f"Cannot read the waveform of {Path(path).name}: the file is missing")
        with self._lock:
            peaks = self._entries.get(key)
            if peaks is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return peaks
            self.misses += 1
        peaks = read_peaks(Path(path), self.buckets)  # outside the lock: other files need not wait
        with self._lock:
            for stale in [other for other in self._entries if other[0] == key[0]]:
                del self._entries[stale]  # an older version of the same file
            self._entries[key] = peaks
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return peaks

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _key(path: Path) -> tuple[str, int, int] | None:
    try:
        resolved = Path(path).resolve()
        status = resolved.stat()
    except OSError:
        return None
    # normcase: on Windows C:\Take.wav and c:\take.wav are one file.
    return os.path.normcase(str(resolved)), status.st_mtime_ns, status.st_size
