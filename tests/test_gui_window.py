"""The main window end to end: folders dropped and scanned, the GPU panel, settings, real runs on real
workers with a tiny WeSpeaker model (paths with spaces and non-ASCII characters), cancel and resume,
and the start-up time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from localclip.core.cloning.manifest import CloneParams
from localclip.core.demo_data import AudioFormat, make_dataset
from localclip.core.machine.gpus import probe_gpus
from localclip.core.monitor.board import PaneState
from localclip.core.options import (
    CLONE_MAX_NEW_TOKENS,
    CLONE_REPETITION_PENALTY,
    CLONE_SEED,
    CLONE_TEMPERATURE,
    CLONE_TOP_P,
    EMBED_CPU_WORKERS,
    EMBED_PRECISION,
    MAX_WORKERS,
    RUN_DEVICE,
    WESPEAKER_MODEL_DIR,
)
from localclip.core.paths import resources_dir
from localclip.gui.errors import show_error
from localclip.gui.gpu_panel import GpuPanel
from localclip.gui.main_window import MainWindow
from localclip.runs.folders import FolderStatus
from localclip.settings import Settings
from tests.conftest import model_no_worker_loads
from tests.test_gpus_plan import FakeNvml, load_recording

MAKE_MODEL = Path(__file__).parent / "worker_scripts" / "make_wespeaker_model.py"
WAV16 = (AudioFormat(".wav", "PCM_16", 16000, 1),)
NO_GPU = lambda: probe_gpus(FakeNvml(load_recording("one_gpu_4090.json"), init_error="Driver Not Loaded"))  # noqa: E731


@pytest.fixture(scope="module")
def tiny_model(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "wespeaker tiny 模型"
    subprocess.run([str(worker_python), "-I", str(MAKE_MODEL), str(folder)], check=True, timeout=300)
    return folder


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Three speakers of short WAV clips, and one clip that cannot be read."""
    root = tmp_path / "数据 集 ü"
    make_dataset(root, speakers=3, clips_per_speaker=4, seconds=(0.8, 1.6), formats=WAV16)
    (root / "speaker_02" / "broken clip.wav").write_bytes(b"RIFF not really a wav file")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:

    target = tmp_path / "项目 project"
    shutil.copytree(resources_dir() / "example_project", target, ignore=shutil.ignore_patterns("output"))
    return target


def run_settings(model: Path | None = None) -> Settings:
    """One CPU worker: the tests run on a shared two-core machine."""
    settings = Settings()
    settings.set(RUN_DEVICE, "cpu")
    settings.set(EMBED_CPU_WORKERS, 1)
    settings.set(MAX_WORKERS, 1)
    if model is not None:
        settings.set(WESPEAKER_MODEL_DIR, str(model))
    settings.sync()
    return settings


def make_window(qtbot, settings: Settings | None = None) -> MainWindow:
    window = MainWindow(settings or run_settings(), gpu_reader=NO_GPU, offer_model_manager=False)
    window.ask = lambda *_args: True  # questions are answered "yes" (no modal box in a test)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.worker_panes is not None, timeout=30_000)
    return window


def drop(window: MainWindow, *folders: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder)) for folder in folders])
    enter = QDragEnterEvent(
        QPoint(40, 40),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(40, 40),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, event)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.CopyAction


def tree_rows(window: MainWindow) -> dict[str, list[str]]:
    """Name -> [count, duration as shown] for every row of the content tree."""
    tree, delegate = window.intake.tree, window.intake.tree.itemDelegateForColumn(2)

    def row(item) -> list[str]:
        seconds = item.data(2, Qt.ItemDataRole.DisplayRole)
        return [item.text(1), delegate.displayText(seconds, None) if seconds is not None else ""]

    rows = {}
    for index in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(index)
        rows[item.text(0)] = row(item)
        for child in range(item.childCount()):
            rows[item.child(child).text(0)] = row(item.child(child))
    return rows


