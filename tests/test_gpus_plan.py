"""GPU detection and worker planning, run against recorded NVML readings through a stand-in for pynvml."""

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from localclip.core.kinds import CLONE_CPU_WORKER_MEMORY_GB, JobKind
from localclip.core.machine.gpus import NO_PYNVML_PROBLEM, GpuInfo, GpuReport, probe_gpus
from localclip.core.machine.plan import (
    GIB,
    NoUsableGpu,
    PlanSettings,
    WorkerPlan,
    plan_workers,
    worker_threads,
)
from localclip.core.options import Defaults
from localclip.runs.embed import EmbedOptions
from localclip.runs.setup import cpu_clips_per_job, embed_launches, gpu_clips_per_job

RECORDINGS = Path(__file__).parent / "data" / "nvml"
DEFAULTS = PlanSettings()
NO_DRIVER_PROBLEM = "No usable NVIDIA driver found (NVML could not start: Driver Not Loaded)."


class FakeNvmlError(Exception):
    """Stands in for pynvml.NVMLError; str() is NVML's own message, as with the real one."""


@dataclass(frozen=True)
class FakeHandle:
    """Opaque like a real device handle, so code that passes an index instead fails."""

    index: int


class FakeNvml:
    """The few pynvml functions probe_gpus uses, answering from a recorded reading.

    A device with an "error" entry fails every query with that message; a null "utilization_gpu"
    answers "Not Supported", as NVML does on GPUs that cannot report it.
    """

    NVMLError = FakeNvmlError

    def __init__(
        self,
        recording: dict[str, Any],
        *,
        init_error: str | None = None,
        shutdown_error: str | None = None,
        as_bytes: bool = False,
    ) -> None:
        self.recording = recording
        self.init_error = init_error
        self.shutdown_error = shutdown_error
        self.as_bytes = as_bytes  # older pynvml returns bytes for names, uuids and bus ids
        self.initialized = False
        self.shutdown_calls = 0

    def nvmlInit(self) -> None:
        if self.init_error:
            raise FakeNvmlError(self.init_error)
        self.initialized = True

    def nvmlShutdown(self) -> None:
        self._require_init()
        self.initialized = False
        self.shutdown_calls += 1
        if self.shutdown_error:
            raise FakeNvmlError(self.shutdown_error)

    def nvmlSystemGetDriverVersion(self) -> str | bytes:
        self._require_init()
        return self._text(self.recording["driver_version"])

    def nvmlSystemGetCudaDriverVersion(self) -> int:
        self._require_init()
        return self.recording["cuda_driver_version"]

    def nvmlDeviceGetCount(self) -> int:
        self._require_init()
        return len(self.recording["devices"])

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeHandle:
        self._require_init()
        if not 0 <= index < len(self.recording["devices"]):
            raise FakeNvmlError("Invalid Argument")
        return FakeHandle(index)

    def nvmlDeviceGetName(self, handle: FakeHandle) -> str | bytes:
        return self._text(self._device(handle)["name"])

    def nvmlDeviceGetUUID(self, handle: FakeHandle) -> str | bytes:
        return self._text(self._device(handle)["uuid"])

    def nvmlDeviceGetPciInfo(self, handle: FakeHandle) -> SimpleNamespace:
        return SimpleNamespace(busId=self._text(self._device(handle)["pci_bus_id"]))

    def nvmlDeviceGetMemoryInfo(self, handle: FakeHandle) -> SimpleNamespace:
        return SimpleNamespace(**self._device(handle)["memory"])

    def nvmlDeviceGetUtilizationRates(self, handle: FakeHandle) -> SimpleNamespace:
        percent = self._device(handle)["utilization_gpu"]
        if percent is None:
            raise FakeNvmlError("Not Supported")
        return SimpleNamespace(gpu=percent, memory=0)

    def _device(self, handle: FakeHandle) -> dict[str, Any]:
        self._require_init()
        assert isinstance(handle, FakeHandle), "pass the handle, not the index"
        device = self.recording["devices"][handle.index]
        if "error" in device:
            raise FakeNvmlError(device["error"])
        return device

    def _text(self, value: str) -> str | bytes:
        return value.encode() if self.as_bytes else value

    def _require_init(self) -> None:
        if not self.initialized:
            raise FakeNvmlError("Uninitialized")


