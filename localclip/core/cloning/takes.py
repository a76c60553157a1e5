"""Reviewing cloned lines: what the review table shows, which take is kept, and exporting the kept takes.

The manifest (core/clone_manifest) is the record; this module reads it for people:

- **Review lines** put the script and the manifest side by side, in script order: a line that was never
  generated, cannot be generated (with the scan's reason), failed, lost its file, or whose script text
  changed since its kept take was made, says so.
- **Loading** (`load_project`) scans the project and reads its manifest together, for the review pane
  to do on a thread.
- **Take QA** (docs/qa.md "In the review"): each line carries its kept take's stored scores, the flags
  they give under the settings' thresholds (worked out here, when read) and its place in the "risky
  first" order. The duration rule compares a take with its speaker's other lines: `speaker_stats` is
  built over the scored *kept* takes of the manifest, one per line (`take_checks` judges a take that is
  not kept as if it were).
- **Choosing a take** is `Manifest.choose_take`; `neighbour_take` steps through a line's takes.
- **Export** copies the kept take of each line into a folder of WAVs with a CSV that says what each file
  is. Names come from line ids and speaker names and are built with `files.safe_path`, so none can point
  outside the folder. Nothing is overwritten silently: files that would be replaced are listed in the plan
  (`conflicts`) and writing refuses them unless the caller says the person agreed. Export never writes
  into the project's `output/` folder, where it could replace a take. Every file is written to a
  temporary name in its folder and renamed into place.
"""

from __future__ import annotations

import csv
import io
import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import soundfile as sf

from localclip.core.audio.convert import (
    SUBTYPES,
    ConvertError,
    DeliveryFormat,
    process,
    read_audio,
    trim,
    write_audio,
)
from localclip.core.audio.loudness import SILENCE_DB, Loudness, gain_db, measure_loudness, normalise_gain
from localclip.core.cloning.manifest import (
    MANIFEST_NAME,
    OUTPUT_FOLDER,
    STATUS_FAILED,
    LineRecord,
    Manifest,
    Take,
)
from localclip.core.cloning.project import ProjectError, ProjectScan, ScriptLine, scan_project
from localclip.core.cloning.timeline import (
    TIMELINE_FOLDER,
    Cue,
    TimelineResult,
    timeline_rate,
    track_names,
    write_timeline,
)
from localclip.core.files import (
    WINDOWS_DEVICE_NAMES,
    UnsafeName,
    check_name,
    copy_atomically,
    safe_path,
    write_bytes_atomically,
)
from localclip.core.qa.flags import UNSCORED_RISK, Flag, QaThresholds, SpeakerStats, risk, take_flags
from localclip.core.qa.scores import TakeQa

# Review statuses, in the order an editor deals with them.
REVIEW_DONE = "done"
REVIEW_CHANGED = "text changed"  # the kept take speaks an older text of the line
REVIEW_MISSING = "file missing"  # the kept take's file is gone
REVIEW_FAILED = "failed"
REVIEW_NEW = "not generated"
REVIEW_SKIPPED = "cannot be generated"
REVIEW_STATUSES = (REVIEW_DONE, REVIEW_CHANGED, REVIEW_MISSING, REVIEW_FAILED, REVIEW_NEW, REVIEW_SKIPPED)

WARNING_SHORT = "very short take"
WARNING_SILENT = "silent take"
SHORT_TAKE_SECONDS = 0.3  # shorter than any spoken word: a take this short is almost surely broken

CSV_NAME = "lines.csv"
CSV_COLUMNS = (
    "file",
    "id",
    "speaker",
    "text",
    "take",
    "seed",
    "duration_s",
    "source",
    "trim_in_s",  # seconds into the take where the clip starts
    "trim_out_s",  # and where it ends
    "sample_rate",
    "loudness_lufs",  # of the clip as delivered (empty: under 0.4 s, or silent)
    "peak_dbfs",
    "gain_db",  # applied by loudness normalisation
    # The kept take's QA scores (docs/qa.md; empty for a take not scored): its cosine with its own voice,
    # the closest other speaker and that cosine, the words (or characters) heard wrong of how many and
    # their rate, the longest silence inside it, its clipped samples; whether the clone job said it ran to
    # the token limit; and the reasons it is flagged under the thresholds of the export, "; " between.
    "voice",
    "best_other_speaker",
    "best_other_voice",
    "error_unit",  # char or word
    "errors",
    "error_units",
    "error_rate",
    "longest_silence_s",
    "clipped_samples",
    "token_limit",  # true or false
    "qa_flags",
)
DEFAULT_THRESHOLDS = QaThresholds()  # the settings' defaults
NO_TAKE_RISK = -1.0  # a line without a kept take: nothing to check, last in the "risky first" order
_SHOWN = 5


