"""What travels between the coordinator and a node, and the checks on what comes back. No Dask here.

A batch is plain data (dicts, lists, strings, numbers, bytes), so Dask moves it with msgpack, and the
coordinator's client refuses pickled results altogether (``session.py``). Input audio travels in the batch
as bytes (nodes share no drive with the coordinator), paths do not: a node writes the bytes to its own
scratch folder and gives the worker those paths; a clone take comes back as the WAV file's bytes, which the
coordinator writes where its own run wants it. Models are named, not sent: each node has its own copy
under its models folder, found by folder name and checked by a fingerprint that is the same on every
machine (``ModelRef``); a job names each of its models by the parameter that gives its folder.

Speakers' reference audio (a clone line's voice prompt, the voices a take check compares with) is marked as
such in a batch: a node keeps it under its content's hash, so the same reference is the same file from batch
to batch, and what its worker derived from it (prompt codes, a speaker's centroid) is found again. So it
travels once per worker: a reference the worker's node already holds goes by that name alone (``kept``),
and a node that no longer has it (its scratch folder was emptied) says so (``missing_references``), and
the coordinator sends the batch again with the bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localclip.core.files import UnsafeName, check_name, write_bytes_atomically
from localclip.core.kinds import QA_WORKER_JOB, JobKind
from localclip.core.models.folders import (
    FISH_FILES,
    ModelDirError,
    check_fish_dir,
    check_recogniser_dir,
    check_wespeaker_dir,
)
from localclip_worker import protocol

PLUGIN_NAME = "localclip-host"
# Every Dask worker that hosts a LocalClip worker offers one of these; every LocalClip task needs one, so a
# Dask worker runs one batch at a time. GPU workers also offer "GPU" (Dask does not know what a GPU is).
SLOT_RESOURCE = "localclip"
GPU_RESOURCE = "GPU"
# Dask event topics: a node's workers tell how they are (``NodeNews``), relay their workers' protocol
# events for the coordinator's panes and read their GPUs for its GPU panel.
NODE_TOPIC = "localclip-node"
WORKER_TOPIC = "localclip-worker"
GPU_TOPIC = "localclip-gpu"  # a GPU worker's NVML reading of its GPU, for the window's GPU panel
# Parameters naming files on the coordinator: a node uses its own model copies and reference cache.
LOCAL_PATH_PARAMS = (
    "model_dir",
    "checkpoint_dir",
    "codec_path",
    "cache_dir",
    "wespeaker_dir",
    "recogniser_dir",
)
RECOGNISER = "recogniser"  # a ModelRef's kind for a Whisper folder (take checks' words)
# The worker environment (by job kind) a job runs in, where it is another job's.
ENVIRONMENT_OF = {QA_WORKER_JOB: JobKind.CLONE.worker_job}
# The parameter naming a model's folder, by the ModelRef's kind, where a job has one model.
MODEL_PARAM = {JobKind.EMBED.value: "model_dir", JobKind.CLONE.value: "checkpoint_dir"}
RECOGNISER_SUFFIXES = (".json", ".txt", ".safetensors", ".bin", ".model")
SMALL_FILE_BYTES = 16 << 20  # a model's files under this size are fingerprinted by content, larger by size
MAX_TAKE_BYTES = 512 << 20  # a returned WAV larger than this (~45 minutes at 44.1 kHz 16-bit) is refused
MAX_TEXT = 2000  # characters kept of a reason a node sends
SUFFIX_CHARS = 8


class BadOutcome(ValueError):
    """What a node sent for a batch is not a batch outcome: the batch is refused (and sent again)."""


class MissingReferences(ValueError):
    """A batch names a reference by content that its node does not hold (any more)."""


# --- models ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelRef:
    """A model as the coordinator names it to a node: kind, folder name and a fingerprint of its files."""

    kind: str  # JobKind value
    name: str
    fingerprint: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, raw: Any) -> ModelRef:
        if not isinstance(raw, dict) or not all(
            isinstance(raw.get(k), str) for k in ("kind", "name", "fingerprint")
        ):
            raise ValueError("the batch names no model")
        return cls(raw["kind"], raw["name"], raw["fingerprint"])


def embed_model_ref(model_dir: Path) -> ModelRef:
    info = check_wespeaker_dir(model_dir)
    return ModelRef(JobKind.EMBED.value, model_dir.name, info.model_id)  # a content hash: the same anywhere


def clone_model_ref(checkpoint_dir: Path, codec_path: Path) -> ModelRef:
    check_fish_dir(checkpoint_dir, codec_path)
    return ModelRef(JobKind.CLONE.value, checkpoint_dir.name, fish_fingerprint(checkpoint_dir, codec_path))


def recogniser_model_ref(folder: Path) -> ModelRef:
    """A Whisper folder by the files transformers loads (configs, tokenizer, weights): a copy without the
    hub's README or .gitattributes is the same model."""
    check_recogniser_dir(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in RECOGNISER_SUFFIXES)
    return ModelRef(RECOGNISER, folder.name, _fingerprint(files))