def load_recording(name: str) -> dict[str, Any]:
    return json.loads((RECORDINGS / name).read_text(encoding="utf-8"))


def probe_recording(name: str) -> GpuReport:
    return probe_gpus(FakeNvml(load_recording(name)))


def workers_per_gpu(plan: WorkerPlan) -> dict[int | None, int]:
    return dict(Counter(slot.gpu_index for slot in plan.slots))


def synthetic_gpu(index: int, total_gb: float, free_gb: float, name: str = "Test GPU") -> GpuInfo:
    total, free = int(total_gb * GIB), int(free_gb * GIB)
    return GpuInfo(index, f"GPU-test-{index}", name, f"00000000:0{index}:00.0", total, free, total - free, 0)


# --- probe_gpus ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "driver_version", "cuda_driver_version"),
    [
        ("one_gpu_4090.json", "550.54.15", "12.4"),
        ("two_gpus_mixed.json", "550.67", "12.4"),
        ("four_gpus_mixed.json", "535.161.08", "12.2"),
    ],
)
def test_probe_gives_the_recorded_values(name: str, driver_version: str, cuda_driver_version: str) -> None:
    recording = load_recording(name)
    report = probe_gpus(FakeNvml(recording))
    expected = tuple(
        GpuInfo(
            index=index,
            uuid=device["uuid"],
            name=device["name"],
            pci_bus_id=device["pci_bus_id"],
            total_bytes=device["memory"]["total"],
            free_bytes=device["memory"]["free"],
            used_bytes=device["memory"]["used"],
            utilization_percent=device["utilization_gpu"],
        )
        for index, device in enumerate(recording["devices"])
    )
    assert report == GpuReport(expected, driver_version, cuda_driver_version, problem=None)


def test_probe_decodes_bytes_from_older_pynvml() -> None:
    recording = load_recording("two_gpus_mixed.json")
    assert probe_gpus(FakeNvml(recording, as_bytes=True)) == probe_gpus(FakeNvml(recording))


def test_probe_shuts_nvml_down() -> None:
    nvml = FakeNvml(load_recording("one_gpu_4090.json"))
    probe_gpus(nvml)
    assert nvml.shutdown_calls == 1
    assert not nvml.initialized


def test_a_failing_shutdown_keeps_the_report() -> None:
    nvml = FakeNvml(load_recording("one_gpu_4090.json"), shutdown_error="Unknown Error")
    assert len(probe_gpus(nvml).gpus) == 1


@pytest.mark.parametrize("message", ["Driver Not Loaded", "NVML Shared Library Not Found"])
def test_no_driver_gives_an_empty_report_and_a_cpu_plan(message: str) -> None:
    nvml = FakeNvml(load_recording("one_gpu_4090.json"), init_error=message)
    report = probe_gpus(nvml)
    assert report == GpuReport(
        (), None, None, f"No usable NVIDIA driver found (NVML could not start: {message})."
    )
    assert nvml.shutdown_calls == 0  # nothing to shut down after a failed init
    plan = plan_workers(report, DEFAULTS)
    assert plan.device == "cpu"
    assert [slot.device for slot in plan.slots] == ["cpu"]
    assert plan.explanation == (report.problem, "No NVIDIA GPU found: running on CPU", "CPU: 1 worker")


def test_probe_without_pynvml_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes `import pynvml` raise ImportError
    report = probe_gpus()
    assert report == GpuReport((), None, None, NO_PYNVML_PROBLEM)
    assert plan_workers(report, DEFAULTS).device == "cpu"


def test_zero_devices() -> None:
    recording = load_recording("one_gpu_4090.json")
    recording["devices"] = []
    report = probe_gpus(FakeNvml(recording))
    assert report == GpuReport((), "550.54.15", "12.4", problem=None)
    plan = plan_workers(report, DEFAULTS)
    assert plan.device == "cpu"
    assert plan.explanation == ("No NVIDIA GPU found: running on CPU", "CPU: 1 worker")


def test_an_unreadable_gpu_is_left_out_and_mentioned() -> None:
    recording = load_recording("four_gpus_mixed.json")
    recording["devices"][1]["error"] = "GPU is lost"
    nvml = FakeNvml(recording)
    report = probe_gpus(nvml)
    assert [gpu.index for gpu in report.gpus] == [0, 2, 3]
    assert report.problem == "GPU 1 could not be read and was left out (GPU is lost)."
    assert nvml.shutdown_calls == 1
    plan = plan_workers(report, DEFAULTS)
    assert workers_per_gpu(plan) == {0: 8, 2: 2}
    assert report.problem in plan.explanation


