"""The GPU panel: every NVIDIA GPU's memory and load from NVML, refreshed every 1.5 s, and the worker plan.

NVML is read on a worker thread (starting NVML can take a while on Windows); the plan is arithmetic on the
reading, made on the GUI thread by the ``planner`` the window sets for the folder at hand (embedding and
cloning budget different memory per worker). While a run is on, its own plan is shown instead; a run on a
cluster adds its nodes' GPUs, under each machine's name, from what the nodes report (``show_remote``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from localclip.core.machine.gpus import GpuInfo, GpuReport, probe_gpus
from localclip.core.machine.plan import GIB, WorkerPlan
from localclip.gui.icons import icon
from localclip.gui.messages import translate_error, translate_message
from localclip.runs.background import run_in_background

if TYPE_CHECKING:
    from localclip.cluster.session import RemoteGpu

REFRESH_MS = 1500

GpuReader = Callable[[], GpuReport]
Planner = Callable[[GpuReport], WorkerPlan]


class GpuRow(QWidget):
    """One GPU: its name, memory used of total as a bar, and its load."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLabel()
        self.name.setObjectName("gpuName")
        self.name.setWordWrap(True)  # a long model name takes a second line rather than being cut
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.memory = QProgressBar()
        self.memory.setObjectName("gpuMemory")
        self.memory.setRange(0, 1000)
        self.load = QProgressBar()
        self.load.setObjectName("gpuLoad")
        self.load.setRange(0, 100)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(4)
        icon_label = QLabel()
        icon_label.setPixmap(icon("gpu").pixmap(20, 20))
        layout.addWidget(icon_label, 0, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.name, 0, 1, 1, 2)
        captions = ((self.tr("Memory"), self.memory), (self.tr("Load"), self.load))
        for row, (caption, bar) in enumerate(captions):
            label = QLabel(caption)
            label.setObjectName("gpuRowCaption")
            layout.addWidget(label, row + 1, 1)
            layout.addWidget(bar, row + 1, 2)
        layout.setColumnStretch(2, 1)

    def show_gpu(self, gpu: GpuInfo) -> None:
        self.name.setText(self.tr("GPU {index}: {name}").format(index=gpu.index, name=gpu.name))
        self._show_memory(gpu.used_bytes, gpu.total_bytes)
        self.memory.setToolTip(
            self.tr("{free:.1f} GB free on {name}").format(free=gpu.free_bytes / GIB, name=gpu.name)
        )
        self._show_load(gpu.utilization_percent)

    def show_remote(self, remote: RemoteGpu) -> None:
        """A cluster node's worker: its GPU's memory and load as the node last read them, or its CPU."""
        worker = remote.worker.rsplit("/", 1)[-1]
        on_gpu = remote.device == "cuda"
        if on_gpu:
            self.name.setText(self.tr("Worker {worker}: {name}").format(worker=worker, name=remote.gpu_name))
        else:
            self.name.setText(self.tr("Worker {worker}: CPU").format(worker=worker))
        self.name.setToolTip(translate_message(remote.problem) if remote.problem else remote.worker)
        for widget in (self.memory, self.load, *self.findChildren(QLabel, "gpuRowCaption")):
            widget.setVisible(on_gpu)
        self._show_memory(remote.used_bytes, remote.total_bytes)
        self._show_load(remote.load_percent)

    def _show_memory(self, used: int | None, total: int) -> None:
        if used is None or not total:  # a node's GPU before its first reading: its size only
            self.memory.setValue(0)
            self.memory.setFormat(self.tr("{total:.1f} GB").format(total=total / GIB))
            return
        self.memory.setValue(round(1000 * used / total))
        text = self.tr("{used:.1f} of {total:.1f} GB").format(used=used / GIB, total=total / GIB)
        self.memory.setFormat(text)

    def _show_load(self, percent: int | None) -> None:
        if percent is None:
            self.load.setValue(0)
            self.load.setFormat(self.tr("not reported"))
        else:
            self.load.setValue(percent)
            self.load.setFormat(self.tr("{percent} % busy").format(percent=percent))


