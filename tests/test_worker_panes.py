"""The per-worker panes, the overall bar and the log panel on real pools of real workers."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QSplitter

from localclip.core.demo_data import AudioFormat, make_dataset
from localclip.core.embedding.datasets import scan_dataset
from localclip.core.models.folders import check_wespeaker_dir
from localclip.core.monitor.board import LogKind, PaneState
from localclip.gui.log_panel import LogPanel
from localclip.gui.worker_panes import RunProgressWidget, WorkerPanesView
from localclip.pool.engine import PoolOptions
from localclip.pool.launch import WorkerLaunch
from localclip.pool.pool import WorkerPool
from localclip.runs.embed import EmbedOptions, EmbedRun

CHATTY_WORKER = Path(__file__).parent / "workers" / "chatty_worker.py"
WAV16 = (AudioFormat(".wav", "PCM_16", 16000, 1),)


@pytest.fixture(scope="module")
def tiny_model(tiny_wespeaker_model: Path) -> Path:
    return tiny_wespeaker_model  # tests/conftest.py builds it once per session


class Screen:
    """The three widgets side by side in one shown window, as the main window will hold them."""

    def __init__(self, qtbot: Any) -> None:
        self.qtbot = qtbot
        self.pools: list[WorkerPool] = []
        self.window = QSplitter(Qt.Orientation.Vertical)
        self.progress = RunProgressWidget()
        self.panes = WorkerPanesView()
        self.log = LogPanel()
        for widget in (self.progress, self.panes, self.log):
            self.window.addWidget(widget)
        self.window.resize(900, 700)
        qtbot.addWidget(self.window)
        self.window.show()
        self.shown_states: dict[str, list[str]] = {}  # worker -> state texts as drawn, in order
        self._sampler = QTimer()
        self._sampler.setInterval(20)
        self._sampler.timeout.connect(self._sample)
        self._sampler.start()

    def attach(self, run: EmbedRun) -> None:
        self.pools.append(run.pool)
        self.progress.attach_run(run)
        self.panes.attach_run(run)
        self.log.attach_run(run)

    def stop_sampling(self) -> None:
        self._sampler.stop()

    def _sample(self) -> None:
        for worker_id, pane in self.panes.panes.items():
            texts = self.shown_states.setdefault(worker_id, [])
            text = pane.state_label.text()
            if not texts or texts[-1] != text:
                texts.append(text)

    def shut_down(self) -> None:
        for pool in self.pools:
            if not pool.is_stopped:
                with self.qtbot.waitSignal(pool.stopped, timeout=30_000):
                    pool.shutdown()

    def settle(self) -> None:
        """Draw what the last events changed (the widgets' own timers would within 100 ms)."""
        self.panes.refresh()
        self.log.flush()
        self._sample()


@pytest.fixture
def screen(qtbot: Any) -> Iterator[Screen]:
    screen = Screen(qtbot)
    yield screen
    screen.shut_down()  # also when a test failed half-way: no worker outlives its test
    screen.stop_sampling()  # before qtbot deletes the widgets it reads: nothing leaks into later tests


def embed_run(root: Path, tiny_model: Path, out: Path, worker_python: Path, workers: int) -> EmbedRun:
    run = EmbedRun(
        scan_dataset(root), check_wespeaker_dir(tiny_model), out, EmbedOptions("cpu", clips_per_job=4)
    )
    run.create_pool([WorkerLaunch(str(n), worker_python, heartbeat_seconds=0.25) for n in range(workers)])
    return run


def finish(qtbot: Any, run: EmbedRun) -> dict[str, Any]:
    with qtbot.waitSignal(run.finished, timeout=180_000) as finished:
        run.start()
    return finished.args[0]


def test_panes_follow_a_real_embedding_run_to_done(
    qtbot: Any, screen: Screen, worker_python: Path, tiny_model: Path, tmp_path: Path
) -> None:
    root = tmp_path / "数据 data"
    make_dataset(root, speakers=2, clips_per_speaker=6, seconds=(0.5, 1.0), formats=WAV16)
    run = embed_run(root, tiny_model, tmp_path / "out", worker_python, workers=2)
    screen.attach(run)
    assert set(screen.panes.panes) == {"0", "1"}  # a pane per planned worker before any started
    report = finish(qtbot, run)
    assert report["done"] == 12
    screen.settle()
    board = screen.panes.board
    for worker_id, status in board.workers.items():
        pane = screen.panes.pane(worker_id)
        assert status.state == PaneState.DONE and pane.state_label.text() == "done"
        assert PaneState.STARTING in status.transitions and PaneState.WORKING in status.transitions
        assert pane.device_label.text().startswith("CPU")
        assert status.memory_bytes and status.memory_bytes > 0
    assert sum(status.done for status in board.workers.values()) == 12
    speakers = {status.item.speaker for status in board.workers.values() if status.item.speaker}
    assert speakers <= {clip.speaker for clip in run.scan.clips} and speakers
    assert screen.progress.bar.value() == screen.progress.bar.maximum()
    assert "12 of 12 clips done" in screen.progress.counts_label.text()
    assert "took" in screen.progress.rate_label.text()
    log_text = screen.log.view.toPlainText()
    assert "embed ready: loaded in" in log_text and "run finished: 12 done" in log_text
    screen.shut_down()
    screen.settle()
    assert all(status.state == PaneState.DONE for status in board.workers.values())  # stopped after the run

    # The output on demand: the pane shows the worker's last stderr lines.
    pane = screen.panes.pane("0")
    pane.log_button.click()
    screen.settle()
    assert "worker 0 exits" in pane.output_view.toPlainText()
    # Filter the log by worker and by text.
    screen.log.set_worker_filter("1")
    screen.log.filter_edit.setText("STATE: idle")
    screen.log.rebuild()
    lines = screen.log.view.toPlainText().splitlines()
    assert lines and all("worker 1" in line and "state: idle" in line for line in lines)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_worker_killed_mid_run_is_shown_restarting_then_done(
    qtbot: Any, screen: Screen, worker_python: Path, tiny_model: Path, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    make_dataset(root, speakers=2, clips_per_speaker=12, seconds=(0.5, 1.0), formats=WAV16)
    run = embed_run(root, tiny_model, tmp_path / "out", worker_python, workers=2)
    pool = run.pool
    screen.attach(run)
    killed: list[int] = []

    victims: list[str] = []

    # Mid-job: just after a worker that finished a job was sent its next clips. Whichever worker gets
    # there first (six jobs for two workers: one of them always has a second job), since which one starts
    # faster depends on the machine's load.
    def kill_once(item: str, worker: str) -> None:
        slot = pool.slots[worker]
        if not killed and slot.done >= 4 and slot.process is not None:
            killed.append(slot.process.pid)
            victims.append(worker)
            os.kill(killed[0], signal.SIGKILL)

    pool.item_started.connect(kill_once)
    report = finish(qtbot, run)
    assert killed and report["done"] == 24
    victim = victims[0]
    assert report["workers"][victim]["restarts"] == 1
    status = screen.panes.board.workers[victim]
    # The other worker may have finished the run before this one is back: it is done once it is.
    qtbot.waitUntil(lambda: status.state == PaneState.DONE, timeout=60_000)
    screen.settle()
    transitions = list(status.transitions)
    assert PaneState.RESTARTING in transitions and transitions[-1] == PaneState.DONE
    assert transitions.index(PaneState.RESTARTING) < len(transitions) - 1
    shown = screen.shown_states[victim]
    restarting = next(i for i, text in enumerate(shown) if text.startswith("restarting"))
    assert shown[-1] == "done" and restarting < len(shown) - 1, shown
    problem = screen.panes.pane(victim).problem_label.text()
    assert problem.startswith(f"Restarted 1× · last: worker {victim} stopped")
    log_text = screen.log.view.toPlainText()
    assert "state: restarting" in log_text and "restarting it (1 of 3)" in log_text
    screen.shut_down()


def chatty_launch(worker_python: Path, worker_id: str) -> WorkerLaunch:
    # 600 progress events per item, in bursts of 10 with 5 ms pauses: about 1,500 events/s per worker.
    arguments = ("-I", str(CHATTY_WORKER), worker_id, "600", "10", "0.005")
    return WorkerLaunch(worker_id, worker_python, heartbeat_seconds=0.25, arguments=arguments)


def test_the_event_loop_never_stalls_while_four_workers_stream_progress(
    qtbot: Any, screen: Screen, worker_python: Path
) -> None:
    pool = WorkerPool([chatty_launch(worker_python, str(n)) for n in range(4)], PoolOptions())
    screen.pools.append(pool)
    screen.panes.attach(pool)
    screen.log.attach(pool)
    screen.progress.attach_pool(pool)
    hellos: list[str] = []
    pool.worker_event.connect(lambda worker, message: message["type"] == "hello" and hellos.append(worker))
    pool.start()
    qtbot.waitUntil(lambda: len(hellos) == 4, timeout=60_000)

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    ticker = QTimer()
    ticker.setTimerType(Qt.TimerType.PreciseTimer)
    ticker.setInterval(5)
    ticker.timeout.connect(tick)
    events = [0]
    pool.worker_event.connect(lambda _worker, message: events.__setitem__(0, events[0] + 1))
    with qtbot.waitSignal(pool.finished, timeout=120_000) as finished:
        last[0] = time.perf_counter()
        ticker.start()
        pool.submit("chatty", [{"id": f"item-{n}"} for n in range(12)])
    ticker.stop()
    assert finished.args[0]["done"] == 12
    screen.settle()
    assert events[0] >= 12 * 600  # the workers really streamed
    assert all(status.state == PaneState.DONE for status in screen.panes.board.workers.values())
    assert screen.log.book.select(None, [LogKind.OUTPUT])  # their stderr reached the log
    worst = max(gaps)
    print(f"{len(gaps)} ticks, {events[0]} events; longest gap {worst * 1000:.1f} ms")
    assert worst < 0.050, f"the event loop stalled for {worst * 1000:.0f} ms"
    screen.shut_down()


class FakePool(QObject):
    """The pool's signals without processes: to feed the widgets payloads a real worker would not send."""

    worker_state_changed = Signal(str, str)
    worker_event = Signal(str, object)
    worker_log = Signal(str, str)
    worker_problem = Signal(str, str)
    item_started = Signal(str, str)
    item_done = Signal(str, str, object)
    item_failed = Signal(str, str, str, str)
    item_requeued = Signal(str, str, str)
    progress = Signal(int, int)
    finished = Signal(object)

    slots: dict[str, Any] = {}  # noqa: RUF012 (read only)


def test_wrong_payloads_never_raise_in_a_slot_and_panes_reflow(qtbot: Any, screen: Screen) -> None:
    pool = FakePool()
    screen.panes.attach(pool)  # type: ignore[arg-type]
    screen.log.attach(pool)  # type: ignore[arg-type]
    screen.progress.attach_pool(pool)  # type: ignore[arg-type]
    for worker in ("0", "1", "2", "3", "4"):
        pool.worker_state_changed.emit(worker, "working")
        pool.item_started.emit(f"item-{worker}", worker)
    for payload in (None, 7, "text", [1], {"type": 5}, {"type": "hello", "pid": "x", "python": None}):
        pool.worker_event.emit("0", payload)
    for message in (
        {"type": "ready", "kind": None, "load_seconds": "soon", "memory_bytes": -1},
        {"type": "progress", "item_id": "item-0", "done": None, "total": "all", "message": 3},
        {"type": "progress", "item_id": "item-0", "done": 2, "total": 0},
        {"type": "heartbeat", "rss_bytes": [1]},
        {"type": "error", "message": {"nested": True}},
        {"type": "bye", "reason": None},
        {"type": "item_failed", "item_id": 5, "code": None},
    ):
        pool.worker_event.emit("1", message)
    pool.item_done.emit("item-2", "2", None)
    pool.item_done.emit("item-3", "3", {"tokens": "many", "generate_seconds": -1, "gpu_memory_bytes": "x"})
    pool.item_failed.emit("nowhere", "9", "", "")
    pool.worker_log.emit("4", "\x1b[31mcoloured\x1b[0m and a bell \x07" + "z" * 100_000)
    pool.worker_problem.emit("4", "")
    pool.progress.emit(3, 2)  # more finished than in the run: shown as full, not as an error
    pool.finished.emit(None)
    pool.finished.emit({"done": "x", "seconds": None, "cancelled_run": "yes"})
    screen.settle()
    assert set(screen.panes.panes) == {"0", "1", "2", "3", "4"}
    log_lines = screen.log.view.toPlainText().splitlines()
    assert any("coloured and a bell \ufffd" in line and len(line) < 2200 for line in log_lines)

    screen.window.resize(360, 700)  # narrow: one column
    qtbot.waitUntil(lambda: screen.panes._columns == 1)
    screen.window.resize(1400, 700)  # wide: several
    qtbot.waitUntil(lambda: screen.panes._columns >= 3)
    grid = screen.panes._grid
    rows = {grid.getItemPosition(grid.indexOf(pane))[0] for pane in screen.panes.panes.values()}
    assert len(rows) == 2  # five panes in rows of three or four


# --- wording: one meaning per word, slow rates -----------------------------------------------------------


def test_a_pane_says_handed_back_for_items_passed_on_never_skipped(qtbot: Any) -> None:
    from localclip.core.monitor.board import WorkerStatus
    from localclip.gui.worker_panes import WorkerPane

    pane = WorkerPane("0")
    qtbot.addWidget(pane)
    pane.show_status(WorkerStatus("0", done=5, handed_back=2, failed=1), time.monotonic())
    text = pane.counts_label.text()
    assert "Handed back 2" in text
    assert "Skipped" not in text and "Handed back" in pane.counts_label.toolTip()


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _CloneLike:
    def __init__(self, total: int, up_to_date: int) -> None:
        self.total, self.up_to_date, self.done, self.failed = total, up_to_date, 0, 0
        self.tokens_per_s = 0.0


def test_the_overall_rate_of_a_slow_run_reads_as_seconds_per_line(qtbot: Any) -> None:
    from localclip.core.monitor.board import RunTracker

    clock = _Clock()
    widget = RunProgressWidget()
    qtbot.addWidget(widget)
    widget.tracker = RunTracker(clock=clock)
    widget._running = True
    progress = _CloneLike(total=10, up_to_date=3)
    for done in (1, 2):  # a line every 12 s
        clock.now += 12.0
        progress.done = done
        widget.on_progress(progress)
    widget._draw()
    assert "12 s/line" in widget.rate_label.text()
    assert "lines/s" not in widget.rate_label.text()
    assert "3 already done before" in widget.counts_label.text()
