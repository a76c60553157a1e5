"""bench/gpu_check.py, the GPU measurement, rehearsed on the CPU: every phase end to end under the worker
interpreter (which has no PySide6, so this also shows the script and all it imports are Qt-free), a rerun
of one phase keeping the others' results, the app settings it restates without Qt, and its NVML sampler
against a stand-in for pynvml (the rehearsal machine has no NVIDIA driver)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from gpu_phases import sampler, workers  # noqa: E402 - bench/ is not a package

PHASES = [
    "facts",
    "embed_correct",
    "embed_oom",
    "embed_precision",
    "embed_throughput",
    "clone_correct",
    "clone_batched",
    "clone_throughput",
    "clone_profile",
]
GOOD = ("ok", "not_applicable")


def gpu_check(worker_python: Path, work: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [str(worker_python), str(BENCH / "gpu_check.py"), "--device", "cpu", "--quick"]
    command += ["--work", str(work), "--out", str(out), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=280, check=False)


@pytest.mark.slow
def test_rehearsal_runs_every_phase_qt_free_and_reruns_one(worker_python: Path, tmp_path: Path) -> None:
    no_qt = subprocess.run([str(worker_python), "-c", "import PySide6"], capture_output=True, check=False)
    assert no_qt.returncode != 0, "the worker environment has PySide6: this test would not show Qt-freeness"
    work, out = tmp_path / "work", tmp_path / "gpu_check.json"

    done = gpu_check(worker_python, work, out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    record = json.loads(out.read_text(encoding="utf-8"))
    assert list(record["phases"]) == PHASES
    problems = {
        name: (entry["status"], entry["result"].get("errors"), entry.get("log_tail", "")[-1500:])
        for name, entry in record["phases"].items()
        if entry["status"] not in GOOD
    }
    assert not problems, problems
    assert record["machine"]["packages"]["torch"] and record["command"].startswith(
        "python bench/gpu_check.py"
    )
    assert record["nvml"]["available"] is False and record["nvml"]["problem"]
    assert "phase" in done.stdout and "embed_throughput" in done.stdout  # the summary table
    snakes = record["phases"]["clone_batched"]["result"]["codec_snakes"]  # the same bits on the CPU
    assert snakes["scripted_modules"] == snakes["in_place_modules"] > 0 and snakes["max_abs_difference"] == 0
    first_facts = record["phases"]["facts"]["started"]
    kept = {name: record["phases"][name] for name in PHASES[1:]}

    again = gpu_check(worker_python, work, out, "--only", "facts")
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    rerun = json.loads(out.read_text(encoding="utf-8"))
    assert rerun["phases"]["facts"]["status"] == "ok"
    assert rerun["phases"]["facts"]["started"] > first_facts
    assert {name: rerun["phases"][name] for name in PHASES[1:]} == kept
    assert [run["phases"] for run in rerun["runs"]] == [PHASES, ["facts"]]


# -- the app's settings, restated without Qt ----------------------------------------------------------------


def test_restated_settings_match_the_apps(tmp_path: Path) -> None:
    from localclip.core.kinds import JobKind
    from localclip.core.machine.plan import WorkerThreads
    from localclip.pool.launch import WorkerLaunch
    from localclip.runs import setup
    from localclip.runs.embed import EmbedOptions
    from localclip.settings import Settings

    settings = Settings(tmp_path / "localclip.ini")
    apps = JobKind.EMBED.plan_settings(settings, cores=4)
    assert workers.embed_plan_settings(apps.cpu_workers) == apps
    assert workers.clone_plan_settings() == JobKind.CLONE.plan_settings(settings)
    options = EmbedOptions()
    assert (options.batch_size, options.clips_per_job, options.io_threads) == (
        workers.EMBED_BATCH_SIZE,
        workers.EMBED_CLIPS_PER_JOB,
        workers.EMBED_IO_THREADS,
    )
    for pending, count in ((40, 1), (40, 2), (5000, 3), (100_000, 1), (100_000, 4)):
        assert workers.embed_clips_per_job("cpu", pending, count) == setup.cpu_clips_per_job(
            pending, count, options.clips_per_job
        )
        assert workers.embed_clips_per_job("cuda", pending, count) == setup.gpu_clips_per_job(pending, count)
    threads = WorkerThreads(4, 2, 3)
    [launch] = setup.with_threads([WorkerLaunch("0", Path(sys.executable))], threads)
    assert workers.thread_env(threads) == launch.extra_env


# -- the NVML sampler ---------------------------------------------------------------------------------------


def fake_pynvml(util: int, used: int, processes: dict[int, int]) -> types.ModuleType:
    """The few pynvml calls the sampler makes, answering fixed figures for one GPU."""
    nvml = types.ModuleType("pynvml")

    class NVMLError(Exception):
        pass

    def memory(handle: Any) -> Any:
        return types.SimpleNamespace(total=140 * 2**30, used=used, free=140 * 2**30 - used)

    def running(handle: Any) -> list[Any]:
        return [types.SimpleNamespace(pid=pid, usedGpuMemory=size) for pid, size in processes.items()]

    nvml.NVMLError = NVMLError  # type: ignore[attr-defined]
    nvml.nvmlInit = lambda: None  # type: ignore[attr-defined]
    nvml.nvmlShutdown = lambda: None  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetCount = lambda: 1  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetHandleByIndex = lambda index: index  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetName = lambda handle: b"NVIDIA H200"  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetMemoryInfo = memory  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetUtilizationRates = lambda handle: types.SimpleNamespace(gpu=util)  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetComputeRunningProcesses = running  # type: ignore[attr-defined]
    return nvml


def test_sampler_summarises_use_and_memory_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(40, 3 * 2**30, {11: 2**30, 12: 2 * 2**30}))
    gpu = sampler.NvmlSampler(interval=0.01).start()
    assert gpu.available and gpu.devices == [{"index": 0, "name": "NVIDIA H200", "total_gb": 140.0}]
    deadline = time.monotonic() + 10
    while len(gpu.samples) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    gpu.stop()
    started = gpu.samples[0].t
    summary = gpu.summary(started, gpu.samples[-1].t, {"worker 0": 11, "worker 1": 99})
    assert summary["samples"] == len(gpu.samples)
    assert (summary["util_mean"], summary["util_max"], summary["memory_used_max_gb"]) == (40.0, 40, 3.0)
    assert summary["per_pid_max_gb"] == {"11": 1.0, "12": 2.0}
    assert summary["named_max_gb"] == {"worker 0": 1.0, "worker 1": None}
    assert summary["named_found"] == "1 of 2"
    assert gpu.timeline(started)[0][1:] == [40.0, 3.0]


def test_sampler_without_nvml_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)  # import fails
    gpu = sampler.NvmlSampler().start()
    gpu.stop()
    assert not gpu.available and "NVML not available" in gpu.problem
    assert gpu.summary(0, 1) == {"nvml": False, "reason": gpu.problem}
    assert gpu.timeline(0) == []


# -- the parent's control of its children -------------------------------------------------------------------


def test_a_phase_that_overruns_is_stopped_with_everything_it_started(tmp_path: Path) -> None:
    import gpu_check
    import psutil

    ready = tmp_path / "ready"
    script = (
        "import pathlib, subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchildren = psutil.Process(child.pid).children(recursive=True)
    assert grandchildren
    gpu_check.stop_processes([child])
    assert child.poll() is not None
    _, alive = psutil.wait_procs(grandchildren, timeout=5)
    assert not alive


def test_status_of_a_phase() -> None:
    import gpu_check

    assert gpu_check.status_of(None, {}) == "timeout"
    assert gpu_check.status_of(1, {}) == "error (exit 1)"
    assert gpu_check.status_of(0, {"errors": {"step": {}}}) == "partial"
    assert gpu_check.status_of(0, {"not_applicable": "why"}) == "not_applicable"
    assert gpu_check.status_of(0, {}) == "ok"
    with pytest.raises(SystemExit, match="unknown phase"):
        gpu_check.selected("facts,bogus")
    assert [phase.name for phase in gpu_check.selected("clone_profile, facts")] == ["facts", "clone_profile"]
