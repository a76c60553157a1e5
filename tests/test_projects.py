"""Scanning cloning projects: every script format, speaker prefixes, BOMs, problems, fatal errors, names
and text in any language, and the example project."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest
import soundfile as sf

from localclip.core.cloning.project import ProjectError, ProjectScan, scan_project
from tests.clone_project_helpers import EXAMPLE_PROJECT, add_speaker, make_project, write_wav

BOM = "\ufeff"


def messages(scan: ProjectScan) -> list[str]:
    return [str(problem) for problem in scan.problems]


def skipped(scan: ProjectScan) -> dict[str, str]:
    return {item.line.id: item.reason for item in scan.skipped}


# --- script formats --------------------------------------------------------------------------------


def test_csv_with_a_bom_a_mixed_case_header_and_extra_columns(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        ["anna", "ben"],
        BOM + 'Notes,TEXT,Speaker,ID\nfirst,Hello there.,anna,1\n,"Hi, Anna.",ben,2\n',
    )

    scan = scan_project(tmp_path)

    assert scan.problems == []
    assert scan.script_path == tmp_path / "script.csv"
    assert [(line.id, line.speaker, line.text, line.source) for line in scan.lines] == [
        ("1", "anna", "Hello there.", "script.csv:2"),
        ("2", "ben", "Hi, Anna.", "script.csv:3"),
    ]
    assert list(scan.speakers) == ["anna", "ben"]
    reference = scan.speakers["anna"].references[0]
    assert reference.audio == tmp_path / "speakers" / "anna" / "ref.wav"
    assert reference.transcript == "Hello there."
    assert reference.sha256 == hashlib.sha256(reference.audio.read_bytes()).hexdigest()
    assert reference.sample_rate == 44_100 and reference.seconds == pytest.approx(0.3, abs=1e-3)
    assert scan.summary() == {
        "root": str(tmp_path),
        "script": "script.csv",
        "speakers": 2,
        "references": 2,
        "lines": 2,
        "skipped": 0,
        "problems": 0,
    }


def test_csv_cells_spanning_lines_are_joined_and_sources_name_the_first_line(tmp_path: Path) -> None:
    make_project(tmp_path, ["anna"], 'id,speaker,text\n1,anna,"one\ntwo\n three"\n\n2,anna,four\n')

    scan = scan_project(tmp_path)

    assert [(line.id, line.text, line.source) for line in scan.lines] == [
        ("1", "one two three", "script.csv:2"),
        ("2", "four", "script.csv:6"),
    ]


def test_tsv_and_utf16_from_excel(tmp_path: Path) -> None:
    add_speaker(tmp_path, "anna")
    text = "id\tspeaker\ttext\r\nA1\tanna\tOne, two.\r\n"
    (tmp_path / "script.tsv").write_bytes(text.encode("utf-16"))  # Excel's "Unicode text": UTF-16 with BOM

    scan = scan_project(tmp_path)

    assert [(line.id, line.text) for line in scan.lines] == [("A1", "One, two.")]


def test_jsonl_with_number_ids_and_bad_lines_reported(tmp_path: Path) -> None:
    add_speaker(tmp_path, "anna")
    rows = [
        json.dumps({"ID": 7, "Speaker": "anna", "Text": "Seven."}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "8", "speaker": "anna", "text": "日本語もOK。"}, ensure_ascii=False),
    ]
    (tmp_path / "script.jsonl").write_text("\n".join(rows), encoding="utf-8")

    scan = scan_project(tmp_path)

    assert [(line.id, line.text, line.source) for line in scan.lines] == [
        ("7", "Seven.", "script.jsonl:1"),
        ("8", "日本語もOK。", "script.jsonl:5"),
    ]
    assert len(scan.problems) == 2
    assert scan.problems[0].file == "script.jsonl:3" and "not a JSON object" in scan.problems[0].message
    assert scan.problems[1].file == "script.jsonl:4"


SRT = """\ufeff1
00:00:01,000 --> 00:00:02,000
Anna: Hello there.

2
00:00:02,500 --> 00:00:04,000
[说话人 甲] 你好，
<i>很高兴</i>认识你。

