"""The main window (minimal for now): the GPU plan, and the probe job on every planned worker.

It never waits on a worker: the pool reports through signals and the window only updates widgets.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from localclip.core.gpus import probe_gpus
from localclip.core.plan import WorkerPlan, plan_workers
from localclip.pool.launch import launches_for_plan
from localclip.pool.pool import WorkerPool
from localclip.pool.worker_process import WorkerConfigError
from localclip.settings import Settings

COLUMNS = ("Worker", "Device", "State", "Result")


class MainWindow(QMainWindow):
    probe_finished = Signal(object)  # the run's summary

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.pool: WorkerPool | None = None
        self._closing = False
        self.setWindowTitle("LocalClip")
        self.setMinimumSize(720, 420)
        self.plan = self._make_plan()
        self.plan_label = QLabel("\n".join(self.plan.explanation))
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.probe_button = QPushButton("&Probe workers")
        self.probe_button.setToolTip("Start every planned worker and report what it can do")
        self.probe_button.clicked.connect(self.start_probe)
        self.workers_table = self._make_table()
        self.setCentralWidget(self._layout())
        self.statusBar().showMessage("Ready")

    def _make_plan(self) -> WorkerPlan:
        return plan_workers(probe_gpus(), self.settings.plan_settings())

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(len(self.plan.slots), len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, slot in enumerate(self.plan.slots):
            device = f"GPU {slot.gpu_index} {slot.gpu_name}" if slot.device == "cuda" else "CPU"
            for column, text in enumerate((slot.worker_id, device, "not started", "")):
                table.setItem(row, column, QTableWidgetItem(text))
        return table

    def _layout(self) -> QWidget:
        gpus = QGroupBox("GPUs and workers")
        gpu_layout = QVBoxLayout(gpus)
        gpu_layout.addWidget(self.plan_label)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(gpus)
        layout.addWidget(self.probe_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.workers_table, stretch=1)
        return central

    # -- the probe run ----------------------------------------------------------------------------------

    def start_probe(self) -> None:
        self.pool = WorkerPool(
            launches_for_plan(self.plan, self.settings.worker_python("default")), parent=self
        )
        self.pool.worker_state_changed.connect(lambda worker, state: self._set_cell(worker, 2, state))
        self.pool.item_done.connect(self._on_probe_result)
        self.pool.item_failed.connect(lambda item, worker, code, reason: self._set_cell(worker, 3, reason))
        self.pool.worker_problem.connect(lambda worker, text: self.statusBar().showMessage(text))
        self.pool.finished.connect(self._on_finished)
        self.pool.stopped.connect(self._on_stopped)
        try:
            self.pool.start()
        except WorkerConfigError as error:
            self.statusBar().showMessage(str(error))
            self.pool = None
            return
        self.probe_button.setEnabled(False)
        self.statusBar().showMessage("Probing workers…")
        self.pool.submit(
            "probe", [{"id": slot.worker_id, "worker_id": slot.worker_id} for slot in self.plan.slots]
        )

    def _on_probe_result(self, item: str, worker: str, result: dict[str, Any]) -> None:
        cuda = "CUDA usable" if result["cuda_available"] else "no CUDA device"
        text = f"Python {result['python']}, torch {result['torch']}, {cuda}"
        if result["problems"]:
            text += " — " + " ".join(result["problems"])
        self._set_cell(worker, 3, text)

    def _on_finished(self, summary: dict[str, Any]) -> None:
        failed = summary["failed"]
        self.statusBar().showMessage(f"Probe finished: {summary['done']} answered, {failed} failed")
        self.probe_finished.emit(summary)
        if self.pool is not None:
            self.pool.shutdown()

    def _on_stopped(self) -> None:
        self.pool = None
        self.probe_button.setEnabled(True)
        if self._closing:
            self.close()

    def _set_cell(self, worker_id: str, column: int, text: str) -> None:
        for row in range(self.workers_table.rowCount()):
            if self.workers_table.item(row, 0).text() == worker_id:
                self.workers_table.item(row, column).setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Workers are shut down before the window goes; the close resumes when they are gone."""
        if self.pool is None:
            event.accept()
            return
        self._closing = True
        self.statusBar().showMessage("Stopping workers…")
        self.pool.shutdown()
        event.ignore()
