"""A new take whose model no worker can set up: the request ends with the reason, nothing is recorded as
failed, and the regenerator is free again; the warm worker kept for new takes is stopped after the idle
time and when a run starts (runs/regenerate.py with real workers)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psutil
import pytest

from localclip.core.cloning.manifest import OUTPUT_FOLDER, CloneParams, Manifest
from localclip.core.cloning.project import scan_project
from localclip.core.cloning.run_settings import CloneRunSettings, save_run_settings
from localclip.core.kinds import KIND_PROJECT
from localclip.core.models.folders import FISH_FILES, check_fish_dir
from localclip.core.options import REVIEW_WORKER_IDLE_MINUTES
from localclip.core.paths import resources_dir
from localclip.pool.pool import WorkerPool
from localclip.runs.folders import FolderEntry
from localclip.runs.queue import RunController
from localclip.runs.regenerate import TakeRegenerator
from localclip.settings import Settings


def refused_checkpoint(folder: Path) -> Path:
    """Every file the app's check wants, but a config.json of a model type the worker does not run."""
    folder.mkdir()
    for name in (*FISH_FILES, "codec.pth"):
        (folder / name).write_bytes(b"not a model")
    (folder / "config.json").write_text(json.dumps({"model_type": "naive"}), encoding="utf-8")
    return folder


def test_a_take_whose_model_cannot_be_set_up_ends_with_the_reason(qtbot: Any, tmp_path: Path) -> None:
    project = tmp_path / "项目 project"
    shutil.copytree(resources_dir() / "example_project", project, ignore=shutil.ignore_patterns("output"))
    checkpoint = refused_checkpoint(tmp_path / "refused 模型")
    params = CloneParams(max_new_tokens=24).to_dict()
    recorded = CloneRunSettings(str(checkpoint), str(checkpoint / "codec.pth"), "cpu", "", params, 1)
    save_run_settings(project / OUTPUT_FOLDER, recorded)
    regenerator = TakeRegenerator(project, idle_timeout=None)
    failed: list[tuple[str, str]] = []
    regenerator.take_failed.connect(lambda line, reason: failed.append((line, reason)))
    with qtbot.waitSignal(regenerator.busy_changed, check_params_cb=lambda busy: not busy, timeout=180_000):
        regenerator.regenerate("001", seed=5)
    assert len(failed) == 1 and failed[0][0] == "001", failed
    assert failed[0][1].startswith("could not start clone: ") and "model_type is 'naive'" in failed[0][1]
    assert "001" not in Manifest.load(project).lines  # no failure recorded for the line
    assert not regenerator.pending_lines()
    with qtbot.waitSignal(regenerator.stopped, timeout=30_000):
        assert regenerator.shutdown()


# -- the warm worker is released -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fish_model(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "fish tiny 模型"
    command = [str(worker_python), "-I", "-m", "localclip_worker.demo_models", str(folder), "--kind", "fish"]
    subprocess.run(command, check=True, timeout=300, capture_output=True)
    return folder


def warm_regenerator(
    qtbot: Any, tmp_path: Path, fish_model: Path, idle_timeout: float | None
) -> tuple[TakeRegenerator, WorkerPool, list[int], Path]:
    """A regenerator that made one take of line 001 on the CPU and keeps its worker warm."""
    project = tmp_path / "warm 项目"
    shutil.copytree(resources_dir() / "example_project", project, ignore=shutil.ignore_patterns("output"))
    model = check_fish_dir(fish_model)
    params = CloneParams(max_new_tokens=24).to_dict()
    recorded = CloneRunSettings(str(model.checkpoint_dir), str(model.codec_path), "cpu", "", params, 1)
    save_run_settings(project / OUTPUT_FOLDER, recorded)
    regenerator = TakeRegenerator(project, idle_timeout=idle_timeout)
    done: list[str] = []
    regenerator.take_done.connect(lambda line, info: done.append(line))
    with qtbot.waitSignal(regenerator.busy_changed, check_params_cb=lambda busy: not busy, timeout=180_000):
        regenerator.regenerate("001", seed=5)
    assert done == ["001"]
    pool = regenerator.pool
    assert pool is not None
    pids = [slot.process.pid for slot in pool.slots.values() if slot.process is not None]
    assert pids and all(psutil.pid_exists(pid) for pid in pids)
    return regenerator, pool, pids, project


def gone(pids: list[int]) -> bool:
    return all(
        not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE for pid in pids
    )


def test_the_idle_time_is_a_setting_of_five_minutes(tmp_path: Path) -> None:
    assert REVIEW_WORKER_IDLE_MINUTES.default == 5.0
    settings = Settings()
    assert TakeRegenerator(tmp_path, settings)._idle_timer.interval() == 5 * 60_000
    settings.set(REVIEW_WORKER_IDLE_MINUTES, 0.5)
    assert TakeRegenerator(tmp_path, settings)._idle_timer.interval() == 30_000


def test_the_warm_worker_is_stopped_after_the_idle_time(qtbot: Any, tmp_path: Path, fish_model: Path) -> None:
    regenerator, pool, pids, _ = warm_regenerator(qtbot, tmp_path, fish_model, idle_timeout=1.0)
    notices: list[str] = []
    regenerator.problem.connect(notices.append)
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        pass  # the idle timer fires after a second
    assert regenerator.pool is None and any("unused" in text for text in notices)
    qtbot.waitUntil(lambda: gone(pids), timeout=10_000)


def test_the_warm_worker_is_stopped_when_a_run_starts(qtbot: Any, tmp_path: Path, fish_model: Path) -> None:
    regenerator, pool, pids, project = warm_regenerator(qtbot, tmp_path, fish_model, idle_timeout=None)
    controller = RunController(Settings(), lambda: None)
    controller.run_starting.connect(lambda _entry: regenerator.release_workers())  # as the main window does
    entry = FolderEntry(project, kind=KIND_PROJECT, project=scan_project(project))
    starting: list[FolderEntry] = []
    controller.run_starting.connect(starting.append)
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        controller.start([entry])  # no model chosen in these settings: the run stops at its set-up
    assert starting == [entry] and regenerator.pool is None
    qtbot.waitUntil(lambda: gone(pids), timeout=10_000)
    assert not regenerator.release_workers()  # nothing left to stop
