"""Loading the window's language: LocalClip's own translation and Qt's (standard buttons, file dialogs).

Translators are installed before any widget is made: widgets translate their texts once, when built, so a
new language applies at the next start. The files are made by resources/translations/update.py.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from localclip.core.paths import resources_dir
from localclip.core.ui_language import ENGLISH, choose_language

_installed: list[QTranslator] = []
_language = ENGLISH  # what the strings of this process are in


def translations_dir() -> Path:
    return resources_dir() / "translations"


def system_language() -> str:
    """The supported language the system prefers (English when it prefers none of them)."""
    return choose_language("", QLocale.system().uiLanguages())


def current_language() -> str:
    """The language the translators installed by :func:`install_translations` are for."""
    return _language


def install_translations(app: QCoreApplication, setting: str) -> str:
    """Install the translators for the language ``setting`` asks for ("" : the system's) into ``app``,
    replacing any installed before; returns the language in use (English when its file is missing)."""
    global _language
    remove_translations(app)
    language = choose_language(setting, QLocale.system().uiLanguages())
    # English has a file too: its plural forms ("1 worker", "2 workers").
    if not _install(app, f"localclip_{language}", str(translations_dir())):
        return _language
    if language != ENGLISH:  # Qt's own strings are English already; a Qt without the file stays English
        _install(app, f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    _language = language
    return language


def _install(app: QCoreApplication, name: str, folder: str) -> bool:
    translator = QTranslator(app)
    if not translator.load(name, folder):
        translator.deleteLater()
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True


def remove_translations(app: QCoreApplication) -> None:
    global _language
    while _installed:
        translator = _installed.pop()
        app.removeTranslator(translator)
        translator.deleteLater()
    _language = ENGLISH
