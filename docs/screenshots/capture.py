"""Take the README's screenshots of the window, with real data made on the spot.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/capture.py [--keep]

Everything runs for real: a demo dataset (``localclip.core.demo_data``), a tiny WeSpeaker model and a tiny
Fish-Speech model of random weights built by the worker environment (``localclip_worker.demo_models``),
the example project copied from ``resources/example_project``, all in a temporary folder whose path has a
space; real worker processes embed the dataset and clone the project on the CPU. The GPU panel reads a
recorded NVML answer of two GPUs (``tests/data/nvml/two_gpus_mixed.json``), since the runs here are on
the CPU. Settings go to a private config folder, never the user's.

Each picture is ``QWidget.grab()`` after the events are processed, checked not to be blank, and saved to
``docs/screenshots/<name>.png``. Under Xvfb set ``QT_QPA_PLATFORM=xcb`` (the default with a DISPLAY);
``offscreen`` works too. Chinese and Japanese lines need a CJK font (Debian: ``fonts-wqy-microhei``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # for tests.test_gpus_plan (FakeNvml) when run as a script

# Before anything reads the settings: a private config folder, and a window drawn the same everywhere.
WORK = Path(tempfile.mkdtemp(prefix="localclip-")) / "Voice work"  # the space is on purpose
WORK.mkdir()
os.environ["LOCALCLIP_CONFIG_DIR"] = str(WORK.parent / "config")
os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if os.environ.get("DISPLAY") else "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QFontDatabase, QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from localclip.core.demo_data import AudioFormat, make_dataset  # noqa: E402
from localclip.core.machine.gpus import probe_gpus  # noqa: E402
from localclip.core.monitor.board import PaneState  # noqa: E402
from localclip.core.options import (  # noqa: E402
    CLONE_MAX_NEW_TOKENS,
    CLONE_SEED,
    CPU_WORKERS,
    EMBED_CPU_WORKERS,
    FISH_MODEL_DIR,
    LANGUAGE,
    MODEL_MANAGER_OFFERED,
    MODELS_FOLDER,
    RECOGNISER_MODEL_DIR,
    WESPEAKER_MODEL_DIR,
)
from localclip.core.paths import bundled_worker_python, resources_dir  # noqa: E402
from localclip.gui.export_dialog import ExportDialog  # noqa: E402
from localclip.gui.icons import icon  # noqa: E402
from localclip.gui.main_window import MainWindow  # noqa: E402
from localclip.gui.review_table import COLUMN_ID, COLUMN_QA  # noqa: E402
from localclip.gui.translations import install_translations  # noqa: E402
from localclip.runs.background import collect_garbage_on_main_thread  # noqa: E402
from localclip.runs.folders import FolderEntry  # noqa: E402
from localclip.settings import Settings  # noqa: E402
from tests.test_gpus_plan import FakeNvml, load_recording  # noqa: E402

WINDOW_SIZE = (1280, 900)  # 800 leaves the folder tree two rows under the GPU panel
EMBED_WORKERS = 3  # "several CPU workers" for the run picture
CLONE_WORKERS = 2
CLONE_TOKENS = 24  # about a second of audio per line from the tiny model: seconds per line on a CPU
MIN_COLOURS = 40  # fewer distinct colours than this: the picture is blank or unpainted
MAX_BYTES = 400_000
FORMATS = (
    AudioFormat(".wav", "PCM_16", 16000, 1),
    AudioFormat(".flac", "PCM_16", 44100, 1),
    AudioFormat(".wav", "PCM_24", 48000, 2),
)


class CaptureError(RuntimeError):
    """A state was not reached, or a picture came out wrong."""


def two_gpus() -> Any:
    return probe_gpus(FakeNvml(load_recording("two_gpus_mixed.json")))


# --- waiting ------------------------------------------------------------------------------------------------


def settle(milliseconds: int = 400) -> None:
    """Run the event loop for a while, so that what changed is laid out and painted."""
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise CaptureError(f"gave up after {seconds:.0f} s waiting for {what}")
        settle(50)


# --- the data --------------------------------------------------------------------------------------------


def build_model(folder: Path, kind: str) -> Path:
    python = bundled_worker_python()
    if not python.is_file():
        raise CaptureError(f"no worker environment at {python}: run 'python installer/dev.py test' first")
    command = [str(python), "-I", "-m", "localclip_worker.demo_models", str(folder), "--kind", kind]
    if kind == "fish":
        command += ["--size", "tiny"]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=600, check=False)
    if done.returncode != 0:
        raise CaptureError(f"could not build the {kind} model: {done.stderr.strip()[-2000:]}")
    return folder


def make_data() -> dict[str, Path]:
    """The dataset (with one unreadable clip, as real folders have), the project and both models."""
    dataset = WORK / "Interview voices"
    make_dataset(dataset, speakers=6, clips_per_speaker=16, seconds=(1.0, 4.0), formats=FORMATS, seed=7)
    (dataset / "speaker_04" / "clip_017 (damaged).wav").write_bytes(b"RIFF this recording was cut short")
    project = WORK / "Example project"
    shutil.copytree(resources_dir() / "example_project", project, ignore=shutil.ignore_patterns("output"))
    return {
        "dataset": dataset,
        "project": project,
        "wespeaker": build_model(WORK / "models" / "wespeaker tiny", "wespeaker"),
        "fish": build_model(WORK / "models" / "fish-speech tiny", "fish"),
        "recogniser": build_model(WORK / "models" / "whisper tiny", "recogniser"),
    }


def make_settings(data: dict[str, Path]) -> Settings:
    settings = Settings()
    settings.set(LANGUAGE, "en")
    settings.set(WESPEAKER_MODEL_DIR, str(data["wespeaker"]))
    settings.set(FISH_MODEL_DIR, str(data["fish"]))
    settings.set(RECOGNISER_MODEL_DIR, str(data["recogniser"]))  # every take checked (docs/qa.md)
    settings.set(MODELS_FOLDER, str(WORK / "downloads"))
    settings.set(MODEL_MANAGER_OFFERED, True)
    settings.set(EMBED_CPU_WORKERS, EMBED_WORKERS)
    settings.set(CPU_WORKERS, CLONE_WORKERS)
    settings.set(CLONE_MAX_NEW_TOKENS, CLONE_TOKENS)
    settings.set(CLONE_SEED, 1)
    settings.sync()
    return settings


# --- pictures --------------------------------------------------------------------------------------------


def save(widget: QWidget, name: str) -> Path:
    """Grab `widget` as painted now, check it is a real picture, and write docs/screenshots/<name>."""
    settle()
    # A label changed by the last timer tick has its layout request posted, not done yet: do it now, or
    # the picture shows the label at its old width (a rate cut on the left).
    QApplication.sendPostedEvents()
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.width() * image.height())
    colours, counts = np.unique(pixels, return_counts=True)
    commonest = counts.max() / pixels.size
    if len(colours) < MIN_COLOURS or commonest > 0.97:
        raise CaptureError(
            f"{name} looks blank: {len(colours)} colours, {commonest:.0%} of it one colour "
            f"({image.width()}x{image.height()})"
        )
    path = HERE / name
    partial = path.with_name(path.stem + ".part.png")
    if not image.save(str(partial), "PNG", 9):
        raise CaptureError(f"could not write {partial}")
    partial.replace(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise CaptureError(f"{name} is {size / 1000:.0f} KB, more than {MAX_BYTES / 1000:.0f} KB")
    print(f"  {name}: {image.width()}x{image.height()}, {len(colours)} colours, {size / 1000:.0f} KB")
    return path


def open_folder(window: MainWindow, folder: Path) -> FolderEntry:
    scanned: list[FolderEntry] = []
    window.scan_finished.connect(scanned.append)
    window.open_folders([folder])
    wait_until(lambda: any(entry.path == folder for entry in scanned), 120, f"the scan of {folder.name}")
    entry = next(entry for entry in window.intake.entries if entry.path == folder)
    if entry.error:
        raise CaptureError(f"{folder.name} cannot be used: {entry.error}")
    window.intake.select(entry)
    return entry


def folder_settings_and_models(window: MainWindow, data: dict[str, Path]) -> FolderEntry:
    dataset = open_folder(window, data["dataset"])
    tree = window.intake.tree
    for index in range(tree.topLevelItemCount()):
        tree.topLevelItem(index).setExpanded(True)
    wait_until(lambda: window.gpu_panel.plan is not None, 30, "the GPU panel's plan")
    window.show_tab("folder")
    save(window, "folder-and-gpus.png")

    panel = window.settings_panel
    window.show_tab("settings")
    wait_until(lambda: all(ok is not None for ok, _ in panel.model_status.values()), 120, "the model checks")
    save(window, "settings.png")

    window.open_model_manager()
    dialog = window.model_manager
    wait_until(dialog.isVisible, 10, "the model manager")
    save(dialog, "model-manager.png")
    dialog.close()
    window.show_tab("folder")
    return dataset


def embedding_run(window: MainWindow, dataset: FolderEntry) -> None:
    """The run on CPU workers, grabbed once a few clips are done, then the speakers' heat map."""
    panel = window.settings_panel
    panel.device.setCurrentIndex(panel.device.findData("cpu"))  # as a user would: the GPUs are recorded
    progress: list[Any] = []
    reports: list[dict[str, Any]] = []
    loaded: list[Any] = []
    window.controller.progress.connect(progress.append)
    window.run_finished.connect(reports.append)
    window.speakers.loaded.connect(loaded.append)
    if not window.start_run([dataset]):
        raise CaptureError("the embedding run did not start")

    def every_worker_busy() -> bool:
        """Every worker working with a clip done, or (the picture must be taken) the run nearly over."""
        if reports:
            raise CaptureError(f"the embedding run ended before the picture: {reports[-1]}")
        latest = progress[-1] if progress else None
        if latest is None:
            return False
        workers = list(window.worker_panes.board.workers.values())
        busy = len(workers) == EMBED_WORKERS and all(
            worker.state == PaneState.WORKING and worker.done > 0 for worker in workers
        )
        return busy or latest.remaining < 12

    wait_until(every_worker_busy, 300, "every worker at work")
    states = [worker.state.value for worker in window.worker_panes.board.workers.values()]
    if states != ["working"] * EMBED_WORKERS:
        print(f"  note: the run was nearly over before every worker was busy: {states}")
    save(window, "embedding-run.png")
    wait_until(lambda: bool(reports), 600, "the end of the embedding run")
    wait_until(lambda: bool(loaded), 60, "the speaker results")
    if reports[-1].get("done", 0) == 0:
        raise CaptureError(f"the embedding run made nothing: {reports[-1]}")
    window.show_tab("speakers")
    save(window, "speakers-heat-map.png")


