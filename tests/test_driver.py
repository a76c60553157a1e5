"""The Qt-free driver with real worker processes: the same pool logic and protocol checks as the QProcess
pool (tests/test_pool.py), moved by subprocess and threads. What cluster nodes and the GPU check run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from localclip.pool.driver import ThreadLoop, WorkerDriver
from localclip.pool.engine import PoolListener, PoolOptions
from localclip.pool.launch import WorkerConfigError, WorkerLaunch
from localclip_worker import protocol
from tests.conftest import ROGUE_WORKER
from tests.test_pool import setup_failing_launches

ROOT = Path(__file__).resolve().parents[1]


class Recorder(PoolListener):
    """Everything the driver tells, kept for the test (called on the driver's thread)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.problems: list[tuple[str, str]] = []
        self.states: list[tuple[str, str]] = []
        self.logs: list[tuple[str, str]] = []
        self.started: dict[str, str] = {}
        self.done: dict[str, str] = {}
        self.requeued: list[tuple[str, str, str]] = []

    def worker_event(self, worker_id: str, message: dict[str, Any]) -> None:
        self.events.append((worker_id, message))

    def worker_problem(self, worker_id: str, text: str) -> None:
        self.problems.append((worker_id, text))

    def worker_state_changed(self, worker_id: str, state: str) -> None:
        self.states.append((worker_id, state))

    def worker_log(self, worker_id: str, line: str) -> None:
        self.logs.append((worker_id, line))

    def item_started(self, item_id: str, worker_id: str) -> None:
        self.started.setdefault(item_id, worker_id)

    def item_done(self, item_id: str, worker_id: str, result: Any) -> None:
        self.done[item_id] = worker_id

    def item_requeued(self, item_id: str, worker_id: str, code: str) -> None:
        self.requeued.append((item_id, worker_id, code))

    def hellos(self) -> list[tuple[str, dict[str, Any]]]:
        return [(w, m) for w, m in list(self.events) if m["type"] == "hello"]


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


def gone(pid: int) -> bool:
    return not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


@pytest.fixture
def make_driver(worker_python: Path) -> Iterator[Callable[..., tuple[WorkerDriver, Recorder]]]:
    drivers: list[WorkerDriver] = []

    def make(
        count: int = 1, launches: list[WorkerLaunch] | None = None, start: bool = True, **options: Any
    ) -> tuple[WorkerDriver, Recorder]:
        launches = launches or [
            WorkerLaunch(str(n), worker_python, heartbeat_seconds=0.25) for n in range(count)
        ]
        defaults: dict[str, Any] = {"silence_timeout": 5.0, "restart_delay": 0.1, "start_timeout": 60.0}
        recorder = Recorder()
        driver = WorkerDriver(launches, PoolOptions(**{**defaults, **options}), recorder)
        drivers.append(driver)
        if start:
            driver.start()
        return driver, recorder

    yield make
    for driver in drivers:
        driver.shutdown()


def test_handshake_and_a_run_through_the_driver(make_driver) -> None:
    driver, recorder = make_driver(1)
    run = driver.run("diag", [{"id": "a", "echo": "héllo 你好"}, {"id": "b"}], timeout=60)
    assert run.summary["done"] == 2 and run.failures == {}
    assert run.results["a"]["echo"] == "héllo 你好"  # UTF-8 both ways
    [(worker_id, hello)] = recorder.hellos()
    assert worker_id == "0" and hello["device"] == "cpu" and hello["protocol"] == protocol.PROTOCOL_VERSION
    assert ("0", "idle") in recorder.states


def test_pull_scheduling_shares_the_work(make_driver) -> None:
    driver, recorder = make_driver(3)
    wait_until(lambda: len(recorder.hellos()) == 3, 60)
    run = driver.run("diag", [{"id": f"i{n}", "sleep": 0.15} for n in range(30)], timeout=60)
    assert run.summary["done"] == 30
    shares = {worker: list(recorder.done.values()).count(worker) for worker in ("0", "1", "2")}
    assert all(share >= 6 for share in shares.values()), shares


def test_a_worker_killed_mid_job_has_its_items_finished_by_another(make_driver) -> None:
    driver, recorder = make_driver(2)
    wait_until(lambda: len(recorder.hellos()) == 2, 60)
    driver.submit("diag", [{"id": "long", "sleep": 2.0}, {"id": "other", "sleep": 0.1}])
    wait_until(lambda: "long" in recorder.started)
    victim = recorder.started["long"]
    os.kill(driver.pids()[victim], signal.SIGKILL)
    summary = driver.wait(60)
    assert summary["done"] == 2 and summary["failed"] == 0
    assert recorder.requeued == [("long", victim, "worker_died")]
    assert summary["workers"][victim]["restarts"] == 1
    assert any("restarting" in text for worker, text in recorder.problems if worker == victim)


@pytest.mark.parametrize(
    ("mode", "reported"),
    [
        ("garbage", "line is not JSON: this is not json at all 测试"),
        ("half_line", "exited with code 5"),
        ("oversized", "exceeds the"),
        ("bad_utf8", "line is not UTF-8"),
    ],
)
def test_a_worker_printing_garbage_is_replaced_and_the_run_goes_on(
    make_driver, worker_python: Path, mode: str, reported: str
) -> None:
    launches = [
        WorkerLaunch("good", worker_python, heartbeat_seconds=0.25),
        WorkerLaunch(
            "rogue", worker_python, heartbeat_seconds=0.25, arguments=("-I", str(ROGUE_WORKER), mode)
        ),
    ]
    driver, recorder = make_driver(launches=launches, max_restarts=1)
    wait_until(lambda: len(recorder.hellos()) == 2, 60)
    run = driver.run("diag", [{"id": f"i{n}", "sleep": 0.05} for n in range(6)], timeout=60)
    assert run.summary["done"] == 6 and run.summary["failed"] == 0
    rogue_problems = [text for worker, text in recorder.problems if worker == "rogue"]
    assert any(reported in text for text in rogue_problems), rogue_problems
    assert all(len(text) < 600 for text in rogue_problems)


@pytest.mark.parametrize(
    ("params", "reason", "traceback"),
    [
        ({"crash": "no such kernel image"}, "could not start diag: no such kernel image", True),
        ({"refuse_on_run": "checkpoint C has no model.pth"}, "could not start diag: checkpoint C has", False),
    ],
)
def test_a_job_that_cannot_be_set_up_stops_the_run_once(
    make_driver, worker_python: Path, params: dict[str, str], reason: str, traceback: bool
) -> None:
    """A set-up that crashes, or a job set up again for other params that fails while running: the run
    stops once with the reason and fails no item. A crash's traceback goes to the log; a SetupError's not."""
    driver, recorder = make_driver(launches=setup_failing_launches(worker_python, 1), items_per_job=5)
    run = driver.run("diag", [{"id": f"i{n}"} for n in range(12)], params, timeout=60)
    assert run.summary["setup_error"].startswith(reason) and not run.summary["cancelled_run"]
    assert run.summary["failed"] == 0 and run.summary["cancelled"] == 12 and run.failures == {}
    assert driver.run("diag", [{"id": "after"}], timeout=60).summary["done"] == 1  # the worker stayed up
    wait_until(lambda: any(line.startswith(("run i0", "RuntimeError")) for _, line in list(recorder.logs)))
    logs = [line for _, line in list(recorder.logs)]
    assert any("Traceback" in line for line in logs) == traceback
    ran = [line for line in logs if line.startswith("run ")]
    assert ran == ([] if traceback else ["run i0"])  # the job's other items were not run


def test_a_protocol_version_mismatch_retires_the_worker(make_driver, worker_python: Path) -> None:
    launches = [WorkerLaunch("old", worker_python, arguments=("-I", str(ROGUE_WORKER), "version"))]
    driver, recorder = make_driver(launches=launches)
    run = driver.run("diag", [{"id": "a"}], timeout=60)
    assert run.failures["a"][0] == "no_worker"
    assert run.summary["workers"]["old"] == {
        **run.summary["workers"]["old"],
        "state": "retired",
        "restarts": 0,
    }
    assert any("speaks version 99" in text for _, text in recorder.problems)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP is POSIX")
def test_a_silent_worker_is_declared_hung_and_replaced(make_driver) -> None:
    driver, recorder = make_driver(2, silence_timeout=1.5)
    wait_until(lambda: len(recorder.hellos()) == 2, 60)
    driver.submit("diag", [{"id": "stuck", "sleep": 1.0}])
    wait_until(lambda: "stuck" in recorder.started)
    os.kill(driver.pids()[recorder.started["stuck"]], signal.SIGSTOP)
    assert driver.wait(60)["done"] == 1
    assert any("no heartbeat" in text for _, text in recorder.problems)


def test_cancel_kills_the_process_tree_of_a_worker_that_does_not_stop(make_driver) -> None:
    driver, recorder = make_driver(1, cancel_grace=0.5)
    wait_until(lambda: len(recorder.hellos()) == 1, 60)
    old_pid = driver.pids()["0"]
    driver.submit("diag", [{"id": "stuck", "spawn_child": True, "sleep": 60}])

    def notes() -> list[str]:
        return [m["message"] for _, m in list(recorder.events) if m.get("message", "").startswith("child")]

    wait_until(lambda: bool(notes()))
    cancelled_at = time.monotonic()
    driver.cancel()
    summary = driver.wait(30)
    assert time.monotonic() - cancelled_at < 3.0 and summary["cancelled"] == 1 and summary["cancelled_run"]
    child_pid = int(notes()[0].split()[1])
    wait_until(lambda: gone(child_pid) and gone(old_pid))
    # Back warm for the next run; a kill on request is not counted as a crash.
    assert driver.run("diag", [{"id": "next"}], timeout=60).summary["done"] == 1
    assert driver.call(lambda: driver.engine.slots["0"].restarts) == 0


def test_shutdown_ends_every_worker_process(make_driver) -> None:
    driver, recorder = make_driver(3)
    wait_until(lambda: len(recorder.hellos()) == 3, 60)
    pids = list(driver.pids().values())
    driver.shutdown()
    assert all(gone(pid) for pid in pids)
    assert len([m for _, m in recorder.events if m["type"] == "bye"]) == 3


def test_a_missing_interpreter_is_one_clear_error(make_driver, tmp_path: Path) -> None:
    driver, _ = make_driver(launches=[WorkerLaunch("0", tmp_path / "no such" / "python")], start=False)
    with pytest.raises(WorkerConfigError, match=r"Worker interpreter not found: .*no such"):
        driver.start()


def test_an_interpreter_that_cannot_start_retires_the_worker_with_the_reason(make_driver, tmp_path) -> None:
    fake = tmp_path / "python"
    fake.write_bytes(b"\x7fELF not really")  # exists and is executable, but no kernel will run it
    fake.chmod(0o755)
    driver, _ = make_driver(launches=[WorkerLaunch("0", fake)])
    run = driver.run("diag", [{"id": "a"}], timeout=30)
    assert run.failures["a"][0] == "no_worker"
    assert "could not be started" in run.summary["workers"]["0"]["reason"]


def test_a_timed_out_run_is_cancelled(make_driver) -> None:
    driver, _ = make_driver(1, cancel_grace=0.5)
    with pytest.raises(TimeoutError):
        driver.run("diag", [{"id": "slow", "sleep": 60}], timeout=2)
    assert driver.wait(30)["cancelled"] == 1


def test_the_loop_runs_timers_in_order_and_survives_a_failing_callback() -> None:
    loop = ThreadLoop()
    loop.start()
    seen: list[str] = []
    loop.call_later(0.2, lambda: seen.append("late"))
    cancelled = loop.call_later(0.1, lambda: seen.append("cancelled"))
    cancelled.cancel()
    loop.call_later(0.05, lambda: seen.append("early"))
    loop.call_soon(lambda: 1 / 0)
    assert loop.call(lambda: "answer") == "answer"
    wait_until(lambda: len(seen) == 2, 5)
    loop.stop()
    assert seen == ["early", "late"]
    assert isinstance(loop.error, ZeroDivisionError)


NO_QT = """
import builtins, sys
real_import = builtins.__import__
def guarded(name, *args, **kwargs):
    if name.split(".")[0] == "PySide6":
        raise ImportError("PySide6 is not available on this machine")
    return real_import(name, *args, **kwargs)
builtins.__import__ = guarded
from localclip.core.paths import bundled_worker_python
from localclip.pool.driver import WorkerDriver
from localclip.pool.launch import WorkerLaunch
with WorkerDriver([WorkerLaunch("0", bundled_worker_python())]) as driver:
    run = driver.run("diag", [{"id": "a"}], timeout=60)
print(run.summary["done"], sorted(name for name in sys.modules if name.startswith("PySide6")))
"""


def test_the_driver_needs_no_qt() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", NO_QT], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.split() == ["1", "[]"]
