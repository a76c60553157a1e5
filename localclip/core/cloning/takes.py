"""Reviewing cloned lines: what the review table shows, which take is kept, and exporting the kept takes.

The manifest (core/clone_manifest) is the record; this module reads it for people:

- **Review lines** put the script and the manifest side by side, in script order: a line that was never
  generated, cannot be generated (with the scan's reason), failed, lost its file, or whose script text
  changed since its kept take was made, says so.
- **Loading** (`load_project`) scans the project and reads its manifest together, for the review pane
  to do on a thread.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from localclip.core.cloning.manifest import MANIFEST_NAME, OUTPUT_FOLDER, STATUS_FAILED, LineRecord, Manifest
from localclip.core.cloning.project import ProjectError, ProjectScan, ScriptLine, scan_project
from localclip.core.files import UnsafeName, check_name, copy_atomically, safe_path, write_bytes_atomically

# Review statuses, in the order an editor deals with them.
REVIEW_DONE = "done"
REVIEW_CHANGED = "text changed"  # the kept take speaks an older text of the line
REVIEW_MISSING = "file missing"  # the kept take's file is gone
REVIEW_FAILED = "failed"
REVIEW_NEW = "not generated"
REVIEW_SKIPPED = "cannot be generated"
REVIEW_STATUSES = (REVIEW_DONE, REVIEW_CHANGED, REVIEW_MISSING, REVIEW_FAILED, REVIEW_NEW, REVIEW_SKIPPED)

CSV_NAME = "lines.csv"
CSV_COLUMNS = ("file", "id", "speaker", "text", "take", "seed", "duration_s", "source")
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

    @property
    def playable(self) -> bool:
        return self.path is not None and self.status in (REVIEW_DONE, REVIEW_CHANGED)


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


def load_project(project: Path) -> LoadedProject:
    """Scan the project and read its manifest (slow for a large project: call it on a thread). Raises
    ManifestError."""
    try:
        scan: ProjectScan | None = scan_project(project)
        problem = ""
    except ProjectError as error:
        scan, problem = None, str(error)
    stamp = manifest_stamp(project)
    manifest = Manifest.load(project)
    return LoadedProject(project, scan, problem, manifest, stamp, review_lines(manifest, scan))


def review_lines(manifest: Manifest, scan: ProjectScan | None) -> list[ReviewLine]:
    """Every line of the script in script order (lines that cannot be generated included), then lines
    the manifest knows that the script no longer has. Without a scan: the manifest's lines."""
    lines: list[ReviewLine] = []
    seen: set[str] = set()
    if scan is not None:
        skipped = {item.line.id: item for item in scan.skipped}
        for line in _script_order(scan):
            seen.add(line.id)
            record = manifest.lines.get(line.id)
            reason = skipped[line.id].reason if line.id in skipped else ""
            lines.append(review_line(manifest, line.id, record, line.speaker, line.text, reason))
    for line_id, record in manifest.lines.items():
        if line_id not in seen:
            lines.append(
                review_line(manifest, line_id, record, record.inputs.speaker, record.inputs.text, "", False)
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
) -> ReviewLine:
    """One line's review state from its manifest record (None: never generated)."""
    chosen = record.chosen if record else None
    path = _take_file_for_display(manifest, chosen.path) if chosen else None
    takes = tuple(take.take for take in record.takes) if record else ()
    duration = chosen.duration if chosen else None
    status, reason = _status(record, path, text, skipped_reason)
    chosen_take = chosen.take if chosen else None
    return ReviewLine(line_id, speaker, text, status, reason, chosen_take, takes, duration, path, in_script)


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


@dataclass
class TakeExportPlan:
    folder: Path
    items: list[ExportItem]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (line id, why it is not exported)
    conflicts: list[Path] = field(default_factory=list)  # existing files the export would replace

    @property
    def csv_path(self) -> Path:
        return self.folder / CSV_NAME


@dataclass(frozen=True)
class TakeExportReport:
    folder: Path
    exported: int
    replaced: int
    skipped: list[tuple[str, str]]
    cancelled: bool = False