def fish_fingerprint(checkpoint_dir: Path, codec_path: Path) -> str:
    return _fingerprint([checkpoint_dir / name for name in FISH_FILES], sizes_of=[codec_path])


def _fingerprint(files: list[Path], sizes_of: Iterable[Path] = ()) -> str:
    """The small files by content and the multi-GB weights by size: the same on every machine with the same
    files (a run's model id also uses modification times, which a copy changes)."""
    digest = hashlib.sha256()
    for path in files:
        size = path.stat().st_size
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if size < SMALL_FILE_BYTES else str(size).encode())
    for path in sizes_of:
        digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def job_models(model: ModelRef, checks: dict[str, ModelRef] | None = None) -> dict[str, dict[str, ModelRef]]:
    """A run's models as its jobs name them: by job kind, the parameter giving each model's folder.
    ``checks``: the take checks' models (``wespeaker_dir``, ``recogniser_dir``), if the run checks takes."""
    models = {model.kind: {MODEL_PARAM[model.kind]: model}}
    if checks:
        models[QA_WORKER_JOB] = dict(checks)
    return models


def local_model_params(root: Path, param: str, ref: ModelRef) -> dict[str, str]:
    """The job parameters naming this node's copy of ``ref`` under ``root`` (``param``: the one naming its
    folder): ``root/<name>`` if it is the same model, else any folder under ``root`` that is. Raises
    ModelDirError (a reason for the coordinator)."""
    candidates: list[Path] = []
    try:
        check_name(ref.name)
        candidates.append(root / ref.name)
    except UnsafeName:
        pass
    if root.is_dir():
        candidates += sorted(p for p in root.iterdir() if p.is_dir() and p.name != ref.name)
    for folder in candidates:
        if _same_model(folder, ref):
            if ref.kind == JobKind.CLONE.value:
                return {param: str(folder), "codec_path": str(folder / "codec.pth")}
            return {param: str(folder)}
    raise ModelDirError(
        f"this node has no copy of the model {ref.name!r} (fingerprint {ref.fingerprint}) under {root}: "
        "copy the model folder there, or start the node with --models pointing at the folder that holds it"
    )


def _same_model(folder: Path, ref: ModelRef) -> bool:
    try:
        if ref.kind == JobKind.EMBED.value:
            return check_wespeaker_dir(folder).model_id == ref.fingerprint
        if ref.kind == JobKind.CLONE.value:
            codec = folder / "codec.pth"
            check_fish_dir(folder, codec)
            return fish_fingerprint(folder, codec) == ref.fingerprint
        if ref.kind == RECOGNISER:
            return recogniser_model_ref(folder).fingerprint == ref.fingerprint
    except (ModelDirError, OSError):
        return False
    return False


def node_params(params: dict[str, Any], models: dict[str, ModelRef]) -> dict[str, Any]:
    """A job's parameters as they travel: without the coordinator's paths, with its models named (by the
    parameter that gives each one's folder)."""
    kept = {key: value for key, value in params.items() if key not in LOCAL_PATH_PARAMS}
    return {**kept, "models": {param: ref.to_dict() for param, ref in models.items()}}


