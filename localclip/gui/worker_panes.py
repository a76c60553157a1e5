"""Per-worker panes and the run's overall progress.

Both observe the pool (and the run) through signals. A slot only records what happened in a
:class:`~localclip.core.monitor.board.WorkerBoard` or :class:`~localclip.core.monitor.board.RunTracker`;
the widgets are redrawn from those on a timer (10 Hz), so a worker streaming thousands of events a second
costs a few dictionary updates per event, never a relayout.
"""

from __future__ import annotations

import contextlib
import warnings
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from localclip.core.embedding.datasets import LAYOUT_DATASET_SPEAKER_CLIP
from localclip.core.monitor.board import (
    Describer,
    ItemInfo,
    PaneState,
    RunFigures,
    RunTracker,
    WorkerBoard,
    WorkerStatus,
)
from localclip.gui.formatting import format_bytes, format_duration, format_item_rate, format_rate
from localclip.pool.pool import WorkerPool
from localclip.runs.clone import CloneRun
from localclip.runs.embed import EmbedRun

REFRESH_MS = 100  # redraw at most 10 times a second, whatever the event rate
SLOW_REFRESH_TICKS = 10  # rates decay with time: every pane is redrawn at least once a second
PANE_MIN_WIDTH = 300
PANES_PER_TICK = 8
STDERR_LINES_SHOWN = 60
BAR_STEPS = 1000

_LEFT_CENTRED = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
# Badge colours: text on a solid background, readable in light and dark palettes.
_STATE_COLOURS = {
    PaneState.STARTING: "#8a6d00",
    PaneState.LOADING: "#1f5fa8",
    PaneState.READY: "#4d6b7a",
    PaneState.WORKING: "#2e7d32",
    PaneState.IDLE: "#5f6368",
    PaneState.RESTARTING: "#b45309",
    PaneState.STOPPING: "#5f6368",
    PaneState.STOPPED: "#5f6368",
    PaneState.FAILED: "#b3261e",
    PaneState.DONE: "#00695c",
    PaneState.CANCELLED: "#5f6368",
}


def state_text(state: PaneState) -> str:
    """The state's name for a person (translated)."""
    translate = QCoreApplication.translate
    names = {
        PaneState.STARTING: translate("WorkerPane", "starting"),
        PaneState.LOADING: translate("WorkerPane", "loading model"),
        PaneState.READY: translate("WorkerPane", "ready"),
        PaneState.WORKING: translate("WorkerPane", "working"),
        PaneState.IDLE: translate("WorkerPane", "idle"),
        PaneState.RESTARTING: translate("WorkerPane", "restarting"),
        PaneState.STOPPING: translate("WorkerPane", "stopping"),
        PaneState.STOPPED: translate("WorkerPane", "stopped"),
        PaneState.FAILED: translate("WorkerPane", "failed"),
        PaneState.DONE: translate("WorkerPane", "done"),
        PaneState.CANCELLED: translate("WorkerPane", "cancelled"),
    }
    return names.get(state, str(state))


def noun_text(noun: str) -> str:
    translate = QCoreApplication.translate
    return {
        "clips": translate("RunProgress", "clips"),
        "lines": translate("RunProgress", "lines"),
    }.get(noun, translate("RunProgress", "items"))


def set_bar_value(bar: QProgressBar, value: int) -> None:
    """``QProgressBar.setValue`` repaints the bar at once, synchronously (a few ms each); with updates
    disabled meanwhile, the repaint joins the window's next paint instead."""
    bar.setUpdatesEnabled(False)
    bar.setValue(value)
    bar.setUpdatesEnabled(True)  # schedules an update()


def describe_run_items(run: object) -> Describer | None:
    """Speaker and a readable name for the items of an embedding or cloning run (the pool knows ids only)."""
    if isinstance(run, EmbedRun):
        return _clip_describer(run)
    if isinstance(run, CloneRun):
        return _line_describer(run)
    return None


# The describers are built in functions of their own: a function defined inside an ``if`` block of a
# module-level function makes pyside6-lupdate lose track of the classes below it (their self.tr() strings
# would be extracted without their class as context, and never found at run time).
def _clip_describer(run: EmbedRun) -> Describer:
    clips = {clip.key: clip for clip in run.scan.clips}
    several_datasets = run.scan.layout == LAYOUT_DATASET_SPEAKER_CLIP

    def describe_clip(item_id: str) -> ItemInfo | None:
        clip = clips.get(item_id)
        if clip is None:
            return None
        speaker = f"{clip.dataset}/{clip.speaker}" if several_datasets else clip.speaker
        return ItemInfo(speaker, clip.path.name, str(clip.path))

    return describe_clip


