"""Speaker aggregation against a direct per-speaker numpy loop, skip rules, skip-existing, speed."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from localclip.core.embedding.speakers import SpeakerEmbedding, aggregate_speakers, changed_speakers
from localclip.core.embedding.store import EmbeddingRecord, EmbeddingStore
from localclip.core.embedding.table import EmbeddingTable


def make_table(speaker_of_row: list[tuple[str, str]], dim: int, seed: int = 0) -> EmbeddingTable:
    """Rows in key order, as the store returns them; vectors random, not normalised."""
    rng = np.random.default_rng(seed)
    keys = [f"{dataset}/{speaker}/clip{row:07}.wav" for row, (dataset, speaker) in enumerate(speaker_of_row)]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    matrix = (rng.standard_normal((len(keys), dim)) * 3 + 1).astype(np.float32)
    return EmbeddingTable(
        keys=[keys[row] for row in order],
        datasets=[speaker_of_row[row][0] for row in order],
        speakers=[speaker_of_row[row][1] for row in order],
        paths=[f"/data/{keys[row]}" for row in order],
        durations=np.ones(len(keys)),
        sample_rates=np.full(len(keys), 16_000),
        matrix=matrix[order],
    )


def reference(table: EmbeddingTable, normalize: bool) -> dict[tuple[str, str], dict]:
    """The seeds' way, one speaker at a time."""
    result: dict[tuple[str, str], dict] = {}
    for key in sorted(set(zip(table.datasets, table.speakers, strict=True))):
        rows = [i for i, pair in enumerate(zip(table.datasets, table.speakers, strict=True)) if pair == key]
        vectors = table.matrix[rows].astype(np.float64)
        if normalize:
            vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        mean = vectors.mean(axis=0)
        result[key] = {
            "embedding": mean,
            "stats": {"mean": mean.mean(), "std": mean.std(), "min": mean.min(), "max": mean.max()},
            "files": [table.keys[i].rsplit("/", 1)[1] for i in rows],
            "paths": [table.paths[i] for i in rows],
        }
    return result


SPEAKERS = [("ds1", "alice")] * 5 + [("ds1", "bob")] * 3 + [("ds2", "alice")] * 4 + [("ds2", "carol")] * 1


@pytest.mark.parametrize("normalize", [False, True])
def test_means_and_stats_match_a_direct_loop(normalize: bool) -> None:
    table = make_table(SPEAKERS * 2, dim=16)
    failed = {("ds1", "bob"): 2}

    speakers, skipped = aggregate_speakers(table, failed, normalize=normalize)

    expected = reference(table, normalize)
    assert [s.key for s in speakers] == list(expected)
    assert skipped == []
    for speaker in speakers:
        want = expected[speaker.key]
        assert speaker.embedding.dtype == np.float32 and speaker.embedding.shape == (16,)
        np.testing.assert_allclose(speaker.embedding, want["embedding"], rtol=1e-6, atol=1e-6)
        for name in ("mean", "std", "min", "max"):
            assert speaker.embedding_stats[name] == pytest.approx(want["stats"][name], rel=1e-5, abs=1e-6)
            assert type(speaker.embedding_stats[name]) is float
        assert speaker.utterance_list == want["files"]
        assert speaker.original_paths == want["paths"]
        assert speaker.num_utterances == len(want["files"])
        assert speaker.failed_utterances == failed.get(speaker.key, 0)
        assert speaker.embedding_dim == 16
        assert speaker.normalized is normalize
    if normalize:  # the mean of unit vectors is at most unit length
        assert all(np.linalg.norm(s.embedding) <= 1 + 1e-6 for s in speakers)


def test_min_utterances_and_failure_only_speakers_are_skipped_with_reasons() -> None:
    table = make_table(SPEAKERS, dim=4)
    failed = {("ds1", "bob"): 1, ("ds3", "dave"): 4}

    speakers, skipped = aggregate_speakers(table, failed, min_utterances=4)

    assert [s.key for s in speakers] == [("ds1", "alice"), ("ds2", "alice")]
    assert skipped == [
        ("ds1", "bob", "3 utterance(s), fewer than the minimum 4 (1 failed)"),
        ("ds2", "carol", "1 utterance(s), fewer than the minimum 4"),
        ("ds3", "dave", "no utterance embedded (4 failed)"),
    ]
    with pytest.raises(ValueError, match="at least 1"):
        aggregate_speakers(table, {}, min_utterances=0)


