"""Export: the seeds' pickles (read back with plain pickle.load), npy + JSON, Kaldi ark/scp, and the
rules about names and target folders."""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path

import kaldiio
import numpy as np
import pytest

from localclip.core.embedding.datasets import Clip
from localclip.core.embedding.export import (
    MARKER_FILE_NAME,
    ExportTargetError,
    UnsafeName,
    export_store,
    safe_path,
)
from localclip.core.embedding.speakers import aggregate_speakers
from localclip.core.embedding.store import EmbeddingRecord, EmbeddingStore, FailureRecord

DIM = 16
DATASET = "测试 数据"
SPEAKER = "说话人 一"
SEED_SPEAKER_FIELDS = {
    "embedding",
    "dataset",
    "speaker_id",
    "num_utterances",
    "failed_utterances",
    "utterance_list",
    "original_paths",
    "embedding_dim",
    "embedding_stats",
}


def clip(dataset: str, speaker: str, name: str) -> Clip:
    key = f"{dataset}/{speaker}/{name}"
    return Clip(key, dataset, speaker, Path("/data", key))


def record_of(clip_: Clip, seed: int) -> EmbeddingRecord:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return EmbeddingRecord(clip_.key, clip_.dataset, clip_.speaker, str(clip_.path), 1.5, 16_000, vector)


CLIPS = [
    clip(DATASET, SPEAKER, "a.wav"),
    clip(DATASET, SPEAKER, "a.flac"),  # same stem as a.wav
    clip(DATASET, SPEAKER, "片段 2.wav"),
    clip(DATASET, "spk2", "x.ogg"),
    clip("vctk", "p225", "p225_001.wav"),
]


def make_store(out: Path, clips: list[Clip] = CLIPS, with_speakers: bool = True) -> EmbeddingStore:
    store = EmbeddingStore.open(out, "test-model", DIM)
    store.add_embeddings([record_of(c, seed) for seed, c in enumerate(clips)])
    failed = clip(DATASET, SPEAKER, "broken.wav")
    store.add_failures([FailureRecord(failed.key, DATASET, SPEAKER, str(failed.path), "unreadable", "bad")])
    if with_speakers:
        speakers, _ = aggregate_speakers(store.embeddings(), store.failed_counts())
        store.save_speakers(speakers)
    return store


@pytest.fixture
def store(tmp_path: Path) -> EmbeddingStore:
    with make_store(tmp_path / "out") as opened:
        yield opened


def vector_of(store: EmbeddingStore, key: str) -> np.ndarray:
    table = store.embeddings()
    return table.matrix[table.keys.index(key)]


def assert_no_temporary_files(folder: Path) -> None:
    assert not [path for path in folder.rglob("*") if path.name.endswith(".tmp")]


def test_pkl_matches_the_seed_layout_and_loads_with_plain_pickle(
    store: EmbeddingStore, tmp_path: Path
) -> None:
    to = tmp_path / "导出 pkl"
    report = export_store(store, to, "pkl")

    speaker_folder = to / DATASET / SPEAKER
    assert sorted(p.name for p in speaker_folder.iterdir()) == ["a.pkl", "a.wav.pkl", "片段 2.pkl"]
    for name, clip_name in [("a.pkl", "a.flac"), ("a.wav.pkl", "a.wav"), ("片段 2.pkl", "片段 2.wav")]:
        with (speaker_folder / name).open("rb") as stream:
            vector = pickle.load(stream)
        assert isinstance(vector, np.ndarray) and vector.dtype == np.float32 and vector.shape == (DIM,)
        np.testing.assert_array_equal(vector, vector_of(store, f"{DATASET}/{SPEAKER}/{clip_name}"))
    assert (to / "vctk" / "p225" / "p225_001.pkl").is_file()
    assert report.renamed == [(f"{DATASET}/{SPEAKER}/a.wav", "a.wav.pkl")]
    assert any("a.wav.pkl" in note for note in report.notes)

    with (to / "speakers" / DATASET / f"{SPEAKER}.pkl").open("rb") as stream:
        speaker = pickle.load(stream)
    assert set(speaker) == SEED_SPEAKER_FIELDS
    assert speaker["dataset"] == DATASET and speaker["speaker_id"] == SPEAKER
    assert speaker["embedding"].dtype == np.float32 and speaker["embedding"].shape == (DIM,)
    assert speaker["embedding_dim"] == DIM
    assert speaker["num_utterances"] == 3 and speaker["failed_utterances"] == 1
    assert speaker["utterance_list"] == ["a.flac", "a.wav", "片段 2.wav"]
    assert speaker["original_paths"] == [
        str(Path("/data", DATASET, SPEAKER, n)) for n in speaker["utterance_list"]
    ]
    vectors = np.stack([vector_of(store, f"{DATASET}/{SPEAKER}/{n}") for n in speaker["utterance_list"]])
    np.testing.assert_allclose(speaker["embedding"], vectors.mean(axis=0), rtol=1e-6, atol=1e-7)
    assert set(speaker["embedding_stats"]) == {"mean", "std", "min", "max"}
    assert speaker["embedding_stats"]["max"] == pytest.approx(float(speaker["embedding"].max()))
    assert all(type(value) is float for value in speaker["embedding_stats"].values())

    assert (report.clips, report.speakers, report.files) == (5, 3, 8)
    assert json.loads((to / MARKER_FILE_NAME).read_text("utf-8"))["complete"] is True
    assert_no_temporary_files(to)


