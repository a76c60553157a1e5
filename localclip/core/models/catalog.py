"""The models LocalClip knows, where they go on disk, and what state a model folder is in (no Qt, no network).

A catalog entry names a Hugging Face repository, a revision and the files LocalClip needs from it. A hub
file may carry another name than the one LocalClip's checks expect (the ResNet221 repository holds
``voxceleb_resnet221_LM.yaml`` and ``voxceleb_resnet221_LM.pt``), so each file has a remote and a local
name. Expected sizes and SHA-256 sums are written down where they are known; elsewhere the download
takes them from what the hub reports for the file (the LFS SHA-256, or the git blob hash of a small file)
and records them in the folder's manifest, which `verify` later compares against.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from localclip.core.kinds import ModelKind
from localclip.core.messages import Message
from localclip.core.models.folders import (
    FISH_FILES,
    WESPEAKER_FILES,
    ModelDirError,
    check_fish_dir,
    check_wespeaker_dir,
)
from localclip.core.paths import user_data_dir
from localclip.core.units import format_bytes

DEFAULT_ENDPOINT = "https://huggingface.co"
MANIFEST_NAME = ".localclip-model.json"  # what the download verified, beside the files
PART_SUFFIX = ".part"  # a file being downloaded; renamed to its real name once complete and checked
HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelFile:
    remote: str  # path inside the hub repository
    local: str  # name in the model folder, as LocalClip's checks expect it
    size: int | None = None  # exact bytes, where known
    sha256: str | None = None  # where known; otherwise the hub's own report is used
    optional: bool = False  # a file the checks do not need: a 404 for it is not an error


@dataclass(frozen=True)
class CatalogModel:
    id: str
    display_name: str
    kind: ModelKind
    repo: str
    revision: str
    files: tuple[ModelFile, ...]
    licence: str  # a Message (English for the command line; the window translates it), as is description
    gated: bool = False
    approx_bytes: int = 0  # for display before the hub has told the exact sizes
    description: str = ""

    @property
    def page_url(self) -> str:
        """The model's page, where a gated model's licence is accepted (always the public hub)."""
        return f"{DEFAULT_ENDPOINT}/{self.repo}"


CATALOG: tuple[CatalogModel, ...] = (
    CatalogModel(
        id="wespeaker-resnet34",
        display_name="WeSpeaker ResNet34-LM (VoxCeleb)",
        kind=ModelKind.WESPEAKER,
        repo="Wespeaker/wespeaker-voxceleb-resnet34-LM",
        # The revision, size and SHA-256 of avg_model.pt as pinned by other projects that audited this
        # checkpoint (e.g. a converter that refuses any other file); the download checks them.
        revision="f0c48c298fd835726c27956a5d617bad7115627e",
        files=(
            ModelFile("config.yaml", "config.yaml"),
            ModelFile(
                "avg_model.pt",
                "avg_model.pt",
                size=45_053_131,
                sha256="9872b375f2c6a3851ca471cbbf59e06efd23a627d78bf5872e1f0269fd298449",
            ),
        ),
        licence=Message("catalog.wespeaker-resnet34.licence"),
        approx_bytes=45_100_000,
        description=Message("catalog.wespeaker-resnet34.description"),
    ),
    CatalogModel(
        id="wespeaker-resnet221",
        display_name="WeSpeaker ResNet221-LM (VoxCeleb)",
        kind=ModelKind.WESPEAKER,
        repo="Wespeaker/wespeaker-voxceleb-resnet221-LM",
        revision="main",  # no audited commit known; the commit downloaded is recorded in the manifest
        files=(
            ModelFile("voxceleb_resnet221_LM.yaml", "config.yaml"),
            ModelFile("voxceleb_resnet221_LM.pt", "avg_model.pt"),
        ),
        licence=Message("catalog.wespeaker-resnet221.licence"),
        approx_bytes=114_000_000,
        description=Message("catalog.wespeaker-resnet221.description"),
    ),
    CatalogModel(
        id="wespeaker-campplus",
        display_name="WeSpeaker CAM++ (VoxCeleb)",
        kind=ModelKind.WESPEAKER,
        repo="Wespeaker/wespeaker-voxceleb-campplus",
        # The commit other projects pin for this checkpoint; the hub reports the files' sums.
        revision="acf623ad8ca746e50baa432255cf8fc57c669c45",
        files=(ModelFile("config.yaml", "config.yaml"), ModelFile("avg_model.pt", "avg_model.pt")),
        licence=Message("catalog.wespeaker-campplus.licence"),
        approx_bytes=63_000_000,
        description=Message("catalog.wespeaker-campplus.description"),
    ),
    CatalogModel(
        id="openaudio-s1-mini",
        display_name="Fish-Speech OpenAudio S1-mini",
        kind=ModelKind.FISH,
        repo="fishaudio/openaudio-s1-mini",
        revision="main",
        files=(
            ModelFile("config.json", "config.json"),
            ModelFile("tokenizer.tiktoken", "tokenizer.tiktoken"),
            ModelFile("special_tokens.json", "special_tokens.json", optional=True),
            ModelFile("model.pth", "model.pth"),
            ModelFile("codec.pth", "codec.pth"),
        ),
        licence=Message("catalog.openaudio-s1-mini.licence"),
        gated=True,
        approx_bytes=3_610_000_000,
        description=Message("catalog.openaudio-s1-mini.description"),
    ),
)


class UnknownModel(KeyError):
    def __str__(self) -> str:
        known = ", ".join(model.id for model in CATALOG)
        return f"unknown model {self.args[0]!r}; LocalClip knows: {known}"


def find_model(model_id: str, catalog: Iterable[CatalogModel] = CATALOG) -> CatalogModel:
    for model in catalog:
        if model.id == model_id:
            return model
    raise UnknownModel(model_id)


# --- where things are ---------------------------------------------------------------------------------


def models_root(models_folder_setting: str = "") -> Path:
    """The folder downloads go to: the MODELS_FOLDER setting, else the per-user data folder."""
    if models_folder_setting:
        return Path(models_folder_setting)
    return user_data_dir() / "models"


def default_folder(model: CatalogModel, models_folder_setting: str = "") -> Path:
    return models_root(models_folder_setting) / model.id


def hub_endpoint(explicit: str | None = None) -> str:
    """The hub's base URL (``HF_ENDPOINT`` semantics: files at ``<endpoint>/<repo>/resolve/<rev>/<path>``)."""
    endpoint = explicit or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    return endpoint.rstrip("/")


