"""Per-user settings: an INI file (QSettings) in the platform's config folder.

Each option is declared once with its type and default (localclip/core/options.py); reading coerces what
the file holds (INI values come back as strings) and falls back to the default for a value that does not
parse, so a hand-edited or damaged file never stops the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings

from localclip.core.kinds import DEFAULT_INTERPRETER, INTERPRETER_KINDS, base_plan_settings
from localclip.core.machine.plan import PlanSettings
from localclip.core.options import Option, python_option
from localclip.core.paths import bundled_worker_python, config_dir

T = TypeVar("T")


class Settings:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "localclip.ini"
        self._store = QSettings(str(self.path), QSettings.Format.IniFormat)

    def get(self, option: Option[T]) -> T:
        raw = self._store.value(option.key, None)
        return option.default if raw is None else option.coerce(raw)

    def set(self, option: Option[T], value: T) -> None:
        self._store.setValue(option.key, option.coerce(value))

    def sync(self) -> None:
        self._store.sync()

    def worker_python(self, kind: str) -> Path:
        """The interpreter for job ``kind``: its own setting, else the default one, else the bundled env."""
        for name in (kind, DEFAULT_INTERPRETER):
            if name in INTERPRETER_KINDS and (chosen := self.get(python_option(name))):
                return Path(chosen)
        return bundled_worker_python()

    def set_worker_python(self, kind: str, python: Path | None) -> None:
        if kind not in INTERPRETER_KINDS:
            raise ValueError(f"unknown job kind {kind!r}; expected one of {', '.join(INTERPRETER_KINDS)}")
        self.set(python_option(kind), str(python) if python else "")

    def plan_settings(self) -> PlanSettings:
        return base_plan_settings(self)