def _line_describer(run: CloneRun) -> Describer:
    plans = run.plans

    def describe_line(item_id: str) -> ItemInfo | None:
        plan = plans.get(item_id)
        if plan is None:
            return None
        return ItemInfo(plan.speaker, item_id, plan.text)

    return describe_line


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with '…' instead of widening the pane."""

    def __init__(
        self, parent: QWidget | None = None, elide: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle
    ) -> None:
        super().__init__(parent)
        self._elide = elide
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), self._elide, rect.width())
        painter.drawText(rect, _LEFT_CENTRED, text)


class WorkerPane(QFrame):
    """One worker: id, device, state, current speaker and item, unit progress, counts, rate, memory,
    and its last stderr lines on demand."""

    log_requested = Signal(str)  # worker id: "show this worker in the log panel"

    def __init__(self, worker_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker_id = worker_id
        self._shown: dict[str, Any] = {}  # what each widget shows: unchanged values are not set again
        self._stderr_serial = -1
        self._status: WorkerStatus | None = None  # the model last drawn (live: the board updates it)
        self.setObjectName("workerPane")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(PANE_MIN_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.setAccessibleName(self.tr("Worker {0}").format(worker_id))
        self.title_label = QLabel(self.tr("Worker {0}").format(worker_id))
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.device_label = ElidedLabel(elide=Qt.TextElideMode.ElideRight)
        self.state_label = QLabel()
        self.state_label.setAccessibleName(self.tr("State"))
        self.state_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.speaker_label = ElidedLabel()
        self.item_label = ElidedLabel()
        self.unit_bar = QProgressBar()
        self.unit_bar.setRange(0, BAR_STEPS)
        self.unit_bar.setAccessibleName(self.tr("Progress of the current unit of work"))
        self.counts_label = QLabel()
        self._counts_help = self.tr(
            "Handed back: items this worker gave back unfinished (cancelled, or passed on after a crash "
            "or running out of memory, to be done again)"
        )
        self.counts_label.setToolTip(self._counts_help)
        self.rate_label = ElidedLabel()
        self.problem_label = ElidedLabel(elide=Qt.TextElideMode.ElideRight)
        self.log_button = QToolButton()
        self.log_button.setText(self.tr("Output"))
        self.log_button.setToolTip(self.tr("Show the last lines this worker wrote to its log"))
        self.log_button.setCheckable(True)
        self.log_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.log_button.setArrowType(Qt.ArrowType.RightArrow)
        self.log_button.toggled.connect(self._toggle_output)
        self.output_view = QPlainTextEdit()
        self.output_view.setReadOnly(True)
        self.output_view.setMaximumBlockCount(STDERR_LINES_SHOWN)
        self.output_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.output_view.setAccessibleName(self.tr("Worker output"))
        self.output_view.setFixedHeight(self.fontMetrics().lineSpacing() * 8 + 12)
        self.output_view.hide()
        self._build_layout()
        show_in_log = QAction(self.tr("Show in log panel"), self)
        show_in_log.triggered.connect(lambda: self.log_requested.emit(self.worker_id))
        self.addAction(show_in_log)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.device_label, stretch=1)
        header.addWidget(self.state_label)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Speaker:"), self.speaker_label)
        form.addRow(self.tr("Item:"), self.item_label)
        footer = QHBoxLayout()
        footer.addWidget(self.counts_label, stretch=1)
        footer.addWidget(self.log_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(form)
        layout.addWidget(self.unit_bar)
        layout.addWidget(self.rate_label)
        layout.addWidget(self.problem_label)
        layout.addLayout(footer)
        layout.addWidget(self.output_view)

    # -- drawing -----------------------------------------------------------------------------------------

    def show_status(self, status: WorkerStatus, now: float) -> None:
        self._set("device", self.device_label, self._device_text(status))
        self._set("device_tip", self.device_label, self._device_tip(status), tooltip=True)
        self._show_state(status)
        self._show_item(status)
        self._show_progress(status)
        counts = self.tr("Done {0} · Handed back {1} · Failed {2}").format(
            _count(status.done), _count(status.handed_back), _count(status.failed)
        )
        self._set("counts", self.counts_label, counts)
        if status.last_failure:
            tip = self.tr("{0}\nLast failure: {1}").format(self._counts_help, status.last_failure)
            self._set("counts_tip", self.counts_label, tip, tooltip=True)
        self._set("rate", self.rate_label, self._rate_text(status, now))
        self._show_problem(status)
        self._status = status
        self._show_output()

    def _show_output(self) -> None:
        status = self._status
        if status is None or not self.log_button.isChecked() or status.stderr_serial == self._stderr_serial:
            return
        self._stderr_serial = status.stderr_serial
        lines = list(status.stderr)[-STDERR_LINES_SHOWN:]
        self.output_view.setPlainText("\n".join(lines) if lines else self.tr("(nothing written yet)"))
        scroll = self.output_view.verticalScrollBar()
        scroll.setValue(scroll.maximum())

    def _device_text(self, status: WorkerStatus) -> str:
        return status.gpu_name or (self.tr("GPU") if status.gpu_uuid else self.tr("CPU"))

    def _device_tip(self, status: WorkerStatus) -> str:
        lines = [self._device_text(status)]
        if status.gpu_uuid:
            lines.append(status.gpu_uuid)
        if status.pid is not None:
            lines.append(self.tr("Process id {0}").format(status.pid))
        return "\n".join(lines)

    def _show_state(self, status: WorkerStatus) -> None:
        self._set("state", self.state_label, state_text(status.state))
        tip = ""
        if status.load_seconds is not None:
            tip = self.tr("Model loaded in {0}").format(format_duration(status.load_seconds))
        self._set("state_tip", self.state_label, tip, tooltip=True)
        colour = _STATE_COLOURS.get(status.state, "#5f6368")
        if self._shown.get("colour") != colour:
            self._shown["colour"] = colour
            self.state_label.setStyleSheet(
                f"background-color: {colour}; color: white; border-radius: 4px; padding: 1px 8px;"
            )

    def _show_problem(self, status: WorkerStatus) -> None:
        """Why it is restarting or failed; once it is back, that it restarted and why (in grey)."""
        if status.state in (PaneState.RESTARTING, PaneState.FAILED):
            text, colour = status.problem, "#b3261e"
        elif status.restarts:
            text = self.tr("Restarted {0}× · last: {1}").format(status.restarts, status.problem)
            colour = "#8a6d00"
        else:
            text, colour = "", ""
        self._set("problem", self.problem_label, text)
        if self._shown.get("problem_colour") != colour:
            self._shown["problem_colour"] = colour
            self.problem_label.setStyleSheet(f"color: {colour};" if colour else "")

    def _show_item(self, status: WorkerStatus) -> None:
        busy = status.state in (PaneState.WORKING, PaneState.LOADING) and bool(status.in_flight)
        item = status.item if busy else ItemInfo()
        self._set("speaker", self.speaker_label, item.speaker or "–")
        label = item.label or "–"
        if busy and len(status.in_flight) > 1:
            label = self.tr("{0} (+{1} more in this batch)").format(label, len(status.in_flight) - 1)
        self._set("item", self.item_label, label)
        self._set("item_tip", self.item_label, item.detail, tooltip=True)

    def _show_progress(self, status: WorkerStatus) -> None:
        if status.state == PaneState.DONE:
            value, text = BAR_STEPS, self.tr("finished")
        elif status.state == PaneState.LOADING and status.unit_reported == 0:
            value, text = -1, self.tr("loading the model…")
        elif status.unit_total > 0:
            value = round(status.unit_fraction * BAR_STEPS)
            text = self.tr("{0} of {1}").format(status.unit_reported, status.unit_total)
            if status.item_steps is not None:
                done, total = status.item_steps
                text += self.tr(" · {0} {1} of {2}").format(
                    status.item_message or self.tr("step"), f"{done:g}", f"{total:g}"
                )
        else:
            value, text = 0, ""
        if self._shown.get("bar") != (value, text):
            self._shown["bar"] = (value, text)
            if value < 0:
                self.unit_bar.setRange(0, 0)  # busy indicator: loading time is unknown
            else:
                self.unit_bar.setRange(0, BAR_STEPS)
                set_bar_value(self.unit_bar, value)
            self.unit_bar.setFormat(text)
            self.unit_bar.setTextVisible(bool(text))

    def _rate_text(self, status: WorkerStatus, now: float) -> str:
        parts = []
        tokens = status.tokens_per_s
        if tokens is not None:
            parts.append(self.tr("{0} tokens/s").format(format_rate(tokens)))
        rate = status.items_per_s(now)
        if rate is not None and status.state in (PaneState.WORKING, PaneState.LOADING):
            parts.append(format_item_rate(rate, "items"))
        parts.append(self.tr("RAM {0}").format(format_bytes(status.memory_bytes)))
        if status.gpu_memory_bytes:
            parts.append(self.tr("GPU {0}").format(format_bytes(status.gpu_memory_bytes)))
        return " · ".join(parts)

    def _set(self, key: str, label: QLabel, text: str, tooltip: bool = False) -> None:
        if self._shown.get(key) == text:
            return
        self._shown[key] = text
        if tooltip:
            label.setToolTip(text)
        else:
            label.setText(text)
            if isinstance(label, ElidedLabel):
                label.setToolTip(text)

    def _toggle_output(self, shown: bool) -> None:
        self.log_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.output_view.setVisible(shown)
        self._stderr_serial = -1
        self._show_output()


def _count(number: int) -> str:
    return QLocale().toString(number)


class SignalConnections:
    """Signal connections made to one source, undone together (the source may already be gone)."""

    def __init__(self) -> None:
        self._made: list[tuple[Any, Callable[..., Any]]] = []

    def connect(self, signal: Any, slot: Callable[..., Any]) -> None:
        signal.connect(slot)
        self._made.append((signal, slot))

    def disconnect_all(self) -> None:
        # The source may be deleted (RuntimeError) or the connection gone already (a warning).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for signal, slot in self._made:
                with contextlib.suppress(RuntimeError, TypeError):
                    signal.disconnect(slot)
        self._made.clear()


class WorkerPanesView(QWidget):
    """One :class:`WorkerPane` per worker process of the attached pool, in a grid that reflows with the
    width (one column when narrow). Workers the pool adds during a run get a pane when they start."""

    worker_log_requested = Signal(str)  # a pane's "Show in log panel": the worker id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.board = WorkerBoard()
        self.pool: WorkerPool | None = None
        self._last_pool: weakref.ref[WorkerPool] | None = None
        self.panes: dict[str, WorkerPane] = {}
        self._to_create: list[str] = []
        self._connections = SignalConnections()
        self._columns = 0
        self._ticks = 0
        self._container = QWidget()
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        container_layout = QVBoxLayout(self._container)
        container_layout.setContentsMargins(0, 0, 0, 0)
        container_layout.addLayout(self._grid)
        container_layout.addStretch(1)
        self._empty_label = QLabel(self.tr("No workers are running. They appear here when a run starts."))
        self._empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty_label.setWordWrap(True)
        self._empty_label.setEnabled(False)
        container_layout.insertWidget(0, self._empty_label)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self._container)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self.setMinimumSize(PANE_MIN_WIDTH + 24, 160)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    # -- attaching -----------------------------------------------------------------------------------------

    def attach(self, pool: WorkerPool, describe: Describer | None = None) -> None:
        """Show ``pool``'s workers (replacing what was shown). Attach before ``pool.start()`` to see every
        state from the first; attaching later shows the workers as they are now."""
        self.detach()
        same_pool = self._last_pool is not None and self._last_pool() is pool
        if same_pool:
            self.board.new_run()  # warm workers again: keep what is known about their processes
        else:
            self.clear()
        self._last_pool = weakref.ref(pool)
        self.pool = pool
        self.board.describe = describe
        for worker_id, slot in pool.slots.items():
            self._add_from_pool(worker_id)
            if not same_pool and slot.process is not None and slot.process.hello is not None:
                self.board.on_event(worker_id, slot.process.hello)  # it said hello before we looked
            self.board.on_state(worker_id, str(slot.state))
        board, c = self.board, self._connections
        c.connect(pool.worker_state_changed, self._on_state)
        c.connect(pool.worker_event, board.on_event)
        c.connect(pool.worker_log, board.on_log)
        c.connect(pool.worker_problem, board.on_problem)
        c.connect(pool.item_started, self._on_item_started)
        c.connect(pool.item_done, board.on_item_done)
        c.connect(pool.item_failed, board.on_item_failed)
        c.connect(pool.item_requeued, board.on_item_requeued)
        c.connect(pool.finished, board.on_run_finished)
        c.connect(pool.destroyed, self._on_pool_destroyed)
        self._timer.start()
        self.refresh()

    def attach_run(self, run: EmbedRun | CloneRun) -> None:
        """Attach the run's pool (``run.create_pool`` first), naming items by speaker and file or line."""
        if run.pool is None:
            raise ValueError("the run has no pool yet: call create_pool() first")
        self.attach(run.pool, describe_run_items(run))

    def detach(self) -> None:
        """Stop following the pool; the panes keep showing the last state."""
        self._connections.disconnect_all()
        if self.pool is not None:
            self.refresh()
        self.pool = None
        self._timer.stop()

    def clear(self) -> None:
        """Stop following the pool and remove every pane."""
        self.detach()
        self._last_pool = None
        for pane in self.panes.values():
            self._grid.removeWidget(pane)
            pane.deleteLater()
        self.panes.clear()
        self._to_create.clear()
        self.board = WorkerBoard(self.board.describe)
        self._columns = 0
        self._empty_label.show()

    def pane(self, worker_id: str) -> WorkerPane | None:
        return self.panes.get(worker_id)

    # -- slots ---------------------------------------------------------------------------------------------

    def _on_state(self, worker_id: str, state: str) -> None:
        if str(worker_id) not in self.board.workers:
            self._add_from_pool(str(worker_id))
        self.board.on_state(worker_id, state)

    def _on_item_started(self, item_id: str, worker_id: str) -> None:
        kind = ""
        if self.pool is not None:
            slot = self.pool.slots.get(str(worker_id))
            item = slot.in_flight.get(str(item_id)) if slot is not None else None
            kind = item.kind if item is not None else ""
        self.board.on_item_started(item_id, worker_id, kind)

    def _add_from_pool(self, worker_id: str) -> None:
        slot = self.pool.slots.get(worker_id) if self.pool is not None else None
        if slot is None:
            self.board.add_worker(worker_id)
        else:
            self.board.add_worker(worker_id, slot.launch.gpu_name or "", slot.launch.gpu_uuid or "")

    def _on_pool_destroyed(self) -> None:
        self._connections = SignalConnections()  # Qt has dropped the connections with the pool
        self.pool = None
        self._timer.stop()

    # -- drawing -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Draw what changed since the last refresh (the timer calls this; tests may too)."""
        self._to_create += [key for key in self.board.take_added() if key not in self._to_create]
        if self._to_create:  # a few per tick: a pane takes milliseconds to build, a big pool has dozens
            added, self._to_create = self._to_create[:PANES_PER_TICK], self._to_create[PANES_PER_TICK:]
            for worker_id in added:
                if worker_id not in self.panes:
                    pane = WorkerPane(worker_id)
                    pane.log_requested.connect(self.worker_log_requested)
                    self.panes[worker_id] = pane
                    self.board.touch(worker_id)
            self._reflow(force=True)
        dirty = self.board.take_dirty()
        self._ticks += 1
        if self._ticks % SLOW_REFRESH_TICKS == 0:
            dirty |= set(self.panes)
        now = self.board.clock()
        for worker_id in dirty:
            pane, status = self.panes.get(worker_id), self.board.workers.get(worker_id)
            if pane is not None and status is not None:
                pane.show_status(status, now)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self, force: bool = False) -> None:
        spacing = max(0, self._grid.horizontalSpacing())
        width = self.scroll_area.viewport().width()
        columns = max(1, (width + spacing) // (PANE_MIN_WIDTH + spacing))
        columns = min(columns, max(1, len(self.panes)))
        if columns == self._columns and not force:
            return
        self._columns = columns
        for pane in self.panes.values():
            self._grid.removeWidget(pane)
        for index, worker_id in enumerate(sorted(self.panes, key=_worker_order)):
            self._grid.addWidget(self.panes[worker_id], index // columns, index % columns)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)
        self._empty_label.setVisible(not self.panes)


def _worker_order(worker_id: str) -> tuple[int, int | str]:
    return (0, int(worker_id)) if worker_id.isdigit() else (1, worker_id)


class RunProgressWidget(QWidget):
    """The run as a whole: a bar, what is done out of what, the rate and the time left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tracker = RunTracker()
        self._connections = SignalConnections()
        self._running = False
        self._dirty = False
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setValue(0)
        self.bar.setAccessibleName(self.tr("Overall progress"))
        self.counts_label = QLabel(self.tr("Not started"))
        self.rate_label = QLabel()
        self.rate_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout()
        row.addWidget(self.counts_label, stretch=1)
        row.addWidget(self.rate_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addLayout(row)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)

    def attach_run(self, run: EmbedRun | CloneRun) -> None:
        """Follow an embedding or cloning run: its ``progress`` (EmbedProgress/CloneProgress) and end."""
        self._start()
        self._connections.connect(run.progress, self.on_progress)
        self._connections.connect(run.finished, self.on_finished)
        self._watch_destroyed(run)
        self.on_progress(run.state)  # the totals (and what was done before) before any result comes

    def attach_pool(self, pool: WorkerPool) -> None:
        """Follow a bare pool run (no run object): the pool's ``progress(finished, total)``."""
        self._start()
        self._connections.connect(pool.progress, self.on_pool_progress)
        self._connections.connect(pool.finished, self.on_finished)
        self._watch_destroyed(pool)

    def detach(self) -> None:
        self._connections.disconnect_all()
        self._timer.stop()
        self._draw()

    def reset(self) -> None:
        self.detach()
        self.tracker.reset()
        self._running = False
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.counts_label.setText(self.tr("Not started"))
        self.rate_label.clear()

    # -- slots (cheap: the timer draws) ------------------------------------------------------------------

    def on_progress(self, progress: object) -> None:
        self.tracker.on_progress(progress)
        self._dirty = True

    def on_pool_progress(self, finished: int, total: int) -> None:
        self.tracker.on_pool_progress(finished, total)
        self._dirty = True

    def on_finished(self, _summary: object = None) -> None:
        self.tracker.on_finished()
        self._running = False
        self._draw()
        self._timer.stop()

    # -- drawing -----------------------------------------------------------------------------------------

    def _start(self) -> None:
        self.detach()
        self.tracker.reset()
        self._running = True
        self.counts_label.setText(self.tr("Starting the workers…"))
        self.rate_label.clear()
        self._timer.start()

    def _watch_destroyed(self, source: QObject) -> None:
        self._connections.connect(source.destroyed, self._on_source_destroyed)

    def _on_source_destroyed(self) -> None:
        self._connections = SignalConnections()
        self._timer.stop()

    def _tick(self) -> None:
        if self._dirty or self._running:  # the ETA and elapsed time move on even without events
            self._draw()

    def _draw(self) -> None:
        self._dirty = False
        figures = self.tracker.figures()
        if figures.total == 0 and self._running:
            return
        set_bar_value(self.bar, round(figures.fraction * BAR_STEPS))
        self.bar.setFormat(
            self.tr("{0} of {1}").format(_count(figures.finished), _count(figures.total))
            if figures.total
            else "%p%"
        )
        self.counts_label.setText(self._counts_text(figures))
        self.rate_label.setText(self._rate_text(figures))

    def _counts_text(self, figures: RunFigures) -> str:
        text = self.tr("{0} of {1} {2} done").format(
            _count(figures.done + figures.already_done), _count(figures.total), noun_text(figures.noun)
        )
        if figures.already_done:
            text += self.tr(" · {0} already done before").format(_count(figures.already_done))
        if figures.failed:
            text += self.tr(" · {0} failed").format(_count(figures.failed))
        return text

    def _rate_text(self, figures: RunFigures) -> str:
        parts = []
        if figures.items_per_s is not None:
            parts.append(format_item_rate(figures.items_per_s, figures.noun))
        if figures.tokens_per_s:
            parts.append(self.tr("{0} tokens/s").format(format_rate(figures.tokens_per_s)))
        if not self._running:
            parts.append(self.tr("took {0}").format(format_duration(figures.elapsed_seconds)))
        elif figures.eta_seconds is not None and figures.remaining:
            parts.append(self.tr("about {0} left").format(format_duration(figures.eta_seconds)))
        else:
            parts.append(self.tr("{0} elapsed").format(format_duration(figures.elapsed_seconds)))
        return " · ".join(parts)