def problem_rows(window: MainWindow) -> list[tuple[str, str]]:
    problems = window.intake.problems
    return [
        (problems.topLevelItem(i).text(0), problems.topLevelItem(i).text(1))
        for i in range(problems.topLevelItemCount())
    ]


# --- intake ------------------------------------------------------------------------------------------


def test_dropped_folders_queue_up_and_show_their_content(qtbot, dataset: Path, project: Path) -> None:
    window = make_window(qtbot)
    with qtbot.waitSignals([window.scan_finished, window.scan_finished], timeout=60_000):
        drop(window, dataset, project)
    entries = window.intake.entries
    assert [entry.path for entry in entries] == [dataset, project]
    assert [entry.kind for entry in entries] == ["dataset", "project"]
    assert all(entry.status == FolderStatus.READY for entry in entries)
    window.intake.select(entries[0])
    qtbot.waitUntil(lambda: window.intake.tree.topLevelItemCount() == 3)
    rows = tree_rows(window)
    assert rows["speaker_01"][0] == "4" and rows["speaker_02"][0] == "5"  # the broken clip is a clip too
    assert rows["speaker_01"][1].endswith(" s")  # its duration, read from the headers
    assert problem_rows(window)[0][0] == "speaker_02/broken clip.wav"
    assert "unreadable audio" in problem_rows(window)[0][1]
    assert "3 speaker" in window.intake.summary.text() and "13 clip" in window.intake.summary.text()
    window.intake.select(entries[1])
    qtbot.waitUntil(lambda: "anna" in tree_rows(window))
    rows = tree_rows(window)
    assert rows["anna"][0] == "4" and "hello.wav" in rows  # lines per speaker, references below
    assert window.run_action.isEnabled()


def test_opening_a_folder_again_reads_it_again(qtbot, dataset: Path) -> None:
    window = make_window(qtbot)
    with qtbot.waitSignal(window.scan_finished, timeout=30_000):
        window.open_folders([dataset])
    (dataset / "speaker_09").mkdir()
    sf.write(str(dataset / "speaker_09" / "new clip.wav"), np.zeros(8000, dtype=np.float32), 16000)
    with qtbot.waitSignal(window.scan_finished, timeout=30_000) as finished:
        drop(window, dataset)
    assert len(window.intake.entries) == 1 and finished.args[0].status == FolderStatus.READY
    qtbot.waitUntil(lambda: window.intake.tree.topLevelItemCount() == 4)
    assert tree_rows(window)["speaker_09"] == ["1", "0.5 s"]


def test_a_folder_that_is_neither_says_why(qtbot, tmp_path: Path) -> None:
    window = make_window(qtbot)
    folder = tmp_path / "just files"
    folder.mkdir()
    sf.write(str(folder / "a.wav"), np.zeros(1600, dtype=np.float32), 16000)
    with qtbot.waitSignal(window.scan_finished, timeout=30_000) as finished:
        window.open_folders([folder])
    entry = finished.args[0]
    assert entry.status == FolderStatus.INVALID and "lie directly in" in entry.error
    assert entry.error in tree_rows(window)
    window.intake.select(entry)
    assert window.run_targets() == []


def test_a_project_with_problems_lists_each_with_its_file(qtbot, project: Path) -> None:
    (project / "speakers" / "anna" / "hello.lab").unlink()
    with (project / "script.csv").open("a", encoding="utf-8") as script:
        script.write("99,nobody,Who is this?\n")
    window = make_window(qtbot)
    with qtbot.waitSignal(window.scan_finished, timeout=30_000):
        window.open_folders([project])
    files = dict(problem_rows(window))
    assert "no transcript" in files["speakers/anna/hello.wav"]
    assert any(
        file.startswith("script.csv:") and "unknown speaker 'nobody'" in text for file, text in files.items()
    )