def test_unsupported_utilization_reads_as_none() -> None:
    recording = load_recording("two_gpus_mixed.json")
    recording["devices"][1]["utilization_gpu"] = None
    report = probe_gpus(FakeNvml(recording))
    assert [gpu.utilization_percent for gpu in report.gpus] == [37, None]
    assert report.problem is None


def test_reports_and_plans_are_json_ready() -> None:
    report = probe_recording("two_gpus_mixed.json")
    report_data = json.loads(json.dumps(report.to_dict()))
    assert report_data["gpus"][1]["name"] == "NVIDIA GeForce RTX 3060"
    assert report_data["cuda_driver_version"] == "12.4"
    plan_data = json.loads(json.dumps(plan_workers(report, DEFAULTS).to_dict()))
    assert plan_data["device"] == "cuda"
    assert plan_data["slots"][0] == {
        "worker_id": "0",
        "device": "cuda",
        "gpu_index": 0,
        "gpu_uuid": "GPU-a1b2c3d4-1111-4a2b-8c3d-0e1f2a3b4c5d",
        "gpu_name": "NVIDIA GeForce RTX 4090",
    }
    assert len(plan_data["explanation"]) == 2


# --- plan_workers: arithmetic -------------------------------------------------------------------------


def test_the_4090_plan() -> None:
    plan = plan_workers(probe_recording("one_gpu_4090.json"), DEFAULTS)
    assert plan.explanation == ("GPU 0 NVIDIA GeForce RTX 4090 24.0 GB: 21.6 GB usable -> 2 workers",)
    assert plan.device == "cuda"
    assert [(slot.worker_id, slot.gpu_index) for slot in plan.slots] == [("0", 0), ("1", 0)]
    assert {slot.gpu_uuid for slot in plan.slots} == {"GPU-5f6d2c1e-8a3b-4e27-9c41-0b7e2a9d3f18"}


def test_cloning_plans_one_worker_per_gpu_that_batches_its_lines(tmp_path: Path) -> None:
    from localclip.core.kinds import JobKind
    from localclip.settings import Settings

    settings = JobKind.CLONE.plan_settings(Settings(tmp_path / "localclip.ini"))
    plan = plan_workers(probe_recording("four_gpus_mixed.json"), settings)
    assert workers_per_gpu(plan) == {0: 1, 1: 1, 2: 1}  # the A100s no longer get 8 model copies each
    assert "-> 1 worker" in plan.explanation[0]


@pytest.mark.parametrize(
    ("name", "expected_workers", "expected_explanation"),
    [
        (
            "two_gpus_mixed.json",
            {0: 1, 1: 1},
            (
                "GPU 0 NVIDIA GeForce RTX 4090 24.0 GB: 15.3 GB usable -> 1 worker",
                "GPU 1 NVIDIA GeForce RTX 3060 12.0 GB: 10.6 GB usable -> 1 worker",
            ),
        ),
        (
            "four_gpus_mixed.json",
            {0: 8, 1: 8, 2: 2},
            (
                "GPU 0 NVIDIA A100 80GB PCIe 80.0 GB: 71.4 GB usable -> 8 workers",
                "GPU 1 NVIDIA A100 80GB PCIe 80.0 GB: 70.2 GB usable -> 8 workers",
                "GPU 2 NVIDIA L4 22.5 GB: 19.8 GB usable -> 2 workers",
                # The T4 has less free than the reserve, so nothing is usable.
                "GPU 3 Tesla T4 15.0 GB: 0.0 GB usable -> 0 workers (needs 8.0 GB per worker)",
            ),
        ),
    ],
)
def test_multi_gpu_plans(
    name: str, expected_workers: dict[int, int], expected_explanation: tuple[str, ...]
) -> None:
    plan = plan_workers(probe_recording(name), DEFAULTS)
    assert workers_per_gpu(plan) == expected_workers
    assert plan.explanation == expected_explanation
    assert [slot.worker_id for slot in plan.slots] == [str(number) for number in range(len(plan.slots))]
    gpu_order = [slot.gpu_index for slot in plan.slots]
    assert gpu_order == sorted(gpu_order)  # GPU by GPU