def test_pickles_load_under_numpy_1_as_well(store: EmbeddingStore, tmp_path: Path) -> None:
    """numpy 2 pickles name numpy._core, which numpy < 1.26.1 cannot import; ours name numpy.core."""
    export_store(store, tmp_path / "e", "pkl")
    for path in (tmp_path / "e").rglob("*.pkl"):
        content = path.read_bytes()
        assert b"numpy.core.multiarray" in content and b"numpy._core" not in content


def test_npy_matrices_with_json_indexes(store: EmbeddingStore, tmp_path: Path) -> None:
    to = tmp_path / "npy"
    export_store(store, to, "npy")

    matrix = np.load(to / DATASET / f"{SPEAKER}.npy", allow_pickle=False)
    index = json.loads((to / DATASET / f"{SPEAKER}.json").read_text("utf-8"))
    assert matrix.dtype == np.float32 and matrix.shape == (3, DIM)
    assert [row["file"] for row in index["rows"]] == ["a.flac", "a.wav", "片段 2.wav"]
    for position, row in enumerate(index["rows"]):
        np.testing.assert_array_equal(matrix[position], vector_of(store, row["key"]))
        assert row["path"] == str(Path("/data", row["key"])) and row["duration"] == 1.5

    speakers = np.load(to / "speakers.npy", allow_pickle=False)
    speaker_index = json.loads((to / "speakers.json").read_text("utf-8"))["rows"]
    assert speakers.shape == (3, DIM)
    assert [(row["dataset"], row["speaker"]) for row in speaker_index] == [
        ("vctk", "p225"),
        (DATASET, "spk2"),
        (DATASET, SPEAKER),
    ]
    np.testing.assert_array_equal(speakers[2], store.speakers()[2].embedding)
    assert_no_temporary_files(to)


def test_kaldi_ark_and_scp_read_back_with_kaldiio(store: EmbeddingStore, tmp_path: Path) -> None:
    to = tmp_path / "kaldi out"
    report = export_store(store, to, "ark")

    utterances = kaldiio.load_scp(str(to / "embeddings.scp"))
    spk = f"{DATASET}-{SPEAKER}".replace(" ", "_")
    assert sorted(utterances) == [
        "vctk-p225-p225_001",
        f"{DATASET.replace(' ', '_')}-spk2-x",
        f"{spk}-a",
        f"{spk}-a.wav",
        f"{spk}-片段_2",
    ]
    np.testing.assert_array_equal(utterances[f"{spk}-a"], vector_of(store, f"{DATASET}/{SPEAKER}/a.flac"))
    np.testing.assert_array_equal(
        utterances[f"{spk}-片段_2"], vector_of(store, f"{DATASET}/{SPEAKER}/片段 2.wav")
    )
    assert report.renamed == [(f"{DATASET}/{SPEAKER}/a.wav", f"{spk}-a.wav")]

    speakers = kaldiio.load_scp(str(to / "speakers.scp"))
    np.testing.assert_array_equal(speakers[spk], store.speakers()[2].embedding)
    utt2spk = dict(line.split(" ") for line in (to / "utt2spk").read_text("utf-8").splitlines())
    assert utt2spk[f"{spk}-a"] == spk and set(utt2spk) == set(utterances)
    spk2utt = {
        line.split(" ")[0]: line.split(" ")[1:] for line in (to / "spk2utt").read_text("utf-8").splitlines()
    }
    assert spk2utt[spk] == [f"{spk}-a", f"{spk}-a.wav", f"{spk}-片段_2"]
    scp_lines = (to / "embeddings.scp").read_text("utf-8").splitlines()
    assert scp_lines == sorted(scp_lines)  # Kaldi tables are sorted
    assert all(str(to / "embeddings.ark") in line for line in scp_lines)  # the final name, not a temporary
    assert_no_temporary_files(to)


