"""`localclip export`: the store as the seeds' pickles, NumPy files, or Kaldi ark/scp.

Three rules hold for every format:
- Names from the user's folders never leave the target folder: every path is built from checked parts
  (`safe_path`), and every folder is resolved and checked to lie inside the target before anything is
  written.
- Every file is written to a temporary name in its folder and renamed into place, so a crash leaves whole
  files (fsync is skipped: 100,000 syncs would take minutes, and a power cut only calls for a re-export).
- Nothing the user made is overwritten: the target must be empty or hold a previous LocalClip export (its
  marker file, which lists the files exported). A re-export replaces those files and removes the ones that
  are no longer exported.
"""

from __future__ import annotations

import itertools
import json
import pickle
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

import kaldiio
import numpy as np

from localclip.core.embedding.speakers import SpeakerEmbedding
from localclip.core.embedding.store import EmbeddingStore
from localclip.core.embedding.table import EmbeddingTable
from localclip.core.files import UnsafeName, Writer, check_name, safe_path, write_atomically

EXPORT_FORMATS = ("pkl", "npy", "ark")
MARKER_FILE_NAME = ".localclip-export.json"
PICKLE_PROTOCOL = 4
SPEAKERS_FOLDER = "speakers"  # pkl: <to>/speakers/<dataset>/<speaker>.pkl
_EXAMPLES_SHOWN = 5

SpeakerKey = tuple[str, str]


class ExportTargetError(ValueError):
    """The export folder cannot be written: it holds the user's files, or names would collide."""


@dataclass
class ExportReport:
    to: Path
    fmt: str
    clips: int
    speakers: int
    files: int  # files written, the marker not counted
    removed: int  # files of a previous export that are no longer exported
    renamed: list[tuple[str, str]]  # (clip key, name it was exported under) where names collided
    notes: list[str]  # sentences for the user


def export_store(store: EmbeddingStore, to: Path, fmt: str) -> ExportReport:
    """Write the store's clip and speaker embeddings under `to` in `fmt` ("pkl", "npy" or "ark")."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    to = Path(to).absolute()
    table = store.embeddings()
    speakers = store.speakers(table=table)  # utterance lists from the clips just read, not a second read
    _check_folder_names(table, speakers)
    plan = _PLANNERS[fmt](table, speakers, to)
    folders = _checked_folders(to, plan.files)  # before anything is written
    previous = _claim_target(to)
    removed = _write_plan(
        to, plan, folders, previous, _Marker(fmt, str(store.path), store.model_id, store.dim)
    )
    notes = [*plan.notes, *_renamed_notes(plan.renamed)]
    if not speakers:
        notes.append(
            "the store holds no speaker embeddings yet: run `localclip speakers` first to export them"
        )
    return ExportReport(to, fmt, len(table), len(speakers), len(plan.files), removed, plan.renamed, notes)


def _write_plan(to: Path, plan: _Plan, folders: list[Path], previous: list[str], marker: _Marker) -> int:
    """Write every planned file; returns how many files of the previous export were removed."""
    planned = ["/".join(planned_file.parts) for planned_file in plan.files]
    # Listed before writing: if this export is interrupted, a re-export still knows every file it made.
    marker.write(to, sorted({*planned, *previous}), complete=False)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for planned_file in plan.files:
        write_atomically(to.joinpath(*planned_file.parts), planned_file.write)
    removed = _remove_stale(to, previous, set(planned))
    marker.write(to, sorted(planned), complete=True)
    return removed


# --- plans: every file to write, decided before anything is written ---------------------------------


@dataclass
class _PlannedFile:
    parts: tuple[str, ...]  # relative to the target folder
    write: Writer


@dataclass
class _Plan:
    files: list[_PlannedFile] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, parts: tuple[str, ...], write: Writer) -> None:
        self.files.append(_PlannedFile(parts, write))


def _plan_pkl(table: EmbeddingTable, speakers: list[SpeakerEmbedding], to: Path) -> _Plan:
    """The seeds' layout: a pickled float32 vector per clip, a pickled dict per speaker."""
    plan = _Plan()
    for (dataset, speaker), rows in _rows_by_speaker(table).items():
        names = [_clip_file_name(table.keys[row]) for row in rows]
        for row, name, stem in zip(rows, names, _unique_stems(names), strict=True):
            file_name = f"{stem}.pkl"
            if stem != _stem(name):
                plan.renamed.append((table.keys[row], file_name))
            vector = np.array(table.matrix[row], dtype=np.float32)
            plan.add((dataset, speaker, file_name), partial(_dump_pickle, vector))
    for speaker_embedding in speakers:
        parts = (SPEAKERS_FOLDER, speaker_embedding.dataset, f"{speaker_embedding.speaker}.pkl")
        plan.add(parts, partial(_dump_pickle, _seed_speaker_dict(speaker_embedding)))
    return plan


