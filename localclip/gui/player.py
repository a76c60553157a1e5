"""Playing one clip at a time: QMediaPlayer + QAudioOutput behind a small state enum of our own.

- **Never an exception.** Qt Multimedia is imported when the first clip plays (not on the window's
  start-up path); if it cannot load, or the media backend reports an error, `error` carries a sentence
  and the player stays stopped.
- **No sound card.** Qt's FFmpeg backend (the default on Windows, macOS and Linux since Qt 6.5, so
  QT_MEDIA_BACKEND is left alone) plays on the clock when there is no audio device: the clip runs to its
  end silently. `notice` then says so, for the window to show.
- **Files are let go.** Windows keeps a file open while the player holds it as its source, which blocks
  replacing or exporting over it. `release()` stops and clears the source; the player also releases a
  clip by itself when it reaches its end or fails.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal


class PlaybackState(Enum):
    STOPPED = "stopped"
    LOADING = "loading"
    PLAYING = "playing"


class ClipPlayer(QObject):
    state_changed = Signal(object)  # PlaybackState
    finished = Signal(object)  # Path: the clip played to its end
    error = Signal(str)  # a sentence for the person; the player is stopped
    position_changed = Signal(int, int)  # milliseconds played, the clip's length in milliseconds

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player: Any = None  # QMediaPlayer, made on the first play()
        self._output: Any = None
        self._multimedia: Any = None  # the PySide6.QtMultimedia module once loaded
        self._path: Path | None = None
        self._state = PlaybackState.STOPPED
        self._unavailable = ""  # why Qt Multimedia cannot be used
        self.notice = ""  # e.g. no audio device: clips play silently

    # -- state -----------------------------------------------------------------------------------------

    @property
    def state(self) -> PlaybackState:
        return self._state

    @property
    def current_path(self) -> Path | None:
        """The clip the player holds (playing, or loaded), or None."""
        return self._path

    @property
    def available(self) -> bool:
        return self._ensure_player()

    def holds(self, path: Path) -> bool:
        """Whether the player has `path` open (so it must `release()` before the file is replaced)."""
        return self._path is not None and _same_file(self._path, Path(path))

    # -- commands --------------------------------------------------------------------------------------

    def play(self, path: Path) -> bool:
        """Play `path` from its start (whatever was playing stops). False, with `error`, when it cannot."""
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
        self._path = path
        self._set_state(PlaybackState.LOADING)
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self._player.play()
        return True

    def stop(self) -> None:
        if self._player is not None and self._path is not None:
            self._player.stop()
        self._set_state(PlaybackState.STOPPED)

    def release(self) -> None:
        """Stop and let go of the file (Windows unlocks it only once the source is cleared)."""
        self.stop()
        if self._player is not None and self._path is not None:
            self._player.setSource(QUrl())
        self._path = None

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
        self._output = QtMultimedia.QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        if not QtMultimedia.QMediaDevices.audioOutputs():
            self.notice = self.tr("No audio output device was found: clips play without sound.")
        self._player.mediaStatusChanged.connect(self._on_media_status)
        self._player.playbackStateChanged.connect(self._on_playback_state)
        self._player.errorOccurred.connect(self._on_error)
        self._player.positionChanged.connect(
            lambda position: self.position_changed.emit(int(position), int(self._player.duration()))
        )
        return True

    def _on_media_status(self, status: Any) -> None:
        if status == self._multimedia.QMediaPlayer.MediaStatus.EndOfMedia and self._path is not None:
            ended = self._path
            self._set_state(PlaybackState.STOPPED)
            self.finished.emit(ended)
            # A slot may have started the next clip; otherwise let go of this one (after Qt's handler).
            QTimer.singleShot(0, lambda: self._release_if_idle(ended))
        elif status == self._multimedia.QMediaPlayer.MediaStatus.InvalidMedia and self._path is not None:
            self._fail(self.tr("it is not an audio file Qt can read"))

    def _on_playback_state(self, state: Any) -> None:
        playing = self._multimedia.QMediaPlayer.PlaybackState.PlayingState
        if state == playing and self._path is not None:
            self._set_state(PlaybackState.PLAYING)
        elif state != playing and self._state == PlaybackState.PLAYING:
            self._set_state(PlaybackState.STOPPED)

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

    def _set_state(self, state: PlaybackState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)


def _same_file(first: Path, second: Path) -> bool:
    return os.path.normcase(str(first.absolute())) == os.path.normcase(str(second.absolute()))
