"""Dataset scanning: both layouts, the errors that name what is wrong, problems, odd names, speed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from localclip.core.embedding.datasets import (
    LAYOUT_DATASET_SPEAKER_CLIP,
    LAYOUT_SPEAKER_CLIP,
    Clip,
    LayoutError,
    scan_dataset,
)

SAMPLE_RATE = 16_000


def write_clip(path: Path, seconds: float = 0.05) -> Path:
    """A short real audio file; the format follows the extension (case-insensitively)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = np.sin(np.linspace(0, 440 * 2 * np.pi * seconds, int(SAMPLE_RATE * seconds))) * 0.1
    file_format = path.suffix.lstrip(".").upper()
    subtype = {"OGG": "VORBIS", "MP3": "MPEG_LAYER_III"}.get(file_format)
    sf.write(path, samples.astype(np.float32), SAMPLE_RATE, format=file_format, subtype=subtype)
    return path


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_speaker_layout_uses_the_root_name_as_dataset(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write_clip(root / "spk1" / "a.wav")
    write_clip(root / "spk1" / "b.flac")
    write_clip(root / "spk2" / "c.ogg")

    scan = scan_dataset(root)

    assert scan.layout == LAYOUT_SPEAKER_CLIP
    assert scan.root == root
    assert [clip.key for clip in scan.clips] == ["spk1/a.wav", "spk1/b.flac", "spk2/c.ogg"]
    assert scan.clips[0] == Clip("spk1/a.wav", "corpus", "spk1", root / "spk1" / "a.wav")
    assert all(clip.path.is_absolute() and clip.path.is_file() for clip in scan.clips)
    assert scan.datasets == ("corpus",)
    assert scan.speakers == (("corpus", "spk1"), ("corpus", "spk2"))
    assert scan.speaker_count == 2
    assert scan.problems == ()
    assert scan.summary() == {
        "root": str(root),
        "layout": LAYOUT_SPEAKER_CLIP,
        "datasets": 1,
        "speakers": 2,
        "clips": 3,
        "problems": 0,
    }


def test_dataset_layout(tmp_path: Path) -> None:
    write_clip(tmp_path / "ds1" / "spk1" / "a.wav")
    write_clip(tmp_path / "ds1" / "spk2" / "b.wav")
    write_clip(tmp_path / "ds2" / "spk1" / "c.mp3")

    scan = scan_dataset(tmp_path)

    assert scan.layout == LAYOUT_DATASET_SPEAKER_CLIP
    assert [(clip.key, clip.dataset, clip.speaker) for clip in scan.clips] == [
        ("ds1/spk1/a.wav", "ds1", "spk1"),
        ("ds1/spk2/b.wav", "ds1", "spk2"),
        ("ds2/spk1/c.mp3", "ds2", "spk1"),
    ]
    assert scan.datasets == ("ds1", "ds2")
    assert scan.speaker_count == 3  # spk1 of ds1 and spk1 of ds2 are different speakers
    assert scan.problems == ()


def test_a_mixed_layout_names_the_offending_folders(tmp_path: Path) -> None:
    touch(tmp_path / "alice" / "a.wav")
    touch(tmp_path / "bob" / "b.wav")
    touch(tmp_path / "vctk" / "p225" / "c.wav")

    with pytest.raises(LayoutError) as error:
        scan_dataset(tmp_path)

    message = str(error.value)
    assert "mixes the two layouts" in message
    assert "2 folder(s) hold audio files directly" in message and "'alice', 'bob'" in message
    assert "1 folder(s) hold folders" in message and "'vctk'" in message


def test_a_mixed_layout_with_many_entries_shows_the_first_few_and_a_count(tmp_path: Path) -> None:
    for number in range(12):
        touch(tmp_path / f"speaker{number:02}" / "a.wav")
    touch(tmp_path / "dataset" / "spk" / "a.wav")

    with pytest.raises(LayoutError, match=r"12 folder\(s\).*'speaker00'.*'speaker04' and 7 more"):
        scan_dataset(tmp_path)


def test_a_speaker_folder_with_only_an_empty_subfolder_does_not_make_a_mix(tmp_path: Path) -> None:
    touch(tmp_path / "alice" / "a.wav")
    (tmp_path / "bob" / "old takes").mkdir(parents=True)

    scan = scan_dataset(tmp_path)

    assert scan.layout == LAYOUT_SPEAKER_CLIP
    assert [clip.key for clip in scan.clips] == ["alice/a.wav"]
    assert scan.problems == (
        "folder bob/old takes is nested deeper than the layout allows; its contents were left out",
    )


def test_audio_directly_in_the_root_is_an_error_naming_the_files(tmp_path: Path) -> None:
    touch(tmp_path / "spk1" / "a.wav")
    touch(tmp_path / "stray.wav")
    touch(tmp_path / "other.MP3")

    with pytest.raises(LayoutError, match=r"2 audio file\(s\) lie directly in .*'other\.MP3', 'stray\.wav'"):
        scan_dataset(tmp_path)


def test_missing_empty_and_audio_free_roots_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="does not exist"):
        scan_dataset(tmp_path / "missing")
    with pytest.raises(LayoutError, match="is empty"):
        scan_dataset(tmp_path)
    with pytest.raises(LayoutError, match="is a file"):
        scan_dataset(touch(tmp_path / "file.wav"))

    no_audio = tmp_path / "no_audio"
    touch(no_audio / "spk1" / "notes.txt")
    (no_audio / "spk2").mkdir()
    with pytest.raises(LayoutError, match=r"no audio files \(\.wav, \.flac, \.ogg, \.mp3\) found"):
        scan_dataset(no_audio)


