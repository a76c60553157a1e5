"""Driving one pool run from a terminal, under a bare QCoreApplication.

``--events jsonl`` prints every pool event as one JSON line on stdout (and nothing else there), so scripts
and tests can follow a run; people get a progress bar on stderr instead. Ctrl+C cancels (a second one
stops at once).
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from localclip.runs.report import RunReport

EXIT_OK, EXIT_ITEMS_FAILED, EXIT_BAD_SETUP, EXIT_CANCELLED = 0, 1, 2, 130
# The progress bar is redrawn at most this often: a GPU reports thousands of clips a second, and a redraw
# per clip cost the command line most of its time (bench/coordinator.py).
PROGRESS_INTERVAL_S = 0.1


class UsageError(Exception):
    """A problem with the set-up or the arguments, told in one line."""


class TerminalRun:
    def __init__(self, events: bool, stream: TextIO | None = None) -> None:
        self.events = events
        self.stream = stream or sys.stdout
        self._started = time.monotonic()
        self._bar: Any = None
        self._interrupts = 0
        self._next_redraw = 0.0

    def emit(self, event: str, **fields: Any) -> None:
        if self.events:
            record = {"event": event, "t": round(time.monotonic() - self._started, 4), **fields}
            self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.stream.flush()

    def say(self, text: str) -> None:
        """A line for a person (stderr, above the progress bar); nothing in events mode."""
        if not self.events:
            (self._bar.write if self._bar is not None else print)(text, file=sys.stderr)

    def follow(self, pool: Any) -> None:
        """Report every signal of ``pool`` as an event (events mode), and its problems to people."""
        pool.worker_problem.connect(self._on_problem)
        if not self.events:  # nothing to print per item: no slot called thousands of times a second
            return
        pool.worker_state_changed.connect(lambda w, s: self.emit("worker_state", worker=w, state=s))
        pool.worker_event.connect(lambda w, m: self.emit("worker_event", worker=w, message=m))
        pool.worker_log.connect(lambda w, line: self.emit("worker_log", worker=w, line=line))
        pool.item_started.connect(lambda i, w: self.emit("item_started", item=i, worker=w))
        pool.item_done.connect(lambda i, w, r: self.emit("item_done", item=i, worker=w, result=r))
        pool.item_failed.connect(
            lambda i, w, c, r: self.emit("item_failed", item=i, worker=w, code=c, reason=r)
        )
        pool.progress.connect(lambda finished, total: self.emit("progress", finished=finished, total=total))
        pool.finished.connect(lambda summary: self.emit("finished", summary=summary))

    def _on_problem(self, worker_id: str, text: str) -> None:
        self.emit("worker_problem", worker=worker_id, message=text)
        self.say(f"localclip: {text}")

    def show_progress(self, done: int, total: int, postfix: str | Callable[[], str] = "") -> None:
        """Redraw the bar, at most every PROGRESS_INTERVAL_S and at the end; ``postfix`` may be a function,
        called only when the bar is redrawn."""
        if self._bar is None:
            return
        now = time.monotonic()
        if now < self._next_redraw and done < total:
            return
        self._next_redraw = now + PROGRESS_INTERVAL_S
        if callable(postfix):
            postfix = postfix()
        self._bar.total = total
        self._bar.n = done
        if postfix:
            self._bar.set_postfix_str(postfix, refresh=False)
        self._bar.refresh()

    def execute(self, pool: Any, start: Callable[[], None], total: int, unit: str = "item") -> None:
        """Run the event loop until ``pool`` has stopped; the caller shuts it down when its work is done."""
        from PySide6.QtCore import QCoreApplication, QTimer

        from localclip.pool.launch import WorkerConfigError

        app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
        pool.stopped.connect(app.quit)
        try:
            start()
        except WorkerConfigError as error:
            raise UsageError(str(error)) from None
        if not self.events:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=True)
        previous = signal.signal(signal.SIGINT, lambda *_: self._interrupt(pool))
        ticker = QTimer()  # wakes the interpreter so Ctrl+C is handled while Qt waits
        ticker.timeout.connect(lambda: None)
        ticker.start(200)
        app.exec()
        signal.signal(signal.SIGINT, previous)
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self.emit("stopped", seconds=round(time.monotonic() - self._started, 3))

    def _interrupt(self, pool: Any) -> None:
        self._interrupts += 1
        print("\nlocalclip: cancelling (Ctrl+C again to stop at once)", file=sys.stderr)
        if self._interrupts == 1:
            pool.cancel()
        else:
            pool.shutdown()


def report_exit_code(report: RunReport | None) -> int:
    """A run's exit status; a line that could not be generated (no usable reference) counts as failed.
    No report (the run never finished) exits as before the report was typed: OK. A set-up error (the
    model or device) is the set-up's exit status: nothing was failed for it."""
    if report is not None and report.setup_error:
        return EXIT_BAD_SETUP
    if report is not None and report.cancelled_run:
        return EXIT_CANCELLED
    return EXIT_ITEMS_FAILED if report is not None and (report.failed or report.skipped_lines) else EXIT_OK


def exit_code(summary: dict[str, Any]) -> int:
    if summary.get("setup_error"):
        return EXIT_BAD_SETUP
    if summary.get("cancelled_run"):
        return EXIT_CANCELLED
    return EXIT_ITEMS_FAILED if summary.get("failed") or not summary else EXIT_OK