def test_scanning_a_large_folder_keeps_the_window_responsive(qtbot, tmp_path: Path) -> None:
    """20,000 clips: the speakers show before the durations are read, and the event loop keeps turning."""
    root = tmp_path / "large 大"
    template = tmp_path / "template.wav"
    sf.write(str(template), np.zeros(160, dtype=np.float32), 16000, subtype="PCM_16")
    data = template.read_bytes()
    for speaker in range(200):
        folder = root / f"speaker {speaker:03d}"
        folder.mkdir(parents=True)
        for clip in range(100):
            (folder / f"{clip:03d}.wav").write_bytes(data)
    window = make_window(qtbot)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    seen_before_durations: list[int] = []
    window.intake.entry_updated.connect(
        lambda entry: (
            seen_before_durations.append(window.intake.tree.topLevelItemCount())
            if entry.dataset is not None and not entry.scanned
            else None
        )
    )
    timer.start()
    with qtbot.waitSignal(window.scan_finished, timeout=120_000) as finished:
        window.open_folders([root])
    timer.stop()
    entry = finished.args[0]
    assert len(entry.dataset.clips) == 20_000 and entry.durations_read == 20_000
    assert max(seen_before_durations) > 0  # the tree filled while durations were still being read
    assert window.intake.tree.topLevelItemCount() == 200
    assert sum(s.seconds for s in entry.speakers) == pytest.approx(20_000 * 0.01)
    # The scan runs on a thread: the window is never held up long (generous for a loaded 2-core machine).
    assert max(gaps) < 0.5, f"longest stall {max(gaps):.3f} s"


# --- panels --------------------------------------------------------------------------------------------


def test_the_gpu_panel_shows_recorded_gpus_and_the_plan(qtbot) -> None:
    panel = GpuPanel(lambda: probe_gpus(FakeNvml(load_recording("two_gpus_mixed.json"))))
    from localclip.core.machine.plan import PlanSettings, plan_workers

    panel.set_planner(lambda report: plan_workers(report, PlanSettings()))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.updated, timeout=10_000):
        panel.refresh()
    assert [row.name.text() for row in panel._rows] == [
        "GPU 0: NVIDIA GeForce RTX 4090",
        "GPU 1: NVIDIA GeForce RTX 3060",
    ]
    assert panel._rows[0].memory.format() == "6.2 of 24.0 GB" and panel._rows[0].load.value() == 37
    assert panel.plan_title.text() == "Planned: 2 worker(s) on the GPU"
    assert "GPU 0 NVIDIA GeForce RTX 4090" in panel.plan_label.text()
    assert not panel.no_gpu


def test_the_gpu_panel_says_plainly_when_there_is_no_gpu(qtbot) -> None:
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: window.gpu_panel.report is not None)
    panel = window.gpu_panel
    assert panel.no_gpu and panel.state.text() == "No NVIDIA GPU found: running on CPU"
    assert "Driver Not Loaded" in panel.detail.text()
    assert panel.plan_title.text() == "Planned: 1 worker(s) on the CPU"