class GpuPanel(QFrame):
    """Per GPU: name, memory used/total, load; then the planned workers and why."""

    updated = Signal(object)  # GpuReport, after each reading is shown

    def __init__(
        self,
        reader: GpuReader | None = None,
        planner: Planner | None = None,
        refresh_ms: int = REFRESH_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gpuPanel")
        self.reader: GpuReader = reader or probe_gpus
        self.planner = planner
        self.report: GpuReport | None = None
        self.plan: WorkerPlan | None = None
        self._running_plan: WorkerPlan | None = None
        self._reading = False
        self._rows: list[GpuRow] = []
        self.title = QLabel(self.tr("GPUs"))
        self.title.setObjectName("panelTitle")
        self.state_icon = QLabel()
        self.state = QLabel(self.tr("Reading the GPUs…"))
        self.state.setObjectName("gpuState")
        self.state.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setObjectName("hint")
        self.detail.setWordWrap(True)
        self.detail.setVisible(False)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(10)
        # A cluster run's machines: a heading per node, a row per remote worker (keyed by worker id).
        self.remote_box = QVBoxLayout()
        self.remote_box.setSpacing(6)
        self.remote_title = QLabel(self.tr("Cluster"))
        self.remote_title.setObjectName("planTitle")
        self.remote_title.setVisible(False)
        self.node_labels: dict[str, QLabel] = {}
        self.remote_rows: dict[str, GpuRow] = {}
        self.plan_title = QLabel()
        self.plan_title.setObjectName("planTitle")
        font = self.plan_title.font()
        font.setBold(True)
        self.plan_title.setFont(font)
        self.plan_label = QLabel()
        self.plan_label.setObjectName("planExplanation")
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plan_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self._lay_out()
        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)

    def _lay_out(self) -> None:
        """The title, then the rest in a scroll area: on a short screen (1280x720 at 150 %) the panel
        scrolls instead of squeezing its rows into each other."""
        self.plan_title.setWordWrap(True)
        content = QWidget()
        content.setObjectName("gpuPanelContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        state_row = QHBoxLayout()
        state_row.setSpacing(6)
        state_row.addWidget(self.state_icon, 0, Qt.AlignmentFlag.AlignTop)
        state_row.addWidget(self.state, 1)
        layout.addLayout(state_row)
        layout.addWidget(self.detail)
        layout.addLayout(self.rows_box)
        layout.addWidget(self.remote_title)
        layout.addLayout(self.remote_box)
        layout.addWidget(self.plan_title)
        layout.addWidget(self.plan_label)
        layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("gpuPanelScroll")
        self.scroll.setWidget(content)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setMinimumHeight(3 * self.fontMetrics().height())
        content.setAutoFillBackground(False)
        self.scroll.viewport().setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.setSpacing(8)
        outer.addWidget(self.title)
        outer.addWidget(self.scroll, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        """As tall as the content (so nothing scrolls where there is room), as wide as the column."""
        content = self.scroll.widget()
        margins = self.contentsMargins() + self.layout().contentsMargins()
        width = max(self.width(), super().sizeHint().width())
        inner = width - margins.left() - margins.right()
        height = content.heightForWidth(inner) if content.hasHeightForWidth() else -1
        height = max(height, content.sizeHint().height())
        title = self.title.sizeHint().height() + self.layout().spacing()
        return QSize(super().sizeHint().width(), height + title + margins.top() + margins.bottom())

    # -- public API ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Read now, then every ``refresh_ms``."""
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        """Start a reading unless one is under way (a slow driver never piles readings up)."""
        if self._reading:
            return
        self._reading = True
        run_in_background(
            self.reader, self._on_report, self._on_read_failed, name="localclip-nvml", owner=self
        )

    def set_planner(self, planner: Planner | None) -> None:
        self.planner = planner
        self._show_plan()

    def set_running_plan(self, plan: WorkerPlan | None) -> None:
        """The plan of the run under way (None when it ended): shown instead of the planned one."""
        self._running_plan = plan
        self._show_plan()

    def show_remote(self, workers: Sequence[RemoteGpu]) -> None:
        """A cluster run's workers, under their machines' names (none: the section goes)."""
        nodes = sorted({worker.node for worker in workers})
        by_worker = {worker.worker: worker for worker in workers}
        for key in [key for key in self.remote_rows if key not in by_worker]:
            self._drop(self.remote_rows.pop(key))
        for key in [key for key in self.node_labels if key not in nodes]:
            self._drop(self.node_labels.pop(key))
        index = 0
        for node in nodes:
            label = self.node_labels.get(node)
            if label is None:
                label = self.node_labels[node] = QLabel()
                label.setObjectName("gpuName")
                label.setWordWrap(True)
            node_workers = [worker for worker in workers if worker.node == node]
            gpus = sum(1 for worker in node_workers if worker.device == "cuda")
            label.setText(
                self.tr("{node}: %n GPU(s)", "", gpus).format(node=node)
                if gpus
                else self.tr("{node}: CPU").format(node=node)
            )
            self.remote_box.insertWidget(index, label)
            index += 1
            for worker in sorted(node_workers, key=lambda worker: worker.worker):
                row = self.remote_rows.get(worker.worker)
                if row is None:
                    row = self.remote_rows[worker.worker] = GpuRow(self)
                row.show_remote(worker)
                self.remote_box.insertWidget(index, row)
                index += 1
        self.remote_title.setVisible(bool(workers))

    def _drop(self, widget: QWidget) -> None:
        self.remote_box.removeWidget(widget)
        widget.deleteLater()

    @property
    def no_gpu(self) -> bool:
        return self.report is not None and not self.report.gpus

    # -- readings -----------------------------------------------------------------------------------------

    def _on_report(self, report: GpuReport) -> None:
        self._reading = False
        self.show_report(report)

    def _on_read_failed(self, error: BaseException) -> None:
        self._reading = False
        self.show_report(
            GpuReport((), None, None, self.tr("The GPUs could not be read: {error}").format(error=error))
        )

    def show_report(self, report: GpuReport) -> None:
        self.report = report
        while len(self._rows) < len(report.gpus):
            row = GpuRow(self)
            self._rows.append(row)
            self.rows_box.addWidget(row)
        while len(self._rows) > len(report.gpus):
            row = self._rows.pop()
            self.rows_box.removeWidget(row)
            row.deleteLater()
        for row, gpu in zip(self._rows, report.gpus, strict=True):
            row.show_gpu(gpu)
        if report.gpus:
            driver = report.driver_version or "?"
            cuda = report.cuda_driver_version or "?"
            self.state.setText(
                self.tr("NVIDIA driver {driver}, CUDA {cuda}").format(driver=driver, cuda=cuda)
            )
            self.state_icon.setPixmap(icon("gpu").pixmap(16, 16))
            self.state.setToolTip("")
        else:
            self.state.setText(self.tr("No NVIDIA GPU found: running on CPU"))
            self.state_icon.setPixmap(icon("cpu").pixmap(16, 16))
            self.state.setToolTip(
                self.tr("Workers run on the processor. They work, but much more slowly than on a GPU.")
            )
        self.state.setProperty("noGpu", not report.gpus)
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        self.detail.setText(translate_message(report.problem))
        self.detail.setVisible(bool(report.problem))
        self._show_plan()
        self.updated.emit(report)

    def _show_plan(self) -> None:
        plan = self._running_plan
        if plan is None and self.planner is not None and self.report is not None:
            try:
                plan = self.planner(self.report)
            except ValueError as error:  # e.g. the device is set to cuda and no GPU can take a worker
                self.plan = None
                self.plan_title.setText(self.tr("No workers can start"))
                self.plan_label.setText(translate_error(error))
                return
        self.plan = plan
        if plan is None:
            self.plan_title.setText("")
            self.plan_label.setText("")
            return
        count = len(plan.slots)
        where = self.tr("on the GPU") if plan.device == "cuda" else self.tr("on the CPU")
        if plan.device == "cluster":  # the workers are the nodes': the section above lists them
            running = self._running_plan is not None
            title = self.tr("Running on the cluster") if running else self.tr("Runs go to the cluster")
        elif self._running_plan is not None:
            title = self.tr("Running: %n worker(s) {where}", "", count).format(where=where)
        else:
            title = self.tr("Planned: %n worker(s) {where}", "", count).format(where=where)
        self.plan_title.setText(title)
        # The plan repeats what the state line and the detail already say about a missing GPU.
        shown = {self.report.problem} if self.report is not None and self.report.problem else set()
        lines = [
            translate_message(line)
            for line in plan.explanation
            if line not in shown and not _says_no_gpu(line)
        ]
        self.plan_label.setText("\n".join(lines))


def _says_no_gpu(line: str) -> bool:
    """A plan line about the missing GPU (the state line says it already), in any language."""
    reason = getattr(line, "args", {}).get("reason")
    return getattr(reason, "key", None) == "plan.no_nvidia_gpu" or line.startswith("No NVIDIA GPU")
