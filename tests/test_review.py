"""The review pane with real clips and real workers: playback to the end of a clip (also without a sound
card), keyboard control, new takes on a warm worker (started on the first R, or handed over by a finished
clone run), choosing the kept take, and exporting the kept takes to a folder with spaces and non-ASCII
characters in its path."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import soundfile as sf
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from localclip.core.cloning.manifest import CloneParams, Manifest
from localclip.core.cloning.project import ProjectError, scan_project
from localclip.core.cloning.run_settings import CloneRunSettings, save_run_settings
from localclip.core.cloning.takes import CSV_NAME, REVIEW_DONE
from localclip.core.models.folders import check_fish_dir
from localclip.core.paths import resources_dir
from localclip.gui.export_dialog import ExportDialog
from localclip.gui.player import ClipPlayer, PlaybackState
from localclip.gui.review import ReviewView
from localclip.pool.launch import WorkerLaunch
from localclip.runs import regenerate
from localclip.runs.clone import CloneOptions, CloneRun
from localclip.settings import Settings

EXAMPLE = resources_dir() / "example_project"
LINES = ("001", "002", "004")  # anna, li_wei, anna
MAX_TOKENS = 24  # about 1.1 s of audio from the tiny model: seconds per line on a CPU


@pytest.fixture(scope="module")
def fish_model(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "fish tiny 模型"
    command = [str(worker_python), "-I", "-m", "localclip_worker.demo_models", str(folder), "--kind", "fish"]
    subprocess.run(command, check=True, timeout=300, capture_output=True)
    return folder


def copy_example(target: Path) -> Path:
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("output"))
    return target


@pytest.fixture(scope="module")
def cloned_template(fish_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project with three lines cloned by `localclip clone` (made once for the module)."""
    project = copy_example(tmp_path_factory.mktemp("template") / "项目 review")
    command = [sys.executable, "-m", "localclip", "clone", str(project), "--model", str(fish_model)]
    command += ["--max-new-tokens", str(MAX_TOKENS), "--device", "cpu", "--seed", "3", "--workers", "1"]
    command += ["--only", *LINES]
    completed = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return project


@pytest.fixture
def cloned(cloned_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "a project 项目"
    shutil.copytree(cloned_template, target)
    return target


@pytest.fixture
def view(qtbot: Any) -> Any:
    """The pane, shut down (its warm workers stopped) before it is deleted, as the window does.
    Not registered with qtbot.addWidget: pytest-qt would delete it before this fixture's teardown."""
    widget = ReviewView()
    widget.resize(900, 500)
    widget.show()
    yield widget
    blocker = qtbot.waitSignal(widget.workers_stopped, timeout=30_000)
    if widget.shutdown():
        blocker.wait()
    widget.close()
    widget.deleteLater()


def open_project(qtbot: Any, view: ReviewView, project: Path) -> None:
    with qtbot.waitSignal(view.project_loaded, timeout=30_000):
        view.open_project(project)


def press(qtbot: Any, view: ReviewView, key: Qt.Key) -> None:
    view.table.setFocus()
    qtbot.keyClick(view.table, key)


def hellos(pool: Any, events: list[tuple[str, dict[str, Any]]]) -> int:
    return sum(1 for _, message in events if message["type"] == "hello")


# --- playback -------------------------------------------------------------------------------------------


def test_a_cloned_clip_plays_to_its_end_and_the_next_one_follows(
    qtbot: Any, view: ReviewView, cloned: Path
) -> None:
    open_project(qtbot, view, cloned)
    view.auto_next.setChecked(True)
    view.select_line("002")
    if not view.player.available:  # Qt Multimedia cannot load here: the pane says so, readably
        view.play_current()
        assert "cannot be played" in view.notice.text() and "Traceback" not in view.notice.text()
        pytest.skip("Qt Multimedia is not available on this machine; the message was checked")
    ended: list[Path] = []
    errors: list[str] = []
    view.player.finished.connect(ended.append)
    view.player.error.connect(errors.append)
    press(qtbot, view, Qt.Key.Key_Space)
    # 002 to its end, then 004 (the next line); or, where the media system refuses without a sound card,
    # a sentence saying so (checked), and the audio part is skipped.
    qtbot.waitUntil(lambda: len(ended) == 2 or bool(errors), timeout=20_000)
    if errors:
        assert errors[0].startswith("Cannot play") and "Traceback" not in errors[0]
        assert view.notice.text() == errors[0]
        pytest.skip(f"this machine's media system cannot play without an audio device: {errors[0]}")
    manifest = Manifest.load(cloned)
    assert ended == [manifest.chosen_path("002"), manifest.chosen_path("004")]
    assert view.current_line().line_id == "004"
    qtbot.waitUntil(lambda: view.player.current_path is None, timeout=5_000)  # the file is let go
    assert view.player.state == PlaybackState.STOPPED and view.play_button.text() == "&Play"
    if view.player.notice:  # no sound card (CI, this container): it played silently, and said so
        assert "No audio output device" in view.player.notice


def test_the_player_turns_errors_into_sentences(qtbot: Any, tmp_path: Path) -> None:
    player = ClipPlayer()
    errors: list[str] = []
    player.error.connect(errors.append)
    assert not player.play(tmp_path / "gone.wav")
    assert "missing" in errors[-1]
    broken = tmp_path / "not audio 音.wav"
    broken.write_bytes(b"RIFF" + b"\x00" * 64)
    if not player.available:
        pytest.skip("Qt Multimedia is not available on this machine")
    player.play(broken)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=10_000)
    assert errors[-1].startswith("Cannot play not audio 音.wav")
    assert player.state == PlaybackState.STOPPED and player.current_path is None


