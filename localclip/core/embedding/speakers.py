"""One embedding per speaker: the mean of its utterance embeddings, computed for all speakers at once.

The seeds' way reads one pickle per clip and averages per speaker in a process pool. Here the store
keeps per-speaker running sums (`SpeakerSums`, updated in the transaction that writes each batch of
clips), so aggregating 100,000 utterances across 1,000 speakers reads 1,000 rows; `aggregate_speakers`
computes the same from a whole table of clip embeddings, vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from localclip.core.embedding.table import EmbeddingTable

SpeakerKey = tuple[str, str]  # (dataset, speaker)


@dataclass
class SpeakerEmbedding:
    dataset: str
    speaker: str
    embedding: np.ndarray  # float32 [dim]
    num_utterances: int
    failed_utterances: int
    utterance_list: list[str]  # clip file names, e.g. "a.wav", in key order
    original_paths: list[str]  # absolute clip paths, same order
    embedding_dim: int
    embedding_stats: dict[str, float]  # mean, std, min, max over the speaker embedding's values
    # Not a seed field: recorded so that `speakers` can tell whether a stored aggregate is current.
    normalized: bool = False  # utterances were L2-normalised before averaging

    @property
    def key(self) -> SpeakerKey:
        return (self.dataset, self.speaker)


@dataclass
class SpeakerChanges:
    """What `speakers` has to write: computed speakers that are new or differ from the stored ones."""

    changed: list[SpeakerEmbedding]
    unchanged: list[SpeakerKey]
    removed: list[SpeakerKey]  # stored, but no longer computed (e.g. now below --min-utterances)


@dataclass
class SpeakerSums:
    """Per (dataset, speaker), sorted: the clip count and float64 sums of the clip embeddings as they
    are and L2-normalised. The store keeps them up to date as clips are written, so `speakers` reads
    1,000 rows instead of 100,000 vectors."""

    keys: list[SpeakerKey]
    counts: np.ndarray  # int64 [S]
    sums: np.ndarray  # float64 [S, dim]
    unit_sums: np.ndarray  # float64 [S, dim]

    @classmethod
    def empty(cls, dim: int) -> SpeakerSums:
        return cls([], np.zeros(0, dtype=np.int64), np.zeros((0, dim)), np.zeros((0, dim)))


def sums_of(datasets: list[str], speakers: list[str], matrix: np.ndarray, sign: int = 1) -> SpeakerSums:
    """Per-speaker sums of ``matrix``'s rows (row i belongs to ``(datasets[i], speakers[i])``); with
    ``sign=-1`` the negated sums and counts (clips taken away)."""
    groups = _group_rows(datasets, speakers)
    sums, counts = _group_sums(matrix, groups)
    unit_sums, _ = _group_sums(unit_vectors(matrix), groups)
    return SpeakerSums(groups.keys, sign * counts, sign * sums, sign * unit_sums)


def aggregate_sums(
    sums: SpeakerSums,
    failed_counts: dict[SpeakerKey, int],
    normalize: bool = False,
    min_utterances: int = 1,
) -> tuple[list[SpeakerEmbedding], list[tuple[str, str, str]]]:
    """Mean utterance embedding per (dataset, speaker) from running sums, sorted by (dataset, speaker).

    The utterance lists are left empty (the store reads them from its clip rows when asked). Returns the
    speakers and the skipped ones as (dataset, speaker, reason): fewer than `min_utterances` embedded
    clips, or only failed clips.
    """
    if min_utterances < 1:
        raise ValueError(f"min_utterances must be at least 1, not {min_utterances}")
    totals = sums.unit_sums if normalize else sums.sums
    means = (totals / np.maximum(sums.counts, 1)[:, None]).astype(np.float32)
    stats = _value_stats(means)
    speakers: list[SpeakerEmbedding] = []
    skipped: list[tuple[str, str, str]] = []
    for group, (dataset, speaker) in enumerate(sums.keys):
        failed = failed_counts.get((dataset, speaker), 0)
        count = int(sums.counts[group])
        if count < min_utterances:
            reason = f"{count} utterance(s), fewer than the minimum {min_utterances}"
            skipped.append((dataset, speaker, f"{reason} ({failed} failed)" if failed else reason))
            continue
        speakers.append(
            SpeakerEmbedding(
                dataset=dataset,
                speaker=speaker,
                embedding=means[group],
                num_utterances=count,
                failed_utterances=failed,
                utterance_list=[],
                original_paths=[],
                embedding_dim=int(means.shape[1]),
                embedding_stats={name: float(values[group]) for name, values in stats.items()},
                normalized=normalize,
            )
        )
    skipped.extend(_only_failed(failed_counts, set(sums.keys)))
    skipped.sort()
    return speakers, skipped


def aggregate_speakers(
    table: EmbeddingTable,
    failed_counts: dict[SpeakerKey, int],
    normalize: bool = False,
    min_utterances: int = 1,
) -> tuple[list[SpeakerEmbedding], list[tuple[str, str, str]]]:
    """As `aggregate_sums`, straight from a table of clip embeddings, with the utterance lists filled
    in (in the table's order, by key)."""
    sums = sums_of(table.datasets, table.speakers, table.matrix)
    speakers, skipped = aggregate_sums(sums, failed_counts, normalize, min_utterances)
    attach_utterances(speakers, utterance_lists(table.keys, table.datasets, table.speakers, table.paths))
    return speakers, skipped


def utterance_lists(
    keys: list[str], datasets: list[str], speakers: list[str], paths: list[str]
) -> dict[SpeakerKey, tuple[list[str], list[str]]]:
    """Per speaker, its clips' file names and original paths, in the order given."""
    lists: dict[SpeakerKey, tuple[list[str], list[str]]] = {}
    for key, dataset, speaker, path in zip(keys, datasets, speakers, paths, strict=True):
        names, originals = lists.setdefault((dataset, speaker), ([], []))
        names.append(key.rpartition("/")[2])
        originals.append(path)
    return lists


def attach_utterances(
    speakers: list[SpeakerEmbedding], lists: dict[SpeakerKey, tuple[list[str], list[str]]]
) -> None:
    for speaker in speakers:
        speaker.utterance_list, speaker.original_paths = lists.get(speaker.key, ([], []))


def changed_speakers(stored: list[SpeakerEmbedding], computed: list[SpeakerEmbedding]) -> SpeakerChanges:
    """Skip-existing for `speakers`: a stored speaker is kept when its recomputed aggregate is identical.

    Instead of trusting the clip count alone (a clip re-embedded with --no-skip-existing, or one clip
    replaced by another, leaves it as it was) the recomputed embedding is compared bit for bit, together
    with the counts and the normalisation. The utterance lists are not part of a stored aggregate: the
    store reads them from its clip rows.
    """
    stored_by_key = {speaker.key: speaker for speaker in stored}
    changed: list[SpeakerEmbedding] = []
    unchanged: list[SpeakerKey] = []
    for speaker in computed:
        previous = stored_by_key.get(speaker.key)
        if previous is not None and _same_aggregate(previous, speaker):
            unchanged.append(speaker.key)
        else:
            changed.append(speaker)
    computed_keys = {speaker.key for speaker in computed}
    removed = sorted(key for key in stored_by_key if key not in computed_keys)
    return SpeakerChanges(changed, unchanged, removed)


@dataclass
class _Groups:
    keys: list[SpeakerKey]  # group index -> (dataset, speaker), sorted
    order: np.ndarray  # row indices sorted by group, stable
    starts: np.ndarray  # first position in `order` of each group
    in_order: bool  # every group's rows are already contiguous (the table came sorted by key)


def _group_rows(datasets: list[str], speakers: list[str]) -> _Groups:
    keys = sorted(set(zip(datasets, speakers, strict=True)))
    index_of = {key: index for index, key in enumerate(keys)}
    group_of_row = np.fromiter(
        (index_of[key] for key in zip(datasets, speakers, strict=True)), dtype=np.int64, count=len(datasets)
    )
    order = np.argsort(group_of_row, kind="stable")
    starts = np.searchsorted(group_of_row[order], np.arange(len(keys)))
    return _Groups(keys, order, starts, in_order=bool(np.all(order[1:] > order[:-1])))


def unit_vectors(matrix: np.ndarray) -> np.ndarray:
    """Rows L2-normalised in float32 (row by row, so the same vector gives the same bits in any batch)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    # An all-zero utterance stays zero rather than becoming NaN.
    return matrix / np.maximum(norms, np.finfo(np.float32).tiny)


def _group_sums(matrix: np.ndarray, groups: _Groups) -> tuple[np.ndarray, np.ndarray]:
    """Per-group sums in float64 (so that a 10,000-utterance speaker loses no precision) and counts."""
    dim = matrix.shape[1] if matrix.ndim == 2 else 0
    if not groups.keys:
        return np.zeros((0, dim)), np.zeros(0, dtype=np.int64)
    # Rows read in key order are already grouped: reordering 100 MB of vectors would be wasted work.
    grouped = matrix if groups.in_order else matrix[groups.order]
    ends = np.append(groups.starts[1:], len(groups.order))
    # One float64 sum per group slice: 10x faster than np.add.reduceat with a float64 dtype (measured).
    sums = np.stack(
        [
            grouped[start:end].sum(axis=0, dtype=np.float64)
            for start, end in zip(groups.starts, ends, strict=True)
        ]
    )
    return sums, ends - groups.starts


def _value_stats(means: np.ndarray) -> dict[str, np.ndarray]:
    values = means.astype(np.float64)
    return {
        "mean": values.mean(axis=1),
        "std": values.std(axis=1),
        "min": values.min(axis=1),
        "max": values.max(axis=1),
    }


def _only_failed(
    failed_counts: dict[SpeakerKey, int], embedded: set[SpeakerKey]
) -> list[tuple[str, str, str]]:
    return [
        (dataset, speaker, f"no utterance embedded ({failed} failed)")
        for (dataset, speaker), failed in failed_counts.items()
        if (dataset, speaker) not in embedded and failed > 0
    ]


def _same_aggregate(stored: SpeakerEmbedding, computed: SpeakerEmbedding) -> bool:
    return (
        stored.normalized == computed.normalized
        and stored.num_utterances == computed.num_utterances
        and stored.failed_utterances == computed.failed_utterances
        and np.array_equal(stored.embedding, computed.embedding)
    )