def _plan_npy(table: EmbeddingTable, speakers: list[SpeakerEmbedding], to: Path) -> _Plan:
    """Per speaker an (N, dim) float32 matrix and a JSON index of its rows; all speakers in speakers.npy."""
    plan = _Plan()
    for (dataset, speaker), rows in _rows_by_speaker(table).items():
        matrix = np.array(table.matrix[rows], dtype=np.float32)
        index = {
            "dataset": dataset,
            "speaker": speaker,
            "dim": table.dim,
            "rows": [
                {
                    "key": table.keys[row],
                    "file": _clip_file_name(table.keys[row]),
                    "path": table.paths[row],
                    "duration": float(table.durations[row]),
                }
                for row in rows
            ],
        }
        plan.add((dataset, f"{speaker}.npy"), partial(_save_npy, matrix))
        plan.add((dataset, f"{speaker}.json"), partial(_dump_json, index))
    if speakers:
        matrix = np.stack([speaker.embedding for speaker in speakers]).astype(np.float32)
        index = {"dim": table.dim, "rows": [_speaker_index_row(speaker) for speaker in speakers]}
        plan.add(("speakers.npy",), partial(_save_npy, matrix))
        plan.add(("speakers.json",), partial(_dump_json, index))
    return plan


def _plan_ark(table: EmbeddingTable, speakers: list[SpeakerEmbedding], to: Path) -> _Plan:
    """Kaldi: embeddings.ark/.scp (utterances), speakers.ark/.scp, utt2spk, spk2utt; ids sorted."""
    plan = _Plan()
    groups = _rows_by_speaker(table)
    speaker_ids = _kaldi_ids(sorted({*groups, *(speaker.key for speaker in speakers)}))
    utterances: list[tuple[str, str, np.ndarray]] = []  # (utterance id, speaker id, vector)
    taken: set[str] = set()
    for key, rows in groups.items():
        for row in rows:
            name = _clip_file_name(table.keys[row])
            stem = _stem(name)
            utterance_id = _first_free(_kaldi_candidates(speaker_ids[key], stem, name), taken)
            if utterance_id != _kaldi_token(f"{speaker_ids[key]}-{stem}"):
                plan.renamed.append((table.keys[row], utterance_id))
            utterances.append((utterance_id, speaker_ids[key], table.matrix[row]))
    utterances.sort(key=lambda utterance: utterance[0])  # Kaldi tables are sorted by id
    _add_ark_pair(plan, to, "embeddings", [(uid, vector) for uid, _, vector in utterances])
    speaker_vectors = sorted(
        ((speaker_ids[speaker.key], speaker.embedding) for speaker in speakers), key=lambda entry: entry[0]
    )
    _add_ark_pair(plan, to, "speakers", speaker_vectors)
    plan.add(("utt2spk",), partial(_write_text, [f"{uid} {sid}\n" for uid, sid, _ in utterances]))
    plan.add(("spk2utt",), partial(_write_text, _spk2utt_lines(utterances)))
    if any(speaker_ids[key] != _kaldi_token(f"{key[0]}-{key[1]}") for key in speaker_ids):
        plan.notes.append("some speaker ids were made unique with a numeric suffix (their names collided)")
    return plan