class TakeExportError(ValueError):
    """The export cannot be done as asked; the message says why and what to do."""


class ExportConflict(TakeExportError):
    """Files in the export folder would be replaced and the person has not agreed to it."""

    def __init__(self, conflicts: list[Path]) -> None:
        self.conflicts = conflicts
        names = ", ".join(path.name for path in conflicts[:_SHOWN])
        more = f" and {len(conflicts) - _SHOWN} more" if len(conflicts) > _SHOWN else ""
        super().__init__(f"{len(conflicts)} file(s) already exist in the export folder: {names}{more}")


@dataclass(frozen=True)
class ReviewLine:
    line_id: str
    speaker: str
    text: str  # the script's text (the recorded one for a line no longer in the script)
    status: str  # one of REVIEW_STATUSES
    reason: str  # why it failed or cannot be generated; "" otherwise
    chosen_take: int | None
    takes: tuple[int, ...]
    duration: float | None  # seconds of the kept take
    path: Path | None  # the kept take's file (None without one)
    in_script: bool = True
    approved: bool = False
    note: str = ""
    trim: tuple[float, float | None] = (0.0, None)  # of the kept take: seconds in, out (None: the end)
    slot: tuple[float, float] | None = None  # the SRT cue's start and end, seconds (SRT scripts only)
    overruns_slot: bool = False  # the kept take, trimmed, is longer than its slot
    warning: str = ""  # something to hear before trusting the take: WARNING_SHORT, WARNING_SILENT
    # The kept take's QA (docs/qa.md): its stored scores (None: not scored, or its file is missing), the
    # flags they give under the thresholds the lines were read with, and its place in the review's order
    # (flags.risk; NO_TAKE_RISK without a kept take, UNSCORED_RISK for a kept take whose file is missing).
    qa: TakeQa | None = None
    qa_flags: tuple[Flag, ...] = ()
    qa_risk: float = NO_TAKE_RISK

    @property
    def playable(self) -> bool:
        return self.path is not None and self.status in (REVIEW_DONE, REVIEW_CHANGED)

    @property
    def qa_scored(self) -> bool:
        """Whether the kept take has QA scores to judge (False without one, or when its file is gone)."""
        return self.qa is not None

    @property
    def flagged(self) -> bool:
        return bool(self.qa_flags)


def manifest_stamp(project: Path) -> tuple[int, int] | None:
    """The manifest file's modification time and size: a changed stamp means it must be read again."""
    try:
        stat = (Path(project) / OUTPUT_FOLDER / MANIFEST_NAME).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@dataclass
class LoadedProject:
    project: Path
    scan: ProjectScan | None
    scan_problem: str  # why the project could not be scanned ("" when it was)
    manifest: Manifest
    manifest_stamp: tuple[int, int] | None  # the file's, taken before it was read
    lines: list[ReviewLine]
    thresholds: QaThresholds = DEFAULT_THRESHOLDS  # what the lines' QA flags were judged by


def load_project(project: Path, thresholds: QaThresholds = DEFAULT_THRESHOLDS) -> LoadedProject:
    """Scan the project and read its manifest (slow for a large project: call it on a thread). Raises
    ManifestError. `thresholds`: the QA thresholds the lines' flags are judged by (the settings')."""
    try:
        scan: ProjectScan | None = scan_project(project)
        problem = ""
    except ProjectError as error:
        scan, problem = None, error.message  # a Message the window translates
    stamp = manifest_stamp(project)
    manifest = Manifest.load(project)
    lines = review_lines(manifest, scan, thresholds)
    return LoadedProject(project, scan, problem, manifest, stamp, lines, thresholds)