def plan_take_export(
    manifest: Manifest, line_ids: Iterable[str], folder: Path, by_speaker: bool = False
) -> TakeExportPlan:
    """What exporting the kept takes of `line_ids` into `folder` would write: `<id>.wav` (or
    `<speaker>/<id>.wav`) and `lines.csv`. Nothing is written here."""
    folder = Path(folder).absolute()
    _check_folder(manifest, folder)
    items: list[ExportItem] = []
    skipped: list[tuple[str, str]] = []
    taken: set[str] = {CSV_NAME.casefold()}
    for line_id in line_ids:
        item_or_reason = _export_item(manifest, line_id, by_speaker, taken)
        if isinstance(item_or_reason, str):
            skipped.append((line_id, item_or_reason))
        else:
            items.append(item_or_reason)
    plan = TakeExportPlan(folder, items, skipped)
    targets = [plan.csv_path, *(folder.joinpath(*item.parts) for item in items)] if items else []
    plan.conflicts = [path for path in targets if path.exists() or path.is_symlink()]
    return plan


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


def _export_item(manifest: Manifest, line_id: str, by_speaker: bool, taken: set[str]) -> ExportItem | str:
    """The line's export entry, or why it has none."""
    record = manifest.lines.get(line_id)
    chosen = record.chosen if record else None
    if record is None or chosen is None:
        return "no kept take (not generated yet, or every attempt failed)"
    source = _chosen_file(manifest, line_id)
    if source is None or not source.is_file():
        return f"the kept take's file is missing ({chosen.path})"
    speaker = chosen.inputs.speaker
    stem = line_id
    folder_parts = (speaker,) if by_speaker else ()
    try:
        for part in (*folder_parts, f"{stem}.wav"):
            check_name(part)
    except UnsafeName as error:
        return f"its name cannot be a file name ({error})"
    name = _free_name(stem, folder_parts, taken)
    return ExportItem(
        line_id,
        speaker,
        chosen.inputs.text,
        chosen.take,
        chosen.seed,
        chosen.duration,
        source,
        (*folder_parts, name),
    )


def _free_name(stem: str, folder_parts: tuple[str, ...], taken: set[str]) -> str:
    """`<stem>.wav`, or `<stem>-2.wav`... when another line has it: ids that differ only in case are one
    file on Windows and macOS (the script check refuses them, but lines no longer in the script remain)."""
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
    """Copy the plan's takes and write lines.csv. Files that exist now (checked again: the folder may
    have changed since planning) are replaced only with `replace_existing`. `should_stop` is asked
    between files; a stopped export still writes the CSV of what it copied."""
    if not plan.items:
        raise TakeExportError("there is no kept take to export among these lines")
    targets = [plan.folder.joinpath(*item.parts) for item in plan.items]
    existing = [path for path in [plan.csv_path, *targets] if path.exists() or path.is_symlink()]
    if existing and not replace_existing:
        raise ExportConflict(existing)
    for path in existing:
        if path.is_dir() and not path.is_symlink():
            raise TakeExportError(f"{path} is a folder: it cannot be replaced by a file")
    plan.folder.mkdir(parents=True, exist_ok=True)
    written: list[ExportItem] = []
    written_targets: set[Path] = set()
    cancelled = False
    for index, (item, target) in enumerate(zip(plan.items, targets, strict=True)):
        if should_stop is not None and should_stop():
            cancelled = True
            break
        safe_target = safe_path(plan.folder, *item.parts)  # also refuses a folder linked elsewhere
        safe_target.parent.mkdir(parents=True, exist_ok=True)
        copy_atomically(item.source, safe_target)
        written.append(item)
        written_targets.add(target)
        if progress is not None:
            progress(index + 1, len(plan.items))
    write_bytes_atomically(plan.csv_path, _csv_bytes(written))
    replaced = sum(1 for path in existing if path == plan.csv_path or path in written_targets)
    return TakeExportReport(plan.folder, len(written), replaced, list(plan.skipped), cancelled)


def _csv_bytes(items: list[ExportItem]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
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
            ]
        )
    # With a byte-order mark: Excel on Windows then reads Chinese and Japanese text correctly.
    return buffer.getvalue().encode("utf-8-sig")


def status_counts(lines: Iterable[ReviewLine]) -> dict[str, int]:
    """How many lines have each review status (every status present, zero or not)."""
    counts = dict.fromkeys(REVIEW_STATUSES, 0)
    for line in lines:
        counts[line.status] += 1
    return counts
