"""Scanning a cloning project folder: reference voices and the script of lines to speak.

```
<project>/speakers/<speaker>/<reference>.wav   with <reference>.lab or .txt holding its transcript
<project>/script.csv | script.tsv | script.jsonl | *.srt
```

Only two things stop a scan (`ProjectError`): no `speakers/` folder with speaker folders in it, and no
readable script. Everything else is a `Problem` that names the file and what to change, and the rest of
the project goes on: a line that cannot be generated (unknown speaker, empty text, a speaker without a
usable reference) is listed in `ProjectScan.skipped` with its reason, so a run can report it as failed.

Names are compared the way people mean them: a script's speaker matches a folder whatever its case or
Unicode normalisation (macOS writes folder names decomposed), and two ids that differ only in case are
duplicates, because their output files would be one file on Windows and macOS.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import soundfile as sf

from localclip.core.cloning.edits import EditsError, LineEdits
from localclip.core.files import UnsafeName, check_name, is_hidden_or_system, refused_by_windows
from localclip.core.messages import Message
from localclip_worker.text_chunks import normalize_space

SPEAKERS_FOLDER = "speakers"
REFERENCE_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
TRANSCRIPT_EXTENSIONS = (".lab", ".txt")  # in order of preference when both exist
SCRIPT_NAMES = ("script.csv", "script.tsv", "script.jsonl")  # in order of preference, then *.srt
SCRIPT_COLUMNS = ("id", "speaker", "text")

_HASH_BLOCK = 1 << 20
# An id becomes a file name `<id>.wav` beside `<id>.take2.wav`: an id that itself ends like a take would
# collide with another line's take.
_TAKE_SUFFIX = re.compile(r"\.take\d+$", re.IGNORECASE)
# SRT speaker prefixes: "Name: text", "Name：text", "[Name] text", "【Name】text". A `Name:` prefix is at
# most 40 characters without sentence punctuation, so "Note, at 10:30 we..." is not read as a speaker.
_BRACKET_PREFIX = re.compile(r"^\s*(?:\[([^\]\n]{1,40})\]|【([^】\n]{1,40})】)\s*(.*)$", re.DOTALL)
_COLON_PREFIX = re.compile(r"^\s*([^:：\n.,!?。，！？\[\]【】]{1,40}?)\s*[:：]\s*(.*)$", re.DOTALL)
_SRT_TIMING = re.compile(r"-->")
_SRT_TIME = r"(\d{1,3}):([0-5]\d):([0-5]\d)(?:[,.](\d{1,3}))?"
_SRT_TIMES = re.compile(rf"^\s*{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s|$)")
_SRT_MARKUP = re.compile(r"<[^>\n]*>|\{\\[^}\n]*\}")  # <i>...</i>, <font ...>, {\an8}


class ProjectError(ValueError):
    """The folder is not a cloning project LocalClip can use; the message says what to change."""

    @property
    def message(self) -> str:
        """The message as raised: a core Message the window translates (``str()`` gives only the English)."""
        first = self.args[0] if len(self.args) == 1 else None
        return first if isinstance(first, str) else str(self)


@dataclass(frozen=True)
class Problem:
    file: str  # POSIX path relative to the project folder ("" for the folder itself)
    message: str  # a core Message (localclip/core/messages.py): the window shows it translated

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


@dataclass(frozen=True)
class Reference:
    audio: Path  # absolute
    transcript: str
    sha256: str  # of the audio file's bytes
    seconds: float = 0.0
    sample_rate: int = 0


@dataclass(frozen=True)
class SpeakerRefs:
    name: str  # the speaker folder's name
    references: list[Reference]

    @property
    def reference_hashes(self) -> list[str]:
        return [reference.sha256 for reference in self.references]


@dataclass(frozen=True)
class ScriptLine:
    id: str
    speaker: str  # the speaker folder's name where the script's name matched one, else as written
    text: str
    source: str  # "script.csv:12": file and line, for messages
    start: float | None = None  # an SRT cue's start, seconds (None for other scripts)
    end: float | None = None  # an SRT cue's end, seconds
    # From the review's edits (core/cloning/edits.py): the one reference of the speaker to speak from (its
    # file name; None: all of them), and whether the text is the edited one instead of the script's.
    reference: str | None = None
    edited: bool = False

    @property
    def slot(self) -> tuple[float, float] | None:
        """The cue's (start, end) in seconds: the time the line has on a subtitle timeline."""
        return None if self.start is None or self.end is None else (self.start, self.end)


