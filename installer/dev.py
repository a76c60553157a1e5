"""Set up LocalClip from a source checkout, then run the demo or the tests.

    python installer/dev.py demo     # create both environments, run the demo (headless)
    python installer/dev.py test     # create both environments, run the checks and the whole test suite

The same commands work in Windows PowerShell. Creates (idempotently; a second run takes seconds):
  .venv/              the app environment: PySide6, numpy, nvidia-ml-py, soundfile, ... and localclip itself
  worker_env/.venv/   the worker environment: torch and the model packages (worker_env/requirements.txt)
Both are installed with uv, itself installed from PyPI into the app environment.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ENV = ROOT / ".venv"
WORKER_ENV = ROOT / "worker_env" / ".venv"
STAMP = ".localclip-installed"

# Debian packages Qt needs on a machine without a desktop: EGL/GL and fonts for widgets (offscreen too),
# PulseAudio's client library for Qt Multimedia, the xcb libraries and Xvfb for screenshots.
DEBIAN_PACKAGES = [
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libdbus-1-3",
    "libglib2.0-0",
    "libpulse0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-image0",
    "xvfb",
    "xauth",
    "fonts-wqy-microhei",  # Chinese and Japanese glyphs: the zh_CN interface and the example lines
    "nsis",  # makensis: builds the Windows setup program on Linux (installer/build_setup.py, in the tests)
]


def say(text: str) -> None:
    print(f"[localclip] {text}", flush=True)


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def env_tool(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / (f"{name}.exe" if os.name == "nt" else name)


def run(command: list[str | Path], **kwargs: object) -> None:
    subprocess.run([str(part) for part in command], check=True, **kwargs)  # type: ignore[call-overload]


def fingerprint(*files: Path) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def is_current(env: Path, stamp: str) -> bool:
    marker = env / STAMP
    return env_python(env).exists() and marker.exists() and marker.read_text() == stamp


def debian_package_installed(name: str) -> bool:
    query = [shutil.which("dpkg-query") or "dpkg-query", "-W", "-f=${Status}", name]
    return subprocess.run(query, capture_output=True, text=True, check=False).stdout == "install ok installed"


def install_system_packages() -> None:
    """On Debian/Ubuntu as root, install the libraries Qt needs; elsewhere say what is missing."""
    if not sys.platform.startswith("linux") or shutil.which("dpkg-query") is None:
        return
    missing = [name for name in DEBIAN_PACKAGES if not debian_package_installed(name)]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        say(f"missing system packages (install them with apt-get): {' '.join(missing)}")
        return
    say(f"installing system packages: {' '.join(missing)}")
    quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    run(["apt-get", "update", "-qq"], **quiet)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], **quiet)


def ensure_app_env() -> Path:
    stamp = fingerprint(ROOT / "pyproject.toml", ROOT / "worker_env" / "pyproject.toml")
    if is_current(APP_ENV, stamp):
        return env_tool(APP_ENV, "uv")
    if not env_python(APP_ENV).exists():
        say(f"creating the app environment in {APP_ENV}")
        run([sys.executable, "-m", "venv", APP_ENV])
    uv = env_tool(APP_ENV, "uv")
    if not uv.exists():
        run([env_python(APP_ENV), "-m", "pip", "install", "-q", "--disable-pip-version-check", "uv"])
    say("installing LocalClip and its dependencies into the app environment")
    run([uv, "pip", "install", "-q", "--python", env_python(APP_ENV), "-e", f"{ROOT}[dev]"])
    (APP_ENV / STAMP).write_text(stamp)
    return uv


def ensure_worker_env(uv: Path) -> None:
    requirements = ROOT / "worker_env" / "requirements.txt"
    without_deps = ROOT / "worker_env" / "requirements-nodeps.txt"
    stamp = fingerprint(requirements, without_deps, ROOT / "worker_env" / "pyproject.toml")
    if is_current(WORKER_ENV, stamp):
        return
    if not env_python(WORKER_ENV).exists():
        say(f"creating the worker environment in {WORKER_ENV}")
        run([uv, "venv", "-q", "--python", sys.executable, WORKER_ENV])
    say("installing torch and the worker program into the worker environment (a few GB the first time)")
    python = env_python(WORKER_ENV)
    run([uv, "pip", "install", "-q", "--python", python, "-r", requirements, "-e", ROOT / "worker_env"])
    run([uv, "pip", "install", "-q", "--python", python, "--no-deps", "-r", without_deps])
    (WORKER_ENV / STAMP).write_text(stamp)


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PYTHONUTF8="1", LOCALCLIP_WORKER_PYTHON=str(env_python(WORKER_ENV)))
    if not os.environ.get("DISPLAY") and os.name != "nt" and sys.platform != "darwin":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_demo() -> int:
    say("demo: probe every worker, then embed a generated dataset with a random-weight model")
    command = [str(env_tool(APP_ENV, "localclip")), "demo"]
    return subprocess.run(command, env=child_env(), check=False).returncode


def run_tests(pytest_args: list[str]) -> int:
    env = child_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    checks = [
        ("ruff", [env_tool(APP_ENV, "ruff"), "check", ROOT]),
        ("ruff format", [env_tool(APP_ENV, "ruff"), "format", "--check", "--quiet", ROOT]),
        ("import-linter", [env_tool(APP_ENV, "lint-imports"), "--no-cache"]),
        ("pytest", [env_python(APP_ENV), "-m", "pytest", *pytest_args]),
    ]
    for name, command in checks:
        say(f"running {name}")
        code = subprocess.run([str(part) for part in command], cwd=ROOT, env=env, check=False).returncode
        if code != 0:
            say(f"{name} failed (exit {code})")
            return code
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["demo", "test", "setup"])
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (test only)")
    args = parser.parse_args()
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before any environment exists
        say(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
        return 2
    started = time.monotonic()
    install_system_packages()
    ensure_worker_env(ensure_app_env())
    say(f"environments ready in {time.monotonic() - started:.1f} s")
    if args.command == "demo":
        return run_demo()
    if args.command == "test":
        return run_tests(args.pytest_args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
