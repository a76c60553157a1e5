"""A dropped folder, read in steps a window can show as they come: what kind of folder it is, its
speakers, whether an earlier run left results, then the duration of every clip (headers only).

Plain Python, no Qt: `scan_steps` yields the steps as typed values; the window iterates it on a worker
thread and shows each step when it arrives. The full scans are `datasets.scan_dataset` and
`project.scan_project`; this module only adds the steps around them (recognition, per-speaker summaries,
durations in batches, partial results).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from localclip.core.cloning.project import (
    SCRIPT_NAMES,
    SPEAKERS_FOLDER,
    TRANSCRIPT_EXTENSIONS,
    ProjectScan,
    scan_project,
)
from localclip.core.embedding.datasets import Clip, DatasetScan, scan_dataset
from localclip.core.kinds import KIND_DATASET, KIND_PROJECT
from localclip.core.messages import Message

DURATION_BATCH = 400  # clips per step: a step every few tenths of a second on a cold disk
# A folder with more problems than this many times its usable items (and more than PROBLEMS_NOTICED) is
# likely not a dataset or a project at all: the user confirms before it is used.
PROBLEMS_PER_ITEM = 3
PROBLEMS_NOTICED = 20
# Personal folders of a home folder that hold everything but a dataset (itself, not a folder inside).
PERSONAL_FOLDERS = ("Desktop", "Documents", "Downloads")
_PROBLEM_FILE = re.compile(
    r"^(?:cannot read the folder|skipped the link|empty speaker folder|empty dataset folder|folder) "
    r"(.+?)(?::| is nested)"
)


@dataclass(frozen=True)
class FolderProblem:
    """Something wrong in a folder, with the file or folder it concerns (relative, POSIX; "" for the
    folder itself)."""

    file: str
    message: str


def folder_kind(root: Path) -> str:
    """KIND_PROJECT when the folder looks like a cloning project (a script file, or a `speakers/` folder
    whose speakers have transcripts), else KIND_DATASET. Only the top levels are listed."""
    try:
        names = {entry.name.lower(): entry for entry in root.iterdir()}
    except OSError:
        return KIND_DATASET  # the dataset scan will say why the folder cannot be read
    has_script = any(name in names for name in SCRIPT_NAMES) or any(
        name.endswith(".srt") and entry.is_file() for name, entry in names.items()
    )
    speakers = names.get(SPEAKERS_FOLDER)
    if has_script:
        return KIND_PROJECT
    if speakers is not None and speakers.is_dir() and _holds_transcripts(speakers):
        return KIND_PROJECT
    return KIND_DATASET


def _holds_transcripts(speakers: Path) -> bool:
    try:
        for folder in speakers.iterdir():
            if folder.is_dir() and any(
                child.suffix.lower() in TRANSCRIPT_EXTENSIONS for child in folder.iterdir()
            ):
                return True
    except OSError:
        return False
    return False


# --- datasets ----------------------------------------------------------------------------------------


@dataclass
class SpeakerSummary:
    """One speaker of a dataset: its clips, and their total duration as far as it has been read."""

    dataset: str
    speaker: str
    clips: int
    seconds: float = 0.0
    measured: int = 0  # clips whose header was read (or failed to read)
    unreadable: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.dataset, self.speaker)


def speaker_summaries(scan: DatasetScan) -> list[SpeakerSummary]:
    """Per (dataset, speaker), in the scan's order; durations still unknown."""
    summaries: dict[tuple[str, str], SpeakerSummary] = {}
    for clip in scan.clips:
        key = (clip.dataset, clip.speaker)
        summary = summaries.get(key)
        if summary is None:
            summary = summaries[key] = SpeakerSummary(clip.dataset, clip.speaker, 0)
        summary.clips += 1
    return list(summaries.values())


def dataset_problems(scan: DatasetScan) -> list[FolderProblem]:
    """The scan's problems with the file each one names (where the sentence starts with one)."""
    problems = []
    for text in scan.problems:
        match = _PROBLEM_FILE.match(text)
        problems.append(FolderProblem(match.group(1) if match else "", text))
    return problems


@dataclass
class DurationStep:
    """Durations read since the previous step, per (dataset, speaker), and the clips that failed."""

    seconds: dict[tuple[str, str], float] = field(default_factory=dict)
    measured: dict[tuple[str, str], int] = field(default_factory=dict)
    unreadable: dict[tuple[str, str], int] = field(default_factory=dict)
    problems: list[FolderProblem] = field(default_factory=list)
    done: int = 0  # clips read so far, in all steps


