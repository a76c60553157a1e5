"""The speakers step after an embedding run, as one call: aggregate the store and write what changed.

The same work as ``localclip speakers`` (from the store's running per-speaker sums; skip-existing: speakers
whose aggregate is unchanged are left alone), returned as a summary instead of printed, so the window can
run it on a worker thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from localclip.core.embedding.speakers import changed_speakers
from localclip.core.embedding.store import EmbeddingStore


@dataclass(frozen=True)
class SpeakerUpdate:
    speakers: int
    written: int
    unchanged: int
    removed: int
    skipped: tuple[tuple[str, str, str], ...]  # (dataset, speaker, reason) not aggregated
    seconds: float


def update_speakers(
    out_dir: Path, normalize: bool = False, min_utterances: int = 1, replace_all: bool = False
) -> SpeakerUpdate:
    """Aggregate the store in ``out_dir`` and save the speakers that changed (``replace_all``: make the
    computed speakers the whole speaker table, as ``--no-skip-existing`` asks).

    Raises StoreNotFound, StoreMismatch or OSError for a store that cannot be used, ValueError for a bad
    minimum."""
    started = time.perf_counter()
    with EmbeddingStore.open_existing(out_dir) as store:
        speakers, skipped = store.aggregate_speakers(normalize, min_utterances)  # from the running sums
        if replace_all:
            store.replace_speakers(speakers)
            written, unchanged, removed = len(speakers), 0, 0
        else:
            changes = changed_speakers(store.speakers(with_utterances=False), speakers)
            store.delete_speakers(changes.removed)
            store.save_speakers(changes.changed)
            written, unchanged, removed = len(changes.changed), len(changes.unchanged), len(changes.removed)
    return SpeakerUpdate(
        len(speakers),
        written,
        unchanged,
        removed,
        tuple(skipped),
        time.perf_counter() - started,
    )
