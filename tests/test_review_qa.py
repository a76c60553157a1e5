"""Take QA in the review, on real project folders, real WAV takes and real manifests whose takes carry
stored QA scores (written through the Manifest's own records and saved; no worker, no model): the QA
column (text, reasons on hover, risky first), the "Flagged" filter, F8 / Shift+F8, every take's scores in
the take chooser, the scores in the export's lines.csv, a scored take whose file is gone, and thresholds
from the settings changing what is flagged."""

from __future__ import annotations

import csv
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from localclip.core.cloning.manifest import CloneParams, Manifest, SeedPolicy
from localclip.core.cloning.project import scan_project
from localclip.core.cloning.takes import (
    CSV_COLUMNS,
    CSV_NAME,
    NO_TAKE_RISK,
    REVIEW_MISSING,
    ExportOptions,
    plan_take_export,
    review_lines,
    speaker_stats,
    take_checks,
    write_take_export,
)
from localclip.core.options import QA_MAX_ERROR_RATE
from localclip.core.qa.flags import UNSCORED_RISK, QaThresholds
from localclip.core.qa.scores import TakeQa
from localclip.gui import shortcuts
from localclip.gui.export_dialog import ExportDialog
from localclip.gui.review import ReviewView
from localclip.gui.review_table import COLUMN_ID, COLUMN_QA, SHOW_ALL, SHOW_FLAGGED
from localclip.gui.shortcuts import ShortcutsDialog
from tests import test_review_editing
from tests.clone_project_helpers import make_project, write_wav

SCRIPT = (
    "id,speaker,text\n"
    "001,anna,Hello there.\n"
    "002,bob,Good morning to you.\n"
    "003,anna,Yes.\n"
    "004,anna,See you soon at the station by the river near the old mill.\n"
    "005,bob,Ran on and on.\n"
    "006,anna,Gone away.\n"
    "007,bob,Never made.\n"
)


def scores(voice: float, errors: int = 0, units: int = 4, **fields: Any) -> TakeQa:
    """Scores of a take of a two-speaker project (the voices 0.6 apart), its words heard by a recogniser."""
    values: dict[str, Any] = {
        "voice": voice,
        "best_other": 0.3,
        "best_other_speaker": "bob",
        "speakers_apart": 0.6,
        "nearest_speaker": "bob",
        "transcript": "words",
        "unit": "word",
        "errors": errors,
        "units": units,
        "error_rate": errors / units,
        "language": "en",
        "longest_silence": 0.2,
        "silence_at": 0.3,
        "clipped": 0,
        "seconds_per_char": 0.08,
        "scored": "2025-01-01T00:00:00+00:00",
        "recogniser": "whisper-tiny",
    }
    return TakeQa(**{**values, **fields})


