"""LocalClip's bootstrap: creates, checks or repairs the app and worker environments of one user.

    python installer/bootstrap.py                  set up LocalClip for this user (or check it: a second
                                                   run changes nothing and says so)
    python installer/bootstrap.py --repair         reinstall every package (damaged or deleted files)
    uv run --python 3.11.18 bootstrap.py ...       how the Windows setup program starts it

It needs nothing but a Python 3.9+ standard library and uv. Into the per-user data folder
(%LOCALAPPDATA%\\LocalClip on Windows, ~/.local/share/LocalClip on Linux; --data-dir or LOCALCLIP_DATA_DIR
to change it) it puts:
    python/       the pinned Python, installed by uv (uv python install)
    app-env/      LocalClip and its GUI (PySide6, numpy, nvidia-ml-py, ...)
    worker-env/   torch (the build for this machine's GPUs), WeSpeaker, fish-speech and the worker program,
                  from worker_env/requirements.txt and requirements-nodeps.txt (the latter with --no-deps)
    uv-cache/     uv's download cache: a second run, or one after an interrupted download, fetches only
                  what is missing
    downloads/    torch wheels from the PyTorch index (Windows' CUDA build is one 3 GB file): an
                  interrupted download goes on from where it stopped
and it writes a log (Logs/bootstrap.log on Windows) that the user can send. Each environment gets a stamp
of what it was made from; an environment whose stamp matches and that still imports is left alone.
Then it runs the worker's ``probe`` job through ``localclip probe`` and says in plain words when the torch
build cannot use a GPU.

Exit codes: 0 ready, 1 failed (said in one sentence, details in the log), 2 bad arguments, 3 ready but a
GPU cannot be used (LocalClip works on the CPU or the other GPUs; the message says what to do).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bootstrap_* modules beside this file

import bootstrap_download
import bootstrap_gpu
import bootstrap_torch
from bootstrap_torch import TorchChoice

APP_NAME = "LocalClip"
PYTHON_VERSION = "3.11.18"  # the Python uv installs for both environments (uv python install)
BOOTSTRAP_VERSION = "1"  # part of every stamp: raise it when the steps change, so environments are redone
STAMP = ".localclip-bootstrap.json"
CHECKOUT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_GPU_UNUSABLE = 0, 1, 2, 3
STEPS = 5
LOG_LIMIT_BYTES = 5 * 1024 * 1024
PROBE_TIMEOUT_SECONDS = 600  # the first torch import on Windows is slow while the antivirus scans its DLLs
# What each environment must import for its stamp to count (find_spec only: importing torch takes seconds).
APP_MODULES = ("localclip", "localclip_worker", "PySide6", "numpy", "pynvml")
WORKER_MODULES = ("localclip_worker", "torch", "torchaudio", "numpy", "wespeaker", "fish_speech")


class SetupError(Exception):
    """A step that failed, said in one sentence for the user; the details are in the log."""


# ----------------------------------------------------------------------------------------------------------
# Where things go


def default_data_dir() -> Path:
    """platformdirs' per-user data folder: where LocalClip looks for the worker environment by itself
    (localclip/core/paths.py). The same rules without platformdirs, which a bare Python lacks."""
    try:
        import platformdirs
    except ImportError:
        return _user_dir("data")
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_log_dir() -> Path:
    try:
        import platformdirs
    except ImportError:
        return _user_dir("log")
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def _user_dir(kind: str) -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / APP_NAME
        return base / "Logs" if kind == "log" else base
    if sys.platform == "darwin":
        return home / "Library" / ("Logs" if kind == "log" else "Application Support") / APP_NAME
    if kind == "log":
        return Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state") / APP_NAME / "log"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / APP_NAME


@dataclass(frozen=True)
class Layout:
    data: Path
    logs: Path
    cache: Path  # uv's cache

    @property
    def app_env(self) -> Path:
        return self.data / "app-env"

    @property
    def worker_env(self) -> Path:
        return self.data / "worker-env"

    @property
    def pythons(self) -> Path:
        return self.data / "python"

    @property
    def downloads(self) -> Path:
        return self.data / "downloads"

    @property
    def log_file(self) -> Path:
        return self.logs / "bootstrap.log"


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@dataclass(frozen=True)
class Payload:
    """What gets installed: LocalClip from a source folder (installed in place, editable, so the folder's
    resources/ and worker_env/ stay where localclip/core/paths.py looks for them) or from wheels."""

    app: Path  # source folder with pyproject.toml, or localclip-*.whl
    worker: Path  # the worker_env folder, or localclip_worker-*.whl
    requirements: Path
    requirements_nodeps: Path

    @property
    def editable(self) -> bool:
        return self.app.is_dir()


def find_payload(app: Path) -> Payload:
    app = app.resolve()
    if app.is_dir() and (app / "pyproject.toml").is_file():
        worker = app / "worker_env"
        return _checked(Payload(app, worker, worker / "requirements.txt", worker / "requirements-nodeps.txt"))
    folder = app.parent if app.is_file() else app
    wheels = sorted(folder.glob("localclip-*.whl")) if app.is_dir() else [app]
    workers = sorted(folder.glob("localclip_worker-*.whl"))
    if not wheels or not workers:
        raise SetupError(f"No LocalClip source folder or wheels were found in {app}.")
    requirements = folder / "requirements.txt"
    return _checked(Payload(wheels[-1], workers[-1], requirements, folder / "requirements-nodeps.txt"))


def _checked(payload: Payload) -> Payload:
    for path in (payload.app, payload.worker, payload.requirements, payload.requirements_nodeps):
        if not path.exists():
            raise SetupError(f"The LocalClip files to install are incomplete: {path} is missing.")
    return payload


# ----------------------------------------------------------------------------------------------------------
# Saying what happens: one line each on stdout (the Windows setup program shows them), all in the log


class Log:
    def __init__(self, path: Path, console: IO[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > LOG_LIMIT_BYTES:
            path.replace(path.with_name(path.name + ".old"))
        self.path = path
        self.console = console
        self.file = path.open("a", encoding="utf-8")

    def say(self, text: str) -> None:
        """A line for the user, and for the log."""
        self.console.write(text + "\n")
        self.console.flush()
        self.record(text)

    def record(self, text: str) -> None:
        """A line for the log only."""
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        self.file.write(f"{stamp} {text}\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


# ----------------------------------------------------------------------------------------------------------
# Running uv and the environments' interpreters


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for every child: no stray PYTHONHOME/PYTHONPATH (they break other interpreters), no
    active virtual environment, UTF-8 for Python, no colours or progress bars (the output goes to a log)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONSTARTUP")
    }
    env.update(PYTHONUTF8="1", PYTHONIOENCODING="utf-8", NO_COLOR="1", UV_NO_PROGRESS="1")
    env.update(extra or {})
    return env


class Runner:
    def __init__(
        self, log: Log, uv: list[str], layout: Layout, python_spec: str, managed_python: bool
    ) -> None:
        self.log = log
        self.uv = uv
        self.python_spec = python_spec  # a version for uv to install and find, or an interpreter's path
        self.cwd = layout.data  # never the folder the bootstrap was started from: nothing may come from it
        self.uv_env = clean_env(
            {"UV_CACHE_DIR": str(layout.cache), "UV_PYTHON_INSTALL_DIR": str(layout.pythons)}
        )
        if managed_python:  # never a Python that happens to be on the machine: it may be broken or odd
            self.uv_env["UV_PYTHON_PREFERENCE"] = "only-managed"

    def uv_run(self, *arguments: str | Path, what: str) -> None:
        self.run([*self.uv, *map(str, arguments)], self.uv_env, what, echo=True)

    def run(
        self,
        command: list[str],
        env: dict[str, str],
        what: str,
        echo: bool = False,
        timeout: float | None = None,
    ) -> list[str]:
        """Run ``command``, copy its output to the log (and to the console with ``echo``), and return its
        lines; a failure raises SetupError naming ``what`` failed."""
        self.log.record(f"$ {subprocess.list2cmdline(command)}")
        started = time.monotonic()
        lines: list[str] = []
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=self.cwd,
        ) as process:
            watchdog = threading.Timer(timeout, process.kill) if timeout else None
            if watchdog is not None:
                watchdog.start()
            assert process.stdout is not None
            for raw in process.stdout:
                line = raw.decode("utf-8", "replace").rstrip()
                lines.append(line)
                if echo and line:
                    self.log.say(f"    {line}")
                else:
                    self.log.record(f"    {line}")
            code = process.wait()
            if watchdog is not None:
                watchdog.cancel()
        self.log.record(f"exit {code} after {time.monotonic() - started:.1f} s")
        if timeout and time.monotonic() - started >= timeout:
            raise SetupError(f"{what} did not finish within {timeout / 60:.0f} minutes.")
        if code != 0:
            detail = next((line.strip() for line in reversed(lines) if line.strip()), "no output")
            raise SetupError(f"{what} failed (exit {code}): {detail}")
        return lines

    def works(self, python: Path, modules: tuple[str, ...], files: bool = False) -> bool:
        """Does ``python`` start and find every one of ``modules``, and (``files``) is every file its
        installed packages list in their RECORD still there (an antivirus or a cleaner may have taken one)?"""
        if not python.exists():
            return False
        arguments = [str(python), "-I", "-c", HEALTH_CHECK, "files" if files else "modules", *modules]
        try:
            result = subprocess.run(arguments, capture_output=True, env=clean_env(), timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            self.log.record(f"{python} does not start: {error}")
            return False
        if result.returncode != 0:
            self.log.record(f"{python}: {result.stdout.decode('utf-8', 'replace').strip()}")
        return result.returncode == 0


# Run by an environment's own interpreter: exit 1 with what is missing.
HEALTH_CHECK = """
import importlib.metadata, importlib.util, os, sys
missing = [name for name in sys.argv[2:] if importlib.util.find_spec(name) is None]
if sys.argv[1] == "files":
    for dist in importlib.metadata.distributions():
        for file in dist.files or ():
            if "__pycache__" not in file.parts and not os.path.exists(file.locate()):
                missing.append(f"{dist.metadata['Name']}: {file}")
                break
