"""Playing one clip at a time: QMediaPlayer + QAudioOutput behind a small state enum of our own.

- **Never an exception.** Qt Multimedia is imported when the first clip plays (not on the window's
  start-up path); if it cannot load, or the media backend reports an error, `error` carries a sentence
  and the player stays stopped.
- **No sound card.** Qt's FFmpeg backend (the default on Windows, macOS and Linux since Qt 6.5, so
  QT_MEDIA_BACKEND is left alone) plays on the clock when there is no audio device: the clip runs to its
  end silently. `notice` then says so, for the window to show.
- **Files are let go.** Windows keeps a file open while the player holds it as its source, which blocks
  replacing or exporting over it. `release()` stops and clears the source; the player also releases a
  clip by itself when it reaches its end or fails. A paused clip stays held (the person is on it).
- **Seconds.** `position_changed` and `duration_changed` are in seconds; `play(path, start, end)` plays
  within a take's trim and stops at `end` as if the clip ended there (`finished`, then let go). Qt ignores
  a position set before the media is loaded, so the start is applied once it is.
- **Shuttle.** :class:`ShuttleControl` is the editor's J/K/L on top of the player (see there).
"""

from __future__ import annotations

import os
import time
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal

_END_EARLY_S = 0.3  # within this of the trim's end, a timer stops the clip on time (ticks are ~85 ms apart)


class PlaybackState(Enum):
    STOPPED = "stopped"
    LOADING = "loading"
    PLAYING = "playing"
    PAUSED = "paused"  # the clip is held at its position, ready to resume