@dataclass(frozen=True)
class SkippedLine:
    line: ScriptLine
    reason: str


@dataclass
class ProjectScan:
    root: Path
    speakers: dict[str, SpeakerRefs]  # by name, sorted; only speakers with at least one usable reference
    lines: list[ScriptLine]  # the lines that can be generated, in script order
    problems: list[Problem]
    script_path: Path
    skipped: list[SkippedLine] = field(default_factory=list)  # lines that cannot be generated, and why

    def lines_for(self, speaker: str) -> list[ScriptLine]:
        return [line for line in self.lines if line.speaker == speaker]

    def references_for(self, line: ScriptLine) -> list[Reference]:
        """What the line is spoken from: its chosen reference, else all of its speaker's."""
        references = self.speakers[line.speaker].references
        chosen = [ref for ref in references if line.reference and ref.audio.name == line.reference]
        return chosen or references

    def summary(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "script": self.script_path.name,
            "speakers": len(self.speakers),
            "references": sum(len(speaker.references) for speaker in self.speakers.values()),
            "lines": len(self.lines),
            "skipped": len(self.skipped),
            "problems": len(self.problems),
        }


def scan_project(root: Path) -> ProjectScan:
    """Read the project at `root`: its speakers' references and its script."""
    root = Path(root).absolute()
    if not root.is_dir():
        raise ProjectError(Message("project.folder_missing", folder=str(root)))
    problems: list[Problem] = []
    speaker_folders = _speaker_folders(root, problems)
    script_path = _choose_script(root, problems)
    speakers = {}
    for folder in speaker_folders:
        references = _speaker_references(root, folder, problems)
        if references:
            speakers[folder.name] = SpeakerRefs(folder.name, references)
    raw_lines = _read_script(root, script_path, problems)
    lines, skipped = _check_lines(raw_lines, [folder.name for folder in speaker_folders], speakers, problems)
    lines = _apply_edits(root, lines, speakers, problems)
    return ProjectScan(root, speakers, lines, problems, script_path, skipped)


def _apply_edits(
    root: Path, lines: list[ScriptLine], speakers: dict[str, SpeakerRefs], problems: list[Problem]
) -> list[ScriptLine]:
    """The review's edits over the script's lines; a chosen reference that is gone is a Problem and the
    line is spoken from all its speaker's references. A damaged edits file stops the scan (ProjectError):
    generating from the script's old words instead would replace the editor's takes without a word."""
    try:
        edits = LineEdits.load(root)
    except EditsError as error:
        raise ProjectError(error.args[0] if len(error.args) == 1 else str(error)) from None
    if not edits.line_ids():
        return lines
    edited = []
    for line in lines:
        text, reference = edits.text(line.id), edits.reference(line.id)
        if text is not None and text != line.text:
            line = replace(line, text=text, edited=True)
        names = {ref.audio.name for ref in speakers[line.speaker].references}
        if reference is not None and reference not in names:
            problems.append(
                Problem(
                    _relative(root, edits.path),
                    Message(
                        "project.reference_gone",
                        line=line.id,
                        reference=repr(reference),
                        speaker=line.speaker,
                    ),
                )
            )
        elif reference is not None:
            line = replace(line, reference=reference)
        edited.append(line)
    return edited


# --- speakers --------------------------------------------------------------------------------------


def _speaker_folders(root: Path, problems: list[Problem]) -> list[Path]:
    speakers_dir = root / SPEAKERS_FOLDER
    if not speakers_dir.is_dir():
        raise ProjectError(Message("project.no_speakers_folder", folder=str(root)))
    entries = _visible_entries(speakers_dir)
    folders = [entry for entry in entries if entry.is_dir()]
    stray = [entry.name for entry in entries if not entry.is_dir()]
    if stray:
        problems.append(
            Problem(SPEAKERS_FOLDER, Message("project.stray_files", count=len(stray), names=_names(stray)))
        )
    if not folders:
        raise ProjectError(Message("project.no_speaker_folders", folder=str(speakers_dir)))
    return folders


