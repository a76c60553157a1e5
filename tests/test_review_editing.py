"""The review pane as an editing surface, on real project folders and real manifests (takes written as WAV
files and recorded the way a clone run records them; no worker needed): undo and redo of every edit
(take choice, trim, text, reference, approval, note) restoring the files, A/B comparison, the approval
filter, new takes of several selected lines, the time label before Play, auto-next keeping still after
the person acted, and the warning on a take too short to be speech."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from localclip.core.cloning.edits import LineEdits
from localclip.core.cloning.manifest import CloneParams, Manifest, SeedPolicy
from localclip.core.cloning.project import scan_project
from localclip.core.cloning.takes import REVIEW_CHANGED, REVIEW_DONE, WARNING_SHORT
from localclip.gui.player import PlaybackState
from localclip.gui.review import ReviewView
from localclip.gui.review_table import COLUMN_APPROVED, SHOW_APPROVED, SHOW_ATTENTION, SHOW_NOT_APPROVED
from localclip.runs import regenerate
from tests.clone_project_helpers import add_speaker, make_project, write_wav

SCRIPT = "id,speaker,text\n001,anna,Hello there.\n002,bob,Good morning to you.\n003,anna,Yes.\n"
LENGTHS = {"001": 0.8, "002": 1.2, "003": 0.1}  # 003: too short to be speech


def record_take(manifest: Manifest, plan: Any, seconds: float, seed: int = 0) -> None:
    write_wav(plan.out_path, seconds=seconds, seed=seed)
    manifest.record_done(plan, seconds)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Three lines generated once, line 001 twice (take 2 kept); anna has two references."""
    folder = make_project(tmp_path / "编辑 project", ["anna", "bob"], SCRIPT)
    add_speaker(folder, "anna", "Another recording.", reference="second")
    scan = scan_project(folder)
    manifest = Manifest.load(folder)
    for plan in manifest.plan_lines(scan, "model", CloneParams(), SeedPolicy(1)):
        record_take(manifest, plan, LENGTHS[plan.line_id])
    record_take(manifest, manifest.plan_take(scan, "001", "model", CloneParams(), 5), 0.6, seed=9)
    manifest.save()
    return folder


@pytest.fixture
def view(qtbot: Any) -> Any:
    widget = ReviewView()
    widget.resize(1000, 600)
    widget.show()
    yield widget
    blocker = qtbot.waitSignal(widget.workers_stopped, timeout=30_000)
    if widget.shutdown():
        blocker.wait()
    widget.close()
    widget.deleteLater()


def open_project(qtbot: Any, view: ReviewView, project: Path) -> None:
    with qtbot.waitSignal(view.project_loaded, timeout=30_000):
        view.open_project(project)


