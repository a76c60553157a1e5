"""Scanning a dataset folder: `<root>/<speaker>/<clip>` or `<root>/<dataset>/<speaker>/<clip>`.

Only os.scandir, which on Linux and Windows tells files from folders without a stat call per entry, so a
100,000-clip folder scans in about a second. Links are never followed: a link can point outside the
dataset or into a loop, and a clip reached twice would be embedded twice.
"""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localclip.core.files import is_hidden_or_system
from localclip.core.messages import Message

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")
LAYOUT_SPEAKER_CLIP = "speaker/clip"
LAYOUT_DATASET_SPEAKER_CLIP = "dataset/speaker/clip"

_AUDIO_SUFFIXES = frozenset(AUDIO_EXTENSIONS)
# Files and folders that operating systems and archivers leave behind; nobody wants to hear about them.
_EXAMPLES_SHOWN = 5


class LayoutError(ValueError):
    """The folder is not a dataset LocalClip can read; the message says what to change."""


@dataclass(frozen=True)
class Clip:
    key: str  # POSIX path relative to the scanned root, e.g. "spk1/a.wav": unique, and the store's key
    dataset: str
    speaker: str
    path: Path  # absolute


@dataclass(frozen=True)
class DatasetScan:
    root: Path
    layout: str  # LAYOUT_SPEAKER_CLIP or LAYOUT_DATASET_SPEAKER_CLIP
    clips: tuple[Clip, ...]  # sorted by key
    problems: tuple[str, ...]  # what was left out and why, one line each (Messages)

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(sorted({clip.dataset for clip in self.clips}))

    @property
    def speakers(self) -> tuple[tuple[str, str], ...]:
        """(dataset, speaker) pairs, sorted."""
        return tuple(sorted({(clip.dataset, clip.speaker) for clip in self.clips}))

    @property
    def speaker_count(self) -> int:
        return len(self.speakers)

    def summary(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "layout": self.layout,
            "datasets": len(self.datasets),
            "speakers": self.speaker_count,
            "clips": len(self.clips),
            "problems": len(self.problems),
        }


@dataclass
class _Listing:
    """One folder's entries, by kind; names only, sorted so that scans are deterministic."""

    path: Path
    audio: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


@dataclass
class _RootChild:
    """A folder in the root: a speaker folder, a dataset folder, or neither (no audio two levels down).
    Its subfolders are listed only when it holds no audio itself, and only once."""

    listing: _Listing
    subfolders: list[_Listing]

    @property
    def name(self) -> str:
        return self.listing.path.name

    @property
    def holds_audio(self) -> bool:
        return bool(self.listing.audio)

    @property
    def holds_audio_folders(self) -> bool:
        return any(subfolder.audio for subfolder in self.subfolders)