def set_qa(manifest: Manifest, line_id: str, take: int, qa: TakeQa | None, token_limit: bool = False) -> None:
    """What the QA job's result does to the manifest: the take's scores stored with it."""
    record = manifest.lines[line_id]
    takes = [replace(t, qa=qa, token_limit=token_limit) if t.take == take else t for t in record.takes]
    manifest.lines[line_id] = replace(record, takes=takes)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Six lines cloned (007 never), 001 twice. 001: take 1 silent for 4.2 s inside, take 2 (kept) clean;
    002: another voice and 3 of 4 words wrong (2 flags); 003: not scored; 004: 1 of 10 words wrong (clean
    under the default 0.15); 005: not scored, ran to the token limit; 006: scored, its file then lost."""
    folder = make_project(tmp_path / "质检 project", ["anna", "bob"], SCRIPT)
    scan = scan_project(folder)
    manifest = Manifest.load(folder)
    for plan in manifest.plan_lines(scan, "model", CloneParams(), SeedPolicy(1)):
        if plan.line_id != "007":
            write_wav(plan.out_path, seconds=0.8, seed=plan.seed % 1000)
            manifest.record_done(plan, 0.8)
    plan = manifest.plan_take(scan, "001", "model", CloneParams(), 5)
    write_wav(plan.out_path, seconds=0.6, seed=5)
    manifest.record_done(plan, 0.6)
    set_qa(manifest, "001", 1, scores(0.8, longest_silence=4.2, silence_at=1.0))
    set_qa(manifest, "001", 2, scores(0.9, units=2))
    set_qa(manifest, "002", 1, scores(0.5, errors=3, best_other=0.6, best_other_speaker="anna"))
    set_qa(manifest, "004", 1, scores(0.85, errors=1, units=10))
    set_qa(manifest, "005", 1, None, token_limit=True)
    set_qa(manifest, "006", 1, scores(0.95))
    manifest.save()
    (folder / "output" / "anna" / "006.wav").unlink()
    return folder


view, open_project = test_review_editing.view, test_review_editing.open_project  # the same fixture and step
press = test_review_editing.press


def qa_cell(view: ReviewView, line_id: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
    return view.model.index(view.model.row_of(line_id), COLUMN_QA).data(role)


# --- the lines (core) ---------------------------------------------------------------------------------------


def test_review_lines_carry_the_kept_takes_flags_risk_and_scores(project: Path) -> None:
    manifest = Manifest.load(project)
    lines = {line.line_id: line for line in review_lines(manifest, scan_project(project))}
    assert [flag.kind for flag in lines["002"].qa_flags] == ["voice", "words"]
    assert lines["002"].qa_flags[1].reason == "3 of 4 words wrong" and lines["002"].qa_risk > 4
    assert lines["001"].qa_scored and not lines["001"].qa_flags and lines["001"].qa.voice == 0.9
    assert not lines["003"].qa_scored and lines["003"].qa_risk == UNSCORED_RISK
    assert [flag.reason for flag in lines["005"].qa_flags] == ["ran to the token limit"]
    assert not lines["005"].qa_scored  # flagged by the clone job, not scored
    # The kept take's file is gone: its scores are of a file that is not there; nothing crashes.
    assert lines["006"].status == REVIEW_MISSING and not lines["006"].qa_scored and not lines["006"].qa_flags
    assert lines["007"].qa_risk == NO_TAKE_RISK
    strict = {line.line_id: line for line in review_lines(manifest, None, QaThresholds(max_error_rate=0.05))}
    assert [flag.reason for flag in strict["004"].qa_flags] == ["1 of 10 words wrong"]


def test_a_speakers_durations_are_of_the_kept_takes_and_a_take_not_kept_is_judged_as_if_it_were(
    tmp_path: Path,
) -> None:
    """Seven lines of anna at 0.08 s a character; line 8's kept take is slow (flagged), its other take is
    not; only kept takes make the speaker's figures."""
    script = "id,speaker,text\n" + "".join(f"{n},anna,Line number {n}.\n" for n in range(1, 9))
    folder = make_project(tmp_path / "pace", ["anna"], script)
    scan = scan_project(folder)
    manifest = Manifest.load(folder)
    for plan in manifest.plan_lines(scan, "model", CloneParams(), SeedPolicy(1)):
        write_wav(plan.out_path, seconds=0.3, seed=1)
        manifest.record_done(plan, 0.3)
        pace = 0.08 + int(plan.line_id) * 0.001 if plan.line_id != "8" else 0.3
        set_qa(
            manifest,
            plan.line_id,
            1,
            scores(0.9, seconds_per_char=pace, best_other=None, speakers_apart=None),
        )
    plan = manifest.plan_take(scan, "8", "model", CloneParams(), 9)
    write_wav(plan.out_path, seconds=0.3, seed=2)
    manifest.record_done(plan, 0.3)
    set_qa(manifest, "8", 2, scores(0.9, seconds_per_char=3.0, best_other=None, speakers_apart=None))
    manifest.choose_take("8", 1)
    stats = speaker_stats(manifest)
    assert stats["anna"].count == 8  # one a line: take 2 of line 8 (3.0 s a character) is not among them
    lines = {line.line_id: line for line in review_lines(manifest, scan)}
    assert [flag.kind for flag in lines["8"].qa_flags] == ["duration"]
    assert "anna's takes average 0.08" in lines["8"].qa_flags[0].reason
    assert not any(lines[str(n)].qa_flags for n in range(1, 8))
    checks = take_checks(manifest.lines["8"], stats, QaThresholds())
    assert [(check.take, check.chosen, [flag.kind for flag in check.flags]) for check in checks] == [
        (1, True, ["duration"]),
        (2, False, ["duration"]),
    ]
    assert "3.00 s per character" in checks[1].flags[0].reason  # judged against lines 1 to 7 only