def models_of(params: dict[str, Any]) -> dict[str, ModelRef]:
    """On the node: the models a job's parameters name, by parameter. Raises ValueError."""
    raw = params.get("models")
    if not isinstance(raw, dict) or not raw or not all(isinstance(key, str) for key in raw):
        raise ValueError("the batch names no model")
    return {param: ModelRef.from_dict(ref) for param, ref in raw.items()}


# --- batches out ---------------------------------------------------------------------------------------


@dataclass
class Batch:
    """Items whose file paths are replaced by indices into ``files`` (each file's bytes once); for take
    checks, the project's speakers with their reference audio as such indices too."""

    kind: str
    items: list[dict[str, Any]]
    files: list[bytes] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    references: set[int] = field(default_factory=set)  # files that are speakers' reference audio
    kept: dict[int, str] = field(default_factory=dict)  # references the node holds: index -> content name
    carried: set[str] = field(default_factory=set)  # content names of the references whose bytes travel
    speakers: dict[str, list[int]] | None = None  # a qa batch's: speaker -> its reference files
    unreadable: dict[str, str] = field(default_factory=dict)  # item id -> why its input cannot be read

    def to_wire(self) -> dict[str, Any]:
        wire = {"kind": self.kind, "items": self.items, "files": self.files, "suffixes": self.suffixes}
        wire["references"] = sorted(self.references)
        wire["kept"] = {str(index): name for index, name in self.kept.items()}
        if self.speakers is not None:
            wire["speakers"] = self.speakers
        return wire

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files)


class ReferenceNames:
    """The content names (see :func:`reference_name`) of the coordinator's reference files, remembered by
    each file's size and time: a reference its node already holds is named without being read again."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, int, str]] = {}

    def known(self, path: str) -> str:
        """The name of ``path`` as it was when last read, or "" (never read, or changed since)."""
        with contextlib.suppress(OSError):
            status = Path(path).stat()
            size, time_ns, name = self._known.get(path, (-1, -1, ""))
            if (size, time_ns) == (status.st_size, status.st_mtime_ns):
                return name
        return ""

    def read(self, path: str) -> tuple[bytes, str]:
        """The file's bytes and content name, remembered. Raises OSError."""
        status = Path(path).stat()
        data = Path(path).read_bytes()
        name = reference_name(data, Path(path).suffix.lower())
        if len(data) == status.st_size:  # not written to while it was read
            self._known[path] = (status.st_size, status.st_mtime_ns, name)
        return data, name


def reference_name(data: bytes, suffix: str) -> str:
    """What a node calls a reference file: its content's hash and its plain suffix."""
    return f"{hashlib.sha256(data).hexdigest()[:32]}{_plain_suffix(suffix)}"


def _is_reference_name(name: Any) -> bool:
    """A name as :func:`reference_name` makes them, so a batch's names cannot leave the folder."""
    if not isinstance(name, str) or len(name) < 32:
        return False
    digest, suffix = name[:32], name[32:]
    return all(c in "0123456789abcdef" for c in digest) and _plain_suffix(suffix) == suffix


class _Files:
    """A batch's files as they are read: each path once, its index in the batch. A reference whose
    content name is in ``on_node`` is not read: it travels as that name."""

    def __init__(self, batch: Batch, on_node: frozenset[str], names: ReferenceNames) -> None:
        self._batch = batch
        self._index_of: dict[str, int] = {}
        self._on_node, self._names = on_node, names

    def index(self, path: str, reference: bool = False) -> int:
        if path not in self._index_of:
            index = self._index_of[path] = len(self._batch.files)
            suffix = _plain_suffix(Path(path).suffix.lower())
            name = self._names.known(path) if reference and self._on_node else ""
            if name and name in self._on_node:
                self._batch.kept[index] = name
                data = b""
            elif reference:
                data, name = self._names.read(path)
                self._batch.carried.add(name)
            else:
                data = Path(path).read_bytes()
            self._batch.files.append(data)
            self._batch.suffixes.append(suffix)
        if reference:
            self._batch.references.add(self._index_of[path])
        return self._index_of[path]


