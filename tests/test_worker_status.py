"""The view models behind the worker panes, the overall bar and the log panel (no Qt)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest

from localclip.core.monitor.board import (
    ItemInfo,
    LogBook,
    LogKind,
    PaneState,
    RateMeter,
    RunTracker,
    WorkerBoard,
    clean_log_line,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def board_with_worker(clock: Clock | None = None) -> WorkerBoard:
    board = WorkerBoard(
        describe=lambda item: ItemInfo("anna", f"line {item}", "Hello there") if item != "x" else None,
        clock=clock or Clock(),
    )
    board.add_worker("0", "NVIDIA RTX 4090", "GPU-1234")
    return board


def start_job(board: WorkerBoard, items: list[str], kind: str = "clone") -> None:
    board.on_state("0", "working")
    for item in items:
        board.on_item_started(item, "0", kind)


def test_lines_decoded_together_count_their_shared_time_once() -> None:
    clock = Clock()
    board = board_with_worker(clock)
    start_job(board, ["a", "b", "c"])
    clock.now = 10.0
    board.on_item_done("a", "0", {"tokens": 100, "generate_seconds": 4.0})  # rows: a, b and c together
    clock.now = 11.0
    board.on_item_done("b", "0", {"tokens": 125, "generate_seconds": 5.0})
    board.on_item_done("c", "0", {"tokens": 25, "generate_seconds": 1.0})
    assert board.workers["0"].tokens_per_s == pytest.approx(250 / 5.0)  # 6 to 11 s, not 10 s summed


def test_a_worker_goes_from_starting_through_loading_to_done() -> None:
    clock = Clock()
    board = board_with_worker(clock)
    status = board.workers["0"]
    assert status.state == PaneState.STARTING
    board.on_event("0", {"type": "hello", "pid": 4321})
    board.on_state("0", "idle")
    assert status.state == PaneState.IDLE and status.pid == 4321
    start_job(board, ["a", "b"])
    assert status.state == PaneState.LOADING
    assert status.item == ItemInfo("anna", "line a", "Hello there")
    board.on_event("0", {"type": "ready", "kind": "clone", "load_seconds": 2.5, "memory_bytes": 10**9})
    assert status.state == PaneState.WORKING and status.load_seconds == 2.5
    board.on_event("0", {"type": "progress", "item_id": "a", "done": 1, "total": 4, "message": "chunks"})
    assert status.unit_fraction == pytest.approx(0.125)
    board.on_item_done("a", "0", {"tokens": 100, "generate_seconds": 2.0, "gpu_memory_bytes": 3 * 10**9})
    assert status.item_id == "b" and status.unit_fraction == pytest.approx(0.5)
    clock.now += 1.0  # line b ran after line a
    board.on_item_done("b", "0", {"tokens": 50, "generate_seconds": 1.0})
    board.on_state("0", "idle")
    assert status.state == PaneState.READY  # model loaded: warm
    assert status.tokens_per_s == pytest.approx(50.0) and status.gpu_memory_bytes == 3 * 10**9
    board.on_run_finished({"cancelled_run": False})
    assert status.state == PaneState.DONE
    board.on_state("0", "stopping")
    board.on_state("0", "stopped")
    assert status.state == PaneState.DONE and status.done == 2
    assert list(status.transitions) == [
        PaneState.STARTING,
        PaneState.IDLE,
        PaneState.LOADING,
        PaneState.WORKING,
        PaneState.READY,
        PaneState.DONE,
    ]


def test_a_killed_worker_is_restarting_until_its_new_process_says_hello() -> None:
    board = board_with_worker()
    status = board.workers["0"]
    board.on_event("0", {"type": "hello", "pid": 1})
    start_job(board, ["a", "b", "c"])
    board.on_event("0", {"type": "ready", "kind": "clone", "load_seconds": 1, "memory_bytes": 1})
    board.on_item_done("a", "0", {})
    board.on_problem("0", "worker 0 stopped: worker crashed (Killed); restarting it (1 of 3)")
    board.on_item_requeued("c", "0", "worker_died")
    board.on_item_requeued("b", "0", "worker_died")
    board.on_state("0", "restarting")
    assert status.state == PaneState.RESTARTING and status.restarts == 1
    assert (status.done, status.handed_back, status.failed) == (1, 2, 0)
    board.on_state("0", "starting")
    assert status.state == PaneState.RESTARTING  # still: the new process has not said hello
    board.on_event("0", {"type": "hello", "pid": 2})
    board.on_state("0", "idle")
    assert status.state == PaneState.IDLE and not status.ready_kinds  # a new process loads again
    start_job(board, ["b"])
    assert status.state == PaneState.LOADING
    board.on_item_done("b", "0", {})
    board.on_state("0", "idle")
    board.on_run_finished({})
    assert status.state == PaneState.DONE


def test_a_retired_worker_is_failed_and_a_cancelled_run_is_cancelled() -> None:
    board = board_with_worker()
    board.add_worker("1")
    board.on_state("0", "retired")
    board.on_run_finished({"cancelled_run": True})
    assert board.workers["0"].state == PaneState.FAILED
    assert board.workers["1"].state == PaneState.CANCELLED
    assert board.workers["1"].on_cpu and not board.workers["0"].on_cpu


def test_items_that_never_ran_on_a_worker_do_not_count_as_its_failures() -> None:
    board = board_with_worker()
    start_job(board, ["a"])
    board.on_item_failed("other", "0", "no_worker", "no worker left to run it")
    board.on_item_failed("a", "0", "bad_input", "empty text")
    status = board.workers["0"]
    assert status.failed == 1 and status.last_failure == "bad_input: empty text"
    board.on_item_failed("a", "0", "bad_input", "again")  # reported twice: counted once
    assert status.failed == 1


def test_cancelled_items_are_handed_back_once_whether_or_not_the_pool_requeues_them() -> None:
    board = board_with_worker()
    start_job(board, ["a", "b", "c"])
    board.on_event("0", {"type": "item_failed", "item_id": "b", "code": "cancelled", "reason": "cancelled"})
    board.on_item_requeued("b", "0", "cancelled")
    board.on_state("0", "restarting")  # killed after the cancel grace: "a" and "c" silently dropped
    assert board.workers["0"].handed_back == 3


def test_a_batch_without_progress_events_shows_reported_items_of_the_unit() -> None:
    board = board_with_worker()
    start_job(board, [f"clip{n}" for n in range(4)], kind="embed")
    board.on_event("0", {"type": "ready", "kind": "embed", "load_seconds": 0.1, "memory_bytes": 5})
    for name in ("clip2", "clip0"):  # batches report in the order clips finish
        board.on_item_done(name, "0", {})
    status = board.workers["0"]
    assert status.unit_fraction == 0.5 and status.item_id == "clip1"
    for name in ("clip1", "clip3"):
        board.on_item_done(name, "0", {})
    board.on_state("0", "idle")
    start_job(board, ["clip4", "clip5"], kind="embed")  # the next job is a new unit
    assert (status.unit_total, status.unit_reported) == (2, 0)
    assert status.state == PaneState.WORKING  # the kind is set up already


def test_a_describer_that_fails_or_knows_nothing_falls_back_to_the_id() -> None:
    def broken(item: str) -> ItemInfo:
        raise KeyError(item)

    board = WorkerBoard(describe=broken)
    board.add_worker("0")
    board.on_item_started("line-7", "0", "clone")
    assert board.workers["0"].item == ItemInfo(label="line-7")
    board = board_with_worker()
    start_job(board, ["x"])
    assert board.workers["0"].item.label == "x"


GARBAGE = [
    None,
    "hello",
    [1, 2],
    {"type": ["hello"]},
    {"type": None},
    {"type": "hello", "pid": "12"},
    {"type": "hello", "pid": -4},
    {"type": "hello", "pid": True},
    {"type": "ready", "kind": 5, "load_seconds": "slow", "memory_bytes": math.inf},
    {"type": "ready"},
    {"type": "progress"},
    {"type": "progress", "item_id": "a", "done": math.nan, "total": 0},
    {"type": "progress", "item_id": "a", "done": 5, "total": -1, "message": 7},
    {"type": "progress", "item_id": {"a": 1}, "done": 1, "total": 2},
    {"type": "progress", "item_id": "a", "done": 1e308, "total": 1e-308},
    {"type": "heartbeat", "rss_bytes": "lots"},
    {"type": "heartbeat", "rss_bytes": 1e300},
    {"type": "item_failed", "item_id": None, "code": "cancelled"},
    {"type": "item_failed", "item_id": ["a"], "code": "cancelled"},
    {"type": "error", "message": None},
    {"type": "error", "message": "x" * 100_000},
    {"type": "unknown"},
]


@pytest.mark.parametrize("message", GARBAGE)
def test_no_event_payload_makes_the_board_raise(message: object) -> None:
    board = board_with_worker()
    start_job(board, ["a"])
    board.on_event("0", message)
    status = board.workers["0"]
    assert 0.0 <= status.unit_fraction <= 1.0 and len(status.problem) <= 1100


def test_no_pool_signal_payload_makes_the_board_raise() -> None:
    board = board_with_worker()
    for value in (None, 3, ["x"], {"a": 1}, "x" * 10_000, math.nan):
        board.on_state(value, value)
        board.on_item_started(value, value, value)
        board.on_item_done(value, value, value)
        board.on_item_done(
            value, value, {"tokens": value, "generate_seconds": value, "gpu_memory_bytes": value}
        )
        board.on_item_failed(value, value, value, value)
        board.on_item_requeued(value, value, value)
        board.on_log(value, value)
        board.on_problem(value, value)
        board.on_run_finished(value)
    assert board.take_dirty()
    board.on_item_started("a", "never seen", "clone")  # an item pinned to a worker that does not exist
    board.on_item_failed("a", "never seen", "no_worker", "worker never seen is not available")
    assert "never seen" not in board.workers


def test_rates_follow_the_recent_window_and_decay_when_work_stops() -> None:
    meter = RateMeter(window=10.0)
    assert meter.rate(0.0) is None
    for second in range(0, 21):
        meter.add(float(second), 2.0 if second < 10 else 5.0)  # 2/s, then 5/s
    assert meter.rate(20.0) == pytest.approx(5.0, rel=0.15)
    assert meter.rate(40.0) < 2.5  # nothing for 20 s
    burst = RateMeter()
    for _ in range(100):
        burst.add(5.0)
    assert burst.rate(5.0) is None  # all at one instant: no rate yet
    assert len(burst._samples) <= 2  # bursts are coalesced


@dataclass
class EmbedLike:
    total: int
    skipped: int
    done: int = 0
    failed: int = 0


@dataclass
class CloneLike:
    total: int
    up_to_date: int
    done: int = 0
    failed: int = 0
    workers: dict = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        return 120.0


def test_the_overall_figures_and_eta_from_a_run_s_progress() -> None:
    clock = Clock()
    tracker = RunTracker(clock=clock)
    progress = EmbedLike(total=110, skipped=10)
    for step in range(1, 21):
        clock.now += 1.0
        progress.done = 2 * step
        tracker.on_progress(progress)
    figures = tracker.figures()
    assert (figures.noun, figures.total, figures.finished, figures.remaining) == ("clips", 110, 50, 60)
    assert figures.already_done == 10  # in the store before the run: "already done", never "skipped"
    assert figures.items_per_s == pytest.approx(2.0, rel=0.1)
    assert figures.eta_seconds == pytest.approx(30.0, rel=0.1)
    tracker.on_finished()
    assert tracker.figures().items_per_s == pytest.approx(2.0, rel=0.1)  # the whole run's average

    clone = RunTracker(clock=clock)
    clone.on_progress(CloneLike(total=8, up_to_date=4, done=2, failed=1))
    figures = clone.figures()
    assert (figures.noun, figures.total, figures.finished, figures.tokens_per_s) == ("lines", 12, 7, 120.0)
    assert figures.already_done == 4

    pool = RunTracker(clock=clock)
    pool.on_pool_progress(3, 4)
    pool.on_pool_progress("x", None)  # untrusted: ignored as zero
    assert pool.figures().noun == "items"


def test_log_book_is_bounded_and_hands_out_what_is_new() -> None:
    book = LogBook(limit=100, wall_clock=lambda: 0.0)
    for number in range(250):
        book.add(str(number % 3), LogKind.OUTPUT, f"line {number}")
    assert len(book.entries) == 100 and book.serial == 250
    assert [entry.text for entry in book.since(247)] == ["line 247", "line 248", "line 249"]
    assert len(book.since(0)) == 100  # older ones are gone
    assert book.since(250) == []
    assert book.workers == ["0", "1", "2"]
    book.add("", LogKind.PROBLEM, "run problem")
    assert [e.text for e in book.select("", [LogKind.PROBLEM])] == ["run problem"]
    assert len(book.select("1")) == 33


def test_log_lines_are_cleaned_and_cut() -> None:
    assert clean_log_line("\x1b[31mred\x1b[0m text\r\n") == "red text"
    assert clean_log_line(" 10%|#   |\r 50%|##### |") == " 50%|##### |"
    assert clean_log_line("bell\x07") == "bell\ufffd"
    long = clean_log_line("y" * 5000, limit=100)
    assert long.startswith("y" * 100) and long.endswith("(5000 characters)")
    assert clean_log_line(None) == "None"


def test_the_time_before_the_first_result_does_not_slow_the_rate() -> None:
    clock = Clock()
    tracker = RunTracker(clock=clock)
    progress = EmbedLike(total=100, skipped=0)
    tracker.on_progress(progress)  # attached: nothing done yet
    clock.now += 60.0  # the models load
    for _ in range(10):
        clock.now += 0.5
        progress.done += 1
        tracker.on_progress(progress)
    assert tracker.figures().items_per_s == pytest.approx(2.0, rel=0.15)
    assert tracker.figures().elapsed_seconds == pytest.approx(65.0)
