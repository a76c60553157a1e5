"""Review lines, choosing takes and exporting the kept takes (core/takes): plain Python, no Qt, no worker."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from localclip.core.audio.loudness import SILENCE_DB
from localclip.core.cloning.manifest import CloneParams, LineRecord, Manifest, SeedPolicy
from localclip.core.cloning.project import scan_project
from localclip.core.cloning.takes import (
    CSV_COLUMNS,
    CSV_NAME,
    REVIEW_CHANGED,
    REVIEW_DONE,
    REVIEW_FAILED,
    REVIEW_MISSING,
    REVIEW_NEW,
    REVIEW_SKIPPED,
    WARNING_SHORT,
    WARNING_SILENT,
    ExportConflict,
    TakeExportError,
    load_project,
    manifest_stamp,
    neighbour_take,
    plan_take_export,
    review_lines,
    status_counts,
    write_take_export,
)
from tests.clone_project_helpers import make_project, write_wav

MODEL = "s1-mini@abc123"
SCRIPT = (
    "id,speaker,text\n"
    "a1,anna,Hello there.\n"
    "a2,anna,How are you?\n"
    "z3,甲,你好。\n"
    "n4,nobody,A speaker without a folder.\n"
    "a5,anna,Never generated.\n"
    "a6,anna,This one fails.\n"
)


def generate(manifest: Manifest, project: Path, line_ids: list[str], seed: int = 1) -> None:
    """What a clone run does: plan, write each file, record it."""
    scan = scan_project(project)
    for plan in manifest.plan_lines(scan, MODEL, CloneParams(), SeedPolicy(seed), only=line_ids):
        write_wav(plan.out_path, seconds=0.1, seed=plan.seed % 1000)
        manifest.record_done(plan, 0.1 + len(plan.text) / 100)
    manifest.save()


def new_take(manifest: Manifest, project: Path, line_id: str, seed: int) -> int:
    plan = manifest.plan_take(scan_project(project), line_id, MODEL, CloneParams(), seed)
    write_wav(plan.out_path, seconds=0.1, seed=seed)
    manifest.record_done(plan, 0.5)
    manifest.save()
    return plan.take


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "我的 project", ["anna", "甲"], SCRIPT)
    manifest = Manifest.load(project)
    generate(manifest, project, ["a1", "a2", "z3"])
    failing = manifest.plan_lines(scan_project(project), MODEL, CloneParams(), SeedPolicy(1), only=["a6"])[0]
    manifest.record_failed(failing, "the worker ran out of memory")
    manifest.save()
    return project


def test_review_lines_follow_the_script_and_say_what_each_line_needs(project: Path) -> None:
    manifest = Manifest.load(project)
    (project / "output" / "anna" / "a2.wav").unlink()  # a kept take lost
    lines = review_lines(manifest, scan_project(project))
    assert [line.line_id for line in lines] == ["a1", "a2", "z3", "n4", "a5", "a6"]
    status = {line.line_id: line.status for line in lines}
    assert status == {
        "a1": REVIEW_DONE,
        "a2": REVIEW_MISSING,
        "z3": REVIEW_DONE,
        "n4": REVIEW_SKIPPED,
        "a5": REVIEW_NEW,
        "a6": REVIEW_FAILED,
    }
    by_id = {line.line_id: line for line in lines}
    assert by_id["a1"].playable and by_id["a1"].chosen_take == 1 and by_id["a1"].takes == (1,)
    assert by_id["a1"].path == project / "output" / "anna" / "a1.wav"
    assert not by_id["a2"].playable
    assert "nobody" in by_id["n4"].reason and "memory" in by_id["a6"].reason
    assert status_counts(lines)[REVIEW_DONE] == 2


def test_a_line_whose_script_text_changed_is_flagged_and_a_removed_line_is_kept(project: Path) -> None:
    script = project / "script.csv"
    text = script.read_text(encoding="utf-8").replace("Hello there.", "Hello again.")
    script.write_text(text.replace("z3,甲,你好。\n", ""), encoding="utf-8")
    lines = review_lines(Manifest.load(project), scan_project(project))
    by_id = {line.line_id: line for line in lines}
    assert by_id["a1"].status == REVIEW_CHANGED and by_id["a1"].playable
    assert by_id["z3"].status == REVIEW_DONE and not by_id["z3"].in_script
    assert lines[-1].line_id == "z3"  # lines no longer in the script come last
    assert [line.line_id for line in review_lines(Manifest.load(project), None)] == ["a1", "a2", "z3", "a6"]


def test_takes_are_stepped_through_and_the_kept_one_is_exported(project: Path, tmp_path: Path) -> None:
    manifest = Manifest.load(project)
    assert new_take(manifest, project, "a1", seed=5) == 2
    record = manifest.lines["a1"]
    assert record.chosen_take == 2 and neighbour_take(record, 1) is None
    assert neighbour_take(record, -1) == 1
    manifest.choose_take("a1", 1)
    manifest.save()
    target = tmp_path / "导出 the takes"
    plan = plan_take_export(Manifest.load(project), ["a1", "a2", "z3", "a5", "a6"], target)
    assert not plan.conflicts
    assert {line for line, _ in plan.skipped} == {"a5", "a6"}
    report = write_take_export(plan)
    assert report.exported == 3 and report.replaced == 0
    assert (target / "a1.wav").read_bytes() == (project / "output" / "anna" / "a1.wav").read_bytes()
    assert (target / "z3.wav").read_bytes() == (project / "output" / "甲" / "z3.wav").read_bytes()
    raw = (target / CSV_NAME).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with the mark
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(row["file"], row["take"], row["speaker"]) for row in rows] == [
        ("a1.wav", "1", "anna"),
        ("a2.wav", "1", "anna"),
        ("z3.wav", "1", "甲"),
    ]
    assert rows[2]["text"] == "你好。"
    assert not [path for path in target.iterdir() if path.name.endswith(".tmp")]


def test_export_never_overwrites_silently(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "out folder"
    target.mkdir()
    (target / "a1.wav").write_bytes(b"the editor's own file")
    manifest = Manifest.load(project)
    plan = plan_take_export(manifest, ["a1", "a2"], target)
    assert plan.conflicts == [target / "a1.wav"]
    with pytest.raises(ExportConflict) as refused:
        write_take_export(plan)
    assert "a1.wav" in str(refused.value)
    assert (target / "a1.wav").read_bytes() == b"the editor's own file"
    assert not (target / "a2.wav").exists()  # nothing was written
    report = write_take_export(plan, replace_existing=True)
    assert report.exported == 2 and report.replaced == 1
    assert (target / "a1.wav").read_bytes() != b"the editor's own file"


def test_export_keeps_names_inside_the_folder_and_out_of_output(project: Path, tmp_path: Path) -> None:
    manifest = Manifest.load(project)
    hostile = manifest.lines["a1"]
    manifest.lines["../../escape"] = LineRecord(
        "../../escape", hostile.inputs, 1, 0.1, hostile.status, None, list(hostile.takes), 1, ""
    )
    target = tmp_path / "export"
    plan = plan_take_export(manifest, ["../../escape", "a1"], target, by_speaker=True)
    assert [item.parts for item in plan.items] == [("anna", "a1.wav")]
    assert plan.skipped[0][0] == "../../escape" and "file name" in plan.skipped[0][1]
    write_take_export(plan)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["export", "我的 project"])
    with pytest.raises(TakeExportError, match="output folder"):
        plan_take_export(manifest, ["a1"], project / "output" / "anna")
    with pytest.raises(TakeExportError, match="is a file"):
        plan_take_export(manifest, ["a1"], target / "lines.csv")


def test_a_stopped_export_lists_what_it_copied(project: Path, tmp_path: Path) -> None:
    plan = plan_take_export(Manifest.load(project), ["a1", "a2", "z3"], tmp_path / "partial")
    seen: list[tuple[int, int]] = []
    report = write_take_export(
        plan, progress=lambda done, total: seen.append((done, total)), should_stop=lambda: len(seen) >= 1
    )
    assert report.cancelled and report.exported == 1 and seen == [(1, 3)]
    rows = list(
        csv.DictReader((tmp_path / "partial" / CSV_NAME).read_text(encoding="utf-8-sig").splitlines())
    )
    assert [row["id"] for row in rows] == ["a1"]


def test_loading_a_project_for_review_reads_scan_manifest_and_lines_together(project: Path) -> None:
    loaded = load_project(project)
    assert loaded.project == project and loaded.scan is not None and loaded.scan_problem == ""
    assert loaded.manifest_stamp == manifest_stamp(project) is not None
    assert [line.line_id for line in loaded.lines] == ["a1", "a2", "z3", "n4", "a5", "a6"]
    (project / "script.csv").unlink()  # the scan fails; the manifest's lines are still shown
    loaded = load_project(project)
    assert loaded.scan is None and loaded.scan_problem
    assert {line.line_id for line in loaded.lines} >= {"a1", "a2", "z3"}


# --- review state: approval, note, trim, SRT slots, warnings --------------------------------------------

SRT = (
    "1\n00:00:01,000 --> 00:00:02,500\nanna: Hello there.\n\n"
    "2\n00:00:03.250 --> 00:00:03.450 X1:10\nanna: Far too long for its short slot.\n\n"
    "3\n00:00:04,000 --> 00:00:03,000\nanna: Ends before it starts.\n\n"
    "4\n1:2 --> 3:4\nanna: Not a timing.\n"
)


def test_review_lines_carry_approval_note_trim_and_warnings(project: Path) -> None:
    manifest = Manifest.load(project)
    new_take(manifest, project, "a2", seed=3)  # 0.5 s
    manifest.set_approved("a2", True)
    manifest.set_note("a2", "keep")
    manifest.set_trim("a1", 1, 0.05, 0.2)  # 0.15 s kept: shorter than a word
    manifest.save()
    by_id = {line.line_id: line for line in review_lines(Manifest.load(project), scan_project(project))}
    assert by_id["a2"].approved and by_id["a2"].note == "keep" and by_id["a2"].trim == (0.0, None)
    assert by_id["a2"].warning == "" and by_id["a2"].slot is None and not by_id["a2"].overruns_slot
    assert by_id["a1"].trim == (0.05, 0.2) and by_id["a1"].warning == WARNING_SHORT
    assert by_id["z3"].warning == WARNING_SHORT  # recorded as 0.13 s
    assert by_id["a5"].warning == "" and by_id["a5"].trim == (0.0, None)


def test_a_silent_peak_recorded_at_generation_flags_the_take_without_reading_it(tmp_path: Path) -> None:
    project = make_project(tmp_path / "peaks", ["anna"], SCRIPT)
    manifest = Manifest.load(project)
    scan = scan_project(project)
    peaks = {"a1": SILENCE_DB - 0.5, "a2": SILENCE_DB + 0.5, "a5": -120.0, "a6": None}
    for plan in manifest.plan_lines(scan, MODEL, CloneParams(), SeedPolicy(1), only=list(peaks)):
        write_wav(plan.out_path, seconds=0.1, seed=plan.seed % 1000)  # loud files: only the record speaks
        manifest.record_done(plan, 2.0, peak_db=peaks[plan.line_id])
    manifest.set_trim("a5", 1, 0.5, 1.0)  # a trimmed take under a silent file's peak is silent too
    manifest.save()
    by_id = {line.line_id: line for line in review_lines(Manifest.load(project), scan)}
    assert by_id["a1"].warning == WARNING_SILENT and by_id["a5"].warning == WARNING_SILENT
    assert by_id["a2"].warning == "" and by_id["a6"].warning == ""  # no recorded peak: not measured here
    assert by_id["a1"].status == REVIEW_DONE


def test_srt_cues_give_each_line_a_slot_and_overruns_are_flagged(tmp_path: Path) -> None:
    project = tmp_path / "srt project"
    make_project(project, ["anna"], "")
    (project / "script.csv").unlink()
    (project / "episode.srt").write_text(SRT, encoding="utf-8")
    scan = scan_project(project)
    assert [(line.id, line.start, line.end) for line in scan.lines] == [("1", 1.0, 2.5), ("2", 3.25, 3.45)]
    assert [problem.file for problem in scan.problems] == ["episode.srt:9", "episode.srt:13"]
    assert all("cue timing" in problem.message for problem in scan.problems)
    manifest = Manifest.load(project)
    generate(manifest, project, ["1", "2"])  # recorded as 0.1 s + a hundredth a character
    by_id = {line.line_id: line for line in review_lines(Manifest.load(project), scan)}
    assert by_id["1"].slot == (1.0, 2.5) and not by_id["1"].overruns_slot
    assert by_id["2"].slot == (3.25, 3.45) and by_id["2"].overruns_slot  # 0.43 s in a 0.2 s slot
    manifest = Manifest.load(project)
    manifest.set_trim("2", 1, 0.0, 0.2)
    assert not review_lines(manifest, scan)[1].overruns_slot  # trimmed to fit