def test_an_empty_table_gives_no_speakers() -> None:
    table = make_table([], dim=4)
    speakers, skipped = aggregate_speakers(table, {("ds", "x"): 2})
    assert speakers == []
    assert skipped == [("ds", "x", "no utterance embedded (2 failed)")]


def test_a_zero_utterance_vector_stays_finite_when_normalising() -> None:
    table = make_table([("ds", "a")] * 2, dim=4)
    table.matrix = np.array([[0, 0, 0, 0], [3, 0, 4, 0]], dtype=np.float32)
    (speaker,), _ = aggregate_speakers(table, {}, normalize=True)
    np.testing.assert_allclose(speaker.embedding, [0.3, 0, 0.4, 0], rtol=1e-6)


def test_skip_existing_keeps_identical_aggregates_and_finds_changes() -> None:
    table = make_table(SPEAKERS, dim=8)
    stored, _ = aggregate_speakers(table, {})

    again, _ = aggregate_speakers(table, {})
    unchanged = changed_speakers(stored, again)
    assert unchanged.changed == [] and unchanged.removed == []
    assert unchanged.unchanged == [s.key for s in stored]

    normalised, _ = aggregate_speakers(table, {}, normalize=True)
    assert len(changed_speakers(stored, normalised).changed) == len(stored)

    table.matrix = table.matrix.copy()
    table.matrix[0] += 1  # a re-embedded clip of ds1/alice: same names, new vector
    recomputed, _ = aggregate_speakers(table, {("ds2", "alice"): 1}, min_utterances=2)
    changes = changed_speakers(stored, recomputed)
    assert [s.key for s in changes.changed] == [("ds1", "alice"), ("ds2", "alice")]
    assert changes.unchanged == [("ds1", "bob")]
    assert changes.removed == [("ds2", "carol")]  # now below --min-utterances


def test_skip_existing_through_the_store(tmp_path: Path) -> None:
    """What `speakers` does: aggregate, compare with the stored rows, write only what changed."""
    table = make_table(SPEAKERS, dim=8)
    records = [
        EmbeddingRecord(key, dataset, speaker, path, 1.0, 16_000, vector)
        for key, dataset, speaker, path, vector in zip(
            table.keys, table.datasets, table.speakers, table.paths, table.matrix, strict=True
        )
    ]
    with EmbeddingStore.open(tmp_path, "m", 8) as store:
        store.add_embeddings(records)
        first, _ = aggregate_speakers(store.embeddings(), store.failed_counts())
        store.save_speakers(first)
        second, _ = aggregate_speakers(store.embeddings(), store.failed_counts())
        changes = changed_speakers(store.speakers(), second)
    assert changes.changed == [] and len(changes.unchanged) == 4


def test_100k_utterances_of_1000_speakers_aggregate_in_seconds() -> None:
    count, dim, speaker_count = 100_000, 256, 1_000
    rng = np.random.default_rng(1)
    speaker_of_row = [("ds", f"spk{index:04}") for index in rng.integers(0, speaker_count, count)]
    table = make_table(speaker_of_row, dim)

    start = time.perf_counter()
    speakers, _ = aggregate_speakers(table, {}, normalize=True)
    elapsed = time.perf_counter() - start

    print(f"aggregated {count} x {dim} across {len(speakers)} speakers in {elapsed:.2f} s")
    assert len(speakers) == speaker_count
    assert sum(s.num_utterances for s in speakers) == count
    assert elapsed < 10
    rows = [i for i, name in enumerate(table.speakers) if name == "spk0007"]
    vectors = table.matrix[rows] / np.linalg.norm(table.matrix[rows], axis=1, keepdims=True)
    np.testing.assert_allclose(speakers[7].embedding, vectors.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_speaker_embedding_key() -> None:
    speaker = SpeakerEmbedding("d", "s", np.zeros(2, np.float32), 1, 0, ["a.wav"], ["/a.wav"], 2, {})
    assert speaker.key == ("d", "s") and speaker.normalized is False
