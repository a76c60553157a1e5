"""The loudness of the review pane's kept takes (TakeLoudness): measured off the GUI thread
(core/audio/loudness.py), once per take file, once the selection rests.

Each file is measured once per name, modification time and size (a take made again under the same name is
measured again); the results stay until the pane reads its project again. The pane shows them and flags a
silent take.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from localclip.core.audio.loudness import Loudness, measure_file
from localclip.runs.background import run_in_background

LOUDNESS_DELAY_MS = 150  # the selection rests this long before the kept take's loudness is measured
FileKey = tuple[Path, int, int]
UNMEASURED = Loudness(None, float("nan"))  # the file could not be measured (nan: never "silent")


class TakeLoudness(QObject):
    """Measured loudness per take file (`FileKey`): None while it is being measured, `UNMEASURED` when it
    could not be. `schedule()` measures the file `current_path()` names once the delay has passed (holding
    Down through a long project must not start a thread per line); `measured` follows on the GUI thread."""

    measured = Signal(object, object)  # FileKey, Loudness (UNMEASURED: the file could not be measured)

    def __init__(self, current_path: Callable[[], Path | None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current_path = current_path
        self._known: dict[FileKey, Loudness | None] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOUDNESS_DELAY_MS)
        self._timer.timeout.connect(self._measure_current)

    def __contains__(self, key: Any) -> bool:
        return key in self._known

    def __getitem__(self, key: FileKey) -> Loudness | None:
        return self._known[key]

    def get(self, key: FileKey) -> Loudness | None:
        return self._known.get(key)

    def clear(self) -> None:
        self._known.clear()

    def schedule(self) -> None:
        """Measure the current take once the selection has rested (again from now when already waiting)."""
        self._timer.start()

    def cancel(self) -> None:
        self._timer.stop()

    def _measure_current(self) -> None:
        path = self._current_path()
        if path is None:
            return
        key = file_key(path)
        if key in self._known:
            return
        self._known[key] = None
        run_in_background(
            lambda: measure_file(path),
            lambda loudness: self._on_measured(key, loudness),
            lambda _error: self._on_measured(key, UNMEASURED),
            "localclip-loudness",
            owner=self,
        )

    def _on_measured(self, key: FileKey, loudness: Loudness) -> None:
        self._known[key] = loudness
        self.measured.emit(key, loudness)


def file_key(path: Path) -> FileKey:
    """A take file as measured: a file made again under the same name is measured again."""
    try:
        stat = path.stat()
    except OSError:
        return (path, 0, 0)
    return (path, stat.st_mtime_ns, stat.st_size)


def measured_silent(loudness: Loudness | None) -> bool:
    return loudness is not None and loudness.silent
