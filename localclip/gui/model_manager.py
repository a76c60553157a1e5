"""The model manager: the models LocalClip knows, their state, downloads with pause and resume, and the
model folders in use.

A download runs as a child process (``localclip.runs.model_fetch``): the window never waits on the network,
Pause works at any moment and what arrived stays for Resume. The access token is handed to the child,
never stored or logged; the dialog only displays.

For the main window: ``models_missing(settings)`` says whether a kind of model has no usable folder (open
the dialog at first start then), and ``ModelManagerDialog(settings, parent)`` is the dialog.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from localclip.core.kinds import JobKind, ModelKind
from localclip.core.models.catalog import (
    CATALOG,
    CatalogModel,
    ModelState,
    ModelStatus,
    default_folder,
    folder_problem,
    kind_of_folder,
    model_status,
    models_root,
)
from localclip.core.options import MODELS_FOLDER
from localclip.core.units import format_bytes
from localclip.gui.messages import translate_message
from localclip.runs.demo_models import DEMO_MODELS, DemoModelBuilder
from localclip.runs.model_fetch import FetchEnd, ModelFetch
from localclip.settings import Settings

TOKENS_PAGE = "https://huggingface.co/settings/tokens"
PROGRESS_STEPS = 1000
COLUMNS = (  # marked for extraction here, translated where the table is made (ModelManagerDialog.tr)
    QT_TRANSLATE_NOOP("ModelManagerDialog", "Model"),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "Used for"),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "Size"),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "Status"),
    QT_TRANSLATE_NOOP("ModelManagerDialog", "In use"),
)


def missing_model_kinds(settings: Settings) -> list[ModelKind]:
    """The kinds of model with no folder chosen, or whose folder fails LocalClip's
    check (files missing, moved away, damaged configuration)."""
    missing: list[ModelKind] = []
    for kind in ModelKind:
        chosen = settings.get(JobKind.for_model(kind).model_dir_option)
        if not chosen or folder_problem(kind, Path(chosen)) is not None:
            missing.append(kind)
    return missing


def models_missing(settings: Settings) -> bool:
    """True when LocalClip lacks a usable model of some kind: the main window opens the dialog then."""
    return bool(missing_model_kinds(settings))


class ModelManagerDialog(QDialog):
    model_used = Signal(str, str)  # kind, folder: a model folder was chosen
    download_finished = Signal(str, bool)  # model id, whether it is now installed and verified
    demo_models_built = Signal(object)  # {kind: folder}

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or Settings()
        self.setWindowTitle(self.tr("Models"))
        self.resize(820, 560)
        self._fetch: ModelFetch | None = None
        self._running: CatalogModel | None = None
        self._started_at = 0.0
        self._first_done: int | None = None
        self._status_cache: dict[str, tuple[Any, ModelStatus]] = {}
        self._build()
        self.refresh()
        self.table.selectRow(0)

    # --- building ----------------------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(
            self.tr(
                "LocalClip needs a WeSpeaker model to tell voices apart and a Fish-Speech model to clone "
                "them. Download them here, or use folders you already have."
            )
        )
        intro.setWordWrap(True)
        self.table = self._make_table()
        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setTextFormat(Qt.TextFormat.RichText)
        self.details_label.setOpenExternalLinks(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_label = QLabel()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setOpenExternalLinks(True)
        self.details_button = QToolButton()
        self.details_button.setText(self.tr("Details"))
        self.details_button.setCheckable(True)
        self.details_button.setVisible(False)
        self.details_text = QPlainTextEdit()
        self.details_text.setReadOnly(True)
        self.details_text.setVisible(False)
        self.details_button.toggled.connect(self.details_text.setVisible)
        self.in_use_label = QLabel()
        self.in_use_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (intro, self.table, self.details_label):
            layout.addWidget(widget)
        layout.addWidget(self._make_token_row())
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.progress_label)
        message_row = QHBoxLayout()
        message_row.addWidget(self.message_label, 1)
        message_row.addWidget(self.details_button)
        layout.addLayout(message_row)
        layout.addWidget(self.details_text)
        layout.addWidget(self.in_use_label)
        layout.addLayout(self._make_buttons())

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(len(CATALOG), len(COLUMNS))
        table.setHorizontalHeaderLabels([self.tr(name) for name in COLUMNS])
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        for column in (0, 1, 2, 4):
            table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        table.itemSelectionChanged.connect(self._update_selection)
        return table

    def _make_token_row(self) -> QWidget:
        self.token_row = QWidget()
        row = QHBoxLayout(self.token_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(self.tr("hf_… (your Hugging Face access token)"))
        get_token = self.tr("Get a token")
        link = QLabel(f'<a href="{TOKENS_PAGE}">{get_token}</a>')
        link.setOpenExternalLinks(True)
        row.addWidget(QLabel(self.tr("Access token:")))
        row.addWidget(self.token_edit, 1)
        row.addWidget(link)
        return self.token_row

    def _make_buttons(self) -> QHBoxLayout:
        self.download_button = QPushButton(self.tr("Download"))
        self.pause_button = QPushButton(self.tr("Pause"))
        self.use_button = QPushButton(self.tr("Use"))
        self.folder_button = QPushButton(self.tr("Use a folder I already have…"))
        self.download_button.clicked.connect(lambda: self.start_download())
        self.pause_button.clicked.connect(self.pause)
        self.use_button.clicked.connect(self.use_selected)
        self.folder_button.clicked.connect(self.choose_folder)
        self.demo_button = QPushButton(self.tr("Demo models…"))
        self.demo_button.setToolTip(self.tr("Models with random weights, built here, to try LocalClip"))
        self.demo_button.clicked.connect(self.make_demo_models)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        buttons = (self.download_button, self.pause_button, self.use_button, self.folder_button)
        for button in (*buttons, self.demo_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    # --- state ----------------------------------------------------------------------------------------

    def folder_of(self, model: CatalogModel) -> Path:
        return default_folder(model, self.settings.get(MODELS_FOLDER))

    def status_of(self, model: CatalogModel) -> ModelStatus:
        """The model's state, recomputed only when its folder's files changed (the check reads the
        weights, which should not happen on every click)."""
        folder = self.folder_of(model)
        key = (str(folder), _folder_signature(folder))
        cached = self._status_cache.get(model.id)
        if cached is None or cached[0] != key:
            cached = (key, model_status(model, folder))
            self._status_cache[model.id] = cached
        return cached[1]

    def selected_model(self) -> CatalogModel:
        rows = self.table.selectionModel().selectedRows()
        return CATALOG[rows[0].row() if rows else 0]

    def is_downloading(self) -> bool:
        return self._fetch is not None

    def refresh(self) -> None:
        """Every row's state from the disk, and which folders are in use."""
        for row, model in enumerate(CATALOG):
            status = self.status_of(model)
            size = format_bytes(model.approx_bytes)
            cells = (
                model.display_name,
                self.tr("Voices (embeddings)")
                if model.kind == ModelKind.WESPEAKER
                else self.tr("Voice cloning"),
                size,
                self._state_text(status),
                self.tr("yes") if self._in_use(model) else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(status.detail if column == 3 else text)
                self.table.setItem(row, column, item)
        demos = self._show_demo_rows()
        lines = [self.tr("Downloads go to: {0}").format(models_root(self.settings.get(MODELS_FOLDER)))]
        for kind in ModelKind:
            chosen = self.settings.get(JobKind.for_model(kind).model_dir_option)
            name = self.tr("WeSpeaker model") if kind == ModelKind.WESPEAKER else self.tr("Fish-Speech model")
            none_chosen = self.tr("none chosen yet")
            demo = any(k == kind and self._uses(k, folder) for k, folder in demos)
            suffix = " " + self.tr("(demo model, random weights)") if demo else ""
            lines.append(f"{name}: {chosen or none_chosen}{suffix}")
        self.in_use_label.setText("\n".join(lines))
        self._update_selection()

    def demo_folders(self) -> list[tuple[ModelKind, Path]]:
        """The demo models' folders (kind, folder) under the models folder, built or not."""
        root = models_root(self.settings.get(MODELS_FOLDER))
        return [(ModelKind(kind), root / name) for kind, name in DEMO_MODELS]

    def _show_demo_rows(self) -> list[tuple[ModelKind, Path]]:
        """The demo models are not in the catalog: listed under it once built (or while the settings name
        them), with "in use" as for the others. Their rows cannot be selected: there is nothing to
        download; the Demo models button builds them."""
        shown = [(k, folder) for k, folder in self.demo_folders() if folder.is_dir() or self._uses(k, folder)]
        self.table.setRowCount(len(CATALOG) + len(shown))
        for offset, (kind, folder) in enumerate(shown):
            problem = self._demo_problem(kind, folder)
            files = _folder_signature(folder)
            cells = (
                self.tr("Demo model (random weights)"),
                self.tr("Voices (embeddings)") if kind == ModelKind.WESPEAKER else self.tr("Voice cloning"),
                format_bytes(sum(size for _name, size, _time in files)) if files else "",
                self.tr("Built")
                if problem is None
                else self.tr("Broken: {0}").format(translate_message(problem)),
                self.tr("yes") if self._uses(kind, folder) else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(folder))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(len(CATALOG) + offset, column, item)
        return shown

    def _demo_problem(self, kind: ModelKind, folder: Path) -> str | None:
        """The folder's check, done again only when its files changed (a check reads the weights)."""
        key = (str(folder), _folder_signature(folder))
        cached = self._status_cache.get(f"demo:{kind}")
        if cached is None or cached[0] != key:
            cached = (key, folder_problem(kind, folder))
            self._status_cache[f"demo:{kind}"] = cached
        return cached[1]

    def _uses(self, kind: str, folder: Path) -> bool:
        chosen = self.settings.get(JobKind.for_model(kind).model_dir_option)
        return bool(chosen) and _same_folder(Path(chosen), folder)

    def _state_text(self, status: ModelStatus) -> str:
        texts = {
            ModelState.NOT_INSTALLED: self.tr("Not installed"),
            ModelState.PARTIAL: self.tr("Partly downloaded"),
            ModelState.INSTALLED: self.tr("Installed and verified")
            if status.verified
            else self.tr("Installed"),
            ModelState.BROKEN: self.tr("Broken: {0}").format(translate_message(status.detail)),
        }
        return texts[status.state]

    def _in_use(self, model: CatalogModel) -> bool:
        chosen = self.settings.get(JobKind.for_model(model.kind).model_dir_option)
        return bool(chosen) and _same_folder(Path(chosen), self.folder_of(model))

    def _update_selection(self) -> None:
        model = self.selected_model()
        status = self.status_of(model)
        gated = self.tr(
            "Gated: accept the licence on the model page while logged in to Hugging Face, then give your "
            "access token below."
        )
        licence, page, state = self.tr("Licence"), self.tr("Model page"), self.tr("Status")
        self.details_label.setText(
            f"<b>{model.display_name}</b>: {translate_message(model.description)}<br>"
            f"{licence}: {translate_message(model.licence)}<br>"
            f'{page}: <a href="{model.page_url}">{model.page_url}</a>'
            + (f"<br>{gated}" if model.gated else "")
            + f"<br>{state}: {translate_message(status.detail)}"
        )
        self.token_row.setVisible(model.gated)
        running = self.is_downloading()
        labels = {
            ModelState.PARTIAL: self.tr("Resume"),
            ModelState.BROKEN: self.tr("Repair"),
        }
        self.download_button.setText(labels.get(status.state, self.tr("Download")))
        self.download_button.setEnabled(not running and status.state is not ModelState.INSTALLED)
        self.pause_button.setEnabled(running)
        self.use_button.setEnabled(status.state is ModelState.INSTALLED and not self._in_use(model))
        self.table.setEnabled(not running)
        self.folder_button.setEnabled(not running)

    def _tell(self, text: str, error: bool = False, details: str = "") -> None:
        """A message under the table (no modal box: nothing waits on the person); details expandable."""
        self.message_label.setStyleSheet("color: #b00020;" if error else "")
        self.message_label.setText(text)
        self.details_text.setPlainText(details)
        self.details_button.setVisible(bool(details))
        if not details:
            self.details_button.setChecked(False)

    @property
    def message(self) -> str:
        return self.message_label.text()

    # --- download -------------------------------------------------------------------------------------

    def start_download(self, model: CatalogModel | None = None) -> bool:
        """Start downloading ``model`` (the selected one); False when it cannot start (said in the dialog)."""
        if self.is_downloading():
            return False
        model = model or self.selected_model()
        token = self.token_edit.text().strip()
        if model.gated and not token and not os.environ.get("HF_TOKEN"):
            self._tell(
                self.tr("{0} is gated: accept the licence at {1} and give your access token.").format(
                    model.display_name, f'<a href="{model.page_url}">{model.page_url}</a>'
                ),
                error=True,
            )
            return False
        self._running, self._first_done = model, None
        self._started_at = time.monotonic()
        self.progress_bar.setValue(0)
        self._fetch = ModelFetch(model.id, self.folder_of(model), token, self)
        self._fetch.progress.connect(self._show_progress)
        self._fetch.ended.connect(self._download_ended)
        self._tell(self.tr("Downloading {0}…").format(model.display_name))
        self.progress_label.setText(self.tr("Asking the hub for the files…"))
        self._fetch.start()
        self._update_selection()
        return True

    def pause(self) -> None:
        """Stop the download at once; what arrived stays, and Resume continues from there."""
        if self._fetch is not None:
            self._fetch.pause()

    def _show_progress(self, event: dict[str, Any]) -> None:
        done, total = int(event.get("done") or 0), event.get("total")
        if self._first_done is None:
            self._first_done = done
        if total:
            self.progress_bar.setValue(round(PROGRESS_STEPS * done / total))
        elapsed = time.monotonic() - self._started_at
        rate = (done - self._first_done) / elapsed if elapsed > 0.5 else 0.0
        text = self.tr("{0}: {1} of {2}").format(
            event.get("file", ""), format_bytes(done), format_bytes(total) if total else "?"
        )
        if rate:
            text += self.tr(", {0}/s").format(format_bytes(rate))
        self.progress_label.setText(text)

    def _download_ended(self, end: FetchEnd) -> None:
        fetch, model = self._fetch, self._running
        self._fetch = None
        assert model is not None
        if fetch is not None:
            fetch.deleteLater()
        if end.paused:
            self._tell(self.tr("Paused. What arrived is kept; Resume continues from there."))
        elif end.ok:
            self.progress_bar.setValue(PROGRESS_STEPS)
            self._finished_download(model)
        else:
            message = end.message or self.tr("The download stopped unexpectedly (exit code {0}).").format(
                end.exit_code
            )
            self._tell(message, error=True, details=end.details)
        self.refresh()
        self.download_finished.emit(model.id, end.ok)

    def _finished_download(self, model: CatalogModel) -> None:
        folder = self.folder_of(model)
        text = self.tr("{0} is downloaded and verified.").format(model.display_name)
        if not self.settings.get(JobKind.for_model(model.kind).model_dir_option):
            self._record(model.kind, folder)  # nothing of this kind was chosen yet: this one, then
            text += " " + self.tr("LocalClip uses it now.")
        else:
            text += " " + self.tr("Click Use to work with it.")
        self._tell(text)

    # --- choosing folders -----------------------------------------------------------------------------

    def use_selected(self) -> bool:
        model = self.selected_model()
        folder = self.folder_of(model)
        if problem := folder_problem(model.kind, folder):
            self._tell(translate_message(problem), error=True)
            return False
        self._record(model.kind, folder)
        self._tell(self.tr("LocalClip uses {0} now.").format(model.display_name))
        self.refresh()
        return True

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder"))
        if chosen:
            self.use_folder(Path(chosen))

    def use_folder(self, folder: Path) -> bool:
        """Use a folder the person already has, after LocalClip's own check (which names what is missing).
        Its kind comes from its files; a folder with none of them is checked as the selected model's kind."""
        kind = kind_of_folder(folder) or self.selected_model().kind
        if problem := folder_problem(kind, folder):
            self._tell(
                self.tr("This folder cannot be used: {0}").format(translate_message(problem)), error=True
            )
            return False
        self._record(kind, folder)
        name = self.tr("WeSpeaker model") if kind == ModelKind.WESPEAKER else self.tr("Fish-Speech model")
        self._tell(self.tr("{0}: LocalClip uses {1} now.").format(name, folder))
        self.refresh()
        return True

    def _record(self, kind: str, folder: Path) -> None:
        resolved = str(folder.resolve())
        self.settings.set(JobKind.for_model(kind).model_dir_option, resolved)
        self.settings.sync()
        self.model_used.emit(kind, resolved)

    # --- demo models ----------------------------------------------------------------------------------

    def make_demo_models(self, confirmed: bool = False) -> None:
        """Build the demo models (random weights) and use them for each kind that has no model yet."""
        question = self.tr(
            "Demo models have random weights: LocalClip runs its whole pipeline with them, but the "
            "similarities mean nothing and the cloned clips are noise in the shape of speech. Build them?"
        )
        if not confirmed and (
            QMessageBox.question(self, self.tr("Demo models"), question) != QMessageBox.StandardButton.Yes
        ):
            return
        root = models_root(self.settings.get(MODELS_FOLDER))
        self.demo_builder = DemoModelBuilder(self.settings, root, self)
        self.demo_builder.built.connect(self._on_demo_models_built)
        self.demo_builder.progressed.connect(self._show_demo_progress)
        self.demo_builder.failed.connect(lambda text, details: self._tell(text, error=True, details=details))
        self.demo_button.setEnabled(False)
        self._tell(self.tr("Building the demo models (about a minute)…"))
        self.demo_builder.start()

    def _show_demo_progress(self, done: int, total: int, kind: str) -> None:
        """Steps with their counts: the bar moves a step per model built."""
        self.progress_bar.setValue(round(PROGRESS_STEPS * done / total) if total else PROGRESS_STEPS)
        if kind:
            name = self.tr("WeSpeaker model") if kind == ModelKind.WESPEAKER else self.tr("Fish-Speech model")
            text = self.tr("Demo models: {0} of {1} built; building the {2}…").format(done, total, name)
        else:
            text = self.tr("Demo models: {0} of {1} built").format(done, total)
        self.progress_label.setText(text)

    def _on_demo_models_built(self, folders: dict[str, Path]) -> None:
        self.demo_button.setEnabled(True)
        for kind, folder in folders.items():
            if not self.settings.get(JobKind.for_model(kind).model_dir_option):
                self._record(kind, folder)
        self._tell(self.tr("Demo models are in {0}.").format(next(iter(folders.values())).parent))
        self.refresh()
        self.demo_models_built.emit(folders)

    # --- closing --------------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._stop_for_close()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_for_close()
        super().closeEvent(event)

    def _stop_for_close(self) -> None:
        """Closing pauses a download (the partial files stay for the next time)."""
        if self._fetch is not None:
            self._fetch.stop()


def _folder_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        with os.scandir(folder) as entries:
            stats = [(entry.name, entry.stat()) for entry in entries if entry.is_file()]
    except OSError:
        return ()
    return tuple(sorted((name, stat.st_size, stat.st_mtime_ns) for name, stat in stats))


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
