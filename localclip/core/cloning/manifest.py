"""The cloning manifest, `<project>/output/manifest.json`: what each line was generated from, and its takes.

Outputs live at `<project>/output/<speaker>/<id>.wav` (take 1) and `<id>.take2.wav`, `<id>.take3.wav`... for
later takes. Three rules:

- **Resume.** A line is skipped when its chosen take was made from the same text, references (audio by
  content hash, and transcripts), model and sampling parameters, and its file is still there. The seed is
  *not* compared: a run with random seeds must resume like any other; to hear a line again with another
  seed, regenerate it (a new take).
- **Nothing is overwritten.** A line whose inputs changed, or that is regenerated, gets a new take beside
  the old ones and the new take becomes the chosen one; a take number whose file exists but which the
  manifest does not know (a file the user put there, or a crash before the manifest was saved) is passed
  over. Only a chosen take whose file is missing is written again under its own name.
- **Nothing escapes `output/`.** File names are built from ids and speaker names with `files.safe_path`,
  and the paths read back from a manifest are checked the same way before anything is written to them.

The line-level fields describe the latest attempt (for a failure, what was tried and why it failed); each
take records the inputs it was made from, and `chosen_take` names the take that is the line's output.
`save()` writes atomically (a temporary file, then `os.replace`); the coordinator should save after every
recorded line, so a crash loses at most the lines in flight. A manifest that cannot be read is renamed
aside with a notice saying so (`Manifest.notice`), never silently dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from localclip.core.cloning.project import ProjectScan, ScriptLine
from localclip.core.files import UnsafeName, check_name, replace_file, safe_path
from localclip.core.qa.scores import TakeQa

OUTPUT_FOLDER = "output"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
MAX_SEED = 2**32 - 1  # what every seeding API accepts (numpy's limit; torch takes 64 bits)
# Widest sample peak a take can report, in dB either side of full scale: float32 audio spans +771 dBFS
# (its largest value) to -897 dBFS (its smallest above zero); anything past this is not a measurement.
PEAK_DB_LIMIT = 1000.0
STATUS_DONE = "done"
STATUS_FAILED = "failed"
REASONS = (
    "new",
    "failed",  # tried before, never succeeded
    "text changed",
    "reference changed",
    "model changed",
    "params changed",
    "missing file",
    "regenerate",  # a new take asked for by the user
)


class ManifestError(ValueError):
    """The manifest cannot be used or changed as asked; the message says why."""


@dataclass(frozen=True)
class CloneParams:
    """Fish-Speech's sampling parameters, with its defaults and its own limits."""

    temperature: float = 0.8
    top_p: float = 0.8
    repetition_penalty: float = 1.1
    max_new_tokens: int = 1024  # about 47.6 s of audio (21.5 codes a second); 0 is the model's limit

    def __post_init__(self) -> None:
        # fish-speech asserts these ranges mid-run; refusing them here names the setting instead.
        _check_range("temperature", self.temperature, 0, 2, high_inclusive=False)
        _check_range("top_p", self.top_p, 0, 1, high_inclusive=True)
        _check_range("repetition_penalty", self.repetition_penalty, 0, 2, high_inclusive=False)
        tokens = self.max_new_tokens
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 0 or tokens == 1:
            # 1 crashes fish-speech 0.1.0 (UnboundLocalError in decode_n_tokens).
            raise ValueError(f"max_new_tokens must be 0 (no limit) or at least 2, not {tokens!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "repetition_penalty": self.repetition_penalty,
            "max_new_tokens": self.max_new_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CloneParams:
        return cls(
            float(data["temperature"]),
            float(data["top_p"]),
            float(data["repetition_penalty"]),
            int(data["max_new_tokens"]),
        )


def _check_range(name: str, value: float, low: float, high: float, high_inclusive: bool) -> None:
    inside = low < value <= high if high_inclusive else low < value < high
    if not isinstance(value, int | float) or not math.isfinite(value) or not inside:
        bracket = "]" if high_inclusive else ")"
        raise ValueError(f"{name} must be in ({low}, {high}{bracket}, not {value!r}")


def check_peak_db(value: Any) -> float:
    """A take's sample peak in dBFS: a finite number within PEAK_DB_LIMIT of full scale."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or abs(value) > PEAK_DB_LIMIT:
        raise ValueError(f"a peak is a finite number of dBFS within ±{PEAK_DB_LIMIT:g}, not {value!r}")
    return float(value)


def check_seed(seed: int) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"a seed is a whole number from 0 to {MAX_SEED}, not {seed!r}")
    return seed


def line_seed(project_seed: int, line_id: str) -> int:
    """The seed of one line under a fixed project seed: stable across runs and machines (no `hash()`,
    which Python salts per process), and different for every line."""
    digest = hashlib.sha256(f"{check_seed(project_seed)}\x00{line_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def random_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


@dataclass(frozen=True)
class SeedPolicy:
    """`seed=None`: a fresh random seed for each line (recorded, so a take can be reproduced later).
    A fixed seed: each line's seed is derived from it and the line's id (`line_seed`)."""

    seed: int | None = None

    def __post_init__(self) -> None:
        if self.seed is not None:
            check_seed(self.seed)

    def seed_for(self, line_id: str) -> int:
        return random_seed() if self.seed is None else line_seed(self.seed, line_id)


@dataclass(frozen=True)
class LineInputs:
    """What a take is made from; two takes with equal inputs differ only by their seed. A reference is its
    audio (by content hash) and its transcript: both go into the voice prompt."""

    text: str
    speaker: str
    reference_hashes: tuple[str, ...]
    reference_transcripts: tuple[str, ...]
    model_id: str
    params: CloneParams

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "reference_hashes": list(self.reference_hashes),
            "reference_transcripts": list(self.reference_transcripts),
            "model_id": self.model_id,
            "params": self.params.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineInputs:
        return cls(
            _text(data["text"]),
            _text(data["speaker"]),
            tuple(_text(value) for value in data["reference_hashes"]),
            tuple(_text(value) for value in data["reference_transcripts"]),
            _text(data["model_id"]),
            CloneParams.from_dict(data["params"]),
        )

    def change_from(self, earlier: LineInputs) -> str | None:
        """Why these inputs would give other audio than `earlier` (the first reason that applies), or None.
        A renamed speaker folder with the same reference audio is the same voice: not a change."""
        if self.text != earlier.text:
            return "text changed"
        if (self.reference_hashes, self.reference_transcripts) != (
            earlier.reference_hashes,
            earlier.reference_transcripts,
        ):
            return "reference changed"  # new audio, or a corrected transcript
        if self.model_id != earlier.model_id:
            return "model changed"
        if self.params != earlier.params:
            return "params changed"
        return None


@dataclass(frozen=True)
class Take:
    take: int
    path: str  # relative to output/, POSIX: "<speaker>/<id>.take2.wav"
    seed: int
    duration: float  # seconds of audio
    created: str  # ISO 8601, UTC
    inputs: LineInputs
    # Non-destructive trim, seconds into the take's file (out None: to the end); export applies it.
    trim_in: float = 0.0
    trim_out: float | None = None
    # The file's sample peak in dBFS, as the worker measured it when it wrote the take (None: not known,
    # e.g. a take from an older version): the review flags silent takes without reading their files.
    peak_db: float | None = None
    # Its QA scores (core/qa, docs/qa.md; None: not scored), and whether the clone job said a chunk of it
    # stopped at max_new_tokens. Both written only when set; a damaged `qa` block is dropped when read (the
    # take stays, unscored: scoring it again is cheap, losing the manifest is not), and `token_limit` is
    # true only when it is literally true.
    qa: TakeQa | None = None
    token_limit: bool = False

    @property
    def trimmed(self) -> bool:
        return self.trim_in > 0 or self.trim_out is not None

    @property
    def kept_seconds(self) -> float:
        """The take's length after its trim."""
        end = self.duration if self.trim_out is None else min(self.trim_out, self.duration)
        return max(0.0, end - self.trim_in)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "take": self.take,
            "path": self.path,
            "seed": self.seed,
            "duration": self.duration,
            "created": self.created,
            **self.inputs.to_dict(),
        }
        # Written only when set: an untrimmed take reads the same in older versions.
        if self.trim_in:
            data["trim_in"] = self.trim_in
        if self.trim_out is not None:
            data["trim_out"] = self.trim_out
        if self.peak_db is not None:
            data["peak_db"] = self.peak_db
        if self.qa is not None:
            data["qa"] = self.qa.to_dict()
        if self.token_limit:
            data["token_limit"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Take:
        trim_out = data.get("trim_out")
        peak_db = data.get("peak_db")
        return cls(
            _positive_int(data["take"]),
            _text(data["path"]),
            check_seed(data["seed"]),
            float(data["duration"]),
            _text(data["created"]),
            LineInputs.from_dict(data),
            _seconds(data.get("trim_in", 0.0)),
            None if trim_out is None else _seconds(trim_out),
            None if peak_db is None else check_peak_db(peak_db),
            TakeQa.from_stored(data.get("qa")),
            data.get("token_limit") is True,
        )


@dataclass
class LineRecord:
    line_id: str
    inputs: LineInputs  # of the latest attempt
    seed: int | None
    duration: float | None
    status: str  # STATUS_DONE or STATUS_FAILED
    reason: str | None  # why it failed
    takes: list[Take] = field(default_factory=list)
    chosen_take: int | None = None
    updated: str = ""
    approved: bool = False  # the editor's sign-off on the line's kept take
    note: str = ""  # the editor's note on the line

    def take(self, number: int | None) -> Take | None:
        return next((take for take in self.takes if take.take == number), None)

    @property
    def chosen(self) -> Take | None:
        return self.take(self.chosen_take)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.inputs.to_dict(),
            "seed": self.seed,
            "duration": self.duration,
            "status": self.status,
            "reason": self.reason,
            "takes": [take.to_dict() for take in self.takes],
            "chosen_take": self.chosen_take,
            "updated": self.updated,
            "approved": self.approved,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, line_id: str, data: dict[str, Any]) -> LineRecord:
        status = data["status"]
        if status not in (STATUS_DONE, STATUS_FAILED):
            raise ValueError(f"line {line_id!r}: unknown status {status!r}")
        takes = [Take.from_dict(take) for take in data["takes"]]
        chosen = data["chosen_take"]
        if chosen is not None and all(take.take != chosen for take in takes):
            raise ValueError(f"line {line_id!r}: the chosen take {chosen!r} is not among its takes")
        return cls(
            line_id,
            LineInputs.from_dict(data),
            None if data["seed"] is None else check_seed(data["seed"]),
            None if data["duration"] is None else float(data["duration"]),
            status,
            None if data["reason"] is None else _text(data["reason"]),
            takes,
            chosen,
            _text(data.get("updated", "")),
            _flag(data.get("approved", False)),
            _text(data.get("note", "")),
        )


