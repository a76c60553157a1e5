"""The application's icons: SVG files in resources/icons/, sharp at any scale (high-DPI screens)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from localclip.core.paths import resources_dir


@cache
def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg``; an empty icon if the file is missing (never an error)."""
    return QIcon(str(resources_dir() / "icons" / f"{name}.svg"))
