"""The log panel: everything the workers and the run reported, with time and worker, filterable.

Entries go into a bounded :class:`~localclip.core.monitor.board.LogBook`; the view is a
``QPlainTextEdit`` with a maximum block count, appended in one batch per timer tick (10 Hz), so a worker
printing thousands of lines a second neither eats memory nor stalls the window.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from localclip.core.monitor.board import (
    LogBook,
    LogEntry,
    LogKind,
    as_count,
    as_number,
    as_text,
)
from localclip.gui.formatting import format_bytes, format_duration
from localclip.gui.worker_panes import SignalConnections
from localclip.pool.pool import WorkerPool
from localclip.runs.clone import CloneRun
from localclip.runs.embed import EmbedRun

REFRESH_MS = 100
FILTER_DELAY_MS = 150  # typing in the filter box redraws once the typing pauses
MAX_BLOCKS = 5000  # lines in the view; the book keeps more, for filtering
BOOK_LIMIT = 20_000
ALL_WORKERS = "\x00all"  # combo data: every entry
RUN_ONLY = ""  # combo data: entries of the run itself (no worker)
PROBLEM_KINDS = (LogKind.PROBLEM, LogKind.FAILURE)


class LogPanel(QWidget):
    """Everything, one line each: ``12:03:04  worker 1  problem  text``."""

    entry_added = Signal(object)  # LogEntry, for whoever wants problems elsewhere (a status bar)

    def __init__(self, parent: QWidget | None = None, limit: int = BOOK_LIMIT) -> None:
        super().__init__(parent)
        self.book = LogBook(limit)
        self.pool: WorkerPool | None = None
        self._shown_serial = 0
        self._connections = SignalConnections()
        self._kind_names = {
            LogKind.STATE: self.tr("state"),
            LogKind.INFO: self.tr("info"),
            LogKind.PROBLEM: self.tr("problem"),
            LogKind.FAILURE: self.tr("failure"),
            LogKind.OUTPUT: self.tr("output"),
        }
        self.worker_combo = QComboBox()
        self.worker_combo.setAccessibleName(self.tr("Show the log of"))
        self.worker_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.worker_combo.addItem(self.tr("All workers"), ALL_WORKERS)
        self.worker_combo.addItem(self.tr("The run only"), RUN_ONLY)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter…"))
        self.filter_edit.setAccessibleName(self.tr("Filter the log"))
        self.filter_edit.setClearButtonEnabled(True)
        self.problems_only = QCheckBox(self.tr("&Problems only"))
        self.clear_button = QToolButton()
        self.clear_button.setText(self.tr("Clear"))
        self.clear_button.setToolTip(self.tr("Empty the log panel"))
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_BLOCKS)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setAccessibleName(self.tr("Log"))
        self.view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._build_layout()
        self.setMinimumSize(360, 140)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.rebuild)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.worker_combo.currentIndexChanged.connect(self.rebuild)
        self.problems_only.toggled.connect(self.rebuild)
        self.clear_button.clicked.connect(self.clear)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.worker_combo)
        bar.addWidget(self.filter_edit, stretch=1)
        bar.addWidget(self.problems_only)
        bar.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, stretch=1)

    # -- attaching -----------------------------------------------------------------------------------------

    def attach(self, pool: WorkerPool) -> None:
        """Log everything ``pool`` reports (replacing a previously attached pool; the lines stay)."""
        self.detach()
        self.pool = pool
        self._connect(pool.worker_state_changed, self._on_state)
        self._connect(pool.worker_event, self._on_event)
        self._connect(pool.worker_log, self._on_log)
        self._connect(pool.worker_problem, self._on_problem)
        self._connect(pool.item_failed, self._on_item_failed)
        self._connect(pool.finished, self._on_finished)
        self._connect(pool.destroyed, self._on_pool_destroyed)

    def attach_run(self, run: EmbedRun | CloneRun) -> None:
        """Attach the run's pool (``run.create_pool`` first) and log the run's own problems."""
        if run.pool is None:
            raise ValueError("the run has no pool yet: call create_pool() first")
        self.attach(run.pool)
        self._connect(run.problem, self._on_run_problem)

    def detach(self) -> None:
        self._connections.disconnect_all()
        self.pool = None

    def add_message(self, text: str, kind: LogKind = LogKind.INFO, worker_id: str = "") -> None:
        """A line from the application itself (run started, folder opened...)."""
        self._add(worker_id, kind, text)

    def clear(self) -> None:
        self.book.clear()
        self._shown_serial = self.book.serial
        self.view.clear()

    def set_worker_filter(self, worker_id: str | None) -> None:
        """Show one worker's lines (None: every worker's)."""
        wanted = ALL_WORKERS if worker_id is None else str(worker_id)
        self._ensure_worker(wanted)
        index = self.worker_combo.findData(wanted)
        if index >= 0:
            self.worker_combo.setCurrentIndex(index)

    # -- slots: record only; the timer draws ----------------------------------------------------------

    def _connect(self, signal: Any, slot: Any) -> None:
        self._connections.connect(signal, slot)

    def _on_pool_destroyed(self) -> None:
        self._connections = SignalConnections()  # Qt has dropped them with the pool
        self.pool = None

    def _on_state(self, worker_id: str, state: str) -> None:
        self._add(worker_id, LogKind.STATE, self.tr("state: {0}").format(as_text(state, 100)))

    def _on_log(self, worker_id: str, line: str) -> None:
        self._add(worker_id, LogKind.OUTPUT, line)

    def _on_problem(self, worker_id: str, text: str) -> None:
        self._add(worker_id, LogKind.PROBLEM, text)

    def _on_run_problem(self, text: str) -> None:
        self._add("", LogKind.PROBLEM, text)

    def _on_item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None:
        text = self.tr("{0} failed ({1}): {2}").format(item_id, as_text(code, 100), as_text(reason))
        self._add(worker_id, LogKind.FAILURE, text)

    def _on_event(self, worker_id: str, message: object) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "hello":
            text = self.tr("started: pid {0}, Python {1}, device {2}").format(
                as_count(message.get("pid")),
                as_text(message.get("python"), 40),
                as_text(message.get("device"), 80),
            )
            self._add(worker_id, LogKind.INFO, text)
        elif kind == "ready":
            seconds = as_number(message.get("load_seconds"))
            text = self.tr("{0} ready: loaded in {1}, memory {2}").format(
                as_text(message.get("kind"), 40),
                format_duration(seconds),
                format_bytes(as_count(message.get("memory_bytes"))),
            )
            self._add(worker_id, LogKind.INFO, text)
        elif kind == "error":
            self._add(worker_id, LogKind.PROBLEM, as_text(message.get("message")))
        elif kind == "bye":
            self._add(
                worker_id, LogKind.INFO, self.tr("exits: {0}").format(as_text(message.get("reason"), 200))
            )

    def _on_finished(self, summary: object) -> None:
        if not isinstance(summary, dict):
            return
        text = self.tr("run finished: {0} done, {1} failed, {2} cancelled in {3}").format(
            as_count(summary.get("done")) or 0,
            as_count(summary.get("failed")) or 0,
            as_count(summary.get("cancelled")) or 0,
            format_duration(as_number(summary.get("seconds"))),
        )
        if summary.get("cancelled_run") is True:
            text += self.tr(" (cancelled)")
        self._add("", LogKind.INFO, text)

    def _add(self, worker_id: object, kind: LogKind, text: object) -> None:
        entry = self.book.add(worker_id, kind, text)
        self.entry_added.emit(entry)

    # -- drawing -------------------------------------------------------------------------------------------

    def flush(self) -> None:
        """Append what came in since the last flush (the timer calls this; tests may too)."""
        for worker_id in self.book.workers:
            self._ensure_worker(worker_id)
        new = self.book.since(self._shown_serial)
        self._shown_serial = self.book.serial
        if not new:
            return
        lines = self._matching(new)
        if lines:
            self.view.appendPlainText("\n".join(lines[-MAX_BLOCKS:]))

    def rebuild(self) -> None:
        """Redraw from the book with the current filters."""
        self._shown_serial = self.book.serial
        lines = self._matching(list(self.book.entries))
        self.view.setPlainText("\n".join(lines[-MAX_BLOCKS:]))
        scroll = self.view.verticalScrollBar()
        scroll.setValue(scroll.maximum())

    def _matching(self, entries: list[LogEntry]) -> list[str]:
        wanted = self.worker_combo.currentData()
        needle = self.filter_edit.text().strip().casefold()
        problems_only = self.problems_only.isChecked()
        lines = []
        for entry in entries:
            if wanted != ALL_WORKERS and entry.worker_id != wanted:
                continue
            if problems_only and entry.kind not in PROBLEM_KINDS:
                continue
            line = self.format_entry(entry)
            if needle and needle not in line.casefold():
                continue
            lines.append(line)
        return lines

    def format_entry(self, entry: LogEntry) -> str:
        clock = time.strftime("%H:%M:%S", time.localtime(entry.wall_time))
        who = self.tr("worker {0}").format(entry.worker_id) if entry.worker_id else self.tr("run")
        return f"{clock}  {who:<10}  {self._kind_names.get(entry.kind, str(entry.kind)):<8}  {entry.text}"

    def _ensure_worker(self, worker_id: str) -> None:
        if worker_id in (ALL_WORKERS, RUN_ONLY) or self.worker_combo.findData(worker_id) >= 0:
            return
        self.worker_combo.addItem(self.tr("Worker {0}").format(worker_id), worker_id)
