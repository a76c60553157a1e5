"""The translation files: complete, consistent with the sources, compiled, and loaded into the window.

resources/translations/update.py regenerates them (pyside6-lupdate, then pyside6-lrelease).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication

from localclip.core.options import LANGUAGE
from localclip.core.paths import resources_dir
from localclip.core.ui_language import choose_language
from localclip.gui.translations import current_language, install_translations, remove_translations
from localclip.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FOLDER = resources_dir() / "translations"
PLACEHOLDER = re.compile(r"%n|%L?\d+|\{[^{}]*\}")  # Qt's %n, %1 and Python's str.format fields
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
MNEMONIC = re.compile(r"&(?!&|[a-z]+;|#\d+;)(\S)")  # "&O", not "&&" or an entity such as "&amp;"


def load_update_script():
    spec = importlib.util.spec_from_file_location("translations_update", FOLDER / "update.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update = load_update_script()


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    numerus: bool
    translations: tuple[str, ...]  # one per plural form; one for a message without plural forms
    finished: bool

    @property
    def key(self) -> tuple[str, str, str, bool]:
        return (self.context, self.source, self.comment, self.numerus)


def read_ts(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            numerus = message.get("numerus") == "yes"
            forms = [form.text or "" for form in translation.iter("numerusform")] if numerus else []
            messages.append(
                Message(
                    context=name,
                    source=message.findtext("source") or "",
                    comment=message.findtext("comment") or "",
                    numerus=numerus,
                    translations=tuple(forms) if numerus else (translation.text or "",),
                    finished=translation.get("type") is None,  # not "unfinished", "vanished", "obsolete"
                )
            )
    return messages


def label(message: Message) -> str:
    return f"{message.context}: {message.source!r}"


# --- the files themselves ------------------------------------------------------------------------------


def test_every_chinese_message_is_translated() -> None:
    messages = read_ts(update.ts_path("zh_CN"))
    assert len(messages) > 400
    untranslated = [
        label(m) for m in messages if not m.finished or not all(t.strip() for t in m.translations)
    ]
    assert untranslated == []
    assert all(len(m.translations) == 1 for m in messages if m.numerus)  # Chinese has one plural form


def test_english_has_both_plural_forms_of_every_plural_message() -> None:
    messages = read_ts(update.ts_path("en"))
    assert messages and all(m.numerus for m in messages)
    for message in messages:
        singular, plural = message.translations
        assert message.finished and "%n" in singular and "%n" in plural, label(message)
        assert "(s)" not in singular + plural, label(message)


@pytest.mark.parametrize("language", update.LANGUAGES)
def test_translations_keep_placeholders_tags_and_one_mnemonic(language: str) -> None:
    for message in read_ts(update.ts_path(language)):
        for text in message.translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(message.source)), label(
                message
            )
            assert sorted(HTML_TAG.findall(text)) == sorted(HTML_TAG.findall(message.source)), label(message)
            assert len(MNEMONIC.findall(text)) == len(MNEMONIC.findall(message.source)), label(message)
            assert text.count("\n") == message.source.count("\n"), label(message)


@pytest.mark.parametrize("language", update.LANGUAGES)
def test_the_compiled_files_hold_what_the_ts_files_say(language: str) -> None:
    """Stale .qm files would ship old texts: every message of the .ts comes out of the committed .qm."""
    translator = QTranslator()
    assert translator.load(str(update.qm_path(language)))
    stale = []
    for message in read_ts(update.ts_path(language)):
        if message.numerus:  # English: singular for 1, plural for 2; Chinese: its one form for both
            cases = [(1, message.translations[0]), (2, message.translations[-1])]
        else:
            cases = [(-1, message.translations[0])]
        for count, expected in cases:
            got = translator.translate(message.context, message.source, message.comment or None, count)
            if got != expected:
                stale.append(f"{label(message)}: {got!r} instead of {expected!r}")
    assert stale == [], "run resources/translations/update.py"


# --- the files against the sources ---------------------------------------------------------------------


@pytest.mark.parametrize("language", update.LANGUAGES)
def test_the_ts_files_hold_exactly_the_strings_of_the_sources(language: str, tmp_path: Path) -> None:
    """A fresh extraction finds the same messages as the committed file (none missing, none left over)."""
    fresh = tmp_path / f"fresh_{language}.ts"
    update.extract(language, fresh)
    extracted = {m.key for m in read_ts(fresh)}
    committed = {m.key for m in read_ts(update.ts_path(language))}
    assert sorted(extracted - committed) == [], "new strings: run resources/translations/update.py"
    assert sorted(committed - extracted) == [], "strings gone: run resources/translations/update.py"


@dataclass
class SourceScan:
    messages: dict[tuple[str, str, str, bool], str]  # key -> "file:line" of one use
    problems: list[str]
    dynamic_tr: list[str]  # self.tr(<not a literal>): its strings must be marked where they are written


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def scan_sources() -> SourceScan:
    """Every tr()/translate() call of the sources, with the context it is looked up in at run time: the
    class for ``self.tr`` (PySide6 uses the object's class), the first argument for ``translate``."""
    scan = SourceScan({}, [], [])
    for relative in update.sources():
        _visit(ast.parse((ROOT / relative).read_text(encoding="utf-8")), None, relative, scan)
    return scan


def _visit(node: ast.AST, cls: str | None, relative: str, scan: SourceScan) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Call):
            _check_call(child, cls, f"{relative}:{child.lineno}", scan)
        _visit(child, child.name if isinstance(child, ast.ClassDef) else cls, relative, scan)


