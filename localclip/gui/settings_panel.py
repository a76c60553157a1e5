"""Run settings: model folders (checked when chosen), where runs go (this workstation or a cluster),
workers, embedding, cloning and worker interpreters.

Every change is written to the user's settings at once (``localclip.settings``); the panel reads them back
in :meth:`SettingsPanel.reload`, e.g. after the model manager changed a model folder. Model folders are
checked on a worker thread (a WeSpeaker check hashes the weights) and the result names what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from localclip.core.kinds import DEFAULT_INTERPRETER, INTERPRETER_KINDS, JobKind, ModelKind
from localclip.core.models.folders import (
    ModelDirError,
    check_fish_dir,
    check_recogniser_dir,
    check_wespeaker_dir,
)
from localclip.core.options import (
    CLONE_MAX_NEW_TOKENS,
    CLONE_REPETITION_PENALTY,
    CLONE_SEED,
    CLONE_TEMPERATURE,
    CLONE_TOP_P,
    CLUSTER_ADDRESS,
    CLUSTER_TLS_CA,
    CLUSTER_TLS_CERT,
    CLUSTER_TLS_KEY,
    EMBED_BATCH_SIZE,
    EMBED_MEMORY_PER_WORKER_GB,
    EMBED_PRECISION,
    FISH_MODEL_DIR,
    LANGUAGE,
    MAX_WORKERS,
    MEMORY_PER_WORKER_GB,
    QA_DURATION_Z,
    QA_ENABLED,
    QA_MAX_CLIPPED_SAMPLES,
    QA_MAX_ERROR_RATE,
    QA_MAX_SILENCE_S,
    QA_RETAKES,
    QA_VOICE_MARGIN,
    RECOGNISER_MODEL_DIR,
    RUN_DEVICE,
    RUN_WHERE,
    SPEAKERS_MIN_UTTERANCES,
    SPEAKERS_NORMALIZE,
    WESPEAKER_MODEL_DIR,
    Option,
)
from localclip.core.paths import bundled_worker_python
from localclip.core.ui_language import ENDONYMS, SUPPORTED, SYSTEM, choose_language
from localclip.gui.icons import icon
from localclip.gui.messages import translate_error
from localclip.gui.translations import current_language, system_language
from localclip.runs.background import run_in_background
from localclip.runs.setup import SetupError, cluster_target
from localclip.settings import Settings

SYNC_DELAY_MS = 400  # changes are written to disk shortly after the last one, and on close
SEED_MAXIMUM = 2**31 - 1  # a spin box holds 32-bit signed values; the commands accept up to 2**32 - 1
MODEL_KINDS = tuple(ModelKind)


class WheelGuard(QObject):
    """Spin and combo boxes take the mouse wheel only once focused (clicked or tabbed to): scrolling the
    panel over an unfocused box scrolls the panel instead of changing a setting by accident."""

    def guard(self, box: QAbstractSpinBox | QComboBox) -> None:
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no focus from the wheel itself
        box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            # Handed to the scroll bar of the area around the box (Qt passes an ignored wheel on to the
            # parents only for real wheel events, so this works the same for every source).
            area = _scroll_area_of(watched)
            if area is not None:
                QCoreApplication.sendEvent(area.verticalScrollBar(), event)
            else:
                event.ignore()
            return True
        return super().eventFilter(watched, event)


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class ModelFolderRow(QWidget):
    """A model folder: its path, Browse…, and what the check found."""

    browse_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(self.tr("No folder chosen"))
        self.browse = QPushButton(self.tr("Browse…"))
        self.browse.clicked.connect(self.browse_requested)
        self.status_icon = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.path, 1)
        top.addWidget(self.browse)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        bottom.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(bottom)
        self.setFocusProxy(self.browse)

    def show_status(self, ok: bool | None, text: str) -> None:
        name = {True: "ok", False: "warning", None: ""}[ok]
        self.status_icon.setPixmap(icon(name).pixmap(16, 16) if name else icon("ok").pixmap(0, 0))
        self.status_icon.setVisible(bool(name))
        self.status.setText(text)


class FileRow(QWidget):
    """A file's path, typed or chosen with "…", and a line saying what is wrong with it (if anything).
    Worker interpreters use it (empty: the bundled worker environment), and the cluster's TLS files."""

    changed = Signal(str)

    def __init__(
        self, title: str, start: Callable[[], str], chooser_tip: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._title, self._start = title, start
        self.path = QLineEdit()
        self.path.setClearButtonEnabled(True)
        self.path.editingFinished.connect(lambda: self.changed.emit(self.path.text().strip()))
        self.browse = QToolButton()
        self.browse.setText(self.tr("…"))
        self.browse.setToolTip(chooser_tip)
        self.browse.clicked.connect(self._browse)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        self.setFocusProxy(self.path)

    def _browse(self) -> None:
        start = self.path.text() or self._start()
        chosen, _ = QFileDialog.getOpenFileName(self, self._title, start)
        if chosen:
            self.path.setText(chosen)
            self.changed.emit(chosen)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))


