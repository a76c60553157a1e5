"""Errors shown to a person: a readable sentence, with the technical details one click away.

Every widget reports problems through :func:`show_error` instead of letting a traceback reach the user.
The box is opened window-modal and returned at once (``open()``, not ``exec()``), so nothing waits on it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from localclip.runs.background import error_details


def show_error(
    parent: QWidget | None,
    title: str,
    message: str,
    details: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
) -> QMessageBox:
    """Show ``message`` (whole sentences) with ``details`` behind the box's "Show Details..." button."""
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal if parent else Qt.WindowModality.ApplicationModal)
    box.open()
    return box


def show_exception(parent: QWidget | None, title: str, message: str, error: BaseException) -> QMessageBox:
    """An unexpected exception: ``message`` says what failed; the traceback goes to the details."""
    return show_error(parent, title, message, error_details(error), QMessageBox.Icon.Critical)


def install_exception_hook(parent: Callable[[], QWidget | None]) -> None:
    """Uncaught exceptions in slots become an error box (and still go to stderr for bug reports)."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        sys.__excepthook__(kind, error, tb)
        if QApplication.instance() is None or issubclass(kind, KeyboardInterrupt):
            return
        error.__traceback__ = tb
        show_exception(
            parent(),
            QCoreApplication.translate("errors", "LocalClip"),
            QCoreApplication.translate(
                "errors",
                "Something went wrong inside LocalClip. Your files were not changed by it; you can go on "
                "working. If it happens again, please send the details below with a bug report.",
            ),
            error,
        )

    sys.excepthook = hook