def test_settings_survive_a_restart_of_the_window(qtbot, tiny_model: Path, tmp_path: Path) -> None:
    window = make_window(qtbot)
    panel = window.settings_panel
    panel.set_model_dir("wespeaker", tiny_model)
    panel.device.setCurrentIndex(panel.device.findData("cuda"))
    panel.max_workers.setValue(3)
    panel.clone_memory.setValue(6.5)
    panel.batch_size.setValue(32)
    modes = [panel.precision.itemData(n) for n in range(panel.precision.count())]
    assert modes == ["exact", "tf32", "bf16", "fp16"]
    panel.precision.setCurrentIndex(panel.precision.findData("bf16"))
    panel.temperature.setValue(0.6)
    panel.random_seed.setChecked(False)
    panel.seed.setValue(1234)
    python = tmp_path / "my env" / "python"
    panel.interpreters["clone"].path.setText(str(python))
    panel.interpreters["clone"].path.editingFinished.emit()
    window.main_split.setSizes([500, 780])
    left = window.main_split.sizes()[0]
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible())

    again = MainWindow(Settings(), gpu_reader=NO_GPU, offer_model_manager=False)  # same config folder
    qtbot.addWidget(again)
    panel = again.settings_panel
    assert panel.device.currentData() == "cuda" and panel.max_workers.value() == 3
    assert panel.clone_memory.value() == 6.5 and panel.batch_size.value() == 32
    assert panel.precision.currentData() == "bf16" and again.settings.get(EMBED_PRECISION) == "bf16"
    assert panel.temperature.value() == pytest.approx(0.6)
    assert not panel.random_seed.isChecked() and panel.seed.value() == 1234
    assert panel.interpreters["clone"].path.text() == str(python)
    assert "Not found" in panel.interpreters["clone"].problem.text()
    assert panel.wespeaker_row.path.text() == str(tiny_model)
    qtbot.waitUntil(lambda: panel.model_status["wespeaker"][0] is True, timeout=10_000)
    assert again.settings.worker_python("clone") == python
    again.show()
    qtbot.waitExposed(again)
    # The offscreen screen is small: the restored window is fitted to it, the left side keeps its width.
    assert again.main_split.sizes()[0] == pytest.approx(left, abs=30)


def test_model_folders_are_checked_when_chosen(qtbot, tiny_model: Path, tmp_path: Path) -> None:
    window = make_window(qtbot)
    panel = window.settings_panel
    empty = tmp_path / "not a model"
    empty.mkdir()
    panel.set_model_dir("wespeaker", empty)
    qtbot.waitUntil(lambda: panel.model_status["wespeaker"][0] is False, timeout=10_000)
    assert "missing config.yaml, avg_model.pt" in panel.model_status["wespeaker"][1]
    panel.set_model_dir("fish", tiny_model)
    qtbot.waitUntil(lambda: panel.model_status["fish"][0] is False, timeout=10_000)
    assert "missing config.json, model.pth, tokenizer.tiktoken, codec.pth" in panel.model_status["fish"][1]
    panel.set_model_dir("wespeaker", tiny_model)
    qtbot.waitUntil(lambda: panel.model_status["wespeaker"][0] is True, timeout=10_000)
    assert "ResNet34" in panel.model_status["wespeaker"][1]


def test_the_first_start_without_models_opens_the_model_manager_once(qtbot) -> None:
    window = MainWindow(Settings(), gpu_reader=NO_GPU)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model_manager is not None and window.model_manager.isVisible())
    window.model_manager.close()
    window.close()
    again = MainWindow(Settings(), gpu_reader=NO_GPU)
    qtbot.addWidget(again)
    again.show()
    qtbot.wait(300)
    assert again.model_manager is None
    again.settings_panel.manage_button.click()  # the settings panel's button opens it too
    assert again.model_manager is not None and again.model_manager.isVisible()
    again.model_manager.close()


def test_the_cloning_defaults_are_fish_speechs() -> None:
    settings = Settings()
    defaults = CloneParams()
    assert settings.get(CLONE_TEMPERATURE) == defaults.temperature
    assert settings.get(CLONE_TOP_P) == defaults.top_p
    assert settings.get(CLONE_REPETITION_PENALTY) == defaults.repetition_penalty
    assert settings.get(CLONE_MAX_NEW_TOKENS) == defaults.max_new_tokens
    assert settings.get(CLONE_SEED) == -1


def test_an_error_box_reads_well_and_keeps_the_details(qtbot) -> None:
    window = make_window(qtbot)
    box = show_error(
        window, "Title", "Something a person can act on.", "Traceback (most recent call last): ..."
    )
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text() == "Something a person can act on." and box.detailedText().startswith("Traceback")
    box.close()


# --- runs ----------------------------------------------------------------------------------------------