@pytest.mark.parametrize(
    ("memory_per_worker_gb", "reserve_fraction", "expected_workers"),
    [
        (8.0, 0.10, 2),  # 21.6 GB usable
        (12.0, 0.10, 1),
        (10.0, 0.0, 2),  # 23.98 GB usable with no reserve
        (4.0, 0.0, 5),
        (7.0, 0.5, 1),  # 11.98 GB usable
    ],
)
def test_settings_change_the_4090_count(
    memory_per_worker_gb: float, reserve_fraction: float, expected_workers: int
) -> None:
    settings = PlanSettings(memory_per_worker_gb=memory_per_worker_gb, reserve_fraction=reserve_fraction)
    plan = plan_workers(probe_recording("one_gpu_4090.json"), settings)
    assert len(plan.slots) == expected_workers


def test_a_gpu_with_too_little_usable_memory_says_what_it_needs() -> None:
    report = GpuReport((synthetic_gpu(0, total_gb=8.0, free_gb=7.0, name="Small GPU"),), None, None, None)
    plan = plan_workers(report, PlanSettings(memory_per_worker_gb=7.25))
    assert (
        plan.explanation[0] == "GPU 0 Small GPU 8.0 GB: 6.2 GB usable -> 0 workers (needs 7.25 GB per worker)"
    )


# --- plan_workers: caps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_workers", "work_items", "expected_workers", "cap_line"),
    [
        (2, None, {0: 1, 1: 1}, "capped at 2 workers by the maximum setting"),
        (None, 3, {0: 2, 1: 1}, "capped at 3 workers: only 3 items of work"),
        (5, None, {0: 3, 1: 2}, "capped at 5 workers by the maximum setting"),
        (None, 17, {0: 8, 1: 8, 2: 1}, "capped at 17 workers: only 17 items of work"),
        (4, 2, {0: 1, 1: 1}, "capped at 2 workers: only 2 items of work"),
        (2, 4, {0: 1, 1: 1}, "capped at 2 workers by the maximum setting"),
        (None, 1, {0: 1}, "capped at 1 worker: only 1 item of work"),
        (1, None, {0: 1}, "capped at 1 worker by the maximum setting"),
        (None, 18, {0: 8, 1: 8, 2: 2}, None),  # exactly enough work: nothing capped
        (100, 1000, {0: 8, 1: 8, 2: 2}, None),
    ],
)
def test_caps_spread_the_kept_workers(
    max_workers: int | None, work_items: int | None, expected_workers: dict[int, int], cap_line: str | None
) -> None:
    report = probe_recording("four_gpus_mixed.json")
    plan = plan_workers(report, PlanSettings(max_workers=max_workers), work_items=work_items)
    assert workers_per_gpu(plan) == expected_workers
    assert plan.explanation[:4] == plan_workers(report, DEFAULTS).explanation  # GPU lines are unchanged
    assert plan.explanation[4:] == ((cap_line,) if cap_line else ())
    assert [slot.worker_id for slot in plan.slots] == [str(number) for number in range(len(plan.slots))]


def test_two_workers_on_two_four_worker_gpus_become_one_each() -> None:
    gpus = (synthetic_gpu(0, total_gb=40.0, free_gb=40.0), synthetic_gpu(1, total_gb=40.0, free_gb=40.0))
    report = GpuReport(gpus, None, None, None)
    assert workers_per_gpu(plan_workers(report, DEFAULTS)) == {0: 4, 1: 4}
    assert workers_per_gpu(plan_workers(report, PlanSettings(max_workers=2))) == {0: 1, 1: 1}


def test_no_work_gives_no_workers_but_keeps_the_device() -> None:
    plan = plan_workers(probe_recording("one_gpu_4090.json"), DEFAULTS, work_items=0)
    assert plan.slots == ()
    assert plan.device == "cuda"
    assert plan.explanation[-1] == "capped at 0 workers: no work to do"