_PLANNERS: dict[str, Callable[[EmbeddingTable, list[SpeakerEmbedding], Path], _Plan]] = {
    "pkl": _plan_pkl,
    "npy": _plan_npy,
    "ark": _plan_ark,
}


# --- pickles ---------------------------------------------------------------------------------------

_NDARRAY_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(1))[0]


class _NumpyOneCompatiblePickler(pickle._Pickler):
    """Pickles arrays the way numpy 1.x can load them as well as numpy 2.x.

    numpy 2 names the array rebuild function `numpy._core.multiarray._reconstruct`, which numpy < 1.26.1
    (common in existing speech environments) cannot import; numpy 2 keeps `numpy.core.multiarray.
    _reconstruct` importable, without a warning, for exactly this. The Python pickler is the one whose
    global naming can be changed; it costs about 60 us per pickle.
    """

    def save_global(self, obj: Any, name: str | None = None) -> None:
        if obj is not _NDARRAY_RECONSTRUCT:
            super().save_global(obj, name)
            return
        self.save("numpy.core.multiarray")  # what pickle writes for a global at protocol >= 4
        self.save("_reconstruct")
        self.write(pickle.STACK_GLOBAL)
        self.memoize(obj)


def _dump_pickle(value: Any, stream: IO[bytes]) -> None:
    _NumpyOneCompatiblePickler(stream, protocol=PICKLE_PROTOCOL).dump(value)


def _seed_speaker_dict(speaker: SpeakerEmbedding) -> dict[str, Any]:
    """Exactly the seed's fields, with plain Python values besides the embedding."""
    return {
        "embedding": np.array(speaker.embedding, dtype=np.float32),
        "dataset": speaker.dataset,
        "speaker_id": speaker.speaker,
        "num_utterances": int(speaker.num_utterances),
        "failed_utterances": int(speaker.failed_utterances),
        "utterance_list": list(speaker.utterance_list),
        "original_paths": list(speaker.original_paths),
        "embedding_dim": int(speaker.embedding_dim),
        "embedding_stats": {name: float(value) for name, value in speaker.embedding_stats.items()},
    }


# --- npy and json ----------------------------------------------------------------------------------


def _save_npy(matrix: np.ndarray, stream: IO[bytes]) -> None:
    np.save(stream, matrix, allow_pickle=False)


