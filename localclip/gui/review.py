"""The review pane (ReviewView): listen to the cloned lines of a project, make new takes of bad ones, keep
the good ones, export the kept takes.

The pane composes its parts and holds what they share (the project, the undo stack, the warm workers):
the table (gui/review_table.py: a model, so 10,000 lines scroll and filter at once), the waveform of the
kept take (gui/waveform.py) with the transport (gui/player.py), the line editor (gui/review_editor.py:
text, reference, note, approval, A/B take) and the loudness of the kept take (gui/review_loudness.py).
What each line shows comes from core/takes, new takes are made by runs/regenerate on warm workers, the
export dialog is gui/export_dialog.py.
Keyboard (with the table focused): Space plays or stops, Up/Down move (and, while a clip plays, play the
line moved to), R makes new takes of the selected lines, Left/Right keep the previous/next take and play
it, A approves, B compares two takes (A/B), J/K/L shuttle, I/O set the trim at the playhead, F8/Shift+F8
go to the next/previous line whose kept take is flagged by QA (the keys are declared in
gui/shortcuts.py).

Take QA (docs/qa.md "In the review"): the table's QA column shows each kept take's flags, judged when the
project is read by the thresholds in the settings; the take chooser shows every take's scores side by
side, judged the same way.

The pane is also where a take is finished: the kept take's non-destructive trim on the waveform, the
line's text and reference edited in place (core/cloning/edits.py: the next take uses them, earlier takes
stay), approvals and notes. Every such edit is a command on one QUndoStack (gui/review_commands.py) that
writes through the manifest or the line edits and saves at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from localclip.core.audio.loudness import Loudness
from localclip.core.cloning.edits import EditsError, LineEdits
from localclip.core.cloning.manifest import LinePlan, LineRecord, Manifest, ManifestError
from localclip.core.cloning.project import ProjectScan
from localclip.core.cloning.takes import (
    REVIEW_CHANGED,
    REVIEW_DONE,
    REVIEW_SKIPPED,
    WARNING_SILENT,
    LoadedProject,
    ReviewLine,
    TakeCheck,
    check_take,
    judge_again,
    load_project,
    manifest_stamp,
    neighbour_take,
    review_line,
    speaker_stats,
    status_counts,
    take_checks,
)
from localclip.core.options import REVIEW_AUTO_PLAY_NEXT
from localclip.core.qa.flags import QaThresholds, SpeakerStats
from localclip.core.qa.text import UNIT_CHAR
from localclip.gui import shortcuts
from localclip.gui.errors import show_error
from localclip.gui.export_dialog import open_export_dialog
from localclip.gui.icons import icon
from localclip.gui.messages import translate_error, translate_message
from localclip.gui.player import ClipPlayer, PlaybackState, ShuttleControl
from localclip.gui.review_commands import (
    ApproveCommand,
    ChooseTakeCommand,
    NoteCommand,
    ReferenceCommand,
    TextEditCommand,
    TrimCommand,
)
from localclip.gui.review_editor import ReviewLineEditor, default_compare, reference_name
from localclip.gui.review_loudness import UNMEASURED, FileKey, TakeLoudness, file_key, measured_silent
from localclip.gui.review_table import (
    COLUMN_DURATION,
    COLUMN_ID,
    COLUMN_QA,
    COLUMN_SPEAKER,
    COLUMN_STATUS,
    COLUMN_TAKE,
    COLUMN_TEXT,
    ReviewFilter,
    ReviewTableModel,
    flag_reasons,
)
from localclip.gui.waveform import WaveformView
from localclip.pool.pool import WorkerPool
from localclip.runs.background import BackgroundTask, error_details
from localclip.runs.regenerate import RegenerateError, TakeRegenerator
from localclip.settings import Settings

# --- the pane -------------------------------------------------------------------------------------------


class ReviewView(QWidget):
    project_loaded = Signal(object)  # Path: the table shows this project
    busy_changed = Signal(bool)  # new takes queued or being made
    pool_changed = Signal(object)  # the warm WorkerPool used for new takes, or None
    workers_stopped = Signal()  # after shutdown(): the warm workers are gone
    message = Signal(str)  # every notice shown in the pane, for a log or status bar

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or Settings()
        self.project: Path | None = None
        self.regenerator: TakeRegenerator | None = None
        self.player = ClipPlayer(self)
        self.model = ReviewTableModel(self)
        self.proxy = ReviewFilter(self)
        self.proxy.setSourceModel(self.model)
        self.model.approval_requested.connect(
            lambda line_id, approved: self.set_approved([line_id], approved)
        )
        self._editing_enabled = True
        self._editing_reason = ""
        self._loading: BackgroundTask | None = None
        self._play_when_done: set[str] = set()  # lines whose new take plays when it is ready
        self._scan_problem = ""
        self._reselect: str | None = None  # the line to select again after a refresh
        self._audio_notice_shown = False
        self._waiting_pool: WorkerPool | None = None  # handed over before a project was open
        self.undo_stack = QUndoStack(self)
        self._write_ok = True  # set False by a write that failed while a command was pushed
        self._scan: ProjectScan | None = None  # the loaded project's scan: the speakers' references
        self._edits: LineEdits | None = None  # the project's text and reference edits
        self._acted = False  # the person acted on a line since the clip started: auto-next keeps still
        self._auto_moving = False  # play_next is moving the selection (not the person)
        self._cue: float | None = None  # where the next Play starts, set by a click on the waveform
        self._compare_side = "A"  # which take of the A/B comparison plays
        self._loudness = TakeLoudness(self._current_take_path, self)  # measured per take file
        self._loudness.measured.connect(self._on_loudness)
        self._script_text: dict[str, str] = {}  # the script's own text of each line not edited at load
        self._notice_line: str | None = None  # the line the notice is about (cleared when it is left)
        # Take QA: the thresholds the lines were judged by (the settings', read when a project is read) and
        # each speaker's seconds per character over the kept takes (takes.speaker_stats).
        self._thresholds = QaThresholds.from_options(self.settings)
        self._stats: dict[str, SpeakerStats] = {}
        self.setMinimumSize(520, 360)
        self._build()
        self._make_undo_actions()
        self._connect_player()
        self._update_actions()

    # -- public API ----------------------------------------------------------------------------------------

    def open_project(self, project_dir: Path) -> None:
        """Show `project_dir`'s lines (read on a background thread; `project_loaded` when shown)."""
        project = Path(project_dir).absolute()
        self.player.release()
        if self._loading is not None:
            self._loading.cancel()
        if project != self.project:
            self.undo_stack.clear()  # its steps name lines of the other project
        self._switch_regenerator(project)
        self.project = project
        self.project_label.setText(project.name)
        self.project_label.setToolTip(str(project))
        self._show_notice(self.tr("Reading {0}…").format(project.name), kind="info")
        thresholds = QaThresholds.from_options(self.settings)  # a changed threshold applies from here
        task = BackgroundTask(lambda _context: _load(project, thresholds), "localclip-review-load")
        task.succeeded.connect(self._on_loaded)
        task.failed.connect(lambda error: self._on_load_failed(project, error))
        self._loading = task.start()

    def refresh(self) -> None:
        """Read the project again (after a clone run changed its lines)."""
        if self.project is not None:
            current = self.current_line()
            self._reselect = current.line_id if current else None
            self.open_project(self.project)

    def adopt_pool(self, pool: WorkerPool) -> None:
        """Use a finished clone run's workers (`CloneRun.release_pool()`) for new takes: no new start.
        Before a project is open, the pool waits for the first one."""
        if self.regenerator is None:
            pool.setParent(self)
            self._waiting_pool = pool
            return
        self.regenerator.adopt_pool(pool)

    def release_workers(self) -> bool:
        """A run is starting and plans the GPUs' memory as its own: stop the warm workers kept for new
        takes, the pool waiting for a project included. True when there were any."""
        released = self.regenerator.release_workers() if self.regenerator is not None else False
        pool, self._waiting_pool = self._waiting_pool, None
        if pool is not None and any(slot.process is not None for slot in pool.slots.values()):
            pool.shutdown()
            released = True
        return released

    def set_editing_enabled(self, enabled: bool, reason: str = "") -> None:
        """Allow or forbid new takes and every edit, undo and redo included (e.g. while a clone run of the
        project is going: it writes the manifest)."""
        self._editing_enabled = enabled
        self._editing_reason = reason
        self._update_actions()
        self._update_undo_actions()

    def undo_action(self) -> QAction:
        """Edit > Undo for the window's menu (Ctrl+Z while the pane has the focus)."""
        return self._undo_action

    def redo_action(self) -> QAction:
        """Edit > Redo for the window's menu (Ctrl+Shift+Z or Ctrl+Y while the pane has the focus)."""
        return self._redo_action

    def undo(self) -> None:
        if self._can_edit_now():
            self.undo_stack.undo()

    def redo(self) -> None:
        if self._can_edit_now():
            self.undo_stack.redo()

    def shutdown(self) -> bool:
        """Stop playback and the warm workers. True when `workers_stopped` will follow."""
        self.player.release()
        if self.regenerator is not None:
            return self.regenerator.shutdown()
        pool, self._waiting_pool = self._waiting_pool, None
        if pool is None or all(slot.process is None for slot in pool.slots.values()):
            return False
        pool.stopped.connect(self.workers_stopped)
        pool.shutdown()
        return True

    @property
    def busy(self) -> bool:
        return self.regenerator is not None and self.regenerator.busy

    def current_line(self) -> ReviewLine | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.line(self.proxy.mapToSource(index).row())

    def selected_line_ids(self) -> list[str]:
        """The selected lines in the table's order; the current line when no row is selected."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = [
            self.model.line(self.proxy.mapToSource(self.proxy.index(row, 0)).row()).line_id for row in rows
        ]
        current = self.current_line()
        return ids or ([current.line_id] if current else [])

    def _line(self, line_id: str) -> ReviewLine | None:
        row = self.model.row_of(line_id)
        return None if row is None else self.model.line(row)

    def select_line(self, line_id: str) -> bool:
        row = self.model.row_of(line_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def visible_line_ids(self) -> list[str]:
        """The lines the table shows now, in its order (what Export exports)."""
        return [
            self.model.line(self.proxy.mapToSource(self.proxy.index(row, 0)).row()).line_id
            for row in range(self.proxy.rowCount())
        ]

    # -- playback --------------------------------------------------------------------------------------

    def toggle_playback(self) -> None:
        if self.player.state == PlaybackState.PAUSED:
            self.player.resume()  # K paused it: Space plays on
        elif self.player.state != PlaybackState.STOPPED:
            self.player.stop()
        else:
            self.play_current()

    def play_current(self) -> bool:
        """Play the current line's kept take within its trim (from the waveform's cue, when one was set
        inside it)."""
        line = self.current_line()
        if line is None:
            return False
        if not line.playable or line.path is None:
            self._show_notice(
                self.tr("Line {0} has no clip to play ({1}).").format(
                    line.line_id, self.model.status_text(line)
                ),
                line_id=line.line_id,
            )
            return False
        start, end = line.trim
        cue, self._cue = self._cue, None
        if cue is not None and start <= cue < (line.duration if end is None else end) - 0.01:
            start = cue
        self._acted = False
        self._compare_side = "A"
        self._update_compare_label()
        return self.player.play(line.path, start, end)

    def play_next(self) -> bool:
        """Move to the next line with a clip and play it; False at the end of the table."""
        index = self.table.currentIndex()
        for row in range(index.row() + 1 if index.isValid() else 0, self.proxy.rowCount()):
            line = self.model.line(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            if line.playable:
                self._auto_moving = True
                try:
                    self.select_line(line.line_id)
                finally:
                    self._auto_moving = False
                return self.play_current()
        return False

    def select_flagged(self, step: int = 1) -> bool:
        """F8 / Shift+F8: select the next (step 1) or previous (-1) line whose kept take is flagged, in the
        table's order as shown (sorted and filtered), wrapping around; False when no line shown is."""
        rows = self.proxy.rowCount()
        index = self.table.currentIndex()
        start = index.row() if index.isValid() else (-1 if step > 0 else rows)
        for offset in range(1, rows + 1):
            row = (start + step * offset) % rows
            line = self.model.line(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            if line.qa_flags:
                return self.select_line(line.line_id)
        self._show_notice(self.tr("No line shown is flagged."), kind="info")
        return False

    # -- A/B comparison --------------------------------------------------------------------------------

    def compare_takes(self) -> tuple[int, int] | None:
        """The two takes B switches between: the kept take (A) and the one chosen to compare with (B;
        by default the take before the kept one, or after it for the first)."""
        line = self.current_line()
        if line is None or line.chosen_take is None or len(line.takes) < 2:
            return None
        other = self.editor.compare_with()
        if not isinstance(other, int) or other == line.chosen_take or other not in line.takes:
            other = default_compare(line)
        return line.chosen_take, other

    def toggle_compare(self) -> bool:
        """B: play the other take of the comparison, at the position the playing one had reached."""
        line = self.current_line()
        takes = self.compare_takes()
        if line is None or takes is None:
            return False
        record = self._cached_record(line.line_id)
        playing = self.player.state == PlaybackState.PLAYING
        position = self.player.position() if playing else 0.0
        side = "B" if self._compare_side == "A" else "A"
        take = record.take(takes[0] if side == "A" else takes[1]) if record else None
        if take is None or self.regenerator is None:
            return False
        path = self.regenerator.manifest().output_dir.joinpath(*take.path.split("/"))
        end = take.trim_out
        start = max(take.trim_in, min(position, (take.duration if end is None else end) - 0.01))
        self._compare_side = side
        self._acted = True  # comparing is acting on the line: no auto-next at the end
        self._update_compare_label()
        return self.player.play(path, start, end)

    def _update_compare_label(self) -> None:
        takes = self.compare_takes()
        if takes is None:
            self.compare_label.setText("")
            return
        playing = takes[0] if self._compare_side == "A" else takes[1]
        self.compare_label.setText(
            self.tr("A: take {0} · B: take {1} · now {2} (take {3})").format(
                takes[0], takes[1], self._compare_side, playing
            )
        )

    # -- takes -----------------------------------------------------------------------------------------

    def regenerate_current(self) -> bool:
        """A new take of the current line on a warm worker (the old takes stay); it plays when ready."""
        line = self.current_line()
        return line is not None and self.regenerate_lines([line.line_id]) == 1

    def regenerate_selected(self) -> int:
        """New takes of every selected line (R), queued together on the warm workers; how many were
        queued. A single line's take plays when it is ready."""
        ids = self.selected_line_ids()
        return self.regenerate_lines(ids) if ids else 0

    def regenerate_lines(self, line_ids: list[str]) -> int:
        if self.regenerator is None or not line_ids:
            return 0
        if not self._editing_enabled:
            self._show_notice(self._editing_reason or self.tr("New takes cannot be made now."))
            return 0
        pending = self.regenerator.pending_lines()
        queued = 0
        for line_id in line_ids:
            line = self._line(line_id)
            if line is None or line.status == REVIEW_SKIPPED or line_id in pending:
                continue  # it cannot be generated, or a take of it is on its way
            try:
                self.regenerator.regenerate(line_id)  # planned once the project is read, on a thread
            except RegenerateError as error:
                self._show_refusal(line_id, str(error))
                break  # the same reason (no model, shutting down) refuses the others too
            self.model.set_activity(line_id, self.tr("queued"))
            queued += 1
        if queued == 1 and len(line_ids) == 1:
            self._play_when_done.add(line_ids[0])
        if queued > 1:
            self.message.emit(self.tr("New takes of %n line(s) queued.", "", queued))
        return queued

    def _show_refusal(self, line_id: str, reason: str) -> None:
        self._show_notice(self.tr("No new take of line {0}: {1}").format(line_id, reason), line_id=line_id)

    def choose_take(self, line_id: str, take: int, play: bool = True) -> bool:
        """Keep `take` as the line's output (saved in the manifest, undoable) and, by default, play it."""
        line = self._line(line_id)
        if line is None or line.chosen_take is None or take == line.chosen_take:
            return False
        if not self._push(ChooseTakeCommand(self, line_id, line.chosen_take, take)):
            return False
        current = self.current_line()
        if play and current is not None and current.line_id == line_id:
            self.play_current()
        return True

    def step_take(self, step: int) -> bool:
        line = self.current_line()
        if line is None or self.regenerator is None:
            return False
        record = self._record(line.line_id)
        take = neighbour_take(record, step) if record is not None else None
        if take is None:
            return False
        return self.choose_take(line.line_id, take)

    # -- edits (undoable) ------------------------------------------------------------------------------

    def set_approved(self, line_ids: list[str], approved: bool) -> bool:
        """Approve the lines (or take the approval back): one undo step for them all."""
        changes = [
            (line.line_id, line.approved)
            for line in filter(None, map(self._line, line_ids))
            if line.takes and line.approved != approved
        ]
        if not changes:
            return False
        if len(changes) == 1:
            return self._push(ApproveCommand(self, changes[0][0], changes[0][1], approved))
        text = (
            self.tr("Approve %n line(s)", "", len(changes))
            if approved
            else self.tr("Withdraw the approval of %n line(s)", "", len(changes))
        )
        return self._push_many(
            text, [ApproveCommand(self, line_id, old, approved) for line_id, old in changes]
        )

    def toggle_approved(self) -> bool:
        """A: approve the selected lines, or take their approval back when every one is approved."""
        lines = [
            line for line in map(self._line, self.selected_line_ids()) if line is not None and line.takes
        ]
        if not lines:
            return False
        return self.set_approved([line.line_id for line in lines], not all(line.approved for line in lines))

    def set_note(self, line_id: str, note: str) -> bool:
        line = self._line(line_id)
        note = note.strip()
        if line is None or not line.takes or note == line.note:
            return False
        return self._push(NoteCommand(self, line_id, line.note, note))

    def set_trim(self, line_id: str, trim_in: float, trim_out: float | None) -> bool:
        """Keep seconds `trim_in` to `trim_out` (None: the end) of the line's kept take."""
        line = self._line(line_id)
        if line is None or line.chosen_take is None:
            return False
        new = (float(trim_in), None if trim_out is None else float(trim_out))
        if new == line.trim:
            return False
        end = line.duration if new[1] is None else new[1]
        if line.duration is None or not 0 <= new[0] < end <= line.duration + 1e-6:
            # Refused before it is pushed: a refused push would still drop the redo steps.
            self._show_notice(
                self.tr(
                    "The trim of line {0} cannot be kept: it must lie within the take's {1:.2f} s."
                ).format(line_id, line.duration or 0.0),
                line_id=line_id,
            )
            return False
        return self._push(TrimCommand(self, line_id, line.chosen_take, line.trim, new))

    def set_text(self, line_id: str, text: str) -> bool:
        """The line's next take speaks `text` (the script's own text again: its edit is dropped)."""
        line = self._line(line_id)
        if line is None or self._edits is None:
            return False
        text = " ".join(text.split())
        if not text or text == line.text:
            return False
        old = self._edits.text(line_id)
        new = None if text == self._script_text.get(line_id) else text
        return self._push(TextEditCommand(self, line_id, (old, line.text), (new, text)))

    def set_reference(self, line_id: str, reference: str | None) -> bool:
        """The reference recording of the line's speaker its next take uses (None: the usual ones)."""
        if self._edits is None or self._line(line_id) is None:
            return False
        old = self._edits.reference(line_id)
        if old == reference:
            return False
        return self._push(ReferenceCommand(self, line_id, old, reference))

    def _can_edit_now(self) -> bool:
        if self._editing_enabled:
            return True
        self._show_notice(self._editing_reason or self.tr("Nothing can be changed now."))
        return False

    def _push(self, command: QUndoCommand) -> bool:
        """Do `command` (it writes and saves) and keep it for undo; False when its write failed."""
        if not self._can_edit_now():
            return False
        self._acted = True
        self._write_ok = True
        self.undo_stack.push(command)  # a failed write made it obsolete: the stack drops it
        return self._write_ok

    def _push_many(self, text: str, commands: list[QUndoCommand]) -> bool:
        if not self._can_edit_now():
            return False
        self._acted = True
        self._write_ok = True
        self.undo_stack.beginMacro(text)
        for command in commands:
            self.undo_stack.push(command)
        self.undo_stack.endMacro()
        return self._write_ok

    # The commands' writes (review_commands.ReviewEditing): each saves at once and refreshes the row.

    def write_take(self, line_id: str, take: int) -> bool:
        if self.regenerator is None:
            return self._failed()
        try:
            record = self.regenerator.choose_take(line_id, take)
        except RegenerateError as error:
            self._show_notice(
                self.tr("Take {0} of line {1} cannot be kept: {2}").format(take, line_id, error)
            )
            return self._failed()
        self._update_row(line_id, record)
        return True

    def write_trim(self, line_id: str, take: int, trim: tuple[float, float | None]) -> bool:
        return self._write_manifest(
            line_id,
            lambda manifest: manifest.set_trim(line_id, take, trim[0], trim[1]),
            self.tr("The trim of line {0} cannot be kept: {1}"),
        )

    def write_approved(self, line_id: str, approved: bool) -> bool:
        return self._write_manifest(
            line_id,
            lambda manifest: manifest.set_approved(line_id, approved),
            self.tr("The approval of line {0} cannot be saved: {1}"),
        )

    def write_note(self, line_id: str, note: str) -> bool:
        return self._write_manifest(
            line_id,
            lambda manifest: manifest.set_note(line_id, note),
            self.tr("The note on line {0} cannot be saved: {1}"),
        )

    def write_text(self, line_id: str, text: str | None, shown: str) -> bool:
        return self._write_edits(line_id, lambda edits: edits.set_text(line_id, text), shown)

    def write_reference(self, line_id: str, reference: str | None) -> bool:
        return self._write_edits(line_id, lambda edits: edits.set_reference(line_id, reference))

    def _write_manifest(self, line_id: str, change: Callable[[Manifest], None], failure: str) -> bool:
        if self.regenerator is None or self.project is None:
            return self._failed()
        try:
            manifest = self.regenerator.manifest()
            change(manifest)
            manifest.save()
        except (RegenerateError, ManifestError, OSError) as error:
            self._show_notice(failure.format(line_id, error))
            return self._failed()
        # The pane wrote the file: the regenerator need not read it again.
        self.regenerator.offer_manifest(manifest, manifest_stamp(self.project))
        self._update_row(line_id, manifest.lines.get(line_id))
        return True

    def _write_edits(
        self, line_id: str, change: Callable[[LineEdits], None], shown: str | None = None
    ) -> bool:
        edits = self._edits
        if edits is None:
            return self._failed()
        try:
            change(edits)
            edits.save()
        except (EditsError, OSError, ValueError) as error:
            self._show_notice(
                self.tr("The edit of line {0} cannot be saved: {1}").format(line_id, translate_error(error))
            )
            return self._failed()
        self._update_row(line_id, self._cached_record(line_id), shown)
        return True

    def _failed(self) -> bool:
        self._write_ok = False
        return False

    # -- export ----------------------------------------------------------------------------------------

    def _choose_export_folder(self) -> None:
        """The export dialog (gui/export_dialog.py) for the lines shown, with the manifest as held here."""
        if self.project is None or self.regenerator is None:
            return
        try:
            manifest = self.regenerator.manifest()
        except RegenerateError as error:
            self._show_notice(self.tr("Nothing was exported: {0}").format(error))
            return
        self.player.release()  # an exported file may be the one the player holds
        lines = self.model.lines()
        loaded = LoadedProject(
            self.project,
            self._scan,
            self._scan_problem,
            manifest,
            manifest_stamp(self.project),
            lines,
            self._thresholds,
        )
        open_export_dialog(self, loaded, self.settings, self.visible_line_ids(), manifest)

    # -- building --------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.project_label = QLabel(self.tr("No project"))
        self.project_label.setObjectName("reviewProject")
        font = self.project_label.font()
        font.setBold(True)
        self.project_label.setFont(font)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter by id, speaker or text"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.show_combo = QComboBox()
        self.show_combo.addItems(
            [
                self.tr("All lines"),
                self.tr("Needs attention"),
                self.tr("Done"),
                self.tr("Approved"),
                self.tr("Not approved"),
                self.tr("Flagged by QA"),
            ]
        )
        self.show_combo.currentIndexChanged.connect(self.proxy.set_show)
        self.show_combo.setAccessibleName(self.tr("Show"))
        self.counts_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.project_label)
        top.addWidget(self.counts_label, stretch=1)
        top.addWidget(self.filter_edit, stretch=1)
        top.addWidget(self.show_combo)

        self.table = self._make_table()
        self.notice = QLabel()
        self.notice.setObjectName("reviewNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(self._make_waveform())
        layout.addWidget(self.table, stretch=1)
        layout.addWidget(self.notice)
        layout.addLayout(self._make_details())
        layout.addWidget(self._make_editor())
        layout.addLayout(self._make_controls())
        self._make_shortcuts()

    def _make_waveform(self) -> QHBoxLayout:
        self.waveform = WaveformView()
        self.waveform.setObjectName("reviewWaveform")
        self.waveform.setMinimumHeight(72)
        self.waveform.seek_requested.connect(self._on_seek_requested)
        self.waveform.trim_changed.connect(lambda *_trim: self._note_action())
        self.waveform.trim_edit_finished.connect(self._on_trim_edited)
        self.shuttle = ShuttleControl(self.player)
        self.loudness_label = QLabel()
        self.loudness_label.setObjectName("reviewLoudness")
        self.loudness_label.setToolTip(
            self.tr("Loudness of the kept take: integrated loudness (LUFS) and sample peak (dBFS)")
        )
        self.compare_label = QLabel()
        side = QVBoxLayout()
        side.addWidget(self.loudness_label)
        side.addWidget(self.compare_label)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.waveform, stretch=1)
        row.addLayout(side)
        return row

    def _make_editor(self) -> ReviewLineEditor:
        """The current line's text and reference (for its next take), its note, approval and A/B take."""
        self.editor = ReviewLineEditor()
        self.editor.text_edited.connect(self._on_text_edited)
        self.editor.note_edited.connect(self._on_note_edited)
        self.editor.reference_chosen.connect(self._on_reference_chosen)
        self.editor.approve_clicked.connect(self._on_approve_clicked)
        self.editor.compare_chosen.connect(self._update_compare_label)
        self.editor.typed.connect(self._note_action)
        # The editor's fields stay reachable as the pane's own (the tests use them so).
        self.text_edit = self.editor.text_edit
        self.reference_combo = self.editor.reference_combo
        self.note_edit = self.editor.note_edit
        self.approve_box = self.editor.approve_box
        self.compare_combo = self.editor.compare_combo
        return self.editor

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setObjectName("reviewTable")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # new takes of several
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setSortingEnabled(True)
        table.sortByColumn(COLUMN_ID, Qt.SortOrder.AscendingOrder)
        table.setTabKeyNavigation(False)
        # Fixed row heights: nothing is measured per row, so 10,000 lines cost what the screen shows.
        rows = table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COLUMN_TEXT, QHeaderView.ResizeMode.Stretch)
        character = table.fontMetrics().averageCharWidth()
        for column, characters in (
            (COLUMN_ID, 8),
            (COLUMN_SPEAKER, 14),
            (COLUMN_DURATION, 9),
            (COLUMN_TAKE, 8),
            (COLUMN_STATUS, 20),
            (COLUMN_QA, 12),
        ):
            table.setColumnWidth(column, characters * character + 24)
        table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        table.doubleClicked.connect(lambda _index: self.play_current())
        return table

    def _make_details(self) -> QHBoxLayout:
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.take_combo = QComboBox()
        self.take_combo.setObjectName("takeCombo")
        self.take_combo.setMinimumContentsLength(36)  # "Take 3 · 2.1 s · voice 0.71 · 2/23 words · 1 flag"
        self.take_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.take_combo.activated.connect(self._on_take_chosen)
        take_label = QLabel(self.tr("&Kept take:"))
        take_label.setBuddy(self.take_combo)
        details = QHBoxLayout()
        details.addWidget(self.text_label, stretch=1)
        details.addWidget(take_label)
        details.addWidget(self.take_combo)
        return details

    def _make_controls(self) -> QHBoxLayout:
        self.play_button = QPushButton(icon("audio"), self.tr("&Play"))
        self.play_button.setToolTip(self.tr("Play or stop the selected line (Space)"))
        self.play_button.clicked.connect(self.toggle_playback)
        self.auto_next = QCheckBox(self.tr("Play ne&xt automatically"))
        self.auto_next.setChecked(self.settings.get(REVIEW_AUTO_PLAY_NEXT))
        self.auto_next.toggled.connect(lambda on: self.settings.set(REVIEW_AUTO_PLAY_NEXT, on))
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.time_label = QLabel("0:00 / 0:00")
        self.regenerate_button = QPushButton(icon("resume"), self.tr("&New takes"))
        self.regenerate_button.setToolTip(
            self.tr("Make a new take of each selected line; their earlier takes are kept (R)")
        )
        self.regenerate_button.clicked.connect(self.regenerate_selected)
        self.export_button = QPushButton(icon("folder-open"), self.tr("Export kept takes…"))
        self.export_button.setToolTip(
            self.tr("Copy the kept take of every line shown into a folder, with lines.csv describing them")
        )
        self.export_button.clicked.connect(self._choose_export_folder)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.auto_next)
        controls.addWidget(self.progress, stretch=1)
        controls.addWidget(self.time_label)
        controls.addSpacing(12)
        controls.addWidget(self.regenerate_button)
        controls.addWidget(self.export_button)
        return controls

    def _make_shortcuts(self) -> None:
        keys: list[tuple[str, Callable[[], Any]]] = [
            (shortcuts.PLAY_STOP, self.toggle_playback),
            (shortcuts.REGENERATE, self.regenerate_selected),
            (shortcuts.PREVIOUS_TAKE, lambda: self.step_take(-1)),
            (shortcuts.NEXT_TAKE, lambda: self.step_take(1)),
            *((key, self.play_current) for key in shortcuts.PLAY_LINE),
            (shortcuts.APPROVE, self.toggle_approved),
            (shortcuts.COMPARE, self.toggle_compare),
            (shortcuts.TRIM_IN, lambda: self.trim_at_playhead(True)),
            (shortcuts.TRIM_OUT, lambda: self.trim_at_playhead(False)),
            (shortcuts.NEXT_FLAGGED, lambda: self.select_flagged(1)),
            (shortcuts.PREVIOUS_FLAGGED, lambda: self.select_flagged(-1)),
        ]
        self._shortcuts = []
        for key, action in keys:
            # On the table only: Space and R must still type into the filter box.
            self._add_shortcut(key, self.table, action)
        # J/K/L on the table and on the waveform.
        for widget in (self.table, self.waveform):
            for key, qt_key in (
                (shortcuts.JOG_BACK, Qt.Key.Key_J),
                (shortcuts.JOG_STOP, Qt.Key.Key_K),
                (shortcuts.JOG_FORWARD, Qt.Key.Key_L),
            ):
                self._add_shortcut(key, widget, lambda qt_key=qt_key: self._shuttle_key(qt_key))
                self._shortcuts[-1].setAutoRepeat(False)  # a held L is one press, not a jump to 4x
        handlers = dict(keys)
        for key in (shortcuts.PLAY_STOP, shortcuts.APPROVE, shortcuts.COMPARE):  # I and O: the waveform's own
            self._add_shortcut(key, self.waveform, handlers[key])

    def _add_shortcut(self, key: str, widget: QWidget, action: Callable[[], Any]) -> None:
        shortcut = QShortcut(QKeySequence(key), widget, context=Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(action)
        self._shortcuts.append(shortcut)

    def _make_undo_actions(self) -> None:
        """Undo and Redo as actions of the pane (the window puts the same actions in its Edit menu):
        Ctrl+Z works while the focus is anywhere in the pane, except a text field's own undo."""
        self._undo_action = QAction(self.tr("&Undo"), self)
        self._undo_action.setShortcut(QKeySequence(shortcuts.UNDO))
        self._undo_action.triggered.connect(self.undo)
        self._redo_action = QAction(self.tr("&Redo"), self)
        self._redo_action.setShortcuts([QKeySequence(shortcuts.REDO), QKeySequence("Ctrl+Y")])
        self._redo_action.triggered.connect(self.redo)
        for action in (self._undo_action, self._redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.undo_stack.canUndoChanged.connect(lambda _can: self._update_undo_actions())
        self.undo_stack.canRedoChanged.connect(lambda _can: self._update_undo_actions())
        self.undo_stack.undoTextChanged.connect(lambda _text: self._update_undo_actions())
        self.undo_stack.redoTextChanged.connect(lambda _text: self._update_undo_actions())
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        if not shiboken6.isValid(self.undo_stack):
            return  # the pane is being deleted: the stack clears itself on the way
        undo, redo = self.undo_stack.undoText(), self.undo_stack.redoText()
        self._undo_action.setText(self.tr("&Undo {0}").format(undo) if undo else self.tr("&Undo"))
        self._redo_action.setText(self.tr("&Redo {0}").format(redo) if redo else self.tr("&Redo"))
        self._undo_action.setEnabled(self._editing_enabled and self.undo_stack.canUndo())
        self._redo_action.setEnabled(self._editing_enabled and self.undo_stack.canRedo())

    def _connect_player(self) -> None:
        self.player.state_changed.connect(self._on_player_state)
        self.player.finished.connect(self._on_clip_finished)
        self.player.error.connect(self._show_notice)
        self.player.progress_changed.connect(self._on_progress)
        self.player.position_changed.connect(self.waveform.set_position)

    # -- slots -----------------------------------------------------------------------------------------

    def _on_loaded(self, result: _Loaded) -> None:
        loaded = result.project
        if loaded.project != self.project:
            return  # another project was opened meanwhile
        self._loading = None
        reselect, self._reselect = self._reselect, None
        if self.regenerator is not None:
            self.regenerator.offer_manifest(loaded.manifest, loaded.manifest_stamp)
        self._scan, self._edits = loaded.scan, result.edits
        self._script_text = result.script_text
        self._thresholds, self._stats = loaded.thresholds, result.stats
        self._loudness.clear()
        self.model.set_lines(loaded.lines)
        for line in loaded.lines:
            record = loaded.manifest.lines.get(line.line_id)
            self.model.set_reference_changed(
                line.line_id, self._reference_changed(line.line_id, line.speaker, record)
            )
        self._scan_problem = loaded.scan_problem
        notices = [
            translate_message(text)
            for text in (loaded.manifest.notice, loaded.scan_problem, result.edits_problem)
            if text
        ]
        if not loaded.lines and not notices:
            notices.append(self.tr("This project has no lines yet."))
        if notices:
            self._show_notice("\n".join(notices))
        else:
            self._hide_notice()  # "Reading…" is over
            self.message.emit(
                self.tr("{0}: %n line(s) read.", "", len(loaded.lines)).format(loaded.project.name)
            )
        if self.regenerator is not None:
            for line_id in self.regenerator.pending_lines():
                self.model.set_activity(line_id, self.tr("queued"))
        self._update_counts()
        if not (reselect and self.select_line(reselect)) and self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_actions()
        self.project_loaded.emit(loaded.project)

    def _on_load_failed(self, project: Path, error: BaseException) -> None:
        if project != self.project:
            return
        self._loading = None
        self._scan, self._edits = None, None
        self.model.set_lines([])
        if isinstance(error, (ManifestError, OSError)):
            self._show_notice(self.tr("{0} cannot be reviewed: {1}").format(project.name, error))
        else:
            self._hide_notice()
            show_error(
                self,
                self.tr("Review"),
                self.tr("{0} could not be read.").format(project),
                error_details(error),
            )
        self._update_actions()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._cue = None
        self._compare_side = "A"
        line = self.current_line()
        if self._notice_line is not None and (line is None or line.line_id != self._notice_line):
            self._hide_notice()  # it was about the line left
        self._show_details()
        self._update_actions()
        if current.isValid() and self.player.state != PlaybackState.STOPPED:
            if line is not None and line.playable:
                self.play_current()
            else:
                self.player.stop()

    def _on_selection_changed(self, *_args: Any) -> None:
        if not self._auto_moving:
            self._note_action()
        self._update_actions()

    def _note_action(self) -> None:
        """The person did something on the line: the clip playing does not move on by itself."""
        self._acted = True

    def _on_clip_finished(self, _path: Path) -> None:
        typing = self.editor.is_typing()
        if self.auto_next.isChecked() and not self._acted and not typing:
            self.play_next()

    def _on_player_state(self, state: PlaybackState) -> None:
        playing = state != PlaybackState.STOPPED
        self.play_button.setText(self.tr("&Stop") if playing else self.tr("&Play"))
        if not playing:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self._show_length(self.current_line())
        if self.player.notice and playing and not self._audio_notice_shown:
            self._audio_notice_shown = True  # once: it stays true while the pane is open
            self._show_notice(self.player.notice, kind="info")

    def _on_progress(self, position: int, duration: int) -> None:
        self.progress.setRange(0, max(1, duration))
        self.progress.setValue(position)
        self.time_label.setText(f"{_clock(position / 1000)} / {_clock(duration / 1000)}")

    def _on_take_chosen(self, combo_row: int) -> None:
        line = self.current_line()
        take = self.take_combo.itemData(combo_row)
        if line is not None and isinstance(take, int) and take != line.chosen_take:
            self.choose_take(line.line_id, take)

    def _on_seek_requested(self, seconds: float) -> None:
        """A click or a drag on the waveform: the playing take goes there, or the next Play starts there."""
        self._note_action()
        line = self.current_line()
        held = self.player.current_path is not None and self.player.state != PlaybackState.STOPPED
        if not held and line is not None and line.path is not None:
            self._cue = seconds
        self.player.seek(seconds)
        self.waveform.set_position(seconds)

    def _on_trim_edited(self, trim_in: float, trim_out: float | None) -> None:
        line = self.current_line()
        if line is None:
            return
        if not self.set_trim(line.line_id, trim_in, trim_out):
            current = self._line(line.line_id)
            self.waveform.set_trim(*(current.trim if current else (0.0, None)))  # not kept: show what is

    def trim_at_playhead(self, trim_in: bool) -> bool:
        """I / O with the table focused: the trim's in or out point at the playhead."""
        line = self.current_line()
        if line is None or line.chosen_take is None or line.duration is None:
            return False
        seconds = self.waveform.position
        old_in, old_out = line.trim
        if trim_in:
            out = old_out if old_out is not None and old_out > seconds + 0.05 else None
            return seconds < line.duration - 0.05 and self.set_trim(line.line_id, seconds, out)
        start = old_in if old_in < seconds - 0.05 else 0.0
        return seconds > 0.05 and self.set_trim(
            line.line_id, start, None if seconds >= line.duration - 1e-6 else seconds
        )

    def _shuttle_key(self, key: Qt.Key) -> None:
        self._note_action()
        self.shuttle.press(key)

    def _on_text_edited(self, line_id: str, text: str) -> None:
        line = self._line(line_id)
        if line is None:
            return
        if not text.strip() or not self.set_text(line.line_id, text):
            current = self._line(line.line_id)
            if current is not None and self.editor.line_id == line.line_id:
                self.editor.show_text(current.text)  # an empty text is no line: back to what it says

    def _on_note_edited(self, line_id: str, note: str) -> None:
        line = self._line(line_id)
        if line is not None and note.strip() != line.note:
            self.set_note(line.line_id, note)

    def _on_reference_chosen(self, line_id: str, reference: str | None) -> None:
        line = self._line(line_id)
        if line is not None:
            self.set_reference(line.line_id, reference)

    def _on_approve_clicked(self, checked: bool) -> None:
        self.set_approved(self.selected_line_ids(), checked)
        line = self.current_line()
        self.editor.show_approved(bool(line and line.approved))  # what was kept, whatever happened

    # -- new takes -------------------------------------------------------------------------------------

    def _switch_regenerator(self, project: Path) -> None:
        old = self.regenerator
        if old is not None and old.project == project:
            return
        warm = old.take_pool() if old is not None else None
        if old is not None:
            old.stopped.disconnect(self.workers_stopped)
            if old.shutdown():
                old.stopped.connect(old.deleteLater)
            else:
                old.deleteLater()
        regenerator = TakeRegenerator(project, self.settings, parent=self)
        regenerator.take_queued.connect(self._on_take_queued)
        regenerator.take_started.connect(self._on_take_started)
        regenerator.take_done.connect(self._on_take_done)
        regenerator.take_failed.connect(self._on_take_failed)
        regenerator.take_refused.connect(self._on_take_refused)
        regenerator.take_checked.connect(self._on_take_checked)
        regenerator.busy_changed.connect(self.busy_changed)
        regenerator.pool_changed.connect(self.pool_changed)
        regenerator.problem.connect(lambda text: self._show_notice(text, kind="info"))
        regenerator.stopped.connect(self.workers_stopped)
        self.regenerator = regenerator
        warm = warm or self._waiting_pool
        self._waiting_pool = None
        if warm is not None:
            regenerator.adopt_pool(warm)

    def _on_take_queued(self, line_id: str, plan: LinePlan) -> None:
        if self.player.holds(plan.out_path):
            self.player.release()
        self.model.set_activity(line_id, self.tr("take {0} queued").format(plan.take))

    def _on_take_refused(self, line_id: str, reason: str) -> None:
        self.model.set_activity(line_id, None)
        self._play_when_done.discard(line_id)
        self._show_refusal(line_id, reason)

    def _on_take_started(self, line_id: str) -> None:
        self.model.set_activity(line_id, self.tr("making a new take…"))

    def _on_take_done(self, line_id: str, info: dict[str, Any]) -> None:
        self.model.set_activity(line_id, None)
        self._update_row(line_id, self._record(line_id))
        self._update_counts()
        current = self.current_line()
        wanted = line_id in self._play_when_done
        self._play_when_done.discard(line_id)
        is_current = current is not None and current.line_id == line_id
        if wanted and is_current and self.player.state == PlaybackState.STOPPED:
            self.play_current()
        self.message.emit(self.tr("Line {0}: take {1} is ready.").format(line_id, info.get("take", "")))

    def _on_take_failed(self, line_id: str, reason: str) -> None:
        self.model.set_activity(line_id, None)
        self._play_when_done.discard(line_id)
        self._update_row(line_id, self._record(line_id))
        self._update_counts()
        if reason != "cancelled":
            self._show_notice(self.tr("Line {0}: the new take failed: {1}").format(line_id, reason))

    def _on_take_checked(self, line_id: str, _checked: object) -> None:
        """A new take's QA scores are in the manifest: its flags show (the row, the chooser, F8)."""
        self._update_row(line_id, self._cached_record(line_id))

    def _record(self, line_id: str) -> LineRecord | None:
        if self.regenerator is None:
            return None
        try:
            return self.regenerator.record(line_id)
        except RegenerateError as error:
            self._show_notice(str(error))
            return None

    def _update_row(self, line_id: str, record: LineRecord | None, text: str | None = None) -> None:
        """Show the line as `record` and its edits make it now (`text`: what it says, when it changed)."""
        row = self.model.row_of(line_id)
        if row is None or self.regenerator is None:
            return
        old = self.model.line(row)
        reason = old.reason if old.status == REVIEW_SKIPPED else ""
        text = old.text if text is None else text
        chosen = record.chosen if record else None
        path = self._take_path(chosen.path) if chosen else None
        manifest = self.regenerator.manifest()
        stats = speaker_stats(manifest)  # a new or another kept take moves its speaker's durations
        moved = {
            name for name in stats.keys() | self._stats.keys() if stats.get(name) != self._stats.get(name)
        }
        self._stats = stats
        line = review_line(
            manifest,
            line_id,
            record,
            old.speaker,
            text,
            reason,
            old.in_script,
            slot=old.slot,
            silent=path is not None and measured_silent(self._loudness.get(file_key(path))),
            stats=stats,
            thresholds=self._thresholds,
        )
        self.model.set_reference_changed(line_id, self._reference_changed(line_id, old.speaker, record))
        self.model.update_line(line)
        if moved:
            self._judge_again(manifest, moved, line_id)
        self._update_counts()
        current = self.current_line()
        if current is not None and current.line_id == line_id:
            self._show_details()
            self._update_actions()

    def _judge_again(self, manifest: Manifest, speakers: set[str], skip: str) -> None:
        """The QA of the other lines of `speakers`, whose durations moved (their duration flags may come
        or go); only the rows whose flags changed are updated. No file is read."""
        for line in self.model.lines():
            if line.line_id == skip or line.qa is None or line.qa.seconds_per_char is None:
                continue  # no duration to judge
            record = manifest.lines.get(line.line_id)
            chosen = record.chosen if record else None
            if chosen is None or chosen.inputs.speaker not in speakers:
                continue
            check = check_take(chosen, self._stats.get(chosen.inputs.speaker), self._thresholds)
            if (check.flags, check.risk) != (line.qa_flags, line.qa_risk):
                self.model.update_line(judge_again(line, record, self._stats, self._thresholds))

    def _reference_changed(self, line_id: str, speaker: str, record: LineRecord | None) -> bool:
        """Whether the kept take was made from other references than the line's next take will use."""
        chosen = record.chosen if record else None
        refs = self._scan.speakers.get(speaker) if self._scan is not None else None
        if chosen is None or refs is None or self._edits is None:
            return False
        # As the scan decides (ProjectScan.references_for): the chosen one, else (none, or gone) all of them.
        name = self._edits.reference(line_id)
        wanted = [ref for ref in refs.references if reference_name(ref) == name] or refs.references
        return tuple(ref.sha256 for ref in wanted) != chosen.inputs.reference_hashes

    def _take_path(self, relative: str) -> Path | None:
        if self.regenerator is None:
            return None
        return self.regenerator.manifest().output_dir.joinpath(*relative.split("/"))

    # -- display ---------------------------------------------------------------------------------------

    def _show_details(self) -> None:
        line = self.current_line()
        self.take_combo.clear()
        if line is None:
            self.editor.show_line(None)
            self.text_label.clear()
            self.waveform.set_file(None)
            self.shuttle.set_clip(None)
            self.loudness_label.clear()
            self.compare_label.clear()
            self._show_length(None)
            return
        self.text_label.setText(self._line_details(line))
        self.text_label.setVisible(bool(self.text_label.text()))
        record = self._cached_record(line.line_id)
        takes = record.takes if record else []
        checks = take_checks(record, self._stats, self._thresholds) if record else []
        for take, check in zip(takes, checks, strict=True):
            path = self._take_path(take.path)
            missing = path is None or not path.is_file()
            self.take_combo.addItem(self._take_label(take.duration, check, missing), take.take)
            row = self.take_combo.count() - 1
            reasons = [translate_message(flag.reason) for flag in check.flags]
            if missing:
                reasons = [self.tr("Its file is missing: {0}").format(take.path)]
            tip = [self.tr("Seed {0}").format(take.seed), *reasons]
            self.take_combo.setItemData(row, "\n".join(tip), Qt.ItemDataRole.ToolTipRole)
            if missing:
                self.take_combo.setItemIcon(row, icon("error"))
            elif check.flags:
                self.take_combo.setItemIcon(row, icon("warning"))
            elif check.scored:
                self.take_combo.setItemIcon(row, icon("ok"))
        if line.chosen_take is not None:
            self.take_combo.setCurrentIndex(self.take_combo.findData(line.chosen_take))
        refs = self._scan.speakers.get(line.speaker) if self._scan is not None else None
        self.editor.show_line(
            line,
            [take.take for take in takes],
            refs.references if refs else [],
            self._edits.reference(line.line_id) if self._edits is not None else None,
        )
        playable = line.path if line.playable else None
        self.waveform.set_file(playable)
        self.waveform.set_trim(*line.trim)
        if playable is None or not self.player.holds(playable):
            self.waveform.set_position(line.trim[0])  # else it follows the player
        self.shuttle.set_clip(playable, *line.trim)
        self._update_compare_label()
        self._show_loudness(playable)
        if self.player.state == PlaybackState.STOPPED:
            self._show_length(line)

    def _take_label(self, duration: float, check: TakeCheck, missing: bool = False) -> str:
        """A take in the chooser, its scores beside the others': "Take 3 · 2.1 s · voice 0.71 · 2/23 words
        · 1 flag (kept)". A take whose file is gone says so instead of its scores (they are of that file)."""
        parts = [self.tr("Take {0}").format(check.take), self.tr("{0:.1f} s").format(duration)]
        qa = check.qa
        if missing:
            parts.append(self.tr("file missing"))
        elif qa is None:
            parts.append(self.tr("not checked"))
        else:
            parts.append(self.tr("voice {0:.2f}").format(qa.voice))
            if qa.errors is not None and qa.units is not None:
                words = self.tr("{0}/{1} characters") if qa.unit == UNIT_CHAR else self.tr("{0}/{1} words")
                parts.append(words.format(qa.errors, qa.units))
        if check.flags and not missing:
            parts.append(self.tr("%n flag(s)", "", len(check.flags)))
        elif qa is not None and not missing:
            parts.append(self.tr("ok"))
        label = " · ".join(parts)
        return self.tr("{0} (kept)").format(label) if check.chosen else label

    def _line_details(self, line: ReviewLine) -> str:
        """Why the line is in the state it is, beyond its status column."""
        parts = []
        if line.reason:
            parts.append(
                self.tr("{0}: {1}").format(self.model.status_text(line), translate_message(line.reason))
            )
        if line.warning and line.status == REVIEW_DONE:
            parts.append(
                self.tr("Listen to the kept take before trusting it: {0}.").format(
                    self.model.warning_text(line)
                )
            )
        if line.status == REVIEW_CHANGED or self.model.is_reference_changed(line.line_id):
            parts.append(self.tr("The kept take was made before the line was edited: make a new take (R)."))
        if line.qa_flags:
            parts.append(self.tr("Listen for: {0}.").format(flag_reasons(line.qa_flags).replace("\n", "; ")))
        if line.overruns_slot and line.slot is not None:
            parts.append(
                self.tr("The kept take is longer than its subtitle slot ({0:.2f} s).").format(
                    line.slot[1] - line.slot[0]
                )
            )
        return "\n".join(parts)

    def _show_length(self, line: ReviewLine | None) -> None:
        """Before Play: the kept take's length (after its trim), not 0:00."""
        if line is None or line.duration is None:
            self.time_label.setText(f"{_clock(0)} / {_clock(0)}")
            return
        start, end = line.trim
        kept = max(0.0, (line.duration if end is None else min(end, line.duration)) - start)
        self.time_label.setText(f"{_clock(0)} / {_clock(kept)}")

    def _show_loudness(self, path: Path | None) -> None:
        """The take's loudness, measured once per file on a thread, once the selection rests (holding
        Down through a long project must not start a thread per line)."""
        self._loudness.cancel()
        if path is None:
            self.loudness_label.clear()
            return
        key = file_key(path)
        if key in self._loudness:
            self._write_loudness(self._loudness[key])
            return
        self.loudness_label.setText(self.tr("Measuring loudness…"))
        self._loudness.schedule()

    def _current_take_path(self) -> Path | None:
        """The current line's kept take, when it can be played (what the loudness is measured of)."""
        line = self.current_line()
        return line.path if line is not None and line.playable else None

    def _on_loudness(self, key: FileKey, loudness: Loudness) -> None:
        line = self.current_line()
        if line is not None and line.path is not None and file_key(line.path) == key:
            self._write_loudness(loudness)
            if measured_silent(loudness) and line.warning != WARNING_SILENT:
                self._update_row(line.line_id, self._cached_record(line.line_id))

    def _write_loudness(self, loudness: Loudness | None) -> None:
        if loudness is None:
            self.loudness_label.setText(self.tr("Measuring loudness…"))
        elif loudness is UNMEASURED:
            self.loudness_label.setText(self.tr("Loudness unknown"))
        else:
            lufs = (
                self.tr("– LUFS") if loudness.lufs is None else self.tr("{0:.1f} LUFS").format(loudness.lufs)
            )
            if loudness.silent:
                self.loudness_label.setText(self.tr("Silent"))
            else:
                self.loudness_label.setText(self.tr("{0} · peak {1:.1f} dBFS").format(lufs, loudness.peak_db))

    def _cached_record(self, line_id: str) -> LineRecord | None:
        """The line's record without reading the manifest file again when it did not change."""
        if self.regenerator is None:
            return None
        try:
            return self.regenerator.record(line_id)
        except RegenerateError:
            return None

    def _update_actions(self) -> None:
        line = self.current_line()
        has_line = line is not None
        self.play_button.setEnabled(has_line)
        can_edit = self._editing_enabled and has_line and self.regenerator is not None
        self.regenerate_button.setEnabled(bool(can_edit and line and line.status != REVIEW_SKIPPED))
        self.take_combo.setEnabled(bool(can_edit and line and len(line.takes) > 1))
        if not self._editing_enabled and self._editing_reason:
            self.regenerate_button.setToolTip(self._editing_reason)
        self.export_button.setEnabled(self.project is not None)
        self.editor.update_enabled(line, bool(can_edit), self._edits is not None)
        self.waveform.setEnabled(bool(line and line.playable))

    def _update_counts(self) -> None:
        lines = self.model.lines()
        counts = status_counts(lines)
        parts = [self.tr("%n line(s)", "", sum(counts.values()))]
        if counts[REVIEW_DONE]:
            parts.append(self.tr("{0} done").format(counts[REVIEW_DONE]))
        approved = sum(1 for line in lines if line.approved)
        if approved:
            parts.append(self.tr("{0} approved").format(approved))
        attention = sum(1 for line in lines if self.model.needs_attention(line))
        if attention:
            parts.append(self.tr("%n need(s) attention", "", attention))
        flagged = sum(1 for line in lines if line.qa_flags)
        if flagged:
            parts.append(self.tr("{0} flagged").format(flagged))
        self.counts_label.setText(" · ".join(parts))

    def _show_notice(self, text: str, kind: str = "warning", line_id: str | None = None) -> None:
        """Show `text` above the details; with `line_id`, it is about that line and goes when the
        selection leaves it."""
        self.notice.setText(text)
        self.notice.setProperty("kind", kind)
        self.notice.setVisible(bool(text))
        self._notice_line = line_id
        self.message.emit(text)

    def _hide_notice(self) -> None:
        shown = self.notice.isVisibleTo(self) and bool(self.notice.text())
        self.notice.clear()
        self.notice.hide()
        self._notice_line = None
        if shown:
            self.message.emit("")  # the status bar's copy is stale too


@dataclass(frozen=True)
class _Loaded:
    project: LoadedProject
    edits: LineEdits | None
    edits_problem: str  # why the line edits could not be read ("" when they were)
    script_text: dict[str, str]  # the script's own text of each line not edited when it was read
    stats: dict[str, SpeakerStats]  # each speaker's seconds per character over the kept takes


def _load(project: Path, thresholds: QaThresholds) -> _Loaded:
    """The project, its manifest and its line edits (on a thread); the lines' QA judged by `thresholds`."""
    loaded = load_project(project, thresholds)
    try:
        edits: LineEdits | None = LineEdits.load(project)
        problem = ""
    except (EditsError, OSError) as error:
        # an EditsError's Message, translated when shown
        edits, problem = None, error.args[0] if isinstance(error, EditsError) and error.args else str(error)
    # The scan applies the edits: an edited line's own script text is not known (nor needed: the undo
    # commands carry the texts they show).
    script_text = {}
    if loaded.scan is not None:
        for line in [*loaded.scan.lines, *(item.line for item in loaded.scan.skipped)]:
            if not line.edited:
                script_text[line.id] = line.text
    return _Loaded(loaded, edits, problem, script_text, speaker_stats(loaded.manifest))


def _clock(seconds: float) -> str:
    """0:03.2: a take is seconds long, so tenths matter."""
    seconds = max(0.0, seconds)
    minutes = int(seconds // 60)
    return f"{minutes}:{seconds - minutes * 60:04.1f}"