def review_lines(
    manifest: Manifest, scan: ProjectScan | None, thresholds: QaThresholds = DEFAULT_THRESHOLDS
) -> list[ReviewLine]:
    """Every line of the script in script order (lines that cannot be generated included), then lines
    the manifest knows that the script no longer has. Without a scan: the manifest's lines. Each kept
    take's QA flags are judged by `thresholds`, its duration against `speaker_stats(manifest)`."""
    lines: list[ReviewLine] = []
    seen: set[str] = set()
    stats = speaker_stats(manifest)
    if scan is not None:
        skipped = {item.line.id: item for item in scan.skipped}
        for line in _script_order(scan):
            seen.add(line.id)
            record = manifest.lines.get(line.id)
            reason = skipped[line.id].reason if line.id in skipped else ""
            lines.append(
                review_line(
                    manifest,
                    line.id,
                    record,
                    line.speaker,
                    line.text,
                    reason,
                    slot=line.slot,
                    stats=stats,
                    thresholds=thresholds,
                )
            )
    for line_id, record in manifest.lines.items():
        if line_id not in seen:
            lines.append(
                review_line(
                    manifest,
                    line_id,
                    record,
                    record.inputs.speaker,
                    record.inputs.text,
                    "",
                    False,
                    stats=stats,
                    thresholds=thresholds,
                )
            )
    return lines


def review_line(
    manifest: Manifest,
    line_id: str,
    record: LineRecord | None,
    speaker: str,
    text: str,
    skipped_reason: str = "",
    in_script: bool = True,
    slot: tuple[float, float] | None = None,
    silent: bool = False,
    stats: Mapping[str, SpeakerStats] | None = None,
    thresholds: QaThresholds = DEFAULT_THRESHOLDS,
) -> ReviewLine:
    """One line's review state from its manifest record (None: never generated). `slot`: the line's SRT
    cue; `silent`: the caller measured the kept take as silent (the file is not read here). A take whose
    recorded peak (the worker's, at generation) is under SILENCE_DB is silent without any measuring.
    `stats`: each speaker's seconds per character (`speaker_stats`; None: no duration rule);
    `thresholds`: what the kept take's QA flags are judged by."""
    chosen = record.chosen if record else None
    path = _take_file_for_display(manifest, chosen.path) if chosen else None
    takes = tuple(take.take for take in record.takes) if record else ()
    duration = chosen.duration if chosen else None
    status, reason = _status(record, path, text, skipped_reason)
    chosen_take = chosen.take if chosen else None
    return ReviewLine(
        line_id,
        speaker,
        text,
        status,
        reason,
        chosen_take,
        takes,
        duration,
        path,
        in_script,
        approved=record.approved if record else False,
        note=record.note if record else "",
        trim=(chosen.trim_in, chosen.trim_out) if chosen else (0.0, None),
        slot=slot,
        overruns_slot=overruns(chosen.kept_seconds, slot) if chosen else False,
        warning=take_warning(chosen.kept_seconds, silent or recorded_silent(chosen)) if chosen else "",
        **_line_qa(chosen, status, stats, thresholds),
    )


def judge_again(
    line: ReviewLine,
    record: LineRecord | None,
    stats: Mapping[str, SpeakerStats] | None,
    thresholds: QaThresholds = DEFAULT_THRESHOLDS,
) -> ReviewLine:
    """`line` with its kept take's QA judged again (the speaker's durations changed, or the thresholds),
    everything else as it was: no file is looked at."""
    chosen = record.chosen if record else None
    return replace(line, **_line_qa(chosen, line.status, stats, thresholds))


def _line_qa(
    chosen: Take | None,
    status: str,
    stats: Mapping[str, SpeakerStats] | None,
    thresholds: QaThresholds,
) -> dict[str, Any]:
    """ReviewLine's QA fields for its kept take. A kept take whose file is missing (or whose path cannot be
    read) has nothing to check: its stored scores are of a file that is gone (and a take made again
    under its name replaces them), so it is neither scored nor flagged; its status says why."""
    if chosen is None:
        return {"qa": None, "qa_flags": (), "qa_risk": NO_TAKE_RISK}
    if status == REVIEW_MISSING:
        return {"qa": None, "qa_flags": (), "qa_risk": UNSCORED_RISK}
    check = check_take(chosen, (stats or {}).get(chosen.inputs.speaker), thresholds)
    return {"qa": check.qa, "qa_flags": check.flags, "qa_risk": check.risk}


@dataclass(frozen=True)
class TakeCheck:
    """One take's QA as the review shows it: its stored scores, its flags and its risk."""

    take: int
    qa: TakeQa | None  # None: not scored
    token_limit: bool
    flags: tuple[Flag, ...]
    risk: float
    chosen: bool = False  # the line's kept take

    @property
    def scored(self) -> bool:
        return self.qa is not None


