"""Folder intake: dropped or chosen folders, recognised as a dataset or a cloning project, and their content.

Folders queue up in a list; runs/folders.FolderScans scans them on a worker thread, one at a time, and
this view shows each step as it arrives: the speakers with their clip counts (or references and lines) as
soon as the folder is listed, then the durations as the clips' headers are read, then the problems found,
each with the file it concerns. An earlier run's partial results show as a banner offering to resume.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from localclip.core.kinds import KIND_DATASET, KIND_PROJECT
from localclip.gui.formatting import format_length
from localclip.gui.icons import icon
from localclip.gui.messages import translate_error, translate_message
from localclip.runs.background import BackgroundTask, TaskContext, error_details
from localclip.runs.folders import FolderEntry, FolderScans, FolderStatus

if TYPE_CHECKING:
    from localclip.core.intake import (
        DurationStep,
        EarlierResults,
        FolderProblem,
        ScanStep,
        SpeakerSummary,
    )

FILL_PER_TICK = 250  # tree rows added per turn of the event loop: a large dataset never stalls the window
HEADER_REFRESH_MS = 250
PROBLEMS_SHOWN = 2000  # more would only slow the list; the count says how many there are


def folders_from_mime(mime: QMimeData) -> list[Path]:
    """The local folders in a drop (files are left out; a drag is never a move)."""
    if not mime.hasUrls():
        return []
    folders = []
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile().rstrip("\0"))
        if path.is_dir():
            folders.append(path)
    return folders


RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
DISPLAY = Qt.ItemDataRole.DisplayRole


class _DurationDelegate(QStyledItemDelegate):
    """Durations are stored as seconds (so Qt sorts them as numbers, in C++) and shown as "1:04:12"."""

    def displayText(self, value: Any, locale: Any) -> str:
        if isinstance(value, float):
            return format_length(value)
        return super().displayText(value, locale)


def _row(name: str, count: int | None = None, seconds: float | None = None) -> QTreeWidgetItem:
    """A tree row; numbers are stored as numbers, so sorting by a column is numeric."""
    item = QTreeWidgetItem([name])
    if count is not None:
        item.setData(1, DISPLAY, count)
    if seconds is not None:
        item.setData(2, DISPLAY, float(seconds))
    item.setTextAlignment(1, RIGHT)
    item.setTextAlignment(2, RIGHT)
    return item


class DropZone(QFrame):
    """Where folders go: a large target while the list is empty, a slim bar after."""

    browse_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setProperty("hover", False)
        self.icon = QLabel()
        self.icon.setPixmap(icon("drop").pixmap(40, 40))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel(self.tr("Drop a dataset folder or a cloning project folder here"))
        self.text.setObjectName("dropText")
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.hint = QLabel(
            self.tr(
                "A dataset holds one folder per speaker with audio clips; a project holds speakers/ "
                "with reference recordings and a script. Several folders queue up."
            )
        )
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.browse = QPushButton(icon("folder-open"), self.tr("Open fo&lder…"))
        self.browse.clicked.connect(self.browse_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(8)
        layout.addStretch(1)
        layout.addWidget(self.icon)
        layout.addWidget(self.text)
        layout.addWidget(self.hint)
        layout.addWidget(self.browse, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)

    def set_compact(self, compact: bool) -> None:
        self.icon.setVisible(not compact)
        self.hint.setVisible(not compact)
        layout = self.layout()
        margin = 8 if compact else 16
        layout.setContentsMargins(margin, margin, margin, margin)
        self.text.setText(
            self.tr("Drop more folders here to queue them")
            if compact
            else self.tr("Drop a dataset folder or a cloning project folder here")
        )

    def set_hover(self, hover: bool) -> None:
        self.setProperty("hover", hover)
        self.style().unpolish(self)
        self.style().polish(self)


def _lay_out_banner(banner: QFrame, icon_name: str, text: QLabel, buttons: list[QPushButton]) -> None:
    """A banner's icon and text, with its buttons beneath them on the right. The text takes the whole
    width: beside the buttons, in a narrow side panel, it was squeezed into a column a word wide."""
    banner.setObjectName("banner")
    picture = QLabel()
    picture.setPixmap(icon(icon_name).pixmap(20, 20))
    text.setWordWrap(True)
    message = QHBoxLayout()
    message.setSpacing(8)
    message.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
    message.addWidget(text, 1)
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    layout = QVBoxLayout(banner)
    layout.setContentsMargins(10, 8, 10, 8)
    layout.setSpacing(6)
    layout.addLayout(message)
    layout.addLayout(row)


class ResumeBanner(QFrame):
    """An earlier run's results: resume, start over, or show them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.resume = QPushButton(icon("resume"), self.tr("Resu&me"))
        self.start_over = QPushButton(self.tr("St&art over"))
        self.results = QPushButton(self.tr("Show res&ults"))
        _lay_out_banner(self, "resume", self.text, [self.resume, self.start_over, self.results])