class _Problems:
    """Collects problems; non-audio files are counted per extension, not listed one by one, because a
    dataset with a transcript beside every clip would otherwise produce 100,000 lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._ignored: dict[str, list[str]] = defaultdict(list)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def ignore_files(self, relative_folder: str, names: list[str]) -> None:
        for name in names:
            extension = _extension(name)
            self._ignored[extension].append(_join(relative_folder, name))

    def result(self) -> tuple[str, ...]:
        lines = list(self.lines)
        for extension, paths in sorted(self._ignored.items()):
            shown = extension or Message("scan.no_extension")
            lines.append(
                Message("scan.ignored_files", count=len(paths), extension=shown, examples=_examples(paths))
            )
        return tuple(lines)


def scan_dataset(root: Path) -> DatasetScan:
    """Find every clip under `root`, detecting which of the two layouts it uses."""
    root = Path(root).absolute()
    top = _list_root(root)
    if not (top.audio or top.folders or top.other_files or top.links):
        raise LayoutError(Message("scan.empty_folder", folder=str(root)))
    problems = _Problems()
    _report_links(problems, "", top.links)
    problems.ignore_files("", top.other_files)
    if top.audio:
        raise LayoutError(_audio_in_root_message(root, top.audio))
    children = [_read_root_child(root / name, problems) for name in top.folders]
    holds_audio = [child.name for child in children if child.holds_audio]
    holds_folders = [child.name for child in children if child.holds_audio_folders]
    if holds_audio and holds_folders:
        raise LayoutError(_mixed_layout_message(root, holds_audio, holds_folders))
    if holds_audio:
        clips = _speaker_layout_clips(root, children, problems)
        layout = LAYOUT_SPEAKER_CLIP
    else:
        clips = _dataset_layout_clips(children, problems)
        layout = LAYOUT_DATASET_SPEAKER_CLIP
    if not clips:
        raise LayoutError(_no_audio_message(root, problems.result()))
    clips.sort(key=lambda clip: clip.key)
    return DatasetScan(root, layout, tuple(clips), problems.result())


def _list_root(root: Path) -> _Listing:
    if not root.exists():
        raise LayoutError(Message("scan.folder_missing", folder=str(root)))
    if not root.is_dir():
        raise LayoutError(Message("scan.not_a_folder", folder=str(root)))
    try:
        return _read_entries(root)
    except OSError as error:
        message = Message("scan.unreadable_root", folder=str(root), error=str(error.strerror or error))
        raise LayoutError(message) from error


def _read_root_child(path: Path, problems: _Problems) -> _RootChild:
    listing = _list_folder(path, path.name, problems)
    if listing.audio:
        return _RootChild(listing, [])
    subfolders = [_list_folder(path / name, f"{path.name}/{name}", problems) for name in listing.folders]
    return _RootChild(listing, subfolders)


def _list_folder(path: Path, relative: str, problems: _Problems) -> _Listing:
    """A folder below the root; one that cannot be read is a problem, not a failed scan."""
    try:
        listing = _read_entries(path)
    except OSError as error:
        problems.add(Message("scan.unreadable_folder", folder=relative, error=str(error.strerror or error)))
        return _Listing(path)
    _report_links(problems, relative, listing.links)
    problems.ignore_files(relative, listing.other_files)
    return listing


def _read_entries(path: Path) -> _Listing:
    listing = _Listing(path)
    with os.scandir(path) as entries:
        for entry in entries:
            _classify(entry, listing)
    for names in (listing.audio, listing.folders, listing.other_files, listing.links):
        names.sort()
    return listing


def _classify(entry: os.DirEntry[str], listing: _Listing) -> None:
    name = entry.name
    if is_hidden_or_system(name):
        return  # hidden and system entries are skipped silently
    if _is_link(entry):
        listing.links.append(name)
    elif entry.is_dir(follow_symlinks=False):
        listing.folders.append(name)
    elif not entry.is_file(follow_symlinks=False):
        listing.other_files.append(name)  # a device, pipe or socket: never opened
    elif _extension(name) in _AUDIO_SUFFIXES:
        listing.audio.append(name)
    else:
        listing.other_files.append(name)


def _is_link(entry: os.DirEntry[str]) -> bool:
    if entry.is_symlink():
        return True
    if os.name != "nt":
        return False
    # Windows junctions are not symlinks to Python 3.11, but are reparse points (free: scandir's data).
    attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    return bool(attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT)


def _speaker_layout_clips(root: Path, speakers: list[_RootChild], problems: _Problems) -> list[Clip]:
    dataset = root.name or "dataset"  # a drive root has no name
    clips: list[Clip] = []
    for speaker in speakers:
        clips.extend(_speaker_clips(speaker.listing, dataset, speaker.name, speaker.name, problems))
    return clips


def _dataset_layout_clips(datasets: list[_RootChild], problems: _Problems) -> list[Clip]:
    clips: list[Clip] = []
    for dataset in datasets:
        if not dataset.subfolders:
            problems.add(Message("scan.empty_dataset_folder", folder=dataset.name))
        for speaker in dataset.subfolders:
            relative = f"{dataset.name}/{speaker.path.name}"
            clips.extend(_speaker_clips(speaker, dataset.name, speaker.path.name, relative, problems))
    return clips


def _speaker_clips(
    listing: _Listing, dataset: str, speaker: str, relative: str, problems: _Problems
) -> list[Clip]:
    for folder in listing.folders:
        problems.add(Message("scan.nested_folder", folder=f"{relative}/{folder}"))
    if not listing.audio:
        if not listing.folders:
            problems.add(Message("scan.empty_speaker_folder", folder=relative))
        return []
    return [Clip(f"{relative}/{name}", dataset, speaker, listing.path / name) for name in listing.audio]


def _report_links(problems: _Problems, relative: str, names: list[str]) -> None:
    for name in names:
        problems.add(Message("scan.link_not_followed", folder=_join(relative, name)))


def _audio_in_root_message(root: Path, audio: list[str]) -> Message:
    return Message("scan.audio_in_root", count=len(audio), folder=str(root), examples=_examples(audio))


def _mixed_layout_message(root: Path, audio_names: list[str], folder_names: list[str]) -> Message:
    return Message(
        "scan.mixed_layout",
        folder=str(root),
        speaker_count=len(audio_names),
        speakers=_examples(audio_names),
        dataset_count=len(folder_names),
        datasets=_examples(folder_names),
    )


def _no_audio_message(root: Path, problems: tuple[str, ...]) -> Message:
    message = Message("scan.no_audio", extensions=", ".join(AUDIO_EXTENSIONS), folder=str(root))
    if problems:
        return Message("scan.no_audio_problems", message=message, count=len(problems), first=problems[0])
    return message


def _examples(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:_EXAMPLES_SHOWN])
    more = len(names) - _EXAMPLES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _extension(name: str) -> str:
    """The lower-case extension, ".wav" for "a.WAV" (string methods: no Path per file when scanning)."""
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _join(relative_folder: str, name: str) -> str:
    return f"{relative_folder}/{name}" if relative_folder else name
