"""The waveform of the take under review: a playhead, click-to-seek and scrubbing, and trim handles.

- **Read once, off the GUI thread.** Peaks come from one :class:`PeakCache` shared by every view, so
  moving up and down a project of 10,000 lines reads each take once. A short file (the usual take) is
  read at once, which takes a few milliseconds; a long one is read on a background thread
  (runs/background.py) while the view says it is reading.
- **Cheap repaints.** The waveform itself is drawn into a pixmap per size (at device pixels, vectorised
  with numpy: one column per pixel); the playhead, the dimmed trimmed-away parts and the handles are
  painted over it, so following the player costs a pixmap copy and a few rectangles.
- **It only asks.** A click or a drag emits `seek_requested` (continuously while scrubbing); dragging
  an in/out handle or pressing I / O emits `trim_changed` as it goes and `trim_edit_finished` once at the
  end (one undo step). The pane decides, writes the manifest and calls `set_trim` / `set_position`.

Keyboard (focused): Left/Right move the playhead 0.1 s (with Shift 1 s), Home/End to the ends, I and O set
the in and out points at the playhead (an in point after the out point clears the out point, and an out
point before the in point clears the in point, as editors do).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QWidget

from localclip.core.audio.peaks import PeakCache, Peaks, PeaksError
from localclip.runs.background import BackgroundTask

SYNC_READ_BYTES = 4 << 20  # files up to this size (~40 s of 48 kHz 16-bit mono) are read at once
MIN_KEPT_S = 0.05  # the shortest part a trim may keep
HANDLE_GRAB_PX = 6  # how near a trim handle the mouse grabs it
_STEP_S, _BIG_STEP_S = 0.1, 1.0

_shared_cache: PeakCache | None = None


def shared_peak_cache() -> PeakCache:
    """The one cache of peaks every waveform view reads through."""
    global _shared_cache
    if _shared_cache is None:
        _shared_cache = PeakCache()
    return _shared_cache


class WaveformView(QWidget):
    seek_requested = Signal(float)  # seconds: a click, or a drag while scrubbing
    trim_changed = Signal(float, object)  # trim in, trim out (None: to the end) while being edited
    trim_edit_finished = Signal(float, object)  # the same, once per edit (mouse release, I, O)
    peaks_ready = Signal()  # the file's peaks were read (or could not be): the view shows the result

    def __init__(self, parent: QWidget | None = None, cache: PeakCache | None = None) -> None:
        super().__init__(parent)
        self._cache = cache if cache is not None else shared_peak_cache()
        self._path: Path | None = None
        self._peaks: Peaks | None = None
        self._task: BackgroundTask | None = None
        self._problem = ""  # why the waveform cannot be drawn
        self._position = 0.0
        self._trim_in = 0.0
        self._trim_out: float | None = None
        self._drag: str | None = None  # "seek", "in" or "out" while the mouse is down
        self._drag_from: tuple[float, float | None] = (0.0, None)
        self._pixmap: QPixmap | None = None
        self._pixmap_key: tuple[object, ...] = ()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)  # the cursor changes over the handles
        self.setMinimumHeight(48)
        self.setAccessibleName(self.tr("Waveform"))
        self.setToolTip(
            self.tr(
                "Click or drag to move the playhead. Drag the edges to trim the take; "
                "I and O set the in and out points at the playhead."
            )
        )
        self._describe()

    # -- what it shows ---------------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def peaks(self) -> Peaks | None:
        return self._peaks

    @property
    def loading(self) -> bool:
        return self._task is not None

    @property
    def problem(self) -> str:
        return self._problem

    @property
    def duration(self) -> float:
        return self._peaks.duration if self._peaks is not None else 0.0

    @property
    def position(self) -> float:
        return self._position

    @property
    def trim(self) -> tuple[float, float | None]:
        return self._trim_in, self._trim_out

    def sizeHint(self) -> QSize:
        return QSize(480, 96)

    def set_file(self, path: Path | None) -> None:
        """Show the take at `path` (None: nothing). A different file starts with the playhead at 0 and no
        trim; the pane then sets the take's trim."""
        path = Path(path) if path is not None else None
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if path != self._path:
            self._position, self._trim_in, self._trim_out = 0.0, 0.0, None
            self._drag = None
        self._path, self._problem = path, ""
        self._set_peaks(None)
        if path is None:
            self.peaks_ready.emit()
            return
        cached = self._cache.cached(path)
        if cached is not None:
            self._on_read(path, cached)
        elif _size(path) <= SYNC_READ_BYTES:
            try:
                self._on_read(path, self._cache.get(path))
            except PeaksError as error:
                self._on_failed(path, error)
        else:
            self._read_in_background(path)

    def set_position(self, seconds: float) -> None:
        """Move the playhead (the player's position); repaints only the strips it leaves and enters."""
        seconds = max(0.0, float(seconds))
        if seconds == self._position:
            return
        old = self._x(self._position)
        self._position = seconds
        new = self._x(seconds)
        height = self.height()
        self.update(QRect(round(old) - 2, 0, 5, height))
        self.update(QRect(round(new) - 2, 0, 5, height))

    def set_trim(self, trim_in: float, trim_out: float | None) -> None:
        """The part of the take kept (seconds; out None: to the end). Outside it is drawn dimmed."""
        trim_in = max(0.0, float(trim_in))
        trim_out = float(trim_out) if trim_out is not None else None
        if (trim_in, trim_out) != (self._trim_in, self._trim_out):
            self._trim_in, self._trim_out = trim_in, trim_out
            self._describe()
            self.update()

    # -- reading ---------------------------------------------------------------------------------------

    def _read_in_background(self, path: Path) -> None:
        cache = self._cache
        task = BackgroundTask(lambda _context: cache.get(path), "localclip-peaks", owner=self)
        task.succeeded.connect(lambda peaks: self._on_read(path, peaks))
        task.failed.connect(lambda error: self._on_failed(path, error))
        self._task = task.start()
        self._describe()
        self.update()

    def _on_read(self, path: Path, peaks: Peaks) -> None:
        if path != self._path:
            return  # another file was set meanwhile
        self._task = None
        self._set_peaks(peaks)
        self.peaks_ready.emit()

    def _on_failed(self, path: Path, error: BaseException) -> None:
        if path != self._path:
            return
        self._task = None
        self._problem = str(error) if isinstance(error, (PeaksError, OSError)) else repr(error)
        self._set_peaks(None)
        self.peaks_ready.emit()

    def _set_peaks(self, peaks: Peaks | None) -> None:
        self._peaks = peaks
        self._pixmap = None
        self._describe()
        self.update()

    # -- painting --------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        rect = self.rect()
        if self._peaks is None or self._peaks.frames == 0:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._empty_text())
        else:
            painter.drawPixmap(0, 0, self._wave_pixmap())
            self._paint_trim(painter, palette)
            self._paint_playhead(painter, palette)
        if self.hasFocus():
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 1))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.end()

    def _empty_text(self) -> str:
        if self._task is not None:
            return self.tr("Reading the waveform…")
        if self._problem:
            return self.tr("The waveform cannot be drawn: {0}").format(self._problem)
        if self._path is None:
            return self.tr("No take selected")
        return self.tr("This take is empty")

    def _wave_pixmap(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        columns, rows = max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))
        palette = self.palette()
        key = (id(self._peaks), columns, rows, ratio, palette.cacheKey())
        if self._pixmap is None or key != self._pixmap_key:
            assert self._peaks is not None
            background = palette.color(QPalette.ColorRole.Base)
            wave = palette.color(QPalette.ColorRole.Highlight)
            self._pixmap = _draw_wave(self._peaks, columns, rows, background, wave)
            self._pixmap.setDevicePixelRatio(ratio)
            self._pixmap_key = key
        return self._pixmap

    def _paint_trim(self, painter: QPainter, palette: QPalette) -> None:
        height = self.height()
        start, end = self._x(self._trim_in), self._x(self._trim_out if self._trim_out is not None else 1e18)
        dim = QColor(palette.color(QPalette.ColorRole.Window))
        dim.setAlpha(190)
        if start > 0:
            painter.fillRect(QRectF(0, 0, start, height), dim)
        if end < self.width():
            painter.fillRect(QRectF(end, 0, self.width() - end, height), dim)
        handle = palette.color(QPalette.ColorRole.Text)
        for x, inward in ((start, 1), (end, -1)):
            x = min(max(x, 1.0), self.width() - 1.0)
            painter.setPen(QPen(handle, 2))
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
            # A tab at the top, pointing into the kept part: something to grab.
            painter.fillRect(QRectF(x if inward > 0 else x - 8, 0, 8, 10), handle)

    def _paint_playhead(self, painter: QPainter, palette: QPalette) -> None:
        x = self._x(self._position)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))

    # -- mouse -----------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.duration <= 0:
            super().mousePressEvent(event)
            return
        x = event.position().x()
        self._drag = self._handle_at(x) or "seek"
        self._drag_from = self.trim
        if self._drag == "seek":
            self._scrub(x, moved=False)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._drag is None:
            over = self.duration > 0 and self._handle_at(x) is not None
            self.setCursor(Qt.CursorShape.SplitHCursor if over else Qt.CursorShape.ArrowCursor)
            return
        if self._drag == "seek":
            self._scrub(x, moved=True)
        else:
            self._drag_handle(self._drag, self._seconds(x))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag in ("in", "out") and self.trim != self._drag_from:
            self.trim_edit_finished.emit(self._trim_in, self._trim_out)
        event.accept()

    def _handle_at(self, x: float) -> str | None:
        start = self._x(self._trim_in)
        end = self._x(self._trim_out) if self._trim_out is not None else float(self.width())
        near_in, near_out = abs(x - start), abs(x - end)
        if min(near_in, near_out) > HANDLE_GRAB_PX:
            return None
        return "in" if near_in < near_out or (near_in == near_out and x < end) else "out"

    def _scrub(self, x: float, moved: bool) -> None:
        seconds = self._seconds(x)
        if moved and seconds == self._position:
            return  # a move within the same pixel: nothing new to ask
        self.set_position(seconds)
        self.seek_requested.emit(seconds)

    def _drag_handle(self, handle: str, seconds: float) -> None:
        duration = self.duration
        trim_in, trim_out = self.trim
        end = trim_out if trim_out is not None else duration
        if handle == "in":
            trim_in = min(max(0.0, seconds), end - MIN_KEPT_S)
        else:
            end = max(min(duration, seconds), trim_in + MIN_KEPT_S)
            trim_out = None if end >= duration - 1e-6 else end
        self._emit_trim(max(0.0, trim_in), trim_out, finished=False)

    # -- keyboard --------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.duration <= 0 or not self._key(Qt.Key(event.key()), event.modifiers()):
            super().keyPressEvent(event)  # ignored: the pane gets it (J/K/L, Space, ...)
            return
        event.accept()

    def _key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> bool:
        step = _BIG_STEP_S if modifiers & Qt.KeyboardModifier.ShiftModifier else _STEP_S
        moves = {
            Qt.Key.Key_Left: self._position - step,
            Qt.Key.Key_Right: self._position + step,
            Qt.Key.Key_Home: 0.0,
            Qt.Key.Key_End: self.duration,
        }
        if key in moves:
            seconds = min(max(0.0, moves[key]), self.duration)
            self.set_position(seconds)
            self.seek_requested.emit(seconds)
            return True
        if key == Qt.Key.Key_I:
            self._mark_in(self._position)
            return True
        if key == Qt.Key.Key_O:
            self._mark_out(self._position)
            return True
        return False

    def _mark_in(self, seconds: float) -> None:
        if seconds > self.duration - MIN_KEPT_S:
            return  # nothing would be kept
        trim_out = self._trim_out
        if trim_out is not None and seconds > trim_out - MIN_KEPT_S:
            trim_out = None  # an in point after the out point: the out point goes
        self._emit_trim(seconds, trim_out, finished=True)

    def _mark_out(self, seconds: float) -> None:
        if seconds < MIN_KEPT_S:
            return
        trim_in = self._trim_in if self._trim_in < seconds - MIN_KEPT_S else 0.0
        self._emit_trim(trim_in, None if seconds >= self.duration - 1e-6 else seconds, finished=True)

    def _emit_trim(self, trim_in: float, trim_out: float | None, finished: bool) -> None:
        if (trim_in, trim_out) == self.trim and not finished:
            return
        self.set_trim(trim_in, trim_out)
        self.trim_changed.emit(trim_in, trim_out)
        if finished:
            self.trim_edit_finished.emit(trim_in, trim_out)

    # -- seconds and pixels ----------------------------------------------------------------------------

    def _x(self, seconds: float) -> float:
        duration = self.duration
        if duration <= 0:
            return 0.0
        return min(1.0, max(0.0, seconds / duration)) * self.width()

    def _seconds(self, x: float) -> float:
        width = max(1, self.width())
        return min(1.0, max(0.0, x / width)) * self.duration

    def _describe(self) -> None:
        """What a screen reader says about the view (the take's length, the kept part, the playhead)."""
        if self._peaks is None:
            self.setAccessibleDescription(self._empty_text())
            return
        end = self._trim_out if self._trim_out is not None else self.duration
        self.setAccessibleDescription(
            self.tr("Take of {0:.1f} s; kept from {1:.1f} s to {2:.1f} s").format(
                self.duration, self._trim_in, end
            )
        )


def _draw_wave(peaks: Peaks, columns: int, rows: int, background: QColor, wave: QColor) -> QPixmap:
    """The waveform as a pixmap of `columns` x `rows` device pixels: one vertical bar per column from its
    minimum to its maximum (at least one pixel, so silence shows as the centre line)."""
    mins, maxs = peaks.reduce(columns)
    middle = (rows - 1) / 2
    scale = max(1.0, rows / 2 - 1)  # full scale (1.0) reaches the top and bottom pixel rows
    top = np.clip(np.rint(middle - maxs.astype(np.float64) * scale), 0, rows - 1).astype(np.int32)
    bottom = np.clip(np.rint(middle - mins.astype(np.float64) * scale), 0, rows - 1).astype(np.int32)
    bottom = np.maximum(bottom, top)
    row = np.arange(rows, dtype=np.int32)[:, None]
    image = np.where((row >= top) & (row <= bottom), np.uint32(wave.rgba()), np.uint32(background.rgba()))
    image = np.ascontiguousarray(image, dtype=np.uint32)
    qimage = QImage(image.data, columns, rows, columns * 4, QImage.Format.Format_ARGB32)
    return QPixmap.fromImage(qimage)  # copies the pixels: the array may go


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # missing: read at once, which says so