def check_take(
    take: Take, stats: SpeakerStats | None, thresholds: QaThresholds = DEFAULT_THRESHOLDS, chosen: bool = True
) -> TakeCheck:
    """A take's flags and risk. `stats`: its speaker's seconds per character with this take among them
    (`take_flags` leaves it out itself)."""
    flags = tuple(take_flags(take.qa, take.token_limit, stats, thresholds))
    return TakeCheck(take.take, take.qa, take.token_limit, flags, risk(flags, take.qa), chosen)


def take_checks(
    record: LineRecord,
    stats: Mapping[str, SpeakerStats] | None,
    thresholds: QaThresholds = DEFAULT_THRESHOLDS,
) -> list[TakeCheck]:
    """Every take of a line, checked (the take chooser shows them side by side). The duration rule judges
    a take that is not kept as if it were: against the speaker's other lines' kept takes, this line's
    kept take left out."""
    stats = stats or {}
    chosen = record.chosen
    checks = []
    for take in record.takes:
        speaker_stats_ = stats.get(take.inputs.speaker)
        kept = take.take == record.chosen_take
        if not kept and speaker_stats_ is not None:
            if chosen is not None and chosen.inputs.speaker == take.inputs.speaker:
                chosen_value = _seconds_per_char(chosen)
                if chosen_value is not None:
                    speaker_stats_ = speaker_stats_.without(chosen_value)
            value = _seconds_per_char(take)
            if value is not None:
                speaker_stats_ = speaker_stats_.with_value(value)
        checks.append(check_take(take, speaker_stats_, thresholds, kept))
    return checks


def speaker_stats(manifest: Manifest) -> dict[str, SpeakerStats]:
    """Each speaker's seconds per character over the scored kept takes of the manifest's lines (the
    duration rule's yardstick: one value per line, the takes the editor keeps; other takes of a line,
    often retakes of a flagged one, do not weigh in). Read from the stored scores: no file is opened."""
    values: dict[str, list[float]] = {}
    for record in manifest.lines.values():
        chosen = record.chosen
        value = _seconds_per_char(chosen) if chosen is not None else None
        if chosen is not None and value is not None:
            values.setdefault(chosen.inputs.speaker, []).append(value)
    return {speaker: SpeakerStats.of(speaker, numbers) for speaker, numbers in values.items()}


def _seconds_per_char(take: Take) -> float | None:
    value = take.qa.seconds_per_char if take.qa is not None else None
    return value if value is not None and math.isfinite(value) else None


def overruns(kept_seconds: float, slot: tuple[float, float] | None) -> bool:
    """Whether a take of `kept_seconds` is longer than its subtitle slot (a millisecond of slack: cue
    times are written in milliseconds)."""
    return slot is not None and kept_seconds > slot[1] - slot[0] + 0.001


def recorded_silent(take: Take) -> bool:
    """Whether the take's recorded peak says it is silent (False when no peak was recorded). The peak is
    of the whole file, so a trimmed take under it is silent too."""
    return take.peak_db is not None and take.peak_db < SILENCE_DB


def take_warning(kept_seconds: float, silent: bool = False) -> str:
    if silent:
        return WARNING_SILENT
    return WARNING_SHORT if kept_seconds < SHORT_TAKE_SECONDS else ""


def _script_order(scan: ProjectScan) -> list[ScriptLine]:
    """Generable and skipped lines together, in the order of the script's file."""
    lines = [*scan.lines, *(item.line for item in scan.skipped)]
    positions = {id(line): index for index, line in enumerate(lines)}
    return sorted(lines, key=lambda line: (_source_line(line.source), positions[id(line)]))


def _source_line(source: str) -> int:
    """12 for "script.csv:12"; scripts without line numbers keep their order."""
    number = source.rpartition(":")[2]
    return int(number) if number.isdigit() else 0


def _take_file_for_display(manifest: Manifest, relative: str) -> Path | None:
    """The take's file for showing and playing. Each part is checked as a plain name, without resolving
    links: `Manifest.load` has resolved every take path once already (resolving 10,000 again takes
    seconds); export, which writes, goes through the full check (`_chosen_file`)."""
    parts = relative.split("/")
    try:
        for part in parts:
            check_name(part)
    except UnsafeName:
        return None
    return manifest.output_dir.joinpath(*parts)


