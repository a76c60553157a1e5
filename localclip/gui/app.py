"""Starting the window: ``localclip`` with no arguments."""

from __future__ import annotations

import sys

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from localclip import __version__
from localclip.core.paths import resources_dir
from localclip.gui.main_window import MainWindow


def run_app(argv: list[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("LocalClip")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "localclip.svg")))
    window = MainWindow()
    window.show()
    return app.exec()