def test_keyboard_moves_plays_and_stops(qtbot: Any, view: ReviewView, cloned: Path) -> None:
    open_project(qtbot, view, cloned)
    view.auto_next.setChecked(False)
    view.select_line("001")
    press(qtbot, view, Qt.Key.Key_Down)
    assert view.current_line().line_id == "002"
    press(qtbot, view, Qt.Key.Key_Up)
    assert view.current_line().line_id == "001"
    if not view.player.available:
        pytest.skip("Qt Multimedia is not available on this machine")
    press(qtbot, view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.player.state == PlaybackState.PLAYING, timeout=5_000)
    press(qtbot, view, Qt.Key.Key_Down)  # while playing, moving plays the line moved to
    qtbot.waitUntil(lambda: view.player.holds(Manifest.load(cloned).chosen_path("002")), timeout=5_000)
    press(qtbot, view, Qt.Key.Key_Space)
    assert view.player.state == PlaybackState.STOPPED
    # Space typed into the filter box is text, not playback.
    view.filter_edit.setFocus()
    qtbot.keyClicks(view.filter_edit, "Welcome to")
    assert view.filter_edit.text() == "Welcome to" and view.player.state == PlaybackState.STOPPED
    assert view.visible_line_ids() == ["001"]


# --- new takes ------------------------------------------------------------------------------------------


def test_regenerate_makes_a_second_take_on_a_warm_worker(qtbot: Any, view: ReviewView, cloned: Path) -> None:
    open_project(qtbot, view, cloned)
    first = Manifest.load(cloned).chosen_path("001")
    first_bytes = first.read_bytes()
    events: list[tuple[str, dict[str, Any]]] = []
    view.pool_changed.connect(
        lambda pool: pool and pool.worker_event.connect(lambda w, m: events.append((w, m)))
    )
    view.select_line("001")
    with qtbot.waitSignal(view.regenerator.take_done, timeout=180_000) as done:
        press(qtbot, view, Qt.Key.Key_R)  # the first R starts a worker
    assert done.args[0] == "001" and done.args[1]["take"] == 2
    manifest = Manifest.load(cloned)
    record = manifest.lines["001"]
    assert [take.take for take in record.takes] == [1, 2] and record.chosen_take == 2
    second = manifest.chosen_path("001")
    assert second.name == "001.take2.wav" and second.is_file()
    assert first.read_bytes() == first_bytes  # nothing overwritten
    row = view.model.line(view.model.row_of("001"))
    assert row.chosen_take == 2 and row.status == REVIEW_DONE
    assert view.model.index(view.model.row_of("001"), 4).data() == "2 of 2"
    pool = view.regenerator.pool
    assert pool is not None and hellos(pool, events) == 1

    # A second line on the same, warm worker: no new process, no second model load.
    view.select_line("004")
    with qtbot.waitSignal(view.regenerator.take_done, timeout=120_000):
        press(qtbot, view, Qt.Key.Key_R)
    assert view.regenerator.pool is pool and hellos(pool, events) == 1
    assert sum(1 for _, message in events if message["type"] == "ready") == 1

    # Left keeps the previous take (saved at once), Right the next one again.
    view.select_line("001")
    press(qtbot, view, Qt.Key.Key_Left)
    assert Manifest.load(cloned).lines["001"].chosen_take == 1
    assert view.current_line().chosen_take == 1 and view.take_combo.currentData() == 1
    press(qtbot, view, Qt.Key.Key_Right)
    assert Manifest.load(cloned).lines["001"].chosen_take == 2
    assert Manifest.load(cloned).lines["004"].chosen_take == 2  # the other line's new take is kept