def _chosen_file(manifest: Manifest, line_id: str) -> Path | None:
    try:
        return manifest.chosen_path(line_id)
    except ValueError:  # a path outside output/: the manifest refuses to read such a take
        return None


def _status(record: LineRecord | None, path: Path | None, text: str, skipped: str) -> tuple[str, str]:
    if skipped:
        return REVIEW_SKIPPED, skipped
    if record is None:
        return REVIEW_NEW, ""
    chosen = record.chosen
    if record.status == STATUS_FAILED and chosen is None:
        return REVIEW_FAILED, record.reason or ""
    if chosen is None or path is None or not path.is_file():
        return REVIEW_MISSING, ""
    if chosen.inputs.text != text:
        return REVIEW_CHANGED, ""
    # A failed later attempt keeps the earlier take as the output; say why the attempt failed.
    return REVIEW_DONE, (record.reason or "") if record.status == STATUS_FAILED else ""


def neighbour_take(record: LineRecord, step: int) -> int | None:
    """The take `step` places after (or before, negative) the chosen one; None past either end."""
    numbers = [take.take for take in record.takes]
    if not numbers:
        return None
    if record.chosen_take not in numbers:
        return numbers[0]
    position = numbers.index(record.chosen_take) + step
    return numbers[position] if 0 <= position < len(numbers) else None


# --- export -----------------------------------------------------------------------------------------

NAME_FIELDS = ("id", "speaker", "take", "text")
DEFAULT_TEMPLATE = "{id}"
TEXT_START = 24  # characters of the line's text that {text} puts in a name
_NAME_LIMIT = 120  # characters of a name's stem: well inside every file system's limit
_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True)
class ExportOptions:
    """How kept takes are delivered. The defaults copy each file as it is (`delivery=None`), untrimmed
    takes byte for byte; the export dialog asks for 48 kHz 24-bit."""

    delivery: DeliveryFormat | None = None  # None: each take's own rate and sample format
    loudness_target: float | None = None  # LUFS to normalise each take to; None: no gain
    peak_ceiling_db: float = -1.0  # normalisation never pushes a peak past this
    name_template: str = DEFAULT_TEMPLATE  # fields NAME_FIELDS
    by_speaker: bool = False  # a folder per speaker
    approved_only: bool = False
    timeline: bool = False  # SRT scripts: a track per speaker and a mix, takes at their cue times
    qa_thresholds: QaThresholds = DEFAULT_THRESHOLDS  # what lines.csv's qa_flags are judged by


@dataclass(frozen=True)
class ExportItem:
    line_id: str
    speaker: str
    text: str
    take: int
    seed: int
    duration: float
    source: Path  # the kept take in output/
    parts: tuple[str, ...]  # the file's path inside the export folder
    trim_in: float = 0.0
    trim_out: float | None = None
    slot: tuple[float, float] | None = None  # the SRT cue, for the timeline
    qa: TakeQa | None = None  # the kept take's QA scores (None: not scored)
    token_limit: bool = False
    qa_flags: tuple[Flag, ...] = ()

    @property
    def trimmed(self) -> bool:
        return self.trim_in > 0 or self.trim_out is not None


@dataclass
class TakeExportPlan:
    folder: Path
    items: list[ExportItem]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (line id, why it is not exported)
    conflicts: list[Path] = field(default_factory=list)  # existing files the export would replace
    options: ExportOptions = field(default_factory=ExportOptions)
    timeline: dict[str, Path] = field(default_factory=dict)  # speaker ("" the mix) -> its track

    @property
    def csv_path(self) -> Path:
        return self.folder / CSV_NAME

    @property
    def targets(self) -> list[Path]:
        """Every file the export writes."""
        clips = [self.folder.joinpath(*item.parts) for item in self.items]
        return [self.csv_path, *clips, *self.timeline.values()] if self.items else []

    @property
    def steps(self) -> int:
        """Progress steps: one a clip, one a timeline track."""
        return len(self.items) + len(self.timeline)


@dataclass(frozen=True)
class TakeExportReport:
    folder: Path
    exported: int
    replaced: int
    skipped: list[tuple[str, str]]
    cancelled: bool = False
    timeline: list[Path] = field(default_factory=list)  # the tracks written
    notes: list[str] = field(default_factory=list)  # what the editor should know (scaled, clipped)


@dataclass(frozen=True)
class _Written:
    """One clip as delivered, for the CSV."""

    item: ExportItem
    sample_rate: int
    loudness: Loudness
    gain: float