def _speaker_references(root: Path, folder: Path, problems: list[Problem]) -> list[Reference]:
    relative = _relative(root, folder)
    try:
        files = [entry for entry in _visible_entries(folder) if entry.is_file()]
    except ProjectError as error:
        problems.append(Problem(relative, Message("project.speaker_left_out", error=error.message)))
        return []
    audio = [path for path in files if path.suffix.lower() in REFERENCE_EXTENSIONS]
    transcripts = _transcripts(files)
    for stem in sorted(set(transcripts) - {path.stem for path in audio}):
        problems.append(
            Problem(
                _relative(root, transcripts[stem]),
                Message(
                    "project.transcript_without_audio", stem=stem, extensions=", ".join(REFERENCE_EXTENSIONS)
                ),
            )
        )
    if not audio:
        problems.append(
            Problem(
                relative, Message("project.no_reference_audio", extensions=", ".join(REFERENCE_EXTENSIONS))
            )
        )
        return []
    references = [_reference(root, path, transcripts.get(path.stem), problems) for path in audio]
    usable = [reference for reference in references if reference is not None]
    if not usable:
        problems.append(Problem(relative, Message("project.no_usable_reference")))
    return usable


def _transcripts(files: list[Path]) -> dict[str, Path]:
    """Transcript files by stem; where one stem has both, the preferred extension (`.lab`) wins."""
    found: dict[str, Path] = {}
    for extension in TRANSCRIPT_EXTENSIONS:
        for path in files:
            if path.suffix.lower() == extension:
                found.setdefault(path.stem, path)
    return found


def _reference(
    root: Path, audio: Path, transcript_path: Path | None, problems: list[Problem]
) -> Reference | None:
    relative = _relative(root, audio)
    if transcript_path is None:
        problems.append(Problem(relative, Message("project.no_transcript", stem=audio.stem)))
        return None
    transcript = _read_transcript(root, transcript_path, problems)
    if transcript is None:
        return None
    try:
        info = sf.info(str(audio))
    except (sf.LibsndfileError, RuntimeError, OSError) as error:
        problems.append(Problem(relative, Message("scan.unreadable_audio", error=_error_text(error))))
        return None
    if info.frames <= 0:
        problems.append(Problem(relative, Message("project.empty_audio")))
        return None
    return Reference(audio, transcript, file_sha256(audio), info.frames / info.samplerate, info.samplerate)


def _read_transcript(root: Path, path: Path, problems: list[Problem]) -> str | None:
    relative = _relative(root, path)
    try:
        text = normalize_space(_decode(path.read_bytes(), relative))
    except (OSError, ProjectError) as error:
        problems.append(Problem(relative, Message("project.unreadable_transcript", error=_error_text(error))))
        return None
    if not text:
        problems.append(Problem(relative, Message("project.empty_transcript")))
        return None
    return unicodedata.normalize("NFC", text)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (a reference can be minutes of uncompressed audio)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


# --- the script ------------------------------------------------------------------------------------


def _choose_script(root: Path, problems: list[Problem]) -> Path:
    files = [entry for entry in _visible_entries(root) if entry.is_file()]
    by_name = {path.name.lower(): path for path in files}
    candidates = [by_name[name] for name in SCRIPT_NAMES if name in by_name]
    candidates += [path for path in files if path.suffix.lower() == ".srt"]
    if not candidates:
        raise ProjectError(Message("project.no_script", folder=str(root)))
    chosen = candidates[0]
    if len(candidates) > 1:
        others = [path.name for path in candidates[1:]]
        problems.append(
            Problem(
                chosen.name,
                Message(
                    "project.several_scripts",
                    count=len(candidates),
                    chosen=chosen.name,
                    others=_names(others),
                ),
            )
        )
    return chosen


@dataclass(frozen=True)
class _RawLine:
    id: str
    speaker: str
    text: str
    source: str
    start: float | None = None
    end: float | None = None


def _read_script(root: Path, path: Path, problems: list[Problem]) -> list[_RawLine]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProjectError(
            Message("project.unreadable_script", path=str(path), error=_error_text(error))
        ) from error
    text = _decode(data, path.name)
    suffix = path.suffix.lower()
    if suffix == ".srt":
        return _read_srt(text, path.name, problems)
    if suffix == ".jsonl":
        return _read_jsonl(text, path.name, problems)
    try:
        return _read_table(text, path.name, "\t" if suffix == ".tsv" else ",")
    except csv.Error as error:
        raise ProjectError(Message("project.unreadable_table", name=path.name, error=str(error))) from error