def test_problems_report_what_was_left_out(tmp_path: Path) -> None:
    touch(tmp_path / "spk1" / "a.wav")
    touch(tmp_path / "spk1" / "a.txt")
    touch(tmp_path / "spk1" / "b.lab")
    touch(tmp_path / "spk2" / "c.txt")
    touch(tmp_path / "spk2" / "d.wav")
    touch(tmp_path / "spk2" / "nested" / "e.wav")  # deeper than the layout allows
    (tmp_path / "spk3").mkdir()  # empty speaker folder
    touch(tmp_path / "README.md")
    touch(tmp_path / ".DS_Store")  # hidden: skipped silently
    touch(tmp_path / "spk1" / ".hidden.wav")
    touch(tmp_path / ".git" / "x" / "y.wav")
    touch(tmp_path / "spk1" / "Thumbs.db")

    scan = scan_dataset(tmp_path)

    assert [clip.key for clip in scan.clips] == ["spk1/a.wav", "spk2/d.wav"]
    assert scan.problems == (
        "folder spk2/nested is nested deeper than the layout allows; its contents were left out",
        "empty speaker folder spk3: no audio files",
        "ignored 1 non-audio file(s) .lab: 'spk1/b.lab'",
        "ignored 1 non-audio file(s) .md: 'README.md'",
        "ignored 2 non-audio file(s) .txt: 'spk1/a.txt', 'spk2/c.txt'",
    )


def test_dataset_layout_problems(tmp_path: Path) -> None:
    touch(tmp_path / "ds1" / "spk1" / "a.wav")
    touch(tmp_path / "ds1" / "spk1" / "deeper" / "b.wav")
    (tmp_path / "ds1" / "spk2").mkdir()
    (tmp_path / "ds2").mkdir()

    scan = scan_dataset(tmp_path)

    assert scan.layout == LAYOUT_DATASET_SPEAKER_CLIP
    assert [clip.key for clip in scan.clips] == ["ds1/spk1/a.wav"]
    assert set(scan.problems) == {
        "folder ds1/spk1/deeper is nested deeper than the layout allows; its contents were left out",
        "empty speaker folder ds1/spk2: no audio files",
        "empty dataset folder ds2: no speaker folders",
    }


@pytest.mark.parametrize("layout", ["speaker", "dataset"])
def test_non_ascii_and_space_names(tmp_path: Path, layout: str) -> None:
    root = tmp_path / "测试 数据"
    speaker_folder = root / "说话人 一" if layout == "speaker" else root / "数据 集" / "说话人 一"
    write_clip(speaker_folder / "片段 1.wav")
    write_clip(speaker_folder / "clip two.flac")

    scan = scan_dataset(root)

    prefix = "说话人 一" if layout == "speaker" else "数据 集/说话人 一"
    assert [clip.key for clip in scan.clips] == [f"{prefix}/clip two.flac", f"{prefix}/片段 1.wav"]
    assert scan.clips[1].dataset == ("测试 数据" if layout == "speaker" else "数据 集")
    assert scan.clips[1].speaker == "说话人 一"
    assert all(clip.path.is_file() for clip in scan.clips)
    assert sf.info(str(scan.clips[1].path)).samplerate == SAMPLE_RATE


def test_extensions_are_case_insensitive(tmp_path: Path) -> None:
    for name in ("a.WAV", "b.Flac", "c.OGG", "d.Mp3"):
        write_clip(tmp_path / "spk" / name)
    touch(tmp_path / "spk" / "e.wav.txt")
    touch(tmp_path / "spk" / "wav")

    scan = scan_dataset(tmp_path)

    assert [clip.key for clip in scan.clips] == ["spk/a.WAV", "spk/b.Flac", "spk/c.OGG", "spk/d.Mp3"]
    assert len(scan.problems) == 2  # .txt and "(no extension)"


def test_order_is_deterministic_and_sorted_by_key(tmp_path: Path) -> None:
    names = ["z.wav", "a.wav", "M.wav", "b10.wav", "b2.wav", "é.wav"]
    for speaker in ("s2", "s10", "s1"):
        for name in names:
            touch(tmp_path / speaker / name)

    first = scan_dataset(tmp_path)
    second = scan_dataset(tmp_path)

    keys = [clip.key for clip in first.clips]
    assert keys == sorted(keys)
    assert first == second
    assert len(keys) == len(set(keys)) == 18


@pytest.mark.skipif(sys.platform == "win32", reason="creating symlinks needs a privilege on Windows")
def test_links_are_reported_and_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    touch(outside / "secret.wav")
    root = tmp_path / "root"
    touch(root / "spk1" / "a.wav")
    os.symlink(outside, root / "linked_speaker")
    os.symlink(outside / "secret.wav", root / "spk1" / "linked.wav")

    scan = scan_dataset(root)

    assert [clip.key for clip in scan.clips] == ["spk1/a.wav"]
    assert "skipped the link linked_speaker: links are not followed" in scan.problems
    assert "skipped the link spk1/linked.wav: links are not followed" in scan.problems


def test_a_large_folder_scans_fast(tmp_path: Path) -> None:
    """20,000 files here (100,000 measured for the report): os.scandir, no stat per file."""
    for speaker in range(200):
        folder = tmp_path / f"spk{speaker:03}"
        folder.mkdir()
        for clip in range(100):
            (folder / f"clip{clip:03}.wav").write_bytes(b"")

    start = time.perf_counter()
    scan = scan_dataset(tmp_path)
    elapsed = time.perf_counter() - start

    print(f"scanned {len(scan.clips)} clips in {elapsed:.2f} s")
    assert len(scan.clips) == 20_000
    assert elapsed < 2.0
