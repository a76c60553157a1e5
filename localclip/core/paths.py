"""Where LocalClip finds its worker interpreter and keeps its files."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "LocalClip"
WORKER_MODULE = "localclip_worker"
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the checkout, when running from source


def venv_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def bundled_worker_python() -> Path:
    """The worker environment's interpreter: ``LOCALCLIP_WORKER_PYTHON``, else the checkout's
    ``worker_env/.venv``, else the per-user environment the installer creates."""
    override = os.environ.get("LOCALCLIP_WORKER_PYTHON")
    if override:
        return Path(override)
    in_checkout = venv_python(SOURCE_ROOT / "worker_env" / ".venv")
    if in_checkout.exists():
        return in_checkout
    return venv_python(user_data_dir() / "worker-env")


def worker_package_dir() -> Path:
    """The folder to ``pip install`` into a user's own environment to make it a LocalClip worker."""
    return SOURCE_ROOT / "worker_env"


def resources_dir() -> Path:
    return SOURCE_ROOT / "resources"


def config_dir() -> Path:
    override = os.environ.get("LOCALCLIP_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs  # here: the Qt-free driver imports this module on machines without platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