def pack_batch(
    kind: str,
    items: list[dict[str, Any]],
    params: dict[str, Any] | None = None,
    on_node: frozenset[str] = frozenset(),
    names: ReferenceNames | None = None,
) -> Batch:
    """Read the input files of ``items`` (worker job payloads of ``kind``) into a batch, and for take checks
    the speakers' references that ``params`` name; references whose content names are ``on_node`` (what the
    worker's node holds, by ``names``) go by name only. An item whose file cannot be read does not travel:
    it is in ``unreadable`` with the reason."""
    batch = Batch(kind, [])
    files = _Files(batch, on_node, names or ReferenceNames())
    if kind == QA_WORKER_JOB:
        batch.speakers = {
            str(name): _readable(files, paths) for name, paths in (params or {}).get("speakers", {}).items()
        }
    for item in items:
        try:
            batch.items.append(_packed_item(kind, item, files))
        except OSError as error:
            batch.unreadable[str(item["id"])] = (
                f"cannot read {error.filename or ''}: {error.strerror or error}"
            )
    return batch


def _readable(files: _Files, paths: list[str]) -> list[int]:
    """A speaker's references that can be read; as on a workstation, the others are left out of its voice
    (and a speaker left with none fails its takes on the node)."""
    indices = []
    for path in paths:
        with contextlib.suppress(OSError):
            indices.append(files.index(str(path), reference=True))
    return indices


def travelling_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """A batch's job parameters as they go with it: a qa job's speakers travel in the batch instead."""
    return {key: value for key, value in params.items() if not (kind == QA_WORKER_JOB and key == "speakers")}


def _packed_item(kind: str, item: dict[str, Any], files: _Files) -> dict[str, Any]:
    if kind in (JobKind.EMBED.worker_job, QA_WORKER_JOB):
        return {**item, "path": files.index(item["path"])}
    if kind == JobKind.CLONE.worker_job:
        references = [
            {**ref, "audio": files.index(ref["audio"], reference=True)} for ref in item.get("references", [])
        ]
        packed = {**item, "references": references}
        packed.pop("out_path", None)
        return packed
    raise ValueError(f"no cluster job of kind {kind!r}")


def _plain_suffix(suffix: Any) -> str:
    """``suffix`` if it is a plain extension (a decoder may go by it; nothing that could move a file out of
    its folder), else none."""
    ok = (
        isinstance(suffix, str)
        and suffix.startswith(".")
        and len(suffix) <= SUFFIX_CHARS
        and suffix[1:].isalnum()
    )
    return suffix if ok else ""


@dataclass
class UnpackedBatch:
    kind: str
    items: list[dict[str, Any]]
    params: dict[str, Any]  # what the batch adds to its job's parameters (a qa job's speakers)


def unpack_batch(raw: Any, folder: Path, references: Path | None = None) -> UnpackedBatch:
    """On the node: the batch's files written under ``folder`` (speakers' reference audio under
    ``references``, named by content, kept from batch to batch) and its items pointing at them (clone takes to
    be written in ``folder`` too). Raises ValueError for something that is not a batch."""
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise ValueError("not a LocalClip batch")
    kind, files, suffixes = raw.get("kind"), raw.get("files"), raw.get("suffixes")
    if not isinstance(files, list) or not isinstance(suffixes, list) or len(files) != len(suffixes):
        raise ValueError("the batch's files are malformed")
    shared = set(raw.get("references", [])) if references is not None else set()
    kept = _kept(raw.get("kept", {}), shared)
    if shared:
        references.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, (data, suffix) in enumerate(zip(files, suffixes, strict=True)):
        data = bytes(data)
        if index in kept:
            path = references / kept[index]
            if not path.is_file():
                raise MissingReferences(f"no reference {kept[index]} in {references}")
        elif index in shared:
            path = references / reference_name(data, suffix)
            if not path.is_file():  # the same bytes: an existing copy is kept as it is, times and all
                write_bytes_atomically(path, data)
        else:
            path = folder / f"input-{index}{_plain_suffix(suffix)}"
            path.write_bytes(data)
        paths.append(str(path))
    items, params = [], {}
    for position, item in enumerate(raw["items"]):
        if kind in (JobKind.EMBED.worker_job, QA_WORKER_JOB):
            items.append({**item, "path": paths[item["path"]]})
        elif kind == JobKind.CLONE.worker_job:
            references_of = [{**ref, "audio": paths[ref["audio"]]} for ref in item["references"]]
            out_path = str(folder / f"take-{position}.wav")
            items.append({**item, "references": references_of, "out_path": out_path})
        else:
            raise ValueError(f"no cluster job of kind {kind!r}")
    if kind == QA_WORKER_JOB:
        speakers = raw.get("speakers")
        if not isinstance(speakers, dict):
            raise ValueError("a take check's batch names no speakers")
        params["speakers"] = {
            str(name): [paths[index] for index in indices] for name, indices in speakers.items()
        }
    return UnpackedBatch(str(kind), items, params)


