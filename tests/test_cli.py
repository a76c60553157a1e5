"""The `localclip` command, run as a real subprocess (a bare QCoreApplication)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from localclip.core.paths import venv_python


def localclip(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "localclip", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=env or os.environ.copy(),
    )


def events_of(completed: subprocess.CompletedProcess) -> list[dict[str, Any]]:
    return [json.loads(line) for line in completed.stdout.splitlines()]  # every stdout line is JSON


def test_gpus_prints_the_plan_honestly_without_a_gpu() -> None:
    completed = localclip("gpus")
    assert completed.returncode == 0
    assert "No NVIDIA GPU found: running on CPU" in completed.stdout
    data = json.loads(localclip("gpus", "--json").stdout)
    assert data["gpus"]["gpus"] == [] and data["plan"]["device"] == "cpu"


def test_the_command_line_starts_without_heavy_imports() -> None:
    # Every command builds the whole parser first: what it imports, every command waits for (scipy through
    # pyloudnorm was two seconds of it). Those packages are imported where they are used.
    program = (
        "import sys; from localclip import cli; cli.build_parser(); "
        "print(sorted({name.split('.')[0] for name in sys.modules} & "
        "{'torch', 'scipy', 'pyloudnorm', 'distributed', 'dask', 'rapidfuzz'}))"
    )
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def test_probe_events_jsonl_follows_the_whole_run() -> None:
    completed = localclip("probe", "--device", "cpu", "--workers", "2", "--events", "jsonl")
    assert completed.returncode == 0, completed.stderr
    events = events_of(completed)
    kinds = [event["event"] for event in events]
    assert kinds[0] == "plan" and kinds[-1] == "stopped"
    hellos = [e for e in events if e["event"] == "worker_event" and e["message"]["type"] == "hello"]
    assert sorted(e["worker"] for e in hellos) == ["0", "1"]
    done = [e for e in events if e["event"] == "item_done"]
    assert sorted(e["item"] for e in done) == ["probe-0", "probe-1"]  # one answer from every worker
    assert all(e["result"]["torch"].startswith("2.8.0") for e in done)
    [finished] = [e for e in events if e["event"] == "finished"]
    assert finished["summary"]["done"] == 2 and finished["summary"]["failed"] == 0
    assert kinds.index("finished") < kinds.index("stopped")
    assert [e["finished"] for e in events if e["event"] == "progress"] == [1, 2]


def test_probe_prints_a_readable_answer_per_worker() -> None:
    completed = localclip("probe", "--device", "cpu")
    assert completed.returncode == 0, completed.stderr
    assert "worker 0 (CPU): Python 3." in completed.stdout and "torch 2.8.0" in completed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("probe", "--worker-python", "/no/such/python"), "Worker interpreter not found: /no/such/python"),
        (("probe", "--device", "cuda"), "no GPU can take a worker"),
        (("gpus", "--memory-per-worker", "0"), "localclip:"),
    ],
)
def test_bad_setup_is_one_clear_line_and_exit_code_2(args: tuple[str, ...], message: str) -> None:
    completed = localclip(*args, timeout=60)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def site_packages_of(python: Path) -> str:
    program = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return subprocess.run(
        [str(python), "-c", program], capture_output=True, text=True, check=True
    ).stdout.strip()


def make_worker_interpreter_in(folder: Path, worker_python: Path) -> Path:
    """A real interpreter under ``folder`` that sees the worker environment's packages."""
    venv.EnvBuilder(with_pip=False).create(folder)
    python = venv_python(folder)
    # An "import" line in a .pth file runs at start-up; addsitedir also reads the .pth files there.
    pth = f"import site; site.addsitedir({site_packages_of(worker_python)!r})\n"
    (Path(site_packages_of(python)) / "worker_env.pth").write_text(pth)
    return python


def test_non_ascii_paths_with_spaces_work_everywhere(tmp_path: Path, worker_python: Path) -> None:
    base = tmp_path / "测试 数据"
    python = make_worker_interpreter_in(base / "worker env", worker_python)
    env = {**os.environ, "LOCALCLIP_CONFIG_DIR": str(base / "设置")}
    completed = localclip("probe", "--worker-python", str(python), "--events", "jsonl", env=env)
    assert completed.returncode == 0, completed.stderr
    [done] = [e for e in events_of(completed) if e["event"] == "item_done"]
    assert done["result"]["executable"] == str(python)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_cancels_the_run_and_leaves_no_worker_behind() -> None:
    import signal

    import psutil

    process = subprocess.Popen(
        [sys.executable, "-m", "localclip", "probe", "--device", "cpu", "--events", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    first = json.loads(process.stdout.readline())  # the plan: the pool is about to start
    assert first["event"] == "plan"
    # Ctrl+C once the worker has said hello: that event comes through the running event loop (Ctrl+C is
    # handled by then) and the worker still has torch to import before its probe (a second here). A fixed
    # wait after the plan raced with the whole probe on a fast machine.
    seen = [first]
    while not (seen[-1]["event"] == "worker_event" and seen[-1]["message"].get("type") == "hello"):
        seen.append(json.loads(process.stdout.readline()))
        assert seen[-1]["event"] != "item_done", seen
    workers = psutil.Process(process.pid).children(recursive=True)
    assert workers, "the worker should be running"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    events = seen[1:] + [json.loads(line) for line in stdout.splitlines()]
    [finished] = [e for e in events if e["event"] == "finished"]
    assert finished["summary"]["cancelled_run"] is True
    assert events[-1]["event"] == "stopped"
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
