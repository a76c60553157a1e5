"""The window: it opens without torch, shows the plan, and runs the probe on real workers."""

from __future__ import annotations

import subprocess
import sys

from localclip.gui.main_window import MainWindow


def test_the_window_shows_the_plan_and_probes_every_worker(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert "CPU: 1 worker" in window.plan_label.text()
    with qtbot.waitSignal(window.probe_finished, timeout=120_000) as finished:
        window.probe_button.click()
    assert finished.args[0]["done"] == 1
    qtbot.waitUntil(lambda: window.pool is None, timeout=30_000)  # workers shut down after the run
    result = window.workers_table.item(0, 3).text()
    assert "torch 2.8.0" in result and window.probe_button.isEnabled()


def test_closing_during_a_run_shuts_the_workers_down_first(qtbot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.start_probe()
    pool = window.pool
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        window.close()
    qtbot.waitUntil(lambda: not window.isVisible())


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
