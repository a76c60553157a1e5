"""The main window: folders in on the left with the GPUs and the settings, the run's workers, log, review
and speaker results in the middle.

```
┌ File  Run  View  Tools  Help ─────────────────────────────────────────────────────────────┐
│ [Open folder] [Run] [Cancel]                               [Check workers] [Manage models] │
├─────────────────────────────┬──────────────────────────────────────────────────────────────┤
│ Folder | Settings           │ what runs now                        [overall progress, ETA] │
│  drop zone, queue,          │ Workers | Log | Review | Speakers                            │
│  content tree, problems     │                                                              │
│─────────────────────────────│                                                              │
│ GPU panel                   │                                                              │
└─────────────────────────────┴──────────────────────────────────────────────────────────────┘
```

The window never waits: scans, NVML readings and model checks run on worker threads, runs report through
signals (``gui.run_control``). The run views (worker panes, log, review, speakers) import the run and
model modules, which take most of a second; they are imported on a thread after the window shows and
built when that is done, so the window is on screen quickly.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from localclip import __version__
from localclip.core.kinds import KIND_DATASET, KIND_PROJECT, JobKind
from localclip.core.machine.gpus import GpuReport
from localclip.core.machine.plan import WorkerPlan, plan_workers
from localclip.core.options import (
    FISH_MODEL_DIR,
    LAST_FOLDER,
    MODEL_MANAGER_OFFERED,
    RUN_DEVICE,
    WESPEAKER_MODEL_DIR,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    WORKSPACE_CURRENT,
    WORKSPACE_FOLDERS,
    WORKSPACE_SIDE_TAB,
    WORKSPACE_TAB,
)
from localclip.core.paths import resources_dir
from localclip.gui import shortcuts
from localclip.gui.errors import show_error
from localclip.gui.gpu_panel import GpuPanel, GpuReader
from localclip.gui.icons import icon
from localclip.gui.intake import IntakeView, folders_from_mime
from localclip.gui.settings_panel import SettingsPanel
from localclip.runs.background import run_in_background
from localclip.runs.folders import FolderEntry, FolderStatus
from localclip.runs.queue import RunController, RunState
from localclip.runs.report import RunReport
from localclip.runs.setup import cluster_plan, cluster_target
from localclip.settings import Settings

# Imported on a thread after the window shows (see the module's docstring).
VIEW_MODULES = (
    "localclip.gui.worker_panes",
    "localclip.gui.log_panel",
    "localclip.gui.review",
    "localclip.gui.speaker_map",
    "localclip.runs.setup",
    "localclip.core.intake",
)
TABS = ("workers", "log", "review", "speakers")
SIDE_TABS = ("folder", "settings")
CLOSE_TIMEOUT_MS = 20_000  # workers that have not stopped by then are left to the pool's kill timers
# The first window: this size where the screen has room, else the share of the available screen below.
FIRST_SIZE = (1280, 800)
SCREEN_SHARE = 0.92
MINIMUM_SIZE = (960, 600)  # lowered to what the screen has (1280x720 at 150 %: 853x480)
VIEW_MINIMUM_HEIGHT = 240  # the run views may be made this low, where their layouts allow it
LEFT_SHARE = 0.38  # of the window's width, for the folder lists, the settings and the GPUs


class MainWindow(QMainWindow):
    scan_finished = Signal(object)  # FolderEntry: a folder's scan is complete (or it was found unusable)
    run_started = Signal(object)  # FolderEntry
    run_finished = Signal(object)  # RunReport.to_dict(), with "folder", "kind" and "status"
    probe_finished = Signal(object)  # the worker check's summary
    views_ready = Signal()  # the run views (panes, log, review, speakers) exist

    def __init__(
        self,
        settings: Settings | None = None,
        gpu_reader: GpuReader | None = None,
        offer_model_manager: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings or Settings()
        self.setWindowTitle("LocalClip")
        self.setWindowIcon(icon("localclip"))
        self.setAcceptDrops(True)
        self.setStyleSheet(load_style())
        self._offer_model_manager = offer_model_manager
        self._close_ready = False
        self._title_is_result = False  # the run header shows the last run's outcome (until a new run)
        self._close_waits: set[str] = set()
        self.worker_panes: Any = None
        self.run_progress: Any = None
        self.log_panel: Any = None
        self.review: Any = None
        self.speakers: Any = None
        self.model_manager: Any = None
        self.shortcuts_dialog: Any = None
        self._restoring = False  # the last session's folders are being opened again (not by the user)
        self._review_when_scanned: set[FolderEntry] = set()  # opened by the user: a finished project shows
        self._restored_results: FolderEntry | None = None  # the restored folder whose results tab was shown
        self._pending_tab = ""  # the restored run tab, shown once the run views exist
        self._pending_log: list[str] = []  # log lines from before the log existed
        self.probe_results: dict[str, dict[str, Any]] = {}
        self.controller = RunController(self.settings, self._fresh_gpu_report, self)
        self.intake = IntakeView()
        self.intake.set_start_dir(self.settings.get(LAST_FOLDER))
        self.settings_panel = SettingsPanel(self.settings)
        self.gpu_panel = GpuPanel(gpu_reader, self._plan_for_current)
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.setCentralWidget(self._build_central())
        self.state_label = QLabel()
        self.statusBar().addPermanentWidget(self.state_label)
        self.statusBar().showMessage(self.tr("Drop a folder to begin"))
        self._connect()
        self._restore_layout()
        self._update_actions()
        QTimer.singleShot(0, self._after_show)

    # -- building -----------------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(text: str, name: str, shortcut: Any = None, tip: str = "") -> QAction:
            made = QAction(icon(name), text, self) if name else QAction(text, self)
            if shortcut is not None:
                made.setShortcut(QKeySequence(shortcut))
            if tip:
                made.setToolTip(tip)
                made.setStatusTip(tip)
            return made

        self.open_action = action(
            self.tr("&Open folder…"),
            "folder-open",
            shortcuts.OPEN_FOLDER,
            self.tr("Open a dataset folder or a cloning project folder (Ctrl+O)"),
        )
        self.open_action.triggered.connect(self.intake.browse)
        self.run_action = action(
            self.tr("&Run"),
            "run",
            shortcuts.RUN,
            self.tr("Run every folder that is ready, one after another (F5)"),
        )
        self.run_action.triggered.connect(lambda: self.start_run())
        self.cancel_action = action(
            self.tr("&Cancel"),
            "cancel",
            shortcuts.CANCEL_RUN,
            self.tr("Stop the run; what is finished is kept (Shift+F5)"),
        )
        self.cancel_action.triggered.connect(self.cancel_run)
        self.probe_action = action(
            self.tr("Check &workers"),
            "check-workers",
            None,
            self.tr("Start every planned worker once and report what it can do"),
        )
        self.probe_action.triggered.connect(self.start_probe)
        self.models_action = action(
            self.tr("Manage &models…"), "models", None, self.tr("Download models, or check the ones you have")
        )
        self.models_action.triggered.connect(self.open_model_manager)
        self.quit_action = action(self.tr("&Quit"), "", shortcuts.QUIT)
        self.quit_action.triggered.connect(self.close)
        self.about_action = action(self.tr("&About LocalClip"), "localclip")
        self.about_action.triggered.connect(self._about)
        self.shortcuts_action = action(self.tr("&Keyboard shortcuts"), "", shortcuts.SHOW_SHORTCUTS)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.clear_recent_action = action(self.tr("&Clear the list"), "")
        self.clear_recent_action.triggered.connect(self._clear_recent)
        self.tab_actions: dict[str, QAction] = {}
        names = {
            "folder": self.tr("&Folder"),
            "settings": self.tr("&Settings"),
            "workers": self.tr("&Workers"),
            "log": self.tr("&Log"),
            "review": self.tr("Re&view"),
            "speakers": self.tr("S&peakers"),
        }
        for key, name in zip(shortcuts.TAB_KEYS, (*SIDE_TABS, *TABS), strict=True):
            made = action(names[name], "", key)
            made.triggered.connect(lambda _checked=False, name=name: self.show_tab(name))
            self.tab_actions[name] = made

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("&File"))
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        # Filled with the review's Undo and Redo once the run views exist (they act on its edits).
        self.edit_menu = menus.addMenu(self.tr("&Edit"))
        self.edit_menu.setEnabled(False)
        run_menu = menus.addMenu(self.tr("&Run"))
        run_menu.addAction(self.run_action)
        run_menu.addAction(self.cancel_action)
        view_menu = menus.addMenu(self.tr("&View"))
        for name in SIDE_TABS:
            view_menu.addAction(self.tab_actions[name])
        view_menu.addSeparator()
        for name in TABS:
            view_menu.addAction(self.tab_actions[name])
        tools_menu = menus.addMenu(self.tr("&Tools"))
        tools_menu.addAction(self.probe_action)
        tools_menu.addAction(self.models_action)
        help_menu = menus.addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Main"))
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.open_action)
        bar.addSeparator()
        bar.addAction(self.run_action)
        bar.addAction(self.cancel_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction(self.probe_action)
        bar.addAction(self.models_action)
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_central(self) -> QWidget:
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        # Tabs take no access keys: Ctrl+1..6 and the View menu reach them, and the letters are needed by
        # the controls of the two pages shown at once (tests/test_gui.py checks that none is shared).
        self.side_tabs.addTab(self.intake, icon("folder-open"), self.tr("Folder"))
        self.side_tabs.addTab(self.settings_panel, icon("settings"), self.tr("Settings"))
        self.left_split = QSplitter(Qt.Orientation.Vertical)
        self.left_split.setObjectName("leftSplit")
        self.left_split.setChildrenCollapsible(False)
        self.left_split.addWidget(self.side_tabs)
        self.left_split.addWidget(self.gpu_panel)
        self.left_split.setStretchFactor(0, 1)
        self.left_split.setStretchFactor(1, 0)
        self.run_title = QLabel()
        self.run_title.setObjectName("runTitle")
        self.run_title.setWordWrap(True)
        self.progress_box = QHBoxLayout()
        self.progress_box.setContentsMargins(0, 0, 0, 0)
        header = QWidget()
        header.setObjectName("runHeader")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(10, 8, 10, 8)
        header_layout.setSpacing(6)
        header_layout.addWidget(self.run_title)
        header_layout.addLayout(self.progress_box)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("runTabs")
        self.tabs.setDocumentMode(True)
        placeholders = {
            "workers": (self.tr("Workers"), "cpu"),
            "log": (self.tr("Log"), "settings"),
            "review": (self.tr("Review"), "audio"),
            "speakers": (self.tr("Speakers"), "speaker"),
        }
        for name in TABS:
            text, name_icon = placeholders[name]
            waiting = QLabel(self.tr("Loading…"))
            waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
            waiting.setEnabled(False)
            self.tabs.addTab(waiting, icon(name_icon), text)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(header)
        right_layout.addWidget(self.tabs, 1)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.setObjectName("mainSplit")
        self.main_split.setChildrenCollapsible(False)
        self.main_split.addWidget(self.left_split)
        self.main_split.addWidget(right)
        # Both sides grow with the window: the left column's lists (folders, content, problems) need the
        # room as much as the run views, which stay idle until a run.
        self.main_split.setStretchFactor(0, 2)
        self.main_split.setStretchFactor(1, 3)
        self.side_tabs.setMinimumWidth(300)
        right.setMinimumWidth(420)
        self.left_split.setSizes([600, 170])
        return self.main_split

    def _connect(self) -> None:
        intake = self.intake
        intake.current_changed.connect(self._on_current_changed)
        intake.entry_updated.connect(lambda _entry: self._update_actions())
        intake.scan_finished.connect(self._on_scan_finished)
        intake.resume_requested.connect(lambda entry: self.start_run([entry]))
        intake.start_over_requested.connect(self._start_over)
        intake.results_requested.connect(self.show_results)
        intake.folder_added.connect(self._on_folder_added)
        c = self.controller
        c.state_changed.connect(lambda _state: self._update_actions())
        c.entry_status.connect(lambda entry, status: self.intake.set_status(entry, FolderStatus(status)))
        c.run_starting.connect(self._on_run_starting)
        c.run_started.connect(self._on_run_started)
        c.run_finished.connect(self._on_run_finished)
        c.pool_released.connect(self._on_pool_released)
        c.probe_started.connect(self._on_probe_started)
        c.probe_finished.connect(self._on_probe_finished)
        c.message.connect(self._say)
        c.problem.connect(self._log)
        c.error.connect(lambda title, message, details: show_error(self, title, message, details))
        c.stopped.connect(lambda: self._close_step_done("runs"))
        self.settings_panel.changed.connect(self._on_settings_changed)
        self.settings_panel.models_changed.connect(self._update_actions)
        self.settings_panel.manage_models_requested.connect(self.open_model_manager)

    def _after_show(self) -> None:
        self.gpu_panel.start()
        self.restore_workspace()
        run_in_background(
            _import_views,
            lambda _result: self.ensure_views(),
            self._views_failed,
            "localclip-views",
            owner=self,
        )
        if self._offer_model_manager and self._should_offer_models():
            self.settings.set(MODEL_MANAGER_OFFERED, True)
            QTimer.singleShot(0, self.open_model_manager)

    # -- the run views (built once their modules are imported) -------------------------------------------

    def ensure_views(self) -> None:
        """Build the worker panes, log, overall progress, review and speaker views (once)."""
        if self.worker_panes is not None:
            return
        from localclip.gui.log_panel import LogPanel
        from localclip.gui.review import ReviewView
        from localclip.gui.speaker_map import SpeakerResultsView
        from localclip.gui.worker_panes import RunProgressWidget, WorkerPanesView

        self.worker_panes = WorkerPanesView()
        self.log_panel = LogPanel()
        self.run_progress = RunProgressWidget()
        self.review = ReviewView(self.settings)
        self.speakers = SpeakerResultsView()
        self.progress_box.addWidget(self.run_progress, 1)
        self.run_progress.setVisible(False)  # until the first run
        views = {
            "workers": self.worker_panes,
            "log": self.log_panel,
            "review": self.review,
            "speakers": self.speakers,
        }
        for view in views.values():
            # A pane's own minimum may be larger than its layout needs; on a short screen (1280x720 at
            # 150 %) the window keeps to the screen with each pane at what its layout needs.
            needed = max(view.minimumSizeHint().height(), VIEW_MINIMUM_HEIGHT)
            view.setMinimumHeight(min(view.minimumHeight(), needed))
        for index, name in enumerate(TABS):
            text, tab_icon = self.tabs.tabText(index), self.tabs.tabIcon(index)
            old = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, views[name], tab_icon, text)
            old.deleteLater()
        self.tabs.setCurrentIndex(TABS.index(self._pending_tab) if self._pending_tab in TABS else 0)
        self._pending_tab = ""
        for line in self._pending_log:
            self.log_panel.add_message(line)
        self._pending_log.clear()
        self.worker_panes.worker_log_requested.connect(self._show_worker_log)
        self.review.message.connect(self._say)
        self.speakers.message.connect(self._log)
        self.review.pool_changed.connect(self._on_review_pool)
        self.edit_menu.addAction(self.review.undo_action())
        self.edit_menu.addAction(self.review.redo_action())
        self.edit_menu.setEnabled(True)
        self.review.workers_stopped.connect(lambda: self._close_step_done("review"))
        self.views_ready.emit()

    def _views_failed(self, error: BaseException) -> None:
        show_error(
            self,
            self.tr("LocalClip"),
            self.tr("Part of the window could not be loaded: {error}").format(error=error),
            str(error),
        )

    # -- public API (the lead's screenshots and the tests drive the window through these) ---------------

    def open_folders(self, folders: list[Path]) -> list[FolderEntry]:
        """Queue folders as if they were dropped; each is scanned (``scan_finished`` per folder). A project
        whose lines are all generated opens in the review once scanned."""
        paths = [Path(folder) for folder in folders]
        added = self.intake.add_folders(paths)
        if not self._restoring:
            for path in paths:  # a folder opened again is scanned again: it may show its review then
                entry = self.intake.entry_for(path)
                if entry is not None:
                    self._review_when_scanned.add(entry)
        return added

    def open_recent(self, folder: Path) -> bool:
        """Open a folder of File > Open recent; one gone since is taken off the list (False)."""
        folder = Path(folder)
        if not folder.is_dir():
            self.settings.forget_recent_folders([folder])
            self._fill_recent_menu()
            self._say(self.tr("{folder} no longer exists: taken off the recent list").format(folder=folder))
            return False
        self.open_folders([folder])
        return True

    def show_shortcuts(self) -> None:
        """Help > Keyboard shortcuts (non-modal)."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = shortcuts.ShortcutsDialog(self)
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()

    def save_workspace(self) -> None:
        """The folder list, the folder shown and the tabs, for the next start (on close)."""
        self.settings.set_paths(WORKSPACE_FOLDERS, [entry.path for entry in self.intake.entries])
        current = self.intake.current_entry()
        self.settings.set(WORKSPACE_CURRENT, str(current.path) if current is not None else "")
        self.settings.set(WORKSPACE_SIDE_TAB, SIDE_TABS[max(0, self.side_tabs.currentIndex())])
        self.settings.set(WORKSPACE_TAB, TABS[max(0, self.tabs.currentIndex())])

    def restore_workspace(self) -> list[FolderEntry]:
        """Open the last session's folders again and show its folder and tabs. A folder gone since is
        dropped with a line in the log (nothing to answer: the rest of the workspace is still there)."""
        folders = self.settings.get_paths(WORKSPACE_FOLDERS)
        present = [folder for folder in folders if folder.is_dir()]
        for folder in folders:
            if folder not in present:
                self._log(
                    self.tr("{folder} is gone since the last session: dropped from the list").format(
                        folder=folder
                    )
                )
        self._restoring = True
        try:
            added = self.open_folders(present) if present else []
        finally:
            self._restoring = False
        current = self.intake.entry_for(Path(self.settings.get(WORKSPACE_CURRENT) or "."))
        if current is not None and self.settings.get(WORKSPACE_CURRENT):
            self.intake.select(current)
        side = self.settings.get(WORKSPACE_SIDE_TAB)
        if side in SIDE_TABS:
            self.side_tabs.setCurrentIndex(SIDE_TABS.index(side))
        tab = self.settings.get(WORKSPACE_TAB)
        if tab in TABS:
            if self.worker_panes is None:
                self._pending_tab = tab
            else:
                self.show_tab(tab)
            if tab in ("review", "speakers") and current is not None:
                self._restored_results = current  # its results show once its scan says what it is
        return added

    def start_run(self, entries: list[FolderEntry] | None = None, skip_existing: bool = True) -> bool:
        """Run ``entries`` (default: every folder that is ready, else the one shown). False: nothing ran."""
        targets = entries if entries is not None else self.run_targets()
        if not targets:
            return False
        self.ensure_views()
        return self.controller.start(targets, skip_existing)

    def cancel_run(self) -> None:
        self.controller.cancel()

    def start_probe(self) -> bool:
        """Check the workers: the probe job on every planned worker (``probe_finished`` at the end)."""
        self.ensure_views()
        return self.controller.start_probe()

    def show_tab(self, name: str) -> None:
        """One of "folder", "settings" (left) or "workers", "log", "review", "speakers" (middle)."""
        if name in SIDE_TABS:
            self.side_tabs.setCurrentIndex(SIDE_TABS.index(name))
            self.side_tabs.currentWidget().setFocus()
        else:
            self.tabs.setCurrentIndex(TABS.index(name))

    def show_results(self, entry: FolderEntry) -> None:
        """A dataset's speaker results, or a project's review."""
        self.ensure_views()
        if entry.kind == KIND_DATASET and entry.out_dir is not None:
            self.speakers.show_results(entry.out_dir)
            self.show_tab("speakers")
        elif entry.kind == KIND_PROJECT:
            if self.review.project != entry.path:
                self.review.open_project(entry.path)
            self.show_tab("review")

    def run_targets(self) -> list[FolderEntry]:
        ready = [
            e
            for e in self.intake.entries
            if e.usable and e.status in (FolderStatus.READY, FolderStatus.CANCELLED)
        ]
        if ready:
            return ready
        current = self.intake.current_entry()
        return (
            [current]
            if current is not None and current.usable and current.status != FolderStatus.RUNNING
            else []
        )

    @property
    def pool(self) -> Any:
        """The pool of the run or worker check under way (None when idle)."""
        return self.controller.pool

    def ask(self, title: str, text: str, yes: str) -> bool:
        """A yes/no question (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes_button

    # -- folders ------------------------------------------------------------------------------------------

    def _on_folder_added(self, entry: FolderEntry) -> None:
        self._title_is_result = False
        if self._restoring:
            return  # the last session's folder: not a new choice of the user's
        self.settings.set(LAST_FOLDER, str(entry.path.parent))
        self.settings.add_recent_folder(entry.path)
        self._review_when_scanned.add(entry)  # browsed and dropped folders come here too
        self._fill_recent_menu()
        self.show_tab("folder")
        self._log(self.tr("Opened {folder}").format(folder=entry.path))

    def _fill_recent_menu(self) -> None:
        """The recent folders, newest first; one missing now is shown disabled (picked, it is dropped)."""
        menu: QMenu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_folders()
        for number, folder in enumerate(recent, start=1):
            # Numbered access keys: one per entry, none shared with "Clear the list".
            text = f"&{number} {folder.name or folder}"
            made = menu.addAction(text)
            made.setToolTip(str(folder))
            made.setStatusTip(str(folder))
            made.setData(str(folder))
            if not folder.is_dir():
                made.setEnabled(False)
                made.setText(self.tr("{name} (missing)").format(name=text))
            made.triggered.connect(lambda _checked=False, folder=folder: self.open_recent(folder))
        if recent:
            menu.addSeparator()
        menu.addAction(self.clear_recent_action)
        self.clear_recent_action.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self.settings.forget_recent_folders(self.settings.recent_folders())
        self._fill_recent_menu()

    def _on_scan_finished(self, entry: FolderEntry) -> None:
        self._update_actions()
        self.gpu_panel.set_planner(self._plan_for_current)
        if entry.error:
            self._say(self.tr("{name} cannot be used: {error}").format(name=entry.name, error=entry.error))
        else:
            self._say(self.tr("{name} is ready to run").format(name=entry.name))
        self._show_finished_results(entry)
        self.scan_finished.emit(entry)

    def _show_finished_results(self, entry: FolderEntry) -> None:
        """A project the user just opened with every line generated goes straight to the review; the
        last session's folder shows the results tab it showed then."""
        opened = entry in self._review_when_scanned
        self._review_when_scanned.discard(entry)
        restored = entry is self._restored_results
        if restored:
            self._restored_results = None
        if entry.error or entry is not self.intake.current_entry() or self.controller.busy:
            return
        earlier = entry.earlier
        finished = entry.kind == KIND_PROJECT and earlier is not None and earlier.complete
        if (opened and finished) or (restored and earlier is not None and earlier.done > 0):
            self.show_results(entry)

    def _on_current_changed(self, _entry: FolderEntry | None) -> None:
        self.gpu_panel.set_planner(self._plan_for_current)
        self._update_actions()

    def _start_over(self, entry: FolderEntry) -> None:
        if self.ask(
            self.tr("Start over"),
            self.tr(
                "Compute the embedding of every clip of {name} again? The results already there are replaced."
            ).format(name=entry.name),
            self.tr("Start over"),
        ):
            self.start_run([entry], skip_existing=False)

    # -- drag and drop (the whole window is a drop target) -----------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if folders_from_mime(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)  # never a move: nothing of the user's is touched
            event.accept()
            self.intake.drag_hover(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.intake.drag_hover(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.intake.drag_hover(False)
        folders = folders_from_mime(event.mimeData())
        if not folders:
            event.ignore()
            self._say(self.tr("Drop folders, not files: a dataset folder or a cloning project folder"))
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        QTimer.singleShot(0, lambda: self.open_folders(folders))  # the drag source is not kept waiting

    # -- runs ---------------------------------------------------------------------------------------------

    def _on_run_starting(self, _entry: FolderEntry) -> None:
        """A run plans the GPUs' memory as its own: the review's warm worker goes first."""
        if self.review is not None:
            self.review.release_workers()

    def _on_run_started(self, entry: FolderEntry, prepared: Any) -> None:
        run = prepared.run
        self.worker_panes.attach_run(run)
        self.log_panel.attach_run(run)
        self.run_progress.attach_run(run)
        self.run_progress.setVisible(True)
        self.gpu_panel.set_running_plan(prepared.plan)
        remote = getattr(prepared.pool, "remote_workers_changed", None)  # a run on a cluster
        if remote is not None:
            remote.connect(self.gpu_panel.show_remote)
        if entry.kind == KIND_PROJECT and self.review.project == entry.path:
            self.review.set_editing_enabled(False, self.tr("A run of this project is going on"))
        what = self.tr("Embedding") if entry.kind == KIND_DATASET else self.tr("Cloning")
        self.run_title.setText(self.tr("{what} {name}").format(what=what, name=entry.name))
        self._log(
            self.tr("{what} {folder} with {python}").format(
                what=what, folder=entry.path, python=prepared.python
            )
        )
        for line in prepared.plan.explanation:
            self._log("  " + line)
        self.show_tab("workers")
        self.run_started.emit(entry)

    def _on_run_finished(self, entry: FolderEntry, report: RunReport) -> None:
        self.worker_panes.detach()
        self.log_panel.detach()
        self.run_progress.detach()
        self.gpu_panel.set_running_plan(None)
        self.gpu_panel.show_remote(())
        self.intake.refresh_earlier(entry)
        self.run_title.setText(self.statusBar().currentMessage())
        self._title_is_result = True
        self._log(self.statusBar().currentMessage())
        if not report.cancelled_run and not report.setup_error:
            if entry.kind == KIND_DATASET and entry.out_dir is not None:
                self.speakers.show_results(entry.out_dir)
                self.show_tab("speakers")
            elif entry.kind == KIND_PROJECT:
                self.review.set_editing_enabled(True)
                if self.review.project != entry.path:
                    self.review.open_project(entry.path)
                else:
                    self.review.refresh()
                self.show_tab("review")
        elif entry.kind == KIND_PROJECT:
            self.review.set_editing_enabled(True)
        self.run_finished.emit(report.to_dict())

    def _on_pool_released(self, entry: FolderEntry, pool: Any) -> None:
        """A finished clone run's warm workers go to the review, for new takes without a new start."""
        if self.review.project != entry.path:
            self.review.open_project(entry.path)
        self.review.adopt_pool(pool)

    def _on_review_pool(self, pool: Any) -> None:
        if pool is not None and not self.controller.busy:
            self.worker_panes.attach(pool)
            self.log_panel.attach(pool)

    def _on_probe_started(self, pool: Any) -> None:
        self.worker_panes.attach(pool)
        self.log_panel.attach(pool)
        self.run_progress.attach_pool(pool)
        self.run_progress.setVisible(True)
        self.run_title.setText(self.tr("Checking the workers"))
        self.show_tab("workers")

    def _on_probe_finished(self, summary: dict[str, Any], results: dict[str, dict[str, Any]]) -> None:
        self.probe_results = results
        self.worker_panes.detach()
        self.log_panel.detach()
        self.run_progress.detach()
        for worker, result in sorted(results.items()):
            self._log(describe_probe(worker, result))
        self.run_title.setText(self.statusBar().currentMessage())
        self._title_is_result = True
        self.probe_finished.emit(summary)

    def _show_worker_log(self, worker_id: str) -> None:
        self.log_panel.set_worker_filter(worker_id)
        self.show_tab("log")

    # -- plans, settings, models --------------------------------------------------------------------------

    def _fresh_gpu_report(self) -> GpuReport | None:
        return self.gpu_panel.report

    def _plan_for_current(self, report: GpuReport) -> WorkerPlan:
        """What a run of the folder at hand would start here, or the cluster it would go to (raises
        ValueError, with the reason, when none can start)."""
        target = cluster_target(self.settings)
        if target is not None:
            return cluster_plan(target)
        entry = self.intake.current_entry()
        device = self.settings.get(RUN_DEVICE)
        if entry is not None and entry.kind == KIND_DATASET:
            clips = len(entry.dataset.clips) if entry.dataset is not None else None
            return plan_workers(
                report, JobKind.EMBED.plan_settings(self.settings), work_items=clips, device=device
            )
        lines = len(entry.project.lines) if entry is not None and entry.project is not None else None
        return plan_workers(
            report, JobKind.CLONE.plan_settings(self.settings), work_items=lines, device=device
        )

    def _on_settings_changed(self) -> None:
        self.gpu_panel.set_planner(self._plan_for_current)
        self._update_actions()

    def _should_offer_models(self) -> bool:
        no_models = not self.settings.get(WESPEAKER_MODEL_DIR) and not self.settings.get(FISH_MODEL_DIR)
        return no_models and not self.settings.get(MODEL_MANAGER_OFFERED)

    def open_model_manager(self) -> None:
        """The model manager (non-modal); the settings panel shows what it chose."""
        from localclip.gui.model_manager import ModelManagerDialog

        if self.model_manager is None:
            self.model_manager = ModelManagerDialog(self.settings, self)
            self.model_manager.model_used.connect(lambda _kind, _folder: self.settings_panel.reload())
            self.model_manager.finished.connect(lambda _result: self.settings_panel.reload())
        self.model_manager.show()
        self.model_manager.raise_()
        self.model_manager.activateWindow()

    # -- status -------------------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        state = self.controller.state
        busy = self.controller.busy
        self.run_action.setEnabled(not busy and bool(self.run_targets()))
        self.cancel_action.setEnabled(state in (RunState.PREPARING, RunState.RUNNING))
        self.probe_action.setEnabled(not busy)
        labels = {
            RunState.IDLE: self.tr("Idle"),
            RunState.PREPARING: self.tr("Preparing"),
            RunState.RUNNING: self.tr("Running"),
            RunState.CANCELLING: self.tr("Cancelling"),
            RunState.FINISHING: self.tr("Finishing"),
            RunState.STOPPING: self.tr("Stopping"),
        }
        self.state_label.setText(labels[state])
        if not busy and not self._title_is_result:
            self.run_title.setText(self._idle_title())

    def _idle_title(self) -> str:
        targets = self.run_targets()
        if not targets:
            return self.tr("Nothing to run yet: drop a dataset or a cloning project folder on the window.")
        return self.tr("Ready to run: %n folder(s). Press Run (F5).", "", len(targets))

    def _say(self, text: str) -> None:
        self.statusBar().showMessage(text)

    def _log(self, text: str) -> None:
        if self.log_panel is not None:
            self.log_panel.add_message(text)
        else:
            self._pending_log.append(text)  # shown when the log is built

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About LocalClip"),
            self.tr(
                "<b>LocalClip {version}</b><p>Speaker embeddings and voice cloning on your own GPUs, for "
                "video editors.</p>"
            ).format(version=__version__),
        )

    # -- layout memory and closing ------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        available = self._available_screen()
        # Within the screen's share: the frame (unknown before the window shows) must fit too.
        self.setMinimumSize(
            min(MINIMUM_SIZE[0], round(available.width() * SCREEN_SHARE)),
            min(MINIMUM_SIZE[1], round(available.height() * SCREEN_SHARE)),
        )
        geometry = self.settings.get(WINDOW_GEOMETRY)
        if not geometry or not self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii"))):
            self._first_geometry(available)
        elif self.width() > available.width() or self.height() > available.height():
            self._first_geometry(available)  # saved on a larger screen (or at a smaller scaling)
        state = self.settings.get(WINDOW_STATE)
        restored = False
        if state:
            sizes = [part for part in state.split(";") if part]
            for splitter, text in zip((self.main_split, self.left_split), sizes, strict=False):
                restored |= splitter.restoreState(QByteArray.fromBase64(text.encode("ascii")))
        if not restored:
            left = round(self.width() * LEFT_SHARE)
            self.main_split.setSizes([left, self.width() - left])

    def _available_screen(self) -> Any:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def _first_geometry(self, available: Any) -> None:
        """Sized from the screen's free area (never fixed pixels larger than it), centred on it."""
        width = min(FIRST_SIZE[0], round(available.width() * SCREEN_SHARE))
        height = min(FIRST_SIZE[1], round(available.height() * SCREEN_SHARE))
        self.resize(max(width, self.minimumWidth()), max(height, self.minimumHeight()))
        frame = self.frameGeometry()
        frame.moveCenter(available.center())
        self.move(frame.topLeft())

    def _save_layout(self) -> None:
        self.settings.set(WINDOW_GEOMETRY, bytes(self.saveGeometry().toBase64()).decode("ascii"))
        states = [bytes(s.saveState().toBase64()).decode("ascii") for s in (self.main_split, self.left_split)]
        self.settings.set(WINDOW_STATE, ";".join(states))
        self.save_workspace()
        self.settings_panel.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """A run going on is stopped first (after asking); the window closes when the workers are gone."""
        if self._close_ready:
            event.accept()
            return
        if self._close_waits:  # already stopping: a second close waits too
            event.ignore()
            return
        busy = self.controller.busy or (self.review is not None and self.review.busy)
        if busy and not self.ask(
            self.tr("A run is going on"),
            self.tr(
                "Stop the run and close LocalClip? What is finished is kept: run the folder again to resume."
            ),
            self.tr("Stop and close"),
        ):
            event.ignore()
            return
        self._save_layout()
        self.gpu_panel.stop()
        self.intake.cancel_scans()
        if self.model_manager is not None:
            self.model_manager.close()
        if self.controller.busy:
            self._close_waits.add("runs")
        if self.review is not None and self.review.shutdown():
            self._close_waits.add("review")
        if not self._close_waits:
            self._close_ready = True
            event.accept()
            return
        self._say(self.tr("Stopping the workers…"))
        if "runs" in self._close_waits:
            self.controller.shutdown()
        QTimer.singleShot(CLOSE_TIMEOUT_MS, self._close_anyway)
        event.ignore()

    def _close_step_done(self, step: str) -> None:
        if step in self._close_waits:
            self._close_waits.discard(step)
            if not self._close_waits:
                self._close_ready = True
                self.close()

    def _close_anyway(self) -> None:
        if self._close_waits:
            self._close_waits.clear()
            self._close_ready = True
            self.close()


def load_style() -> str:
    """resources/style.qss ("" when it cannot be read: the platform style alone still works)."""
    try:
        return (resources_dir() / "style.qss").read_text(encoding="utf-8")
    except OSError:
        return ""


def _import_views() -> None:
    for name in VIEW_MODULES:
        importlib.import_module(name)


def describe_probe(worker: str, result: dict[str, Any]) -> str:
    """One log line per worker of a worker check."""
    translate = QCoreApplication.translate
    if result.get("cuda_available"):
        cuda = translate("MainWindow", "CUDA usable")
    else:
        cuda = translate("MainWindow", "no CUDA device")
    text = translate("MainWindow", "worker {worker}: Python {python}, torch {torch}, {cuda}").format(
        worker=worker, python=result.get("python"), torch=result.get("torch"), cuda=cuda
    )
    problems = result.get("problems") or []
    return text + (" — " + " ".join(problems) if problems else "")
