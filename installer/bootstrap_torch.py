"""Which torch build to install for this machine: a pure decision, tested with a table.

Input: the operating system, the NVIDIA driver's CUDA version and each GPU's compute capability (read
through NVML, bootstrap_gpu.py). Output: the build (CPU or a CUDA version), where its wheels come from
(PyPI, or the PyTorch wheel index), the exact versions to pin, and plain sentences for the user when a GPU
cannot be used and what to do about it.

Standard library only: the bootstrap runs before any environment exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The pair both model packages accept (worker_env/requirements.txt says why); the bootstrap never changes it.
TORCH_VERSION = "2.8.0"
TORCHAUDIO_VERSION = "2.8.0"
PYTORCH_INDEX = "https://download.pytorch.org/whl"


@dataclass(frozen=True)
class CudaBuild:
    """One CUDA build of torch 2.8.0 and the GPUs its machine code runs on."""

    variant: str  # the PyTorch index's name for it, also the wheels' local version label
    cuda: tuple[int, int]  # the CUDA version it was built with: the driver must support at least this
    arches: tuple[tuple[int, int], ...]  # compute capabilities it carries machine code (sm_XY) for
    driver_windows: str  # the first driver versions that support that CUDA version (NVIDIA's release notes)
    driver_linux: str


# torch 2.8.0's CUDA builds, newest first (torch.cuda.get_arch_list() of each build: cu128 read from the
# wheel this project installs on Linux; 2.8 dropped Maxwell and Pascal from cu128 and kept them in cu126).
# cu129 is left out: it runs on no card that cu128 does not, and needs a newer driver.
CUDA_BUILDS = (
    CudaBuild(
        "cu128",
        (12, 8),
        ((7, 0), (7, 5), (8, 0), (8, 6), (9, 0), (10, 0), (12, 0)),
        driver_windows="570.65",
        driver_linux="570.26",
    ),
    CudaBuild(
        "cu126",
        (12, 6),
        ((5, 0), (6, 0), (7, 0), (7, 5), (8, 0), (8, 6), (9, 0)),
        driver_windows="560.76",
        driver_linux="560.28",
    ),
)


@dataclass(frozen=True)
class Gpu:
    name: str
    capability: tuple[int, int]


@dataclass(frozen=True)
class Machine:
    """What the bootstrap found out about this computer."""

    os: str  # "windows", "linux" or "macos"
    arch: str = "x86_64"  # normalised: "x86_64" or "arm64"
    cuda_driver: tuple[int, int] | None = None  # highest CUDA version the NVIDIA driver supports
    gpus: tuple[Gpu, ...] = ()


@dataclass(frozen=True)
class TorchChoice:
    variant: str  # "cpu" or a CudaBuild.variant
    index_url: str | None  # None: PyPI
    torch: str  # exact versions to pin, with the index's local label where the index needs it
    torchaudio: str
    summary: str  # one sentence: what is installed, and why
    problems: tuple[str, ...] = field(default=())  # sentences: what will not work and what to do

    @property
    def uses_gpu(self) -> bool:
        return self.variant != "cpu"


def runs_on(build: CudaBuild, capability: tuple[int, int]) -> bool:
    """Machine code for sm_XY runs on cards of the same major version and an equal or later minor one."""
    major, minor = capability
    return any(arch_major == major and arch_minor <= minor for arch_major, arch_minor in build.arches)


def choose_torch(machine: Machine) -> TorchChoice:
    """The torch build for ``machine``: the newest CUDA build that the driver supports and that runs on the
    most of its GPUs; the CPU build when there is no NVIDIA GPU or none can be served."""
    if machine.os == "macos" or machine.arch != "x86_64":
        # The PyTorch index has CUDA wheels for x86-64 Windows and Linux only; PyPI's wheel is right here.
        return _pypi_build("torch from PyPI (no CUDA build of torch exists for this kind of computer)")
    if not machine.gpus:
        return _cpu_build(machine, "No NVIDIA GPU was found, so LocalClip installs the CPU build of torch.")
    if machine.cuda_driver is None:
        return _cpu_build(
            machine,
            "The NVIDIA driver did not say which CUDA version it supports, so LocalClip installs the CPU "
            "build of torch.",
            (
                "The NVIDIA driver could not be asked which CUDA version it supports. Install the newest "
                "driver for your card from nvidia.com, then run Repair LocalClip.",
            ),
        )
    usable = [build for build in CUDA_BUILDS if build.cuda <= machine.cuda_driver]
    best = max(
        usable, key=lambda build: sum(runs_on(build, gpu.capability) for gpu in machine.gpus), default=None
    )
    if best is None or not any(runs_on(best, gpu.capability) for gpu in machine.gpus):
        return _cpu_build(
            machine,
            "None of this computer's NVIDIA GPUs can be used with the installed driver, so LocalClip "
            "installs the CPU build of torch.",
            tuple(_gpu_problem(machine, gpu) for gpu in machine.gpus),
        )
    problems = tuple(_gpu_problem(machine, gpu) for gpu in machine.gpus if not runs_on(best, gpu.capability))
    names = ", ".join(f"{gpu.name} (compute capability {_text(gpu.capability)})" for gpu in machine.gpus)
    cuda = _text(best.cuda)
    summary = (
        f"Found {names}; the NVIDIA driver supports CUDA {_text(machine.cuda_driver)}, so LocalClip "
        f"installs torch {TORCH_VERSION} for CUDA {cuda}."
    )
    if machine.os == "linux" and best.variant == "cu128":
        # PyPI's Linux torch 2.8.0 is the CUDA 12.8 build (with its CUDA libraries as separate wheels).
        return TorchChoice(best.variant, None, TORCH_VERSION, TORCHAUDIO_VERSION, summary, problems)
    return _index_build(best.variant, summary, problems)


def _gpu_problem(machine: Machine, gpu: Gpu) -> str:
    """Why ``gpu`` cannot be used, and what the user can do about it."""
    capable = [build for build in CUDA_BUILDS if runs_on(build, gpu.capability)]
    label = f"{gpu.name} (compute capability {_text(gpu.capability)})"
    if not capable:
        return (
            f"{label} is not supported by torch {TORCH_VERSION}: none of its CUDA builds has code for this "
            "card. LocalClip will not use it."
        )
    oldest = min(capable, key=lambda build: build.cuda)
    driver = oldest.driver_windows if machine.os == "windows" else oldest.driver_linux
    if machine.cuda_driver is not None and oldest.cuda > machine.cuda_driver:
        return (
            f"{label} needs torch built for CUDA {_text(oldest.cuda)}, but the installed NVIDIA driver "
            f"supports CUDA {_text(machine.cuda_driver)} only. Install NVIDIA driver {driver} or newer "
            "(nvidia.com), then run Repair LocalClip."
        )
    others = ", ".join(build.variant for build in capable)
    return (
        f"{label} needs a torch build ({others}) other than the one that serves this computer's other GPUs, "
        "so LocalClip will not use it."
    )


def _cpu_build(machine: Machine, summary: str, problems: tuple[str, ...] = ()) -> TorchChoice:
    if machine.os == "linux":
        # PyPI's Linux wheel is the CUDA build with ~3 GB of CUDA libraries; the CPU build is a tenth of it.
        return _index_build("cpu", summary, problems)
    return TorchChoice("cpu", None, TORCH_VERSION, TORCHAUDIO_VERSION, summary, problems)


def _pypi_build(reason: str) -> TorchChoice:
    return TorchChoice("cpu", None, TORCH_VERSION, TORCHAUDIO_VERSION, f"LocalClip installs {reason}.")


def _index_build(variant: str, summary: str, problems: tuple[str, ...]) -> TorchChoice:
    return TorchChoice(
        variant,
        f"{PYTORCH_INDEX}/{variant}",
        f"{TORCH_VERSION}+{variant}",
        f"{TORCHAUDIO_VERSION}+{variant}",
        summary,
        problems,
    )


def with_index(choice: TorchChoice, index: str) -> TorchChoice:
    """``choice`` with its wheels taken from ``index`` instead ("pypi": PyPI, with PyPI's versions)."""
    if index == "pypi":
        summary = f"{choice.summary} Its wheels come from PyPI, as asked."
        return TorchChoice(choice.variant, None, TORCH_VERSION, TORCHAUDIO_VERSION, summary, choice.problems)
    summary = f"{choice.summary} Its wheels come from {index}, as asked."
    return TorchChoice(
        choice.variant, index.rstrip("/"), choice.torch, choice.torchaudio, summary, choice.problems
    )


def forced(machine: Machine, variant: str) -> TorchChoice:
    """The build the user asked for by name ("cpu", "cu126", "cu128"), whatever the machine has."""
    if variant == "cpu":
        return _cpu_build(machine, "LocalClip installs the CPU build of torch, as asked.")
    if variant not in {build.variant for build in CUDA_BUILDS}:
        raise ValueError(f"unknown torch build {variant!r}")
    summary = f"LocalClip installs torch {TORCH_VERSION} for CUDA {variant[2:4]}.{variant[4:]}, as asked."
    if machine.os == "linux" and variant == "cu128":
        return TorchChoice(variant, None, TORCH_VERSION, TORCHAUDIO_VERSION, summary)
    return _index_build(variant, summary, ())


def parse_cuda_version(value: int | None) -> tuple[int, int] | None:
    """NVML gives CUDA 12.4 as 12040 (major * 1000 + minor * 10)."""
    if not value or value < 1000:
        return None
    return value // 1000, value % 1000 // 10


def _text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