class SettingsPanel(QScrollArea):
    changed = Signal()  # any setting changed (already stored)
    models_changed = Signal()  # a model folder changed or its check finished
    manage_models_requested = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPanel")
        self.settings = settings
        self.model_status: dict[str, tuple[bool | None, str]] = {kind: (None, "") for kind in MODEL_KINDS}
        self._checks: dict[str, int] = dict.fromkeys(MODEL_KINDS, 0)  # the latest check's number, per kind
        self._loading = False
        self._sync_timer = QTimer(self)
        self._sync_timer.setSingleShot(True)
        self._sync_timer.setInterval(SYNC_DELAY_MS)
        self._sync_timer.timeout.connect(self.settings.sync)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(12)
        layout.addWidget(self._models_group())
        layout.addWidget(self._where_group())
        layout.addWidget(self._workers_group())
        layout.addWidget(self._embedding_group())
        layout.addWidget(self._cloning_group())
        layout.addWidget(self._checks_group())
        layout.addWidget(self._interpreters_group())
        layout.addWidget(self._interface_group())
        layout.addStretch(1)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.wheel_guard = WheelGuard(self)
        for box in content.findChildren(QAbstractSpinBox) + content.findChildren(QComboBox):
            self.wheel_guard.guard(box)
        self.reload()

    # -- groups -----------------------------------------------------------------------------------------

    def _models_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Models"))
        form = self._form(group)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # paths need the whole width
        self.wespeaker_row = ModelFolderRow()
        self.wespeaker_row.browse_requested.connect(lambda: self._browse_model(ModelKind.WESPEAKER))
        self.fish_row = ModelFolderRow()
        self.fish_row.browse_requested.connect(lambda: self._browse_model(ModelKind.FISH))
        self.manage_button = QPushButton(icon("models"), self.tr("&Manage models…"))
        self.manage_button.setToolTip(self.tr("Download models, or check the ones you have"))
        self.manage_button.clicked.connect(self.manage_models_requested)
        form.addRow(self.tr("Speaker embeddings (WeSpeaker):"), self.wespeaker_row)
        form.addRow(self.tr("Voice cloning (Fish-Speech):"), self.fish_row)
        form.addRow("", self.manage_button)
        return group

    def _where_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Where runs go"))
        form = self._form(group)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.run_where = QComboBox()
        self.run_where.addItem(self.tr("This workstation's GPUs"), "local")
        self.run_where.addItem(self.tr("A cluster of GPU machines (localclip node)"), "cluster")
        self.run_where.currentIndexChanged.connect(self._store_where)
        self.cluster_address = QLineEdit()
        self.cluster_address.setPlaceholderText("tcp://render-01:8786")
        self.cluster_address.setToolTip(
            self.tr("The scheduler started with 'localclip scheduler' (or any Dask scheduler)")
        )
        self.cluster_address.editingFinished.connect(
            lambda: self._store_cluster(CLUSTER_ADDRESS, self.cluster_address.text().strip())
        )
        self.tls_rows: dict[str, FileRow] = {}
        labels = (
            (CLUSTER_TLS_CA, self.tr("TLS, all three or none: the studio's certificate authority:")),
            (CLUSTER_TLS_CERT, self.tr("This machine's certificate:")),
            (CLUSTER_TLS_KEY, self.tr("This machine's private key:")),
        )
        for option, label in labels:
            row = FileRow(self.tr("TLS file"), lambda: str(Path.home()), self.tr("Choose a PEM file"))
            row.changed.connect(lambda text, option=option: self._store_cluster(option, text))
            self.tls_rows[option.key] = row
            form.addRow(label, row)
        form.insertRow(0, self.tr("Run on:"), self.run_where)
        form.insertRow(1, self.tr("Cluster &scheduler:"), self.cluster_address)
        self.cluster_status = QLabel()
        self.cluster_status.setObjectName("hint")
        self.cluster_status.setWordWrap(True)
        self.cluster_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.cluster_status)
        return group

    def _workers_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Workers"))
        form = self._form(group)
        self.device = QComboBox()
        # Wide enough for its longest choice ("GPU if there is one, else CPU"), in either language.
        self.device.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for value, text in (
            ("auto", self.tr("GPU if there is one, else CPU")),
            ("cuda", self.tr("GPU only")),
            ("cpu", self.tr("CPU only")),
        ):
            self.device.addItem(text, value)
        self.device.currentIndexChanged.connect(lambda: self._store(RUN_DEVICE, self.device.currentData()))
        self.max_workers = self._spin(MAX_WORKERS, 0, 256)
        self.max_workers.setSpecialValueText(self.tr("No limit"))
        self.max_workers.setToolTip(self.tr("The most worker processes a run starts, over all GPUs"))
        self.clone_memory = self._gb_spin(MEMORY_PER_WORKER_GB)
        self.clone_memory.setToolTip(
            self.tr("GPU memory a voice cloning model instance needs; it decides how many fit on each GPU")
        )
        self.embed_memory = self._gb_spin(EMBED_MEMORY_PER_WORKER_GB)
        self.embed_memory.setToolTip(self.tr("GPU memory a speaker embedding model instance needs"))
        form.addRow(self.tr("Dev&ice:"), self.device)
        form.addRow(self.tr("M&aximum workers:"), self.max_workers)
        form.addRow(self.tr("Memory per &cloning instance:"), self.clone_memory)
        form.addRow(self.tr("Memory per embedding instance:"), self.embed_memory)
        return group

    def _embedding_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Speaker embeddings"))
        form = self._form(group)
        self.batch_size = self._spin(EMBED_BATCH_SIZE, 0, 4096)
        self.batch_size.setSpecialValueText(self.tr("Automatic"))
        self.batch_size.setToolTip(self.tr("Clips per batch on the GPU; automatic grows it to what fits"))
        self.normalize = QCheckBox(self.tr("Normalise clips before averaging"))
        self.normalize.toggled.connect(lambda on: self._store(SPEAKERS_NORMALIZE, on))
        self.min_utterances = self._spin(SPEAKERS_MIN_UTTERANCES, 1, 1_000_000)
        self.min_utterances.setToolTip(self.tr("Speakers with fewer embedded clips get no speaker embedding"))
        self.precision = QComboBox()
        names = {
            "exact": self.tr("Exact (float32, as WeSpeaker)"),
            "tf32": self.tr("TF32"),
            "bf16": self.tr("bfloat16"),
            "fp16": self.tr("float16"),
        }
        for value in EMBED_PRECISION.choices or ():  # the option's own list: a new mode shows by its value
            self.precision.addItem(names.get(value, value), value)
        self.precision.setToolTip(
            self.tr("The model's arithmetic on a GPU; faster modes round more. The CPU computes exact.")
        )
        self.precision.currentIndexChanged.connect(
            lambda: self._store(EMBED_PRECISION, self.precision.currentData())
        )
        form.addRow(self.tr("&Batch size:"), self.batch_size)
        form.addRow(self.tr("&GPU precision:"), self.precision)
        form.addRow(self.tr("Minimum clips per speaker:"), self.min_utterances)
        form.addRow("", self.normalize)
        return group

    def _cloning_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Voice cloning"))
        form = self._form(group)
        self.temperature = self._float_spin(CLONE_TEMPERATURE, 0.01, 1.99, 0.05)
        self.top_p = self._float_spin(CLONE_TOP_P, 0.01, 1.0, 0.05)
        self.repetition_penalty = self._float_spin(CLONE_REPETITION_PENALTY, 0.01, 1.99, 0.05)
        self.max_new_tokens = self._spin(CLONE_MAX_NEW_TOKENS, 0, 1_000_000)
        self.max_new_tokens.setSpecialValueText(self.tr("Model's limit"))
        self.temperature.setToolTip(
            self.tr(
                "How freely the model picks each next sound. Lower: steadier, more monotone speech; "
                "higher: livelier, but more slips and odd sounds. Fish-Speech's default is 0.8."
            )
        )
        self.top_p.setToolTip(
            self.tr(
                "Top-p (nucleus sampling): each step picks only among the likeliest sounds that together "
                "make up this share of the probability. Lower: safer and more uniform; 1.0: no limit."
            )
        )
        self.repetition_penalty.setToolTip(
            self.tr(
                "Makes sounds just used less likely again. Above 1.0 it keeps the voice from repeating "
                "or getting stuck on a sound; too high and the speech turns choppy. 1.0: no penalty."
            )
        )
        self.max_new_tokens.setToolTip(
            self.tr(
                "The longest a take may grow, in model tokens (about 21.5 per second of speech): a take "
                "that rambles on is cut there. 0: the model's own limit."
            )
        )
        self.random_seed = QCheckBox(self.tr("Random seed for every line"))
        self.seed = QSpinBox()
        self.seed.setRange(0, SEED_MAXIMUM)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip(self.tr("The same seed makes the same clip from the same inputs"))
        self.random_seed.toggled.connect(self._store_seed)
        self.seed.valueChanged.connect(self._store_seed)
        form.addRow(self.tr("Temperat&ure:"), self.temperature)
        form.addRow(self.tr("Top-p:"), self.top_p)
        form.addRow(self.tr("Repetition penalt&y:"), self.repetition_penalty)
        form.addRow(self.tr("Maximum new tokens:"), self.max_new_tokens)
        form.addRow(self.tr("Seed:"), self.seed)
        form.addRow("", self.random_seed)
        return group

    def _checks_group(self) -> QGroupBox:
        """Take checks (docs/qa.md): on or off, the recogniser, new takes of flagged lines, thresholds."""
        group = QGroupBox(self.tr("Take checks"))
        form = self._form(group)
        self.checks_enabled = QCheckBox(self.tr("Check every new take: voice, words and audio"))
        self.checks_enabled.setToolTip(
            self.tr("Uses the speaker embedding model above; the words need a speech recogniser")
        )
        self.checks_enabled.toggled.connect(lambda on: self._store(QA_ENABLED, on))
        self.recogniser_row = ModelFolderRow()
        self.recogniser_row.browse_requested.connect(self._browse_recogniser)
        self.retakes = self._spin(QA_RETAKES, 0, 10)
        self.retakes.setSpecialValueText(self.tr("None"))
        self.retakes.setToolTip(
            self.tr("New takes (new seeds) of a flagged line; the best-scored is kept, no take is deleted")
        )
        self.voice_margin = self._float_spin(QA_VOICE_MARGIN, 0.0, 1.0, 0.01)
        self.voice_margin.setToolTip(
            self.tr("A take is flagged when it is not this much closer to its own voice than to another")
        )
        self.max_error_rate = self._float_spin(QA_MAX_ERROR_RATE, 0.0, 1.0, 0.05)
        self.max_error_rate.setToolTip(self.tr("Words (characters for Chinese and Japanese) wrong, 0 to 1"))
        self.max_silence = self._float_spin(QA_MAX_SILENCE_S, 0.1, 60.0, 0.5)
        self.max_silence.setSuffix(self.tr(" s"))
        self.max_clipped = self._spin(QA_MAX_CLIPPED_SAMPLES, 0, 100_000_000)
        self.duration_z = self._float_spin(QA_DURATION_Z, 0.5, 100.0, 0.5)
        self.duration_z.setToolTip(
            self.tr("Seconds per character this many standard deviations from the speaker's other takes")
        )
        form.addRow(self.checks_enabled)
        form.addRow(self.tr("Speech recogniser (Whisper):"), self.recogniser_row)
        form.addRow(self.tr("New takes of a flagged line:"), self.retakes)
        form.addRow(self.tr("Voice margin:"), self.voice_margin)
        form.addRow(self.tr("Most words wrong:"), self.max_error_rate)
        form.addRow(self.tr("Longest silence inside a take:"), self.max_silence)
        form.addRow(self.tr("Most clipped samples:"), self.max_clipped)
        form.addRow(self.tr("Duration outlier (standard deviations):"), self.duration_z)
        return group

    def _browse_recogniser(self) -> None:
        current = self.settings.get(RECOGNISER_MODEL_DIR) or str(Path.home())
        title = self.tr("Choose a Whisper model folder")
        chosen = QFileDialog.getExistingDirectory(self, title, current)
        if chosen:
            self._store(RECOGNISER_MODEL_DIR, chosen)
            self._show_recogniser(chosen)

    def _show_recogniser(self, text: str) -> None:
        """The recogniser folder and what its check found (files only: quick enough for this thread)."""
        row = self.recogniser_row
        row.path.setText(text)
        row.path.setToolTip(text)
        if not text:
            row.show_status(None, self.tr("None: the words of takes are not checked."))
            return
        try:
            info = check_recogniser_dir(Path(text))
        except ModelDirError as error:
            row.show_status(False, translate_error(error))
            return
        kind = self.tr("multilingual") if info.multilingual else self.tr("English only")
        row.show_status(True, self.tr("{name} ({kind})").format(name=info.name, kind=kind))

    def _interpreters_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Worker interpreters"))
        form = self._form(group)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.interpreters: dict[str, FileRow] = {}
        labels = {
            DEFAULT_INTERPRETER: self.tr("All &jobs:"),
            JobKind.EMBED: self.tr("Speaker embeddings:"),
            JobKind.CLONE: self.tr("Voice cloning:"),
        }
        for kind in INTERPRETER_KINDS:
            row = FileRow(
                self.tr("Worker interpreter"),
                lambda: str(bundled_worker_python().parent),
                self.tr("Choose a Python interpreter"),
            )
            row.changed.connect(lambda text, kind=kind: self._store_interpreter(kind, text))
            self.interpreters[kind] = row
            form.addRow(labels[kind], row)
        note = QLabel(
            self.tr(
                "Empty: the bundled worker environment. To use an environment of your own, install the "
                "worker program into it first."
            )
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        form.addRow(note)
        return group

    def _interface_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Interface"))
        form = self._form(group)
        self.language = QComboBox()
        # Languages are listed by their own names, whatever the window's language.
        system = self.tr("System language ({language})").format(language=ENDONYMS[system_language()])
        self.language.addItem(system, SYSTEM)
        for language in SUPPORTED:
            self.language.addItem(ENDONYMS[language], language)
        self.language.currentIndexChanged.connect(self._store_language)
        self.language_note = QLabel(self.tr("The new language is used the next time LocalClip starts."))
        self.language_note.setWordWrap(True)
        self.language_note.setObjectName("hint")
        self.language_note.setVisible(False)
        form.addRow(self.tr("&Language:"), self.language)
        form.addRow(self.language_note)
        return group

    def _form(self, group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        return form

    def _spin(self, option: Option[int], low: int, high: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda value: self._store(option, value))
        return spin

    def _float_spin(self, option: Option[float], low: float, high: float, step: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(2)
        spin.setSingleStep(step)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda value: self._store(option, round(value, 4)))
        return spin

    def _gb_spin(self, option: Option[float]) -> QDoubleSpinBox:
        spin = self._float_spin(option, 0.1, 1024.0, 0.5)
        spin.setDecimals(1)
        spin.setSuffix(self.tr(" GB"))
        return spin

    # -- reading and storing ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Show what the settings hold (after a change made elsewhere, e.g. by the model manager)."""
        self._loading = True
        try:
            s = self.settings
            self.device.setCurrentIndex(max(0, self.device.findData(s.get(RUN_DEVICE))))
            self.run_where.setCurrentIndex(max(0, self.run_where.findData(s.get(RUN_WHERE))))
            self.cluster_address.setText(s.get(CLUSTER_ADDRESS))
            for option in (CLUSTER_TLS_CA, CLUSTER_TLS_CERT, CLUSTER_TLS_KEY):
                self.tls_rows[option.key].path.setText(s.get(option))
            self.max_workers.setValue(s.get(MAX_WORKERS))
            self.clone_memory.setValue(s.get(MEMORY_PER_WORKER_GB))
            self.embed_memory.setValue(s.get(EMBED_MEMORY_PER_WORKER_GB))
            self.batch_size.setValue(s.get(EMBED_BATCH_SIZE))
            self.precision.setCurrentIndex(max(0, self.precision.findData(s.get(EMBED_PRECISION))))
            self.normalize.setChecked(s.get(SPEAKERS_NORMALIZE))
            self.min_utterances.setValue(s.get(SPEAKERS_MIN_UTTERANCES))
            self.temperature.setValue(s.get(CLONE_TEMPERATURE))
            self.top_p.setValue(s.get(CLONE_TOP_P))
            self.repetition_penalty.setValue(s.get(CLONE_REPETITION_PENALTY))
            self.max_new_tokens.setValue(s.get(CLONE_MAX_NEW_TOKENS))
            self.language.setCurrentIndex(max(0, self.language.findData(s.get(LANGUAGE))))
            self.checks_enabled.setChecked(s.get(QA_ENABLED))
            self.retakes.setValue(s.get(QA_RETAKES))
            self.voice_margin.setValue(s.get(QA_VOICE_MARGIN))
            self.max_error_rate.setValue(s.get(QA_MAX_ERROR_RATE))
            self.max_silence.setValue(s.get(QA_MAX_SILENCE_S))
            self.max_clipped.setValue(s.get(QA_MAX_CLIPPED_SAMPLES))
            self.duration_z.setValue(s.get(QA_DURATION_Z))
            seed = s.get(CLONE_SEED)
            self.random_seed.setChecked(seed < 0)
            self.seed.setValue(min(max(seed, 0), SEED_MAXIMUM))
            self.seed.setEnabled(seed >= 0)
            bundled = str(bundled_worker_python())
            for kind, row in self.interpreters.items():
                own = self._own_interpreter(kind)
                row.path.setText(own)
                row.path.setPlaceholderText(
                    self.tr("Bundled: {path}").format(path=bundled)
                    if kind == DEFAULT_INTERPRETER
                    else self.tr("As for all jobs")
                )
                row.show_problem(self._interpreter_problem(own))
        finally:
            self._loading = False
        self._show_model_dir(ModelKind.WESPEAKER, s.get(WESPEAKER_MODEL_DIR))
        self._show_model_dir(ModelKind.FISH, s.get(FISH_MODEL_DIR))
        self._show_cluster()
        self._show_recogniser(s.get(RECOGNISER_MODEL_DIR))

    def _store(self, option: Option, value: object) -> None:
        if self._loading:
            return
        self.settings.set(option, value)
        self._sync_timer.start()
        self.changed.emit()

    def _store_language(self) -> None:
        chosen = self.language.currentData()
        self._store(LANGUAGE, chosen)
        # Widgets translate their texts when built: a new language needs a restart.
        self.language_note.setVisible(
            choose_language(chosen, QLocale.system().uiLanguages()) != current_language()
        )

    def _store_where(self) -> None:
        self._store(RUN_WHERE, self.run_where.currentData())
        self._show_cluster()

    def _store_cluster(self, option: Option[str], text: str) -> None:
        self._store(option, text)
        self._show_cluster()

    def _show_cluster(self) -> None:
        """The cluster's fields only when runs go to one, and what is wrong with them, or what to do next."""
        on_cluster = self.run_where.currentData() == "cluster"
        self.cluster_address.setEnabled(on_cluster)
        for row in self.tls_rows.values():
            row.setEnabled(on_cluster)
        if not on_cluster:
            self.cluster_status.setText(
                self.tr("Runs use this workstation's GPUs, or its processor when it has none.")
            )
            return
        try:
            target = cluster_target(self.settings)
        except SetupError as error:
            self.cluster_status.setText(translate_error(error))
            return
        assert target is not None
        self.cluster_status.setText(
            self.tr(
                "Runs go to the cluster at {address}. On each GPU machine, run: "
                "localclip node --scheduler {address}"
            ).format(address=target.address)
        )

    def _store_seed(self) -> None:
        random = self.random_seed.isChecked()
        self.seed.setEnabled(not random)
        self._store(CLONE_SEED, -1 if random else self.seed.value())

    def _store_interpreter(self, kind: str, text: str) -> None:
        if self._loading:
            return
        self.settings.set_worker_python(kind, Path(text) if text else None)
        self.interpreters[kind].show_problem(self._interpreter_problem(text))
        self._sync_timer.start()
        self.changed.emit()

    def _own_interpreter(self, kind: str) -> str:
        """The interpreter chosen for ``kind`` itself ("" where it falls back to all jobs' or the bundled)."""
        chosen = self.settings.worker_python(kind)
        fallback = (
            bundled_worker_python()
            if kind == DEFAULT_INTERPRETER
            else self.settings.worker_python(DEFAULT_INTERPRETER)
        )
        return "" if chosen == fallback else str(chosen)

    def _interpreter_problem(self, text: str) -> str:
        if not text:
            return ""
        path = Path(text)
        if not path.is_file():
            return self.tr("Not found: the run will stop with this message until it is fixed.")
        if not os.access(path, os.X_OK):
            return self.tr("Not executable: check its permissions.")
        return ""

    def sync(self) -> None:
        """Write pending changes to disk now (on close)."""
        self._sync_timer.stop()
        self.settings.sync()

    # -- model folders ------------------------------------------------------------------------------------

    def set_model_dir(self, kind: str, folder: Path | None) -> None:
        """Choose a model folder of ``kind``; it is checked and stored."""
        option = JobKind.for_model(kind).model_dir_option
        self.settings.set(option, str(folder) if folder else "")
        self._sync_timer.start()
        self._show_model_dir(kind, str(folder) if folder else "")
        self.changed.emit()

    def model_dir(self, kind: str) -> Path | None:
        text = self.settings.get(JobKind.for_model(kind).model_dir_option)
        return Path(text) if text else None

    def _browse_model(self, kind: str) -> None:
        current = self.model_dir(kind)
        title = (
            self.tr("Choose a WeSpeaker model folder")
            if kind == ModelKind.WESPEAKER
            else self.tr("Choose a Fish-Speech checkpoint folder")
        )
        chosen = QFileDialog.getExistingDirectory(self, title, str(current or Path.home()))
        if chosen:
            self.set_model_dir(kind, Path(chosen))

    def _show_model_dir(self, kind: str, text: str) -> None:
        row = self.wespeaker_row if kind == ModelKind.WESPEAKER else self.fish_row
        row.path.setText(text)
        row.path.setToolTip(text)
        self._checks[kind] += 1
        number = self._checks[kind]
        if not text:
            self._set_model_status(kind, None, self.tr("Choose a folder, or get a model with Manage models."))
            return
        self._set_model_status(kind, None, self.tr("Checking…"))
        folder = Path(text)
        check = check_wespeaker_dir if kind == ModelKind.WESPEAKER else check_fish_dir
        run_in_background(
            lambda: check(folder),
            lambda info: self._on_model_checked(kind, number, info),
            lambda error: self._on_model_failed(kind, number, error),
            name="localclip-model-check",
            owner=self,
        )

    def _on_model_checked(self, kind: str, number: int, info: object) -> None:
        if number != self._checks[kind]:
            return  # another folder was chosen meanwhile
        if kind == ModelKind.WESPEAKER:
            text = self.tr("{model}, {dim}-dimensional embeddings").format(
                model=info.model_name, dim=info.embed_dim
            )
        else:
            text = self.tr("Fish-Speech checkpoint with its codec")
        self._set_model_status(kind, True, text)

    def _on_model_failed(self, kind: str, number: int, error: BaseException) -> None:
        if number != self._checks[kind]:
            return
        text = (
            translate_error(error)
            if isinstance(error, ModelDirError | OSError)
            else f"{type(error).__name__}: {error}"
        )
        self._set_model_status(kind, False, text)

    def _set_model_status(self, kind: str, ok: bool | None, text: str) -> None:
        self.model_status[kind] = (ok, text)
        row = self.wespeaker_row if kind == ModelKind.WESPEAKER else self.fish_row
        row.show_status(ok, text)
        self.models_changed.emit()
