"""The embedding store: `<out>/embeddings.sqlite`, one row per clip, crash-safe and resumable.

- Crash safety: every batch is one transaction in WAL mode, so a killed run leaves whole batches or
  nothing; `synchronous=NORMAL` may lose the last batches on a power cut (never consistency), which a
  resume then recomputes. A killed *process* loses nothing it committed.
- Readable anywhere: embeddings are little-endian float32 BLOBs, lists are JSON; nothing is pickled.
- Written fast: a new store has 16 KiB pages, and a batch is checked and turned into rows at once (numpy),
  so a run's writes keep up with a fast GPU on one core (bench/coordinator.py).
- Per-speaker running sums (`speaker_sums`) change in the same transaction as the clip rows, so the
  `speakers` step reads one row per speaker; the utterance lists are read from the clip rows on demand.
- Bound to one model: the meta table records the model and the dimension, and a store made with another
  model refuses to open for writing, so two models' vectors never mix in one folder.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np

from localclip.core.embedding.speakers import (
    SpeakerEmbedding,
    SpeakerKey,
    SpeakerSums,
    aggregate_sums,
    attach_utterances,
    sums_of,
    utterance_lists,
)
from localclip.core.embedding.table import EmbeddingTable

STORE_FILE_NAME = "embeddings.sqlite"
SCHEMA_VERSION = "2"  # 2: per-speaker running sums; speaker rows without utterance lists
_FLOAT64_LE = np.dtype("<f8")
_KEYS_PER_QUERY = 500  # under SQLite's limit on parameters in one statement
_FLOAT32_LE = np.dtype("<f4")
_BUSY_TIMEOUT_MS = 30_000  # a reader (export, the window) may briefly hold the lock
# A clip row is about 1.1 KiB (a 256-dimensional vector), a speaker's sums 4 KiB: 16 KiB pages hold a dozen
# rows each instead of three, and the sums without overflow pages. Writing a run's results costs the
# coordinator a quarter less (measured: SQLite 5.9 against 7.9 us per row; bench/coordinator.py).
_PAGE_BYTES = 16_384


_INSERT_SPEAKER = (
    "INSERT OR REPLACE INTO speakers (dataset, speaker, embedding, num_utterances, failed_utterances, "
    "embedding_stats, normalized) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class StoreMismatch(ValueError):
    """The output folder holds a store made with another model or dimension."""


class StoreNotFound(FileNotFoundError):
    """There is no store (or no LocalClip store) in the folder."""


@dataclass
class EmbeddingRecord:
    key: str
    dataset: str
    speaker: str
    path: str
    duration: float  # seconds
    sample_rate: int  # of the file, before resampling
    embedding: np.ndarray  # [dim]


@dataclass
class FailureRecord:
    key: str
    dataset: str
    speaker: str
    path: str
    code: str  # machine-readable, e.g. "too_short", "unreadable"
    reason: str  # a sentence a person can read


def decode_embedding_b64(text: str, dim: int) -> np.ndarray:
    """A worker's `embedding_b64` (base64 of little-endian float32) as a float32 vector.

    Worker output is untrusted: wrong length, bad base64 and NaN or infinite values are ValueErrors.
    """
    vector = np.frombuffer(embedding_bytes_b64(text, dim), dtype=_FLOAT32_LE).astype(np.float32)
    if not np.isfinite(vector).all():
        raise ValueError("the embedding has NaN or infinite values")
    return vector


def embedding_bytes_b64(text: str, dim: int) -> bytes:
    """The bytes of a worker's `embedding_b64`, checked for type, length and base64; their values are
    checked by :func:`decode_embedding_b64`, or for many at once by :func:`vectors_from_bytes`."""
    if not isinstance(text, str):
        raise ValueError(f"embedding_b64 must be a string, not {type(text).__name__}")
    expected_chars = 4 * math.ceil(dim * _FLOAT32_LE.itemsize / 3)
    if len(text) != expected_chars:  # checked first, so an oversized string is never decoded
        raise ValueError(
            f"embedding_b64 has {len(text)} characters; a {dim}-dimensional float32 vector has "
            f"{expected_chars}"
        )
    try:  # binascii itself: base64.b64decode's checks of its argument cost more than the decoding
        raw = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"embedding_b64 is not valid base64: {error}") from None
    if len(raw) != dim * _FLOAT32_LE.itemsize:
        raise ValueError(f"embedding_b64 decodes to {len(raw)} bytes, not {dim * _FLOAT32_LE.itemsize}")
    return raw


def vectors_from_bytes(raws: list[bytes], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """[n, dim] float32 from ``n`` checked byte strings (embedding_bytes_b64), and whether each row is
    finite: one pass over a batch, where a check per vector costs more than the decoding."""
    matrix = np.frombuffer(b"".join(raws), dtype=_FLOAT32_LE).reshape(len(raws), dim).astype(np.float32)
    return matrix, np.isfinite(matrix).all(axis=1)


def encode_embedding_b64(vector: np.ndarray) -> str:
    """The inverse of decode_embedding_b64 (what the worker sends)."""
    return base64.b64encode(np.asarray(vector, dtype=_FLOAT32_LE).tobytes()).decode("ascii")


class EmbeddingStore:
    """One output folder's store. Usable from one thread at a time (calls are serialised by a lock)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, model_id: str, dim: int) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self.path = path
        self.model_id = model_id
        self.dim = dim

    # --- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, out_dir: Path, model_id: str, dim: int) -> EmbeddingStore:
        """Open or create the store for writing embeddings of `model_id` with `dim` dimensions."""
        if dim < 1:
            raise ValueError(f"the embedding dimension must be positive, not {dim}")
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / STORE_FILE_NAME
        connection = _connect(path, create=True)
        try:
            _create_schema(connection, model_id, dim)
            meta = _read_meta(connection, path)
            if not _adopt_if_empty(connection, meta, model_id, dim):
                _check_same_model(meta, path, model_id, dim)
        except BaseException:
            connection.close()
            raise
        return cls(connection, path, model_id, dim)

    @classmethod
    def open_existing(cls, out_dir: Path) -> EmbeddingStore:
        """Open the store a previous `embed` made (for `speakers` and `export`)."""
        path = out_dir / STORE_FILE_NAME
        if not path.is_file():
            raise StoreNotFound(
                f"no embedding store in {out_dir}: run `localclip embed DATASET --out {out_dir}` first"
            )
        connection = _connect(path, create=False)
        try:
            meta = _read_meta(connection, path)
        except BaseException:
            connection.close()
            raise
        return cls(connection, path, meta["model_id"], int(meta["dim"]))

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- clips -------------------------------------------------------------------------------------

    def done_keys(self) -> set[str]:
        """Keys of clips with an embedding (what a resumed run skips; failed clips are tried again)."""
        return {key for (key,) in self._query("SELECT key FROM embeddings")}

    def add_embeddings(self, records: list[EmbeddingRecord]) -> None:
        """Store a batch in one transaction (replacing earlier results for the same keys).

        Every record is checked before anything is written: a wrong dimension or a NaN/infinite value
        rejects the whole batch with a ValueError. A clip that now has an embedding loses its failure row.
        """
        rows, added = _embedding_rows(records, self.dim, self.path)
        with self._transaction() as connection:
            replaced = _stored_vectors(connection, [row[0] for row in rows], self.dim, self.path)
            connection.executemany(
                "INSERT OR REPLACE INTO embeddings (key, dataset, speaker, path, duration, sample_rate, "
                "embedding) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            if connection.execute("SELECT 1 FROM failures LIMIT 1").fetchone():  # most runs have none
                connection.executemany("DELETE FROM failures WHERE key = ?", [(row[0],) for row in rows])
            _update_sums(connection, sums_of([r[1] for r in rows], [r[2] for r in rows], added), self.dim)
            _update_sums(connection, replaced, self.dim)

    def add_failures(self, records: list[FailureRecord]) -> None:
        """Record failed clips in one transaction. The latest outcome wins: a clip that fails loses an
        embedding stored by an earlier run (it only happens with --no-skip-existing)."""
        rows = [_failure_row(record) for record in records]
        with self._transaction() as connection:
            removed = _stored_vectors(connection, [row[0] for row in rows], self.dim, self.path)
            _update_sums(connection, removed, self.dim)
            connection.executemany(
                "INSERT OR REPLACE INTO failures (key, dataset, speaker, path, code, reason) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            connection.executemany("DELETE FROM embeddings WHERE key = ?", [(row[0],) for row in rows])

    def embeddings(self) -> EmbeddingTable:
        """All clip embeddings, with one query and one np.frombuffer over the joined BLOBs."""
        # Read in storage (rowid) order and sort here: ORDER BY key walks the key index and jumps around
        # the table, which from a cold disk is 5x slower (measured: 1.84 s against 0.33 s for 100,000 rows).
        rows = self._query(
            "SELECT key, dataset, speaker, path, duration, sample_rate, embedding FROM embeddings"
        )
        if not rows:
            empty = np.zeros((0, self.dim), dtype=np.float32)
            return EmbeddingTable([], [], [], [], np.zeros(0), np.zeros(0, dtype=np.int64), empty)
        rows.sort(key=lambda row: row[0])
        keys, datasets, speakers, paths, durations, rates, blobs = zip(*rows, strict=True)
        matrix = _matrix_from_blobs(blobs, self.dim, self.path)
        return EmbeddingTable(
            list(keys),
            list(datasets),
            list(speakers),
            list(paths),
            np.array(durations, dtype=np.float64),
            np.array(rates, dtype=np.int64),
            matrix,
        )

    def failures(self) -> list[FailureRecord]:
        rows = self._query("SELECT key, dataset, speaker, path, code, reason FROM failures ORDER BY key")
        return [FailureRecord(*row) for row in rows]

    def failed_counts(self) -> dict[tuple[str, str], int]:
        """Failed clips per (dataset, speaker)."""
        rows = self._query("SELECT dataset, speaker, COUNT(*) FROM failures GROUP BY dataset, speaker")
        return {(dataset, speaker): count for dataset, speaker, count in rows}

    def counts(self) -> dict[str, int]:
        """{"embeddings", "failures", "speakers"}: row counts."""
        return {
            table: self._query(f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608 (fixed table names)
            for table in ("embeddings", "failures", "speakers")
        }

    # --- speakers ----------------------------------------------------------------------------------

    def speaker_sums(self) -> SpeakerSums:
        """The running per-speaker sums, sorted by (dataset, speaker)."""
        rows = self._query(
            "SELECT dataset, speaker, clips, sum, unit_sum FROM speaker_sums ORDER BY dataset, speaker"
        )
        if not rows:
            return SpeakerSums.empty(self.dim)
        datasets, speakers, counts, sums, unit_sums = zip(*rows, strict=True)
        return SpeakerSums(
            list(zip(datasets, speakers, strict=True)),
            np.array(counts, dtype=np.int64),
            _sums_from_blobs(sums, self.dim, self.path),
            _sums_from_blobs(unit_sums, self.dim, self.path),
        )

    def aggregate_speakers(
        self, normalize: bool = False, min_utterances: int = 1
    ) -> tuple[list[SpeakerEmbedding], list[tuple[str, str, str]]]:
        """One embedding per speaker from the running sums (no utterance lists: see `speakers`)."""
        return aggregate_sums(self.speaker_sums(), self.failed_counts(), normalize, min_utterances)

    def save_speakers(self, speakers: list[SpeakerEmbedding]) -> None:
        """Store (replace) speaker embeddings in one transaction."""
        rows = [_speaker_row(speaker, self.dim) for speaker in speakers]
        with self._transaction() as connection:
            connection.executemany(_INSERT_SPEAKER, rows)

    def replace_speakers(self, speakers: list[SpeakerEmbedding]) -> None:
        """Make ``speakers`` the store's whole speaker table, in one transaction."""
        rows = [_speaker_row(speaker, self.dim) for speaker in speakers]
        with self._transaction() as connection:
            connection.execute("DELETE FROM speakers")
            connection.executemany(_INSERT_SPEAKER, rows)

    def delete_speakers(self, keys: list[tuple[str, str]]) -> None:
        with self._transaction() as connection:
            connection.executemany("DELETE FROM speakers WHERE dataset = ? AND speaker = ?", keys)

    def speakers(
        self, with_utterances: bool = True, table: EmbeddingTable | None = None
    ) -> list[SpeakerEmbedding]:
        """The stored speaker embeddings; with their utterance lists (by key) taken from ``table`` when the
        caller has read the clips already, else read from the clip rows."""
        rows = self._query(
            "SELECT dataset, speaker, embedding, num_utterances, failed_utterances, embedding_stats, "
            "normalized FROM speakers ORDER BY dataset, speaker"
        )
        speakers = [self._speaker_from_row(row) for row in rows]
        if not with_utterances or not speakers:
            return speakers
        if table is not None:
            lists = utterance_lists(table.keys, table.datasets, table.speakers, table.paths)
        else:
            clips = sorted(self._query("SELECT key, dataset, speaker, path FROM embeddings"))
            lists = utterance_lists(*[list(column) for column in zip(*clips, strict=True)]) if clips else {}
        attach_utterances(speakers, lists)
        return speakers

    # --- internals ---------------------------------------------------------------------------------

    def _speaker_from_row(self, row: tuple[Any, ...]) -> SpeakerEmbedding:
        dataset, speaker, blob, count, failed, stats, normalized = row
        return SpeakerEmbedding(
            dataset=dataset,
            speaker=speaker,
            embedding=_matrix_from_blobs([blob], self.dim, self.path)[0],
            num_utterances=count,
            failed_utterances=failed,
            utterance_list=[],
            original_paths=[],
            embedding_dim=self.dim,
            embedding_stats=json.loads(stats),
            normalized=bool(normalized),
        )

    def _query(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            # IMMEDIATE takes the write lock up front, so a batch never fails half-way on a busy database.
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    target = str(path) if create else f"{path.absolute().as_uri()}?mode=rw"  # never create by mistake
    try:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT), one per batch.
        connection = sqlite3.connect(
            target,
            uri=not create,
            isolation_level=None,
            check_same_thread=False,
            timeout=_BUSY_TIMEOUT_MS / 1000,
        )
    except sqlite3.OperationalError as error:  # a folder without write permission, a locked file...
        raise OSError(f"cannot open the embedding store {path}: {error}") from error
    try:
        if create:  # takes effect in a new file only (before WAL mode); an existing store keeps its own
            connection.execute(f"PRAGMA page_size={_PAGE_BYTES}")
        connection.execute("PRAGMA journal_mode=WAL")
        # Reads through memory mapping: whole-store reads (speakers, export) skip a copy per page.
        connection.execute("PRAGMA mmap_size=1073741824")
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as error:
        connection.close()
        if isinstance(error, sqlite3.OperationalError):
            raise OSError(f"cannot open the embedding store {path}: {error}") from error
        raise StoreNotFound(f"{path} is not a LocalClip embedding store ({error})") from error
    return connection


def _create_schema(connection: sqlite3.Connection, model_id: str, dim: int) -> None:
    blob_bytes = dim * _FLOAT32_LE.itemsize
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        fresh = connection.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0
        if fresh:
            _create_tables(connection, blob_bytes)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            meta = {"schema_version": SCHEMA_VERSION, "model_id": model_id, "dim": str(dim), "created": now}
            connection.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", meta.items())
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _create_tables(connection: sqlite3.Connection, blob_bytes: int) -> None:
    # The BLOB length check makes a wrong-sized vector impossible to store, whoever writes the file.
    connection.execute(
        "CREATE TABLE embeddings (key TEXT PRIMARY KEY, dataset TEXT NOT NULL, speaker TEXT NOT NULL, "
        "path TEXT NOT NULL, duration REAL NOT NULL, sample_rate INTEGER NOT NULL, "
        f"embedding BLOB NOT NULL CHECK (length(embedding) = {blob_bytes}))"
    )
    connection.execute(
        "CREATE TABLE failures (key TEXT PRIMARY KEY, dataset TEXT NOT NULL, speaker TEXT NOT NULL, "
        "path TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL)"
    )
    connection.execute(
        "CREATE TABLE speakers (dataset TEXT NOT NULL, speaker TEXT NOT NULL, "
        f"embedding BLOB NOT NULL CHECK (length(embedding) = {blob_bytes}), "
        "num_utterances INTEGER NOT NULL, failed_utterances INTEGER NOT NULL, "
        "embedding_stats TEXT NOT NULL, "
        "normalized INTEGER NOT NULL, PRIMARY KEY (dataset, speaker))"
    )
    _create_sums_table(connection, blob_bytes)


def _create_sums_table(connection: sqlite3.Connection, blob_bytes: int) -> None:
    # Sums in float64, twice the size of a float32 vector; WITHOUT ROWID keeps each row in the key's B-tree.
    connection.execute(
        "CREATE TABLE speaker_sums (dataset TEXT NOT NULL, speaker TEXT NOT NULL, clips INTEGER NOT NULL, "
        f"sum BLOB NOT NULL CHECK (length(sum) = {2 * blob_bytes}), "
        f"unit_sum BLOB NOT NULL CHECK (length(unit_sum) = {2 * blob_bytes}), "
        "PRIMARY KEY (dataset, speaker)) WITHOUT ROWID"
    )


def _read_meta(connection: sqlite3.Connection, path: Path) -> dict[str, str]:
    try:
        meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
    except sqlite3.DatabaseError as error:
        raise StoreNotFound(f"{path} is not a LocalClip embedding store ({error})") from error
    if not {"schema_version", "model_id", "dim"} <= meta.keys():
        raise StoreNotFound(f"{path} is not a LocalClip embedding store (no model recorded)")
    if meta["schema_version"] == "1":
        _upgrade_from_1(connection, int(meta["dim"]), path)
        meta["schema_version"] = SCHEMA_VERSION
    if meta["schema_version"] != SCHEMA_VERSION:
        raise StoreMismatch(
            f"{path} was written by another version of LocalClip (store format {meta['schema_version']}, "
            f"this version reads {SCHEMA_VERSION}): choose another output folder or delete {path}"
        )
    return meta


def _adopt_if_empty(connection: sqlite3.Connection, meta: dict[str, str], model_id: str, dim: int) -> bool:
    """A store of another model that holds nothing yet (its run stopped before any result, e.g. a model
    the workers could not load) is made over to this model: there is nothing in it to mix or to lose."""
    if meta["model_id"] == model_id and int(meta["dim"]) == dim:
        return False
    connection.execute("BEGIN IMMEDIATE")
    try:
        tables = ("embeddings", "failures", "speakers", "speaker_sums")
        if any(connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in tables):  # noqa: S608
            connection.execute("ROLLBACK")
            return False
        for table in tables:
            connection.execute(f"DROP TABLE {table}")
        _create_tables(connection, dim * _FLOAT32_LE.itemsize)
        connection.executemany(
            "UPDATE meta SET value = ? WHERE name = ?", [(model_id, "model_id"), (str(dim), "dim")]
        )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return True


def _check_same_model(meta: dict[str, str], path: Path, model_id: str, dim: int) -> None:
    if meta["model_id"] == model_id and int(meta["dim"]) == dim:
        return
    raise StoreMismatch(
        f"{path.parent} holds embeddings of the model {meta['model_id']!r} ({meta['dim']} dimensions), "
        f"not of {model_id!r} ({dim} dimensions); embeddings of two models cannot be mixed. Choose another "
        f"output folder, or delete {path} to start over."
    )


def _embedding_rows(
    records: list[EmbeddingRecord], dim: int, path: Path
) -> tuple[list[tuple[Any, ...]], np.ndarray]:
    """A batch's rows (the last record of a key wins, in the order keys first appear) and their vectors
    [n, dim] float32, every record checked. The whole batch at once (numpy), where a run writes thousands
    of results a second (bench/coordinator.py); a batch with anything wrong takes the checks one record at
    a time instead, so the error is the first record's, worded as ever."""
    batch = _batch_rows(records, dim)
    if batch is not None:
        return batch
    rows = list({row[0]: row for row in (_embedding_row(r, dim) for r in records)}.values())
    added = _matrix_from_blobs([row[6] for row in rows], dim, path)
    _check_finite(added, [row[0] for row in rows])
    return rows, added


def _batch_rows(records: list[EmbeddingRecord], dim: int) -> tuple[list[tuple[Any, ...]], np.ndarray] | None:
    """What :func:`_embedding_rows` returns, checked for the whole batch at once; None when a check fails."""
    keys = [record.key for record in records]
    if not all(isinstance(key, str) and key for key in keys):
        return None
    try:
        durations = np.array([record.duration for record in records], dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow shows below, as infinity
            matrix = np.array([record.embedding for record in records], dtype=_FLOAT32_LE)
    except (TypeError, ValueError, OverflowError):
        return None
    if matrix.shape != (len(records), dim):
        return None
    if not np.isfinite(durations).all() or (durations < 0).any() or not np.isfinite(matrix).all():
        return None
    if len(set(keys)) < len(keys):  # a key twice: its last record wins
        last = {key: index for index, key in enumerate(keys)}
        chosen = list(last.values())
        return _batch_rows([records[index] for index in chosen], dim)
    matrix = np.ascontiguousarray(matrix)
    row_bytes = dim * _FLOAT32_LE.itemsize
    flat = matrix.tobytes()
    rows = list(
        zip(
            keys,
            map(str, (record.dataset for record in records)),
            map(str, (record.speaker for record in records)),
            map(str, (record.path for record in records)),
            durations.tolist(),
            map(int, (record.sample_rate for record in records)),
            (flat[start : start + row_bytes] for start in range(0, len(flat), row_bytes)),
            strict=True,
        )
    )
    return rows, matrix.astype(np.float32, copy=False)


def _embedding_row(record: EmbeddingRecord, dim: int) -> tuple[Any, ...]:
    duration = float(record.duration)
    if not math.isfinite(duration) or duration < 0:
        raise ValueError(f"{record.key}: the duration {record.duration!r} is not a length in seconds")
    return (
        _checked_key(record.key),
        str(record.dataset),
        str(record.speaker),
        str(record.path),
        duration,
        int(record.sample_rate),
        _vector_blob(record.embedding, dim, record.key, check_finite=False),  # checked per batch
    )


def _failure_row(record: FailureRecord) -> tuple[str, ...]:
    fields = (record.dataset, record.speaker, record.path, record.code, record.reason)
    return (_checked_key(record.key), *(str(value) for value in fields))


def _upgrade_from_1(connection: sqlite3.Connection, dim: int, path: Path) -> None:
    """A store of LocalClip 0.1's first format: add the running sums (from every clip row) and drop the
    speaker rows' utterance lists (now read from the clip rows), in one transaction."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()[0] == "1":
            _create_sums_table(connection, dim * _FLOAT32_LE.itemsize)
            rows = connection.execute("SELECT dataset, speaker, embedding FROM embeddings").fetchall()
            if rows:
                datasets, speakers, blobs = zip(*rows, strict=True)
                matrix = _matrix_from_blobs(blobs, dim, path)
                _update_sums(connection, sums_of(list(datasets), list(speakers), matrix), dim)
            connection.execute("ALTER TABLE speakers DROP COLUMN utterance_list")
            connection.execute("ALTER TABLE speakers DROP COLUMN original_paths")
            connection.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (SCHEMA_VERSION,))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _stored_vectors(connection: sqlite3.Connection, keys: list[str], dim: int, path: Path) -> SpeakerSums:
    """The negated sums of the vectors now stored under ``keys``: what replacing or removing them takes
    away from their speakers."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        marks = ", ".join("?" * len(chunk))
        rows += connection.execute(
            f"SELECT dataset, speaker, embedding FROM embeddings WHERE key IN ({marks})",  # noqa: S608
            chunk,
        ).fetchall()
    if not rows:
        return SpeakerSums.empty(dim)
    datasets, speakers, blobs = zip(*rows, strict=True)
    matrix = _matrix_from_blobs(blobs, dim, path)
    return sums_of(list(datasets), list(speakers), matrix, sign=-1)


def _update_sums(connection: sqlite3.Connection, delta: SpeakerSums, dim: int) -> None:
    """Add ``delta`` to the running sums; a speaker left with no clip loses its row."""
    for index, key in enumerate(delta.keys):
        clips, total, unit_total = _current_sums(connection, key, dim)
        clips += int(delta.counts[index])
        if clips <= 0:
            connection.execute("DELETE FROM speaker_sums WHERE dataset = ? AND speaker = ?", key)
            continue
        total, unit_total = total + delta.sums[index], unit_total + delta.unit_sums[index]
        connection.execute(
            "INSERT OR REPLACE INTO speaker_sums (dataset, speaker, clips, sum, unit_sum) "
            "VALUES (?, ?, ?, ?, ?)",
            (*key, clips, total.astype(_FLOAT64_LE).tobytes(), unit_total.astype(_FLOAT64_LE).tobytes()),
        )


def _current_sums(connection: sqlite3.Connection, key: SpeakerKey, dim: int) -> tuple[int, Any, Any]:
    row = connection.execute(
        "SELECT clips, sum, unit_sum FROM speaker_sums WHERE dataset = ? AND speaker = ?", key
    ).fetchone()
    if row is None:
        return 0, np.zeros(dim), np.zeros(dim)
    return int(row[0]), np.frombuffer(row[1], _FLOAT64_LE), np.frombuffer(row[2], _FLOAT64_LE)


def _sums_from_blobs(blobs: tuple[bytes, ...], dim: int, path: Path) -> np.ndarray:
    joined = b"".join(blobs)
    if len(joined) != len(blobs) * dim * _FLOAT64_LE.itemsize:
        raise ValueError(f"{path} is damaged: a speaker sum does not have {dim} float64 values")
    return np.frombuffer(joined, dtype=_FLOAT64_LE).reshape(len(blobs), dim).astype(np.float64)


def _speaker_row(speaker: SpeakerEmbedding, dim: int) -> tuple[Any, ...]:
    name = f"speaker {speaker.dataset}/{speaker.speaker}"
    return (
        speaker.dataset,
        speaker.speaker,
        _vector_blob(speaker.embedding, dim, name),
        int(speaker.num_utterances),
        int(speaker.failed_utterances),
        json.dumps({name: float(value) for name, value in speaker.embedding_stats.items()}),
        int(speaker.normalized),
    )


def _checked_key(key: str) -> str:
    if not isinstance(key, str) or not key:
        raise ValueError(f"a clip key must be a non-empty string, not {key!r}")
    return key


def _vector_blob(vector: np.ndarray, dim: int, name: str, check_finite: bool = True) -> bytes:
    array = np.asarray(vector)
    if array.shape != (dim,):
        raise ValueError(f"{name}: the embedding has shape {array.shape}; this store holds ({dim},) vectors")
    if array.dtype == _FLOAT32_LE:
        as_float32 = array
    else:
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is caught below, as infinity
            as_float32 = array.astype(_FLOAT32_LE)
    if check_finite:  # after the cast: a float64 beyond float32's range is infinite
        _check_finite(as_float32[None, :], [name])
    return as_float32.tobytes()


def _check_finite(matrix: np.ndarray, names: list[str]) -> None:
    finite = np.isfinite(matrix).all(axis=1)
    if not finite.all():
        name = names[int(np.argmin(finite))]
        raise ValueError(f"{name}: the embedding has NaN or infinite values; nothing was written")


def _matrix_from_blobs(blobs: tuple[bytes, ...] | list[bytes], dim: int, path: Path) -> np.ndarray:
    joined = b"".join(blobs)
    if len(joined) != len(blobs) * dim * _FLOAT32_LE.itemsize:
        raise ValueError(f"{path} is damaged: an embedding does not have {dim} float32 values")
    matrix = np.frombuffer(joined, dtype=_FLOAT32_LE).reshape(len(blobs), dim)
    return matrix.astype(np.float32, copy=False)  # no copy on little-endian machines