def test_a_finished_clone_run_hands_its_warm_worker_to_the_review(
    qtbot: Any, view: ReviewView, fish_model: Path, worker_python: Path, tmp_path: Path
) -> None:
    project = copy_example(tmp_path / "handed over 交接")
    model = check_fish_dir(fish_model)
    params = CloneParams(max_new_tokens=MAX_TOKENS)
    run = CloneRun(
        scan_project(project), model, CloneOptions(device="cpu", params=params, seed=1, only=("003",))
    )
    save_run_settings(
        run.manifest.output_dir,
        CloneRunSettings(str(model.checkpoint_dir), str(model.codec_path), "cpu", "", params.to_dict(), 1),
    )
    pool = run.create_pool([WorkerLaunch("0", worker_python, heartbeat_seconds=0.5)])
    events: list[tuple[str, dict[str, Any]]] = []
    pool.worker_event.connect(lambda w, m: events.append((w, m)))
    with qtbot.waitSignal(run.finished, timeout=180_000):
        run.start()
    warm = run.release_pool()
    assert warm is pool and run.pool is None
    open_project(qtbot, view, project)
    view.adopt_pool(warm)
    assert view.regenerator.pool is warm
    view.select_line("003")
    with qtbot.waitSignal(view.regenerator.take_done, timeout=120_000) as done:
        assert view.regenerate_current()
    assert done.args[1]["take"] == 2 and hellos(pool, events) == 1  # the same process, model loaded once
    assert Manifest.load(project).lines["003"].chosen_take == 2


def test_a_line_cannot_be_regenerated_before_a_model_is_known(
    qtbot: Any, view: ReviewView, tmp_path: Path
) -> None:
    project = copy_example(tmp_path / "never cloned")
    open_project(qtbot, view, project)
    view.select_line("001")
    assert not view.regenerate_current()
    assert "not been cloned yet" in view.notice.text()
    view.set_editing_enabled(False, "A clone run of this project is going on.")
    assert not view.regenerate_button.isEnabled()


