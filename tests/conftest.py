"""Shared fixtures. Tests run real worker processes in the worker environment (worker_env/.venv), which
`python installer/dev.py test` creates before it runs pytest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from localclip.core.paths import bundled_worker_python
from localclip.pool.engine import PoolOptions
from localclip.pool.launch import WorkerLaunch
from localclip.pool.pool import WorkerPool
from localclip.runs.background import MainThreadCollector, collect_garbage_on_main_thread

ROGUE_WORKER = Path(__file__).parent / "workers" / "rogue_worker.py"
MAKE_WESPEAKER_MODEL = Path(__file__).parent / "worker_scripts" / "make_wespeaker_model.py"
MAKE_WHISPER_MODEL = Path(__file__).parent / "worker_scripts" / "make_whisper_model.py"


@pytest.fixture(scope="session")
def worker_python() -> Path:
    python = bundled_worker_python()
    assert python.is_file(), f"no worker environment at {python}: run 'python installer/dev.py test'"
    return python


@pytest.fixture(scope="session")
def tiny_wespeaker_model(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A WeSpeaker ResNet34 folder (config.yaml + avg_model.pt) of tiny size and random weights, built with
    the real WeSpeaker classes, in a folder whose name has a space and Chinese characters."""
    folder = tmp_path_factory.mktemp("models") / "wespeaker tiny 模型"
    command = [str(worker_python), "-I", str(MAKE_WESPEAKER_MODEL), str(folder)]
    subprocess.run(command, check=True, timeout=300)
    return folder


@pytest.fixture(scope="session")
def tiny_whisper_model(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Whisper folder as Hugging Face publishes them (transformers' WhisperForConditionalGeneration of
    tiny size, random weights; a byte-level tokenizer with Whisper's special and language tokens) that
    WhisperProcessor loads offline, in a folder whose name has a space and Chinese characters."""
    folder = tmp_path_factory.mktemp("models") / "whisper tiny 模型"
    command = [str(worker_python), "-I", str(MAKE_WHISPER_MODEL), str(folder)]
    subprocess.run(command, check=True, timeout=300)
    return folder


def model_no_worker_loads(tiny_model: Path, folder: Path) -> Path:
    """A model folder that passes the app's check but no worker can load: ResNet34 weights under a
    config.yaml that names ResNet18."""
    folder.mkdir()
    config = (tiny_model / "config.yaml").read_text(encoding="utf-8")
    (folder / "config.yaml").write_text(config.replace("ResNet34", "ResNet18"), encoding="utf-8")
    shutil.copy(tiny_model / "avg_model.pt", folder / "avg_model.pt")
    return folder


def run_localclip(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """The `localclip` command in a subprocess of this interpreter, output decoded as UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "localclip", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


@pytest.fixture(scope="session", autouse=True)
def garbage_on_the_main_thread(qapp: Any) -> Iterator[MainThreadCollector]:
    """As the app does (gui/app.py): cyclic garbage collected on the GUI thread only, never by a background
    task's thread in the middle of a QObject's destruction (a deadlock with the GUI thread)."""
    collector = collect_garbage_on_main_thread(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def collect_after_each_test(garbage_on_the_main_thread: MainThreadCollector) -> Iterator[None]:
    yield
    garbage_on_the_main_thread.collect()  # a test that never ran the event loop leaves garbage too


@pytest.fixture(autouse=True)
def private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own settings folder, so nothing reads or writes the user's settings."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("LOCALCLIP_CONFIG_DIR", str(folder))
    return folder


class PoolHarness:
    """A pool with recorders on its signals, shut down at the end of the test."""

    def __init__(self, qtbot: Any, launches: list[WorkerLaunch], options: PoolOptions) -> None:
        self.qtbot = qtbot
        self.pool = WorkerPool(launches, options)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.problems: list[tuple[str, str]] = []
        self.states: list[tuple[str, str]] = []
        self.logs: list[tuple[str, str]] = []
        self.done: dict[str, str] = {}  # item -> worker
        self.results: dict[str, dict[str, Any]] = {}
        self.failed: dict[str, tuple[str, str]] = {}  # item -> (code, reason)
        self.pool.worker_event.connect(lambda w, m: self.events.append((w, m)))
        self.pool.worker_problem.connect(lambda w, t: self.problems.append((w, t)))
        self.pool.worker_state_changed.connect(lambda w, s: self.states.append((w, s)))
        self.pool.worker_log.connect(lambda w, line: self.logs.append((w, line)))
        self.pool.item_done.connect(self._on_done)
        self.pool.item_failed.connect(lambda i, w, c, r: self.failed.__setitem__(i, (c, r)))

    def _on_done(self, item: str, worker: str, result: dict[str, Any]) -> None:
        self.done[item] = worker
        self.results[item] = result

    def wait_for_hello(self, count: int, timeout: float = 60) -> None:
        self.qtbot.waitUntil(lambda: len(self.hellos()) >= count, timeout=int(timeout * 1000))

    def hellos(self) -> list[tuple[str, dict[str, Any]]]:
        return [(w, m) for w, m in self.events if m["type"] == "hello"]

    def run(
        self,
        kind: str,
        items: list[dict[str, Any]],
        params: dict[str, Any] | None = None,
        timeout: float = 60,
    ) -> dict[str, Any]:
        with self.qtbot.waitSignal(self.pool.finished, timeout=int(timeout * 1000)) as blocker:
            self.pool.submit(kind, items, params)
        return blocker.args[0]

    def stop(self) -> None:
        if not self.pool.is_stopped:
            with self.qtbot.waitSignal(self.pool.stopped, timeout=30_000):
                self.pool.shutdown()


@pytest.fixture
def make_pool(qtbot: Any, worker_python: Path) -> Iterator[Any]:
    harnesses: list[PoolHarness] = []

    def make(
        count: int = 1, launches: list[WorkerLaunch] | None = None, start: bool = True, **options: Any
    ) -> PoolHarness:
        launches = launches or [
            WorkerLaunch(str(n), worker_python, heartbeat_seconds=0.25) for n in range(count)
        ]
        defaults: dict[str, Any] = {"silence_timeout": 5.0, "restart_delay": 0.1, "start_timeout": 60.0}
        harness = PoolHarness(qtbot, launches, PoolOptions(**{**defaults, **options}))
        harnesses.append(harness)
        if start:
            harness.pool.start()
        return harness

    yield make
    for harness in harnesses:
        harness.stop()
