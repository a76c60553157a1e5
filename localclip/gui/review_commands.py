"""The review pane's edits as undoable commands (Qt's QUndoStack): take choice, trim, approval, note, text
and reference.

Each command holds a line's value before and after the edit and writes one or the other through the
pane (`ReviewEditing`), which saves at once (the manifest, or the project's line edits) and refreshes the
line's row. A write that fails (the take's file is gone, the disk refused) makes the command obsolete:
the stack then drops it instead of keeping a step that would not happen.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

Trim = tuple[float, float | None]  # seconds into the take's file; None: to its end


class ReviewEditing(Protocol):
    """What the commands write through (the review pane). Each returns False when it could not write."""

    def write_take(self, line_id: str, take: int) -> bool: ...

    def write_trim(self, line_id: str, take: int, trim: Trim) -> bool: ...

    def write_approved(self, line_id: str, approved: bool) -> bool: ...

    def write_note(self, line_id: str, note: str) -> bool: ...

    def write_text(self, line_id: str, text: str | None, shown: str) -> bool: ...

    def write_reference(self, line_id: str, reference: str | None) -> bool: ...


class _ValueCommand(QUndoCommand):
    """One line's value from `old` to `new`."""

    def __init__(self, target: ReviewEditing, line_id: str, old: Any, new: Any, text: str) -> None:
        super().__init__(text)
        self.target = target
        self.line_id = line_id
        self.old = old
        self.new = new

    def redo(self) -> None:
        if not self._write(self.new):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self._write(self.old):
            self.setObsolete(True)

    def _write(self, value: Any) -> bool:
        raise NotImplementedError


class ChooseTakeCommand(_ValueCommand):
    def __init__(self, target: ReviewEditing, line_id: str, old: int, new: int) -> None:
        text = QCoreApplication.translate("ReviewCommands", "Keep take {0} of line {1}")
        super().__init__(target, line_id, old, new, text.format(new, line_id))

    def _write(self, value: Any) -> bool:
        return self.target.write_take(self.line_id, value)


class TrimCommand(_ValueCommand):
    def __init__(self, target: ReviewEditing, line_id: str, take: int, old: Trim, new: Trim) -> None:
        text = QCoreApplication.translate("ReviewCommands", "Trim take {0} of line {1}")
        super().__init__(target, line_id, old, new, text.format(take, line_id))
        self.take = take

    def _write(self, value: Any) -> bool:
        return self.target.write_trim(self.line_id, self.take, value)


class ApproveCommand(_ValueCommand):
    def __init__(self, target: ReviewEditing, line_id: str, old: bool, new: bool) -> None:
        if new:
            text = QCoreApplication.translate("ReviewCommands", "Approve line {0}")
        else:
            text = QCoreApplication.translate("ReviewCommands", "Withdraw the approval of line {0}")
        super().__init__(target, line_id, old, new, text.format(line_id))

    def _write(self, value: Any) -> bool:
        return self.target.write_approved(self.line_id, value)


class NoteCommand(_ValueCommand):
    def __init__(self, target: ReviewEditing, line_id: str, old: str, new: str) -> None:
        text = QCoreApplication.translate("ReviewCommands", "Note on line {0}")
        super().__init__(target, line_id, old, new, text.format(line_id))

    def _write(self, value: Any) -> bool:
        return self.target.write_note(self.line_id, value)


class TextEditCommand(_ValueCommand):
    """The line's text as edited in the review. Each value is (the edit, or None for the script's own
    text; the text the line then shows): the pane cannot always know the script's text of an edited line."""

    def __init__(
        self, target: ReviewEditing, line_id: str, old: tuple[str | None, str], new: tuple[str | None, str]
    ) -> None:
        text = QCoreApplication.translate("ReviewCommands", "Edit the text of line {0}")
        super().__init__(target, line_id, old, new, text.format(line_id))

    def _write(self, value: Any) -> bool:
        edit, shown = value
        return self.target.write_text(self.line_id, edit, shown)


class ReferenceCommand(_ValueCommand):
    """The reference recording the line's next take uses (None: the speaker's usual references)."""

    def __init__(self, target: ReviewEditing, line_id: str, old: str | None, new: str | None) -> None:
        text = QCoreApplication.translate("ReviewCommands", "Choose the reference of line {0}")
        super().__init__(target, line_id, old, new, text.format(line_id))

    def _write(self, value: Any) -> bool:
        return self.target.write_reference(self.line_id, value)