def _decode(data: bytes, name: str) -> str:
    """UTF-8 with or without a BOM; UTF-16 with a BOM (Excel's "Unicode text"). Nothing is guessed:
    a file in a legacy code page would turn into the wrong words."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProjectError(Message("project.not_utf8", name=name, byte=error.start)) from error


def _read_table(text: str, name: str, delimiter: str) -> list[_RawLine]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_row = next(reader, None)
    header = [cell.strip().lower() for cell in header_row or []]
    missing = [column for column in SCRIPT_COLUMNS if column not in header]
    if missing:
        found = ", ".join(repr(cell) for cell in header) or Message("project.nothing")
        raise ProjectError(
            Message("project.missing_columns", name=name, missing=", ".join(missing), found=found)
        )
    index = {column: header.index(column) for column in SCRIPT_COLUMNS}
    lines = []
    line_number = reader.line_num + 1
    for row in reader:
        source = f"{name}:{line_number}"
        line_number = reader.line_num + 1  # a quoted cell may span several lines
        if not any(cell.strip() for cell in row):
            continue
        cells = {column: row[at] if at < len(row) else "" for column, at in index.items()}
        lines.append(_RawLine(cells["id"], cells["speaker"], cells["text"], source))
    return lines


def _read_jsonl(text: str, name: str, problems: list[Problem]) -> list[_RawLine]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        source = f"{name}:{number}"
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            problems.append(Problem(source, Message("project.bad_json", error=error.msg)))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(source, Message("project.not_json_object")))
            continue
        fields = {str(key).strip().lower(): value for key, value in record.items()}
        values = [_json_text(fields.get(column)) for column in SCRIPT_COLUMNS]
        lines.append(_RawLine(*values, source))
    return lines


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else json.dumps(value)


def _read_srt(text: str, name: str, problems: list[Problem]) -> list[_RawLine]:
    lines = []
    for number, block in _srt_blocks(text):
        source = f"{name}:{number}"
        if len(block) < 2 or not _SRT_TIMING.search(block[1]):
            problems.append(Problem(source, Message("project.not_a_cue")))
            continue
        timing = _srt_timing(block[1])
        if timing is None:
            problems.append(Problem(source, Message("project.bad_cue_timing", timing=repr(block[1].strip()))))
            continue
        cue_number = block[0].strip()
        cue_text = normalize_space(" ".join(_SRT_MARKUP.sub("", row) for row in block[2:]))
        speaker, spoken = _srt_speaker(cue_text)
        lines.append(_RawLine(cue_number, speaker, spoken, source, *timing))
    return lines


def _srt_timing(row: str) -> tuple[float, float] | None:
    """(start, end) seconds of "00:01:02,500 --> 00:01:04,000" ('.' also taken as the decimal mark;
    position settings after the end time are ignored), or None when it cannot be read."""
    match = _SRT_TIMES.match(row)
    if match is None:
        return None
    start, end = _srt_seconds(*match.group(1, 2, 3, 4)), _srt_seconds(*match.group(5, 6, 7, 8))
    return (start, end) if end > start else None


def _srt_seconds(hours: str, minutes: str, seconds: str, fraction: str | None) -> float:
    # Integer milliseconds first: 1.1 s must be exactly what round(start * rate) expects.
    millis = round(float(f"0.{fraction}") * 1000) if fraction else 0
    return (int(hours) * 3600_000 + int(minutes) * 60_000 + int(seconds) * 1000 + millis) / 1000


def _srt_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, lines) for each block of non-blank lines."""
    block: list[str] = []
    start = 0
    for number, row in enumerate(text.splitlines(), start=1):
        if row.strip():
            if not block:
                start = number
            block.append(row)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _srt_speaker(text: str) -> tuple[str, str]:
    bracket = _BRACKET_PREFIX.match(text)
    if bracket:
        return (bracket.group(1) or bracket.group(2)).strip(), bracket.group(3).strip()
    colon = _COLON_PREFIX.match(text)
    if colon and any(char.isalpha() for char in colon.group(1)):  # "10:30 ..." names nobody
        return colon.group(1).strip(), colon.group(2).strip()
    return "", text