def cloning_and_review(window: MainWindow, data: dict[str, Path]) -> None:
    project = open_folder(window, data["project"])
    reports: list[dict[str, Any]] = []
    loaded: list[Path] = []
    window.run_finished.connect(reports.append)
    window.review.project_loaded.connect(loaded.append)
    if not window.start_run([project]):
        raise CaptureError("the cloning run did not start")
    wait_until(lambda: bool(reports), 900, "the end of the cloning run")
    if reports[-1].get("status") != "done":
        raise CaptureError(f"the cloning run did not finish cleanly: {reports[-1]}")
    wait_until(lambda: bool(loaded), 60, "the review table")
    review = window.review
    takes: list[str] = []
    review.regenerator.take_done.connect(lambda line_id, _info: takes.append(line_id))
    if not review.select_line("004") or not review.regenerate_current():
        raise CaptureError("could not ask for a second take of line 004")
    # Away from the line while its take is made, so it is not played: this machine has no sound card,
    # and the pane would say so in the picture.
    review.select_line("001")
    wait_until(lambda: "004" in takes, 300, "a second take of line 004")
    wait_until(lambda: not review.busy, 60, "the review to settle")
    review.select_line("004")
    window.show_tab("review")
    # An editor's marks, as after some review: a trimmed take, two approved lines, a note.
    take = review.model.line(review.model.row_of("004")).chosen_take
    duration = review.model.line(review.model.row_of("004")).duration or 1.0
    if take is None or not review.set_trim("004", 0.05, round(duration * 0.8, 2)):
        raise CaptureError("could not trim the take of line 004")
    review.set_approved(["001", "002"], True)
    review.set_note("003", "a little fast")
    review.select_line("004")
    wait_until(lambda: review.waveform.peaks is not None, 30, "the waveform of line 004")
    save(window, "review.png")
    # Sorted by risk: flagged lines first (tiny random models speak no words of the line, so all are).
    review.table.sortByColumn(COLUMN_QA, Qt.SortOrder.AscendingOrder)
    review.select_line(review.visible_line_ids()[0])
    save(window, "review-qa.png")
    review.table.sortByColumn(COLUMN_ID, Qt.SortOrder.AscendingOrder)
    export_dialog(window)