# --- plan_workers: devices ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "work_items", "expected_count", "expected_explanation"),
    [
        (PlanSettings(), None, 1, ("CPU: 1 worker (device set to cpu)",)),
        (PlanSettings(cpu_workers=4), None, 4, ("CPU: 4 workers (device set to cpu)",)),
        (
            PlanSettings(cpu_workers=4),
            2,
            2,
            ("CPU: 4 workers (device set to cpu)", "capped at 2 workers: only 2 items of work"),
        ),
        (
            PlanSettings(cpu_workers=4, max_workers=3),
            None,
            3,
            ("CPU: 4 workers (device set to cpu)", "capped at 3 workers by the maximum setting"),
        ),
    ],
)
def test_device_cpu_ignores_the_gpus(
    settings: PlanSettings, work_items: int | None, expected_count: int, expected_explanation: tuple[str, ...]
) -> None:
    plan = plan_workers(probe_recording("four_gpus_mixed.json"), settings, work_items, device="cpu")
    assert plan.device == "cpu"
    assert all(slot.device == "cpu" and slot.gpu_index is None for slot in plan.slots)
    assert [slot.worker_id for slot in plan.slots] == [str(number) for number in range(expected_count)]
    assert plan.explanation == expected_explanation


@pytest.mark.parametrize(("free_gb", "expected"), [(13.0, 2), (4.0, 1), (40.0, 4)])
def test_cpu_workers_are_capped_by_the_memory_their_model_copies_need(free_gb: float, expected: int) -> None:
    # A CPU cloning worker holds its model in RAM: more than fit would meet the out-of-memory killer.
    settings = PlanSettings(cpu_workers=4, cpu_worker_memory_gb=6.0, free_memory_gb=free_gb)
    plan = plan_workers(probe_recording("four_gpus_mixed.json"), settings, device="cpu")
    assert len(plan.slots) == expected
    if expected < 4:
        assert plan.explanation[-1].key == "plan.capped_by_memory"
        assert str(plan.explanation[-1]).startswith(f"capped at {expected} worker")
    else:
        assert len(plan.explanation) == 1


def test_the_clone_plan_knows_the_free_memory_and_a_cpu_worker_s_need() -> None:
    settings = JobKind.CLONE.plan_settings(Defaults())
    assert settings.cpu_worker_memory_gb == CLONE_CPU_WORKER_MEMORY_GB
    assert settings.free_memory_gb is not None and settings.free_memory_gb > 0


def test_auto_falls_back_to_cpu_when_no_gpu_has_room() -> None:
    settings = PlanSettings(memory_per_worker_gb=80.0, cpu_workers=2)
    plan = plan_workers(probe_recording("four_gpus_mixed.json"), settings)
    assert plan.device == "cpu"
    assert len(plan.slots) == 2
    assert plan.explanation[0].endswith("71.4 GB usable -> 0 workers (needs 80.0 GB per worker)")
    assert plan.explanation[4:] == ("No GPU has 80.0 GB free for a worker: running on CPU", "CPU: 2 workers")


def test_device_cuda_uses_the_gpus() -> None:
    report = probe_recording("two_gpus_mixed.json")
    assert plan_workers(report, DEFAULTS, device="cuda") == plan_workers(report, DEFAULTS)


@pytest.mark.parametrize(
    ("report", "settings", "expected_in_message"),
    [
        (GpuReport((), None, None, None), DEFAULTS, "No NVIDIA GPU found"),
        (
            GpuReport((), None, None, NO_DRIVER_PROBLEM),
            DEFAULTS,
            "Driver Not Loaded",
        ),
        (
            GpuReport((synthetic_gpu(0, total_gb=16.0, free_gb=4.0),), None, None, None),
            DEFAULTS,
            "GPU 0 Test GPU 16.0 GB: 2.4 GB usable -> 0 workers (needs 8.0 GB per worker)",
        ),
    ],
)
def test_device_cuda_without_a_usable_gpu_raises(
    report: GpuReport, settings: PlanSettings, expected_in_message: str
) -> None:
    with pytest.raises(NoUsableGpu, match="device is set to cuda") as raised:
        plan_workers(report, settings, device="cuda")
    assert expected_in_message in str(raised.value)
    assert isinstance(raised.value, ValueError)


# --- validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"memory_per_worker_gb": 0.0}, "Memory per worker"),
        ({"memory_per_worker_gb": -8.0}, "Memory per worker"),
        ({"memory_per_worker_gb": float("nan")}, "Memory per worker"),
        ({"memory_per_worker_gb": float("inf")}, "Memory per worker"),
        ({"reserve_fraction": -0.1}, "reserved share"),
        ({"reserve_fraction": 1.0}, "reserved share"),
        ({"max_workers": 0}, "maximum number of workers"),
        ({"cpu_workers": 0}, "CPU workers"),
    ],
)
def test_invalid_settings_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PlanSettings(**fields)


@pytest.mark.parametrize(
    ("work_items", "device", "message"),
    [(None, "gpu", "device must be one of auto, cuda, cpu"), (-1, "auto", "work items cannot be negative")],
)
def test_invalid_requests_are_refused(work_items: int | None, device: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_workers(GpuReport((), None, None, None), DEFAULTS, work_items, device)


def test_recordings_are_consistent() -> None:
    for path in sorted(RECORDINGS.glob("*.json")):
        recording = json.loads(path.read_text(encoding="utf-8"))
        for device in recording["devices"]:
            memory = device["memory"]
            assert memory["free"] + memory["used"] == memory["total"], path.name
            assert device["uuid"].startswith("GPU-"), path.name


def test_a_per_gpu_maximum_keeps_one_batching_worker_per_gpu() -> None:
    report = probe_gpus(FakeNvml(load_recording("four_gpus_mixed.json")))
    plan = plan_workers(report, PlanSettings(memory_per_worker_gb=2.0, max_workers_per_gpu=1))
    assert [slot.gpu_index for slot in plan.slots] == [0, 1, 2, 3][: len(plan.slots)]
    assert len({slot.gpu_uuid for slot in plan.slots}) == len(plan.slots)
    assert any("(at most 1 per GPU for this job)" in line for line in plan.explanation)


@pytest.mark.parametrize(
    ("measured_gb", "expected"),
    [(5.0, 4), (8.0, 2), (11.0, 1), (25.0, 0), (0.0, 0)],
)
def test_more_workers_start_while_the_measured_footprint_fits(measured_gb: float, expected: int) -> None:
    from localclip.core.machine.plan import GIB, more_workers_by_measurement

    gpu = probe_gpus(FakeNvml(load_recording("one_gpu_4090.json"))).gpus[0]  # 21.6 GB usable
    measured = int(measured_gb * GIB)
    assert more_workers_by_measurement(gpu, measured, PlanSettings()) == expected


@pytest.mark.parametrize(("cap", "running", "expected"), [(1, 1, 0), (3, 1, 2), (None, 5, 4), (2, 4, 0)])
def test_measurement_never_starts_more_workers_than_the_plan_allows_per_gpu(
    cap: int | None, running: int, expected: int
) -> None:
    from localclip.core.machine.plan import GIB, more_workers_by_measurement

    gpu = probe_gpus(FakeNvml(load_recording("one_gpu_4090.json"))).gpus[0]  # 4 more fit by memory
    settings = PlanSettings(max_workers_per_gpu=cap)
    assert more_workers_by_measurement(gpu, int(5.0 * GIB), settings, running) == expected


# --- CPU threads of the workers --------------------------------------------------------------------------

H200 = GpuReport((synthetic_gpu(0, 139.7, 139.0, "NVIDIA H200"),), "570.86", "12.8", None)
WORKER_PYTHON = Path("/opt/worker env/bin/python")


@pytest.mark.parametrize(
    ("workers", "torch", "io"), [(1, 4, 16), (2, 4, 8), (4, 4, 4), (8, 2, 2), (15, 1, 1)]
)
def test_gpu_workers_split_the_cores(workers: int, torch: int, io: int) -> None:
    threads = worker_threads("cuda", workers, 16, DEFAULTS)
    # The GPU does the math: torch's threads mostly wait on it, so decoding gets the whole share.
    assert (threads.cores, threads.torch, threads.io) == (16 // workers, torch, io)


@pytest.mark.parametrize(("workers", "share"), [(1, 16), (2, 8), (4, 4), (8, 2), (15, 1), (16, 1), (40, 1)])
def test_cpu_workers_get_their_share_as_torch_threads(workers: int, share: int) -> None:
    threads = worker_threads("cpu", workers, 16, DEFAULTS)
    assert (threads.cores, threads.torch, threads.io) == (share, share, None)


def test_gpu_thread_settings_are_caps_within_the_share() -> None:
    settings = PlanSettings(gpu_torch_threads=8, gpu_io_threads=3)
    assert worker_threads("cuda", 1, 16, settings).torch == 8
    assert worker_threads("cuda", 4, 16, settings).torch == 4
    assert worker_threads("cuda", 4, 16, settings).io == 3


def fake_embed_run(pending: int) -> SimpleNamespace:
    """What embed_launches reads of an EmbedRun: its pending clips, options and job count."""
    options = EmbedOptions()
    return SimpleNamespace(
        pending=[None] * pending, options=options, jobs=-(-pending // options.clips_per_job)
    )


@pytest.mark.parametrize(
    ("workers", "torch", "io", "note"),
    [
        (1, 4, 16, "4 torch threads and 16 decoding threads per worker"),
        (2, 4, 8, "4 torch threads and 8 decoding threads per worker"),
        (4, 4, 4, "4 torch threads and 4 decoding threads per worker"),
        (8, 2, 2, "2 torch threads and 2 decoding threads per worker"),
        (15, 1, 1, "1 torch thread and 1 decoding thread per worker"),
    ],
)
def test_embed_launches_give_gpu_workers_a_thread_budget(
    workers: int, torch: int, io: int, note: str
) -> None:
    settings = PlanSettings(memory_per_worker_gb=6.0, max_workers=workers)
    run = fake_embed_run(100_000)
    plan, launches = embed_launches(
        run, lambda items: plan_workers(H200, settings, items, "cuda"), WORKER_PYTHON, settings, cores=16
    )
    assert len(launches) == workers and {launch.gpu_uuid for launch in launches} == {"GPU-test-0"}
    env = {"OMP_NUM_THREADS": str(torch), "MKL_NUM_THREADS": str(torch)}
    assert all(launch.extra_env == env for launch in launches)
    per_job = gpu_clips_per_job(100_000, workers)  # about 4 jobs each, within 256 to 4,096 clips
    assert per_job == min(4096, -(-100_000 // (4 * workers)))
    options = run.options
    assert (options.torch_threads, options.io_threads, options.clips_per_job) == (torch, io, per_job)
    assert plan.explanation[-1] == f"{note}, {per_job} clips per job"


@pytest.mark.parametrize(("workers", "threads"), [(1, 16), (2, 8), (16, 1)])
def test_embed_launches_on_the_cpu_keep_their_share(workers: int, threads: int) -> None:
    settings = PlanSettings(cpu_workers=workers)
    no_gpus = GpuReport((), None, None, None)
    run = fake_embed_run(1000)
    plan, launches = embed_launches(
        run, lambda items: plan_workers(no_gpus, settings, items, "cpu"), WORKER_PYTHON, settings, cores=16
    )
    assert len(launches) == workers and all(launch.gpu_uuid is None for launch in launches)
    env = {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    assert all(launch.extra_env == env for launch in launches)
    per_job = cpu_clips_per_job(1000, workers, 256)
    options = run.options
    assert (options.torch_threads, options.io_threads, options.clips_per_job) == (threads, 4, per_job)
    thread_s = "thread" if threads == 1 else "threads"
    assert plan.explanation[-1] == f"{threads} torch {thread_s} per worker, {per_job} clips per job"


# --- structured messages (the window translates them; the command line prints the English) ---------------


def test_the_plan_s_lines_are_messages_with_keys_and_the_same_english() -> None:
    report = GpuReport((synthetic_gpu(0, 24, 24), synthetic_gpu(1, 8, 2)), "550", "12.4", None)
    plan = plan_workers(report, PlanSettings(memory_per_worker_gb=8.0), work_items=1)
    keys = [line.key for line in plan.explanation]
    assert keys == ["plan.gpu_line", "plan.gpu_line_needs", "plan.capped_by_work"]
    assert plan.explanation[0] == "GPU 0 Test GPU 24.0 GB: 21.6 GB usable -> 2 workers"
    assert plan.explanation[1].endswith("-> 0 workers (needs 8.0 GB per worker)")
    assert plan.explanation[2] == "capped at 1 worker: only 1 item of work"
    assert plan.explanation[2].args["workers"].key == "plan.one_worker"
    assert json.loads(json.dumps(plan.to_dict()))["explanation"] == list(plan.explanation)


def test_nvml_problems_are_messages() -> None:
    assert NO_PYNVML_PROBLEM.key == "gpus.no_pynvml"
    cpu = plan_workers(GpuReport((), None, None, NO_PYNVML_PROBLEM), PlanSettings())
    assert [line.key for line in cpu.explanation] == ["gpus.no_pynvml", "plan.cpu_fallback", "plan.cpu_line"]
    assert cpu.explanation[1] == "No NVIDIA GPU found: running on CPU"
