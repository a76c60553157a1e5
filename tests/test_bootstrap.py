"""The bootstrap (installer/bootstrap.py): the torch choice table, NVML through ctypes, resumable downloads
from a wheel index on loopback, and the real thing: both environments made from a clean folder whose
name has spaces and non-ASCII characters, probe answering through them, a second run that does nothing,
and a damaged environment put back."""

from __future__ import annotations

import ctypes
import hashlib
import http.server
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platformdirs
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "installer"))

import bootstrap  # noqa: E402
import bootstrap_download  # noqa: E402
import bootstrap_gpu  # noqa: E402
import build_setup  # noqa: E402
from bootstrap_torch import (  # noqa: E402
    PYTORCH_INDEX,
    Gpu,
    Machine,
    choose_torch,
    forced,
    parse_cuda_version,
    with_index,
)

RTX_4090 = Gpu("NVIDIA GeForce RTX 4090", (8, 9))
RTX_5090 = Gpu("NVIDIA GeForce RTX 5090", (12, 0))
GTX_1080 = Gpu("NVIDIA GeForce GTX 1080", (6, 1))
H100 = Gpu("NVIDIA H100 80GB HBM3", (9, 0))
B200 = Gpu("NVIDIA B200", (10, 0))
K80 = Gpu("Tesla K80", (3, 7))
CPU_INDEX, CU126_INDEX, CU128_INDEX = (f"{PYTORCH_INDEX}/{name}" for name in ("cpu", "cu126", "cu128"))

# (machine, build, index (None: PyPI), torch version, words every problem sentence must hold)
TORCH_TABLE = {
    "windows, no GPU: PyPI's Windows wheel is the CPU build": (
        Machine("windows"),
        "cpu",
        None,
        "2.8.0",
        [],
    ),
    "linux, no GPU: the CPU index (PyPI's Linux wheel carries 3 GB of CUDA)": (
        Machine("linux"),
        "cpu",
        CPU_INDEX,
        "2.8.0+cpu",
        [],
    ),
    "macos: PyPI": (Machine("macos", "arm64"), "cpu", None, "2.8.0", []),
    "linux arm64: PyPI": (Machine("linux", "arm64", (12, 8), (H100,)), "cpu", None, "2.8.0", []),
    "windows, RTX 4090, CUDA 12.8 driver: cu128 from the PyTorch index": (
        Machine("windows", cuda_driver=(12, 8), gpus=(RTX_4090,)),
        "cu128",
        CU128_INDEX,
        "2.8.0+cu128",
        [],
    ),
    "windows, RTX 4090, CUDA 13.0 driver: still cu128": (
        Machine("windows", cuda_driver=(13, 0), gpus=(RTX_4090,)),
        "cu128",
        CU128_INDEX,
        "2.8.0+cu128",
        [],
    ),
    "linux, H100, CUDA 12.8 driver: PyPI's wheel is cu128": (
        Machine("linux", cuda_driver=(12, 8), gpus=(H100, H100)),
        "cu128",
        None,
        "2.8.0",
        [],
    ),
    "linux, RTX 4090, CUDA 12.6 driver: cu126 from the index": (
        Machine("linux", cuda_driver=(12, 6), gpus=(RTX_4090,)),
        "cu126",
        CU126_INDEX,
        "2.8.0+cu126",
        [],
    ),
    "windows, RTX 4090, CUDA 12.7 driver: cu126": (
        Machine("windows", cuda_driver=(12, 7), gpus=(RTX_4090,)),
        "cu126",
        CU126_INDEX,
        "2.8.0+cu126",
        [],
    ),
    "windows, RTX 5090, CUDA 12.8 driver: cu128 (sm_120)": (
        Machine("windows", cuda_driver=(12, 8), gpus=(RTX_5090,)),
        "cu128",
        CU128_INDEX,
        "2.8.0+cu128",
        [],
    ),
    "windows, RTX 5090, CUDA 12.6 driver: CPU, update the driver": (
        Machine("windows", cuda_driver=(12, 6), gpus=(RTX_5090,)),
        "cpu",
        None,
        "2.8.0",
        [["RTX 5090", "12.0", "CUDA 12.8", "570.65", "Repair LocalClip"]],
    ),
    "linux, B200 (sm_100), CUDA 12.9 driver: cu128": (
        Machine("linux", cuda_driver=(12, 9), gpus=(B200,)),
        "cu128",
        None,
        "2.8.0",
        [],
    ),
    "windows, GTX 1080 (Pascal), CUDA 12.8 driver: cu126, the last build with sm_60": (
        Machine("windows", cuda_driver=(12, 8), gpus=(GTX_1080,)),
        "cu126",
        CU126_INDEX,
        "2.8.0+cu126",
        [],
    ),
    "windows, GTX 1080 + RTX 5090: cu128 serves the 5090; the 1080 is named": (
        Machine("windows", cuda_driver=(12, 8), gpus=(GTX_1080, RTX_5090)),
        "cu128",
        CU128_INDEX,
        "2.8.0+cu128",
        [["GTX 1080", "6.1", "will not use it"]],
    ),
    "windows, RTX 4090, CUDA 12.4 driver: CPU, update the driver to 560": (
        Machine("windows", cuda_driver=(12, 4), gpus=(RTX_4090,)),
        "cpu",
        None,
        "2.8.0",
        [["RTX 4090", "CUDA 12.4", "560.76", "nvidia.com"]],
    ),
    "linux, RTX 4090, CUDA 12.2 driver: CPU build from the index, update to 560.28": (
        Machine("linux", cuda_driver=(12, 2), gpus=(RTX_4090,)),
        "cpu",
        CPU_INDEX,
        "2.8.0+cpu",
        [["560.28"]],
    ),
    "windows, Tesla K80 (Kepler): no torch 2.8 build has code for it": (
        Machine("windows", cuda_driver=(12, 8), gpus=(K80,)),
        "cpu",
        None,
        "2.8.0",
        [["Tesla K80", "3.7", "not supported"]],
    ),
    "windows, GPU but the driver's CUDA version unreadable: CPU, and say so": (
        Machine("windows", cuda_driver=None, gpus=(RTX_4090,)),
        "cpu",
        None,
        "2.8.0",
        [["driver", "Repair LocalClip"]],
    ),
}