class ClipPlayer(QObject):
    state_changed = Signal(object)  # PlaybackState
    finished = Signal(object)  # Path: the clip played to its end (or to the `end` it was played to)
    error = Signal(str)  # a sentence for the person; the player is stopped
    position_changed = Signal(float)  # seconds into the clip (playing, paused or sought)
    duration_changed = Signal(float)  # the clip's length in seconds, once the media system knows it
    progress_changed = Signal(int, int)  # milliseconds played, the clip's length in milliseconds

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: Any = None  # QMediaPlayer, made on the first play()
        self._output: Any = None
        self._qml: Any = None  # the QQmlEngine that made the audio output (see _audio_output)
        self._qml_component: Any = None
        self._multimedia: Any = None  # the PySide6.QtMultimedia module once loaded
        self._path: Path | None = None
        self._state = PlaybackState.STOPPED
        self._unavailable = ""  # why Qt Multimedia cannot be used
        self.notice = ""  # e.g. no audio device: clips play silently
        self._position = 0.0  # seconds: the last position known (kept after a stop)
        self._duration = 0.0
        self._end: float | None = None  # where the clip being played stops (its trim's out point)
        self._pending_seek: float | None = None  # a position for once the media is loaded
        self._rate = 1.0
        self._end_timer = QTimer(self)
        self._end_timer.setSingleShot(True)
        self._end_timer.timeout.connect(self._reach_end)

    # -- state -----------------------------------------------------------------------------------------

    @property
    def state(self) -> PlaybackState:
        return self._state

    @property
    def current_path(self) -> Path | None:
        """The clip the player holds (playing, paused or loaded), or None."""
        return self._path

    @property
    def available(self) -> bool:
        return self._ensure_player()

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def end(self) -> float | None:
        """Where the clip being played stops, in seconds (None: at its end)."""
        return self._end

    def duration(self) -> float:
        """The held clip's length in seconds (0 until the media system knows it)."""
        return self._duration

    def position(self) -> float:
        """Seconds into the clip: where it plays, is paused, or was last sought to or stopped."""
        if self._pending_seek is not None:
            return self._pending_seek
        if self._player is not None and self._path is not None and self._state != PlaybackState.STOPPED:
            return self._player.position() / 1000
        return self._position

    def holds(self, path: Path) -> bool:
        """Whether the player has `path` open (so it must `release()` before the file is replaced)."""
        return self._path is not None and _same_file(self._path, Path(path))

    # -- commands --------------------------------------------------------------------------------------

    def play(self, path: Path, start: float = 0.0, end: float | None = None) -> bool:
        """Play `path` from `start` seconds to `end` (None: its end); whatever was playing stops. False,
        with `error`, when it cannot."""
        path = Path(path)
        if not path.is_file():
            self.release()
            self.error.emit(self.tr("The clip {0} is missing: it cannot be played.").format(path))
            return False
        if not self._ensure_player():
            self.error.emit(self._unavailable)
            return False
        if self._path is not None:
            self._player.stop()
        self._end_timer.stop()
        start = max(0.0, float(start))
        self._path = path
        self._end = float(end) if end is not None and end > start else None
        self._pending_seek = start if start > 0 else None
        self._duration = 0.0
        self._set_state(PlaybackState.LOADING)
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self._player.setPlaybackRate(self._rate)
        self._player.play()
        self._set_position(start)
        return True

    def stop(self) -> None:
        self._end_timer.stop()
        self._pending_seek = None
        if self._player is not None and self._path is not None:
            self._position = self.position()
            self._player.stop()
        self._set_state(PlaybackState.STOPPED)

    def pause(self) -> None:
        """Hold the clip where it is (it stays open); `resume()` plays on from there."""
        if self._path is None or self._state not in (PlaybackState.PLAYING, PlaybackState.LOADING):
            return
        self._end_timer.stop()
        self._player.pause()
        self._set_state(PlaybackState.PAUSED)

    def resume(self) -> bool:
        """Play on from a pause. False when nothing is paused."""
        if self._path is None or self._state != PlaybackState.PAUSED:
            return False
        self._player.setPlaybackRate(self._rate)
        self._player.play()
        self._set_state(PlaybackState.PLAYING)
        return True

    def seek(self, seconds: float) -> None:
        """Move to `seconds` into the clip: where it plays on from, or, with no clip held, where the
        playhead shows (`position_changed` either way)."""
        seconds = max(0.0, float(seconds))
        if self._duration > 0:
            seconds = min(seconds, self._duration)
        if self._path is not None and self._player is not None and self._state != PlaybackState.STOPPED:
            if self._pending_seek is not None or not self._media_loaded():
                self._pending_seek = seconds  # not loaded yet: applied once it is (Qt would drop it)
            else:
                self._player.setPosition(round(seconds * 1000))
        self._set_position(seconds)
        self._arm_end_timer(seconds)

    def set_rate(self, rate: float) -> None:
        """Play faster or slower (the shuttle's 2x and 4x); kept for the following clips."""
        self._rate = min(8.0, max(0.25, float(rate)))
        if self._player is not None:
            self._player.setPlaybackRate(self._rate)

    def release(self) -> None:
        """Stop and let go of the file (Windows unlocks it only once the source is cleared)."""
        self.stop()
        if self._player is not None and self._path is not None:
            self._player.setSource(QUrl())
        self._path = None
        self._end = None

    # -- Qt Multimedia ---------------------------------------------------------------------------------

    def _ensure_player(self) -> bool:
        if self._player is not None:
            return True
        if self._unavailable:
            return False
        try:
            from PySide6 import QtMultimedia
        except ImportError as error:  # e.g. a system library it needs is missing
            self._unavailable = self.tr(
                "Clips cannot be played on this computer: Qt Multimedia could not be loaded ({0})."
            ).format(error)
            return False
        self._multimedia = QtMultimedia
        self._player = QtMultimedia.QMediaPlayer(self)
        self._output = self._audio_output()
        self._player.setAudioOutput(self._output)
        if not QtMultimedia.QMediaDevices.audioOutputs():
            self.notice = self.tr("No audio output device was found: clips play without sound.")
        self._player.mediaStatusChanged.connect(self._on_media_status)
        self._player.playbackStateChanged.connect(self._on_playback_state)
        self._player.errorOccurred.connect(self._on_error)
        self._player.positionChanged.connect(self._on_position)
        self._player.durationChanged.connect(self._on_duration)
        return True

    def _audio_output(self) -> Any:
        """A QAudioOutput made by Qt itself, not by Python. Qt's FFmpeg backend ends its audio renderer on
        a thread of its own (after a seek, a pause, a stop), which tells the output that a connection
        went; for an object made in Python that call waits for the GIL, which this thread holds while it
        waits for the same connection lock in stop(): a deadlock (seen within a few seek+stop rounds on
        Linux). An output made through QML has no Python side to ask. Python's own is the fallback."""
        try:
            from PySide6.QtQml import QQmlComponent, QQmlEngine
        except ImportError:
            return self._multimedia.QAudioOutput(self)
        self._qml = QQmlEngine(self)  # kept: the component and what it made live as long as it
        self._qml_component = QQmlComponent(self._qml)
        self._qml_component.setData(b"import QtMultimedia\nAudioOutput {}\n", QUrl())
        output = self._qml_component.create()
        if output is None:  # the QtMultimedia QML module is missing
            return self._multimedia.QAudioOutput(self)
        output.setParent(self)
        return output

    def _on_media_status(self, status: Any) -> None:
        statuses = self._multimedia.QMediaPlayer.MediaStatus
        if status in (statuses.LoadedMedia, statuses.BufferingMedia, statuses.BufferedMedia):
            self._apply_pending_seek()
        if status == statuses.EndOfMedia and self._path is not None:
            self._end_of_clip()
        elif status == statuses.InvalidMedia and self._path is not None:
            self._fail(self.tr("it is not an audio file Qt can read"))

    def _media_loaded(self) -> bool:
        statuses = self._multimedia.QMediaPlayer.MediaStatus
        loaded = (statuses.LoadedMedia, statuses.BufferingMedia, statuses.BufferedMedia, statuses.EndOfMedia)
        return self._player.mediaStatus() in loaded

    def _apply_pending_seek(self) -> None:
        if self._pending_seek is None or self._path is None:
            return
        seconds, self._pending_seek = self._pending_seek, None
        self._player.setPosition(round(seconds * 1000))

    def _on_playback_state(self, state: Any) -> None:
        states = self._multimedia.QMediaPlayer.PlaybackState
        if self._path is None:
            return
        if state == states.PlayingState and self._state != PlaybackState.PAUSED:
            self._set_state(PlaybackState.PLAYING)
        elif state == states.PausedState and self._state == PlaybackState.PLAYING:
            self._set_state(PlaybackState.PAUSED)
        elif state == states.StoppedState and self._state in (PlaybackState.PLAYING, PlaybackState.PAUSED):
            self._set_state(PlaybackState.STOPPED)

    def _on_position(self, milliseconds: int) -> None:
        if self._path is None or self._pending_seek is not None or self._state == PlaybackState.STOPPED:
            return  # before the start is applied, or Qt's rewind on a stop: not where the clip is
        seconds = milliseconds / 1000
        self.progress_changed.emit(int(milliseconds), int(self._player.duration()))
        if self._end is not None and seconds >= self._end and self._state == PlaybackState.PLAYING:
            self._reach_end()
            return
        self._set_position(seconds)
        self._arm_end_timer(seconds)

    def _on_duration(self, milliseconds: int) -> None:
        if self._path is not None and milliseconds > 0:
            self._duration = milliseconds / 1000
            self.duration_changed.emit(self._duration)

    def _arm_end_timer(self, seconds: float) -> None:
        """Near the trim's end, stop on a timer rather than on the next position tick (late by up to
        ~85 ms)."""
        if self._end is None or self._state != PlaybackState.PLAYING:
            return
        left = (self._end - seconds) / self._rate
        if left < _END_EARLY_S:
            self._end_timer.start(max(0, round(left * 1000)))
        else:
            self._end_timer.stop()

    def _reach_end(self) -> None:
        """The clip reached the `end` it was played to: as if the file ended there."""
        if self._path is None or self._end is None or self._state != PlaybackState.PLAYING:
            return
        self._state = PlaybackState.STOPPED  # first, so the pause below is not taken for the person's
        self._player.pause()  # not stop(): that would rewind the position to 0
        self.state_changed.emit(PlaybackState.STOPPED)
        self._set_position(self._end)
        self._end_of_clip()

    def _end_of_clip(self) -> None:
        ended = self._path
        if ended is None:
            return
        self._end_timer.stop()
        self._set_state(PlaybackState.STOPPED)
        self.finished.emit(ended)
        # A slot may have started the next clip; otherwise let go of this one (after Qt's handler).
        QTimer.singleShot(0, lambda: self._release_if_idle(ended))

    def _on_error(self, error: Any, text: str) -> None:
        if error == self._multimedia.QMediaPlayer.Error.NoError or self._path is None:
            return
        errors = self._multimedia.QMediaPlayer.Error
        reasons = {
            errors.ResourceError: self.tr("the file could not be opened"),
            errors.FormatError: self.tr("its format is not supported"),
            errors.AccessDeniedError: self.tr("access to it was denied"),
        }
        reason = reasons.get(error, self.tr("the media system reported an error"))
        self._fail(f"{reason} ({text})" if text else reason)

    def _fail(self, reason: str) -> None:
        path = self._path
        self.release()
        self.error.emit(self.tr("Cannot play {0}: {1}.").format(path.name if path else "", reason))

    def _release_if_idle(self, path: Path) -> None:
        if self._path == path and self._state == PlaybackState.STOPPED:
            self.release()

    def _set_position(self, seconds: float) -> None:
        self._position = seconds
        self.position_changed.emit(seconds)

    def _set_state(self, state: PlaybackState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)


