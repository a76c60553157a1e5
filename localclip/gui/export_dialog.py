"""The export dialog: deliver a project's kept takes to a folder, as an editor needs them.

Sample rate and format (48 kHz 24-bit PCM for video by default), a file-name template with a live
example, a folder per speaker, approved lines only, loudness normalisation, and for SRT scripts the
subtitle-timed tracks (core/cloning/timeline.py). The folder starts in the project's own folder (never
output/, where the takes are kept). Planning and writing run on a background thread
(runs/background.py) with a progress bar and a Stop button; files that would be replaced are listed
and need a yes first. The last choices are kept in the settings (core/options.py EXPORT_*).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from localclip.core.audio.convert import DeliveryFormat
from localclip.core.cloning.manifest import Manifest
from localclip.core.cloning.takes import (
    CSV_NAME,
    ExportOptions,
    LoadedProject,
    TakeExportError,
    TakeExportPlan,
    TakeExportReport,
    check_template,
    plan_take_export,
    template_name,
    write_take_export,
)
from localclip.core.cloning.timeline import script_slots
from localclip.core.options import (
    EXPORT_APPROVED_ONLY,
    EXPORT_BY_SPEAKER,
    EXPORT_LOUDNESS_LUFS,
    EXPORT_NAME_TEMPLATE,
    EXPORT_SAMPLE_RATE,
    EXPORT_SUBTYPE,
    EXPORT_TIMELINE,
)
from localclip.gui.errors import show_error
from localclip.runs.background import BackgroundTask, TaskContext, error_details
from localclip.settings import Settings

EXPORT_FOLDER_NAME = "export"  # the suggested folder, inside the project
_SHOWN = 8


class ExportDialog(QDialog):
    export_finished = Signal(object)  # TakeExportReport

    def __init__(
        self,
        parent: QWidget | None,
        loaded: LoadedProject,
        settings: Settings,
        line_ids: list[str] | None = None,
        manifest: Manifest | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(self.tr("Export kept takes"))
        self.loaded = loaded
        self.settings = settings
        # The lines to export (the review's order and filter), and the manifest as the review holds it.
        self.line_ids = [line.line_id for line in loaded.lines] if line_ids is None else list(line_ids)
        self.manifest = manifest or loaded.manifest
        self.slots = script_slots(loaded.scan)
        self._task: BackgroundTask | None = None
        self._stop = threading.Event()
        self.report: TakeExportReport | None = None
        self._build()
        self._restore()
        self._update_example()

    # -- building --------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.folder_edit = QLineEdit(str(self.loaded.project / EXPORT_FOLDER_NAME))
        self.folder_edit.setObjectName("exportFolder")
        browse = QPushButton(self.tr("&Browse…"))
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)

        self.rate_combo = QComboBox()
        self.rate_combo.addItem(self.tr("48 kHz (video)"), 48_000)
        self.rate_combo.addItem(self.tr("44.1 kHz"), 44_100)
        self.rate_combo.addItem(self.tr("Same as the takes"), 0)
        self.format_combo = QComboBox()
        self.format_combo.addItem(self.tr("24-bit PCM"), "PCM_24")
        self.format_combo.addItem(self.tr("16-bit PCM"), "PCM_16")
        self.format_combo.addItem(self.tr("32-bit float"), "FLOAT")
        self.template_edit = QLineEdit()
        self.template_edit.setToolTip(
            self.tr("Fields: {id}, {speaker}, {take}, {text} (the first words of the line)")
        )
        self.template_edit.textChanged.connect(self._update_example)
        self.example_label = QLabel()
        self.example_label.setObjectName("templateExample")
        self.example_label.setTextFormat(Qt.TextFormat.PlainText)
        self.by_speaker_box = QCheckBox(self.tr("A folder per &speaker"))
        self.by_speaker_box.toggled.connect(self._update_example)
        self.approved_box = QCheckBox(self.tr("&Approved lines only"))
        self.loudness_combo = QComboBox()
        self.loudness_combo.addItem(self.tr("Off"), 0.0)
        self.loudness_combo.addItem(self.tr("-23 LUFS (broadcast, EBU R128)"), -23.0)
        self.loudness_combo.addItem(self.tr("-16 LUFS (web video)"), -16.0)
        self.loudness_combo.setToolTip(
            self.tr("Each clip is brought to this loudness; its peak never passes -1 dBFS.")
        )
        self.timeline_box = QCheckBox(
            self.tr("&Timeline tracks: a WAV per speaker and a mix, at subtitle times")
        )
        self.timeline_box.setEnabled(bool(self.slots))
        if not self.slots:
            self.timeline_box.setToolTip(self.tr("Only for projects whose script is a subtitle file (.srt)."))

        form = QFormLayout()
        folder_label = QLabel(self.tr("&Folder:"))
        folder_label.setBuddy(self.folder_edit)  # the row is a layout: Qt cannot find the buddy itself
        form.addRow(folder_label, folder_row)
        form.addRow(self.tr("Sample &rate:"), self.rate_combo)
        form.addRow(self.tr("F&ormat:"), self.format_combo)
        form.addRow(self.tr("&Names:"), self.template_edit)
        form.addRow("", self.example_label)
        form.addRow(self.tr("&Loudness:"), self.loudness_combo)
        form.addRow("", self.by_speaker_box)
        form.addRow("", self.approved_box)
        form.addRow("", self.timeline_box)

        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            self.tr("&Export"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

    def _restore(self) -> None:
        get = self.settings.get
        self._select(self.rate_combo, get(EXPORT_SAMPLE_RATE))
        self._select(self.format_combo, get(EXPORT_SUBTYPE))
        self._select(self.loudness_combo, get(EXPORT_LOUDNESS_LUFS))
        self.template_edit.setText(get(EXPORT_NAME_TEMPLATE))
        self.by_speaker_box.setChecked(get(EXPORT_BY_SPEAKER))
        self.approved_box.setChecked(get(EXPORT_APPROVED_ONLY))
        self.timeline_box.setChecked(bool(self.slots) and get(EXPORT_TIMELINE))

    def _remember(self) -> None:
        self.settings.set(EXPORT_SAMPLE_RATE, self.rate_combo.currentData())
        self.settings.set(EXPORT_SUBTYPE, self.format_combo.currentData())
        self.settings.set(EXPORT_LOUDNESS_LUFS, self.loudness_combo.currentData())
        self.settings.set(EXPORT_NAME_TEMPLATE, self.template_edit.text())
        self.settings.set(EXPORT_BY_SPEAKER, self.by_speaker_box.isChecked())
        self.settings.set(EXPORT_APPROVED_ONLY, self.approved_box.isChecked())
        if self.slots:  # an SRT project's choice; other projects cannot make one
            self.settings.set(EXPORT_TIMELINE, self.timeline_box.isChecked())

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(0, index))

    # -- choices ---------------------------------------------------------------------------------------

    def options(self) -> ExportOptions:
        rate = self.rate_combo.currentData()
        target = self.loudness_combo.currentData()
        return ExportOptions(
            delivery=DeliveryFormat(rate or None, self.format_combo.currentData()),
            loudness_target=target or None,
            name_template=self.template_edit.text(),
            by_speaker=self.by_speaker_box.isChecked(),
            approved_only=self.approved_box.isChecked(),
            timeline=self.timeline_box.isEnabled() and self.timeline_box.isChecked(),
            qa_thresholds=self.loaded.thresholds,  # lines.csv's qa_flags: as the review table shows them
        )

    def _update_example(self) -> None:
        template = self.template_edit.text()
        try:
            check_template(template)
        except TakeExportError:
            self.example_label.setText(self.tr("Fields: {id}, {speaker}, {take}, {text}"))
            self.export_button.setEnabled(False)
            return
        line = next((line for line in self.loaded.lines if line.chosen_take is not None), None)
        line_id, speaker, take, text = (
            (line.line_id, line.speaker, line.chosen_take or 1, line.text)
            if line
            else ("001", "anna", 1, "Hello")
        )
        name = template_name(template, line_id, speaker, take, text) + ".wav"
        if self.by_speaker_box.isChecked():
            name = f"{speaker}/{name}"
        self.example_label.setText(self.tr("For example: {0}").format(name))
        self.export_button.setEnabled(self._task is None)

    def _browse(self) -> None:
        start = self.folder_edit.text() or str(self.loaded.project)
        if not Path(start).is_dir():
            start = str(self.loaded.project)
        folder = QFileDialog.getExistingDirectory(self, self.tr("Export the kept takes to"), start)
        if folder:
            self.folder_edit.setText(folder)

    # -- exporting -------------------------------------------------------------------------------------

    def start_export(self) -> None:
        """Plan the export on a thread; then ask about files that would be replaced, then write."""
        if self._task is not None:
            return
        text = self.folder_edit.text().strip()
        if not text:
            self.status_label.setText(self.tr("Choose a folder to export into."))
            return
        self._remember()
        folder, options, ids, manifest, slots = (
            Path(text),
            self.options(),
            self.line_ids,
            self.manifest,
            self.slots,
        )

        def plan(_context: TaskContext) -> TakeExportPlan:
            return plan_take_export(manifest, ids, folder, options=options, slots=slots)

        self._run(plan, self._on_planned, self.tr("Checking the lines…"))

    def _on_planned(self, plan: TakeExportPlan) -> None:
        self._task = None
        if self._stop.is_set():  # Stop pressed while the lines were checked
            self._idle(self.tr("Export cancelled: nothing was written."))
            return
        if not plan.items:
            self._idle(self._skipped_text(plan.skipped) or self.tr("None of these lines has a kept take."))
            return
        if plan.conflicts:
            self._idle("")
            self._ask_to_replace(plan)
            return
        self._write(plan, False)

    def _ask_to_replace(self, plan: TakeExportPlan) -> None:
        names = "\n".join(str(path.relative_to(plan.folder)) for path in plan.conflicts[:_SHOWN])
        hidden = len(plan.conflicts) - _SHOWN
        more = self.tr("\n… and {0} more").format(hidden) if hidden > 0 else ""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Replace files?"),
            self.tr(
                "%n file(s) in {0} would be replaced by this export:\n\n{1}{2}", "", len(plan.conflicts)
            ).format(plan.folder, names, more),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("replaceBox")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Replace"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda result: (
                self._write(plan, True)
                if result == QMessageBox.StandardButton.Yes
                else self._idle(self.tr("Export cancelled: nothing was written."))
            )
        )
        box.open()

    def _write(self, plan: TakeExportPlan, replace_existing: bool) -> None:
        stop = self._stop

        def write(context: TaskContext) -> TakeExportReport:
            return write_take_export(
                plan, replace_existing, lambda done, total: context.report((done, total)), stop.is_set
            )

        self.progress.setRange(0, plan.steps)
        self.progress.setValue(0)
        self._run(write, self._on_written, self.tr("Exporting %n take(s)…", "", len(plan.items)))

    def _run(self, work, done, text: str) -> None:  # type: ignore[no-untyped-def]
        self._stop.clear()
        task = BackgroundTask(work, "localclip-export", owner=self)
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(done)
        task.failed.connect(self._on_failed)
        self._task = task.start()
        self.progress.setVisible(True)
        self.status_label.setText(text)
        self.export_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Sto&p"))

    def _on_progress(self, value: tuple[int, int]) -> None:
        self.progress.setRange(0, value[1])
        self.progress.setValue(value[0])

    def _on_written(self, report: TakeExportReport) -> None:
        self._task = None
        self.report = report
        self._idle(self._report_text(report))
        self.export_finished.emit(report)
        self._show_done(report)

    def _on_failed(self, error: BaseException) -> None:
        self._task = None
        if isinstance(error, TakeExportError | OSError):
            self._idle(self.tr("Nothing was exported: {0}").format(error))
            return
        self._idle(self.tr("The export did not finish."))
        show_error(self, self.tr("Export"), self.tr("The export did not finish."), error_details(error))

    def _idle(self, text: str) -> None:
        self.status_label.setText(text)
        self.progress.setVisible(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        self._update_example()

    def _report_text(self, report: TakeExportReport) -> str:
        if report.cancelled:
            text = self.tr("Export stopped after %n take(s); {0} lists them.", "", report.exported).format(
                CSV_NAME
            )
        else:
            text = self.tr("Exported %n take(s) and {0} to {1}.", "", report.exported).format(
                CSV_NAME, report.folder
            )
        if report.timeline:
            text += " " + self.tr("%n timeline track(s) written.", "", len(report.timeline))
        skipped = self._skipped_text(report.skipped)
        return "\n".join(part for part in (text, skipped, *report.notes) if part)

    def _skipped_text(self, skipped: list[tuple[str, str]]) -> str:
        if not skipped:
            return ""
        return self.tr("%n line(s) were left out (not approved, or without a kept take).", "", len(skipped))

    def _show_done(self, report: TakeExportReport) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, self.tr("Export"), self._report_text(report), parent=self
        )
        box.setObjectName("exportDoneBox")
        show = box.addButton(self.tr("Show in &folder"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        show.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(report.folder))))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def reject(self) -> None:
        """Close, or while exporting: stop (what was written stays, and lines.csv lists it)."""
        if self._task is not None:
            self._stop.set()
            self.status_label.setText(self.tr("Stopping…"))
            return
        super().reject()


def open_export_dialog(
    parent: QWidget,
    loaded: LoadedProject,
    settings: Settings,
    line_ids: list[str] | None = None,
    manifest: Manifest | None = None,
) -> ExportDialog:
    """Open the export dialog over `parent` (window-modal, returns at once). `line_ids`: the lines to
    export (default: every line of `loaded`); `manifest`: the review's current one (default: loaded's)."""
    dialog = ExportDialog(parent, loaded, settings, line_ids, manifest)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog
