"""The pool with real worker processes: handshake, scheduling, crashes, cancel, bad workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from localclip.pool.launch import WorkerConfigError, WorkerLaunch
from localclip_worker import protocol
from tests.conftest import ROGUE_WORKER

SETUP_FAILING_WORKER = Path(__file__).parent / "workers" / "setup_failing_worker.py"


def setup_failing_launches(worker_python: Path, count: int) -> list[WorkerLaunch]:
    """Real workers whose diag job fails its set-up as its params say (workers/setup_failing_worker.py)."""
    return [
        WorkerLaunch(
            str(n),
            worker_python,
            heartbeat_seconds=0.25,
            arguments=("-I", str(SETUP_FAILING_WORKER), "--worker-id", str(n), "--heartbeat", "0.25"),
        )
        for n in range(count)
    ]


def test_handshake_reports_the_worker_and_its_device(make_pool, worker_python: Path) -> None:
    harness = make_pool(1)
    harness.wait_for_hello(1)
    [(worker_id, hello)] = harness.hellos()
    assert worker_id == "0"
    assert hello["protocol"] == protocol.PROTOCOL_VERSION
    assert hello["device"] == "cpu"  # no GPU given: CUDA_VISIBLE_DEVICES is empty
    assert {"probe", "diag"} <= set(hello["capabilities"])
    assert psutil.Process(hello["pid"]).exe() == str(Path(hello["executable"]).resolve())
    assert ("0", "idle") in harness.states


def test_probe_reports_python_torch_and_devices(make_pool) -> None:
    harness = make_pool(1)
    summary = harness.run("probe", [{"id": "p"}], timeout=120)
    assert summary["done"] == 1
    result = harness.results["p"]
    assert result["python"].startswith("3.")
    assert result["torch"].startswith("2.8.0")  # the pinned worker environment
    assert result["cuda_available"] is False and result["devices"] == [] and result["problems"] == []
    ready = [m for _, m in harness.events if m["type"] == "ready"]
    assert ready and ready[0]["kind"] == "probe" and ready[0]["memory_bytes"] > 0


def test_pull_scheduling_gives_three_workers_a_fair_share(make_pool) -> None:
    harness = make_pool(3)
    harness.wait_for_hello(3)
    summary = harness.run("diag", [{"id": f"i{n}", "sleep": 0.15} for n in range(30)])
    assert summary["done"] == 30 and summary["failed"] == 0
    shares = {worker: list(harness.done.values()).count(worker) for worker in ("0", "1", "2")}
    assert all(share >= 6 for share in shares.values()), shares


def test_pull_scheduling_gives_a_faster_worker_more_items(make_pool) -> None:
    harness = make_pool(2)
    harness.wait_for_hello(2)
    slow = [{"id": f"slow{n}", "sleep": 1.5, "worker_id": "0"} for n in range(2)]
    quick = [{"id": f"quick{n}", "sleep": 0.05} for n in range(20)]
    harness.run("diag", slow + quick)
    assert sum(1 for item, worker in harness.done.items() if item.startswith("quick") and worker == "1") >= 15


def test_a_worker_killed_mid_item_has_its_item_finished_elsewhere(make_pool, qtbot) -> None:
    harness = make_pool(2)
    harness.wait_for_hello(2)
    started: dict[str, str] = {}
    requeued: list[tuple[str, str, str]] = []
    harness.pool.item_started.connect(lambda item, worker: started.setdefault(item, worker))
    harness.pool.item_requeued.connect(lambda item, worker, code: requeued.append((item, worker, code)))
    with qtbot.waitSignal(harness.pool.finished, timeout=60_000) as finished:
        harness.pool.submit("diag", [{"id": "long", "sleep": 2.0}, {"id": "other", "sleep": 0.1}])
        qtbot.waitUntil(lambda: "long" in started)
        victim = started["long"]
        os.kill(harness.pool.slots[victim].process.pid, signal.SIGKILL)  # kill -9 from outside
    summary = finished.args[0]
    assert summary["done"] == 2 and summary["failed"] == 0
    assert requeued == [("long", victim, "worker_died")]
    assert harness.done["long"] != victim or summary["workers"][victim]["restarts"] == 1
    assert summary["workers"][victim]["restarts"] == 1
    assert (victim, "restarting") in harness.states
    assert any("restarting" in text for worker, text in harness.problems if worker == victim)


def test_an_item_that_kills_every_worker_fails_and_the_run_finishes(make_pool) -> None:
    harness = make_pool(2, max_item_attempts=2)
    summary = harness.run("diag", [{"id": "poison", "exit": 3}, {"id": "fine", "sleep": 0.1}])
    assert summary["done"] == 1 and summary["failed"] == 1
    code, reason = harness.failed["poison"]
    assert code == "worker_died" and "died 2 times" in reason


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP is POSIX")
def test_a_silent_worker_is_declared_hung_and_replaced(make_pool, qtbot) -> None:
    harness = make_pool(2, silence_timeout=1.5)
    harness.wait_for_hello(2)
    started: dict[str, str] = {}
    harness.pool.item_started.connect(lambda item, worker: started.setdefault(item, worker))
    with qtbot.waitSignal(harness.pool.finished, timeout=60_000) as finished:
        harness.pool.submit("diag", [{"id": "stuck", "sleep": 1.0}])
        qtbot.waitUntil(lambda: "stuck" in started)
        os.kill(harness.pool.slots[started["stuck"]].process.pid, signal.SIGSTOP)  # frozen: no heartbeats
    assert finished.args[0]["done"] == 1
    assert any("no heartbeat" in text for _, text in harness.problems)


def test_cancel_stops_between_items_within_the_grace_period(make_pool, qtbot) -> None:
    harness = make_pool(2, cancel_grace=5.0)
    harness.wait_for_hello(2)
    pids = {w: slot.process.pid for w, slot in harness.pool.slots.items()}
    with qtbot.waitSignal(harness.pool.finished, timeout=30_000) as finished:
        harness.pool.submit("diag", [{"id": f"i{n}", "sleep": 0.5} for n in range(20)])
        qtbot.waitUntil(lambda: len(harness.done) >= 2, timeout=30_000)
        cancelled_at = time.monotonic()
        harness.pool.cancel()
    summary = finished.args[0]
    assert time.monotonic() - cancelled_at < 2.0
    assert summary["cancelled_run"] is True
    assert summary["done"] + summary["cancelled"] == 20 and summary["failed"] == 0
    # Cooperative: the workers finished their item and stayed up.
    assert {w: slot.process.pid for w, slot in harness.pool.slots.items()} == pids


def test_cancel_kills_a_worker_that_does_not_stop_within_the_grace_period(make_pool, qtbot) -> None:
    harness = make_pool(1, cancel_grace=1.0)
    harness.wait_for_hello(1)
    old_pid = harness.pool.slots["0"].process.pid
    with qtbot.waitSignal(harness.pool.finished, timeout=30_000) as finished:
        harness.pool.submit("diag", [{"id": "endless", "sleep": 60}])
        # Cancel once the item runs (a cancel that arrives first cancels it before it starts).
        qtbot.waitUntil(lambda: any(m["type"] == "progress" for _, m in harness.events))
        cancelled_at = time.monotonic()
        harness.pool.cancel()
    assert time.monotonic() - cancelled_at < 3.0
    assert finished.args[0]["cancelled"] == 1
    qtbot.waitUntil(lambda: not psutil.pid_exists(old_pid) or psutil.Process(old_pid).status() == "zombie")
    # It comes back warm for the next run, and a kill on request is not counted as a crash.
    qtbot.waitUntil(lambda: harness.pool.slots["0"].state == "idle", timeout=30_000)
    assert harness.pool.slots["0"].restarts == 0


def test_prints_from_python_and_c_do_not_break_the_stream(make_pool) -> None:
    harness = make_pool(1)
    summary = harness.run(
        "diag",
        [
            {"id": "noisy", "print": "print() from Python", "c_write": "printf() from C\n", "echo": "ok"},
            {"id": "after", "sleep": 0.05},
        ],
    )
    assert summary["done"] == 2 and harness.problems == []
    assert harness.results["noisy"]["echo"] == "ok"
    logged = [line for _, line in harness.logs]
    assert "print() from Python" in logged and "printf() from C" in logged


@pytest.mark.parametrize(
    ("mode", "reported"),
    [
        ("garbage", "line is not JSON: this is not json at all 测试"),
        ("half_line", "exited with code 5"),
        ("oversized", "exceeds the"),
        ("unknown_type", "unknown message type 'launch_missiles'"),
        ("bad_utf8", "line is not UTF-8"),
    ],
)
def test_a_worker_that_breaks_the_protocol_is_reported_and_the_run_goes_on(
    make_pool, worker_python: Path, mode: str, reported: str
) -> None:
    launches = [
        WorkerLaunch("good", worker_python, heartbeat_seconds=0.25),
        WorkerLaunch(
            "rogue", worker_python, heartbeat_seconds=0.25, arguments=("-I", str(ROGUE_WORKER), mode)
        ),
    ]
    harness = make_pool(launches=launches, max_restarts=1)
    harness.wait_for_hello(2)
    summary = harness.run("diag", [{"id": f"i{n}", "sleep": 0.05} for n in range(6)])
    assert summary["done"] == 6 and summary["failed"] == 0
    rogue_problems = [text for worker, text in harness.problems if worker == "rogue"]
    assert any(reported in text for text in rogue_problems), rogue_problems
    assert all(len(text) < 600 for text in rogue_problems)  # the offending text is truncated
    assert summary["workers"]["rogue"]["restarts"] >= 1


def test_a_protocol_version_mismatch_retires_the_worker_with_a_reason(make_pool, worker_python: Path) -> None:
    launches = [WorkerLaunch("old", worker_python, arguments=("-I", str(ROGUE_WORKER), "version"))]
    harness = make_pool(launches=launches)
    summary = harness.run("diag", [{"id": "a"}])
    assert summary["failed"] == 1 and harness.failed["a"][0] == "no_worker"
    assert summary["workers"]["old"]["state"] == "retired"
    assert summary["workers"]["old"]["restarts"] == 0  # restarting cannot fix a version mismatch
    assert any("speaks version 99" in text for _, text in harness.problems)


def test_a_missing_interpreter_is_one_clear_error(make_pool, tmp_path: Path) -> None:
    harness = make_pool(launches=[WorkerLaunch("0", tmp_path / "no such" / "python")], start=False)
    with pytest.raises(WorkerConfigError, match=r"Worker interpreter not found: .*no such"):
        harness.pool.start()


def test_an_interpreter_without_the_worker_program_is_retired_with_the_fix(make_pool) -> None:
    # The machine's own Python has no localclip_worker installed.
    harness = make_pool(launches=[WorkerLaunch("0", Path(sys.base_prefix) / "bin" / "python3")])
    summary = harness.run("diag", [{"id": "a"}])
    assert summary["workers"]["0"]["state"] == "retired"
    assert "pip install" in summary["workers"]["0"]["reason"]
    assert "worker_env" in summary["workers"]["0"]["reason"]


def test_shutdown_ends_every_worker_process(make_pool, qtbot) -> None:
    harness = make_pool(3)
    harness.wait_for_hello(3)
    pids = [slot.process.pid for slot in harness.pool.slots.values()]
    with qtbot.waitSignal(harness.pool.stopped, timeout=30_000):
        harness.pool.shutdown()
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
    byes = [m for _, m in harness.events if m["type"] == "bye"]
    assert len(byes) == 3


def test_a_result_too_large_for_the_protocol_fails_the_item_not_the_worker(make_pool) -> None:
    harness = make_pool(1)
    summary = harness.run(
        "diag", [{"id": "huge", "result_bytes": 2 * protocol.MAX_LINE_BYTES}, {"id": "next"}]
    )
    assert summary["done"] == 1 and harness.failed["huge"][0] == "exception"
    assert "line limit" in harness.failed["huge"][1]
    assert harness.problems == [] and summary["workers"]["0"]["restarts"] == 0


def test_a_job_cancelled_before_it_starts_loads_nothing(make_pool, qtbot) -> None:
    harness = make_pool(1)
    harness.wait_for_hello(1)
    with qtbot.waitSignal(harness.pool.finished, timeout=30_000) as finished:
        harness.pool.submit("probe", [{"id": "p"}])
        harness.pool.cancel()  # reaches the worker right behind the job
    assert finished.args[0]["cancelled"] == 1
    assert not [m for _, m in harness.events if m["type"] == "ready"]  # torch was never imported


DROP_AND_RESTART = """
import gc, sys
from PySide6.QtCore import QCoreApplication, QEventLoop
from localclip.core.paths import bundled_worker_python
from localclip.pool.pool import WorkerPool
from localclip.pool.launch import WorkerLaunch
app = QCoreApplication([])
for run in range(3):
    pool = WorkerPool([WorkerLaunch(str(n), bundled_worker_python()) for n in range(2)])
    loop = QEventLoop()
    pool.finished.connect(lambda summary: pool.shutdown())
    pool.stopped.connect(loop.quit)
    pool.start()
    pool.submit("diag", [{"id": str(n)} for n in range(20)])
    loop.exec()
    del pool, loop  # a stopped pool without a parent is dropped, then the next one runs
    gc.collect()