def kind_of_folder(folder: Path) -> ModelKind | None:
    """Which kind of model a folder holds, judged by its files (None: neither)."""
    if (folder / "config.yaml").is_file() or (folder / "avg_model.pt").is_file():
        return ModelKind.WESPEAKER
    if (folder / "config.json").is_file() or (folder / "model.pth").is_file():
        return ModelKind.FISH
    return None


def check_folder(kind: ModelKind, folder: Path) -> None:
    """LocalClip's own check of a model folder; raises ModelDirError saying what is wrong."""
    if kind == ModelKind.WESPEAKER:
        check_wespeaker_dir(folder)
    else:
        check_fish_dir(folder)


def required_files(kind: ModelKind) -> tuple[str, ...]:
    return WESPEAKER_FILES if kind == ModelKind.WESPEAKER else (*FISH_FILES, "codec.pth")


# --- checksums ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checksum:
    """A file's identity as the hub states it: the LFS SHA-256, or the git blob SHA-1 of a small file."""

    algorithm: Literal["sha256", "git-sha1"]
    value: str

    @staticmethod
    def from_etag(etag: str | None) -> Checksum | None:
        value = (etag or "").strip()
        value = value.removeprefix("W/").strip('"').lower()
        if len(value) == 64 and all(c in "0123456789abcdef" for c in value):
            return Checksum("sha256", value)
        if len(value) == 40 and all(c in "0123456789abcdef" for c in value):
            return Checksum("git-sha1", value)
        return None

    def new_hasher(self, size: int) -> Any:
        if self.algorithm == "sha256":
            return hashlib.sha256()
        hasher = hashlib.sha1()  # noqa: S324 - git's object id, an identity check, not a security one
        hasher.update(f"blob {size}\0".encode())
        return hasher

    def of_file(self, path: Path, progress: Callable[[int], None] | None = None) -> str:
        hasher = self.new_hasher(path.stat().st_size)
        with path.open("rb") as file:
            while chunk := file.read(HASH_CHUNK):
                hasher.update(chunk)
                if progress:
                    progress(len(chunk))
        return hasher.hexdigest()


