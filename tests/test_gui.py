"""The window: it opens without torch, shows the plan, and runs the probe on real workers."""

from __future__ import annotations

import re
import subprocess
import sys

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QMenu,
    QTabBar,
    QToolButton,
    QWidget,
)

from localclip.gui.main_window import MainWindow
from localclip.gui.settings_panel import SettingsPanel
from localclip.settings import Settings


def make_window(qtbot) -> MainWindow:
    window = MainWindow(offer_model_manager=False)
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_window_shows_the_plan_and_probes_every_worker(qtbot) -> None:
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: "CPU: 1 worker" in window.gpu_panel.plan_label.text(), timeout=30_000)
    with qtbot.waitSignal(window.probe_finished, timeout=120_000) as finished:
        window.probe_action.trigger()
    assert finished.args[0]["done"] == 1
    qtbot.waitUntil(lambda: window.pool is None, timeout=30_000)  # workers shut down after the run
    assert window.probe_results["0"]["torch"].startswith("2.8.0") and window.probe_action.isEnabled()


def test_closing_during_a_run_asks_then_shuts_the_workers_down_first(qtbot) -> None:
    window = make_window(qtbot)
    questions: list[str] = []
    answers = [False, True]
    window.ask = lambda title, text, yes: questions.append(title) or answers.pop(0)
    window.start_probe()
    pool = window.pool
    window.close()  # "no": the run goes on
    assert window.isVisible() and window.pool is pool and questions == ["A run is going on"]
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        window.close()
    qtbot.waitUntil(lambda: not window.isVisible())
    assert len(questions) == 2


def test_the_gui_process_never_imports_torch() -> None:
    program = (
        "import sys; from localclip.gui.main_window import MainWindow; from localclip import cli; "
        "print('torch' in sys.modules)"
    )
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"


def test_the_application_icon_loads() -> None:
    from PySide6.QtGui import QIcon

    from localclip.core.paths import resources_dir

    assert not QIcon(str(resources_dir() / "icons" / "localclip.svg")).pixmap(32, 32).isNull()


# --- access keys and the settings panel's boxes ------------------------------------------------------------

MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    """The access key of a text ("Re&view" -> "v"; "&&" is a literal ampersand)."""
    found = MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def widget_mnemonics(root: QWidget) -> list[tuple[str, str]]:
    """(key, text) of every control under ``root`` in its window (buttons, buddied labels, group boxes,
    tab bars); menus are windows of their own and left out."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.window() is not root.window():
            continue
        texts: list[str] = []
        # A tool button of an action shows the action's text without its access key.
        button = isinstance(widget, QAbstractButton) and not (
            isinstance(widget, QToolButton) and widget.defaultAction() is not None
        )
        if button or (isinstance(widget, QLabel) and widget.buddy() is not None):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts.extend(widget.tabText(index) for index in range(widget.count()))
        found.extend((key, text) for text in texts if (key := mnemonic(text)))
    return found


def menu_mnemonics(menu: QMenu) -> list[tuple[str, str]]:
    return [(key, a.text()) for a in menu.actions() if not a.isSeparator() and (key := mnemonic(a.text()))]


def duplicates(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for key, text in pairs:
        by_key.setdefault(key, []).append(text)
    return {key: texts for key, texts in by_key.items() if len(texts) > 1}


def test_no_two_controls_of_the_window_share_an_access_key(qtbot) -> None:
    """Per combination of the left and the middle tab (both show at once): the menu bar, both tab bars and
    every control of the two pages shown; then each menu on its own."""
    window = make_window(qtbot)
    qtbot.waitUntil(lambda: window.worker_panes is not None, timeout=30_000)
    bar = [(key, a.text()) for a in window.menuBar().actions() if (key := mnemonic(a.text()))]
    tab_bars = widget_mnemonics(window.side_tabs.tabBar()) + widget_mnemonics(window.tabs.tabBar())
    header = widget_mnemonics(window.run_title.parentWidget())
    problems = {}
    for side in range(window.side_tabs.count()):
        for middle in range(window.tabs.count()):
            pages = widget_mnemonics(window.side_tabs.widget(side)) + widget_mnemonics(
                window.tabs.widget(middle)
            )
            shared = duplicates(bar + tab_bars + header + pages)
            if shared:
                problems[(window.side_tabs.tabText(side), window.tabs.tabText(middle))] = shared
    for action in window.menuBar().actions():
        menus = [action.menu(), *[a.menu() for a in action.menu().actions() if a.menu() is not None]]
        for menu in menus:
            if shared := duplicates(menu_mnemonics(menu)):
                problems[menu.title()] = shared
    assert problems == {}


def test_the_settings_panel_alone_has_no_shared_access_key(qtbot) -> None:
    panel = SettingsPanel(Settings())
    qtbot.addWidget(panel)
    assert duplicates(widget_mnemonics(panel)) == {}


def wheel(widget: QWidget, steps: int = 1) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_the_settings_not_an_unfocused_box(qtbot) -> None:
    panel = SettingsPanel(Settings())
    qtbot.addWidget(panel)
    panel.resize(380, 300)  # much shorter than its content: it scrolls
    panel.show()
    qtbot.waitExposed(panel)
    boxes = panel.widget().findChildren(QAbstractSpinBox) + panel.widget().findChildren(QComboBox)
    assert boxes and all(box.focusPolicy() == Qt.FocusPolicy.StrongFocus for box in boxes)
    panel.ensureWidgetVisible(panel.temperature)
    panel.verticalScrollBar().setValue(panel.verticalScrollBar().maximum())  # the wheel scrolls it back up
    before, scrolled = panel.temperature.value(), panel.verticalScrollBar().value()
    panel.setFocus()
    wheel(panel.temperature)
    assert panel.temperature.value() == before  # unfocused: the value stays
    assert panel.verticalScrollBar().value() != scrolled  # and the panel scrolled instead
    device = panel.device.currentIndex()
    wheel(panel.device, 1)
    assert panel.device.currentIndex() == device
    panel.temperature.setFocus()
    qtbot.waitUntil(panel.temperature.hasFocus)
    wheel(panel.temperature)
    assert panel.temperature.value() != before  # focused: the wheel changes it, as usual


def test_the_sampling_settings_explain_themselves(qtbot) -> None:
    panel = SettingsPanel(Settings())
    qtbot.addWidget(panel)
    for box, word in (
        (panel.temperature, "freely"),
        (panel.top_p, "probability"),
        (panel.repetition_penalty, "repeating"),
        (panel.max_new_tokens, "tokens"),
    ):
        assert word in box.toolTip()