@pytest.mark.parametrize("case", list(TORCH_TABLE), ids=list(TORCH_TABLE))
def test_torch_choice(case: str) -> None:
    machine, variant, index, version, problem_words = TORCH_TABLE[case]
    choice = choose_torch(machine)
    assert (choice.variant, choice.index_url, choice.torch) == (variant, index, version)
    assert choice.torchaudio == version  # torch and torchaudio always come as the same build
    assert choice.summary.endswith(".")
    assert len(choice.problems) == len(problem_words)
    for problem, words in zip(choice.problems, problem_words, strict=True):
        for word in words:
            assert word in problem, (word, problem)
    if variant != "cpu":
        for gpu in machine.gpus:
            assert gpu.name in choice.summary


def test_torch_overrides() -> None:
    linux = Machine("linux")
    assert with_index(choose_torch(linux), "pypi").index_url is None
    assert with_index(choose_torch(linux), "pypi").torch == "2.8.0"
    mirror = with_index(choose_torch(linux), "https://mirror.example/whl/cpu/")
    assert (mirror.index_url, mirror.torch) == ("https://mirror.example/whl/cpu", "2.8.0+cpu")
    assert forced(Machine("windows"), "cu126").index_url == CU126_INDEX
    assert forced(linux, "cu128").index_url is None
    assert forced(Machine("windows", cuda_driver=(12, 8), gpus=(RTX_4090,)), "cpu").variant == "cpu"
    with pytest.raises(ValueError, match="cu999"):
        forced(linux, "cu999")
    assert parse_cuda_version(12080) == (12, 8)
    assert parse_cuda_version(13000) == (13, 0)
    assert parse_cuda_version(0) is None


