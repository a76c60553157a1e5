"""The embedding store: round trip, resume, model binding, validation, crash safety, throughput."""

from __future__ import annotations

import base64
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from localclip.core.embedding.store import (
    STORE_FILE_NAME,
    EmbeddingRecord,
    EmbeddingStore,
    FailureRecord,
    StoreMismatch,
    StoreNotFound,
    decode_embedding_b64,
    encode_embedding_b64,
)

DIM = 8
REPO_ROOT = Path(__file__).resolve().parents[1]


def record(index: int, dim: int = DIM, speaker: str | None = None) -> EmbeddingRecord:
    """Deterministic vectors, so that a reader can check every stored row."""
    speaker = speaker or f"spk{index % 3}"
    return EmbeddingRecord(
        key=f"ds/{speaker}/clip{index:06}.wav",
        dataset="ds",
        speaker=speaker,
        path=f"/data/ds/{speaker}/clip{index:06}.wav",
        duration=1.0 + index / 1000,
        sample_rate=16_000,
        embedding=np.arange(dim, dtype=np.float32) + index,
    )


def failure(index: int) -> FailureRecord:
    base = record(index)
    return FailureRecord(base.key, base.dataset, base.speaker, base.path, "too_short", "0.01 s is too short")


def test_round_trip(tmp_path: Path) -> None:
    records = [record(index) for index in range(5)]
    with EmbeddingStore.open(tmp_path / "out", "resnet34-test", DIM) as store:
        store.add_embeddings(records[:3])
        store.add_embeddings(records[3:])
        records.sort(key=lambda r: r.key)  # the store returns rows in key order
        store.add_failures([failure(7)])

    with EmbeddingStore.open_existing(tmp_path / "out") as store:
        assert (store.model_id, store.dim) == ("resnet34-test", DIM)
        table = store.embeddings()
        assert store.counts() == {"embeddings": 5, "failures": 1, "speakers": 0}
        assert store.failures() == [failure(7)]
        assert store.failed_counts() == {("ds", "spk1"): 1}

    assert len(table) == 5 and table.dim == DIM
    assert table.keys == [r.key for r in records]
    assert table.datasets == ["ds"] * 5
    assert table.speakers == [r.speaker for r in records]
    assert table.paths == [r.path for r in records]
    assert table.durations.tolist() == [r.duration for r in records]
    assert table.sample_rates.tolist() == [16_000] * 5
    assert table.matrix.dtype == np.float32 and table.matrix.shape == (5, DIM)
    np.testing.assert_array_equal(table.matrix, np.stack([r.embedding for r in records]))


def test_embeddings_are_plain_little_endian_float32_blobs(tmp_path: Path) -> None:
    """Readable with nothing but sqlite3 and numpy: no pickle anywhere."""
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([record(1)])

    connection = sqlite3.connect(tmp_path / STORE_FILE_NAME)
    (blob,) = connection.execute("SELECT embedding FROM embeddings").fetchone()
    meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
    connection.close()
    np.testing.assert_array_equal(np.frombuffer(blob, dtype="<f4"), record(1).embedding)
    assert meta["model_id"] == "m" and meta["dim"] == str(DIM)


