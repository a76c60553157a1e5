"""What a job is: the base types every job kind implements, and what a running item may use.

A job is set up once per worker (model loads go there) and then runs items; the loop in
:mod:`localclip_worker.main` checks for cancel between items. Plain Python, so model code (embedding/,
cloning/) can raise :class:`BadInput` without importing the job registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol


class BadInput(ValueError):
    """The item cannot be done as given (missing file, corrupt audio...): reported, never retried."""


class SetupError(Exception):
    """The job cannot be set up (a model folder it cannot use, a device it cannot open...): the run stops
    once with this reason, and no item is failed for it."""


class ItemContext:
    """What a running item may use: progress reports and the cancel flag. A batch job, which runs many
    items at once, reports each item's progress with :meth:`item_progress`."""

    def __init__(
        self,
        report_progress: Callable[[float, float, str], None],
        cancelled: Callable[[], bool],
        report_item_progress: Callable[[str, float, float, str], None] | None = None,
    ) -> None:
        self._report_progress = report_progress
        self._cancelled = cancelled
        self._report_item_progress = report_item_progress

    def progress(self, done: float, total: float, message: str = "") -> None:
        self._report_progress(done, total, message)

    def item_progress(self, item_id: str, done: float, total: float, message: str = "") -> None:
        if self._report_item_progress is not None:
            self._report_item_progress(item_id, done, total, message)

    @property
    def cancelled(self) -> bool:
        return self._cancelled()


class Job(Protocol):
    def setup(self, params: dict[str, Any]) -> dict[str, Any]:
        """Load what the items need, once per worker; returns facts for the ``ready`` event."""
        ...

    def run(self, item: dict[str, Any], params: dict[str, Any], context: ItemContext) -> dict[str, Any]:
        """Do one item; returns its JSON-serialisable result. Raise BadInput for a bad item."""
        ...


class BatchJob(Protocol):
    """A job that takes all its items at once (to batch them on the GPU and prefetch their input).

    ``run_items`` yields ``(item_id, outcome)`` as items complete, in any order: the outcome is the
    item's result, or the exception that failed it (BadInput for a bad item). It checks
    ``context.cancelled`` between batches and returns early when it is set; items it did not report are
    reported as cancelled.
    """

    def setup(self, params: dict[str, Any]) -> dict[str, Any]: ...

    def run_items(
        self, items: list[dict[str, Any]], params: dict[str, Any], context: ItemContext
    ) -> Iterator[tuple[str, dict[str, Any] | Exception]]: ...