# --- checking lines --------------------------------------------------------------------------------


def _check_lines(
    raw_lines: list[_RawLine],
    folder_names: list[str],
    speakers: dict[str, SpeakerRefs],
    problems: list[Problem],
) -> tuple[list[ScriptLine], list[SkippedLine]]:
    if not raw_lines:
        problems.append(Problem("", Message("project.script_empty")))
    match_speaker = _speaker_matcher(folder_names)
    seen: dict[str, str] = {}  # id key -> source of the first line with it
    lines: list[ScriptLine] = []
    skipped: list[SkippedLine] = []
    for raw in raw_lines:
        line_id = _clean(raw.id)
        id_problem = _id_problem(line_id)
        if id_problem:
            problems.append(Problem(raw.source, Message("project.id_skipped", problem=id_problem)))
            continue
        key = _name_key(line_id)
        if key in seen:
            problems.append(
                Problem(raw.source, Message("project.duplicate_id", id=repr(line_id), first=seen[key]))
            )
            continue
        seen[key] = raw.source
        line = ScriptLine(
            line_id, match_speaker(_clean(raw.speaker)), _clean_text(raw.text), raw.source, raw.start, raw.end
        )
        reason = _unusable_reason(line, folder_names, speakers)
        if reason:
            problems.append(
                Problem(line.source, Message("project.line_problem", line=line.id, reason=reason))
            )
            skipped.append(SkippedLine(line, reason))
        else:
            lines.append(line)
    return lines, skipped


def _unusable_reason(
    line: ScriptLine, folder_names: list[str], speakers: dict[str, SpeakerRefs]
) -> str | None:
    if not line.speaker:
        if line.source.rsplit(":", 1)[0].lower().endswith(".srt"):
            return Message("project.cue_no_speaker")
        return Message("project.no_speaker")
    if line.speaker not in folder_names:
        known = ", ".join(repr(name) for name in folder_names)
        return Message("project.unknown_speaker", speaker=repr(line.speaker), known=known)
    if line.speaker not in speakers:
        return Message("project.speaker_unusable", speaker=repr(line.speaker))
    if not line.text:
        return Message("project.empty_text")
    return None


def _speaker_matcher(folder_names: list[str]) -> Callable[[str], str]:
    """The folder name a script's speaker means: exact, else the one folder equal to it ignoring case and
    Unicode normalisation; a name no folder matches is returned as written."""
    by_key: dict[str, list[str]] = {}
    for name in folder_names:
        by_key.setdefault(_name_key(name), []).append(name)

    def match(name: str) -> str:
        if name in folder_names:
            return name
        found = by_key.get(_name_key(name), [])
        return found[0] if len(found) == 1 else name

    return match


def _id_problem(line_id: str) -> str | None:
    """Why an id cannot name output files (`<id>.wav`), on any system the project may move to."""
    if not line_id:
        return Message("project.no_id")
    try:
        check_name(line_id)
    except UnsafeName as error:
        return Message("project.id_not_a_name", id=repr(line_id), error=str(error))
    if refused_by_windows(line_id):  # checked on every system: projects move between machines
        return Message("project.id_refused_by_windows", id=repr(line_id))
    if _TAKE_SUFFIX.search(line_id):
        return Message("project.id_like_a_take", id=repr(line_id))
    return None


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip())


def _clean_text(value: str) -> str:
    return unicodedata.normalize("NFC", normalize_space(value))


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


# --- helpers ---------------------------------------------------------------------------------------


def _visible_entries(folder: Path) -> list[Path]:
    """The folder's entries, sorted by name, without hidden and system files."""
    try:
        entries = list(folder.iterdir())
    except OSError as error:
        raise ProjectError(
            Message("project.unreadable_folder", folder=str(folder), error=_error_text(error))
        ) from error
    visible = [entry for entry in entries if not is_hidden_or_system(entry.name)]
    return sorted(visible, key=lambda entry: entry.name)


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:5])
    return Message("project.names_and_more", names=shown, count=len(names) - 5) if len(names) > 5 else shown


def _error_text(error: BaseException) -> str:
    if isinstance(error, ProjectError):
        return error.message
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).strip() or type(error).__name__
