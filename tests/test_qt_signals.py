"""Pool events are dicts full of booleans passed through Qt signals; the installed PySide6 must carry them
without corrupting reference counts (PySide6 6.12.0 does not, and Python aborts at exit)."""

import subprocess
import sys

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