def _kept(raw: Any, shared: set[int]) -> dict[int, str]:
    """A batch's references named by content only: {index: name}. Raises ValueError if malformed."""
    if not isinstance(raw, dict):
        raise ValueError("the batch's kept references are malformed")
    kept = {}
    for key, name in raw.items():
        index = int(key) if isinstance(key, str) and key.isdigit() else -1
        if index not in shared or not _is_reference_name(name):
            raise ValueError("the batch names a kept reference that is not one")
        kept[index] = name
    return kept


# --- outcomes back ------------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    """What a node did with a batch. ``setup_error``: the node cannot run the job at all (its model or its
    worker environment), so none of the items was tried there."""

    node: str = ""
    worker: str = ""
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    setup_error: str = ""
    missing_references: bool = False  # the node lacks a reference sent by name: nothing was tried

    def to_wire(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "worker": self.worker,
            "results": self.results,
            "failures": {key: list(value) for key, value in self.failures.items()},
            "files": self.files,
            "setup_error": self.setup_error,
            "missing_references": self.missing_references,
        }


def check_outcome(raw: Any, sent: set[str]) -> BatchOutcome:
    """A node's outcome for a batch of the items ``sent``, checked: every item accounted for once, each
    result a mapping of plain values, each file bytes within bounds. Raises BadOutcome."""
    if not isinstance(raw, dict):
        raise BadOutcome(f"a {type(raw).__name__} instead of a batch outcome")
    outcome = BatchOutcome(node=_text(raw.get("node")), worker=_text(raw.get("worker")))
    outcome.setup_error = _text(raw.get("setup_error"))
    outcome.missing_references = raw.get("missing_references") is True
    if outcome.setup_error or outcome.missing_references:
        return outcome
    results, failures, files = raw.get("results"), raw.get("failures"), raw.get("files", {})
    if not isinstance(results, dict) or not isinstance(failures, dict) or not isinstance(files, dict):
        raise BadOutcome("results, failures or files are not mappings")
    for key, result in results.items():
        if key not in sent or not isinstance(result, dict) or not all(_plain(v) for v in result.values()):
            raise BadOutcome(f"a result for {str(key)[:80]!r} that was not asked for or is not plain data")
        outcome.results[key] = result
    for key, failure in failures.items():
        if key not in sent or key in outcome.results or not _is_failure(failure):
            raise BadOutcome(f"a failure for {str(key)[:80]!r} that was not asked for or is malformed")
        outcome.failures[key] = (protocol.truncate(failure[0], 40), failure[1][:MAX_TEXT])
    for key, data in files.items():
        if (
            key not in outcome.results
            or not isinstance(data, bytes | bytearray)
            or len(data) > MAX_TAKE_BYTES
        ):
            raise BadOutcome(f"a file for {str(key)[:80]!r} that was not asked for or is too large")
        outcome.files[key] = bytes(data)
    missing = sent - outcome.results.keys() - outcome.failures.keys()
    if missing:
        raise BadOutcome(f"{len(missing)} of the batch's items are neither done nor failed")
    return outcome


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _is_failure(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _plain(value: Any, depth: int = 0) -> bool:
    """Plain data of bounded depth: what the run's own checks of a worker's result then read."""
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):  # the run checks ranges; a NaN is just a bad value there
        return True
    if depth < 4 and isinstance(value, list | tuple):
        return all(_plain(v, depth + 1) for v in value)
    if depth < 4 and isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False