@dataclass(frozen=True)
class LinePlan:
    """One line to generate: where to write it, with which seed, and why."""

    line: ScriptLine
    reason: str  # one of REASONS
    out_path: Path  # absolute, inside output/<speaker>/
    seed: int
    take: int
    inputs: LineInputs

    @property
    def line_id(self) -> str:
        return self.line.id

    @property
    def speaker(self) -> str:
        return self.line.speaker

    @property
    def text(self) -> str:
        return self.line.text


class Manifest:
    """The manifest of one project; `load` it, plan and record lines, `save` it."""

    def __init__(
        self, project: Path, lines: dict[str, LineRecord] | None = None, notice: str | None = None
    ) -> None:
        self.project = Path(project).absolute()
        self.output_dir = self.project / OUTPUT_FOLDER
        self.path = self.output_dir / MANIFEST_NAME
        self.lines: dict[str, LineRecord] = dict(lines or {})
        self.notice = notice  # set when an unreadable manifest was renamed aside: tell the user
        self._reserved: set[Path] = set()  # paths handed out by new_take/plan_take, not yet recorded

    # --- loading and saving ------------------------------------------------------------------------

    @classmethod
    def load(cls, project: Path) -> Manifest:
        """The project's manifest; an empty one if there is none yet. A manifest that cannot be parsed is
        renamed aside (`manifest.corrupt-<time>.json`) and an empty one returned, with `notice` set."""
        manifest = cls(project)
        try:
            data = manifest.path.read_bytes()
        except FileNotFoundError:
            return manifest
        except OSError as error:
            raise ManifestError(f"cannot read {manifest.path}: {error.strerror or error}") from error
        try:
            manifest.lines = manifest._parse(data)
        except _Unreadable as error:
            manifest.notice = manifest._set_aside(str(error))
        return manifest

    def save(self) -> None:
        """Write the manifest atomically: a temporary file in output/, flushed to disk, then renamed."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        document = {
            "format": MANIFEST_FORMAT,
            "generator": "LocalClip",
            "lines": {line_id: record.to_dict() for line_id, record in self.lines.items()},
        }
        # No indent: only then does json use its C encoder (10,000 lines: 0.7 s with indent=1, the window
        # saves after every new take).
        payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
        handle, temporary = tempfile.mkstemp(prefix=".manifest-", suffix=".tmp", dir=self.output_dir)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())  # one small file per line: the sync is cheap and keeps it whole
            replace_file(Path(temporary), self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
            raise

    def _parse(self, data: bytes) -> dict[str, LineRecord]:
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise _Unreadable(f"not JSON ({error})") from error
        if not isinstance(document, dict) or not isinstance(document.get("lines"), dict):
            raise _Unreadable("not a LocalClip manifest (no 'lines')")
        version = document.get("format")
        if isinstance(version, int) and version > MANIFEST_FORMAT:
            raise ManifestError(
                f"{self.path} was written by a newer LocalClip (manifest format {version}; this version "
                f"reads {MANIFEST_FORMAT}): update LocalClip to continue this project"
            )
        if version != MANIFEST_FORMAT:
            raise _Unreadable(f"unknown manifest format {version!r}")
        lines = {}
        for line_id, entry in document["lines"].items():
            try:
                record = LineRecord.from_dict(line_id, entry)
                for take in record.takes:
                    self._take_file(take.path)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise _Unreadable(f"the entry of line {line_id!r} is damaged ({_describe(error)})") from error
            lines[line_id] = record
        return lines

    def _set_aside(self, why: str) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = self.output_dir / f"manifest.corrupt-{stamp}.json"
        number = 1
        while target.exists():
            number += 1
            target = self.output_dir / f"manifest.corrupt-{stamp}-{number}.json"
        try:
            self.path.replace(target)
        except OSError as error:
            raise ManifestError(
                f"{self.path} cannot be read ({why}) and cannot be renamed aside "
                f"({error.strerror or error}): move it away to start a new manifest"
            ) from error
        return (
            f"{self.path} could not be read ({why}); it was renamed to {target.name} and a new manifest was "
            "started. Existing clips are kept: lines are generated again as new takes beside them."
        )

    # --- planning ----------------------------------------------------------------------------------

    def plan_lines(
        self,
        scan: ProjectScan,
        model_id: str,
        params: CloneParams,
        seed_policy: SeedPolicy,
        only: Collection[str] | None = None,
    ) -> list[LinePlan]:
        """The script's lines that need generating (in script order), each with its reason; lines whose
        chosen take matches the inputs and whose file exists are left out. `only`: these ids alone."""
        wanted = None if only is None else set(only)
        plans = []
        for line in scan.lines:
            if wanted is not None and line.id not in wanted:
                continue
            plan = self._plan_line(line, _inputs(scan, line, model_id, params), seed_policy)
            if plan is not None:
                plans.append(plan)
        return plans

    def plan_take(
        self, scan: ProjectScan, line_id: str, model_id: str, params: CloneParams, seed: int
    ) -> LinePlan:
        """A new take of one line (`regenerate`), with the script's current text and the given seed."""
        line = next((line for line in scan.lines if line.id == line_id), None)
        if line is None:
            skipped = next((item for item in scan.skipped if item.line.id == line_id), None)
            if skipped is not None:
                raise ManifestError(f"line {line_id!r} cannot be generated: {skipped.reason}")
            raise ManifestError(f"the script has no line {line_id!r}")
        take, path = self._next_take(line_id, line.speaker, reserve=True)
        inputs = _inputs(scan, line, model_id, params)
        return LinePlan(line, "regenerate", path, check_seed(seed), take, inputs)

    def new_take(self, line_id: str, seed: int, speaker: str | None = None) -> Path:
        """The path of a new take of a line (reserved: a second call gives the next one). The speaker
        defaults to the one recorded for the line. `seed` is checked here and recorded by `record_done`."""
        check_seed(seed)
        record = self.lines.get(line_id)
        if speaker is None:
            if record is None:
                raise ManifestError(f"the manifest has no line {line_id!r}: name its speaker")
            speaker = record.inputs.speaker
        return self._next_take(line_id, speaker, reserve=True)[1]

    def _plan_line(self, line: ScriptLine, inputs: LineInputs, seed_policy: SeedPolicy) -> LinePlan | None:
        record = self.lines.get(line.id)
        chosen = record.chosen if record else None
        if chosen is None:
            reason = "failed" if record and record.status == STATUS_FAILED else "new"
        else:
            reason = inputs.change_from(chosen.inputs)
            if reason is None:
                path = self._take_file(chosen.path)
                if path.is_file():
                    return None
                # Nothing is there to overwrite: make the chosen take again, under its own name and seed.
                return LinePlan(line, "missing file", path, chosen.seed, chosen.take, inputs)
        take, path = self._next_take(line.id, line.speaker, reserve=False)
        return LinePlan(line, reason, path, seed_policy.seed_for(line.id), take, inputs)

    def _next_take(self, line_id: str, speaker: str, reserve: bool) -> tuple[int, Path]:
        """The first take number after the recorded ones whose file does not exist and that no new take
        in flight holds. `plan_lines` does not reserve, so planning twice gives the same paths."""
        record = self.lines.get(line_id)
        number = max((take.take for take in record.takes), default=0) if record else 0
        while True:
            number += 1
            path = self.take_path(speaker, line_id, number)
            if path not in self._reserved and not path.exists():
                if reserve:
                    self._reserved.add(path)
                return number, path

    def take_path(self, speaker: str, line_id: str, take: int) -> Path:
        """`output/<speaker>/<id>.wav` for take 1, `<id>.take<N>.wav` after; refuses names that could
        point outside output/."""
        name = f"{line_id}.wav" if take == 1 else f"{line_id}.take{take}.wav"
        try:
            check_name(line_id)
            return safe_path(self.output_dir, speaker, name)
        except UnsafeName as error:
            raise ManifestError(f"line {line_id!r} of {speaker!r} cannot be written: {error}") from error

    def _take_file(self, relative: str) -> Path:
        try:
            return safe_path(self.output_dir, *relative.split("/"))
        except UnsafeName as error:
            raise ValueError(f"the take path {relative!r} is not inside output/") from error

    # --- recording ---------------------------------------------------------------------------------

    def record_done(
        self,
        plan: LinePlan,
        duration: float,
        created: str | None = None,
        peak_db: float | None = None,
        token_limit: bool = False,
    ) -> Take:
        """The plan's file was written: record it as a take (replacing the take of the same number, for a
        missing file made again) and make it the chosen take. `peak_db`: the file's sample peak (dBFS),
        when the worker measured it; a value that is not one raises ValueError. `token_limit`: a chunk of
        it stopped at max_new_tokens (the clone job says so)."""
        if not plan.out_path.is_file():
            raise ManifestError(f"line {plan.line_id!r}: no file at {plan.out_path} to record")
        relative = plan.out_path.relative_to(self.output_dir).as_posix()
        peak = None if peak_db is None else check_peak_db(peak_db)
        created = created or _now()
        take = Take(
            plan.take,
            relative,
            plan.seed,
            float(duration),
            created,
            plan.inputs,
            peak_db=peak,
            token_limit=token_limit is True,
        )
        record = self.lines.get(plan.line_id)
        takes = [old for old in record.takes if old.take != plan.take] if record else []
        takes = sorted([*takes, take], key=lambda item: item.take)
        self.lines[plan.line_id] = LineRecord(
            plan.line_id,
            plan.inputs,
            plan.seed,
            take.duration,
            STATUS_DONE,
            None,
            takes,
            take.take,
            take.created,
            note=record.note if record else "",  # the note stays; the approval was of the old take
        )
        self._reserved.discard(plan.out_path)
        return take

    def record_failed(self, plan: LinePlan, reason: str) -> None:
        """The attempt failed: record why. Earlier takes and the chosen take are kept."""
        record = self.lines.get(plan.line_id)
        takes = record.takes if record else []
        chosen = record.chosen_take if record else None
        self.lines[plan.line_id] = LineRecord(
            plan.line_id,
            plan.inputs,
            plan.seed,
            None,
            STATUS_FAILED,
            str(reason),
            takes,
            chosen,
            _now(),
            approved=record.approved if record else False,
            note=record.note if record else "",
        )
        self._reserved.discard(plan.out_path)

    def choose_take(self, line_id: str, take: int) -> None:
        """Make `take` the line's output (the review pane's choice)."""
        record = self.lines.get(line_id)
        if record is None:
            raise ManifestError(f"the manifest has no line {line_id!r}")
        chosen = record.take(take)
        if chosen is None:
            numbers = ", ".join(str(item.take) for item in record.takes) or "none"
            raise ManifestError(f"line {line_id!r} has no take {take} (takes: {numbers})")
        if not self._take_file(chosen.path).is_file():
            raise ManifestError(f"take {take} of line {line_id!r} is missing: {chosen.path}")
        self.lines[line_id] = replace(
            record,
            inputs=chosen.inputs,
            seed=chosen.seed,
            duration=chosen.duration,
            status=STATUS_DONE,
            reason=None,
            chosen_take=take,
            updated=_now(),
        )

    def set_trim(self, line_id: str, take: int, trim_in: float, trim_out: float | None) -> None:
        """Keep seconds `trim_in` to `trim_out` (None: to the end) of a take; 0 and None undo the trim.
        Refuses a range outside the take (0 <= in < out <= duration)."""
        record = self._record(line_id)
        found = record.take(take)
        if found is None:
            raise ManifestError(f"line {line_id!r} has no take {take}")
        trim_in = float(trim_in)
        end = found.duration if trim_out is None else float(trim_out)
        inside = 0 <= trim_in < end <= found.duration + 1e-6
        if not (math.isfinite(trim_in) and math.isfinite(end) and inside):
            raise ManifestError(
                f"take {take} of line {line_id!r}: a trim keeps 0 <= in < out <= {found.duration:.3f} s, "
                f"not {trim_in:.3f}-{end:.3f} s"
            )
        trimmed = replace(found, trim_in=trim_in, trim_out=None if trim_out is None else end)
        takes = [trimmed if item.take == take else item for item in record.takes]
        self.lines[line_id] = replace(record, takes=takes, updated=_now())

    def set_take_qa(self, line_id: str, take: int, qa: TakeQa) -> None:
        """Store a take's QA scores (replacing earlier ones); the chosen take stays as it is."""
        record = self._record(line_id)
        if record.take(take) is None:
            raise ManifestError(f"line {line_id!r} has no take {take}")
        takes = [replace(item, qa=qa) if item.take == take else item for item in record.takes]
        self.lines[line_id] = replace(record, takes=takes)

    def set_approved(self, line_id: str, approved: bool) -> None:
        record = self._record(line_id)
        self.lines[line_id] = replace(record, approved=bool(approved), updated=_now())

    def set_note(self, line_id: str, note: str) -> None:
        record = self._record(line_id)
        self.lines[line_id] = replace(record, note=str(note), updated=_now())

    def _record(self, line_id: str) -> LineRecord:
        record = self.lines.get(line_id)
        if record is None:
            raise ManifestError(f"the manifest has no line {line_id!r}")
        return record

    # --- reading -----------------------------------------------------------------------------------

    def chosen_path(self, line_id: str) -> Path | None:
        record = self.lines.get(line_id)
        chosen = record.chosen if record else None
        return self._take_file(chosen.path) if chosen else None

    def counts(self) -> dict[str, int]:
        statuses = [record.status for record in self.lines.values()]
        return {
            "lines": len(statuses),
            STATUS_DONE: statuses.count(STATUS_DONE),
            STATUS_FAILED: statuses.count(STATUS_FAILED),
            "takes": sum(len(record.takes) for record in self.lines.values()),
        }


class _Unreadable(Exception):
    """The manifest file is damaged (as opposed to unreadable by this version)."""


def _inputs(scan: ProjectScan, line: ScriptLine, model_id: str, params: CloneParams) -> LineInputs:
    speaker = scan.speakers.get(line.speaker)
    if speaker is None:
        raise ManifestError(f"line {line.id!r}: the speaker {line.speaker!r} has no usable reference")
    references = scan.references_for(line)  # the chosen reference only, where the review chose one
    return LineInputs(
        line.text,
        line.speaker,
        tuple(reference.sha256 for reference in references),
        tuple(reference.transcript for reference in references),
        model_id,
        params,
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {value!r}")
    return value


def _seconds(value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
        raise ValueError(f"expected seconds, found {value!r}")
    return float(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, found {value!r}")
    return value


def _positive_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"expected a take number, found {value!r}")
    return value


def _describe(error: BaseException) -> str:
    return f"missing {error}" if isinstance(error, KeyError) else str(error)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
