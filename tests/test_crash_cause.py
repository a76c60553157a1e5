"""A worker's death says its real cause (exit code or signal, the last traceback), never the last harmless
stderr line: read from stderr by :mod:`localclip.pool.crash_cause`, with real processes through both
transports (the QProcess pool and the subprocess driver)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localclip.pool.crash_cause import crash_cause, describe_exit
from localclip.pool.driver import WorkerDriver
from localclip.pool.engine import PoolListener, PoolOptions
from localclip.pool.launch import WorkerLaunch

CRASHING_WORKER = Path(__file__).parent / "workers" / "crashing_worker.py"
WARNING_TAIL = [
    "/x/decoder.py:88: UserWarning: To copy construct from a tensor, it is recommended to use "
    "sourceTensor.clone().detach()",
    "  repetition_penalty = torch.tensor(",
]
TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/w/main.py", line 10, in <module>',
    "    serve()",
    '  File "/w/generate.py", line 42, in step',
    "    logits = model(tokens)",
    "             ^^^^^^^^^^^^^",
    "RuntimeError: shape mismatch",
]
OPTIONS: dict[str, Any] = {
    "silence_timeout": 5.0,
    "restart_delay": 0.1,
    "start_timeout": 60.0,
    "max_item_attempts": 1,
    "max_restarts": 1,
}


# -- the words, from stderr and the exit status --------------------------------------------------------------


def test_the_last_traceback_is_the_cause_not_the_warning_after_it() -> None:
    cause = crash_cause(["loading", *TRACEBACK, *WARNING_TAIL])
    assert cause.startswith("RuntimeError: shape mismatch")
    assert 'File "/w/generate.py", line 42, in step: logits = model(tokens)' in cause
    assert "^^^" not in cause and "\n" not in cause


def test_warnings_alone_are_no_cause() -> None:
    assert crash_cause(WARNING_TAIL) == ""
    assert crash_cause([]) == ""


def test_an_old_handled_traceback_far_above_is_not_the_cause() -> None:
    assert crash_cause([*TRACEBACK, *(f"item {n} done" for n in range(20))]) == ""


def test_a_chained_exception_gives_the_last_one_and_a_fault_report_its_frames() -> None:
    chained = [*TRACEBACK, "", "During handling of the above exception, another exception occurred:", ""]
    chained += ["Traceback (most recent call last):", '  File "/w/b.py", line 1, in f', "KeyError: 'x'"]
    assert crash_cause(chained).startswith("KeyError: 'x'")
    fault = ["Fatal Python error: Segmentation fault", "", "Current thread 0x7f (most recent call first):"]
    fault += ['  File "/w/decoder.py", line 5 in forward', "", "Extension modules: torch (total: 1)"]
    assert (
        crash_cause(fault)
        == 'Fatal Python error: Segmentation fault (at File "/w/decoder.py", line 5 in forward)'
    )


def test_a_fatal_line_without_traceback_is_kept() -> None:
    tail = ["terminate called after throwing an instance of 'c10::Error'", *WARNING_TAIL]
    assert crash_cause(tail).startswith("terminate called")


def test_exit_statuses_in_words() -> None:
    killed = describe_exit(9, crashed=True, windows=False)
    assert killed.startswith("was killed by signal SIGKILL (9)") and "out-of-memory" in killed
    assert describe_exit(-11, crashed=True, windows=False).startswith("was killed by signal SIGSEGV (11)")
    assert describe_exit(3, crashed=False, windows=False) == "exited with code 3"
    # Windows: QProcess gives the status as a signed int, subprocess as an unsigned one.
    for code in (-1073741819, 0xC0000005):
        assert (
            describe_exit(code, crashed=False, windows=True)
            == "crashed with status 0xC0000005 (access violation)"
        )
    assert describe_exit(3, crashed=False, windows=True) == "exited with code 3"


# -- real worker processes -----------------------------------------------------------------------------------


def crashing_launch(worker_python: Path, mode: str) -> WorkerLaunch:
    return WorkerLaunch(
        "crash", worker_python, heartbeat_seconds=0.25, arguments=("-I", str(CRASHING_WORKER), mode)
    )


def failure_reason(failed: dict[str, tuple[str, str]], item: str) -> str:
    code, reason = failed[item]
    assert code == "worker_died"
    return reason


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_pool_says_a_worker_was_killed_by_a_signal(make_pool, qtbot) -> None:
    harness = make_pool(1, **OPTIONS)
    harness.wait_for_hello(1)
    started: list[str] = []
    harness.pool.item_started.connect(lambda item, worker: started.append(item))
    with qtbot.waitSignal(harness.pool.finished, timeout=60_000):
        harness.pool.submit("diag", [{"id": "long", "sleep": 30.0}])
        qtbot.waitUntil(lambda: bool(started))
        os.kill(harness.pool.slots["0"].process.pid, signal.SIGKILL)
    reason = failure_reason(harness.failed, "long")
    assert "killed by signal SIGKILL (9)" in reason
    assert any("SIGKILL (9)" in text and "restarting" in text for _, text in harness.problems)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("raise", ["exited with code 1: RuntimeError: the decoder broke on line 7", "crashing_worker.py"]),
        ("exit3", ["exited with code 3"]),
        pytest.param(
            "segv",
            ["killed by signal SIGSEGV (11)", "Fatal Python error: Segmentation fault", "in <module>"],
            marks=pytest.mark.skipif(sys.platform == "win32", reason="POSIX signal"),
        ),
    ],
)
def test_the_pool_says_why_a_worker_exited(
    make_pool, worker_python: Path, mode: str, expected: list[str]
) -> None:
    harness = make_pool(launches=[crashing_launch(worker_python, mode)], **OPTIONS)
    summary = harness.run("diag", [{"id": "a"}])
    reason = failure_reason(harness.failed, "a")
    assert all(text in reason for text in expected), reason
    assert "repetition_penalty" not in reason and "UserWarning" not in reason
    assert expected[0] in summary["workers"]["crash"]["reason"]


class Failures(PoolListener):
    def __init__(self) -> None:
        self.failed: dict[str, tuple[str, str]] = {}
        self.started: list[str] = []

    def item_started(self, item_id: str, worker_id: str) -> None:
        self.started.append(item_id)

    def item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None:
        self.failed[item_id] = (code, reason)


def drive(
    launch: WorkerLaunch, items: list[dict[str, Any]], during: Callable[[WorkerDriver, Failures], None]
):
    failures = Failures()
    driver = WorkerDriver([launch], PoolOptions(**OPTIONS), failures)
    try:
        driver.start()
        driver.submit("diag", items)
        during(driver, failures)
        driver.wait(60)
    finally:
        driver.shutdown()
    return failures.failed


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_driver_says_a_worker_was_killed_by_a_signal(worker_python: Path) -> None:
    def kill_when_started(driver: WorkerDriver, failures: Failures) -> None:
        deadline = time.monotonic() + 60
        while not failures.started and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(driver.pids()["0"], signal.SIGKILL)

    launch = WorkerLaunch("0", worker_python, heartbeat_seconds=0.25)
    failed = drive(launch, [{"id": "long", "sleep": 30.0}], kill_when_started)
    assert "killed by signal SIGKILL (9)" in failure_reason(failed, "long")


@pytest.mark.parametrize(
    ("mode", "expected"), [("raise", "exited with code 1: RuntimeError"), ("exit3", "code 3")]
)
def test_the_driver_says_why_a_worker_exited(worker_python: Path, mode: str, expected: str) -> None:
    failed = drive(crashing_launch(worker_python, mode), [{"id": "a"}], lambda driver, failures: None)
    reason = failure_reason(failed, "a")
    assert expected in reason and "repetition_penalty" not in reason, reason