def _check_call(call: ast.Call, cls: str | None, where: str, scan: SourceScan) -> None:
    function = call.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    owner = getattr(function.value, "id", "?") if isinstance(function, ast.Attribute) else ""
    args = [*call.args, None, None, None]
    if name == "tr":
        if owner != "self" or cls is None:
            scan.problems.append(f"{where}: tr() not called as self.tr() in a class (lupdate misses it)")
        elif _literal(args[0]) is None:
            scan.dynamic_tr.append(where)
        else:
            key = (cls, _literal(args[0]), _literal(args[1]) or "", args[2] is not None)
            scan.messages.setdefault(key, where)
    elif name in ("translate", "QT_TRANSLATE_NOOP") and owner in ("", "QCoreApplication", "QApplication"):
        context, source = _literal(args[0]), _literal(args[1])
        if context is None or source is None:  # e.g. a wrapper: def _tr(text): return translate("X", text)
            scan.problems.append(f"{where}: {name}() of a variable (lupdate cannot extract it)")
        else:
            scan.messages.setdefault((context, source, _literal(args[2]) or "", args[3] is not None), where)
    elif name in ("QT_TR_NOOP", "QT_TR_N_NOOP"):
        scan.problems.append(f"{where}: {name}() has no context: use QT_TRANSLATE_NOOP")


# Files whose strings still go through a wrapper lupdate cannot read (``_tr(text)``): their strings stay
# English until each call is written as QCoreApplication.translate("Context", "text"), then the file leaves
# this set (the test fails while a listed file is already fixed, so the set cannot go stale).
WRAPPED_YET: set[str] = set()


def test_every_string_of_the_sources_is_in_the_ts_under_the_context_it_is_looked_up_in() -> None:
    """lupdate's Python parser can lose track of the class around a self.tr() call (then the string would
    be extracted without its context and never found at run time), and it cannot see through wrappers."""
    scan = scan_sources()
    unexpected = [problem for problem in scan.problems if problem.split(":")[0] not in WRAPPED_YET]
    assert unexpected == []
    still_wrapped = {problem.split(":")[0] for problem in scan.problems}
    assert still_wrapped == WRAPPED_YET, "fixed: remove it from WRAPPED_YET"
    # model_manager.py marks its column titles with QT_TRANSLATE_NOOP and translates them in a loop.
    assert [where.split(":")[0] for where in scan.dynamic_tr] == ["localclip/gui/model_manager.py"]
    committed = {m.key for m in read_ts(update.ts_path("zh_CN"))}
    missing = [f"{where}: {key}" for key, where in scan.messages.items() if key not in committed]
    assert missing == []
    assert {context for context, *_ in committed} >= {"MainWindow", "WorkerPane", "RunController"}
    assert "" not in {context for context, *_ in committed}