class CautionBanner(QFrame):
    """A folder that is probably not what the user meant: why, and a button to use it anyway."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.text.setObjectName("cautionText")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_anyway = QPushButton(self.tr("Use an&yway"))
        self.use_anyway.setToolTip(self.tr("Read this folder and use it as it is"))
        _lay_out_banner(self, "warning", self.text, [self.use_anyway])


class IntakeView(QWidget):
    folder_added = Signal(object)  # FolderEntry
    current_changed = Signal(object)  # FolderEntry or None
    entry_updated = Signal(object)  # FolderEntry: a scan step arrived, or its status changed
    scan_finished = Signal(object)  # FolderEntry: every step done (or the folder is invalid)
    resume_requested = Signal(object)  # FolderEntry
    start_over_requested = Signal(object)  # FolderEntry
    results_requested = Signal(object)  # FolderEntry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[FolderEntry] = []
        self.scans = FolderScans(self)
        self.scans.stepped.connect(self._on_step)
        self.scans.ended.connect(self._on_scan_ended)
        self._fill: deque[tuple[QTreeWidgetItem | None, QTreeWidgetItem]] = deque()
        self._speaker_items: dict[tuple[str, str], QTreeWidgetItem] = {}
        self._problems_shown = 0
        self._fill_timer = QTimer(self)
        self._fill_timer.setInterval(0)
        self._fill_timer.timeout.connect(self._fill_some)
        self._header_timer = QTimer(self)
        self._header_timer.setSingleShot(True)
        self._header_timer.setInterval(HEADER_REFRESH_MS)
        self._header_timer.timeout.connect(self._refresh_header)
        self.drop_zone = DropZone()
        self.drop_zone.browse_requested.connect(self.browse)
        self.queue = QListWidget()
        self.queue.setObjectName("folderQueue")
        self.queue.setIconSize(QSize(20, 20))
        self.queue.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue.currentRowChanged.connect(self._on_current_row)
        self.queue.setAccessibleName(self.tr("Folders"))
        self.rescan_action = QAction(self.tr("Scan &again"), self.queue)
        self.rescan_action.triggered.connect(self._rescan_current)
        self.remove_action = QAction(self.tr("&Remove from the list"), self.queue)
        self.remove_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.triggered.connect(self.remove_current)
        self.queue.addActions([self.rescan_action, self.remove_action])
        self.queue.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.title = QLabel()
        self.title.setObjectName("folderTitle")
        self.summary = QLabel()
        self.summary.setObjectName("folderSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.busy = QProgressBar()
        self.busy.setObjectName("scanProgress")
        self.busy.setMaximumHeight(self.fontMetrics().height())
        self.busy.setTextVisible(False)
        self.banner = ResumeBanner()
        self.banner.resume.clicked.connect(lambda: self._emit_for_current(self.resume_requested))
        self.banner.start_over.clicked.connect(lambda: self._emit_for_current(self.start_over_requested))
        self.banner.results.clicked.connect(lambda: self._emit_for_current(self.results_requested))
        self.caution = CautionBanner()
        self.caution.use_anyway.clicked.connect(self._confirm_current)
        self.out_label = QLabel()
        self.out_label.setObjectName("resultsFolder")
        self.out_label.setWordWrap(True)
        self.out_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.out_button = QPushButton(self.tr("&Change…"))
        self.out_button.setToolTip(self.tr("Choose where this dataset's embeddings are written"))
        self.out_button.clicked.connect(self._choose_out_dir)
        self.tree = QTreeWidget()
        self.tree.setObjectName("contentTree")
        self.tree.setAccessibleName(self.tr("Folder content"))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnCount(3)
        self.tree.setItemDelegateForColumn(2, _DurationDelegate(self.tree))
        self.problems_title = QLabel()
        self.problems_title.setObjectName("problemsTitle")
        self.problems = QTreeWidget()
        self.problems.setObjectName("problemsList")
        self.problems.setAccessibleName(self.tr("Problems"))
        self.problems.setRootIsDecorated(False)
        self.problems.setUniformRowHeights(True)
        self.problems.setHeaderLabels([self.tr("File"), self.tr("Problem")])
        self.problems.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.problems.header().setStretchLastSection(True)
        self.problems.setWordWrap(False)
        self.problems.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self._layout()
        self._show_entry(None)

    def _layout(self) -> None:
        out_row = QHBoxLayout()
        out_row.setContentsMargins(0, 0, 0, 0)
        out_row.addWidget(self.out_label, 1)
        out_row.addWidget(self.out_button)
        self.out_row = QWidget()
        self.out_row.setLayout(out_row)
        problems_box = QWidget()
        problems_layout = QVBoxLayout(problems_box)
        problems_layout.setContentsMargins(0, 4, 0, 0)
        problems_layout.setSpacing(4)
        problems_layout.addWidget(self.problems_title)
        problems_layout.addWidget(self.problems)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.tree)
        self.split.addWidget(problems_box)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        details.setSpacing(6)
        details.addWidget(self.title)
        details.addWidget(self.summary)
        details.addWidget(self.busy)
        details.addWidget(self.caution)
        details.addWidget(self.banner)
        details.addWidget(self.out_row)
        details.addWidget(self.split, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(self.drop_zone)
        layout.addWidget(self.queue)
        layout.addWidget(self.details, 1)
        self.setTabOrder(self.drop_zone.browse, self.queue)
        self.setTabOrder(self.queue, self.caution.use_anyway)
        self.setTabOrder(self.caution.use_anyway, self.banner.resume)
        self.setTabOrder(self.banner.resume, self.banner.start_over)
        self.setTabOrder(self.banner.start_over, self.banner.results)
        self.setTabOrder(self.banner.results, self.out_button)
        self.setTabOrder(self.out_button, self.tree)
        self.setTabOrder(self.tree, self.problems)

    # -- public API ---------------------------------------------------------------------------------------

    def browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Open a dataset or project folder"), self._start_dir
        )
        if chosen:
            self.add_folders([Path(chosen)])

    _start_dir = ""

    def set_start_dir(self, folder: str) -> None:
        self._start_dir = folder

    def add_folders(self, folders: list[Path]) -> list[FolderEntry]:
        """Queue folders for scanning (a folder already in the list is selected instead of added twice)."""
        added = []
        for folder in folders:
            path = Path(folder).absolute()
            existing = self.entry_for(path)
            if existing is not None:  # opened again: read again (it may have changed), results included
                self.select(existing)
                self.rescan(existing)
                continue
            entry = FolderEntry(path)
            row = QListWidgetItem(entry.name)
            row.setToolTip(str(path))
            self.entries.append(entry)
            self.queue.addItem(row)
            self._show_status(entry)
            self.scans.add(entry)
            added.append(entry)
            self.folder_added.emit(entry)
        if added:
            self.drop_zone.set_compact(True)
            self.queue.setVisible(True)
            self.select(added[0])
            self._start_dir = str(added[-1].path.parent)
        return added

    def rescan(self, entry: FolderEntry) -> bool:
        """Scan a folder again (not while it runs or waits to run)."""
        if entry.status in (FolderStatus.RUNNING, FolderStatus.QUEUED) or self.scans.waiting(entry):
            return False
        self.scans.restart(entry)
        self._show_status(entry)
        if entry is self.current_entry():
            self._show_entry(entry)
        return True

    def confirm(self, entry: FolderEntry) -> bool:
        """The user says to use a folder that waits for confirmation: it is scanned again, with no caution."""
        if entry.status != FolderStatus.UNCONFIRMED:
            return False
        entry.confirmed = True
        return self.rescan(entry)

    def entry_for(self, path: Path) -> FolderEntry | None:
        return next((entry for entry in self.entries if entry.path == Path(path).absolute()), None)

    def current_entry(self) -> FolderEntry | None:
        row = self.queue.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def select(self, entry: FolderEntry) -> None:
        self.queue.setCurrentRow(self.entries.index(entry))

    def remove_current(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.status in (FolderStatus.RUNNING, FolderStatus.QUEUED):
            return
        row = self.entries.index(entry)
        self.entries.pop(row)
        self.queue.takeItem(row)
        self.scans.drop(entry)
        if not self.entries:
            self.drop_zone.set_compact(False)
            self.queue.setVisible(False)
            self._show_entry(None)

    def set_status(self, entry: FolderEntry, status: FolderStatus) -> None:
        entry.status = status
        self._show_status(entry)
        if entry is self.current_entry():
            self._show_header(entry)
            self._show_banner(entry)
        self.entry_updated.emit(entry)

    def set_out_dir(self, entry: FolderEntry, folder: Path) -> bool:
        """Where a dataset's embeddings go; what an earlier run left there is looked up again. False (nothing
        changed) for a folder results are never written in, such as a drive's root."""
        from localclip.core.intake import results_folder_refusal

        if (refusal := results_folder_refusal(Path(folder))) is not None:
            self.refused_out_dir = translate_message(refusal)
            if entry is self.current_entry():
                self.out_label.setText(self.refused_out_dir)
            return False
        entry.out_dir = Path(folder).absolute()
        entry.earlier = None
        if entry is self.current_entry():
            self._show_header(entry)
        scan = entry.dataset
        if scan is None:
            return True

        def look(_context: TaskContext) -> Any:
            from localclip.core.intake import earlier_embeddings

            return earlier_embeddings(entry.out_dir, scan)

        task = BackgroundTask(look, "localclip-earlier", owner=self)
        task.succeeded.connect(lambda earlier: self._on_earlier(entry, earlier))
        task.start()
        return True

    refused_out_dir = ""  # why the last results folder chosen was refused

    def refresh_earlier(self, entry: FolderEntry) -> None:
        """Look again at what earlier runs left (after a run)."""
        if entry.dataset is not None and entry.out_dir is not None:
            self.set_out_dir(entry, entry.out_dir)
        elif entry.project is not None:
            project = entry.project

            def look(_context: TaskContext) -> Any:
                from localclip.core.intake import earlier_clones

                return earlier_clones(project)

            task = BackgroundTask(look, "localclip-earlier", owner=self)
            task.succeeded.connect(lambda earlier: self._on_earlier(entry, earlier))
            task.start()

    def cancel_scans(self) -> None:
        self.scans.cancel_all(self.entries)

    @property
    def scanning(self) -> bool:
        return self.scans.busy

    def drag_hover(self, hover: bool) -> None:
        self.drop_zone.set_hover(hover)

    # -- scanning -----------------------------------------------------------------------------------------

    def _on_step(self, entry: FolderEntry, step: ScanStep) -> None:
        """Show a scan step (`FolderScans` has applied it to the entry already)."""
        from localclip.core.intake import (
            DatasetListed,
            DurationStep,
            Earlier,
            NeedsConfirmation,
            ProjectListed,
            Recognised,
            Refused,
        )

        current = entry is self.current_entry()
        match step:
            case Refused() | NeedsConfirmation() if current:
                self._show_entry(entry)
            case Earlier():
                self._show_earlier(entry)
                return
            case DatasetListed() | ProjectListed() if current:
                self._show_entry(entry)
            case DurationStep() if current:
                self._show_durations(entry, step)
        self._show_status(entry)
        if current and isinstance(step, Recognised):
            self._show_header(entry)
        self.entry_updated.emit(entry)

    def _show_durations(self, entry: FolderEntry, step: DurationStep) -> None:
        by_key = entry.speaker_index()
        # A sorted tree re-sorts on every changed cell: sort once, after the step's changes.
        sorting = self.tree.isSortingEnabled()
        self.tree.setSortingEnabled(False)
        for key in step.measured:
            summary = by_key.get(key)
            if summary is not None:
                self._show_speaker_duration(summary)
        self.tree.setSortingEnabled(sorting)
        self._add_problem_rows(step.problems)
        self._header_timer.start()  # the header follows at most a few times a second

    def _on_earlier(self, entry: FolderEntry, earlier: EarlierResults | None) -> None:
        entry.earlier = earlier
        self._show_earlier(entry)

    def _show_earlier(self, entry: FolderEntry) -> None:
        if entry is self.current_entry():
            self._show_banner(entry)
        self.entry_updated.emit(entry)

    def _on_scan_ended(self, entry: FolderEntry, error: BaseException | None) -> None:
        if error is not None:
            self._show_scan_error(entry, error)
        self._finish_scan(entry)

    def _show_scan_error(self, entry: FolderEntry, error: BaseException) -> None:
        from localclip.core.cloning.project import ProjectError
        from localclip.core.embedding.datasets import LayoutError

        if isinstance(error, LayoutError | ProjectError):
            first = error.args[0] if len(error.args) == 1 else None
            entry.mark_invalid(first if isinstance(first, str) else str(error))
        else:
            message = self.tr("The folder could not be read: {error}").format(error=translate_error(error))
            entry.mark_invalid(message, error_details(error))
        if entry is self.current_entry():
            self._show_entry(entry)

    def _finish_scan(self, entry: FolderEntry) -> None:
        self._show_status(entry)
        if entry is self.current_entry():
            self._show_header(entry)
        self.entry_updated.emit(entry)
        self.scan_finished.emit(entry)

    # -- showing an entry ---------------------------------------------------------------------------------

    def _on_current_row(self, _row: int) -> None:
        entry = self.current_entry()
        self._show_entry(entry)
        self.current_changed.emit(entry)

    def _show_entry(self, entry: FolderEntry | None) -> None:
        self._fill_timer.stop()
        self._fill.clear()
        self._speaker_items = {}
        self.tree.clear()
        self.problems.clear()
        self._problems_shown = 0
        self.details.setVisible(entry is not None)
        self.queue.setVisible(bool(self.entries))
        if entry is None:
            return
        self._show_header(entry)
        self._show_banner(entry)
        if entry.error:
            self.tree.setHeaderLabels([self.tr("Name"), "", ""])
            error = translate_message(entry.error)
            item = QTreeWidgetItem([error])
            item.setIcon(0, icon("error"))
            item.setToolTip(0, error)
            self.tree.addTopLevelItem(item)
        elif entry.dataset is not None:
            self._fill_dataset(entry)
        elif entry.project is not None:
            self._fill_project(entry)
        else:
            self.tree.setHeaderLabels([self.tr("Name"), "", ""])
        self._add_problem_rows(entry.problems)

    def _refresh_header(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self._show_header(entry)

    def _show_header(self, entry: FolderEntry) -> None:
        kind_icon = {KIND_DATASET: "dataset", KIND_PROJECT: "project"}.get(entry.kind, "folder-open")
        self.title.setText(f"<b>{_escape(entry.name)}</b>")
        self.title.setToolTip(str(entry.path))
        self.title.setAccessibleName(entry.name)
        self.summary.setText(self._summary_text(entry))
        scanning = not entry.scanned
        self.busy.setVisible(scanning)
        if scanning and entry.dataset is not None and entry.dataset.clips:
            self.busy.setRange(0, len(entry.dataset.clips))
            self.busy.setValue(entry.durations_read)
        elif scanning:
            self.busy.setRange(0, 0)  # busy indicator: the listing has no known size
        is_dataset = entry.dataset is not None
        self.out_row.setVisible(is_dataset)
        if is_dataset and entry.out_dir is not None:
            self.out_label.setText(self.tr("Results: {folder}").format(folder=entry.out_dir))
        self.out_button.setEnabled(entry.status not in (FolderStatus.RUNNING, FolderStatus.QUEUED))
        del kind_icon

    def _summary_text(self, entry: FolderEntry) -> str:
        if entry.error:
            return self.tr("This folder cannot be used.")
        if entry.caution and entry.dataset is None and entry.project is None:
            return self.tr("This folder is used only once you confirm it.")
        if entry.dataset is not None:
            scan = entry.dataset
            seconds = sum(summary.seconds for summary in entry.speakers)
            text = self.tr("Dataset ({layout}): %n speaker(s), ", "", len(entry.speakers)).format(
                layout=scan.layout
            ) + self.tr("%n clip(s)", "", len(scan.clips))
            if entry.scanned:
                text += self.tr(", {duration} in all").format(duration=format_length(seconds))
            else:
                text += self.tr(", reading durations: {done} of {total}").format(
                    done=entry.durations_read, total=len(scan.clips)
                )
            return text
        if entry.project is not None:
            summary = entry.project.summary()
            return (
                self.tr("Cloning project ({script}): %n speaker(s), ", "", summary["speakers"]).format(
                    script=summary["script"]
                )
                + self.tr("%n reference(s), ", "", summary["references"])
                + self.tr("%n line(s) to speak", "", summary["lines"])
            )
        if entry.kind == KIND_PROJECT:
            return self.tr("Cloning project: reading the references and the script…")
        if entry.kind == KIND_DATASET:
            return self.tr("Dataset: listing the clips…")
        return self.tr("Looking at the folder…")

    def _show_caution(self, entry: FolderEntry) -> None:
        waiting = entry.status == FolderStatus.UNCONFIRMED and bool(entry.caution)
        self.caution.setVisible(waiting)
        if waiting:
            self.caution.text.setText(translate_message(entry.caution))

    def _show_banner(self, entry: FolderEntry) -> None:
        self._show_caution(entry)
        earlier = entry.earlier
        idle = entry.status in (
            FolderStatus.READY,
            FolderStatus.DONE,
            FolderStatus.CANCELLED,
            FolderStatus.FAILED,
        )
        if earlier is None or not idle or not (earlier.partial or earlier.complete):
            self.banner.setVisible(False)
            return
        dataset = entry.dataset is not None
        if earlier.complete and not earlier.failed:
            text = (
                self.tr("Every clip already has its embedding (results in {folder}).").format(
                    folder=entry.out_dir
                )
                if dataset
                else self.tr("Every line has been generated.")
            )
        elif dataset:
            text = self.tr(
                "An earlier run embedded {done} of {total} clips ({failed} failed). Resume computes only the "
                "rest; Start over computes every clip again."
            ).format(done=earlier.done, total=earlier.total, failed=earlier.failed)
        else:
            text = self.tr(
                "An earlier run generated {done} of {total} lines ({failed} failed). Resume generates the "
                "rest; nothing generated is overwritten."
            ).format(done=earlier.done, total=earlier.total, failed=earlier.failed)
        self.banner.text.setText(text)
        self.banner.resume.setVisible(earlier.partial or earlier.failed > 0)
        self.banner.start_over.setVisible(dataset)
        self.banner.results.setVisible(earlier.done > 0)
        self.banner.results.setText(self.tr("Show res&ults") if dataset else self.tr("&Go to review"))
        self.banner.setVisible(True)

    def _show_status(self, entry: FolderEntry) -> None:
        if entry not in self.entries:
            return
        row = self.queue.item(self.entries.index(entry))  # the list's rows follow self.entries
        labels = {
            FolderStatus.SCANNING: self.tr("scanning…"),
            FolderStatus.READY: self.tr("ready"),
            FolderStatus.INVALID: self.tr("cannot be used"),
            FolderStatus.UNCONFIRMED: self.tr("needs your confirmation"),
            FolderStatus.QUEUED: self.tr("waiting to run"),
            FolderStatus.RUNNING: self.tr("running"),
            FolderStatus.DONE: self.tr("done"),
            FolderStatus.CANCELLED: self.tr("cancelled"),
            FolderStatus.FAILED: self.tr("finished with failures"),
        }
        kind = {KIND_DATASET: self.tr("dataset"), KIND_PROJECT: self.tr("project")}.get(entry.kind, "")
        status = labels[entry.status]
        row.setText(f"{entry.name}  —  {kind}, {status}" if kind else f"{entry.name}  —  {status}")
        names = {
            FolderStatus.INVALID: "error",
            FolderStatus.UNCONFIRMED: "warning",
            FolderStatus.RUNNING: "run",
            FolderStatus.DONE: "ok",
            FolderStatus.FAILED: "warning",
        }
        default = {KIND_DATASET: "dataset", KIND_PROJECT: "project"}.get(entry.kind, "folder-open")
        row.setIcon(icon(names.get(entry.status, default)))

    def _fill_dataset(self, entry: FolderEntry) -> None:
        scan = entry.dataset
        assert scan is not None
        self.tree.setHeaderLabels([self.tr("Speaker"), self.tr("Clips"), self.tr("Duration")])
        nested = scan.layout != "speaker/clip"
        parents: dict[str, QTreeWidgetItem] = {}
        for summary in entry.speakers:
            parent = None
            if nested:
                parent = parents.get(summary.dataset)
                if parent is None:
                    clips = sum(s.clips for s in entry.speakers if s.dataset == summary.dataset)
                    parent = parents[summary.dataset] = _row(summary.dataset, clips)
                    parent.setIcon(0, icon("dataset"))
                    self._fill.append((None, parent))
            item = _row(summary.speaker, summary.clips)
            item.setIcon(0, icon("speaker"))
            self._speaker_items[summary.key] = item
            self._show_speaker_duration(summary)
            self._fill.append((parent, item))
        self._start_fill()

    def _show_speaker_duration(self, summary: SpeakerSummary) -> None:
        item = self._speaker_items.get(summary.key)
        if item is None or not summary.measured:
            return
        item.setData(2, DISPLAY, summary.seconds)
        if summary.measured < summary.clips:
            item.setToolTip(
                2,
                self.tr("Reading the durations: {done} of {total} clips").format(
                    done=summary.measured, total=summary.clips
                ),
            )
        elif summary.unreadable:
            item.setIcon(2, icon("warning"))
            item.setToolTip(
                2, self.tr("%n clip(s) could not be read: see the problems below", "", summary.unreadable)
            )
        else:
            item.setToolTip(2, "")

    def _fill_project(self, entry: FolderEntry) -> None:
        self.tree.setHeaderLabels([self.tr("Speaker / reference"), self.tr("Lines"), self.tr("Duration")])
        for speaker in entry.project_speakers:
            total = sum(seconds for _, seconds in speaker.references)
            item = _row(speaker.name, speaker.lines, total)
            item.setIcon(0, icon("speaker"))
            self._fill.append((None, item))
            for name, seconds in speaker.references:
                child = _row(name, None, seconds)
                child.setIcon(0, icon("audio"))
                self._fill.append((item, child))
        self._start_fill()

    def _start_fill(self) -> None:
        self.tree.setSortingEnabled(False)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font: sizing to contents would measure every row on every change.
        # (plus room for the warning icon a speaker with a problem shows)
        metrics = self.tree.fontMetrics()  # (an icon is about a line high; iconSize() is unset here)
        digits = metrics.horizontalAdvance("0000000") + metrics.height() + 12
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(digits, header.sectionSizeHint(column)))
        header.setStretchLastSection(False)
        self._fill_some()
        if self._fill:
            self._fill_timer.start()

    def _fill_some(self) -> None:
        top: list[QTreeWidgetItem] = []
        for _ in range(min(FILL_PER_TICK, len(self._fill))):
            parent, item = self._fill.popleft()
            if parent is None:
                top.append(item)
            else:
                parent.addChild(item)
        if top:
            self.tree.addTopLevelItems(top)
        if not self._fill:
            self._fill_timer.stop()
            if self.tree.topLevelItemCount() <= 50:
                self.tree.expandAll()
            self.tree.setSortingEnabled(True)
            self.tree.sortByColumn(0, Qt.SortOrder.AscendingOrder)

    def _add_problem_rows(self, problems: list[FolderProblem]) -> None:
        room = max(0, PROBLEMS_SHOWN - self._problems_shown)
        rows = []
        for problem in problems[:room]:
            message = translate_message(problem.message)
            row = QTreeWidgetItem([problem.file, message])
            row.setIcon(0, icon("warning"))
            row.setToolTip(1, message)
            row.setToolTip(0, problem.file)
            rows.append(row)
        self.problems.addTopLevelItems(rows)
        self._problems_shown += len(rows)
        entry = self.current_entry()
        total = len(entry.problems) if entry else 0
        if total == 0:
            self.problems_title.setText(self.tr("No problems found"))
        elif total > self._problems_shown:
            self.problems_title.setText(
                self.tr("Problems ({total}; the first {shown} are listed)").format(
                    total=total, shown=self._problems_shown
                )
            )
        else:
            self.problems_title.setText(self.tr("Problems ({total})").format(total=total))
        if rows:  # the file names in full, up to half the list's width (elided in the middle beyond)
            self.problems.resizeColumnToContents(0)
            half = max(120, self.problems.viewport().width() // 2)
            self.problems.setColumnWidth(0, min(self.problems.columnWidth(0), half))

    # -- helpers ------------------------------------------------------------------------------------------

    def _emit_for_current(self, signal: Any) -> None:
        entry = self.current_entry()
        if entry is not None:
            signal.emit(entry)

    def _confirm_current(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.confirm(entry)

    def _rescan_current(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.rescan(entry)

    def _choose_out_dir(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.dataset is None:
            return
        start = str(entry.out_dir or entry.path.parent)
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Where the embeddings go"), start)
        if chosen:
            self.set_out_dir(entry, Path(chosen))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
