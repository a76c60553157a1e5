"""The review pane: listen to the cloned lines of a project, make new takes of bad ones, keep the good ones,
export the kept takes.

The table is a model (10,000 lines scroll and filter at once); what each line shows comes from
core/takes, new takes are made by runs/regenerate on warm workers, and clips play through gui/player.
Keyboard (with the table focused): Space plays or stops, Up/Down move (and, while a clip plays, play the
line moved to), R makes a new take, Left/Right keep the previous/next take and play it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from localclip.core.cloning.manifest import LinePlan, LineRecord, ManifestError
from localclip.core.cloning.takes import (
    CSV_NAME,
    REVIEW_CHANGED,
    REVIEW_DONE,
    REVIEW_FAILED,
    REVIEW_MISSING,
    REVIEW_NEW,
    REVIEW_SKIPPED,
    ExportConflict,
    LoadedProject,
    ReviewLine,
    TakeExportError,
    TakeExportPlan,
    TakeExportReport,
    load_project,
    neighbour_take,
    plan_take_export,
    review_line,
    status_counts,
    write_take_export,
)
from localclip.core.options import REVIEW_AUTO_PLAY_NEXT
from localclip.gui.errors import show_error
from localclip.gui.icons import icon
from localclip.gui.player import ClipPlayer, PlaybackState
from localclip.gui.table_model import HeadedTableModel
from localclip.pool.pool import WorkerPool
from localclip.runs.background import BackgroundTask, TaskContext, error_details
from localclip.runs.regenerate import RegenerateError, TakeRegenerator
from localclip.settings import Settings

COLUMN_ID, COLUMN_SPEAKER, COLUMN_TEXT, COLUMN_DURATION, COLUMN_TAKE, COLUMN_STATUS = range(6)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SHOW_ALL, SHOW_ATTENTION, SHOW_DONE = range(3)
_ATTENTION = (REVIEW_CHANGED, REVIEW_MISSING, REVIEW_FAILED, REVIEW_NEW, REVIEW_SKIPPED)
_STATUS_ICONS = {
    REVIEW_DONE: "ok",
    REVIEW_CHANGED: "warning",
    REVIEW_MISSING: "warning",
    REVIEW_FAILED: "error",
    REVIEW_SKIPPED: "error",
}


# --- the table model ----------------------------------------------------------------------------------


class ReviewTableModel(HeadedTableModel):
    """The project's lines; `activity` overrides a line's status while a new take is queued or spoken."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[ReviewLine] = []
        self._rows: dict[str, int] = {}
        self._activity: dict[str, str] = {}
        self._headers = (
            self.tr("ID"),
            self.tr("Speaker"),
            self.tr("Text"),
            self.tr("Duration"),
            self.tr("Take"),
            self.tr("Status"),
        )
        self._status_text = {
            REVIEW_DONE: self.tr("done"),
            REVIEW_CHANGED: self.tr("script changed"),
            REVIEW_MISSING: self.tr("file missing"),
            REVIEW_FAILED: self.tr("failed"),
            REVIEW_NEW: self.tr("not generated"),
            REVIEW_SKIPPED: self.tr("cannot be generated"),
        }

    # -- contents --------------------------------------------------------------------------------------

    def set_lines(self, lines: list[ReviewLine]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        self._rows = {line.line_id: row for row, line in enumerate(self._lines)}
        self._activity = {}
        self.endResetModel()

    def lines(self) -> list[ReviewLine]:
        return list(self._lines)

    def line(self, row: int) -> ReviewLine:
        return self._lines[row]

    def row_of(self, line_id: str) -> int | None:
        return self._rows.get(line_id)

    def update_line(self, line: ReviewLine) -> None:
        row = self._rows.get(line.line_id)
        if row is None:
            return
        self._lines[row] = line
        self._changed(row)

    def set_activity(self, line_id: str, text: str | None) -> None:
        if text:
            self._activity[line_id] = text
        else:
            self._activity.pop(line_id, None)
        row = self._rows.get(line_id)
        if row is not None:
            self._changed(row)

    def activity(self, line_id: str) -> str | None:
        return self._activity.get(line_id)

    def status_text(self, line: ReviewLine) -> str:
        return self._activity.get(line.line_id) or self._status_text[line.status]

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    # -- Qt ------------------------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(line, column)
        if role == SORT_ROLE:
            return self._sort_key(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(line, column)
        if role == Qt.ItemDataRole.DecorationRole and column == COLUMN_STATUS:
            name = "run" if line.line_id in self._activity else _STATUS_ICONS.get(line.status)
            return icon(name) if name else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COLUMN_DURATION, COLUMN_TAKE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, line: ReviewLine, column: int) -> str:
        if column == COLUMN_ID:
            return line.line_id
        if column == COLUMN_SPEAKER:
            return line.speaker
        if column == COLUMN_TEXT:
            return line.text.replace("\n", " ")
        if column == COLUMN_DURATION:
            return "" if line.duration is None else self.tr("{0:.1f} s").format(line.duration)
        if column == COLUMN_TAKE:
            if line.chosen_take is None:
                return ""
            return self.tr("{0} of {1}").format(line.chosen_take, max(line.takes))
        return self.status_text(line)

    def _sort_key(self, line: ReviewLine, column: int) -> Any:
        if column == COLUMN_DURATION:
            return -1.0 if line.duration is None else line.duration
        if column == COLUMN_TAKE:
            return len(line.takes)
        if column == COLUMN_ID:
            return self._rows[line.line_id]  # script order
        return self._display(line, column).casefold()

    def _tooltip(self, line: ReviewLine, column: int) -> str | None:
        if column == COLUMN_TEXT:
            return line.text
        if column == COLUMN_STATUS and line.reason:
            return f"{self.status_text(line)}: {line.reason}"
        if column == COLUMN_TAKE and line.chosen_take is not None:
            return self.tr("Take {0} is kept; the line has %n take(s)", "", len(line.takes)).format(
                line.chosen_take
            )
        return None


class ReviewFilter(QSortFilterProxyModel):
    """Lines whose id, speaker or text contain the filter text, of the statuses asked for."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._show = SHOW_ALL
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_needle", text.strip().casefold()))

    def set_show(self, show: int) -> None:
        self._refilter(lambda: setattr(self, "_show", show))

    def _refilter(self, change: Callable[[], None]) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10+, where invalidateRowsFilter is deprecated
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ReviewTableModel)
        line = model.line(row)
        if self._show == SHOW_ATTENTION and line.status not in _ATTENTION:
            return False
        if self._show == SHOW_DONE and line.status != REVIEW_DONE:
            return False
        if not self._needle:
            return True
        return any(self._needle in value.casefold() for value in (line.line_id, line.speaker, line.text))


# --- the pane -------------------------------------------------------------------------------------------


class ReviewView(QWidget):
    project_loaded = Signal(object)  # Path: the table shows this project
    export_finished = Signal(object)  # TakeExportReport
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
        self._editing_enabled = True
        self._editing_reason = ""
        self._loading: BackgroundTask | None = None
        self._exporting: BackgroundTask | None = None
        self._export_stop = threading.Event()
        self._play_when_done: set[str] = set()  # lines whose new take plays when it is ready
        self._scan_problem = ""
        self._reselect: str | None = None  # the line to select again after a refresh
        self._audio_notice_shown = False
        self._waiting_pool: WorkerPool | None = None  # handed over before a project was open
        self.setMinimumSize(520, 360)
        self._build()
        self._connect_player()
        self._update_actions()

    # -- public API ----------------------------------------------------------------------------------------

    def open_project(self, project_dir: Path) -> None:
        """Show `project_dir`'s lines (read on a background thread; `project_loaded` when shown)."""
        project = Path(project_dir).absolute()
        self.player.release()
        if self._loading is not None:
            self._loading.cancel()
        self._switch_regenerator(project)
        self.project = project
        self.project_label.setText(project.name)
        self.project_label.setToolTip(str(project))
        self._show_notice(self.tr("Reading {0}…").format(project.name), kind="info")
        task = BackgroundTask(lambda _context: load_project(project), "localclip-review-load")
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

    def set_editing_enabled(self, enabled: bool, reason: str = "") -> None:
        """Allow or forbid new takes and take choices (e.g. while a clone run of the project is going)."""
        self._editing_enabled = enabled
        self._editing_reason = reason
        self._update_actions()

    def shutdown(self) -> bool:
        """Stop playback and the warm workers. True when `workers_stopped` will follow."""
        self.player.release()
        self._export_stop.set()
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
        if self.player.state != PlaybackState.STOPPED:
            self.player.stop()
        else:
            self.play_current()

    def play_current(self) -> bool:
        line = self.current_line()
        if line is None:
            return False
        if not line.playable or line.path is None:
            self._show_notice(
                self.tr("Line {0} has no clip to play ({1}).").format(
                    line.line_id, self.model.status_text(line)
                )
            )
            return False
        return self.player.play(line.path)

    def play_next(self) -> bool:
        """Move to the next line with a clip and play it; False at the end of the table."""
        index = self.table.currentIndex()
        for row in range(index.row() + 1 if index.isValid() else 0, self.proxy.rowCount()):
            line = self.model.line(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            if line.playable:
                self.select_line(line.line_id)
                return self.play_current()
        return False

    # -- takes -----------------------------------------------------------------------------------------

    def regenerate_current(self) -> bool:
        """A new take of the current line on a warm worker (the old takes stay)."""
        line = self.current_line()
        if line is None or self.regenerator is None:
            return False
        if not self._editing_enabled:
            self._show_notice(self._editing_reason or self.tr("New takes cannot be made now."))
            return False
        try:
            self.regenerator.regenerate(line.line_id)  # planned once the project is read, on a thread
        except RegenerateError as error:
            self._show_refusal(line.line_id, str(error))
            return False
        self.model.set_activity(line.line_id, self.tr("queued"))
        self._play_when_done.add(line.line_id)
        return True

    def _show_refusal(self, line_id: str, reason: str) -> None:
        self._show_notice(self.tr("No new take of line {0}: {1}").format(line_id, reason))

    def choose_take(self, line_id: str, take: int, play: bool = True) -> bool:
        """Keep `take` as the line's output (saved in the manifest) and, by default, play it."""
        if self.regenerator is None:
            return False
        if not self._editing_enabled:
            self._show_notice(self._editing_reason or self.tr("Takes cannot be chosen now."))
            return False
        try:
            record = self.regenerator.choose_take(line_id, take)
        except RegenerateError as error:
            self._show_notice(
                self.tr("Take {0} of line {1} cannot be kept: {2}").format(take, line_id, error)
            )
            return False
        self._update_row(line_id, record)
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

    # -- export ----------------------------------------------------------------------------------------

    def export_to(
        self,
        folder: Path,
        replace_existing: bool | None = None,
        line_ids: list[str] | None = None,
        by_speaker: bool = False,
    ) -> bool:
        """Export the kept takes of `line_ids` (default: the lines shown) into `folder`. Existing files
        are replaced only when `replace_existing` is True; None asks the person. False when nothing
        starts (the reason is shown)."""
        if self.project is None or self.regenerator is None:
            return False
        ids = self.visible_line_ids() if line_ids is None else line_ids
        try:
            plan = plan_take_export(self.regenerator.manifest(), ids, Path(folder), by_speaker)
        except (TakeExportError, RegenerateError, OSError) as error:
            self._show_notice(self.tr("Nothing was exported: {0}").format(error))
            return False
        if not plan.items:
            self._show_notice(self.tr("Nothing was exported: none of these lines has a kept take."))
            return False
        if plan.conflicts and replace_existing is None:
            self._ask_to_replace(plan)
            return True
        if plan.conflicts and not replace_existing:
            self._show_notice(str(ExportConflict(plan.conflicts)) + self.tr(": nothing was exported."))
            return False
        self._write_export(plan, bool(replace_existing))
        return True

    def _ask_to_replace(self, plan: TakeExportPlan) -> None:
        names = "\n".join(path.name for path in plan.conflicts[:8])
        more = self.tr("\n… and {0} more").format(len(plan.conflicts) - 8) if len(plan.conflicts) > 8 else ""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Replace files?"),
            self.tr(
                "%n file(s) in {0} would be replaced by this export:\n\n{1}{2}", "", len(plan.conflicts)
            ).format(plan.folder, names, more),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("replaceBox")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Replace"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda result: (
                self._write_export(plan, True)
                if result == QMessageBox.StandardButton.Yes
                else self._show_notice(self.tr("Export cancelled: nothing was written."), kind="info")
            )
        )
        box.open()

    def _write_export(self, plan: TakeExportPlan, replace_existing: bool) -> None:
        self.player.release()  # an exported file may be the one the player holds
        self._export_stop.clear()
        stop = self._export_stop

        def work(context: TaskContext) -> TakeExportReport:
            return write_take_export(
                plan, replace_existing, lambda done, total: context.report((done, total)), stop.is_set
            )

        task = BackgroundTask(work, "localclip-export-takes")
        task.progressed.connect(self._on_export_progress)
        task.succeeded.connect(self._on_export_done)
        task.failed.connect(self._on_export_failed)
        self._exporting = task.start()
        self.progress.setRange(0, len(plan.items))
        self.progress.setValue(0)
        self._show_notice(
            self.tr("Exporting %n take(s) to {0}…", "", len(plan.items)).format(plan.folder), "info"
        )
        self._update_actions()

    def _on_export_progress(self, value: tuple[int, int]) -> None:
        self.progress.setValue(value[0])

    def _on_export_done(self, report: TakeExportReport) -> None:
        self._exporting = None
        text = self.tr("Exported %n take(s) and {0} to {1}.", "", report.exported).format(
            CSV_NAME, report.folder
        )
        if report.skipped:
            text += " " + self.tr("%n line(s) without a kept take were left out.", "", len(report.skipped))
        if report.cancelled:
            text = self.tr("Export stopped after %n take(s); lines.csv lists them.", "", report.exported)
        self._show_notice(text, kind="info")
        self._update_actions()
        self.export_finished.emit(report)

    def _on_export_failed(self, error: BaseException) -> None:
        self._exporting = None
        self._update_actions()
        if isinstance(error, (TakeExportError, OSError)):
            self._show_notice(self.tr("The export did not finish: {0}").format(error))
            return
        show_error(self, self.tr("Export"), self.tr("The export did not finish."), error_details(error))

    def _choose_export_folder(self) -> None:
        start = str(self.project.parent) if self.project else ""
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export the kept takes to"), start)
        if folder:
            self.export_to(Path(folder))

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
        self.show_combo.addItems([self.tr("All lines"), self.tr("Needs attention"), self.tr("Done")])
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
        layout.addWidget(self.table, stretch=1)
        layout.addWidget(self.notice)
        layout.addLayout(self._make_details())
        layout.addLayout(self._make_controls())
        self._make_shortcuts()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setObjectName("reviewTable")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
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
        ):
            table.setColumnWidth(column, characters * character + 24)
        table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        table.doubleClicked.connect(lambda _index: self.play_current())
        return table

    def _make_details(self) -> QHBoxLayout:
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.take_combo = QComboBox()
        self.take_combo.setObjectName("takeCombo")
        self.take_combo.setMinimumContentsLength(24)
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
        self.auto_next = QCheckBox(self.tr("Play &next automatically"))
        self.auto_next.setChecked(self.settings.get(REVIEW_AUTO_PLAY_NEXT))
        self.auto_next.toggled.connect(lambda on: self.settings.set(REVIEW_AUTO_PLAY_NEXT, on))
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.time_label = QLabel("0:00 / 0:00")
        self.regenerate_button = QPushButton(icon("resume"), self.tr("&Regenerate"))
        self.regenerate_button.setToolTip(
            self.tr("Make a new take of the selected line; its earlier takes are kept (R)")
        )
        self.regenerate_button.clicked.connect(self.regenerate_current)
        self.export_button = QPushButton(icon("folder-open"), self.tr("&Export kept takes…"))
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
        keys: list[tuple[Any, Callable[[], Any]]] = [
            (Qt.Key.Key_Space, self.toggle_playback),
            (Qt.Key.Key_R, self.regenerate_current),
            (Qt.Key.Key_Left, lambda: self.step_take(-1)),
            (Qt.Key.Key_Right, lambda: self.step_take(1)),
            (Qt.Key.Key_Return, self.play_current),
            (Qt.Key.Key_Enter, self.play_current),
        ]
        self._shortcuts = []
        for key, action in keys:
            # On the table only: Space and R must still type into the filter box.
            shortcut = QShortcut(QKeySequence(key), self.table, context=Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(action)
            self._shortcuts.append(shortcut)

    def _connect_player(self) -> None:
        self.player.state_changed.connect(self._on_player_state)
        self.player.finished.connect(self._on_clip_finished)
        self.player.error.connect(self._show_notice)
        self.player.position_changed.connect(self._on_position)

    # -- slots -----------------------------------------------------------------------------------------

    def _on_loaded(self, loaded: LoadedProject) -> None:
        if loaded.project != self.project:
            return  # another project was opened meanwhile
        self._loading = None
        reselect, self._reselect = self._reselect, None
        if self.regenerator is not None:
            self.regenerator.offer_manifest(loaded.manifest, loaded.manifest_stamp)
        self.model.set_lines(loaded.lines)
        self._scan_problem = loaded.scan_problem
        notices = [text for text in (loaded.manifest.notice, loaded.scan_problem) if text]
        if not loaded.lines and not notices:
            notices.append(self.tr("This project has no lines yet."))
        if notices:
            self._show_notice("\n".join(notices))
        else:
            self._hide_notice()
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
        self.model.set_lines([])
        if isinstance(error, (ManifestError, OSError)):
            self._show_notice(self.tr("{0} cannot be reviewed: {1}").format(project.name, error))
        else:
            show_error(
                self,
                self.tr("Review"),
                self.tr("{0} could not be read.").format(project),
                error_details(error),
            )
        self._update_actions()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_details()
        self._update_actions()
        if current.isValid() and self.player.state != PlaybackState.STOPPED:
            line = self.current_line()
            if line is not None and line.playable:
                self.play_current()
            else:
                self.player.stop()

    def _on_clip_finished(self, _path: Path) -> None:
        if self.auto_next.isChecked():
            self.play_next()

    def _on_player_state(self, state: PlaybackState) -> None:
        playing = state != PlaybackState.STOPPED
        self.play_button.setText(self.tr("&Stop") if playing else self.tr("&Play"))
        if not playing and self._exporting is None:  # while exporting, the bar shows the export
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
        if self.player.notice and playing and not self._audio_notice_shown:
            self._audio_notice_shown = True  # once: it stays true while the pane is open
            self._show_notice(self.player.notice, kind="info")

    def _on_position(self, position: int, duration: int) -> None:
        if self._exporting is not None:
            return  # the bar shows the export
        self.progress.setRange(0, max(1, duration))
        self.progress.setValue(position)
        self.time_label.setText(f"{_clock(position)} / {_clock(duration)}")

    def _on_take_chosen(self, combo_row: int) -> None:
        line = self.current_line()
        take = self.take_combo.itemData(combo_row)
        if line is not None and isinstance(take, int) and take != line.chosen_take:
            self.choose_take(line.line_id, take)

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

    def _record(self, line_id: str) -> LineRecord | None:
        if self.regenerator is None:
            return None
        try:
            return self.regenerator.record(line_id)
        except RegenerateError as error:
            self._show_notice(str(error))
            return None

    def _update_row(self, line_id: str, record: LineRecord | None) -> None:
        row = self.model.row_of(line_id)
        if row is None or self.regenerator is None:
            return
        old = self.model.line(row)
        reason = old.reason if old.status == REVIEW_SKIPPED else ""
        line = review_line(
            self.regenerator.manifest(), line_id, record, old.speaker, old.text, reason, old.in_script
        )
        self.model.update_line(line)
        current = self.current_line()
        if current is not None and current.line_id == line_id:
            self._show_details()
            self._update_actions()

    # -- display ---------------------------------------------------------------------------------------

    def _show_details(self) -> None:
        line = self.current_line()
        self.take_combo.clear()
        if line is None:
            self.text_label.clear()
            return
        text = line.text
        if line.reason:
            text += "\n" + self.tr("{0}: {1}").format(self.model.status_text(line), line.reason)
        self.text_label.setText(text)
        record = self._cached_record(line.line_id)
        for take in record.takes if record else []:
            label = self.tr("Take {0} · {1:.1f} s · seed {2}").format(take.take, take.duration, take.seed)
            self.take_combo.addItem(label, take.take)
        if line.chosen_take is not None:
            self.take_combo.setCurrentIndex(self.take_combo.findData(line.chosen_take))

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
        self.export_button.setEnabled(self.project is not None and self._exporting is None)

    def _update_counts(self) -> None:
        counts = status_counts(self.model.lines())
        parts = [self.tr("%n line(s)", "", sum(counts.values()))]
        if counts[REVIEW_DONE]:
            parts.append(self.tr("{0} done").format(counts[REVIEW_DONE]))
        attention = sum(counts[status] for status in _ATTENTION)
        if attention:
            parts.append(self.tr("%n need(s) attention", "", attention))
        self.counts_label.setText(" · ".join(parts))

    def _show_notice(self, text: str, kind: str = "warning") -> None:
        self.notice.setText(text)
        self.notice.setProperty("kind", kind)
        self.notice.setVisible(bool(text))
        self.message.emit(text)

    def _hide_notice(self) -> None:
        self.notice.clear()
        self.notice.hide()


def _clock(milliseconds: int) -> str:
    seconds = max(0, milliseconds) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"