# --- choosing and loading a language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("zh_CN", ["en-US", "en"], "zh_CN"),
        ("en", ["zh-Hans-CN", "zh-CN", "zh"], "en"),
        ("", ["zh-Hans-CN", "zh-CN", "zh-Hans", "zh"], "zh_CN"),
        ("", ["zh-SG"], "zh_CN"),
        ("", ["de-DE", "zh-CN", "en"], "zh_CN"),  # the first language LocalClip has
        ("", ["de-DE", "fr"], "en"),
        ("", ["zh-Hant-TW", "zh-TW", "zh-Hant", "zh"], "en"),  # no Traditional Chinese: not Simplified
        ("", ["zh-HK", "zh", "en-GB"], "en"),
        ("", ["C"], "en"),
        ("", [], "en"),
        ("fr", ["zh_CN"], "zh_CN"),  # an unknown setting (a hand-edited file) follows the system
    ],
)
def test_the_language_is_the_setting_else_the_system_s_first_known(
    setting: str, system: list[str], expected: str
) -> None:
    assert choose_language(setting, system) == expected


@pytest.fixture
def restore_english(qapp):
    yield
    remove_translations(qapp)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _menu_titles(window) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def test_the_window_speaks_the_chosen_language(qtbot, restore_english) -> None:
    """start() loads the language of the settings before the window is built; "en" stays English with
    its plural forms."""
    from localclip.gui.app import start

    settings = Settings()
    settings.set(LANGUAGE, "zh_CN")
    settings.sync()
    hook = sys.excepthook
    try:
        app, window = start([sys.argv[0]], offer_model_manager=False)
    finally:
        sys.excepthook = hook
    qtbot.addWidget(window)
    assert current_language() == "zh_CN"
    assert _menu_titles(window)[0] == "文件(&F)"
    assert all(_has_chinese(title) for title in _menu_titles(window))
    assert window.tab_actions["workers"].text() == "工作进程(&W)"
    assert _has_chinese(window.statusBar().currentMessage())
    panel = window.settings_panel
    assert panel.language.currentData() == "zh_CN" and not panel.language_note.isVisible()
    assert [panel.language.itemText(i) for i in (1, 2)] == ["English", "简体中文"]  # each in its own name
    # Numerus: one form in Chinese; Qt's own strings (standard buttons) come from qtbase_zh_CN.qm.
    assert QCoreApplication.translate("GpuPanel", "Planned: %n worker(s) {where}", "", 3) == (
        "计划：3 个工作进程，{where}"
    )
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"

    assert install_translations(app, "en") == "en"
    english = type(window)(settings, offer_model_manager=False)
    qtbot.addWidget(english)
    assert _menu_titles(english)[0] == "&File"
    assert not any(_has_chinese(title) for title in _menu_titles(english))
    assert QCoreApplication.translate("GpuPanel", "Planned: %n worker(s) {where}", "", 1) == (
        "Planned: 1 worker {where}"
    )
    assert QCoreApplication.translate("MainWindow", "Ready to run: %n folder(s). Press Run (F5).", "", 2) == (
        "Ready to run: 2 folders. Press Run (F5)."
    )
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_choosing_a_language_says_it_applies_at_the_next_start(qtbot, restore_english) -> None:
    from localclip.gui.settings_panel import SettingsPanel

    settings = Settings()
    panel = SettingsPanel(settings)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.language.currentData() == "" and not panel.language_note.isVisible()
    panel.language.setCurrentIndex(panel.language.findData("zh_CN"))
    assert panel.language_note.isVisible()
    panel.sync()
    assert Settings().get(LANGUAGE) == "zh_CN"
    panel.language.setCurrentIndex(panel.language.findData("en"))  # English is what this process speaks
    assert not panel.language_note.isVisible()


def test_a_missing_translation_file_leaves_english(qapp, restore_english, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr("localclip.gui.translations.translations_dir", lambda: tmp_path)
    assert install_translations(qapp, "zh_CN") == "en"
    assert QApplication.translate("MainWindow", "&File") == "&File"