3
00:00:04,000 --> 00:00:05,000
さくら：こんにちは。

4
00:00:05,000 --> 00:00:06,000
【说话人 甲】再见！

5
00:00:06,000 --> 00:00:07,000
Nobody is named here.

6
00:00:07,000 --> 00:00:08,000
{\\an8}10:30 is the time.

7
00:00:08,000 --> 00:00:09,000
anna : Two
lines joined.
"""


def test_srt_speaker_prefixes_multi_line_cues_markup_and_cues_without_a_speaker(tmp_path: Path) -> None:
    for name in ("anna", "说话人 甲", "さくら"):
        add_speaker(tmp_path, name)
    (tmp_path / "episode1.srt").write_bytes(SRT.replace("\n", "\r\n").encode("utf-8"))

    scan = scan_project(tmp_path)

    assert [(line.id, line.speaker, line.text) for line in scan.lines] == [
        ("1", "anna", "Hello there."),
        ("2", "说话人 甲", "你好， 很高兴认识你。"),
        ("3", "さくら", "こんにちは。"),
        ("4", "说话人 甲", "再见！"),
        ("7", "anna", "Two lines joined."),
    ]
    assert scan.lines[1].source == "episode1.srt:5"
    assert set(skipped(scan)) == {"5", "6"}
    assert "start its text with 'Name:' or '[Name]'" in skipped(scan)["5"]
    assert any(
        problem.file == "episode1.srt:18" and "no speaker" in problem.message for problem in scan.problems
    )


def test_srt_blocks_that_are_not_cues_are_reported(tmp_path: Path) -> None:
    add_speaker(tmp_path, "anna")
    (tmp_path / "a.srt").write_text("1\nanna: no timing line\n\n2\n00:00:01,000 --> 00:00:02,000\nanna: ok\n")

    scan = scan_project(tmp_path)

    assert [line.id for line in scan.lines] == ["2"]
    assert scan.problems[0].file == "a.srt:1" and "not a subtitle cue" in scan.problems[0].message


# --- names and text in any language -----------------------------------------------------------------


def test_non_ascii_speaker_names_and_japanese_text_survive(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        ["说话人 甲", "話者B"],
        "id,speaker,text\n"
        "一,说话人 甲,今天天气很好。\n"
        "二,話者B,これは日本語のテストです。Mixed English too.\n",
    )

    scan = scan_project(tmp_path)

    assert scan.problems == []
    assert [(line.id, line.speaker, line.text) for line in scan.lines] == [
        ("一", "说话人 甲", "今天天气很好。"),
        ("二", "話者B", "これは日本語のテストです。Mixed English too."),
    ]
    assert scan.lines_for("話者B") == [scan.lines[1]]


def test_speakers_match_ignoring_case_and_unicode_normalisation(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "ゆうが")  # as macOS writes folder names
    make_project(tmp_path, ["Anna", decomposed], "id,speaker,text\n1,anna,Hi.\n2,ゆうが,やあ。\n")

    scan = scan_project(tmp_path)

    assert [line.speaker for line in scan.lines] == ["Anna", decomposed]
    assert scan.problems == []


def test_transcripts_in_chinese_with_a_bom_and_in_txt_files(tmp_path: Path) -> None:
    write_wav(tmp_path / "speakers" / "甲" / "a.wav")
    (tmp_path / "speakers" / "甲" / "a.txt").write_text(BOM + "大家好，\n我是甲。", encoding="utf-8")
    write_wav(tmp_path / "speakers" / "甲" / "b.wav")
    (tmp_path / "speakers" / "甲" / "b.lab").write_text("from the lab file", encoding="utf-8")
    (tmp_path / "speakers" / "甲" / "b.txt").write_text("from the txt file", encoding="utf-8")
    (tmp_path / "script.csv").write_text("id,speaker,text\n1,甲,你好\n", encoding="utf-8")

    scan = scan_project(tmp_path)

    assert [reference.transcript for reference in scan.speakers["甲"].references] == [
        "大家好， 我是甲。",
        "from the lab file",
    ]
    assert scan.problems == []


@pytest.mark.parametrize("extension", [".flac", ".ogg", ".mp3"])
def test_flac_ogg_and_mp3_references(tmp_path: Path, extension: str) -> None:
    write_wav(tmp_path / "speakers" / "anna" / f"ref{extension}", seconds=0.5)
    (tmp_path / "speakers" / "anna" / "ref.lab").write_text("Hello.", encoding="utf-8")
    (tmp_path / "script.csv").write_text("id,speaker,text\n1,anna,Hi.\n", encoding="utf-8")

    scan = scan_project(tmp_path)

    assert scan.problems == []
    assert scan.speakers["anna"].references[0].audio.suffix == extension


# --- problems ----------------------------------------------------------------------------------------


def test_every_problem_is_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    add_speaker(tmp_path, "good")
    (tmp_path / "speakers" / "silent").mkdir(parents=True)  # no reference audio
    (tmp_path / "speakers" / "silent" / "notes.lab").write_text("orphan transcript", encoding="utf-8")
    add_speaker(tmp_path, "untranscribed", transcript=None)
    add_speaker(tmp_path, "blank", transcript="  \n ")
    broken = tmp_path / "speakers" / "broken" / "ref.wav"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"RIFF this is not audio")
    (broken.parent / "ref.lab").write_text("text", encoding="utf-8")
    (tmp_path / "speakers" / "stray.wav").write_bytes(b"")
    (tmp_path / "script.csv").write_text(
        "id,speaker,text\n"
        "1,good,Fine.\n"
        "2,stranger,Who am I?\n"
        "3,good,\n"
        "1,good,A duplicate.\n"
        "A,good,Case one.\n"
        "a,good,Case two.\n"
        "4,silent,No reference.\n"
        "5,untranscribed,No transcript.\n"
        "6,blank,Empty transcript.\n"
        "7,broken,Bad audio.\n"
        "8,,No speaker.\n"
        ",good,No id.\n",
        encoding="utf-8",
    )
    (tmp_path / "script.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "zz.srt").write_text("", encoding="utf-8")

    scan = scan_project(tmp_path)

    assert [line.id for line in scan.lines] == ["1", "A"]
    assert list(scan.speakers) == ["good"]
    found = messages(scan)
    expected = [
        "speakers: 1 file(s) lie directly in speakers/ and were ignored (stray.wav)",
        "script.csv: 3 script files found; using script.csv and ignoring script.jsonl, zz.srt",
        "speakers/blank/ref.lab: the transcript is empty",
        "speakers/broken/ref.wav: unreadable audio",
        "speakers/broken: no usable reference",
        "speakers/silent/notes.lab: a transcript without its audio",
        "speakers/silent: no reference audio",
        "speakers/untranscribed/ref.wav: no transcript: add ref.lab (or .txt)",
        "script.csv:3: line 2: unknown speaker 'stranger' (speakers: 'blank', 'broken', 'good', 'silent', "
        "'untranscribed')",
        "script.csv:4: line 3: empty text",
        "script.csv:5: duplicate id '1' (first at script.csv:2); this line was skipped",
        "script.csv:7: duplicate id 'a' (first at script.csv:6)",
        "script.csv:8: line 4: the speaker 'silent' has no usable reference",
        "script.csv:9: line 5: the speaker 'untranscribed' has no usable reference",
        "script.csv:10: line 6: the speaker 'blank' has no usable reference",
        "script.csv:11: line 7: the speaker 'broken' has no usable reference",
        "script.csv:12: line 8: no speaker",
        "script.csv:13: no id; the line was skipped",
    ]
    for text in expected:
        assert any(message.startswith(text) for message in found), (text, found)
    assert skipped(scan) == {
        "2": "unknown speaker 'stranger' (speakers: 'blank', 'broken', 'good', 'silent', 'untranscribed')",
        "3": "empty text",
        "4": "the speaker 'silent' has no usable reference",
        "5": "the speaker 'untranscribed' has no usable reference",
        "6": "the speaker 'blank' has no usable reference",
        "7": "the speaker 'broken' has no usable reference",
        "8": "no speaker",
    }
    assert scan.summary()["skipped"] == 7


@pytest.mark.parametrize(
    ("line_id", "why"),
    [
        ("../escape", "cannot be a file name"),
        ("a/b", "cannot be a file name"),
        ("..", "cannot be a file name"),
        ("x.take2", "ends like a take file name"),
        ("CON", "on Windows"),
        ("what?", "on Windows"),
        ("dot.", "on Windows"),
    ],
)
def test_ids_that_cannot_name_a_file_are_reported(tmp_path: Path, line_id: str, why: str) -> None:
    make_project(tmp_path, ["anna"], f"id,speaker,text\n{line_id},anna,Hi.\nok,anna,Fine.\n")

    scan = scan_project(tmp_path)

    assert [line.id for line in scan.lines] == ["ok"]
    assert len(scan.problems) == 1 and why in scan.problems[0].message


def test_a_mono_and_a_stereo_reference_for_one_speaker(tmp_path: Path) -> None:
    add_speaker(tmp_path, "anna", reference="a")
    stereo = tmp_path / "speakers" / "anna" / "b.wav"
    sf.write(stereo, [[0.1, -0.1]] * 4410, 44_100)
    (tmp_path / "speakers" / "anna" / "b.lab").write_text("Second.", encoding="utf-8")
    (tmp_path / "script.csv").write_text("id,speaker,text\n1,anna,Hi.\n", encoding="utf-8")

    scan = scan_project(tmp_path)

    assert [reference.audio.name for reference in scan.speakers["anna"].references] == ["a.wav", "b.wav"]
    assert len(set(scan.speakers["anna"].reference_hashes)) == 2


def test_an_empty_script_is_a_problem(tmp_path: Path) -> None:
    make_project(tmp_path, ["anna"], "id,speaker,text\n")

    scan = scan_project(tmp_path)

    assert scan.lines == [] and messages(scan) == ["the script holds no lines"]


# --- fatal errors ----------------------------------------------------------------------------------


def test_a_missing_project_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        scan_project(tmp_path / "nowhere")


def test_no_speakers_folder(tmp_path: Path) -> None:
    (tmp_path / "script.csv").write_text("id,speaker,text\n", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"no speakers/ folder"):
        scan_project(tmp_path)


def test_a_speakers_folder_without_speaker_folders(tmp_path: Path) -> None:
    (tmp_path / "speakers").mkdir()
    (tmp_path / "script.csv").write_text("id,speaker,text\n", encoding="utf-8")
    with pytest.raises(ProjectError, match="holds no speaker folders"):
        scan_project(tmp_path)


def test_no_script(tmp_path: Path) -> None:
    add_speaker(tmp_path, "anna")
    (tmp_path / "notes.txt").write_text("not a script", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"no script: add script.csv, script.tsv or script.jsonl"):
        scan_project(tmp_path)


def test_a_csv_without_the_needed_columns(tmp_path: Path) -> None:
    make_project(tmp_path, ["anna"], "name,line\nanna,Hello\n")
    with pytest.raises(ProjectError, match=r"missing id, speaker, text, found 'name', 'line'"):
        scan_project(tmp_path)


def test_a_script_in_a_legacy_code_page_is_refused_with_advice(tmp_path: Path) -> None:
    make_project(tmp_path, ["anna"], "id,speaker,text\n1,anna,你好\n", encoding="gbk")
    with pytest.raises(ProjectError, match=r"not UTF-8 text.*'CSV UTF-8'"):
        scan_project(tmp_path)


# --- the example project -----------------------------------------------------------------------------


def test_the_example_project_scans_cleanly() -> None:
    scan = scan_project(EXAMPLE_PROJECT)

    assert scan.problems == [] and scan.skipped == []
    assert list(scan.speakers) == ["anna", "li_wei", "yuki"]
    assert len(scan.lines) == 12
    assert {line.speaker for line in scan.lines} == {"anna", "li_wei", "yuki"}
    assert any("。" in line.text for line in scan.lines if line.speaker == "li_wei")
    for speaker in scan.speakers.values():
        (reference,) = speaker.references
        info = sf.info(str(reference.audio))
        assert (info.samplerate, info.channels) == (44_100, 1)
        assert 2.0 <= info.duration <= 5.0
        assert reference.audio.stat().st_size < 300_000