def test_a_folder_with_the_users_files_is_refused(store: EmbeddingStore, tmp_path: Path) -> None:
    to = tmp_path / "mine"
    to.mkdir()
    (to / "notes.txt").write_text("keep me", encoding="utf-8")

    with pytest.raises(ExportTargetError, match=r"1 item\(s\) LocalClip did not export \(notes.txt\)"):
        export_store(store, to, "pkl")

    assert sorted(p.name for p in to.iterdir()) == ["notes.txt"]
    assert (to / "notes.txt").read_text("utf-8") == "keep me"
    with pytest.raises(ExportTargetError, match="is a file"):
        export_store(store, to / "notes.txt", "npy")


def test_re_export_replaces_its_own_files_and_removes_stale_ones(tmp_path: Path) -> None:
    to = tmp_path / "export"
    with make_store(tmp_path / "out") as store:
        export_store(store, to, "pkl")
        (to / DATASET / SPEAKER / "a.pkl").write_bytes(b"stale")
        report = export_store(store, to, "pkl")  # into its own earlier export: allowed
        assert report.removed == 0
        assert isinstance(pickle.loads((to / DATASET / SPEAKER / "a.pkl").read_bytes()), np.ndarray)

        report = export_store(store, to, "npy")  # another format: the pickles go, the folder stays ours
    assert report.removed == 8
    assert not list(to.rglob("*.pkl"))
    assert not (to / "speakers").exists()  # emptied folders are removed too
    marker = json.loads((to / MARKER_FILE_NAME).read_text("utf-8"))
    assert marker["format"] == "npy" and f"{DATASET}/{SPEAKER}.npy" in marker["files"]


def test_a_store_without_speakers_exports_clips_and_says_so(tmp_path: Path) -> None:
    with make_store(tmp_path / "out", with_speakers=False) as store:
        report = export_store(store, tmp_path / "e", "pkl")
    assert report.speakers == 0 and report.files == 5
    assert any("localclip speakers" in note for note in report.notes)


@pytest.mark.parametrize(
    ("dataset", "speaker", "name"),
    [("ds", "..", "a.wav"), ("ds", "a/b", "a.wav"), ("..", "spk", "a.wav"), ("ds", "a\\b", "a.wav")],
)
def test_names_that_would_escape_the_folder_are_refused(
    tmp_path: Path, dataset: str, speaker: str, name: str
) -> None:
    bad = Clip(f"{dataset}/{speaker}/{name}", dataset, speaker, Path("/data/x.wav"))
    with make_store(tmp_path / "out", [bad, *CLIPS]) as store:
        for fmt in ("pkl", "npy", "ark"):
            with pytest.raises(UnsafeName):
                export_store(store, tmp_path / "export" / fmt, fmt)
    assert not (tmp_path / "export").exists()  # refused before anything was written
    assert not list(tmp_path.parent.glob("*.pkl"))


def test_safe_path(tmp_path: Path) -> None:
    assert safe_path(tmp_path, "测试 数据", "说话人 一.pkl") == tmp_path / "测试 数据" / "说话人 一.pkl"
    for parts in [("..",), (".",), ("a", ".."), ("/etc",), ("a/b",), ("a\\b",), ("a\x00b",), ("",)]:
        with pytest.raises(UnsafeName):
            safe_path(tmp_path, *parts)


def test_names_windows_cannot_hold_are_recognised() -> None:
    from localclip.core.files import _unsafe_on_windows  # check_name applies it on Windows only

    for name in [".. ", "...", "C:x", "a:b", "CON", "nul.txt", "com1.pkl"]:
        assert _unsafe_on_windows(name), name
    for name in ["测试 数据", "a.wav.pkl", "console", ".hidden", "a b"]:
        assert not _unsafe_on_windows(name), name


@pytest.mark.skipif(sys.platform == "win32", reason="creating symlinks needs a privilege on Windows")
def test_safe_path_refuses_a_link_leading_outside(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(tmp_path, root / "escape")
    with pytest.raises(UnsafeName, match="resolves outside"):
        safe_path(root, "escape", "file.pkl")


def test_unknown_format(store: EmbeddingStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format 'csv'"):
        export_store(store, tmp_path / "e", "csv")