if missing:
    print("missing: " + ", ".join(missing[:10]))
sys.exit(1 if missing else 0)
"""


# ----------------------------------------------------------------------------------------------------------
# Stamps: what an environment was made from


def fingerprint(parts: dict[str, Any], files: list[Path]) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode())
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def read_stamp(env: Path) -> dict[str, Any]:
    try:
        stamp = json.loads((env / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def write_stamp(env: Path, stamp: dict[str, Any]) -> None:
    target = env / STAMP
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(json.dumps(stamp, indent=2, ensure_ascii=False), encoding="utf-8")
    temporary.replace(target)


# ----------------------------------------------------------------------------------------------------------
# The steps


@dataclass
class Options:
    layout: Layout
    payload: Payload
    python: Path | None  # an existing interpreter to build the environments on, instead of uv's Python
    torch: str  # "auto" or a build name
    torch_index: str | None  # "pypi" or an index address to take torch from instead of the chosen one
    repair: bool
    verify: bool


class Bootstrap:
    def __init__(self, options: Options, log: Log, runner: Runner) -> None:
        self.options = options
        self.layout = options.layout
        self.log = log
        self.runner = runner
        self.steps_done = 0

    def step(self, text: str) -> None:
        self.steps_done += 1
        self.log.say(f"[{self.steps_done}/{STEPS}] {text}")

    def run(self) -> int:
        choice = self.choose_torch()
        self.ensure_python()
        app_changed = self.ensure_app_env()
        worker_changed, worker_key = self.ensure_worker_env(choice)
        return self.verify(choice, worker_key, changed=app_changed or worker_changed)

    def choose_torch(self) -> TorchChoice:
        self.step("Looking at this computer's NVIDIA GPUs")
        reading = bootstrap_gpu.read_machine()
        machine = reading.machine
        if reading.problem:
            self.log.say(f"    {reading.problem}")
        if reading.driver_version:
            self.log.say(f"    NVIDIA driver {reading.driver_version}")
        for gpu in machine.gpus:
            self.log.say(f"    {gpu.name}, compute capability {gpu.capability[0]}.{gpu.capability[1]}")
        if self.options.torch == "auto":
            choice = bootstrap_torch.choose_torch(machine)
        else:
            choice = bootstrap_torch.forced(machine, self.options.torch)
        if self.options.torch_index:
            choice = bootstrap_torch.with_index(choice, self.options.torch_index)
        self.log.say(f"    {choice.summary}")
        for problem in choice.problems:
            self.log.say(f"    Note: {problem}")
        source = choice.index_url or "PyPI"
        self.log.record(f"torch {choice.torch}, torchaudio {choice.torchaudio} from {source}")
        return choice

    def ensure_python(self) -> None:
        if self.options.python is not None:
            self.step(f"Using the Python at {self.options.python}")
            return
        self.step(f"Installing Python {PYTHON_VERSION}")
        self.runner.uv_run("python", "install", PYTHON_VERSION, what=f"Installing Python {PYTHON_VERSION}")

    def ensure_app_env(self) -> bool:
        payload = self.options.payload
        env = self.layout.app_env
        files = [payload.app / "pyproject.toml"] if payload.editable else [payload.app]
        key = fingerprint(
            {"bootstrap": BOOTSTRAP_VERSION, "python": self.runner.python_spec, "app": str(payload.app)},
            files,
        )
        self.step("Setting up the LocalClip program")
        state = self.state(env, key, APP_MODULES)
        if state == "current":
            self.log.say("    already set up: nothing to do")
            return False
        self.make_env(env)
        target = ["-e", str(payload.app)] if payload.editable else [str(payload.app)]
        self.install(env, target, what="Installing LocalClip", reinstall=state == "damaged")
        write_stamp(env, self.stamp(key, {"app": str(payload.app)}))
        return True

    def ensure_worker_env(self, choice: TorchChoice) -> tuple[bool, str]:
        payload = self.options.payload
        env = self.layout.worker_env
        worker_files = [payload.worker / "pyproject.toml"] if payload.worker.is_dir() else [payload.worker]
        torch = {
            "variant": choice.variant,
            "index": choice.index_url,
            "torch": choice.torch,
            "torchaudio": choice.torchaudio,
        }
        parts = {
            "bootstrap": BOOTSTRAP_VERSION,
            "python": self.runner.python_spec,
            "worker": str(payload.worker),
            "torch": torch,
        }
        key = fingerprint(parts, [payload.requirements, payload.requirements_nodeps, *worker_files])
        self.step("Setting up the worker environment (torch and the speech models' packages)")
        state = self.state(env, key, WORKER_MODULES)
        if state == "current":
            self.log.say("    already set up: nothing to do")
            return False, key
        links = self.download_torch(choice)
        self.make_env(env)
        overrides = self.layout.downloads / "torch-overrides.txt"
        overrides.parent.mkdir(parents=True, exist_ok=True)
        # Overrides pin torch and torchaudio to the chosen build everywhere in the resolution, including
        # requirements.txt's own "torch==2.8.0" and what other packages ask for.
        overrides.write_text(f"torch=={choice.torch}\ntorchaudio=={choice.torchaudio}\n", encoding="utf-8")
        worker = ["-e", str(payload.worker)] if payload.worker.is_dir() else [str(payload.worker)]
        extra = ["--override", str(overrides)]
        if links is not None:
            extra += ["--find-links", str(links)]
        self.log.say(
            "    installing torch and the worker's packages (about 3.5 GB to download the first time)"
        )
        damaged = state == "damaged"
        requirements = ["-r", str(payload.requirements), *worker, *extra]
        self.install(env, requirements, what="Installing the worker packages", reinstall=damaged)
        self.install(
            env,
            ["--no-deps", "-r", str(payload.requirements_nodeps)],
            what="Installing WeSpeaker and fish-speech",
            reinstall=damaged,
        )
        write_stamp(env, self.stamp(key, {"torch": torch}))
        return True, key

    def download_torch(self, choice: TorchChoice) -> Path | None:
        """The folder with torch's wheels from the PyTorch index (None when they come from PyPI)."""
        if choice.index_url is None:
            return None
        folder = self.layout.downloads / choice.variant
        python_tag = self.python_tag()
        os_name = bootstrap_gpu.this_os()
        for project, version in (("torch", choice.torch), ("torchaudio", choice.torchaudio)):
            try:
                link = bootstrap_download.find_wheel(choice.index_url, project, version, python_tag, os_name)
                bootstrap_download.download(link, folder, lambda text: self.log.say(f"    {text}"))
            except bootstrap_download.DownloadError as error:
                raise SetupError(str(error)) from error
        return folder

    def python_tag(self) -> str:
        if self.options.python is None:
            major, minor = PYTHON_VERSION.split(".")[:2]
            return f"cp{major}{minor}"
        lines = self.runner.run(
            [
                str(self.options.python),
                "-c",
                "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')",
            ],
            clean_env(),
            "Asking the Python for its version",
        )
        return lines[-1].strip()

    def state(self, env: Path, key: str, modules: tuple[str, ...]) -> str:
        """ "current" (made from these inputs, and it imports), "damaged" (made from these inputs, but
        something was deleted or broken since: every package is put back), or "outdated" (new, changed
        inputs, or --repair)."""
        if read_stamp(env).get("key") != key:
            return "outdated"
        if self.options.repair:
            return "damaged"
        if self.runner.works(env_python(env), modules, files=True):
            return "current"
        self.log.say(f"    {env} is damaged: putting its packages back")
        return "damaged"

    def make_env(self, env: Path) -> None:
        python = env_python(env)
        if env.exists() and not self.runner.works(python, ()):
            self.log.say(f"    {env} is damaged: making it again")
            shutil.rmtree(env)
        if not python.exists():
            self.runner.uv_run("venv", "--python", self.runner.python_spec, env, what=f"Creating {env.name}")

    def install(self, env: Path, arguments: list[str], what: str, reinstall: bool) -> None:
        repair = ["--reinstall"] if reinstall or self.options.repair else []
        self.runner.uv_run("pip", "install", "--python", env_python(env), *repair, *arguments, what=what)

    def stamp(self, key: str, details: dict[str, Any]) -> dict[str, Any]:
        when = datetime.datetime.now().isoformat(timespec="seconds")
        return {
            "key": key,
            "bootstrap": BOOTSTRAP_VERSION,
            "python": self.runner.python_spec,
            "made": when,
            **details,
        }

    # -- verification ------------------------------------------------------------------------------------

    def verify(self, choice: TorchChoice, worker_key: str, changed: bool) -> int:
        self.step("Checking that the worker starts and what it can use (probe)")
        worker_env = self.layout.worker_env
        verified = read_stamp(worker_env).get("verified")
        if not self.options.verify:
            self.log.say("    skipped, as asked")
            return EXIT_OK
        if not changed and isinstance(verified, dict) and verified.get("key") == worker_key:
            self.log.say(f"    checked before ({verified.get('when')}): {verified.get('summary')}")
            self.log.say("LocalClip is already set up; nothing was changed.")
            return EXIT_GPU_UNUSABLE if verified.get("problems") else EXIT_OK
        results = self.run_probe()
        problems = probe_problems(choice, results)
        summary = "; ".join(describe(result) for result in results)
        for line in results:
            self.log.say(f"    {describe(line)}")
        for problem in problems:
            self.log.say(f"    PROBLEM: {problem}")
        stamp = read_stamp(worker_env)
        when = datetime.datetime.now().isoformat(timespec="seconds")
        stamp["verified"] = {"key": worker_key, "when": when, "summary": summary, "problems": problems}
        write_stamp(worker_env, stamp)
        if problems:
            self.log.say("LocalClip is installed, but cannot use every GPU (see above).")
            return EXIT_GPU_UNUSABLE
        self.log.say("LocalClip is ready.")
        return EXIT_OK

    def run_probe(self) -> list[dict[str, Any]]:
        worker_python = env_python(self.layout.worker_env)
        command = [
            str(env_python(self.layout.app_env)),
            "-P",  # not the current folder on sys.path: only the installed LocalClip may answer
            "-m",
            "localclip",
            "probe",
            "--events",
            "jsonl",
            "--worker-python",
            str(worker_python),
        ]
        env = clean_env({"LOCALCLIP_WORKER_PYTHON": str(worker_python)})
        try:
            lines = self.runner.run(command, env, "The probe", timeout=PROBE_TIMEOUT_SECONDS)
        except SetupError as error:
            raise SetupError(
                f"The worker environment was installed but the worker did not answer: {error}"
            ) from None
        results, complaints = parse_probe(lines)
        if not results:
            detail = complaints[-1] if complaints else "no result"
            raise SetupError(
                f"The worker environment was installed but the worker did not answer ({detail})."
            )
        return results


