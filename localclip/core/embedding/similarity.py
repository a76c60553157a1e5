"""How alike the speakers of an embedding run are: per speaker its clip counts, and the cosine similarity
of every pair of speaker embeddings, so that two folders holding the same voice stand out.

Speaker embeddings come from the store's speaker table (what `localclip speakers` wrote). Before that step
has run, they are the mean of each speaker's clip embeddings, computed here the way `speakers` does
without options, and the results say so. 1,000 speakers make a 1,000 x 1,000 float32 matrix (4 MB) in
a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from localclip.core.embedding.speakers import SpeakerEmbedding, SpeakerKey
from localclip.core.embedding.store import EmbeddingStore


def cosine_similarity(matrix: np.ndarray) -> np.ndarray:
    """(N, N) float32 cosine similarities of the rows of `matrix` (N, dim). A row of zeros is alike to
    nothing (0, itself included) rather than NaN."""
    rows = np.asarray(matrix, dtype=np.float64)
    if rows.ndim != 2:
        raise ValueError(f"expected an (N, dim) matrix, not shape {rows.shape}")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    similarity = np.clip(unit @ unit.T, -1.0, 1.0)
    return similarity.astype(np.float32)


def most_similar_pairs(similarity: np.ndarray, limit: int = 100) -> list[tuple[int, int, float]]:
    """The `limit` most alike pairs (i < j), most alike first."""
    count = similarity.shape[0]
    if count < 2 or limit < 1:
        return []
    rows, columns = np.triu_indices(count, k=1)
    values = similarity[rows, columns]
    keep = min(limit, len(values))
    best = np.argpartition(-values, keep - 1)[:keep]
    best = best[np.argsort(-values[best], kind="stable")]
    return [(int(rows[k]), int(columns[k]), float(values[k])) for k in best]


def nearest_others(similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each speaker the index of the most alike other speaker (-1 when alone) and that similarity."""
    count = similarity.shape[0]
    if count < 2:
        return np.full(count, -1, dtype=np.int64), np.full(count, np.nan, dtype=np.float32)
    others = similarity.astype(np.float32, copy=True)
    np.fill_diagonal(others, -np.inf)
    nearest = np.argmax(others, axis=1)
    return nearest.astype(np.int64), others[np.arange(count), nearest]


@dataclass(frozen=True)
class SpeakerCounts:
    dataset: str
    speaker: str
    clips_used: int  # clips whose embeddings went into the speaker embedding
    clips_failed: int
    matrix_index: int | None  # the speaker's row in the similarity matrix; None: no embedding
    nearest: int | None = None  # matrix index of the most alike other speaker
    nearest_similarity: float | None = None

    @property
    def key(self) -> SpeakerKey:
        return (self.dataset, self.speaker)


@dataclass
class SpeakerResults:
    out_dir: Path
    model_id: str
    speakers: list[SpeakerCounts]  # every speaker with clips, failed ones included; sorted
    labels: list[str]  # one per matrix row: the speaker's name ("dataset / speaker" across datasets)
    similarity: np.ndarray  # float32 (M, M), M = len(labels)
    from_speaker_table: bool  # False: computed from the clip embeddings (`speakers` has not run)
    notes: list[str] = field(default_factory=list)

    def pairs(self, limit: int = 100) -> list[tuple[int, int, float]]:
        return most_similar_pairs(self.similarity, limit)


def speaker_label(dataset: str, speaker: str, several_datasets: bool) -> str:
    return f"{dataset} / {speaker}" if several_datasets else speaker


def load_speaker_results(out_dir: Path) -> SpeakerResults:
    """Read an embedding run's results from `<out_dir>/embeddings.sqlite` (StoreNotFound when absent)."""
    out_dir = Path(out_dir)
    with EmbeddingStore.open_existing(out_dir) as store:
        stored = store.speakers(with_utterances=False)  # the counts are enough here, not the clip lists
        failed = store.failed_counts()
        notes: list[str] = []
        if stored:
            speakers = stored
        else:  # from the store's running per-speaker sums, not by reading every clip's vector
            speakers, _ = store.aggregate_speakers()
            if speakers:
                notes.append(
                    "Speaker embeddings have not been computed yet (the speakers step): the similarities "
                    "use the mean of each speaker's clip embeddings."
                )
        model_id = store.model_id
    return build_results(out_dir, model_id, speakers, failed, bool(stored), notes)


def build_results(
    out_dir: Path,
    model_id: str,
    speakers: list[SpeakerEmbedding],
    failed: dict[SpeakerKey, int],
    from_speaker_table: bool,
    notes: list[str] | None = None,
) -> SpeakerResults:
    """Counts, labels and similarities from speaker embeddings and per-speaker failure counts."""
    embedded = {speaker.key: speaker for speaker in speakers}
    several = len({speaker.dataset for speaker in speakers} | {dataset for dataset, _ in failed}) > 1
    keys = sorted(embedded)
    index_of = {key: index for index, key in enumerate(keys)}
    if keys:
        similarity = cosine_similarity(np.stack([embedded[key].embedding for key in keys]))
    else:
        similarity = np.zeros((0, 0), dtype=np.float32)
    nearest, nearest_values = nearest_others(similarity)
    rows = []
    for key in sorted(set(keys) | {key for key, count in failed.items() if count > 0}):
        index = index_of.get(key)
        speaker = embedded.get(key)
        has_other = index is not None and nearest[index] >= 0
        rows.append(
            SpeakerCounts(
                dataset=key[0],
                speaker=key[1],
                clips_used=speaker.num_utterances if speaker else 0,
                # The speaker table records the failures its embedding was made with; a speaker with no
                # embedding has only the store's failure rows.
                clips_failed=speaker.failed_utterances if speaker else failed.get(key, 0),
                matrix_index=index,
                nearest=int(nearest[index]) if has_other else None,
                nearest_similarity=float(nearest_values[index]) if has_other else None,
            )
        )
    labels = [speaker_label(dataset, speaker, several) for dataset, speaker in keys]
    return SpeakerResults(out_dir, model_id, rows, labels, similarity, from_speaker_table, list(notes or []))


def value_range(similarity: np.ndarray) -> tuple[float, float]:
    """The colour scale of a heat map: from the least alike pair (rounded down to 0.05) to 1.0, so a pair
    as bright as the diagonal is as alike as a speaker is to itself."""
    count = similarity.shape[0]
    if count < 2:
        return 0.0, 1.0
    off_diagonal = similarity[~np.eye(count, dtype=bool)]
    low = float(np.floor(float(off_diagonal.min()) * 20) / 20)
    return min(low, 0.95), 1.0