def read_durations(
    clips: Iterable[Clip],
    cancelled: Callable[[], bool] = lambda: False,
    batch: int = DURATION_BATCH,
) -> Iterator[DurationStep]:
    """Read each clip's header (never its samples) and yield a step every ``batch`` clips."""
    import soundfile as sf  # imported here: the window starts without it

    step, done = DurationStep(), 0
    for clip in clips:
        if cancelled():
            return
        key = (clip.dataset, clip.speaker)
        try:
            info = sf.info(str(clip.path))
            seconds = info.frames / info.samplerate if info.samplerate > 0 else 0.0
            step.seconds[key] = step.seconds.get(key, 0.0) + seconds
        except (sf.LibsndfileError, RuntimeError, OSError) as error:
            step.unreadable[key] = step.unreadable.get(key, 0) + 1
            message = Message("scan.unreadable_audio", error=_error_text(error))
            step.problems.append(FolderProblem(clip.key, message))
        step.measured[key] = step.measured.get(key, 0) + 1
        done += 1
        if done % batch == 0:
            step.done = done
            yield step
            step = DurationStep()
    step.done = done
    yield step


# --- projects ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSpeaker:
    name: str
    references: tuple[tuple[str, float], ...]  # (file name, seconds)
    lines: int


def project_speakers(scan: ProjectScan) -> list[ProjectSpeaker]:
    """Every speaker folder with usable references, plus speakers only the script names (no references),
    each with the number of lines it speaks."""
    counts: dict[str, int] = {}
    for line in scan.lines:
        counts[line.speaker] = counts.get(line.speaker, 0) + 1
    speakers = [
        ProjectSpeaker(
            name,
            tuple((reference.audio.name, reference.seconds) for reference in refs.references),
            counts.get(name, 0),
        )
        for name, refs in scan.speakers.items()
    ]
    return speakers


def project_problems(scan: ProjectScan) -> list[FolderProblem]:
    return [FolderProblem(problem.file, problem.message) for problem in scan.problems]


# --- results of an earlier run ----------------------------------------------------------------------


@dataclass(frozen=True)
class EarlierResults:
    """What an earlier run left: ``done`` of ``total`` items (clips or lines), ``failed`` of them failed."""

    done: int
    total: int
    failed: int = 0

    @property
    def partial(self) -> bool:
        return self.done + self.failed > 0 and (self.done < self.total)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


def earlier_embeddings(out_dir: Path, scan: DatasetScan) -> EarlierResults | None:
    """Clips of ``scan`` already in the embedding store in ``out_dir`` (None: no store there)."""
    from localclip.core.embedding.store import EmbeddingStore, StoreNotFound

    try:
        with EmbeddingStore.open_existing(out_dir) as store:
            done_keys = store.done_keys()
            failed = sum(1 for record in store.failures() if record.key not in done_keys)
    except (StoreNotFound, OSError, ValueError, KeyError):
        return None
    done = sum(1 for clip in scan.clips if clip.key in done_keys)
    return EarlierResults(done, len(scan.clips), failed)


def earlier_clones(scan: ProjectScan) -> EarlierResults | None:
    """Lines of the script the project's manifest records as done or failed (None: no manifest).

    Read without the manifest's own loader, which renames a damaged manifest aside: opening a folder must
    change nothing in it."""
    from localclip.core.cloning.manifest import MANIFEST_NAME, OUTPUT_FOLDER, STATUS_DONE, STATUS_FAILED

    path = scan.root / OUTPUT_FOLDER / MANIFEST_NAME
    try:
        records = json.loads(path.read_text(encoding="utf-8"))["lines"]
        statuses = {str(line_id): entry.get("status") for line_id, entry in records.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    done = sum(1 for line in scan.lines if statuses.get(line.id) == STATUS_DONE)
    failed = sum(1 for line in scan.lines if statuses.get(line.id) == STATUS_FAILED)
    return EarlierResults(done, len(scan.lines), failed)


def default_embeddings_folder(dataset_root: Path) -> Path:
    """Where the window keeps a dataset's results: beside it, never inside it (a folder inside would be
    read as a speaker on the next scan, and the dataset may be on a read-only share).

    Never beside a drive or filesystem root (``C:\\`` or ``/``, where a user cannot or should not write): a
    dataset at the top of a drive keeps its results in a hidden folder inside, which dataset scans skip
    (a drive root itself is refused before any scan)."""
    root = Path(dataset_root).absolute()
    if not root.name or is_filesystem_root(root.parent):
        return root / ".localclip embeddings"
    return root.with_name(f"{root.name} embeddings")


# --- folders that are not what they claim ------------------------------------------------------------


def is_filesystem_root(path: PurePath) -> bool:
    """A drive root (``C:\\``), a share's root (``\\\\server\\share``) or ``/``: its own parent."""
    if not path.is_absolute():  # (a PureWindowsPath is judged as it is, on any system)
        path = Path(path).absolute()
    return path.parent == path


def folder_refusal(path: Path) -> Message | None:
    """Why ``path`` is never scanned (None: it may be): a drive or filesystem root holds a whole system,
    and its results would go at the top of the drive."""
    if is_filesystem_root(path):
        return Message("scan.refused_root", folder=str(path))
    return None


def results_folder_refusal(folder: Path) -> Message | None:
    """Why results are never written in ``folder`` (None: they may be)."""
    if is_filesystem_root(folder):
        return Message("scan.results_in_root", folder=str(folder))
    return None


def folder_caution(path: Path) -> Message | None:
    """Why ``path`` is probably not the folder the user meant (None: nothing against it): the temporary
    folder, the home folder, or its Desktop, Documents or Downloads folder itself. The user may still use
    it, once asked."""
    here = _same_path_key(path)
    # /tmp by name: it is the temporary folder even where TMPDIR points elsewhere (only compared, never used)
    for temp in {Path("/tmp"), Path(tempfile.gettempdir())}:  # noqa: S108
        if here == _same_path_key(temp):
            return Message("scan.caution_temp", folder=str(path))
    home = _home()
    if home is None:
        return None
    if here == _same_path_key(home):
        return Message("scan.caution_home", folder=str(path))
    for name in PERSONAL_FOLDERS:
        # Windows moves them into OneDrive ("C:\Users\me\OneDrive\Desktop"): one level below too.
        candidates = [home / name, *(folder / name for folder in _onedrive_folders(home))]
        if any(here == _same_path_key(candidate) for candidate in candidates):
            return Message("scan.caution_personal", folder=str(path), name=name)
    return None


def problems_caution(problems: Iterable[object], items: int) -> Message | None:
    """A caution when problems far outnumber usable ``items`` (clips or lines). A problem that stands for
    many files ("ignored 300 non-audio files") counts as that many."""
    count = sum(_problem_weight(problem) for problem in problems)
    if count > PROBLEMS_NOTICED and count > PROBLEMS_PER_ITEM * items:
        return Message("scan.caution_problems", problems=count, items=items)
    return None


def _problem_weight(problem: object) -> int:
    if isinstance(problem, Message) and problem.key == "scan.ignored_files":
        return int(problem.args["count"])
    return 1


def _home() -> Path | None:
    try:
        return Path.home()
    except (RuntimeError, KeyError, OSError):  # no home folder known (a service account)
        return None


def _onedrive_folders(home: Path) -> list[Path]:
    try:
        return [entry for entry in home.iterdir() if entry.name.startswith("OneDrive") and entry.is_dir()]
    except OSError:
        return []


def _same_path_key(path: Path) -> str:
    """One spelling per folder: absolute, links resolved, case folded where the system ignores case."""
    try:
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):
        resolved = Path(path).absolute()
    return os.path.normcase(str(resolved))