def export_dialog(window: MainWindow) -> None:
    window.review.export_button.click()
    dialogs = [widget for widget in QApplication.topLevelWidgets() if isinstance(widget, ExportDialog)]
    wait_until(lambda: any(dialog.isVisible() for dialog in dialogs), 30, "the export dialog")
    dialog = next(dialog for dialog in dialogs if dialog.isVisible())
    save(dialog, "export-dialog.png")
    dialog.reject()


def chinese_window(app: QApplication, settings: Settings, project: Path) -> None:
    """The window in Simplified Chinese at the next start: the workspace comes back (the dataset and the
    project, the project shown in the review)."""
    install_translations(app, "zh_CN")
    settings.set(LANGUAGE, "zh_CN")
    window = MainWindow(settings, gpu_reader=two_gpus, offer_model_manager=False)
    window.ask = lambda *_args: True
    window.resize(*WINDOW_SIZE)
    window.show()
    try:
        wait_until(lambda: window.worker_panes is not None, 60, "the run views")
        review = window.review
        wait_until(
            lambda: review.project == project and review.model.rowCount() > 0, 60, "the restored review"
        )
        window.show_tab("review")
        review.select_line("004")
        wait_until(lambda: window.review.waveform.peaks is not None, 30, "the waveform of line 004")
        save(window, "window-zh.png")
    finally:
        close(window)


