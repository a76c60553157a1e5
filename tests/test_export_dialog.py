"""The export dialog, offscreen with real files: an export end to end (48 kHz 24-bit, template names,
per-speaker folders, SRT timeline tracks), the replace question, the choices kept in the settings, and
"Show in folder"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from localclip.core.cloning.manifest import CloneParams, Manifest, SeedPolicy
from localclip.core.cloning.project import scan_project
from localclip.core.cloning.takes import load_project
from localclip.core.cloning.timeline import TIMELINE_FOLDER
from localclip.core.options import EXPORT_NAME_TEMPLATE, EXPORT_SUBTYPE
from localclip.gui.export_dialog import ExportDialog, open_export_dialog
from localclip.settings import Settings
from tests.clone_project_helpers import make_project

RATE = 44_100
SRT = (
    "1\n00:00:00,500 --> 00:00:01,700\nanna: Hello there.\n\n"
    "2\n00:00:01,250 --> 00:00:02,000\nbob: Over her.\n"
)


def cloned(project: Path, seconds: float = 0.8) -> Path:
    manifest = Manifest.load(project)
    for plan in manifest.plan_lines(scan_project(project), "m", CloneParams(), SeedPolicy(1)):
        samples = np.random.default_rng(plan.seed % 1000).uniform(-0.3, 0.3, round(seconds * RATE))
        plan.out_path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(plan.out_path, samples.astype(np.float32), RATE, subtype="FLOAT")
        manifest.record_done(plan, seconds)
    manifest.save()
    return project


@pytest.fixture
def srt_project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "字幕 project", ["anna", "bob"], "")
    (project / "script.csv").unlink()
    (project / "episode.srt").write_text(SRT, encoding="utf-8")
    return cloned(project)


@pytest.fixture
def parent(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def done_box(qtbot) -> QMessageBox:  # type: ignore[no-untyped-def]
    found: list[QMessageBox] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if w.objectName() == "exportDoneBox"]
        found[:] += [w for w in QApplication.allWidgets() if w.objectName() == "exportDoneBox"]
        return bool(found) and found[0].isVisible()

    qtbot.waitUntil(shown, timeout=10_000)
    return found[0]


def test_an_export_end_to_end(
    qtbot, parent: QWidget, srt_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(tmp_path / "localclip.ini")
    dialog = open_export_dialog(parent, load_project(srt_project), settings)
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    assert dialog.folder_edit.text() == str(srt_project / "export")  # in the project, not output/
    assert dialog.rate_combo.currentData() == 48_000 and dialog.format_combo.currentData() == "PCM_24"
    assert dialog.timeline_box.isEnabled() and dialog.timeline_box.isChecked()
    target = tmp_path / "导出 delivery"
    dialog.folder_edit.setText(str(target))
    dialog.template_edit.setText("{speaker}_{id}_{text}")
    assert dialog.example_label.text().endswith("anna_1_Hello there.wav")
    dialog.by_speaker_box.setChecked(True)
    assert dialog.example_label.text().endswith("anna/anna_1_Hello there.wav")

    with qtbot.waitSignal(dialog.export_finished, timeout=30_000) as finished:
        dialog.export_button.click()
    report = finished.args[0]
    assert report.exported == 2 and not report.cancelled
    for path in (target / "anna" / "anna_1_Hello there.wav", target / "bob" / "bob_2_Over her.wav"):
        info = sf.info(path)
        assert (info.samplerate, info.subtype, info.frames) == (48_000, "PCM_24", 38_400)
    anna = sf.info(target / TIMELINE_FOLDER / "anna.wav")
    # Every track lasts until bob's take ends (1.25 s + 0.8 s), past the last cue's end (2.0 s).
    assert anna.samplerate == 48_000 and anna.frames == round(1.25 * 48_000) + 38_400
    assert (target / TIMELINE_FOLDER / "mix.wav").is_file()
    assert settings.get(EXPORT_NAME_TEMPLATE) == "{speaker}_{id}_{text}"

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    box = done_box(qtbot)
    show = next(button for button in box.buttons() if "folder" in button.text().replace("&", ""))
    show.click()
    assert opened == [str(target)]


def test_existing_files_are_replaced_only_after_a_yes(
    qtbot, parent: QWidget, srt_project: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(tmp_path / "localclip.ini")
    target = tmp_path / "out"
    target.mkdir()
    (target / "1.wav").write_bytes(b"the editor's own")
    dialog = open_export_dialog(parent, load_project(srt_project), settings)
    dialog.folder_edit.setText(str(target))
    dialog.template_edit.setText("{id}")
    dialog._select(dialog.format_combo, "FLOAT")
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "replaceBox") is not None, timeout=10_000)
    box = dialog.findChild(QMessageBox, "replaceBox")
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: "cancelled" in dialog.status_label.text())
    assert (target / "1.wav").read_bytes() == b"the editor's own"

    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "replaceBox") is not None, timeout=10_000)
    with qtbot.waitSignal(dialog.export_finished, timeout=30_000):
        dialog.findChild(QMessageBox, "replaceBox").button(QMessageBox.StandardButton.Yes).click()
    assert sf.info(target / "1.wav").subtype == "FLOAT"
    assert settings.get(EXPORT_SUBTYPE) == "FLOAT"
    again = ExportDialog(parent, load_project(srt_project), settings)  # the last choices come back
    assert again.format_combo.currentData() == "FLOAT"


def test_the_timeline_needs_an_srt_script_and_bad_templates_block_export(
    qtbot, parent: QWidget, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = cloned(make_project(tmp_path / "csv project", ["anna"], "id,speaker,text\na1,anna,Hi.\n"))
    dialog = ExportDialog(parent, load_project(project), Settings(tmp_path / "localclip.ini"))
    qtbot.addWidget(dialog)
    assert not dialog.timeline_box.isEnabled() and not dialog.options().timeline
    dialog.template_edit.setText("{nope}")
    assert not dialog.export_button.isEnabled()
    dialog.template_edit.setText("{id}-{take}")
    assert dialog.export_button.isEnabled() and dialog.example_label.text().endswith("a1-1.wav")