# --- the QA column ------------------------------------------------------------------------------------------


def test_the_qa_column_says_ok_flags_not_checked_and_why_on_hover(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    assert view.model.headerData(COLUMN_QA, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "QA"
    assert [qa_cell(view, line_id) for line_id in ("001", "002", "003", "004", "005", "006", "007")] == [
        "ok",
        "2 flag(s)",  # tests run without the English plural forms
        "not checked",
        "ok",
        "1 flag(s)",
        "no file",
        "",
    ]
    assert qa_cell(view, "002", Qt.ItemDataRole.ToolTipRole) == (
        "voice 0.50, other speakers up to 0.60 (anna)\n3 of 4 words wrong"
    )
    assert qa_cell(view, "005", Qt.ItemDataRole.ToolTipRole) == "ran to the token limit"
    assert "not been checked" in qa_cell(view, "003", Qt.ItemDataRole.ToolTipRole)
    assert qa_cell(view, "002", Qt.ItemDataRole.DecorationRole) is not None
    assert "2 flagged" in view.counts_label.text()
    view.select_line("002")
    assert "Listen for: voice 0.50, other speakers up to 0.60 (anna); 3 of 4 words wrong." in (
        view.text_label.text()
    )


def test_sorting_by_qa_puts_the_riskiest_first(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.table.sortByColumn(COLUMN_QA, Qt.SortOrder.AscendingOrder)
    # Flagged (most severe first), then not checked or not checkable, then clean (lower voice first), then
    # the line without a take.
    assert view.visible_line_ids() == ["002", "005", "003", "006", "004", "001", "007"]
    view.table.sortByColumn(COLUMN_ID, Qt.SortOrder.AscendingOrder)
    assert view.visible_line_ids() == ["001", "002", "003", "004", "005", "006", "007"]


def test_the_flagged_filter(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    assert view.show_combo.itemText(SHOW_FLAGGED) == "Flagged by QA"
    view.show_combo.setCurrentIndex(SHOW_FLAGGED)
    assert view.visible_line_ids() == ["002", "005"]
    view.show_combo.setCurrentIndex(SHOW_ALL)
    assert len(view.visible_line_ids()) == 7


def test_f8_goes_to_the_next_flagged_line_in_the_tables_order_and_wraps(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    view.select_line("001")
    press(qtbot, view, Qt.Key.Key_F8)
    assert view.current_line().line_id == "002"
    press(qtbot, view, Qt.Key.Key_F8)
    assert view.current_line().line_id == "005"
    press(qtbot, view, Qt.Key.Key_F8)
    assert view.current_line().line_id == "002"  # round again
    press(qtbot, view, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert view.current_line().line_id == "005"  # backwards, wrapping
    # In the order shown: sorted by QA, 002 comes first and the next after 005 is 002 again.
    view.table.sortByColumn(COLUMN_QA, Qt.SortOrder.DescendingOrder)
    view.select_line("002")
    press(qtbot, view, Qt.Key.Key_F8)
    assert view.current_line().line_id == "005"
    # Nothing flagged among the lines shown: the selection stays, and the pane says so.
    view.filter_edit.setText("anna")
    view.select_line("001")
    press(qtbot, view, Qt.Key.Key_F8)
    assert view.current_line().line_id == "001" and view.notice.text() == "No line shown is flagged."


def test_the_keys_are_in_the_shortcut_list(qtbot: Any) -> None:
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    assert (shortcuts.NEXT_FLAGGED, shortcuts.PREVIOUS_FLAGGED) == ("F8", "Shift+F8")
    assert ("F8, Shift+F8", "Next or previous line flagged by QA (wraps around)") in dialog.rows()
    taken = [key for shortcut in shortcuts.SHORTCUTS for key in shortcut.keys]
    assert taken.count("F8") == 1 and taken.count("Shift+F8") == 1


# --- the take chooser ---------------------------------------------------------------------------------------


def test_the_take_chooser_shows_every_takes_scores_side_by_side(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    view.select_line("001")
    combo = view.take_combo
    assert [combo.itemText(row) for row in range(combo.count())] == [
        "Take 1 · 0.8 s · voice 0.80 · 0/4 words · 1 flag(s)",
        "Take 2 · 0.6 s · voice 0.90 · 0/2 words · ok (kept)",
    ]
    assert combo.itemData(0, Qt.ItemDataRole.ToolTipRole).endswith("\n4.2 s of silence at 1.0 s")
    assert combo.itemData(0, Qt.ItemDataRole.ToolTipRole).startswith("Seed ")
    view.select_line("005")
    assert combo.itemText(0) == "Take 1 · 0.8 s · not checked · 1 flag(s) (kept)"
    # A kept take with scores whose file is gone: the chooser says so, nothing crashes.
    view.select_line("006")
    assert combo.itemText(0) == "Take 1 · 0.8 s · file missing (kept)"
    assert "Its file is missing: anna/006.wav" in combo.itemData(0, Qt.ItemDataRole.ToolTipRole)
    assert qa_cell(view, "006") == "no file" and "missing" in qa_cell(
        view, "006", Qt.ItemDataRole.ToolTipRole
    )
    assert view.model.status_text(view.current_line()) == "file missing"


def test_keeping_another_take_updates_the_qa_column(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.select_line("001")
    press(qtbot, view, Qt.Key.Key_Left)  # keep take 1: 4.2 s of silence
    assert qa_cell(view, "001") == "1 flag(s)" and view.take_combo.itemText(0).endswith("(kept)")
    view.show_combo.setCurrentIndex(SHOW_FLAGGED)
    assert view.visible_line_ids() == ["001", "002", "005"]
    view.undo()
    assert view.visible_line_ids() == ["002", "005"]


def test_a_take_scored_after_the_project_was_read_shows_its_flags(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    """The review's new takes are checked on the warm worker after they are made; the scores are saved to
    the manifest and the regenerator says so (take_checked): the row follows without a reload."""
    open_project(qtbot, view, project)
    view.select_line("003")
    assert qa_cell(view, "003") == "not checked"
    manifest = Manifest.load(project)
    set_qa(manifest, "003", 1, scores(0.9, errors=2, units=2))
    manifest.save()
    view.regenerator.take_checked.emit("003", None)
    assert (
        qa_cell(view, "003") == "1 flag(s)" and view.current_line().qa_flags[0].reason == "2 of 2 words wrong"
    )
    assert view.take_combo.itemText(0) == "Take 1 · 0.8 s · voice 0.90 · 2/2 words · 1 flag(s) (kept)"


# --- settings -----------------------------------------------------------------------------------------------


def test_thresholds_from_the_settings_change_what_is_flagged(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    assert qa_cell(view, "004") == "ok"
    view.settings.set(QA_MAX_ERROR_RATE, 0.05)  # 1 of 10 words is now too many
    with qtbot.waitSignal(view.project_loaded, timeout=30_000):
        view.refresh()
    assert qa_cell(view, "004") == "1 flag(s)"
    assert qa_cell(view, "004", Qt.ItemDataRole.ToolTipRole) == "1 of 10 words wrong"
    view.show_combo.setCurrentIndex(SHOW_FLAGGED)
    assert view.visible_line_ids() == ["002", "004", "005"]
    # The export judges lines.csv's flags as the table does.
    view.export_button.click()
    dialog = view.findChild(ExportDialog)
    assert dialog is not None and dialog.options().qa_thresholds.max_error_rate == 0.05
    dialog.close()


# --- export -------------------------------------------------------------------------------------------------


def test_lines_csv_holds_the_kept_takes_scores(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "导出 qa"
    manifest = Manifest.load(project)
    options = ExportOptions(qa_thresholds=QaThresholds(max_error_rate=0.05))
    plan = plan_take_export(manifest, ["001", "002", "003", "004", "005", "006"], target, options=options)
    assert [line_id for line_id, _ in plan.skipped] == ["006"]  # its file is gone
    write_take_export(plan)
    rows = list(csv.DictReader((target / CSV_NAME).read_text(encoding="utf-8-sig").splitlines()))
    assert tuple(rows[0])[:14] == CSV_COLUMNS[:14] and tuple(rows[0]) == CSV_COLUMNS
    assert CSV_COLUMNS[14:] == (
        "voice",
        "best_other_speaker",
        "best_other_voice",
        "error_unit",
        "errors",
        "error_units",
        "error_rate",
        "longest_silence_s",
        "clipped_samples",
        "token_limit",
        "qa_flags",
    )
    by_id = {row["id"]: row for row in rows}
    assert [by_id["002"][name] for name in CSV_COLUMNS[14:]] == [
        "0.500",
        "anna",
        "0.600",
        "word",
        "3",
        "4",
        "0.750",
        "0.200",
        "0",
        "false",
        "voice 0.50, other speakers up to 0.60 (anna); 3 of 4 words wrong",
    ]
    assert by_id["001"]["voice"] == "0.900" and by_id["001"]["qa_flags"] == ""
    assert by_id["004"]["qa_flags"] == "1 of 10 words wrong"  # the export's thresholds
    # Not scored: empty scores; the token limit is the clone job's and known all the same.
    assert [by_id["005"][name] for name in CSV_COLUMNS[14:]] == [""] * 9 + ["true", "ran to the token limit"]
    assert [by_id["003"][name] for name in CSV_COLUMNS[14:]] == [""] * 9 + ["false", ""]


def test_keeping_another_take_in_a_large_project_judges_the_speakers_lines_again_quickly(
    qtbot: Any, view: ReviewView, tmp_path: Path
) -> None:
    """2,000 scored lines of one speaker (the duration rule live): keeping another take of one line moves
    the speaker's figures and every other line is judged again, without reading a file, in well under a
    second (a generous bound: shared test machines)."""
    folder = make_project(tmp_path / "big", ["anna"], "id,speaker,text\n1,anna,Hello.\n")
    scan = scan_project(folder)
    manifest = Manifest.load(folder)
    plan = manifest.plan_lines(scan, "model", CloneParams(), SeedPolicy(1))[0]
    write_wav(plan.out_path)
    manifest.record_done(plan, 0.3)
    plan = manifest.plan_take(scan, "1", "model", CloneParams(), 2)
    write_wav(plan.out_path)
    manifest.record_done(plan, 0.3)
    set_qa(manifest, "1", 1, scores(0.9, seconds_per_char=0.08, best_other=None, speakers_apart=None))
    set_qa(manifest, "1", 2, scores(0.9, seconds_per_char=9.0, best_other=None, speakers_apart=None))
    record = manifest.lines["1"]
    for n in range(2, 2001):
        pace = 0.08 + (n % 7) * 0.001
        take = replace(
            record.takes[0], qa=scores(0.9, seconds_per_char=pace, best_other=None, speakers_apart=None)
        )
        manifest.lines[str(n)] = replace(record, line_id=str(n), takes=[take], chosen_take=1)
    manifest.save()
    open_project(qtbot, view, folder)
    assert view.model.rowCount() == 2000 and qa_cell(view, "1") == "1 flag(s)"  # take 2: 9 s a character
    view.select_line("1")
    started = time.perf_counter()
    assert view.choose_take("1", 1, play=False)
    elapsed = time.perf_counter() - started
    assert qa_cell(view, "1") == "ok" and elapsed < 1.5, elapsed