def test_r_reads_the_project_on_a_thread_and_still_makes_the_take(
    qtbot: Any, view: ReviewView, cloned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []

    def recording_scan(project: Path) -> Any:
        threads.append(threading.current_thread())
        return scan_project(project)

    monkeypatch.setattr(regenerate, "scan_project", recording_scan)
    open_project(qtbot, view, cloned)
    view.select_line("002")
    with qtbot.waitSignal(view.regenerator.take_done, timeout=180_000) as done:
        assert view.regenerate_current()
        assert not threads or threads[0] is not threading.main_thread()  # R returned before the scan
        assert "002" in view.regenerator.pending_lines() and not view.regenerate_current()  # no second R
    assert threads and all(thread is not threading.main_thread() for thread in threads)
    assert done.args[0] == "002" and done.args[1]["take"] == 2
    assert Manifest.load(cloned).lines["002"].chosen_take == 2


def test_a_take_the_project_cannot_give_is_refused_after_the_scan(
    qtbot: Any, view: ReviewView, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_example(tmp_path / "refused 拒绝")
    model = SimpleNamespace(model_id="m")
    setup = SimpleNamespace(model=model, device="cpu", precision="", params=CloneParams())
    monkeypatch.setattr(regenerate, "clone_setup", lambda *_args: setup)
    threads: list[threading.Thread] = []

    def failing_scan(_project: Path) -> Any:
        threads.append(threading.current_thread())
        raise ProjectError("the script is gone")

    monkeypatch.setattr(regenerate, "scan_project", failing_scan)
    open_project(qtbot, view, project)
    view.select_line("001")
    busy: list[bool] = []
    view.busy_changed.connect(busy.append)
    with qtbot.waitSignal(view.regenerator.take_refused, timeout=10_000):
        assert view.regenerate_current()
    assert threads == [threads[0]] and threads[0] is not threading.main_thread()
    assert "No new take of line 001: the script is gone" in view.notice.text()
    assert busy == [True, False] and not view.regenerator.pending_lines()
    assert view.model.activity("001") is None


# --- export ---------------------------------------------------------------------------------------------


def test_export_opens_the_dialog_on_the_lines_shown_and_writes_the_kept_takes(
    qtbot: Any, view: ReviewView, cloned: Path, tmp_path: Path
) -> None:
    open_project(qtbot, view, cloned)
    if view.player.available:
        view.select_line("001")
        view.play_current()
    view.export_button.click()
    dialog = next(widget for widget in QApplication.topLevelWidgets() if isinstance(widget, ExportDialog))
    assert view.player.current_path is None  # released before anything is written
    assert dialog.line_ids == view.visible_line_ids()
    assert Path(dialog.folder_edit.text()).parent == cloned  # starts in the project's folder
    target = tmp_path / "导出 exported takes"
    dialog.folder_edit.setText(str(target))
    dialog.start_export()
    qtbot.waitUntil(lambda: getattr(dialog, "report", None) is not None, timeout=30_000)
    report = dialog.report
    assert report.exported == 3 and len(report.skipped) == 9  # the example's other lines were not cloned
    rows = list(csv.DictReader((target / CSV_NAME).read_text(encoding="utf-8-sig").splitlines()))
    assert [row["id"] for row in rows] == list(LINES)
    for line in LINES:
        with sf.SoundFile(target / f"{line}.wav") as written:
            assert (written.samplerate, written.subtype) == (48_000, "PCM_24")  # the delivery default
    dialog.reject()


# --- many lines -----------------------------------------------------------------------------------------


def test_ten_thousand_lines_load_filter_and_scroll_quickly(
    qtbot: Any, view: ReviewView, tmp_path: Path
) -> None:
    project = copy_example(tmp_path / "big 大")
    rows = ["id,speaker,text"] + [
        f"L{number:05d},{('anna', 'li_wei', 'yuki')[number % 3]},Line number {number} of a long script."
        for number in range(10_000)
    ]
    (project / "script.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    started = time.perf_counter()
    open_project(qtbot, view, project)
    loaded = time.perf_counter() - started
    assert view.model.rowCount() == 10_000
    started = time.perf_counter()
    view.filter_edit.setText("number 9999 ")
    filtered = time.perf_counter() - started
    assert view.visible_line_ids() == ["L09999"]
    view.filter_edit.clear()
    started = time.perf_counter()
    view.select_line("L09998")
    view.table.viewport().repaint()
    moved = time.perf_counter() - started
    print(f"10,000 lines: shown {loaded:.2f} s, filtered in {filtered:.3f} s, moved in {moved:.3f} s")
    assert loaded < 10 and filtered < 1.0 and moved < 0.5, (loaded, filtered, moved)


def test_a_run_starting_stops_the_pool_waiting_for_a_project(qtbot: Any, make_pool: Any) -> None:
    # A finished run hands its workers to the review before any project is open there; a new run plans
    # the GPUs' memory as its own, so that pool must go too.
    view = ReviewView(Settings())
    qtbot.addWidget(view)
    harness = make_pool(1)
    harness.wait_for_hello(1)
    view.adopt_pool(harness.pool)
    with qtbot.waitSignal(harness.pool.stopped, timeout=30_000):
        assert view.release_workers()
    assert not view.release_workers()  # nothing left to stop