print("ok")
"""


def test_a_stopped_pool_can_be_dropped_and_another_started() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", DROP_AND_RESTART], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "ok"


def test_cancel_kills_the_whole_process_tree_of_a_stuck_worker(make_pool, qtbot) -> None:
    harness = make_pool(1, cancel_grace=0.5)
    harness.wait_for_hello(1)
    with qtbot.waitSignal(harness.pool.finished, timeout=30_000):
        harness.pool.submit("diag", [{"id": "stuck", "spawn_child": True, "sleep": 60}])
        qtbot.waitUntil(lambda: any(m.get("message", "").startswith("child") for _, m in harness.events))
        harness.pool.cancel()
    [note] = [m["message"] for _, m in harness.events if m.get("message", "").startswith("child")]
    child_pid = int(note.split()[1])
    qtbot.waitUntil(
        lambda: not psutil.pid_exists(child_pid) or psutil.Process(child_pid).status() == "zombie"
    )


def test_an_item_reported_under_the_wrong_job_is_ignored_not_lost(make_pool, worker_python: Path) -> None:
    launches = [WorkerLaunch("w", worker_python, arguments=("-I", str(ROGUE_WORKER), "wrong_job_id"))]
    harness = make_pool(launches=launches)
    summary = harness.run("diag", [{"id": "a"}, {"id": "b"}])
    assert summary["done"] == 2 and summary["failed"] == 0
    assert any("an item it was not given" in text for _, text in harness.problems)


def test_a_huge_failure_reason_is_cut_and_the_job_goes_on(make_pool) -> None:
    harness = make_pool(1)
    summary = harness.run(
        "diag", [{"id": "loud", "fail": "x", "repeat": 2 * protocol.MAX_LINE_BYTES}, {"id": "next"}]
    )
    assert summary["done"] == 1 and summary["failed"] == 1
    assert len(harness.failed["loud"][1]) < 5000


def test_a_huge_ping_nonce_does_not_kill_the_worker(make_pool, qtbot) -> None:
    harness = make_pool(1)
    harness.wait_for_hello(1)
    process = harness.pool.slots["0"].process
    process.send(protocol.make("ping", nonce="n" * (protocol.MAX_LINE_BYTES - 100)))
    summary = harness.run("diag", [{"id": "after"}])
    assert summary["done"] == 1 and summary["workers"]["0"]["restarts"] == 0


def test_an_item_too_large_to_send_fails_with_the_reason_and_the_run_finishes(make_pool) -> None:
    harness = make_pool(1)
    summary = harness.run("diag", [{"id": "big", "echo": "x" * protocol.MAX_LINE_BYTES}, {"id": "small"}])
    assert summary["done"] == 1 and harness.failed["big"][0] == "bad_input"
    assert "too large to send" in harness.failed["big"][1]


def test_a_job_too_large_for_one_line_is_sent_in_parts(make_pool) -> None:
    """64 items of 40 kB make a 2.6 MB job, over the 1 MiB line limit: the pool halves it until each part
    fits, and every item runs (a GPU embedding job of thousands of clips with long paths is such a job)."""
    harness = make_pool(1, items_per_job=64)
    items = [{"id": f"i{n}", "echo": f"{n}" + "x" * 40_000} for n in range(64)]
    summary = harness.run("diag", items, timeout=120)
    assert summary["done"] == 64 and summary["failed"] == 0, summary["failures"]
    assert summary["workers"]["0"]["done"] == 64  # in 3 jobs: 64 -> 32 -> 16 sent; the other 48 -> 24, 24


def test_a_run_can_choose_which_items_a_worker_gets(make_pool, qtbot) -> None:
    harness = make_pool(2, start=False)

    def by_parity(worker_id: str, pending) -> list:
        """Worker 0 takes even items, worker 1 odd ones, two at a time."""
        mine = [item for item in pending if int(item.item_id) % 2 == int(worker_id)]
        return mine[:2]

    harness.pool.picker = by_parity
    harness.pool.start()
    summary = harness.run("diag", [{"id": str(n), "sleep": 0.02} for n in range(12)])
    assert summary["done"] == 12
    assert all(int(item) % 2 == int(worker) for item, worker in harness.done.items())


def test_work_submitted_after_every_worker_retired_fails_at_once(make_pool, qtbot) -> None:
    harness = make_pool(launches=[WorkerLaunch("0", Path(sys.base_prefix) / "bin" / "python3")])
    qtbot.waitUntil(lambda: harness.pool.slots["0"].state == "retired", timeout=30_000)
    summary = harness.run("diag", [{"id": "late"}])
    assert summary["failed"] == 1 and harness.failed["late"][0] == "no_worker"
    assert "pip install" in harness.failed["late"][1]  # the retired worker's reason


@pytest.mark.parametrize(("workers", "per_job"), [(2, 4), (1, 1)])  # (1, 1): the run ends inside the report
def test_a_job_that_cannot_be_set_up_stops_the_run_once(
    make_pool, worker_python: Path, workers: int, per_job: int
) -> None:
    """40 items, a set-up every worker refuses: the run stops with the reason once, no item is failed for it
    (all still to do), and the workers stay up and run the next job."""
    harness = make_pool(launches=setup_failing_launches(worker_python, workers), items_per_job=per_job)
    harness.wait_for_hello(workers)
    pids = {w: slot.process.pid for w, slot in harness.pool.slots.items()}
    told: list[str] = []
    harness.pool.progress.connect(lambda finished, total: told.append(f"progress {finished}/{total}"))
    harness.pool.finished.connect(lambda summary: told.append("finished"))
    items = [{"id": f"i{n}", "sleep": 0.05} for n in range(40)]
    summary = harness.run("diag", items, {"refuse": "model folder M does not fit 模型"})
    assert summary["setup_error"] == "could not start diag: model folder M does not fit 模型"
    assert summary["failed"] == 0 and summary["done"] == 0 and summary["cancelled"] == 40
    assert summary["failures"] == [] and harness.failed == {} and not summary["cancelled_run"]
    assert told[-1] == "finished" and told.count("finished") == 1  # no progress after the end
    assert all(worker["restarts"] == 0 for worker in summary["workers"].values())
    assert not any("Traceback" in line for _, line in harness.logs)  # a SetupError says why by itself

    fixed = harness.run("diag", items)  # the same workers set the job up again, and it works
    assert fixed["done"] == 40 and not fixed["setup_error"]
    assert {w: slot.process.pid for w, slot in harness.pool.slots.items()} == pids