def test_running_without_a_model_says_what_to_do(qtbot, dataset: Path) -> None:
    window = make_window(qtbot, run_settings(model=None))
    with qtbot.waitSignal(window.scan_finished, timeout=30_000):
        window.open_folders([dataset])
    assert window.start_run()
    box = window.findChild(QMessageBox, "errorBox")
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None)
    box = window.findChild(QMessageBox, "errorBox")
    assert "No speaker embedding (WeSpeaker) model is chosen" in box.text()
    assert not window.controller.busy and window.intake.entries[0].status == FolderStatus.READY
    box.close()


def test_a_full_run_through_the_window(qtbot, dataset: Path, tiny_model: Path, tmp_path: Path) -> None:
    """Two dropped datasets run one after the other, with worker panes reaching "done"."""
    second = tmp_path / "second one"
    make_dataset(second, speakers=1, clips_per_speaker=3, seconds=(0.8, 1.2), formats=WAV16)
    window = make_window(qtbot, run_settings(tiny_model))
    with qtbot.waitSignals([window.scan_finished, window.scan_finished], timeout=30_000):
        drop(window, dataset, second)
    assert window.run_action.isEnabled()
    started, reports, panes_done = [], [], []
    window.run_started.connect(lambda entry: started.append(entry.path))
    window.run_finished.connect(reports.append)

    def on_finished(_report: object) -> None:
        window.worker_panes.refresh()
        panes_done.append([status.state for status in window.worker_panes.board.workers.values()])

    window.run_finished.connect(on_finished)
    with qtbot.waitSignal(window.run_started, timeout=30_000):
        window.run_action.trigger()
    assert not window.run_action.isEnabled() and window.cancel_action.isEnabled()
    assert window.tabs.currentWidget() is window.worker_panes
    assert window.intake.entries[1].status == FolderStatus.QUEUED
    qtbot.waitUntil(lambda: "0" in window.worker_panes.panes, timeout=10_000)
    loaded: list = []
    window.speakers.loaded.connect(loaded.append)
    qtbot.waitUntil(lambda: len(reports) == 2, timeout=300_000)
    second_out = second.with_name("second one embeddings")
    qtbot.waitUntil(lambda: any(results.out_dir == second_out for results in loaded), timeout=30_000)
    assert len(loaded[-1].speakers) == 1  # the speaker results of the last run are shown
    assert started == [dataset, second]
    first, last = reports
    assert first["done"] == 12 and first["failed"] == 1 and first["status"] == "failed"
    assert first["speakers"]["speakers"] == 3
    assert last["done"] == 3 and last["status"] == "done" and last["folder"] == str(second)
    assert panes_done == [[PaneState.DONE], [PaneState.DONE]]
    entry = window.intake.entries[0]
    assert entry.status == FolderStatus.FAILED and (entry.out_dir / "embeddings.sqlite").is_file()
    assert entry.out_dir == dataset.with_name("数据 集 ü embeddings")
    assert window.intake.entries[1].status == FolderStatus.DONE
    assert window.tabs.currentWidget() is window.speakers
    assert window.run_action.isEnabled() and not window.cancel_action.isEnabled()
    assert "3 clips embedded, 0 failed" in window.run_title.text()
    assert window.pool is None
    with qtbot.waitSignal(window.run_finished, timeout=30_000) as again:  # nothing left: no worker starts
        window.start_run([window.intake.entries[1]])
    assert again.args[0]["skipped"] == 3 and again.args[0]["done"] == 0 and again.args[0]["status"] == "done"
    assert again.args[0]["speakers"]["unchanged"] == 1