# --- the scan, step by step -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recognised:
    """The folder's kind (KIND_DATASET or KIND_PROJECT), known before anything is listed."""

    kind: str


@dataclass(frozen=True)
class DatasetListed:
    """A dataset's clips are listed; their durations are still unknown (``speakers`` fill in later)."""

    scan: DatasetScan
    speakers: list[SpeakerSummary]
    problems: list[FolderProblem]


@dataclass(frozen=True)
class ProjectListed:
    """A project's references and script are read (a project has no later duration steps)."""

    scan: ProjectScan
    speakers: list[ProjectSpeaker]
    problems: list[FolderProblem]


@dataclass(frozen=True)
class Refused:
    """The folder is never used (a drive or filesystem root); nothing in it was read."""

    reason: Message


@dataclass(frozen=True)
class NeedsConfirmation:
    """The folder is probably not what the user meant: the scan stops here, and the folder is used only
    once the user says so (then it is scanned again with ``confirmed``). Before any listing for a place
    (the temporary, home or Desktop folder), after it when problems far outnumber the items."""

    reason: Message


@dataclass(frozen=True)
class Earlier:
    """What an earlier run left (None: nothing, or nothing readable)."""

    results: EarlierResults | None


# Datasets end with one DurationStep per batch of clips.
# A refused or unconfirmed folder ends with Refused or NeedsConfirmation.
ScanStep = Recognised | DatasetListed | ProjectListed | Earlier | DurationStep | Refused | NeedsConfirmation


def scan_steps(
    path: Path, cancelled: Callable[[], bool] = lambda: False, confirmed: bool = False
) -> Iterator[ScanStep]:
    """A folder's scan as it goes: its kind, its content, an earlier run's results, then (datasets) the
    durations. A root is refused; a folder that is probably a mistake stops at NeedsConfirmation unless
    ``confirmed``. Raises LayoutError or ProjectError when the folder cannot be used."""
    if (refusal := folder_refusal(path)) is not None:
        yield Refused(refusal)
        return
    if not confirmed and (caution := folder_caution(path)) is not None:
        yield NeedsConfirmation(caution)
        return
    kind = folder_kind(path)
    yield Recognised(kind)
    if kind == KIND_PROJECT:
        project = scan_project(path)
        problems = project_problems(project)
        yield ProjectListed(project, project_speakers(project), problems)
        if not confirmed and (caution := problems_caution(project.problems, len(project.lines))):
            yield NeedsConfirmation(caution)
            return
        yield Earlier(earlier_clones(project))
        return
    dataset = scan_dataset(path)
    yield DatasetListed(dataset, speaker_summaries(dataset), dataset_problems(dataset))
    if not confirmed and (caution := problems_caution(dataset.problems, len(dataset.clips))):
        yield NeedsConfirmation(caution)
        return
    yield Earlier(earlier_embeddings(default_embeddings_folder(path), dataset))
    yield from read_durations(dataset.clips, cancelled)


def _error_text(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).strip() or type(error).__name__