def plan_take_export(
    manifest: Manifest,
    line_ids: Iterable[str],
    folder: Path,
    by_speaker: bool = False,
    options: ExportOptions | None = None,
    slots: Mapping[str, tuple[float, float]] | None = None,
) -> TakeExportPlan:
    """What exporting the kept takes of `line_ids` into `folder` would write: a file per line named by
    the template (`<id>.wav` by default, in `<speaker>/` with `by_speaker`), `lines.csv`, and with
    `options.timeline` the tracks in `timeline/`. `slots`: each SRT line's cue (`timeline.script_slots`).
    Nothing is written here."""
    options = options or ExportOptions(by_speaker=by_speaker)
    if by_speaker and not options.by_speaker:
        options = replace(options, by_speaker=True)
    check_template(options.name_template)
    folder = Path(folder).absolute()
    _check_folder(manifest, folder)
    slots = slots or {}
    items: list[ExportItem] = []
    skipped: list[tuple[str, str]] = []
    taken: set[str] = {CSV_NAME.casefold(), TIMELINE_FOLDER.casefold()}
    stats = speaker_stats(manifest)
    for line_id in line_ids:
        item_or_reason = _export_item(manifest, line_id, options, slots.get(line_id), taken, stats)
        if isinstance(item_or_reason, str):
            skipped.append((line_id, item_or_reason))
        else:
            items.append(item_or_reason)
    plan = TakeExportPlan(folder, items, skipped, options=options)
    timed = [item for item in items if item.slot is not None]
    if options.timeline and timed:
        names = track_names(item.speaker for item in timed)
        plan.timeline = {speaker: folder / TIMELINE_FOLDER / name for speaker, name in names.items()}
    plan.conflicts = [path for path in plan.targets if path.exists() or path.is_symlink()]
    return plan