def test_a_model_no_worker_can_load_is_one_message(qtbot, tiny_model: Path, tmp_path: Path) -> None:
    """Weights that do not fit the model config.yaml names pass the window's check but no worker loads
    them: the run stops with one message, and no clip is marked failed."""
    model = model_no_worker_loads(tiny_model, tmp_path / "refused model")
    root = tmp_path / "data"
    make_dataset(root, speakers=2, clips_per_speaker=3, seconds=(0.8, 1.2), formats=WAV16)
    window = make_window(qtbot, run_settings(model))
    with qtbot.waitSignal(window.scan_finished, timeout=30_000):
        drop(window, root)
    with qtbot.waitSignal(window.run_finished, timeout=120_000) as finished:
        window.run_action.trigger()
    report = finished.args[0]
    assert "does not fit the ResNet18 model" in report["setup_error"]
    assert report["failed"] == 0 and report["done"] == 0 and report["status"] == "failed"
    assert "Nothing was marked failed" in window.run_title.text()
    assert window.run_title.text().count("does not fit") == 1
    assert window.tabs.currentWidget() is not window.speakers


def test_cancel_mid_run_then_reopen_offers_to_resume(qtbot, tmp_path: Path, tiny_model: Path) -> None:
    root = tmp_path / "long dataset 长"
    make_dataset(root, speakers=2, clips_per_speaker=24, seconds=(1.0, 2.0), formats=WAV16)
    window = make_window(qtbot, run_settings(tiny_model))
    with qtbot.waitSignal(window.scan_finished, timeout=30_000):
        window.open_folders([root])
    progress: list[int] = []
    window.controller.progress.connect(lambda state: progress.append(state.done))
    window.start_run()
    qtbot.waitUntil(lambda: bool(progress), timeout=120_000)
    started = time.monotonic()
    with qtbot.waitSignal(window.run_finished, timeout=60_000) as finished:
        window.cancel_action.trigger()
    cancel_seconds = time.monotonic() - started
    assert cancel_seconds < 15, cancel_seconds  # within seconds, workers gone included
    print(json.dumps({"cancel_to_finished_seconds": round(cancel_seconds, 2)}))
    report = finished.args[0]
    assert report["cancelled_run"] and report["status"] == "cancelled" and 0 < report["done"] < 48
    assert window.intake.entries[0].status == FolderStatus.CANCELLED
    assert window.pool is None
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)

    again = make_window(qtbot, Settings())
    with qtbot.waitSignal(again.scan_finished, timeout=30_000):
        again.open_folders([root])
    qtbot.waitUntil(lambda: again.intake.banner.isVisible(), timeout=10_000)
    assert again.intake.banner.resume.isVisible()
    assert f"embedded {report['done']} of 48 clips" in again.intake.banner.text.text()
    with qtbot.waitSignal(again.run_finished, timeout=180_000) as resumed:
        again.intake.banner.resume.click()
    assert resumed.args[0]["skipped"] == report["done"]
    assert resumed.args[0]["done"] == 48 - report["done"] and resumed.args[0]["status"] == "done"


def test_start_up_to_a_visible_window_is_quick_and_never_imports_torch(tmp_path: Path) -> None:
    program = (
        "import sys, time\n"
        "from localclip.gui.app import start\n"
        "app, window = start([sys.argv[0]], offer_model_manager=False)\n"
        "from PySide6.QtCore import QTimer\n"
        "def report():\n"
        "    print('VISIBLE', window.isVisible(), 'torch' in sys.modules, flush=True)\n"
        "    app.quit()\n"
        "QTimer.singleShot(0, report)\n"
        "app.exec()\n"
    )
    env = {**os.environ, "LOCALCLIP_CONFIG_DIR": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    best = float("inf")
    for _ in range(3):  # the best of three: the test machine is shared
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", program],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = child.stdout.readline()  # printed once the window is shown and the event loop runs
        elapsed = time.perf_counter() - started
        _, stderr = child.communicate(timeout=60)
        assert line.split() == ["VISIBLE", "True", "False"], stderr
        best = min(best, elapsed)
    assert best < 1.5, f"start-up took {best:.2f} s"
    print(json.dumps({"startup_seconds": round(best, 3)}))
