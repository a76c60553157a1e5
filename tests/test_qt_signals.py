"""Pool events are dicts full of booleans passed through Qt signals; the installed PySide6 must carry them
without corrupting reference counts (PySide6 6.12.0 does not, and Python aborts at exit)."""

import subprocess
import sys
from typing import Any

PROGRAM = """
from PySide6.QtCore import QCoreApplication, QObject, Signal
class Source(QObject):
    event = Signal(str, object)
app = QCoreApplication([])
source, kept = Source(), []
source.event.connect(lambda worker, message: kept.append(message))
for _ in range(20000):
    source.event.emit("0", {"type": "heartbeat", "busy": False, "ok": True})
print("done")
"""


def test_dicts_with_booleans_survive_signals_and_interpreter_exit() -> None:
    completed = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "done"


def test_cyclic_garbage_is_collected_on_the_gui_thread_only(qtbot: Any) -> None:
    # A QObject in a reference cycle destroyed by a collection on a background thread deadlocked the GUI
    # thread (Qt's connection lock against the GIL): automatic collection is off, a GUI-thread timer collects.
    import gc
    import threading

    from PySide6.QtCore import QCoreApplication, QObject

    from localclip.runs.background import collect_garbage_on_main_thread

    collector = collect_garbage_on_main_thread(QCoreApplication.instance())
    assert collect_garbage_on_main_thread(QCoreApplication.instance()) is collector  # one per application
    assert not gc.isenabled()
    destroyed_on: list[threading.Thread] = []

    class Holder:
        def __init__(self) -> None:
            self.qobject = QObject()
            self.qobject.destroyed.connect(lambda: destroyed_on.append(threading.current_thread()))
            self.me = self  # the cycle

    Holder()

    kept: list[list[int]] = []

    def churn() -> None:  # allocations far past the threshold on a background thread
        kept.extend([index] for index in range(20_000))

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    assert destroyed_on == []  # the background thread collected nothing
    qtbot.waitUntil(lambda: bool(destroyed_on), timeout=5_000)  # the GUI thread's timer collects
    assert destroyed_on == [threading.main_thread()]