def test_resume_skips_done_clips_and_retries_failed_ones(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([record(index) for index in range(4)])
        store.add_failures([failure(4), failure(5)])
        assert store.done_keys() == {record(index).key for index in range(4)}

    with EmbeddingStore.open(tmp_path, "m", DIM) as store:  # a second run
        assert store.done_keys() == {record(index).key for index in range(4)}
        store.add_embeddings([record(4)])  # the retry succeeds: its failure row goes
        assert [f.key for f in store.failures()] == [record(5).key]
        assert record(4).key in store.done_keys()


def test_the_latest_outcome_wins(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([record(1)])
        changed = record(1)
        changed.embedding = changed.embedding * 2
        store.add_embeddings([changed])  # recomputed (--no-skip-existing): replaced, not duplicated
        np.testing.assert_array_equal(store.embeddings().matrix[0], changed.embedding)
        store.add_failures([failure(1)])  # a recomputation that failed
        assert store.counts() == {"embeddings": 0, "failures": 1, "speakers": 0}


def test_another_model_or_dimension_is_refused(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path, "resnet34", DIM) as store:
        store.add_embeddings([record(1)])

    with pytest.raises(StoreMismatch, match="another output folder") as error:
        EmbeddingStore.open(tmp_path, "campplus", DIM)
    assert "resnet34" in str(error.value) and "delete" in str(error.value)
    with pytest.raises(StoreMismatch, match=r"\(8 dimensions\), not of 'resnet34' \(256 dimensions\)"):
        EmbeddingStore.open(tmp_path, "resnet34", 256)
    with EmbeddingStore.open(tmp_path, "resnet34", DIM) as store:  # the right model still opens
        assert len(store.done_keys()) == 1


def test_an_empty_store_of_another_model_is_made_over(tmp_path: Path) -> None:
    """A run that stopped before any result (a model the workers could not load) leaves an empty store:
    the next run, with another model, takes it over; one result or failure in it, and it is refused."""
    EmbeddingStore.open(tmp_path, "refused", 16).close()
    with EmbeddingStore.open(tmp_path, "resnet34", DIM) as store:
        store.add_failures([failure(2)])
        store.add_embeddings([record(1)])
        assert store.counts() == {"embeddings": 1, "failures": 1, "speakers": 0}
    with EmbeddingStore.open_existing(tmp_path) as store:
        assert (store.model_id, store.dim) == ("resnet34", DIM)
    with pytest.raises(StoreMismatch):
        EmbeddingStore.open(tmp_path, "campplus", DIM)
    (tmp_path / "only failures").mkdir()
    with EmbeddingStore.open(tmp_path / "only failures", "a", DIM) as store:
        store.add_failures([failure(3)])
    with pytest.raises(StoreMismatch):
        EmbeddingStore.open(tmp_path / "only failures", "b", DIM)


def test_open_existing_without_a_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match=r"no embedding store in .*run `localclip embed"):
        EmbeddingStore.open_existing(tmp_path)
    assert not (tmp_path / STORE_FILE_NAME).exists()  # looking never creates one

    (tmp_path / STORE_FILE_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreNotFound, match="not a LocalClip embedding store"):
        EmbeddingStore.open_existing(tmp_path)


@pytest.mark.parametrize(
    "bad_vector",
    [
        np.array([np.nan] + [0.0] * (DIM - 1), dtype=np.float32),
        np.array([np.inf] + [0.0] * (DIM - 1), dtype=np.float32),
        np.array([1e300] + [0.0] * (DIM - 1), dtype=np.float64),  # infinite as float32
        np.zeros(DIM + 1, dtype=np.float32),
        np.zeros((1, DIM), dtype=np.float32),
    ],
    ids=["nan", "inf", "float32-overflow", "wrong-dim", "wrong-shape"],
)
def test_a_bad_vector_rejects_the_whole_batch_before_writing(tmp_path: Path, bad_vector: np.ndarray) -> None:
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_failures([failure(0)])
        bad = record(2)
        bad.embedding = bad_vector
        with pytest.raises(ValueError, match=r"ds/spk2/clip000002\.wav"):
            store.add_embeddings([record(0), record(1), bad, record(3)])
        assert store.counts() == {"embeddings": 0, "failures": 1, "speakers": 0}  # failure row kept too


def test_a_batch_is_written_as_one_record_at_a_time_would_be(tmp_path: Path) -> None:
    """The batch is checked and written at once (numpy): the same rows as record by record: a key twice
    keeps its last record at its first place, vectors of any float type or a list stored as float32,
    durations and sample rates as numbers."""
    records = [record(i) for i in range(6)]
    records[1].embedding = records[1].embedding.astype(np.float64) / 3
    records[2].embedding = [0.5] * DIM  # type: ignore[assignment]
    records[3].duration, records[3].sample_rate = 2, 44_100.0  # type: ignore[assignment]
    again = record(0)
    again.embedding = again.embedding * -1
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([*records, again])
        table = store.embeddings()
        rows = store._query("SELECT key, duration, sample_rate FROM embeddings ORDER BY rowid")
    assert [row[0] for row in rows] == [r.key for r in records]  # the key twice: once, at its first place
    stored = dict(zip(table.keys, table.matrix, strict=True))
    assert stored[again.key].tolist() == again.embedding.tolist()
    np.testing.assert_array_equal(stored[records[1].key], records[1].embedding.astype(np.float32))
    assert stored[records[2].key].tolist() == [0.5] * DIM
    assert rows[3][1:] == (2.0, 44_100) and isinstance(rows[3][1], float) and isinstance(rows[3][2], int)


def test_the_first_bad_record_of_a_batch_is_the_one_named(tmp_path: Path) -> None:
    bad_duration, bad_vector, bad_key = record(1), record(2), record(3)
    bad_duration.duration = float("nan")
    bad_vector.embedding = np.zeros(DIM + 1, dtype=np.float32)
    bad_key.key = ""
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        with pytest.raises(ValueError, match=r"clip000001\.wav: the duration nan is not a length"):
            store.add_embeddings([record(0), bad_duration, bad_vector, bad_key])
        with pytest.raises(ValueError, match=r"clip000002\.wav: the embedding has shape \(9,\)"):
            store.add_embeddings([record(0), bad_vector, bad_key])
        with pytest.raises(ValueError, match="a clip key must be a non-empty string"):
            store.add_embeddings([bad_key, bad_vector])
        superseded = record(4)
        superseded.embedding = np.full(DIM, np.nan, dtype=np.float32)
        store.add_embeddings([superseded, record(4)])  # its key's last record wins: nothing is wrong
        assert store.counts()["embeddings"] == 1


def test_a_new_store_has_16_kib_pages_and_an_older_one_keeps_its_own(tmp_path: Path) -> None:
    """16 KiB pages hold a dozen clip rows each (a quarter less work per write); a store made with 4 KiB
    pages (before) is read and written as ever."""
    with EmbeddingStore.open(tmp_path / "new", "m", DIM) as store:
        store.add_embeddings([record(i) for i in range(5)])
    with sqlite3.connect(tmp_path / "new" / STORE_FILE_NAME) as connection:
        assert connection.execute("PRAGMA page_size").fetchone()[0] == 16_384
    older = tmp_path / "older"
    older.mkdir()
    with sqlite3.connect(older / STORE_FILE_NAME) as connection:
        connection.execute("PRAGMA page_size=4096")
        connection.execute("PRAGMA journal_mode=WAL")
    with EmbeddingStore.open(older, "m", DIM) as store:
        store.add_embeddings([record(i) for i in range(5)])
    with EmbeddingStore.open(older, "m", DIM) as store:
        store.add_embeddings([record(i) for i in range(5, 40)])
        assert len(store.embeddings()) == 40
        assert_sums_match_the_clip_rows(store)
    with sqlite3.connect(older / STORE_FILE_NAME) as connection:
        assert connection.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_wal_mode_is_on(tmp_path: Path) -> None:
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([record(1)])
        assert (tmp_path / f"{STORE_FILE_NAME}-wal").exists()
        reader = sqlite3.connect(tmp_path / STORE_FILE_NAME)
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert reader.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 1  # readers see commits
        reader.close()


WRITER_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import numpy as np
    from localclip.core.embedding.store import EmbeddingRecord, EmbeddingStore

    out, mode, batch_size, dim = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    def batch(start):
        return [
            EmbeddingRecord(f"ds/spk/clip{i:08}.wav", "ds", "spk", f"/d/clip{i:08}.wav", 1.0, 16000,
                            np.arange(dim, dtype=np.float32) + i)
            for i in range(start, start + batch_size)
        ]

    store = EmbeddingStore.open(out, "m", dim)
    store.add_embeddings(batch(0))
    print("committed", batch_size, flush=True)
    if mode == "exit-half-way":
        inserted = 0
        def exit_half_way(sql):
            global inserted
            if sql.startswith("INSERT OR REPLACE INTO embeddings"):
                inserted += 1
                if inserted == batch_size // 2:
                    print("exiting inside the transaction", flush=True)
                    os._exit(3)
        store._connection.set_trace_callback(exit_half_way)
        store.add_embeddings(batch(batch_size))
        print("not reached", flush=True)
    else:  # write until killed
        start = batch_size
        while True:
            store.add_embeddings(batch(start))
            start += batch_size
            print("committed", start, flush=True)
    """
)


def run_writer(tmp_path: Path, mode: str, batch_size: int, dim: int) -> subprocess.Popen[str]:
    script = tmp_path / "writer.py"
    script.write_text(WRITER_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "out"), mode, str(batch_size), str(dim)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def assert_whole_batches(out: Path, batch_size: int, dim: int) -> int:
    """Reopen after the kill: the database is intact and holds whole batches with the right vectors."""
    with sqlite3.connect(out / STORE_FILE_NAME) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with EmbeddingStore.open(out, "m", dim) as store:
        table = store.embeddings()
    count = len(table)
    assert count > 0 and count % batch_size == 0, f"{count} rows is not whole batches of {batch_size}"
    expected = np.arange(dim, dtype=np.float32)[None, :] + np.arange(count, dtype=np.float32)[:, None]
    np.testing.assert_array_equal(table.matrix, expected)
    assert table.keys == [f"ds/spk/clip{i:08}.wav" for i in range(count)]
    return count


def test_a_writer_exiting_inside_a_transaction_leaves_no_partial_batch(tmp_path: Path) -> None:
    writer = run_writer(tmp_path, "exit-half-way", batch_size=400, dim=DIM)
    output, _ = writer.communicate(timeout=60)

    assert writer.returncode == 3, output
    assert "exiting inside the transaction" in output and "not reached" not in output
    assert assert_whole_batches(tmp_path / "out", 400, DIM) == 400  # the first batch, none of the second


def test_a_writer_killed_with_sigkill_mid_run_leaves_whole_batches(tmp_path: Path) -> None:
    batch_size, dim = 2_000, 256
    writer = run_writer(tmp_path, "forever", batch_size, dim)
    assert writer.stdout is not None
    commits = 0
    while commits < 3:  # let a few batches commit, then kill at a random point of the next ones
        line = writer.stdout.readline()
        assert line.startswith("committed"), line
        commits += 1
    time.sleep(random.uniform(0, 0.05))
    writer.kill()  # SIGKILL (TerminateProcess on Windows): no cleanup of any kind
    writer.wait(timeout=30)
    writer.stdout.close()

    count = assert_whole_batches(tmp_path / "out", batch_size, dim)
    print(f"killed after {count} committed records")
    assert count >= 3 * batch_size


def test_write_throughput(tmp_path: Path) -> None:
    dim, count, batch_size = 256, 20_000, 500
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((count, dim)).astype(np.float32)
    records = [
        EmbeddingRecord(
            f"ds/s{i % 100}/c{i}.wav", "ds", f"s{i % 100}", f"/d/s{i % 100}/c{i}.wav", 2.5, 16000, v
        )
        for i, v in enumerate(vectors)
    ]
    with EmbeddingStore.open(tmp_path, "m", dim) as store:
        start = time.perf_counter()
        for offset in range(0, count, batch_size):
            store.add_embeddings(records[offset : offset + batch_size])
        write_seconds = time.perf_counter() - start
        start = time.perf_counter()
        table = store.embeddings()
        load_seconds = time.perf_counter() - start

    rate = count / write_seconds
    print(f"wrote {count} records of dim {dim} at {rate:,.0f} records/s; loaded them in {load_seconds:.3f} s")
    assert rate > 2_000
    assert len(table) == count


def test_speaker_rows_round_trip(tmp_path: Path) -> None:
    from localclip.core.embedding.speakers import SpeakerEmbedding

    speaker = SpeakerEmbedding(
        dataset="测试 数据",
        speaker="说话人 一",
        embedding=np.linspace(-1, 1, DIM, dtype=np.float32),
        num_utterances=2,
        failed_utterances=1,
        utterance_list=["a.wav", "b.wav"],
        original_paths=["/d/测试 数据/说话人 一/a.wav", "/d/测试 数据/说话人 一/b.wav"],
        embedding_dim=DIM,
        embedding_stats={"mean": 0.0, "std": 0.5, "min": -1.0, "max": 1.0},
        normalized=True,
    )
    clips = [
        EmbeddingRecord(
            f"测试 数据/说话人 一/{name}", speaker.dataset, speaker.speaker, path, 1.0, 16_000, vector
        )
        for name, path, vector in zip(
            ("b.wav", "a.wav"),
            reversed(speaker.original_paths),
            np.eye(2, DIM, dtype=np.float32),
            strict=True,
        )
    ]
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings(clips)  # the utterance lists come from the clip rows, by key
        store.save_speakers([speaker])
        (loaded,) = store.speakers()
        store.delete_speakers([speaker.key])
        assert store.speakers() == []

    np.testing.assert_array_equal(loaded.embedding, speaker.embedding)
    assert loaded.embedding.dtype == np.float32
    loaded.embedding = speaker.embedding
    assert loaded == speaker


def direct_sums(store: EmbeddingStore) -> dict[tuple[str, str], tuple[int, np.ndarray, np.ndarray]]:
    """Per speaker: clip count, sum and sum of unit vectors, straight from the clip rows in float64."""
    table = store.embeddings()
    result = {}
    for key in sorted(set(zip(table.datasets, table.speakers, strict=True))):
        rows = [i for i, pair in enumerate(zip(table.datasets, table.speakers, strict=True)) if pair == key]
        vectors = table.matrix[rows].astype(np.float64)
        units = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        result[key] = (len(rows), vectors.sum(axis=0), units.sum(axis=0))
    return result


def assert_sums_match_the_clip_rows(store: EmbeddingStore) -> None:
    sums, want = store.speaker_sums(), direct_sums(store)
    assert sums.keys == list(want)
    for index, key in enumerate(sums.keys):
        count, total, unit_total = want[key]
        assert sums.counts[index] == count
        np.testing.assert_allclose(sums.sums[index], total, rtol=1e-6, atol=1e-4)
        np.testing.assert_allclose(sums.unit_sums[index], unit_total, rtol=1e-6, atol=1e-6)


def test_running_speaker_sums_follow_every_write(tmp_path: Path) -> None:
    """Adds, replacements (also twice in one batch), failures that take a clip away, a speaker emptied."""
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([record(i) for i in range(30)])
        assert_sums_match_the_clip_rows(store)
        again = [record(i) for i in (3, 4, 3)]
        for index, changed in enumerate(again):
            changed.embedding = changed.embedding * -2 + index
        store.add_embeddings(again)
        table = store.embeddings()
        assert table.matrix[table.keys.index(again[2].key)].tolist() == again[2].embedding.tolist()
        assert_sums_match_the_clip_rows(store)
        store.add_failures([failure(i) for i in (5, 6, 7)])
        assert_sums_match_the_clip_rows(store)
        store.add_embeddings([record(100, speaker="lone")])
        lone = record(100, speaker="lone")
        store.add_failures([FailureRecord(lone.key, "ds", "lone", lone.path, "unreadable", "corrupt")])
        assert ("ds", "lone") not in store.speaker_sums().keys
        assert_sums_match_the_clip_rows(store)


def test_speakers_from_the_running_sums_equal_a_direct_aggregation(tmp_path: Path) -> None:
    from localclip.core.embedding.speakers import aggregate_speakers

    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([record(i) for i in range(40)])
        store.add_failures([failure(i) for i in (1, 2)])
        for normalize in (False, True):
            fast, fast_skipped = store.aggregate_speakers(normalize, min_utterances=13)
            direct, direct_skipped = aggregate_speakers(
                store.embeddings(), store.failed_counts(), normalize, min_utterances=13
            )
            assert fast_skipped == direct_skipped and [s.key for s in fast] == [s.key for s in direct]
            for mine, want in zip(fast, direct, strict=True):
                np.testing.assert_allclose(mine.embedding, want.embedding, rtol=1e-6, atol=1e-6)
                assert (mine.num_utterances, mine.failed_utterances) == (
                    want.num_utterances,
                    want.failed_utterances,
                )
                assert mine.embedding_stats == pytest.approx(want.embedding_stats, rel=1e-5, abs=1e-6)
        store.save_speakers(fast)
        assert [s.utterance_list for s in store.speakers()] == [s.utterance_list for s in direct]


def test_a_store_of_the_first_format_is_upgraded_in_place(tmp_path: Path) -> None:
    """LocalClip 0.1's first store format kept the utterance lists in the speaker rows and no sums."""
    with EmbeddingStore.open(tmp_path, "m", DIM) as store:
        store.add_embeddings([record(i) for i in range(12)])
        speakers, _ = store.aggregate_speakers()
        store.save_speakers(speakers)
    with sqlite3.connect(tmp_path / STORE_FILE_NAME) as connection:  # back to the first format
        connection.execute("DROP TABLE speaker_sums")
        connection.execute("ALTER TABLE speakers ADD COLUMN utterance_list TEXT NOT NULL DEFAULT '[]'")
        connection.execute("ALTER TABLE speakers ADD COLUMN original_paths TEXT NOT NULL DEFAULT '[]'")
        connection.execute("UPDATE meta SET value = '1' WHERE name = 'schema_version'")

    with EmbeddingStore.open_existing(tmp_path) as store:
        assert_sums_match_the_clip_rows(store)
        (first, *_) = store.speakers()
        assert first.utterance_list == [f"clip{i:06}.wav" for i in (0, 3, 6, 9)]
    with sqlite3.connect(tmp_path / STORE_FILE_NAME) as connection:
        assert connection.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone() == ("2",)


def test_decode_embedding_b64() -> None:
    vector = np.linspace(-3, 3, DIM, dtype=np.float32)
    text = encode_embedding_b64(vector)
    assert text == base64.b64encode(vector.astype("<f4").tobytes()).decode()
    decoded = decode_embedding_b64(text, DIM)
    np.testing.assert_array_equal(decoded, vector)
    assert decoded.dtype == np.float32 and decoded.flags.writeable

    with pytest.raises(ValueError, match="characters"):
        decode_embedding_b64(text, DIM + 1)
    with pytest.raises(ValueError, match="characters"):
        decode_embedding_b64(text + "AAAA", DIM)
    with pytest.raises(ValueError, match="not valid base64"):
        decode_embedding_b64("!" * len(text), DIM)
    with pytest.raises(ValueError, match="NaN or infinite"):
        decode_embedding_b64(encode_embedding_b64(np.full(DIM, np.nan, dtype=np.float32)), DIM)
    with pytest.raises(ValueError, match="must be a string"):
        decode_embedding_b64(None, DIM)  # type: ignore[arg-type]