# --- the manifest a download leaves beside the files ----------------------------------------------------


@dataclass
class FileRecord:
    remote: str
    size: int
    checksum: Checksum | None
    mtime_ns: int


@dataclass
class DownloadManifest:
    model_id: str
    repo: str
    revision: str
    commit: str
    files: dict[str, FileRecord] = field(default_factory=dict)
    verified_at: str = ""

    def to_json(self) -> str:
        files = {
            name: {
                "remote": record.remote,
                "size": record.size,
                "algorithm": record.checksum.algorithm if record.checksum else None,
                "checksum": record.checksum.value if record.checksum else None,
                "mtime_ns": record.mtime_ns,
            }
            for name, record in self.files.items()
        }
        data = {
            "format": 1,
            "model": self.model_id,
            "repo": self.repo,
            "revision": self.revision,
            "commit": self.commit,
            "verified_at": self.verified_at,
            "files": files,
        }
        return json.dumps(data, indent=2, ensure_ascii=False)


def write_manifest(folder: Path, manifest: DownloadManifest) -> None:
    manifest.verified_at = datetime.now(UTC).isoformat(timespec="seconds")
    target = folder / MANIFEST_NAME
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(manifest.to_json(), encoding="utf-8")
    temporary.replace(target)


def read_manifest(folder: Path) -> DownloadManifest | None:
    """The manifest of a downloaded folder; None when there is none or it cannot be read."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        files = {}
        for name, entry in data["files"].items():
            checksum = Checksum(entry["algorithm"], entry["checksum"]) if entry.get("checksum") else None
            files[name] = FileRecord(entry["remote"], int(entry["size"]), checksum, int(entry["mtime_ns"]))
        return DownloadManifest(
            data["model"], data["repo"], data["revision"], data["commit"], files, data.get("verified_at", "")
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- what state a folder is in ------------------------------------------------------------------------


class ModelState(Enum):
    NOT_INSTALLED = "not installed"
    PARTIAL = "partial"
    INSTALLED = "installed"
    BROKEN = "broken"


@dataclass(frozen=True)
class ModelStatus:
    state: ModelState
    folder: Path
    detail: str  # one sentence for a person: what is there, what is missing, what is wrong
    bytes_present: int = 0
    verified: bool = False  # installed, and every file is as the download checked it


def model_status(model: CatalogModel, folder: Path) -> ModelStatus:
    """A catalog model's state in ``folder``, cheaply: file presence and sizes against the manifest, then
    LocalClip's own folder check (the full checksum comparison is `verify_folder`)."""
    needed = [f for f in model.files if not f.optional]
    present = [f for f in needed if (folder / f.local).is_file()]
    partial_bytes = sum(_size(folder / (f.local + PART_SUFFIX)) for f in model.files)
    have = sum(_size(folder / f.local) for f in present) + partial_bytes
    manifest = read_manifest(folder) if folder.is_dir() else None
    missing = [f.local for f in needed if f not in present]
    if not present and not partial_bytes:
        detail = "Not downloaded yet." if not folder.exists() else f"No model files in {folder}."
        return ModelStatus(ModelState.NOT_INSTALLED, folder, detail)
    if missing and manifest is None:
        detail = (
            f"Partly downloaded ({len(present)} of {len(needed)} files, {format_bytes(have)}); it resumes."
        )
        return ModelStatus(ModelState.PARTIAL, folder, detail, have)
    if missing:
        return ModelStatus(ModelState.BROKEN, folder, f"Missing {', '.join(missing)}.", have)
    changed = _changed_since_manifest(folder, manifest) if manifest else []
    if changed:
        detail = f"Changed since it was verified: {', '.join(changed)}. Download again to repair."
        return ModelStatus(ModelState.BROKEN, folder, detail, have)
    try:
        check_folder(model.kind, folder)
    except ModelDirError as error:
        return ModelStatus(ModelState.BROKEN, folder, error_message(error), have)
    if manifest is None:
        detail = "Installed (LocalClip's checks pass; not compared with the hub's checksums)."
        return ModelStatus(ModelState.INSTALLED, folder, detail, have)
    when = manifest.verified_at.replace("T", " ").split("+")[0]
    return ModelStatus(ModelState.INSTALLED, folder, f"Installed and verified ({when} UTC).", have, True)