def probe_problems(choice: TorchChoice, results: list[dict[str, Any]]) -> list[str]:
    """What the user must hear after the probe: the choice's own notes, each worker's mismatch between
    the torch build and its GPU (the worker's plain sentence), and a CUDA build that sees no GPU at all."""
    problems = list(choice.problems)
    for result in results:
        problems += [str(problem) for problem in result.get("problems", []) if problem not in problems]
    if choice.uses_gpu and not any(result.get("cuda_available") for result in results):
        problems.append(
            f"torch {choice.torch} was installed for CUDA but cannot use any GPU. Install the newest NVIDIA "
            "driver for your card (nvidia.com), then run Repair LocalClip."
        )
    return problems


def parse_probe(lines: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The probe results and the problems reported among ``localclip probe --events jsonl`` lines."""
    results: list[dict[str, Any]] = []
    complaints: list[str] = []
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        if event.get("event") == "item_done" and isinstance(event.get("result"), dict):
            results.append(event["result"])
        elif event.get("event") == "item_failed":
            complaints.append(str(event.get("reason")))
        elif event.get("event") == "worker_problem":
            complaints.append(str(event.get("message")))
    return results, complaints


def describe(result: dict[str, Any]) -> str:
    build = f"CUDA {result.get('torch_cuda')}" if result.get("torch_cuda") else "CPU-only build"
    devices = ", ".join(
        f"{device.get('name')} (compute capability {device.get('capability')})"
        for device in result.get("devices", [])
    )
    where = f"uses {devices}" if devices else "runs on the CPU"
    return f"worker: Python {result.get('python')}, torch {result.get('torch')} ({build}), {where}"


# ----------------------------------------------------------------------------------------------------------
# Command line


def find_uv(given: Path | None) -> list[str]:
    """uv: the one given, else uv.exe beside this script (the setup program puts it there), else on PATH,
    else the uv package of the running Python."""
    if given is not None:
        return [str(given)]
    name = "uv.exe" if os.name == "nt" else "uv"
    if os.environ.get("UV"):  # `uv run` tells the script where it is
        return [os.environ["UV"]]
    for candidate in (Path(__file__).resolve().parent / name, Path(__file__).resolve().parent.parent / name):
        if candidate.is_file():
            return [str(candidate)]
    found = shutil.which("uv")
    if found:
        return [found]
    try:
        import uv  # type: ignore[import-not-found]
    except ImportError:
        raise SetupError("uv was not found: install it (pip install uv) or pass --uv.") from None
    return [uv.find_uv_bin()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bootstrap", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--app",
        type=Path,
        default=CHECKOUT,
        help="LocalClip's source folder or wheels (default: this checkout)",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="where the environments go (default: the per-user data folder)"
    )
    parser.add_argument("--log-dir", type=Path, help="where the log goes (default: the per-user log folder)")
    parser.add_argument(
        "--cache-dir", type=Path, help="uv's cache (default: UV_CACHE_DIR, else DATA_DIR/uv-cache)"
    )
    parser.add_argument("--uv", type=Path, help="the uv executable (default: beside this script, then PATH)")
    parser.add_argument(
        "--python", type=Path, help=f"build on this interpreter instead of installing Python {PYTHON_VERSION}"
    )
    parser.add_argument(
        "--torch",
        default="auto",
        choices=["auto", "cpu", "cu126", "cu128"],
        help="torch build (default: for this machine)",
    )
    parser.add_argument(
        "--torch-index", metavar="URL|pypi", help="take torch from this index (a mirror), or from PyPI"
    )
    parser.add_argument("--repair", action="store_true", help="reinstall every package")
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="do not run the probe")
    return parser


def make_layout(args: argparse.Namespace) -> Layout:
    data = args.data_dir or _env_path("LOCALCLIP_DATA_DIR") or default_data_dir()
    logs = (
        args.log_dir
        or _env_path("LOCALCLIP_LOG_DIR")
        or (data / "Logs" if args.data_dir else default_log_dir())
    )
    cache = args.cache_dir or _env_path("UV_CACHE_DIR") or data / "uv-cache"
    return Layout(data.resolve(), logs.resolve(), cache.resolve())


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def console() -> IO[str]:
    # On Windows a pipe gets the ANSI code page (what the setup program's log page reads); a character it
    # cannot show becomes "?" there, never a crash. The log file is UTF-8.
    stream = sys.stdout
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace", line_buffering=True)
    return stream


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    layout = make_layout(args)
    try:
        log = Log(layout.log_file, console())
    except OSError as error:
        print(f"LocalClip set-up cannot write its log in {layout.logs}: {error}")
        return EXIT_FAILED
    log.record(
        f"---- LocalClip bootstrap {BOOTSTRAP_VERSION}, Python {sys.version.split()[0]}, {sys.platform}"
    )
    log.record(f"arguments: {sys.argv[1:] if argv is None else argv}")
    log.say(f"LocalClip set-up: environments in {layout.data}; log in {layout.log_file}")
    started = time.monotonic()
    try:
        code = run(args, layout, log)
    except SetupError as error:
        log.record(traceback.format_exc())
        log.say(f"LocalClip set-up did not finish: {error}")
        log.say(f"Run it again to go on from where it stopped. The full log is {layout.log_file}.")
        code = EXIT_FAILED
    except KeyboardInterrupt:
        log.say("LocalClip set-up was interrupted; run it again to go on from where it stopped.")
        code = EXIT_FAILED
    except Exception as error:  # whatever it was: the user gets a sentence, the log a traceback
        log.record(traceback.format_exc())
        log.say(f"LocalClip set-up stopped on an unexpected error: {type(error).__name__}: {error}")
        log.say(f"Please send the log {layout.log_file} to whoever supports LocalClip for you.")
        code = EXIT_FAILED
    log.say(f"({time.monotonic() - started:.0f} s)")
    log.close()
    return code


def run(args: argparse.Namespace, layout: Layout, log: Log) -> int:
    payload = find_payload(args.app)
    python = args.python.resolve() if args.python else None
    runner = Runner(log, find_uv(args.uv), layout, str(python) if python else PYTHON_VERSION, python is None)
    options = Options(layout, payload, python, args.torch, args.torch_index, args.repair, args.verify)
    layout.data.mkdir(parents=True, exist_ok=True)
    return Bootstrap(options, log, runner).run()


if __name__ == "__main__":
    sys.exit(main())
