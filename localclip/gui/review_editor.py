"""The review pane's line editor (ReviewLineEditor): the current line's text and reference (what its next
take uses), its note, its approval, and the take A/B compares the kept take with.

The editor shows a line and says what the person changed through its signals; it writes nothing: the pane
(gui/review.py) makes an undoable command of each change (gui/review_commands.py).

Its strings keep the translation context they were translated in, the pane's ("ReviewView"): each is
written as QCoreApplication.translate("ReviewView", ...), which lupdate extracts under that context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from localclip.core.cloning.project import Reference
from localclip.core.cloning.takes import REVIEW_SKIPPED, ReviewLine


class ReviewLineEditor(QWidget):
    """The text, reference, note, approval and compare fields of one line (`line_id`: the line shown)."""

    text_edited = Signal(str, str)  # line id, the text in the field (Enter or the focus leaving)
    note_edited = Signal(str, str)  # line id, the note in the field (Enter or the focus leaving)
    reference_chosen = Signal(str, object)  # line id, the reference's name (None: all of the speaker's)
    approve_clicked = Signal(bool)  # the approval box clicked: approve (True) or take it back
    compare_chosen = Signal()  # another take to compare with
    typed = Signal()  # a key in the text or note field: the person is acting on the line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line_id: str | None = None  # the line the fields show
        self.text_edit = QLineEdit()
        self.text_edit.setObjectName("reviewTextEdit")
        self.text_edit.setToolTip(
            QCoreApplication.translate(
                "ReviewView",
                "The text the line's next take speaks; its earlier takes keep theirs (Enter saves)",
            )
        )
        self.text_edit.editingFinished.connect(self._on_text_edited)
        self.text_edit.textEdited.connect(lambda _text: self.typed.emit())
        self.reference_combo = QComboBox()
        self.reference_combo.setObjectName("reviewReference")
        self.reference_combo.setToolTip(
            QCoreApplication.translate(
                "ReviewView", "The recording of the speaker the line's next take imitates"
            )
        )
        self.reference_combo.activated.connect(self._on_reference_chosen)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("reviewNote")
        self.note_edit.setPlaceholderText(
            QCoreApplication.translate("ReviewView", "A note on this line, for you or the next editor")
        )
        self.note_edit.editingFinished.connect(self._on_note_edited)
        self.note_edit.textEdited.connect(lambda _text: self.typed.emit())
        self.approve_box = QCheckBox(QCoreApplication.translate("ReviewView", "Approve&d"))
        self.approve_box.setToolTip(
            QCoreApplication.translate(
                "ReviewView", "Approve the selected lines, or take the approval back (A)"
            )
        )
        self.approve_box.clicked.connect(lambda checked: self.approve_clicked.emit(checked))
        self.compare_combo = QComboBox()
        self.compare_combo.setObjectName("reviewCompare")
        self.compare_combo.setToolTip(
            QCoreApplication.translate("ReviewView", "The take B plays against the kept take (A)")
        )
        self.compare_combo.activated.connect(lambda _row: self.compare_chosen.emit())
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)  # laid out as the pane's own rows
        for row, (text, editor) in enumerate(
            (
                (QCoreApplication.translate("ReviewView", "Text:"), self.text_edit),
                (QCoreApplication.translate("ReviewView", "N&ote:"), self.note_edit),
            )
        ):
            label = QLabel(text)
            label.setBuddy(editor)
            grid.addWidget(label, row, 0)
            grid.addWidget(editor, row, 1)
        reference_label = QLabel(QCoreApplication.translate("ReviewView", "Reference:"))
        reference_label.setBuddy(self.reference_combo)
        compare_label = QLabel(QCoreApplication.translate("ReviewView", "Compare &with:"))
        compare_label.setBuddy(self.compare_combo)
        grid.addWidget(reference_label, 0, 2)
        grid.addWidget(self.reference_combo, 0, 3, 1, 2)
        grid.addWidget(compare_label, 1, 2)
        grid.addWidget(self.compare_combo, 1, 3)
        grid.addWidget(self.approve_box, 1, 4)
        grid.setColumnStretch(1, 1)

    # -- what it shows ---------------------------------------------------------------------------------

    def show_line(
        self,
        line: ReviewLine | None,
        takes: Sequence[int] = (),
        references: Sequence[Reference] = (),
        chosen_reference: str | None = None,
    ) -> None:
        """Show `line` (None: no line): `takes` are its takes, `references` its speaker's recordings and
        `chosen_reference` the one its next take uses (None: all of them)."""
        self.line_id = line.line_id if line else None
        self.reference_combo.clear()
        self.compare_combo.clear()
        if line is None:
            self.text_edit.clear()
            self.note_edit.clear()
            self.approve_box.setChecked(False)
            return
        self.text_edit.setText(line.text)
        self.text_edit.setCursorPosition(0)
        self.note_edit.setText(line.note)
        self.approve_box.setChecked(line.approved)
        for take in takes:
            if take != line.chosen_take:
                self.compare_combo.addItem(
                    QCoreApplication.translate("ReviewView", "Take {0}").format(take), take
                )
        if line.chosen_take is not None:
            self.compare_combo.setCurrentIndex(max(0, self.compare_combo.findData(default_compare(line))))
        self._fill_references(line, references, chosen_reference)

    def _fill_references(self, line: ReviewLine, references: Sequence[Reference], chosen: str | None) -> None:
        """The speaker's reference recordings; the first item: all of them."""
        self.reference_combo.addItem(
            QCoreApplication.translate("ReviewView", "All of {0}'s references").format(line.speaker), None
        )
        for reference in references:
            name = reference_name(reference)
            self.reference_combo.addItem(name, name)
            self.reference_combo.setItemData(
                self.reference_combo.count() - 1, reference.transcript, Qt.ItemDataRole.ToolTipRole
            )
        if chosen is not None and self.reference_combo.findData(chosen) < 0:
            self.reference_combo.addItem(
                QCoreApplication.translate("ReviewView", "{0} (missing)").format(chosen), chosen
            )
        self.reference_combo.setCurrentIndex(max(0, self.reference_combo.findData(chosen)))

    def show_text(self, text: str) -> None:
        self.text_edit.setText(text)

    def show_approved(self, approved: bool) -> None:
        self.approve_box.setChecked(approved)

    def update_enabled(self, line: ReviewLine | None, can_edit: bool, has_edits: bool) -> None:
        """`can_edit`: the line may be changed now; `has_edits`: the project's line edits were read."""
        has_take = bool(can_edit and line and line.takes)
        self.approve_box.setEnabled(has_take)
        self.note_edit.setEnabled(has_take)
        can_change = bool(can_edit and line and line.in_script and line.status != REVIEW_SKIPPED)
        self.text_edit.setEnabled(can_change and has_edits)
        self.reference_combo.setEnabled(can_change and has_edits and self.reference_combo.count() > 1)
        self.compare_combo.setEnabled(bool(line and len(line.takes) > 1))

    def compare_with(self) -> Any:
        """The take chosen to compare with (None when there is none)."""
        return self.compare_combo.currentData()

    def is_typing(self) -> bool:
        return self.text_edit.hasFocus() or self.note_edit.hasFocus()

    # -- slots -----------------------------------------------------------------------------------------

    def _on_text_edited(self) -> None:
        if self.line_id:
            self.text_edited.emit(self.line_id, self.text_edit.text())

    def _on_note_edited(self) -> None:
        if self.line_id:
            self.note_edited.emit(self.line_id, self.note_edit.text())

    def _on_reference_chosen(self, combo_row: int) -> None:
        if self.line_id:
            self.reference_chosen.emit(self.line_id, self.reference_combo.itemData(combo_row))


def reference_name(reference: Reference) -> str:
    """How the line edits name a reference recording: its file name in the speaker's folder."""
    return reference.audio.name


def default_compare(line: ReviewLine) -> int:
    """B's take by default: the take before the kept one (after it, for the first take)."""
    takes = list(line.takes)
    position = takes.index(line.chosen_take) if line.chosen_take in takes else 0
    return takes[position - 1] if position > 0 else takes[min(1, len(takes) - 1)]
