"""The folders a user gave LocalClip, everything known about each so far, and their scans (no widgets).

`FolderScans` scans one folder at a time, in the order queued, on a worker thread (`core.intake.scan_steps`);
each step is applied to its `FolderEntry` on the GUI thread, then announced, so a view only displays.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from localclip.runs.background import BackgroundTask, TaskContext

if TYPE_CHECKING:
    from localclip.core.cloning.project import ProjectScan
    from localclip.core.embedding.datasets import DatasetScan
    from localclip.core.intake import (
        DurationStep,
        EarlierResults,
        FolderProblem,
        ProjectSpeaker,
        ScanStep,
        SpeakerSummary,
    )


class FolderStatus(StrEnum):
    SCANNING = "scanning"
    READY = "ready"
    INVALID = "invalid"  # not a dataset or project LocalClip can use; ``error`` says why
    UNCONFIRMED = "unconfirmed"  # probably not what the user meant: used once confirmed; ``caution`` says why
    QUEUED = "queued"  # waiting for its turn in a run
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(eq=False)
class FolderEntry:
    """One folder in the intake list and everything known about it so far."""

    path: Path
    kind: str = ""  # KIND_DATASET or KIND_PROJECT once recognised
    status: FolderStatus = FolderStatus.SCANNING
    error: str = ""
    error_details: str = ""
    caution: str = ""  # why the folder waits for the user's confirmation (a core Message)
    confirmed: bool = False  # the user said to use it anyway: no caution stops its scans
    dataset: DatasetScan | None = None
    project: ProjectScan | None = None
    speakers: list[SpeakerSummary] = field(default_factory=list)
    project_speakers: list[ProjectSpeaker] = field(default_factory=list)
    problems: list[FolderProblem] = field(default_factory=list)
    durations_read: int = 0
    scanned: bool = False  # every step is done (durations included)
    earlier: EarlierResults | None = None
    out_dir: Path | None = None  # datasets: where the embeddings go
    report: dict[str, Any] | None = None  # the last run's summary
    task: BackgroundTask | None = None
    _speaker_index: dict[tuple[str, str], SpeakerSummary] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)

    @property
    def usable(self) -> bool:
        """Listed, and not waiting for the user's confirmation."""
        return (self.dataset is not None or self.project is not None) and not self.caution

    def speaker_index(self) -> dict[tuple[str, str], SpeakerSummary]:
        if len(self._speaker_index) != len(self.speakers):
            self._speaker_index = {summary.key: summary for summary in self.speakers}
        return self._speaker_index

    def reset(self) -> None:
        """Forget what a scan found (before scanning again); the results folder and last report stay."""
        self.kind, self.status, self.error, self.error_details = "", FolderStatus.SCANNING, "", ""
        self.caution = ""
        self.dataset = self.project = self.earlier = self.task = None
        self.speakers, self.project_speakers, self.problems = [], [], []
        self.durations_read, self.scanned, self._speaker_index = 0, False, {}

    def mark_invalid(self, error: str, details: str = "") -> None:
        self.status, self.error, self.error_details = FolderStatus.INVALID, error, details

    def apply(self, step: ScanStep) -> None:
        """Take in one scan step."""
        # Imported here: the window starts without the scans' modules.
        from localclip.core.intake import (
            DatasetListed,
            DurationStep,
            Earlier,
            NeedsConfirmation,
            ProjectListed,
            Recognised,
            Refused,
            default_embeddings_folder,
        )

        match step:
            case Refused(reason=reason):
                self.mark_invalid(reason)
            case NeedsConfirmation(reason=reason):
                self.caution, self.status = reason, FolderStatus.UNCONFIRMED
            case Recognised(kind=kind):
                self.kind = kind
            case DatasetListed():
                self.dataset, self.speakers = step.scan, step.speakers
                self.problems.extend(step.problems)
                self.out_dir = self.out_dir or default_embeddings_folder(self.path)
                self.status = FolderStatus.READY
            case ProjectListed():
                self.project, self.project_speakers = step.scan, step.speakers
                self.problems.extend(step.problems)
                self.status = FolderStatus.READY
            case Earlier(results=results):
                self.earlier = results
            case DurationStep():
                self._add_durations(step)

    def _add_durations(self, step: DurationStep) -> None:
        self.durations_read = step.done
        by_key = self.speaker_index()
        for key, count in step.measured.items():
            summary = by_key.get(key)
            if summary is None:
                continue
            summary.measured += count
            summary.seconds += step.seconds.get(key, 0.0)
            summary.unreadable += step.unreadable.get(key, 0)
        self.problems.extend(step.problems)


def scan_folder(path: Path, context: TaskContext, confirmed: bool = False) -> None:
    """On a worker thread: every step of the folder's scan, reported as it comes."""
    from localclip.core.intake import scan_steps

    for step in scan_steps(path, context.cancelled, confirmed):
        context.report(step)


class FolderScans(QObject):
    """One scan at a time, in the order queued; a folder queued again is scanned afresh."""

    stepped = Signal(object, object)  # FolderEntry, ScanStep (already applied to the entry)
    ended = Signal(object, object)  # FolderEntry, the exception that ended its scan (None: every step done)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: deque[FolderEntry] = deque()
        self._scanning: FolderEntry | None = None

    @property
    def busy(self) -> bool:
        return self._scanning is not None or bool(self._queue)

    def waiting(self, entry: FolderEntry) -> bool:
        return entry in self._queue

    def add(self, entry: FolderEntry) -> None:
        self._queue.append(entry)
        self._next()

    def restart(self, entry: FolderEntry) -> None:
        """Forget what the entry's scan found (stopping it if it is under way) and queue it again."""
        self._stop(entry)
        entry.reset()
        self.add(entry)

    def drop(self, entry: FolderEntry) -> None:
        """The entry left the list: its scan stops, or never starts."""
        if entry in self._queue:
            self._queue.remove(entry)
        self._stop(entry)
        self._next()

    def cancel_all(self, entries: Iterable[FolderEntry]) -> None:
        self._queue.clear()
        for entry in entries:
            if entry.task is not None:
                entry.task.cancel()

    def _stop(self, entry: FolderEntry) -> None:
        if entry.task is not None:
            entry.task.cancel()
        if self._scanning is entry:
            self._scanning = None

    def _next(self) -> None:
        if self._scanning is not None or not self._queue:
            return
        entry = self._queue.popleft()
        self._scanning = entry
        path, confirmed = entry.path, entry.confirmed
        task = BackgroundTask(
            lambda context: scan_folder(path, context, confirmed), "localclip-scan", owner=self
        )
        entry.task = task
        # A scan replaced by a newer one (the folder was opened again) may still deliver: ignored.
        task.progressed.connect(lambda step: self._on_step(entry, step) if entry.task is task else None)
        task.succeeded.connect(lambda _result: self._on_end(entry, None) if entry.task is task else None)
        task.failed.connect(lambda error: self._on_end(entry, error) if entry.task is task else None)
        task.start()

    def _on_step(self, entry: FolderEntry, step: ScanStep) -> None:
        entry.apply(step)
        self.stepped.emit(entry, step)

    def _on_end(self, entry: FolderEntry, error: BaseException | None) -> None:
        entry.task = None
        entry.scanned = True
        if self._scanning is entry:
            self._scanning = None
        self.ended.emit(entry, error)
        self._next()
