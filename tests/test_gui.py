"""The window: it opens without torch, shows the plan, and runs the probe on real workers."""

from __future__ import annotations

import subprocess
import sys

from localclip.gui.main_window import MainWindow


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
