"""Starting the window: ``localclip`` with no arguments."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from localclip import __version__
from localclip.core.options import LANGUAGE
from localclip.gui.errors import install_exception_hook
from localclip.gui.icons import icon
from localclip.gui.main_window import MainWindow
from localclip.gui.translations import install_translations
from localclip.runs.background import collect_garbage_on_main_thread
from localclip.settings import Settings


def start(argv: list[str] | None = None, offer_model_manager: bool = True) -> tuple[QApplication, MainWindow]:
    """The application and its shown window (the event loop is not started)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("LocalClip")
    app.setApplicationDisplayName("LocalClip")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("LocalClip")
    app.setWindowIcon(icon("localclip"))
    collect_garbage_on_main_thread(app)  # never a QObject destroyed by a collection on a task's thread
    settings = Settings()
    install_translations(app, settings.get(LANGUAGE))  # before any widget: widgets translate when built
    window = MainWindow(settings, offer_model_manager=offer_model_manager)
    install_exception_hook(lambda: window if window.isVisible() else None)
    window.show()
    return app, window


def run_app(argv: list[str] | None = None) -> int:
    app, _window = start(argv)
    return app.exec()