class ShuttleControl(QObject):
    """J/K/L, the editors' transport, on a ClipPlayer. The review pane forwards key presses to `press`.

    - **L** plays forward; pressed again while playing forward: faster (1x, 2x, 4x).
    - **K** pauses (the clip stays held where it is).
    - **J** shuttles backward: Qt's media player cannot play in reverse, so J pauses the sound and moves the
      playhead back on a timer at 1x (again: 2x, 4x), down to the trim's in point, where it stops. L then
      plays forward from wherever J left it.
    Held keys send auto-repeats: those are ignored, so holding L does not race to 4x.
    """

    rate_changed = Signal(float)  # the shuttle's speed: positive forward, negative backward, 0 paused

    SPEEDS = (1.0, 2.0, 4.0)
    _REVERSE_TICK_MS = 40

    def __init__(self, player: ClipPlayer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._path: Path | None = None
        self._trim_in = 0.0
        self._trim_out: float | None = None
        self._rate = 0.0
        self._reverse = QTimer(self)
        self._reverse.setInterval(self._REVERSE_TICK_MS)
        self._reverse.timeout.connect(self._step_back)
        self._reverse_clock = 0.0
        player.state_changed.connect(self._on_player_state)

    @property
    def rate(self) -> float:
        return self._rate

    def set_clip(self, path: Path | None, trim_in: float = 0.0, trim_out: float | None = None) -> None:
        """The take L plays when the player holds nothing else, and the part of it kept."""
        if path != self._path:
            self._stop_reverse()
        self._path = Path(path) if path is not None else None
        self._trim_in = max(0.0, trim_in)
        self._trim_out = trim_out

    def press(self, key: Qt.Key | int, auto_repeat: bool = False) -> bool:
        """Handle J, K or L (True); any other key is left to the caller (False)."""
        actions = {Qt.Key.Key_J: self.backward, Qt.Key.Key_K: self.pause, Qt.Key.Key_L: self.forward}
        action = next((run for known, run in actions.items() if known == key), None)
        if action is None:
            return False
        if not auto_repeat:
            action()
        return True

    def forward(self) -> None:
        self._stop_reverse()
        if self.player.state in (PlaybackState.PLAYING, PlaybackState.LOADING) and self._holds_clip():
            speed = self._faster(self._rate) if self._rate > 0 else 1.0  # L again: faster
            self.player.set_rate(speed)
            self._set_rate(speed)
            return
        self.player.set_rate(1.0)
        if self._play_from_playhead():
            self._set_rate(1.0)

    def pause(self) -> None:
        self._stop_reverse()
        self.player.pause()
        self._set_rate(0.0)

    def backward(self) -> None:
        if self._rate < 0:
            self._set_rate(-self._faster(-self._rate))
            return
        if self._path is None and self.player.current_path is None:
            return
        self.player.pause()
        self._reverse_clock = time.monotonic()
        self._reverse.start()
        self._set_rate(-1.0)

    # -- inside ----------------------------------------------------------------------------------------

    def _faster(self, speed: float) -> float:
        return next((step for step in self.SPEEDS if step > speed), self.SPEEDS[-1])

    def _holds_clip(self) -> bool:
        return self._path is None or self.player.holds(self._path)

    def _play_from_playhead(self) -> bool:
        path = self._path or self.player.current_path
        if path is None:
            return False
        start = self.player.position()
        end = self._trim_out
        if start < self._trim_in or (end is not None and start >= end - 0.01):
            start = self._trim_in  # outside the kept part (or at its end): from the in point
        if self.player.state == PlaybackState.PAUSED and self.player.holds(path):
            if abs(start - self.player.position()) > 1e-3:
                self.player.seek(start)
            return self.player.resume()
        return self.player.play(path, start, end)

    def _step_back(self) -> None:
        now = time.monotonic()
        elapsed, self._reverse_clock = now - self._reverse_clock, now
        target = self.player.position() + self._rate * elapsed  # the rate is negative
        if target <= self._trim_in:
            self.player.seek(self._trim_in)
            self._stop_reverse()
            self._set_rate(0.0)
        else:
            self.player.seek(target)

    def _stop_reverse(self) -> None:
        self._reverse.stop()

    def _on_player_state(self, state: PlaybackState) -> None:
        if state == PlaybackState.STOPPED and self._rate > 0:
            self._set_rate(0.0)  # played to its end, or stopped by the pane

    def _set_rate(self, rate: float) -> None:
        if rate != self._rate:
            self._rate = rate
            self.rate_changed.emit(rate)


def _same_file(first: Path, second: Path) -> bool:
    return os.path.normcase(str(first.absolute())) == os.path.normcase(str(second.absolute()))
