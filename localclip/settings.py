"""Per-user settings: an INI file (QSettings) in the platform's config folder.

Each option is declared once with its type and default (localclip/core/options.py); reading coerces what
the file holds (INI values come back as strings) and falls back to the default for a value that does not
parse, so a hand-edited or damaged file never stops the app.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings

from localclip.core.kinds import DEFAULT_INTERPRETER, INTERPRETER_KINDS, base_plan_settings
from localclip.core.machine.plan import PlanSettings
from localclip.core.options import RECENT_FOLDERS, Option, python_option
from localclip.core.paths import bundled_worker_python, config_dir

T = TypeVar("T")
RECENT_KEPT = 8  # File > Open recent


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

    def get_paths(self, option: Option[str]) -> list[Path]:
        """A list of folders stored as a JSON array (anything else, hand-edited or damaged: no folders)."""
        try:
            values = json.loads(self.get(option))
        except ValueError:
            return []
        if not isinstance(values, list):
            return []
        return [Path(value) for value in values if isinstance(value, str) and value]

    def set_paths(self, option: Option[str], paths: list[Path]) -> None:
        self.set(option, json.dumps([str(path) for path in paths], ensure_ascii=False))

    def recent_folders(self) -> list[Path]:
        """Folders opened or dropped, newest first (at most ``RECENT_KEPT``)."""
        return self.get_paths(RECENT_FOLDERS)[:RECENT_KEPT]

    def add_recent_folder(self, folder: Path) -> None:
        folder = Path(folder)
        kept = [path for path in self.recent_folders() if path != folder]
        self.set_paths(RECENT_FOLDERS, [folder, *kept][:RECENT_KEPT])

    def forget_recent_folders(self, folders: list[Path]) -> None:
        """Drop ``folders`` from the recent list (e.g. gone from the disk)."""
        gone = {Path(folder) for folder in folders}
        self.set_paths(RECENT_FOLDERS, [path for path in self.recent_folders() if path not in gone])

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
