"""The review pane's table: the project's lines as a Qt model (ReviewTableModel), the filter and sort on
top of it (ReviewFilter), and their column, role and filter constants.

What each line shows comes from core/cloning/takes.py (ReviewLine); the pane (gui/review.py) fills the
model, shows it through the filter and turns the approval column's check box into an undoable command.
The QA column (docs/qa.md "In the review") shows the kept take's flags ("2 flags", "ok", "not checked"),
their reasons on hover, and sorts the riskiest first (flags.risk).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal

from localclip.core.cloning.takes import (
    REVIEW_CHANGED,
    REVIEW_DONE,
    REVIEW_FAILED,
    REVIEW_MISSING,
    REVIEW_NEW,
    REVIEW_SKIPPED,
    WARNING_SHORT,
    WARNING_SILENT,
    ReviewLine,
)
from localclip.core.qa.flags import Flag
from localclip.gui.icons import icon
from localclip.gui.messages import translate_message
from localclip.gui.table_model import HeadedTableModel

(
    COLUMN_ID,
    COLUMN_SPEAKER,
    COLUMN_TEXT,
    COLUMN_DURATION,
    COLUMN_TAKE,
    COLUMN_STATUS,
    COLUMN_QA,
    COLUMN_APPROVED,
) = range(8)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SHOW_ALL, SHOW_ATTENTION, SHOW_DONE, SHOW_APPROVED, SHOW_NOT_APPROVED, SHOW_FLAGGED = range(6)
_ATTENTION = (REVIEW_CHANGED, REVIEW_MISSING, REVIEW_FAILED, REVIEW_NEW, REVIEW_SKIPPED)
_STATUS_ICONS = {
    REVIEW_DONE: "ok",
    REVIEW_CHANGED: "warning",
    REVIEW_MISSING: "warning",
    REVIEW_FAILED: "error",
    REVIEW_SKIPPED: "error",
}


class ReviewTableModel(HeadedTableModel):
    """The project's lines; `activity` overrides a line's status while a new take is queued or spoken.
    The approval column's check box asks (`approval_requested`) rather than writes: the pane makes an
    undoable command of it."""

    approval_requested = Signal(str, bool)  # line id, approved

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._lines: list[ReviewLine] = []
        self._rows: dict[str, int] = {}
        self._activity: dict[str, str] = {}
        self._reference_changed: set[str] = set()  # lines whose next take uses another reference
        self._headers = (
            self.tr("ID"),
            self.tr("Speaker"),
            self.tr("Text"),
            self.tr("Duration"),
            self.tr("Take"),
            self.tr("Status"),
            self.tr("QA"),
            self.tr("Approved"),
        )
        self._warning_text = {
            WARNING_SHORT: self.tr("very short take"),
            WARNING_SILENT: self.tr("silent take"),
        }
        self._status_text = {
            REVIEW_DONE: self.tr("done"),
            REVIEW_CHANGED: self.tr("text changed"),
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

    def set_reference_changed(self, line_id: str, changed: bool) -> None:
        """Mark a line whose kept take was made from other references than its next take will use."""
        if changed:
            self._reference_changed.add(line_id)
        else:
            self._reference_changed.discard(line_id)

    def is_reference_changed(self, line_id: str) -> bool:
        return line_id in self._reference_changed

    def warning_text(self, line: ReviewLine) -> str:
        """What is wrong with a done line's kept take ("very short take"), or ""."""
        return self._warning_text.get(line.warning, line.warning)

    def status_text(self, line: ReviewLine) -> str:
        activity = self._activity.get(line.line_id)
        if activity:
            return activity
        if line.status == REVIEW_DONE and line.line_id in self._reference_changed:
            return self.tr("reference changed")
        if line.status == REVIEW_DONE and line.warning:
            # Not a plain "done": a take of a few hundredths of a second, or silence, is almost surely broken.
            return self.tr("done, but {0}").format(self.warning_text(line))
        return self._status_text[line.status]

    def qa_text(self, line: ReviewLine) -> str:
        """The QA column: how many flags the kept take has, "ok", "not checked", or why there is nothing to
        check; "" for a line without a kept take."""
        if line.chosen_take is None:
            return ""
        if line.qa_flags:
            return self.tr("%n flag(s)", "", len(line.qa_flags))
        if line.status == REVIEW_MISSING:
            return self.tr("no file")
        return self.tr("ok") if line.qa_scored else self.tr("not checked")

    def qa_tooltip(self, line: ReviewLine) -> str | None:
        """The reasons for the kept take's flags, one a line (or what the column's text means)."""
        if line.chosen_take is None:
            return None
        if line.qa_flags:
            return flag_reasons(line.qa_flags)
        if line.status == REVIEW_MISSING:
            where = f" ({line.path})" if line.path is not None else ""
            return self.tr(
                "The kept take's file is missing or cannot be read{0}: there is nothing to check. "
                "Make a new take (R)."
            ).format(where)
        if line.qa is None:
            return self.tr("The kept take has not been checked yet (voice, words and audio).")
        return self.tr("Nothing to listen for: voice {0:.2f}.").format(line.qa.voice)

    def needs_attention(self, line: ReviewLine) -> bool:
        return line.status in _ATTENTION or bool(line.warning) or line.line_id in self._reference_changed

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
            return self._status_icon(line)
        if role == Qt.ItemDataRole.DecorationRole and column == COLUMN_QA:
            return self._qa_icon(line)
        if role == Qt.ItemDataRole.CheckStateRole and column == COLUMN_APPROVED:
            return Qt.CheckState.Checked if line.approved else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COLUMN_DURATION, COLUMN_TAKE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _status_icon(self, line: ReviewLine) -> Any:
        if line.line_id in self._activity:
            return icon("run")
        if line.status == REVIEW_DONE and (line.warning or line.line_id in self._reference_changed):
            return icon("warning")
        name = _STATUS_ICONS.get(line.status)
        return icon(name) if name else None

    def _qa_icon(self, line: ReviewLine) -> Any:
        if line.chosen_take is None:
            return None
        if line.qa_flags:
            return icon("warning")
        return icon("ok") if line.qa_scored else None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == COLUMN_APPROVED and self._lines[index.row()].takes:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 0) -> bool:
        if index.isValid() and index.column() == COLUMN_APPROVED and role == Qt.ItemDataRole.CheckStateRole:
            wanted = Qt.CheckState(value) == Qt.CheckState.Checked
            self.approval_requested.emit(self._lines[index.row()].line_id, wanted)
        return False  # the pane writes it (undoably) and updates the line

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
        if column == COLUMN_APPROVED:
            return ""
        if column == COLUMN_QA:
            return self.qa_text(line)
        return self.status_text(line)

    def _sort_key(self, line: ReviewLine, column: int) -> Any:
        if column == COLUMN_DURATION:
            return -1.0 if line.duration is None else line.duration
        if column == COLUMN_TAKE:
            return len(line.takes)
        if column == COLUMN_ID:
            return self._rows[line.line_id]  # script order
        if column == COLUMN_APPROVED:
            return int(line.approved)
        if column == COLUMN_QA:
            # Ascending (the first click) puts the riskiest first: flagged takes, most severe first, then
            # takes not checked, then clean ones (lower voice first), then lines without a take.
            return -line.qa_risk
        return self._display(line, column).casefold()

    def _tooltip(self, line: ReviewLine, column: int) -> str | None:
        if column == COLUMN_TEXT:
            return line.text
        if column == COLUMN_STATUS and line.reason:
            return f"{self.status_text(line)}: {translate_message(line.reason)}"
        if column in (COLUMN_STATUS, COLUMN_APPROVED) and line.note:
            return self.tr("Note: {0}").format(line.note)
        if column == COLUMN_QA:
            return self.qa_tooltip(line)
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
        if self._show == SHOW_ATTENTION and not model.needs_attention(line):
            return False
        if self._show == SHOW_DONE and line.status != REVIEW_DONE:
            return False
        if self._show == SHOW_APPROVED and not line.approved:
            return False
        if self._show == SHOW_NOT_APPROVED and line.approved:
            return False
        if self._show == SHOW_FLAGGED and not line.qa_flags:
            return False
        if not self._needle:
            return True
        return any(self._needle in value.casefold() for value in (line.line_id, line.speaker, line.text))


def flag_reasons(flags: tuple[Flag, ...] | list[Flag]) -> str:
    """A take's flags for a tooltip: one reason a line, in the window's language."""
    return "\n".join(translate_message(flag.reason) for flag in flags)