def press(qtbot: Any, view: ReviewView, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    view.table.setFocus()
    if modifier is None:
        qtbot.keyClick(view.table, key)
    else:
        qtbot.keyClick(view.table, key, modifier)


def record(project: Path, line_id: str) -> Any:
    return Manifest.load(project).lines[line_id]


def status(view: ReviewView, line_id: str) -> str:
    line = view.model.line(view.model.row_of(line_id))
    return view.model.status_text(line)


# --- undo and redo of each edit -------------------------------------------------------------------------


def test_take_choice_is_undone_and_redone(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.select_line("001")
    press(qtbot, view, Qt.Key.Key_Left)  # keep take 1
    assert record(project, "001").chosen_take == 1 and view.current_line().chosen_take == 1
    assert view.undo_action().isEnabled() and "take 1" in view.undo_action().text()
    press(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert record(project, "001").chosen_take == 2 and view.take_combo.currentData() == 2
    press(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert record(project, "001").chosen_take == 1
    press(qtbot, view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Y redoes too
    assert record(project, "001").chosen_take == 1


def test_trim_is_one_undo_step_per_finished_edit(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.select_line("001")
    view.waveform.trim_changed.emit(0.05, None)  # while dragging: nothing is written
    assert record(project, "001").chosen.trim_in == 0.0
    view.waveform.trim_edit_finished.emit(0.1, 0.5)
    take = record(project, "001").chosen
    assert (take.take, take.trim_in, take.trim_out) == (2, 0.1, 0.5)
    assert view.current_line().trim == (0.1, 0.5) and view.waveform.trim == (0.1, 0.5)
    assert view.time_label.text() == "0:00.0 / 0:00.4"  # the kept part's length
    view.waveform.trim_edit_finished.emit(0.2, 0.5)
    view.undo()
    assert record(project, "001").chosen.trim_in == 0.1
    view.undo()
    take = record(project, "001").chosen
    assert (take.trim_in, take.trim_out) == (0.0, None) and view.waveform.trim == (0.0, None)
    view.redo()
    assert record(project, "001").chosen.trim_out == 0.5
    # A trim the manifest refuses (past the take's end) is not kept, nor made an undo step.
    count = view.undo_stack.count()
    assert not view.set_trim("001", 0.2, 5.0)
    assert view.undo_stack.count() == count and "cannot be kept" in view.notice.text()


def test_i_and_o_on_the_table_trim_at_the_playhead(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.select_line("002")
    view.waveform.seek_requested.emit(0.3)  # a click on the waveform
    assert view.waveform.position == pytest.approx(0.3)
    press(qtbot, view, Qt.Key.Key_I)
    view.waveform.seek_requested.emit(0.9)
    press(qtbot, view, Qt.Key.Key_O)
    take = record(project, "002").chosen
    assert (take.trim_in, take.trim_out) == (pytest.approx(0.3), pytest.approx(0.9))
    view.undo()
    assert record(project, "002").chosen.trim_out is None


def test_approval_with_a_and_the_filter(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.select_line("002")
    press(qtbot, view, Qt.Key.Key_A)
    assert record(project, "002").approved and view.approve_box.isChecked()
    index = view.model.index(view.model.row_of("002"), COLUMN_APPROVED)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    view.show_combo.setCurrentIndex(SHOW_APPROVED)
    assert view.visible_line_ids() == ["002"]
    view.show_combo.setCurrentIndex(SHOW_NOT_APPROVED)
    assert view.visible_line_ids() == ["001", "003"]
    view.undo()
    assert not record(project, "002").approved
    assert view.visible_line_ids() == ["001", "002", "003"]
    view.redo()
    assert record(project, "002").approved and view.visible_line_ids() == ["001", "003"]
    # The column's check box is an undoable approval too.
    view.show_combo.setCurrentIndex(0)
    assert (
        view.model.setData(
            view.model.index(view.model.row_of("001"), COLUMN_APPROVED),
            Qt.CheckState.Checked.value,
            Qt.ItemDataRole.CheckStateRole,
        )
        is False
    )
    assert record(project, "001").approved
    view.undo()
    assert not record(project, "001").approved and record(project, "002").approved


def test_approving_several_selected_lines_is_one_step(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    select(view, ["001", "002", "003"])
    assert view.toggle_approved()
    assert all(record(project, line).approved for line in ("001", "002", "003"))
    view.undo()
    assert not any(record(project, line).approved for line in ("001", "002", "003"))


def test_note_is_saved_when_editing_finishes_and_undone(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.select_line("002")
    view.note_edit.setFocus()
    view.note_edit.setText("breath at the end 呼吸")  # QTest types ASCII only
    qtbot.keyClicks(view.note_edit, "!")
    assert record(project, "002").note == ""  # not before editing finishes
    qtbot.keyClick(view.note_edit, Qt.Key.Key_Return)
    assert record(project, "002").note == "breath at the end 呼吸!"
    assert view.current_line().note == "breath at the end 呼吸!"
    view.undo()
    assert record(project, "002").note == "" and view.note_edit.text() == ""
    view.redo()
    assert view.note_edit.text() == "breath at the end 呼吸!"


def test_text_edit_goes_to_the_line_edits_and_is_undone(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.select_line("002")
    view.text_edit.setFocus()
    view.text_edit.selectAll()
    qtbot.keyClicks(view.text_edit, "Good evening to you.")
    qtbot.keyClick(view.text_edit, Qt.Key.Key_Return)
    assert LineEdits.load(project).text("002") == "Good evening to you."
    line = view.current_line()
    assert line.text == "Good evening to you." and line.status == REVIEW_CHANGED
    assert "new take" in view.text_label.text()
    assert record(project, "002").chosen.inputs.text == "Good morning to you."  # the take itself stays
    assert "002" in line_ids_shown(view, SHOW_ATTENTION)
    view.undo()
    assert LineEdits.load(project).text("002") is None
    assert view.current_line().text == "Good morning to you." and view.current_line().status == REVIEW_DONE
    view.redo()
    assert LineEdits.load(project).text("002") == "Good evening to you."


def test_reference_choice_goes_to_the_line_edits_and_is_undone(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    view.select_line("003")
    names = [view.reference_combo.itemData(row) for row in range(view.reference_combo.count())]
    assert names[0] is None and len(names) == 3  # all of anna's references, then each of them
    second = next(name for name in names[1:] if "second" in name)
    view.reference_combo.setCurrentIndex(names.index(second))
    view.reference_combo.activated.emit(names.index(second))
    assert LineEdits.load(project).reference("003") == second
    assert status(view, "003") == "reference changed"
    view.undo()
    assert LineEdits.load(project).reference("003") is None
    assert view.reference_combo.currentData() is None and status(view, "003") != "reference changed"
    view.redo()
    assert LineEdits.load(project).reference("003") == second


def test_edits_are_refused_while_a_run_of_the_project_goes(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    view.select_line("002")
    assert view.set_note("002", "first")
    view.set_editing_enabled(False, "A run of this project is going on")
    assert not view.undo_action().isEnabled() and not view.set_note("002", "second")
    view.undo()
    assert record(project, "002").note == "first"
    view.set_editing_enabled(True)
    view.undo()
    assert record(project, "002").note == ""


# --- A/B ------------------------------------------------------------------------------------------------


def test_b_switches_between_the_kept_and_the_previous_take(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    view.select_line("001")
    assert view.compare_takes() == (2, 1)
    manifest = Manifest.load(project)
    first, second = (manifest.output_dir / record(project, "001").take(n).path for n in (1, 2))
    if not view.player.available:
        pytest.skip("Qt Multimedia is not available on this machine")
    view.play_current()
    assert view.player.holds(second)
    press(qtbot, view, Qt.Key.Key_B)
    assert view.player.holds(first) and "now B" in view.compare_label.text()
    press(qtbot, view, Qt.Key.Key_B)
    assert view.player.holds(second) and "now A" in view.compare_label.text()
    view.player.release()


def test_b_starts_the_other_take_where_the_playing_one_was(
    qtbot: Any, view: ReviewView, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_project(qtbot, view, project)
    view.select_line("001")
    played: list[tuple[Path, float, float | None]] = []
    monkeypatch.setattr(
        view.player, "play", lambda path, start=0.0, end=None: not played.append((path, start, end))
    )
    monkeypatch.setattr(view.player, "position", lambda: 0.4)
    monkeypatch.setattr(type(view.player), "state", property(lambda _self: PlaybackState.PLAYING))
    assert view.toggle_compare()
    assert played[-1][0].name == "001.wav" and played[-1][1] == pytest.approx(0.4)


# --- new takes of several lines -------------------------------------------------------------------------


def test_r_queues_new_takes_of_every_selected_line(
    qtbot: Any, view: ReviewView, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = SimpleNamespace(
        model=SimpleNamespace(model_id="model"), device="cpu", precision="", params=CloneParams()
    )
    monkeypatch.setattr(regenerate, "clone_setup", lambda *_args: setup)
    monkeypatch.setattr(regenerate.TakeRegenerator, "_start_next", lambda _self: None)  # no worker here
    open_project(qtbot, view, project)
    select(view, ["001", "002"])
    queued: list[tuple[str, int]] = []
    view.regenerator.take_queued.connect(lambda line_id, plan: queued.append((line_id, plan.take)))
    press(qtbot, view, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: len(queued) == 2, timeout=10_000)
    assert sorted(queued) == [("001", 3), ("002", 2)]
    assert view.regenerator.pending_lines() == {"001", "002"}
    assert status(view, "001") == "take 3 queued" and status(view, "002") == "take 2 queued"


# --- state and wording ----------------------------------------------------------------------------------


def test_the_time_label_shows_the_take_length_before_play(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    view.select_line("002")
    assert view.time_label.text() == "0:00.0 / 0:01.2"
    view.select_line("001")
    assert view.time_label.text() == "0:00.0 / 0:00.6"


def test_auto_next_keeps_still_after_the_person_acted(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    view.auto_next.setChecked(True)
    view.select_line("001")
    clip = view.current_line().path
    view.play_current()
    view.player.finished.emit(clip)  # nobody touched anything: the next line follows
    assert view.current_line().line_id == "002"
    view.player.stop()
    view.play_current()
    view.set_note("002", "a note written while it played")  # acting on the line
    view.player.finished.emit(view.current_line().path)
    assert view.current_line().line_id == "002"
    view.player.stop()
    view.play_current()
    select(view, ["002", "003"])  # selecting more lines while it plays
    view.player.finished.emit(view.current_line().path)
    assert view.current_line().line_id == "002"
    view.player.release()


def test_a_take_too_short_for_speech_is_not_plain_done(qtbot: Any, view: ReviewView, project: Path) -> None:
    open_project(qtbot, view, project)
    line = view.model.line(view.model.row_of("003"))
    assert line.status == REVIEW_DONE and line.warning == WARNING_SHORT
    assert status(view, "003") == "done, but very short take"
    assert "003" in line_ids_shown(view, SHOW_ATTENTION)
    view.select_line("003")
    assert "very short take" in view.text_label.text()


def test_reading_notice_is_cleared_once_the_project_is_read(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    messages: list[str] = []
    view.message.connect(messages.append)
    open_project(qtbot, view, project)
    assert messages[0].startswith("Reading") and not messages[-1].startswith("Reading")
    assert not view.notice.isVisible()


def test_loudness_of_the_kept_take_is_measured_off_the_gui_thread(
    qtbot: Any, view: ReviewView, project: Path
) -> None:
    open_project(qtbot, view, project)
    view.select_line("002")
    qtbot.waitUntil(lambda: "LUFS" in view.loudness_label.text(), timeout=10_000)
    assert "dBFS" in view.loudness_label.text()


# --- helpers --------------------------------------------------------------------------------------------


def select(view: ReviewView, line_ids: list[str]) -> None:
    selection = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    view.select_line(line_ids[0])
    for line_id in line_ids[1:]:
        index = view.proxy.mapFromSource(view.model.index(view.model.row_of(line_id), 0))
        selection.select(index, flags)
    assert view.selected_line_ids() == line_ids


def line_ids_shown(view: ReviewView, show: int) -> list[str]:
    view.show_combo.setCurrentIndex(show)
    shown = view.visible_line_ids()
    view.show_combo.setCurrentIndex(0)
    return shown