def path_problem(kind: ModelKind, folder: Path) -> str | None:
    """A folder path a model of ``kind`` cannot be loaded from, whatever it holds (checked before a
    download, so gigabytes are not fetched into it in vain)."""
    if kind == ModelKind.FISH and any(part in str(folder.resolve()) for part in ("int8", "int4")):
        return Message("models.quantised_path_choose", folder=str(folder))
    return None


def folder_problem(kind: ModelKind, folder: Path) -> str | None:
    """What keeps ``folder`` from being used as a ``kind`` model (None: it passes LocalClip's check)."""
    if not folder.is_dir():
        return Message("models.folder_not_found", folder=str(folder))
    try:
        check_folder(kind, folder)
    except ModelDirError as error:
        return error_message(error)
    return None


def error_message(error: ModelDirError) -> str:
    """The check's message (a Message the window translates when the check made one)."""
    first = error.args[0] if error.args else None
    return first if isinstance(first, Message) else str(error)


def _changed_since_manifest(folder: Path, manifest: DownloadManifest) -> list[str]:
    changed = []
    for name, record in manifest.files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != record.size:
            changed.append(name)
    return changed


# --- full verification --------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    folder: Path
    kind: ModelKind | None
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # files whose checksum matched
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kind is not None and not self.problems


def verify_folder(
    folder: Path, model: CatalogModel | None = None, progress: Callable[[int], None] | None = None
) -> VerifyReport:
    """Everything that can be checked without loading the model: LocalClip's folder check, then every
    file's size and checksum against the catalog, else against what the download recorded."""
    kind = model.kind if model else kind_of_folder(folder)
    report = VerifyReport(folder, kind)
    if kind is None:
        report.problems.append(
            Message(
                "models.unknown_folder",
                folder=str(folder),
                wespeaker=" and ".join(WESPEAKER_FILES),
                fish=", ".join(required_files("fish")),
            )
        )
        return report
    if problem := folder_problem(kind, folder):
        report.problems.append(problem)
    manifest = read_manifest(folder)
    expected = _expected_checksums(model, manifest)
    if not expected:
        report.notes.append("no checksums known for this folder: only LocalClip's folder check was run")
    for name, (size, checksum) in expected.items():
        _verify_file(folder / name, size, checksum, report, progress)
    return report


def _expected_checksums(
    model: CatalogModel | None, manifest: DownloadManifest | None
) -> dict[str, tuple[int | None, Checksum | None]]:
    expected: dict[str, tuple[int | None, Checksum | None]] = {}
    if manifest is not None:
        for name, record in manifest.files.items():
            expected[name] = (record.size, record.checksum)
    if model is not None:
        for file in model.files:
            size, checksum = expected.get(file.local, (None, None))
            if file.sha256:
                checksum = Checksum("sha256", file.sha256)
            expected[file.local] = (file.size if file.size is not None else size, checksum)
    return {name: value for name, value in expected.items() if value != (None, None)}


def _verify_file(
    path: Path,
    size: int | None,
    checksum: Checksum | None,
    report: VerifyReport,
    progress: Callable[[int], None] | None,
) -> None:
    if not path.is_file():
        report.problems.append(Message("models.file_missing", name=path.name))
        return
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        report.problems.append(
            Message("models.file_size", name=path.name, actual=f"{actual_size:,}", expected=f"{size:,}")
        )
        return
    if checksum is None:
        return
    if checksum.of_file(path, progress) != checksum.value:
        report.problems.append(Message("models.file_checksum", name=path.name, algorithm=checksum.algorithm))
    else:
        report.checked.append(path.name)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