class FakeNvml:
    """NVML's C functions as ctypes calls them: results written through the pointers passed in."""

    def __init__(self, gpus: list[tuple[str, int, int]], cuda: int = 12080, init: int = 0) -> None:
        self.gpus, self.cuda, self.init = gpus, cuda, init
        self.shut_down = False

    def nvmlInit_v2(self) -> int:
        return self.init

    def nvmlShutdown(self) -> int:
        self.shut_down = True
        return 0

    def nvmlSystemGetDriverVersion(self, buffer: Any, length: int) -> int:
        buffer.value = b"572.16"
        return 0

    def nvmlSystemGetCudaDriverVersion(self, version: Any) -> int:
        version.contents.value = self.cuda
        return 0

    def nvmlDeviceGetCount_v2(self, count: Any) -> int:
        count.contents.value = len(self.gpus)
        return 0

    def nvmlDeviceGetHandleByIndex_v2(self, index: ctypes.c_uint, handle: Any) -> int:
        if self.gpus[index.value][0] == "broken":
            return 15  # NVML_ERROR_GPU_IS_LOST
        handle.contents.value = index.value + 1
        return 0

    def nvmlDeviceGetName(self, handle: ctypes.c_void_p, buffer: Any, length: int) -> int:
        buffer.value = self.gpus[handle.value - 1][0].encode()
        return 0

    def nvmlDeviceGetCudaComputeCapability(self, handle: ctypes.c_void_p, major: Any, minor: Any) -> int:
        _, major.contents.value, minor.contents.value = self.gpus[handle.value - 1]
        return 0


def test_nvml_reading() -> None:
    library = FakeNvml([("NVIDIA GeForce RTX 4090", 8, 9), ("broken", 0, 0), ("NVIDIA RTX A6000", 8, 6)])
    reading = bootstrap_gpu.read_machine(library)
    assert reading.problem is None
    assert reading.driver_version == "572.16"
    assert reading.machine.cuda_driver == (12, 8)
    assert reading.machine.gpus == (Gpu("NVIDIA GeForce RTX 4090", (8, 9)), Gpu("NVIDIA RTX A6000", (8, 6)))
    assert library.shut_down
    assert choose_torch(reading.machine).variant == "cu128"
    failed = bootstrap_gpu.read_machine(FakeNvml([], init=9))  # NVML_ERROR_DRIVER_NOT_LOADED
    assert failed.machine.gpus == () and "NVML" in (failed.problem or "")


def test_nvml_on_this_machine_never_raises() -> None:
    reading = bootstrap_gpu.read_machine()  # no NVIDIA driver in CI: a reading without GPUs and a reason
    assert reading.machine.os in ("windows", "linux", "macos")
    assert reading.machine.gpus or reading.problem


# ---- downloads from a wheel index on loopback ------------------------------------------------------------

WHEEL = "torch-2.8.0+cu128-cp311-cp311-win_amd64.whl"


