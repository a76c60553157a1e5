"""The window's layout on small screens: the first window fits the screen's free area, the GPU panel's
texts never overlap (it scrolls instead), and the left column gets a fair share of the width. Screens of
1280x720 at 100 % and 150 % scaling are offscreen screens of a configuration file, in a subprocess each
(the platform and the scale are chosen when the application starts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

from localclip.gui.gpu_panel import GpuPanel
from localclip.gui.main_window import MainWindow
from localclip.settings import Settings
from tests.test_gpus_plan import probe_recording

ROOT = Path(__file__).resolve().parent.parent

# Run in a child interpreter: builds the window on the configured screen and prints what the test checks.
MEASURE = r"""
import json, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from localclip.gui.main_window import MainWindow
from tests.test_gpus_plan import probe_recording
from tests.test_layout import gpu_panel_overlaps, clipped_labels
window = MainWindow(gpu_reader=lambda: probe_recording("four_gpus_mixed.json"), offer_model_manager=False)
window.show()
end = time.monotonic() + 60
while (window.gpu_panel.report is None or window.worker_panes is None) and time.monotonic() < end:
    app.processEvents()
    time.sleep(0.02)
for _ in range(50):
    app.processEvents()
available, frame = window.screen().availableGeometry(), window.frameGeometry()
print(json.dumps({
    "available": [available.x(), available.y(), available.width(), available.height()],
    "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
    "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
    "split": window.main_split.sizes(),
    "views": window.worker_panes is not None,
    "gpu_rows": len(window.gpu_panel._rows),
    "overlaps": gpu_panel_overlaps(window.gpu_panel),
    "clipped": clipped_labels(window.gpu_panel),
}))
"""


def _leaves(panel: QWidget) -> list[QWidget]:
    """The visible widgets of the panel that hold no visible widget themselves (labels, bars)."""
    shown = [child for child in panel.findChildren(QWidget) if child.isVisible()]
    return [child for child in shown if not any(other.parentWidget() is child for other in shown)]


def _rect_in(panel: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(panel, widget.rect().topLeft()), widget.size())


def gpu_panel_overlaps(panel: GpuPanel) -> list[str]:
    """Every two of the panel's visible widgets that overlap ("name / name")."""
    leaves = [(leaf, _rect_in(panel, leaf)) for leaf in _leaves(panel)]
    found = []
    for number, (first, first_rect) in enumerate(leaves):
        for second, second_rect in leaves[number + 1 :]:
            if first_rect.intersects(second_rect):
                found.append(f"{_name(first)} / {_name(second)}")
    return found


def clipped_labels(panel: GpuPanel) -> list[str]:
    """Labels shown lower than their text needs (a squeezed layout draws them over each other)."""
    from PySide6.QtWidgets import QLabel

    clipped = []
    for leaf in _leaves(panel):
        if isinstance(leaf, QLabel) and leaf.text():
            needed = leaf.heightForWidth(leaf.width()) if leaf.wordWrap() else leaf.sizeHint().height()
            if leaf.height() < min(needed, leaf.sizeHint().height()):
                clipped.append(f"{_name(leaf)} {leaf.height()} < {needed}")
    return clipped


def _name(widget: QWidget) -> str:
    text = widget.text()[:30] if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__}({widget.objectName()}{':' if text else ''}{text})"


def _screen_config(tmp_path: Path, width: int, height: int) -> Path:
    config = tmp_path / "screen.json"
    screen = {"name": "test", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return config


@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_the_first_window_fits_1280x720_and_the_gpu_panel_never_overlaps(tmp_path: Path, scale: str) -> None:
    config = _screen_config(tmp_path, 1280, 720)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": scale,
        "LOCALCLIP_CONFIG_DIR": str(tmp_path / "config"),
    }
    done = subprocess.run(
        [sys.executable, "-c", MEASURE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    ax, ay, aw, ah = measured["available"]
    fx, fy, fw, fh = measured["frame"]
    assert (aw, ah) == ((1280, 720) if scale == "1" else (853, 480))
    assert ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah, measured
    assert measured["minimum"][0] <= aw and measured["minimum"][1] <= ah, measured  # nothing squeezed
    assert measured["views"] and measured["gpu_rows"] == 4
    assert measured["overlaps"] == [] and measured["clipped"] == [], measured
    left, right = measured["split"]
    assert left >= 0.3 * (left + right), measured  # the folder lists get room, not only the idle right side


def test_the_window_fits_the_offscreen_screen_and_saves_its_splitters(qtbot) -> None:
    settings = Settings()
    window = MainWindow(
        settings, gpu_reader=lambda: probe_recording("two_gpus_mixed.json"), offer_model_manager=False
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.gpu_panel.report is not None, timeout=10_000)
    available = window.screen().availableGeometry()
    assert available.contains(window.frameGeometry())
    assert window.main_split.sizes()[0] >= 0.3 * window.width()
    assert gpu_panel_overlaps(window.gpu_panel) == []
    window.main_split.setSizes([window.width() // 2, window.width() - window.width() // 2])
    left = window.main_split.sizes()[0]
    window.close()
    again = MainWindow(
        Settings(), gpu_reader=lambda: probe_recording("two_gpus_mixed.json"), offer_model_manager=False
    )
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.main_split.sizes()[0] == pytest.approx(left, abs=30)


def test_a_narrow_gpu_panel_wraps_its_texts_and_scrolls(qtbot) -> None:
    panel = GpuPanel(lambda: probe_recording("four_gpus_mixed.json"))
    qtbot.addWidget(panel)
    panel.resize(260, 140)  # far shorter than four GPUs and the plan need
    panel.show()
    panel.refresh()
    qtbot.waitUntil(lambda: panel.report is not None, timeout=10_000)
    qtbot.wait(50)
    assert len(panel._rows) == 4
    assert gpu_panel_overlaps(panel) == [] and clipped_labels(panel) == []
    assert panel.scroll.verticalScrollBar().maximum() > 0  # the rest is a scroll away