def check_template(template: str) -> None:
    """Refuse a name template with unknown fields or broken braces, naming the fields there are."""
    known = ", ".join(f"{{{name}}}" for name in NAME_FIELDS)
    try:
        parsed = [(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        raise TakeExportError(f"the name template {template!r} cannot be used: {error}") from error
    # Checked before formatting: "{id.__class__}" must never be evaluated.
    unknown = [name for name, spec in parsed if name not in NAME_FIELDS or "{" in (spec or "")]
    if unknown or not template.strip():
        raise TakeExportError(f"a name template uses the fields {known}; {template!r} does not work")
    try:
        template_name(template, "1", "anna", 1, "text")
    except (ValueError, IndexError, KeyError) as error:
        raise TakeExportError(f"the name template {template!r} cannot be used: {error}") from error


def template_name(template: str, line_id: str, speaker: str, take: int, text: str) -> str:
    """A file name's stem from the template, made safe: no separators or characters Windows refuses,
    no trailing dots or spaces, no device names; never empty (then the line's id)."""
    values = {
        "id": line_id,
        "speaker": speaker,
        "take": take,
        "text": " ".join(text.split())[:TEXT_START],
    }
    return safe_stem(template.format_map(values)) or safe_stem(line_id) or "line"


def safe_stem(name: str) -> str:
    stem = " ".join(_UNSAFE_CHARS.sub("_", name).split())[:_NAME_LIMIT].rstrip(" .")
    if stem.split(".", 1)[0].casefold() in WINDOWS_DEVICE_NAMES:
        stem = f"_{stem}"
    return stem


def _check_folder(manifest: Manifest, folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise TakeExportError(f"{folder} is a file: choose a folder to export into")
    output = manifest.output_dir.resolve()
    resolved = folder.resolve()
    if resolved == output or resolved.is_relative_to(output):
        raise TakeExportError(
            f"{folder} is inside the project's output folder, where the takes themselves are kept: "
            "choose a folder outside it"
        )


def _export_item(
    manifest: Manifest,
    line_id: str,
    options: ExportOptions,
    slot: tuple[float, float] | None,
    taken: set[str],
    stats: Mapping[str, SpeakerStats],
) -> ExportItem | str:
    """The line's export entry, or why it has none."""
    record = manifest.lines.get(line_id)
    chosen = record.chosen if record else None
    if record is None or chosen is None:
        return "no kept take (not generated yet, or every attempt failed)"
    if options.approved_only and not record.approved:
        return "not approved"
    source = _chosen_file(manifest, line_id)
    if source is None or not source.is_file():
        return f"the kept take's file is missing ({chosen.path})"
    speaker = chosen.inputs.speaker
    stem = template_name(options.name_template, line_id, speaker, chosen.take, chosen.inputs.text)
    folder_parts = (speaker,) if options.by_speaker else ()
    try:
        for part in (*folder_parts, f"{stem}.wav"):
            check_name(part)
    except UnsafeName as error:
        return f"its name cannot be a file name ({error})"
    if _refused_id(line_id):
        return f"its id cannot be a file name ({line_id!r})"
    name = _free_name(stem, folder_parts, taken)
    check = check_take(chosen, stats.get(speaker), options.qa_thresholds)
    return ExportItem(
        line_id,
        speaker,
        chosen.inputs.text,
        chosen.take,
        chosen.seed,
        chosen.duration,
        source,
        (*folder_parts, name),
        chosen.trim_in,
        chosen.trim_out,
        slot,
        chosen.qa,
        chosen.token_limit,
        check.flags,
    )


def _refused_id(line_id: str) -> bool:
    """An id that could not be a file name: a line the manifest knows from elsewhere (a hand edit)."""
    try:
        check_name(line_id)
    except UnsafeName:
        return True
    return False


def _free_name(stem: str, folder_parts: tuple[str, ...], taken: set[str]) -> str:
    """`<stem>.wav`, or `<stem>-2.wav`... when another line has it: ids that differ only in case are one
    file on Windows and macOS (the script check refuses them, but lines no longer in the script remain),
    and a template without {id} gives many lines one name."""
    number = 1
    while True:
        name = f"{stem}.wav" if number == 1 else f"{stem}-{number}.wav"
        key = "/".join((*folder_parts, name)).casefold()
        if key not in taken:
            taken.add(key)
            return name
        number += 1


def write_take_export(
    plan: TakeExportPlan,
    replace_existing: bool = False,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TakeExportReport:
    """Write the plan's clips (copied as they are, or trimmed, normalised and converted as its options
    say), then lines.csv, then the timeline tracks. Files that exist now (checked again: the folder may
    have changed since planning) are replaced only with `replace_existing`. `progress(done, total)` is
    called after each file; `should_stop` is asked between files; a stopped export still writes the CSV
    of what it wrote."""
    if not plan.items:
        raise TakeExportError("there is no kept take to export among these lines")
    existing = [path for path in plan.targets if path.exists() or path.is_symlink()]
    if existing and not replace_existing:
        raise ExportConflict(existing)
    for path in existing:
        if path.is_dir() and not path.is_symlink():
            raise TakeExportError(f"{path} is a folder: it cannot be replaced by a file")
    plan.folder.mkdir(parents=True, exist_ok=True)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, plan.steps)

    written, notes, cancelled = _write_clips(plan, step, should_stop)
    write_bytes_atomically(plan.csv_path, _csv_bytes(written))
    tracks: list[Path] = []
    if plan.timeline and not cancelled:
        result = _write_timeline(plan, written, step, should_stop)
        tracks, cancelled = result.paths, result.cancelled
        notes += result.notes()
    written_targets = {plan.folder.joinpath(*entry.item.parts) for entry in written} | set(tracks)
    replaced = sum(1 for path in existing if path == plan.csv_path or path in written_targets)
    return TakeExportReport(plan.folder, len(written), replaced, list(plan.skipped), cancelled, tracks, notes)


def _write_clips(
    plan: TakeExportPlan, step: Callable[[], None], should_stop: Callable[[], bool] | None
) -> tuple[list[_Written], list[str], bool]:
    written: list[_Written] = []
    clipped: list[str] = []
    for item in plan.items:
        if should_stop is not None and should_stop():
            return written, _clip_notes(clipped), True
        target = safe_path(plan.folder, *item.parts)  # also refuses a folder linked elsewhere
        target.parent.mkdir(parents=True, exist_ok=True)
        entry, was_clipped = _deliver(item, target, plan.options)
        written.append(entry)
        if was_clipped:
            clipped.append("/".join(item.parts))
        step()
    return written, _clip_notes(clipped), False


def _deliver(item: ExportItem, target: Path, options: ExportOptions) -> tuple[_Written, bool]:
    """One clip: copied byte for byte when nothing changes it, else read, trimmed, normalised,
    resampled and written."""
    try:
        samples, rate = read_audio(item.source)
        kept = trim(samples, rate, item.trim_in, item.trim_out)
        loudness = measure_loudness(kept, rate)
        gain = 1.0
        if options.loudness_target is not None:
            gain = normalise_gain(loudness, options.loudness_target, options.peak_ceiling_db)
        delivery = options.delivery
        if delivery is None and not item.trimmed and gain == 1.0:
            copy_atomically(item.source, target)
            return _Written(item, rate, loudness, gain), False
        delivery = delivery or DeliveryFormat(None, _source_subtype(item.source))
        delivered, target_rate = process(kept, rate, delivery, gain=gain)
        clipped = write_audio(target, delivered, target_rate, delivery.subtype)
    except ConvertError as error:
        raise TakeExportError(f"line {item.line_id}: {error}") from error
    return _Written(item, target_rate, loudness, gain), clipped


def _source_subtype(path: Path) -> str:
    """The take's own sample format where a delivery format has it, else 32-bit float (nothing lost)."""
    subtype = sf.info(str(path)).subtype
    return subtype if subtype in SUBTYPES else "FLOAT"


def _clip_notes(clipped: list[str]) -> list[str]:
    if not clipped:
        return []
    shown = ", ".join(clipped[:_SHOWN]) + (
        f" and {len(clipped) - _SHOWN} more" if len(clipped) > _SHOWN else ""
    )
    return [f"{len(clipped)} clip(s) went past full scale and were limited to it: {shown}"]


def _write_timeline(
    plan: TakeExportPlan,
    written: list[_Written],
    step: Callable[[], None],
    should_stop: Callable[[], bool] | None,
) -> TimelineResult:
    cues = [
        Cue(entry.item.line_id, entry.item.speaker, *entry.item.slot, plan.folder.joinpath(*entry.item.parts))
        for entry in written
        if entry.item.slot is not None
    ]
    (plan.folder / TIMELINE_FOLDER).mkdir(exist_ok=True)
    delivery = plan.options.delivery
    rate = timeline_rate(cues, delivery.sample_rate if delivery else None)
    subtype = delivery.subtype if delivery else "FLOAT"
    return write_timeline(cues, plan.timeline, rate, subtype, step, should_stop)


def _csv_bytes(written: list[_Written]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in written:
        item = entry.item
        kept_end = item.duration if item.trim_out is None else min(item.trim_out, item.duration)
        writer.writerow(
            [
                "/".join(item.parts),
                item.line_id,
                item.speaker,
                item.text,
                item.take,
                item.seed,
                f"{item.duration:.3f}",
                str(item.source),
                f"{item.trim_in:.3f}",
                f"{kept_end:.3f}",
                entry.sample_rate,
                _decibels(None if entry.loudness.lufs is None else entry.loudness.lufs + gain_db(entry.gain)),
                _decibels(entry.loudness.peak_db + gain_db(entry.gain)),
                f"{gain_db(entry.gain):.2f}",
                *_qa_cells(item),
            ]
        )
    # With a byte-order mark: Excel on Windows then reads Chinese and Japanese text correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _qa_cells(item: ExportItem) -> list[str]:
    """The CSV's QA columns for one clip (CSV_COLUMNS from "voice"): empty where there is no score."""
    qa = item.qa
    reasons = "; ".join(flag.reason for flag in item.qa_flags)
    token_limit = "true" if item.token_limit else "false"
    if qa is None:
        return [""] * 9 + [token_limit, reasons]
    return [
        f"{qa.voice:.3f}",
        qa.best_other_speaker,
        _figure(qa.best_other),
        qa.unit,
        _figure(qa.errors),
        _figure(qa.units),
        _figure(qa.error_rate),
        f"{qa.longest_silence:.3f}",
        str(qa.clipped),
        token_limit,
        reasons,
    ]


def _figure(value: float | None) -> str:
    """A count as it is, a fraction to three decimals, nothing for no value."""
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _decibels(value: float | None) -> str:
    """Two decimals; empty where there is no figure (too short to measure, or digital silence)."""
    return "" if value is None or not math.isfinite(value) else f"{value:.2f}"


def status_counts(lines: Iterable[ReviewLine]) -> dict[str, int]:
    """How many lines have each review status (every status present, zero or not)."""
    counts = dict.fromkeys(REVIEW_STATUSES, 0)
    for line in lines:
        counts[line.status] += 1
    return counts
