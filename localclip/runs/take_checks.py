"""Checking takes on the clone workers (docs/qa.md): the ``qa`` job's parameters and items, and each
result turned into the take's stored scores and its flags.

One home for what a clone run (its new takes, and new takes of flagged lines), ``localclip qa`` (takes
without scores) and the review's new takes share. The models run in the worker; the scores are made here
from its untrusted result, the take's audio (core/qa/audio.py) and the line's text, and stored in the
manifest (the caller saves it). Flags are worked out from stored scores, so they follow the thresholds.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localclip.core.cloning.manifest import Manifest, Take
from localclip.core.cloning.project import ProjectScan
from localclip.core.cloning.takes import speaker_stats, take_checks
from localclip.core.kinds import QA_WORKER_JOB
from localclip.core.qa.audio import QaAudioError, audio_facts
from localclip.core.qa.flags import Flag, QaThresholds, SpeakerStats
from localclip.core.qa.scores import TakeQa, score_take
from localclip.core.qa.text import line_language
from localclip.pool.engine import WorkItem

# Takes per qa job: a job is one batch for the recogniser, and a clone worker returns to its lines soon.
QA_ITEMS_PER_JOB = 32


@dataclass(frozen=True)
class QaSetup:
    """What checking takes needs: the speaker model (WeSpeaker folder) and, for the words, a recogniser
    (a Whisper folder; None: words are not checked)."""

    speaker_model: Path
    recogniser: Path | None = None
    thresholds: QaThresholds = field(default_factory=QaThresholds)
    retakes: int = 0  # new takes a clone run makes of a flagged line (the best-scored is kept)


@dataclass(frozen=True)
class CheckedTake:
    line_id: str
    take: int
    speaker: str
    qa: TakeQa | None  # None: it could not be scored (problem says why)
    flags: list[Flag]
    problem: str = ""

    def to_event(self) -> dict[str, Any]:
        """For ``--events jsonl`` and the run's signal: the scores and the flags' reasons."""
        return {
            "line": self.line_id,
            "take": self.take,
            "scores": self.qa.to_dict() if self.qa is not None else None,
            "flags": [{"kind": flag.kind, "reason": flag.reason} for flag in self.flags],
            "problem": self.problem,
        }


class TakeChecks:
    """The qa items of one project's run and what comes back for them."""

    def __init__(self, scan: ProjectScan, manifest: Manifest, setup: QaSetup, device: str) -> None:
        self.scan, self.manifest, self.setup = scan, manifest, setup
        self._device = device
        self._params: dict[str, Any] | None = None
        self._items: dict[str, tuple[str, int]] = {}  # item id -> (line id, take)
        self._numbers = itertools.count(1)
        self._lines = {line.id: line for line in scan.lines}

    def params(self, cpu_threads: int = 0) -> dict[str, Any]:
        """The job's parameters (one object for the run: a job's items share it)."""
        if self._params is None:
            speakers = {
                name: [str(reference.audio) for reference in refs.references]
                for name, refs in self.scan.speakers.items()
            }
            self._params = {
                "device": self._device,
                "wespeaker_dir": str(self.setup.speaker_model),
                "recogniser_dir": str(self.setup.recogniser) if self.setup.recogniser else "",
                "speakers": speakers,
                "cpu_threads": cpu_threads,
            }
        return self._params

    def item(self, line_id: str, take: Take) -> dict[str, Any]:
        """A qa item for one take (its id is new: the same take may be checked again)."""
        item_id = f"qa-{next(self._numbers)}"
        self._items[item_id] = (line_id, take.take)
        return {
            "id": item_id,
            "path": str(self.manifest.output_dir / take.path),
            "speaker": self._speaker(line_id, take),
            "language": line_language(take.inputs.text),
        }

    def owns(self, item_id: str) -> bool:
        return item_id in self._items

    @property
    def pending(self) -> int:
        return len(self._items)

    def checked(self, item_id: str, result: Any) -> CheckedTake:
        """A take's result from the worker: its scores stored in the manifest (the caller saves it)."""
        line_id, number = self._items.pop(item_id)
        take = self._take(line_id, number)
        if take is None:
            return CheckedTake(line_id, number, "", None, [], "the take is no longer in the manifest")
        speaker = self._speaker(line_id, take)
        try:  # against the text the take speaks (the script may have changed since)
            facts = audio_facts(self.manifest.output_dir / take.path)
            qa = score_take(result, facts, take.inputs.text, speaker)
        except (QaAudioError, ValueError) as error:
            return CheckedTake(line_id, number, speaker, None, self.flags(line_id, take), str(error))
        self.manifest.set_take_qa(line_id, number, qa)
        return CheckedTake(line_id, number, speaker, qa, self.flags(line_id, self._take(line_id, number)))

    def failed(self, item_id: str, reason: str) -> CheckedTake:
        """The worker could not check a take: it stays unscored, with the reason."""
        line_id, number = self._items.pop(item_id)
        take = self._take(line_id, number)
        flags = self.flags(line_id, take) if take is not None else []
        speaker = self._speaker(line_id, take) if take is not None else ""
        return CheckedTake(line_id, number, speaker, None, flags, reason)

    def forget(self, item_ids: Iterable[str]) -> None:
        """Items that will not come back (a cancelled run)."""
        for item_id in item_ids:
            self._items.pop(item_id, None)

    def flags(
        self, line_id: str, take: Take | None, stats: Mapping[str, SpeakerStats] | None = None
    ) -> list[Flag]:
        """A take's flags as the review shows them (a take not kept judged as if it were). ``stats``: the
        manifest's speaker_stats, when the caller judges many takes at once (made here otherwise)."""
        record = self.manifest.lines.get(line_id)
        if take is None or record is None:
            return []
        stats = speaker_stats(self.manifest) if stats is None else stats
        checks = take_checks(record, stats, self.setup.thresholds)
        return next((list(check.flags) for check in checks if check.take == take.take), [])

    def _take(self, line_id: str, number: int) -> Take | None:
        record = self.manifest.lines.get(line_id)
        return record.take(number) if record is not None else None

    def _speaker(self, line_id: str, take: Take) -> str:
        """The line's speaker as the project names it now (its folder may have been renamed since)."""
        line = self._lines.get(line_id)
        return line.speaker if line is not None else take.inputs.speaker


def pick_checks(pending: deque[WorkItem], worker_id: str) -> list[WorkItem]:
    """Up to QA_ITEMS_PER_JOB queued qa items this worker may run, in queue order: a run's picker gives
    them before its lines, so a take's scores (and a flagged line's new take) come soon."""
    taken: list[WorkItem] = []
    for item in pending:
        if item.kind == QA_WORKER_JOB and item.worker_id in (None, worker_id):
            taken.append(item)
            if len(taken) == QA_ITEMS_PER_JOB:
                break
    return taken
