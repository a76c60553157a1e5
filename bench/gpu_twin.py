"""A twin of the lent GPU machine's Python, on this machine, to rehearse GPU checks on the CPU.

    .venv/bin/python bench/gpu_twin.py [--python PATH_TO_PYTHON3.12] [--wheels .whl]

Builds ``build/gpu-twin/.venv``: Python 3.12 with the packages the GPU machine comes with (torch 2.11.0,
torchaudio 2.11.0, transformers 5.17.0, numpy 2.5.2...; PyPI's Linux torch wheels are CUDA builds that also
run on the CPU), pruned to the machine's package names so that nothing it lacks hides a missing wheel. Then
the wheel set (``.whl/``, made by bench/gpu_wheels.py) goes in exactly as on the GPU machine: by
bench/gpu_setup.py, run by the twin's own interpreter, into ``build/gpu-twin/site``, with a ``.pth`` file
that puts it (and the worker program) on the path of every start of that interpreter, ``-I`` included.
``build/gpu-twin/.venv/bin/python`` is then a worker interpreter (``LOCALCLIP_WORKER_PYTHON``).

Idempotent: a second run re-checks the packages (seconds) and re-installs the wheels. Needs the app
environment's uv (``.venv/bin/uv``) and PyPI; no Python is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TWIN = ROOT / "build" / "gpu-twin"
VENV = TWIN / ".venv"
SITE = TWIN / "site"
PYTHON = VENV / "bin" / "python"

# Versions the GPU machine reported (device notes, 2026-11): the ones our code path imports, and the ones
# that change what it imports (torchvision is picked up by transformers and lightning when present).
MACHINE_PINNED = [
    "torch==2.11.0",
    "torchaudio==2.11.0",
    "torchvision==0.26.0",
    "triton==3.6.0",
    "numpy==2.5.2",
    "transformers==5.17.0",
    "tokenizers==0.23.2",
    "safetensors==0.8.0",
    "huggingface-hub==1.33.0",
    "tiktoken==0.14.0",
    "lightning==2.6.6",
    "pytorch-lightning==2.6.6",
    "torchmetrics==1.9.0",
    "accelerate==1.15.0",
    "onnxruntime==1.30.0",
]
# On the machine at versions nobody has read: PyPI's newest as of the package list's date stands in.
MACHINE_UNPINNED = [
    "peft",  # imported by WeSpeaker's CLI module when present (stubbed when not)
    "einops",
    "nvidia-ml-py",
    "psutil",
    "pyyaml",
    "scipy",
    "scikit-learn",
    "numba",
    "joblib",
    "msgpack",
    "lazy-loader",
    "rich",
    "requests",
    "tqdm",
    "pillow",
    "click",
    "tensorboard",
    "packaging",
    "regex",
    "setuptools",
]
LIST_DATE = "2026-11-17"

MACHINE_PACKAGES = BENCH / "gpu_machine_packages.txt"  # names only
NEVER = ("PySide6", "shiboken6")  # the app's GUI: a worker must not depend on it


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def say(message: str) -> None:
    print(f"gpu_twin: {message}", flush=True)


def run(command: Sequence[str | Path], capture: bool = False) -> str:
    """Run ``command`` (failing loudly); its stdout when ``capture``."""
    done = subprocess.run([str(part) for part in command], check=True, capture_output=capture, text=True)
    return done.stdout if capture else ""


def uv() -> Path:
    found = Path(sys.executable).parent / "uv"
    if found.is_file():
        return found
    which = shutil.which("uv")
    if which is None:
        raise SystemExit("gpu_twin: no uv: run 'python installer/dev.py test' first (it installs uv)")
    return Path(which)


def find_python312(given: str | None) -> Path:
    """The 3.12 interpreter to base the venv on: --python, else uv's search, else pyenv's."""
    if given:
        return Path(given)
    done = subprocess.run(
        [uv(), "python", "find", "--no-python-downloads", "3.12"], capture_output=True, text=True
    )
    if done.returncode == 0 and done.stdout.strip():
        return Path(done.stdout.strip())
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = sorted(pyenv.glob("versions/3.12*/bin/python3.12"))
    if not candidates:
        raise SystemExit("gpu_twin: no Python 3.12 found: pass --python PATH")
    return candidates[-1]


def python_version(python: Path) -> str:
    done = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    )
    return done.stdout.strip()


def make_venv(base: Path) -> None:
    if PYTHON.is_file() and python_version(PYTHON).startswith("3.12."):
        say(f"venv {VENV} exists (Python {python_version(PYTHON)})")
        return
    shutil.rmtree(VENV, ignore_errors=True)
    # --seed: pip in the venv, as the machine's (bench/gpu_setup.py installs the wheels with it).
    run([uv(), "venv", "--seed", "--python", base, VENV])
    say(f"created {VENV} from {base} (Python {python_version(PYTHON)})")


def install_machine_packages() -> None:
    command = [uv(), "pip", "install", "--python", PYTHON, "--exclude-newer", LIST_DATE]
    run([*command, *MACHINE_PINNED, *MACHINE_UNPINNED])
    say("machine packages installed")


def installed() -> dict[str, str]:
    """The venv's own distributions: not the wheel set that the .pth file puts on the path."""
    code = (
        "import importlib.metadata as m, json, sys; "
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions(path=[sys.argv[1]])}))"
    )
    return json.loads(run([PYTHON, "-I", "-c", code, site_packages()], capture=True))


