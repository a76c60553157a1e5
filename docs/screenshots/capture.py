"""Capture the window for README.md: ``.venv/bin/python docs/screenshots/capture.py``.

Runs the real window with the real probe on the worker environment, then saves what Qt renders
(QWidget.grab) to docs/screenshots/*.png. Works offscreen (QT_QPA_PLATFORM=offscreen) and under Xvfb.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from localclip.gui.main_window import MainWindow

HERE = Path(__file__).resolve().parent


def settle(app: QApplication, milliseconds: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.resize(900, 480)
    window.show()
    settle(app)
    window.grab().save(str(HERE / "main-window.png"))
    done: list[object] = []
    window.probe_finished.connect(done.append)
    window.start_probe()
    while not done or window.pool is not None:
        settle(app, 100)
    window.grab().save(str(HERE / "probe-done.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