def close(window: MainWindow) -> None:
    """Close as a user would (a run still going is stopped, the review's warm workers too)."""
    window.close()
    try:
        wait_until(lambda: not window.isVisible(), 60, "the window to close")
    except CaptureError as error:  # never hides the error that brought us here
        print(f"warning: {error}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (data, models, output)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("LocalClip")
    app.setApplicationDisplayName("LocalClip")
    app.setWindowIcon(icon("localclip"))
    collect_garbage_on_main_thread(app)  # as the app does (gui/app.py)
    install_translations(app, "en")  # as the app does: English plural forms ("1 folder", "6 speakers")
    if not QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese):
        raise CaptureError(
            "no font for Chinese or Japanese text (Debian: apt-get install fonts-wqy-microhei)"
        )
    print(f"making the data in {WORK}", flush=True)
    data = make_data()
    settings = make_settings(data)
    window = MainWindow(settings, gpu_reader=two_gpus, offer_model_manager=False)
    window.ask = lambda *_args: True  # no question box stops the script
    window.resize(*WINDOW_SIZE)
    window.show()
    try:
        wait_until(lambda: window.worker_panes is not None, 60, "the run views")
        print(f"capturing into {HERE} ({app.platformName()})", flush=True)
        dataset = folder_settings_and_models(window, data)
        embedding_run(window, dataset)
        cloning_and_review(window, data)
        close(window)
        chinese_window(app, settings, data["project"])  # the workspace saved by the close
    finally:
        close(window)
        if args.keep:
            print(f"kept {WORK.parent}")
        else:
            shutil.rmtree(WORK.parent, ignore_errors=True)
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CaptureError as error:
        print(f"capture failed: {error}", file=sys.stderr)
        sys.exit(1)