class IndexServer:
    """A PEP 503 page for torch and its files, with range requests; it can drop a connection part way."""

    def __init__(self, data: bytes, sha256: str | None = None) -> None:
        self.data = data
        self.sha256 = sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()
        self.drop_after: int | None = None  # the next file response stops after this many bytes
        self.ignore_range = False
        self.ranges: list[str | None] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/whl/cu128/torch/":
                    server.send_page(self)
                else:
                    server.send_file(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def send_page(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        names = [
            "torch-2.8.0+cu128-cp310-cp310-win_amd64.whl",
            "torch-2.7.1+cu128-cp311-cp311-win_amd64.whl",
            "torch-2.8.0+cu128-cp311-cp311-manylinux_2_28_x86_64.whl",
            WHEEL,
        ]
        links = "".join(
            f'<a href="/files/{name.replace("+", "%2B")}#sha256={self.sha256}">{name}</a><br/>'
            for name in names
        )
        body = f"<html><body>{links}</body></html>".encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def send_file(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        asked = handler.headers.get("Range")
        self.ranges.append(asked)
        start = 0 if asked is None or self.ignore_range else int(asked.removeprefix("bytes=").rstrip("-"))
        if start >= len(self.data):
            handler.send_response(416)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(206 if start else 200)
        handler.send_header("Content-Length", str(len(self.data) - start))
        if start:
            handler.send_header("Content-Range", f"bytes {start}-{len(self.data) - 1}/{len(self.data)}")
        handler.end_headers()
        body = self.data[start:]
        if self.drop_after is not None:
            body, self.drop_after = body[: self.drop_after], None
            handler.close_connection = True
        handler.wfile.write(body)


@pytest.fixture
def index_server() -> Iterator[IndexServer]:
    server = IndexServer(bytes(range(256)) * 40_000)  # 10 MB
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap_download.time, "sleep", lambda seconds: None)


def test_index_page_gives_the_wheel_for_this_python_and_os(index_server: IndexServer) -> None:
    link = bootstrap_download.find_wheel(
        f"{index_server.url}/whl/cu128", "torch", "2.8.0+cu128", "cp311", "windows"
    )
    assert link.filename == WHEEL
    assert link.url == f"{index_server.url}/files/torch-2.8.0%2Bcu128-cp311-cp311-win_amd64.whl"
    assert link.sha256 == index_server.sha256
    linux = bootstrap_download.find_wheel(
        f"{index_server.url}/whl/cu128", "torch", "2.8.0+cu128", "cp311", "linux"
    )
    assert linux.filename.endswith("manylinux_2_28_x86_64.whl")
    with pytest.raises(bootstrap_download.DownloadError, match="cp312"):
        bootstrap_download.find_wheel(
            f"{index_server.url}/whl/cu128", "torch", "2.8.0+cu128", "cp312", "windows"
        )


def test_download_goes_on_after_the_connection_drops(index_server: IndexServer, tmp_path: Path) -> None:
    link = bootstrap_download.find_wheel(
        f"{index_server.url}/whl/cu128", "torch", "2.8.0+cu128", "cp311", "windows"
    )
    index_server.drop_after = 3_000_000
    lines: list[str] = []
    folder = tmp_path / "下载 downloads"
    path = bootstrap_download.download(link, folder, lines.append)
    assert path.read_bytes() == index_server.data
    assert index_server.ranges == [None, "bytes=3000000-"]  # the second request asked only for the rest
    assert any("connection was lost" in line for line in lines)
    assert any("going on with" in line for line in lines)
    assert not list(folder.glob("*.part"))
    # A second run finds the file whole and downloads nothing.
    assert bootstrap_download.download(link, folder, lines.append) == path
    assert len(index_server.ranges) == 2


def test_download_resumes_a_part_file_from_an_earlier_run(index_server: IndexServer, tmp_path: Path) -> None:
    link = bootstrap_download.find_wheel(
        f"{index_server.url}/whl/cu128", "torch", "2.8.0+cu128", "cp311", "windows"
    )
    (tmp_path / f"{WHEEL}.part").write_bytes(index_server.data[:1234])  # the set-up was closed here
    path = bootstrap_download.download(link, tmp_path, lambda line: None)
    assert path.read_bytes() == index_server.data
    assert index_server.ranges == ["bytes=1234-"]


def test_download_starts_over_when_the_server_ignores_ranges(
    index_server: IndexServer, tmp_path: Path
) -> None:
    link = bootstrap_download.find_wheel(
        f"{index_server.url}/whl/cu128", "torch", "2.8.0+cu128", "cp311", "windows"
    )
    (tmp_path / f"{WHEEL}.part").write_bytes(b"x" * 1000)
    index_server.ignore_range = True
    path = bootstrap_download.download(link, tmp_path, lambda line: None)
    assert path.read_bytes() == index_server.data


def test_damaged_download_is_refused(tmp_path: Path) -> None:
    server = IndexServer(b"not torch at all", sha256="0" * 64)
    server.thread.start()
    try:
        link = bootstrap_download.find_wheel(
            f"{server.url}/whl/cu128", "torch", "2.8.0+cu128", "cp311", "windows"
        )
        with pytest.raises(bootstrap_download.DownloadError, match="SHA-256"):
            bootstrap_download.download(link, tmp_path, lambda line: None)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert list(tmp_path.iterdir()) == []  # neither the file nor its .part stays


def test_unreachable_index_is_one_sentence() -> None:
    with pytest.raises(bootstrap_download.DownloadError, match="Could not read the wheel index"):
        bootstrap_download.find_wheel(
            "http://127.0.0.1:9/whl/cu128", "torch", "2.8.0+cu128", "cp311", "windows"
        )


# ---- pieces of the bootstrap -----------------------------------------------------------------------------


def test_default_folders_are_where_localclip_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without platformdirs (a bare Python) the bootstrap computes the same folders as with it, and the
    # worker environment lands where localclip/core/paths.py looks for it.
    assert bootstrap._user_dir("data") == Path(platformdirs.user_data_dir("LocalClip", appauthor=False))
    assert bootstrap._user_dir("log") == Path(platformdirs.user_log_dir("LocalClip", appauthor=False))
    layout = bootstrap.Layout(bootstrap.default_data_dir(), bootstrap.default_log_dir(), Path("cache"))
    monkeypatch.delenv("LOCALCLIP_WORKER_PYTHON", raising=False)
    from localclip.core import paths

    monkeypatch.setattr(paths, "SOURCE_ROOT", Path("/nonexistent checkout"))
    assert paths.bundled_worker_python() == bootstrap.env_python(layout.worker_env)


def test_payload_from_source_or_wheels(tmp_path: Path) -> None:
    source = bootstrap.find_payload(ROOT)
    assert source.editable
    assert source.requirements == ROOT / "worker_env" / "requirements.txt"
    wheels = tmp_path / "wheels 轮子"
    wheels.mkdir()
    for name in ("localclip-0.1.0-py3-none-any.whl", "localclip_worker-0.1.0-py3-none-any.whl"):
        (wheels / name).write_bytes(b"")
    with pytest.raises(bootstrap.SetupError, match="requirements"):
        bootstrap.find_payload(wheels)
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        shutil.copy(ROOT / "worker_env" / name, wheels / name)
    payload = bootstrap.find_payload(wheels)
    assert not payload.editable
    assert payload.app.name.startswith("localclip-0.1.0")
    assert payload.worker.name.startswith("localclip_worker-")
    with pytest.raises(bootstrap.SetupError, match="No LocalClip"):
        bootstrap.find_payload(tmp_path)


def test_probe_output_and_problems() -> None:
    result = {
        "python": "3.11.9",
        "torch": "2.8.0+cu126",
        "torch_cuda": "12.6",
        "cuda_available": True,
        "devices": [{"name": "NVIDIA GeForce RTX 5090", "capability": "12.0"}],
        "problems": [
            "NVIDIA GeForce RTX 5090 is compute capability 12.0 (sm_120), but torch ... has kernels"
        ],
    }
    lines = [
        "not json",
        '{"event": "item_done", "item": "probe-0", "result": ' + __import__("json").dumps(result) + "}",
        '{"event": "worker_problem", "message": "worker 1 exited"}',
    ]
    results, complaints = bootstrap.parse_probe(lines)
    assert results == [result] and complaints == ["worker 1 exited"]
    assert "RTX 5090 (compute capability 12.0)" in bootstrap.describe(result)
    gpu_choice = choose_torch(Machine("windows", cuda_driver=(12, 6), gpus=(RTX_4090,)))
    assert bootstrap.probe_problems(gpu_choice, results) == result["problems"]
    blind = [{**result, "cuda_available": False, "devices": [], "problems": []}]
    assert "cannot use any GPU" in bootstrap.probe_problems(gpu_choice, blind)[0]
    assert bootstrap.probe_problems(choose_torch(Machine("windows")), blind) == []


# ---- the real thing ----------------------------------------------------------------------------------------


def copy_source(target: Path) -> Path:
    """LocalClip's source as the setup program carries it (build_setup's lists)."""
    for name in build_setup.APP_FILES:
        build_setup.copy(ROOT / name, target / name)
    for name in build_setup.WORKER_FILES:
        build_setup.copy(ROOT / "worker_env" / name, target / "worker_env" / name)
    return target


def run_bootstrap(*arguments: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    # The bootstrap runs on the bare base interpreter (no platformdirs, nothing of the app), isolated.
    command = [sys._base_executable, "-I", str(ROOT / "installer" / "bootstrap.py"), *map(str, arguments)]
    result = subprocess.run(
        command, capture_output=True, text=True, encoding="utf-8", timeout=1200, check=False
    )
    return result, time.monotonic() - started


@pytest.fixture
def place(tmp_path: Path) -> Iterator[Path]:
    """A folder with spaces and non-ASCII characters, removed afterwards: pytest keeps old temporary
    folders, and environments whose files could not be hard-linked from uv's cache take gigabytes."""
    folder = tmp_path / "Lòcal Clip 测试"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_bootstrap_makes_both_environments_then_does_nothing_then_repairs(place: Path) -> None:
    source = copy_source(place / "app")
    data = place / "数据 data"
    uv = Path(sys.executable).parent / ("uv.exe" if sys.platform == "win32" else "uv")
    # uv's own cache (the one installer/dev.py filled): nothing new to download for the worker environment.
    cache = subprocess.run(
        [str(uv), "cache", "dir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    arguments = [
        *("--app", source, "--data-dir", data, "--cache-dir", cache, "--uv", uv),
        # This machine's Python instead of uv's download, and PyPI's torch (what dev.py installs, cached)
        # instead of the CPU index: CI reaches PyPI only.
        *("--python", sys._base_executable, "--torch-index", "pypi"),
    ]

    first, first_seconds = run_bootstrap(*arguments)
    print(f"bootstrap, fresh: {first_seconds:.1f} s")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "LocalClip is ready." in first.stdout
    assert "worker: Python 3.11" in first.stdout  # the probe answered through the new environments
    app_python = bootstrap.env_python(data / "app-env")
    worker_python = bootstrap.env_python(data / "worker-env")
    assert worker_python.exists()
    where = subprocess.run(
        [str(app_python), "-I", "-c", "import localclip, localclip_worker; print(localclip.__file__)"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(source)  # installed in place, beside resources/
    stamp = bootstrap.read_stamp(data / "worker-env")
    assert stamp["verified"]["problems"] == []
    assert stamp["torch"]["torch"] == "2.8.0"
    log = (data / "Logs" / "bootstrap.log").read_text(encoding="utf-8")
    assert "uv" in log and "pip install" in log and "[5/5]" in log

    second, second_seconds = run_bootstrap(*arguments)
    print(f"bootstrap, second run: {second_seconds:.1f} s")
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.count("already set up: nothing to do") == 2
    assert "nothing was changed" in second.stdout
    assert "pip install" not in (data / "Logs" / "bootstrap.log").read_text(encoding="utf-8")[len(log) :]
    assert second_seconds < 30

    # Something deletes a package from the app environment: the next run puts it back.
    yaml_dir = subprocess.run(
        [str(app_python), "-I", "-c", "import yaml, os; print(os.path.dirname(yaml.__file__))"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout.strip()
    shutil.rmtree(yaml_dir)
    third, third_seconds = run_bootstrap(*arguments)
    print(f"bootstrap, repair of a damaged app environment: {third_seconds:.1f} s")
    assert third.returncode == 0, third.stdout + third.stderr
    assert "is damaged" in third.stdout
    assert Path(yaml_dir, "__init__.py").exists()
    assert "LocalClip is ready." in third.stdout


def test_bootstrap_failure_is_one_sentence_and_a_log(tmp_path: Path) -> None:
    data = tmp_path / "données 数据"
    result, _ = run_bootstrap("--app", tmp_path / "missing", "--data-dir", data, "--uv", sys.executable)
    assert result.returncode == bootstrap.EXIT_FAILED
    assert "did not finish" in result.stdout
    assert "Traceback" not in result.stdout
    log = data / "Logs" / "bootstrap.log"
    assert str(log) in result.stdout
    assert "Traceback" in log.read_text(encoding="utf-8")  # the details are for whoever reads the log
