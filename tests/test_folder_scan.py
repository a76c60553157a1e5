"""The steps of reading a dropped folder (core, no Qt): its kind, speakers, durations, earlier results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from localclip.core.cloning.project import scan_project
from localclip.core.demo_data import AudioFormat, make_dataset
from localclip.core.embedding.datasets import scan_dataset
from localclip.core.embedding.speaker_update import update_speakers
from localclip.core.embedding.store import EmbeddingRecord, EmbeddingStore
from localclip.core.intake import (
    DatasetListed,
    DurationStep,
    Earlier,
    EarlierResults,
    ProjectListed,
    Recognised,
    dataset_problems,
    default_embeddings_folder,
    earlier_clones,
    earlier_embeddings,
    folder_kind,
    project_problems,
    project_speakers,
    read_durations,
    scan_steps,
    speaker_summaries,
)
from localclip.core.kinds import KIND_DATASET, KIND_PROJECT
from localclip.core.paths import resources_dir

WAV16 = (AudioFormat(".wav", "PCM_16", 16000, 1),)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "数据 set"
    make_dataset(root, speakers=2, clips_per_speaker=3, seconds=(0.5, 1.0), formats=WAV16)
    (root / "speaker_01" / "bad.wav").write_bytes(b"not audio")
    (root / "speaker_02" / "notes.txt").write_text("x", encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "项目 project"
    shutil.copytree(resources_dir() / "example_project", target, ignore=shutil.ignore_patterns("output"))
    return target


def test_the_kind_comes_from_the_layout(dataset: Path, project: Path, tmp_path: Path) -> None:
    assert folder_kind(dataset) == KIND_DATASET
    assert folder_kind(project) == KIND_PROJECT
    (project / "script.csv").unlink()
    assert folder_kind(project) == KIND_PROJECT  # speakers/ with transcripts: a project missing its script
    srt_only = tmp_path / "subtitles"
    srt_only.mkdir()
    (srt_only / "episode.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nAnna: Hi\n", encoding="utf-8")
    assert folder_kind(srt_only) == KIND_PROJECT
    assert folder_kind(tmp_path / "missing") == KIND_DATASET  # the dataset scan says what is wrong


def test_speakers_durations_and_problems_of_a_dataset(dataset: Path) -> None:
    scan = scan_dataset(dataset)
    summaries = {summary.key: summary for summary in speaker_summaries(scan)}
    assert {key: summary.clips for key, summary in summaries.items()} == {
        ("数据 set", "speaker_01"): 4,
        ("数据 set", "speaker_02"): 3,
    }
    steps = list(read_durations(scan.clips, batch=2))
    assert [step.done for step in steps] == [2, 4, 6, 7]
    seconds = sum(sum(step.seconds.values()) for step in steps)
    expected = sum(sf.info(str(clip.path)).duration for clip in scan.clips if clip.path.name != "bad.wav")
    assert seconds == pytest.approx(expected)
    problems = [problem for step in steps for problem in step.problems]
    assert [(p.file, p.message.split(":")[0]) for p in problems] == [
        ("speaker_01/bad.wav", "unreadable audio")
    ]
    assert [(p.file, p.message.startswith("ignored 1 non-audio")) for p in dataset_problems(scan)] == [
        ("", True)
    ]


def test_durations_stop_when_cancelled(dataset: Path) -> None:
    scan = scan_dataset(dataset)
    calls = iter([False, False, True])
    steps = list(read_durations(scan.clips, cancelled=lambda: next(calls, True), batch=1))
    assert [step.done for step in steps] == [1, 2]


def test_dataset_problems_name_their_folder(tmp_path: Path) -> None:
    root = tmp_path / "nested"
    make_dataset(root, speakers=1, clips_per_speaker=1, seconds=(0.5, 0.6), formats=WAV16)
    (root / "speaker_01" / "deeper folder").mkdir()
    (root / "empty one").mkdir()
    files = {problem.file for problem in dataset_problems(scan_dataset(root))}
    assert files == {"speaker_01/deeper folder", "empty one"}


def test_project_speakers_and_problems(project: Path) -> None:
    (project / "speakers" / "yuki" / "aisatsu.lab").unlink()
    scan = scan_project(project)
    speakers = {speaker.name: speaker for speaker in project_speakers(scan)}
    assert set(speakers) == {"anna", "li_wei"} and speakers["anna"].lines == 4
    assert speakers["anna"].references[0][0] == "hello.wav" and speakers["anna"].references[0][1] > 0
    files = [problem.file for problem in project_problems(scan)]
    assert "speakers/yuki/aisatsu.wav" in files


def test_earlier_embeddings_count_the_clips_of_this_dataset(dataset: Path, tmp_path: Path) -> None:
    scan = scan_dataset(dataset)
    out = default_embeddings_folder(dataset)
    assert out == dataset.with_name("数据 set embeddings") and earlier_embeddings(out, scan) is None
    vector = np.ones(4, dtype=np.float32)
    with EmbeddingStore.open(out, "model", 4) as store:
        clip = scan.clips[0]
        store.add_embeddings(
            [EmbeddingRecord(clip.key, clip.dataset, clip.speaker, str(clip.path), 1.0, 16000, vector)]
        )
    earlier = earlier_embeddings(out, scan)
    assert earlier == EarlierResults(1, 7, 0) and earlier.partial and not earlier.complete
    update = update_speakers(out)
    assert (update.speakers, update.written) == (1, 1)
    assert update_speakers(out).unchanged == 1  # nothing changed: nothing written again


def test_earlier_clones_read_the_manifest_without_changing_it(project: Path) -> None:
    scan = scan_project(project)
    assert earlier_clones(scan) is None
    output = project / "output"
    output.mkdir()
    lines = {"001": {"status": "done"}, "002": {"status": "failed"}, "gone": {"status": "done"}}
    (output / "manifest.json").write_text(json.dumps({"format": 1, "lines": lines}), encoding="utf-8")
    earlier = earlier_clones(scan)
    assert earlier == EarlierResults(1, 12, 1) and earlier.partial
    (output / "manifest.json").write_text("{damaged", encoding="utf-8")
    assert (
        earlier_clones(scan) is None and (output / "manifest.json").read_text(encoding="utf-8") == "{damaged"
    )


# --- the scan as typed steps -----------------------------------------------------------------------------


def test_a_dataset_scan_yields_kind_listing_earlier_results_then_durations(dataset: Path) -> None:
    steps = list(scan_steps(dataset))
    assert steps[0] == Recognised(KIND_DATASET)
    listed = steps[1]
    assert isinstance(listed, DatasetListed) and len(listed.scan.clips) == 7
    assert {summary.speaker: summary.clips for summary in listed.speakers} == {
        "speaker_01": 4,
        "speaker_02": 3,
    }
    assert [problem.file for problem in listed.problems] == [""]  # the ignored non-audio file
    assert steps[2] == Earlier(None)  # no embeddings folder beside it yet
    durations = steps[3:]
    assert durations and all(isinstance(step, DurationStep) for step in durations)
    assert durations[-1].done == 7
    assert sum(sum(step.unreadable.values()) for step in durations) == 1


def test_a_project_scan_yields_kind_listing_and_earlier_results(project: Path) -> None:
    steps = list(scan_steps(project))
    assert [type(step) for step in steps] == [Recognised, ProjectListed, Earlier]
    assert steps[0] == Recognised(KIND_PROJECT)
    listed = steps[1]
    assert isinstance(listed, ProjectListed)
    assert {speaker.name for speaker in listed.speakers} >= {"anna", "li_wei"}
    assert steps[2] == Earlier(None)


def test_a_cancelled_dataset_scan_stops_before_the_durations(dataset: Path) -> None:
    steps = list(scan_steps(dataset, cancelled=lambda: True))
    assert [type(step) for step in steps] == [Recognised, DatasetListed, Earlier]


def test_a_folder_entry_takes_in_the_steps(dataset: Path) -> None:
    from localclip.runs.folders import FolderEntry, FolderStatus

    entry = FolderEntry(dataset)
    for step in scan_steps(dataset):
        entry.apply(step)
    assert entry.kind == KIND_DATASET and entry.status == FolderStatus.READY
    assert entry.dataset is not None and entry.durations_read == 7
    assert entry.out_dir == default_embeddings_folder(dataset) and entry.earlier is None
    assert sum(summary.measured for summary in entry.speakers) == 7
    assert sum(summary.unreadable for summary in entry.speakers) == 1
    assert {problem.file for problem in entry.problems} == {"", "speaker_01/bad.wav"}
    entry.reset()
    assert (entry.kind, entry.dataset, entry.problems, entry.durations_read) == ("", None, [], 0)