def site_packages() -> Path:
    return next(VENV.glob("lib/python3.12/site-packages"))


def machine_names() -> set[str]:
    text = MACHINE_PACKAGES.read_text(encoding="utf-8")
    return {normalized(name) for line in text.splitlines() for name in line.split("#", 1)[0].split()}


def prune_to_machine() -> None:
    """Anything the resolver brought in that the machine lacks goes: its absence must show here too."""
    allowed = machine_names()
    extra = sorted(name for name in installed() if normalized(name) not in allowed)
    if extra:
        run([uv(), "pip", "uninstall", "--python", PYTHON, *extra])
        say(f"removed what the machine does not have: {', '.join(extra)}")


def install_wheel_set(wheels: Path) -> None:
    # The same script, run the same way, as the GPU command runs first (bench/README.md).
    run([PYTHON, BENCH / "gpu_setup.py", "--wheels", wheels, "--site", SITE])


def check() -> None:
    versions = installed()
    shown = ("torch", "torchaudio", "transformers", "numpy", "scipy", "peft", "lightning")
    say("twin has " + ", ".join(f"{name} {versions[name]}" for name in shown if name in versions))
    probe = (
        "import importlib.util, localclip_worker, soundfile, torch; "
        f"print(localclip_worker.__file__, [n for n in {list(NEVER)!r} if importlib.util.find_spec(n)])"
    )
    where, _, gui = run([PYTHON, "-I", "-c", probe], capture=True).strip().partition(" ")
    if gui != "[]":
        raise SystemExit(f"gpu_twin: the twin can import {gui}; the GPU machine cannot")
    say(f"'{PYTHON} -I' imports the worker program from {where}, and no PySide6")
    say(f"use it as the worker interpreter: LOCALCLIP_WORKER_PYTHON={PYTHON}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--python", help="a Python 3.12 interpreter to base the venv on")
    parser.add_argument("--wheels", type=Path, default=ROOT / ".whl", help="the wheel set (default: .whl)")
    args = parser.parse_args()
    if not any(args.wheels.glob("*.whl")):
        raise SystemExit(f"gpu_twin: no wheels in {args.wheels}: run bench/gpu_wheels.py first")
    make_venv(find_python312(args.python))
    install_machine_packages()
    prune_to_machine()
    install_wheel_set(args.wheels)
    check()


if __name__ == "__main__":
    main()