def _dump_json(value: Any, stream: IO[bytes]) -> None:
    stream.write(json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"))


def _speaker_index_row(speaker: SpeakerEmbedding) -> dict[str, Any]:
    return {
        "dataset": speaker.dataset,
        "speaker": speaker.speaker,
        "num_utterances": speaker.num_utterances,
        "failed_utterances": speaker.failed_utterances,
        "normalized": speaker.normalized,
        "embedding_stats": speaker.embedding_stats,
        "utterance_list": speaker.utterance_list,
        "original_paths": speaker.original_paths,
    }


# --- Kaldi -----------------------------------------------------------------------------------------


class _ArkWithScp:
    """One ark and its scp. The ark is written with kaldiio.save_ark to a temporary name; the scp then
    points at the ark's final absolute path (kaldiio's WriteHelper would record the temporary name)."""

    def __init__(self, ark_path: Path, entries: list[tuple[str, np.ndarray]]) -> None:
        self.ark_path = str(ark_path)
        self.entries = entries
        self.offsets: list[int] = []

    def write_ark(self, stream: IO[bytes]) -> None:
        self.offsets = []
        for entry_id, vector in self.entries:
            start = stream.tell()
            kaldiio.save_ark(stream, {entry_id: np.asarray(vector, dtype=np.float32)})
            self.offsets.append(start + len(entry_id.encode("utf-8")) + 1)  # the data starts after "<id> "

    def write_scp(self, stream: IO[bytes]) -> None:
        lines = [
            f"{entry_id} {self.ark_path}:{offset}\n"
            for (entry_id, _), offset in zip(self.entries, self.offsets, strict=True)
        ]
        _write_text(lines, stream)


def _add_ark_pair(plan: _Plan, to: Path, stem: str, entries: list[tuple[str, np.ndarray]]) -> None:
    ark_path = to / f"{stem}.ark"
    if "[" in str(ark_path) or "]" in str(ark_path):
        # Kaldi readers take "path:offset[range]"; brackets in the folder name would be read as a range.
        raise ExportTargetError(f"Kaldi files cannot be read from a folder whose path has [ or ]: {to}")
    pair = _ArkWithScp(ark_path, entries)
    plan.add((f"{stem}.ark",), pair.write_ark)  # files are written in plan order: the ark first
    plan.add((f"{stem}.scp",), pair.write_scp)


def _kaldi_ids(keys: list[SpeakerKey]) -> dict[SpeakerKey, str]:
    """Speaker ids "<dataset>-<speaker>" (whitespace replaced), made unique."""
    taken: set[str] = set()
    return {key: _first_free(_numbered(_kaldi_token(f"{key[0]}-{key[1]}")), taken) for key in keys}


def _kaldi_candidates(speaker_id: str, stem: str, name: str) -> Iterator[str]:
    """Utterance ids start with their speaker id, so that Kaldi's utt2spk and spk2utt sort alike."""
    yield _kaldi_token(f"{speaker_id}-{stem}")
    yield from _numbered(_kaldi_token(f"{speaker_id}-{name}"))


def _kaldi_token(text: str) -> str:
    return re.sub(r"\s", "_", text)


def _spk2utt_lines(utterances: list[tuple[str, str, np.ndarray]]) -> list[str]:
    by_speaker: dict[str, list[str]] = {}
    for utterance_id, speaker_id, _ in utterances:
        by_speaker.setdefault(speaker_id, []).append(utterance_id)
    return [f"{speaker_id} {' '.join(ids)}\n" for speaker_id, ids in sorted(by_speaker.items())]


def _write_text(lines: list[str], stream: IO[bytes]) -> None:
    stream.write("".join(lines).encode("utf-8"))


# --- names -----------------------------------------------------------------------------------------


def _rows_by_speaker(table: EmbeddingTable) -> dict[SpeakerKey, list[int]]:
    """Row indices per (dataset, speaker), speakers sorted, rows in key order."""
    groups: dict[SpeakerKey, list[int]] = {}
    for row, key in enumerate(zip(table.datasets, table.speakers, strict=True)):
        groups.setdefault(key, []).append(row)
    return dict(sorted(groups.items()))


def _clip_file_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def _stem(name: str) -> str:
    """The name without its extension, "a" for "a.wav" (as os.path.splitext: not for ".wav")."""
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def _unique_stems(names: list[str]) -> list[str]:
    """One output stem per clip of a speaker: the file's stem, or its whole name when an earlier clip
    (a.flac before a.wav) has the stem. Compared case-folded: Windows and macOS ignore case."""
    taken: set[str] = set()
    stems: list[str] = []
    for name in names:
        stem = _stem(name)
        stems.append(_first_free(itertools.chain([stem], _numbered(name)), taken))
    return stems


def _numbered(name: str) -> Iterator[str]:
    yield name
    for number in itertools.count(2):
        yield f"{name}-{number}"


def _first_free(candidates: Iterable[str], taken: set[str]) -> str:
    for candidate in candidates:
        if candidate.casefold() not in taken:
            taken.add(candidate.casefold())
            return candidate
    raise AssertionError("the candidates are endless")


def _renamed_notes(renamed: list[tuple[str, str]]) -> list[str]:
    if not renamed:
        return []
    examples = ", ".join(f"{key} -> {name}" for key, name in renamed[:_EXAMPLES_SHOWN])
    more = f" and {len(renamed) - _EXAMPLES_SHOWN} more" if len(renamed) > _EXAMPLES_SHOWN else ""
    return [
        f"{len(renamed)} clip(s) share a name stem with another clip and got a longer name: {examples}{more}"
    ]


# --- the target folder -----------------------------------------------------------------------------


def _check_folder_names(table: EmbeddingTable, speakers: list[SpeakerEmbedding]) -> None:
    """Dataset and speaker names came from folder names, so each must be one plain name, whatever the
    format: a speaker called ".." or "a/b" means the store was not made from a real folder."""
    names = {*table.datasets, *table.speakers}
    names.update(name for speaker in speakers for name in speaker.key)
    for name in sorted(names):
        check_name(name)


def _checked_folders(to: Path, files: list[_PlannedFile]) -> list[Path]:
    """Check every name, refuse collisions (also case-insensitive ones), and resolve every folder."""
    file_keys: dict[str, str] = {MARKER_FILE_NAME.casefold(): MARKER_FILE_NAME}
    folders: set[tuple[str, ...]] = set()
    for planned_file in files:
        for part in planned_file.parts:
            check_name(part)
        relative = "/".join(planned_file.parts)
        if relative.casefold() in file_keys:
            raise ExportTargetError(
                f"two exported files would both be named {relative!r} (names differ in case?)"
            )
        file_keys[relative.casefold()] = relative
        folders.update(planned_file.parts[:depth] for depth in range(1, len(planned_file.parts)))
    for folder in folders:
        if "/".join(folder).casefold() in file_keys:
            raise ExportTargetError(f"{'/'.join(folder)!r} would be both a file and a folder of the export")
    return [safe_path(to, *folder) for folder in sorted(folders)]


def _claim_target(to: Path) -> list[str]:
    """Make sure `to` is ours to write; returns the files a previous export listed there."""
    if to.exists() and not to.is_dir():
        raise ExportTargetError(f"{to} is a file: export into a folder")
    to.mkdir(parents=True, exist_ok=True)
    names = sorted(entry.name for entry in to.iterdir())
    if not names:
        return []
    if MARKER_FILE_NAME not in names:
        shown = ", ".join(names[:_EXAMPLES_SHOWN]) + (" ..." if len(names) > _EXAMPLES_SHOWN else "")
        raise ExportTargetError(
            f"{to} already holds {len(names)} item(s) LocalClip did not export ({shown}); nothing was "
            "written. Choose an empty or new folder."
        )
    return _Marker.read_files(to)


@dataclass
class _Marker:
    fmt: str
    store: str
    model_id: str
    dim: int

    def write(self, to: Path, files: list[str], complete: bool) -> None:
        content = {
            "created_by": "LocalClip",
            "format": self.fmt,
            "store": self.store,
            "model_id": self.model_id,
            "dim": self.dim,
            "exported": datetime.now(UTC).isoformat(timespec="seconds"),
            "complete": complete,
            "files": files,
        }
        write_atomically(to / MARKER_FILE_NAME, partial(_dump_json, content))

    @staticmethod
    def read_files(to: Path) -> list[str]:
        path = to / MARKER_FILE_NAME
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
            files = content["files"] if content.get("created_by") == "LocalClip" else None
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            files = None
        if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
            raise ExportTargetError(f"{path} is damaged; delete {to} or choose another folder")
        return files


def _remove_stale(to: Path, previous: list[str], planned: set[str]) -> int:
    """Delete files the previous export made that this one did not write, then their emptied folders."""
    removed = 0
    for relative in previous:
        if relative in planned:
            continue
        try:
            path = safe_path(to, *relative.split("/"))  # the marker is a file anyone could edit
        except UnsafeName:
            continue
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed += 1
        _remove_empty_folders(to, path.parent)
    return removed


def _remove_empty_folders(to: Path, folder: Path) -> None:
    while folder != to and folder.is_relative_to(to):
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            return
        folder = folder.parent
