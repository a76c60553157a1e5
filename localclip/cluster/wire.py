"""What travels between the coordinator and a node, and the checks on what comes back. No Dask here.

A batch is plain data (dicts, lists, strings, numbers, bytes), so Dask moves it with msgpack, and the
coordinator's client refuses pickled results altogether (``session.py``). Input audio travels in the batch
as bytes (nodes share no drive with the coordinator), paths do not: a node writes the bytes to its own
scratch folder and gives the worker those paths; a clone take comes back as the WAV file's bytes, which the
coordinator writes where its own run wants it. Models are named, not sent: each node has its own copy
under its models folder, found by folder name and checked by a fingerprint that is the same on every
machine (``ModelRef``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localclip.core.files import UnsafeName, check_name
from localclip.core.kinds import JobKind
from localclip.core.models.folders import (
    FISH_FILES,
    ModelDirError,
    check_fish_dir,
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
# Parameters naming files on the coordinator: a node uses its own model copy and reference cache.
LOCAL_PATH_PARAMS = ("model_dir", "checkpoint_dir", "codec_path", "cache_dir")
MAX_TAKE_BYTES = 512 << 20  # a returned WAV larger than this (~45 minutes at 44.1 kHz 16-bit) is refused
MAX_TEXT = 2000  # characters kept of a reason a node sends
SUFFIX_CHARS = 8


class BadOutcome(ValueError):
    """What a node sent for a batch is not a batch outcome: the batch is refused (and sent again)."""


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


def fish_fingerprint(checkpoint_dir: Path, codec_path: Path) -> str:
    """The small files by content and the multi-GB weights by size: the same on every machine with the same
    files (the run's model id also uses modification times, which a copy changes)."""
    digest = hashlib.sha256()
    for name in FISH_FILES:
        path = checkpoint_dir / name
        digest.update(
            path.read_bytes() if path.stat().st_size < (16 << 20) else str(path.stat().st_size).encode()
        )
    digest.update(str(codec_path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def local_model_params(root: Path, ref: ModelRef) -> dict[str, str]:
    """The job parameters naming this node's copy of ``ref`` under ``root``: ``root/<name>`` if it is the
    same model, else any folder under ``root`` that is. Raises ModelDirError (a reason for the coordinator).
    """
    candidates: list[Path] = []
    try:
        check_name(ref.name)
        candidates.append(root / ref.name)
    except UnsafeName:
        pass
    if root.is_dir():
        candidates += sorted(p for p in root.iterdir() if p.is_dir() and p.name != ref.name)
    for folder in candidates:
        params = _params_if_same(folder, ref)
        if params is not None:
            return params
    raise ModelDirError(
        f"this node has no copy of the model {ref.name!r} (fingerprint {ref.fingerprint}) under {root}: "
        "copy the model folder there, or start the node with --models pointing at the folder that holds it"
    )


def _params_if_same(folder: Path, ref: ModelRef) -> dict[str, str] | None:
    try:
        if ref.kind == JobKind.EMBED.value:
            if check_wespeaker_dir(folder).model_id == ref.fingerprint:
                return {"model_dir": str(folder)}
        elif ref.kind == JobKind.CLONE.value:
            codec = folder / "codec.pth"
            check_fish_dir(folder, codec)
            if fish_fingerprint(folder, codec) == ref.fingerprint:
                return {"checkpoint_dir": str(folder), "codec_path": str(codec)}
    except (ModelDirError, OSError):
        return None
    return None


def node_params(params: dict[str, Any], model: ModelRef) -> dict[str, Any]:
    """A job's parameters as they travel: without the coordinator's paths, with the model named."""
    kept = {key: value for key, value in params.items() if key not in LOCAL_PATH_PARAMS}
    return {**kept, "model": model.to_dict()}


# --- batches out ---------------------------------------------------------------------------------------


@dataclass
class Batch:
    """Items whose file paths are replaced by indices into ``files`` (each file's bytes once)."""

    kind: str
    items: list[dict[str, Any]]
    files: list[bytes] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # item id -> why its input cannot be read

    def to_wire(self) -> dict[str, Any]:
        return {"kind": self.kind, "items": self.items, "files": self.files, "suffixes": self.suffixes}

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files)


def pack_batch(kind: str, items: list[dict[str, Any]]) -> Batch:
    """Read the input files of ``items`` (worker job payloads of ``kind``) into a batch. An item whose
    file cannot be read does not travel: it is in ``unreadable`` with the reason."""
    batch = Batch(kind, [])
    index_of: dict[str, int] = {}

    def file_index(path: str) -> int:
        if path not in index_of:
            data = Path(path).read_bytes()
            index_of[path] = len(batch.files)
            batch.files.append(data)
            batch.suffixes.append(_plain_suffix(Path(path).suffix.lower()))
        return index_of[path]

    for item in items:
        try:
            batch.items.append(_packed_item(kind, item, file_index))
        except OSError as error:
            batch.unreadable[str(item["id"])] = (
                f"cannot read {error.filename or ''}: {error.strerror or error}"
            )
    return batch


def _packed_item(kind: str, item: dict[str, Any], file_index: Any) -> dict[str, Any]:
    if kind == JobKind.EMBED.worker_job:
        return {**item, "path": file_index(item["path"])}
    if kind == JobKind.CLONE.worker_job:
        references = [{**ref, "audio": file_index(ref["audio"])} for ref in item.get("references", [])]
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


def unpack_batch(raw: Any, folder: Path) -> tuple[str, list[dict[str, Any]]]:
    """On the node: the batch's files written under ``folder`` and its items pointing at them (clone takes
    to be written there too). Raises ValueError for something that is not a batch."""
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise ValueError("not a LocalClip batch")
    kind, files, suffixes = raw.get("kind"), raw.get("files"), raw.get("suffixes")
    if not isinstance(files, list) or not isinstance(suffixes, list) or len(files) != len(suffixes):
        raise ValueError("the batch's files are malformed")
    paths = []
    for index, (data, suffix) in enumerate(zip(files, suffixes, strict=True)):
        path = folder / f"input-{index}{_plain_suffix(suffix)}"
        path.write_bytes(bytes(data))
        paths.append(str(path))
    items = []
    for position, item in enumerate(raw["items"]):
        if kind == JobKind.EMBED.worker_job:
            items.append({**item, "path": paths[item["path"]]})
        elif kind == JobKind.CLONE.worker_job:
            references = [{**ref, "audio": paths[ref["audio"]]} for ref in item["references"]]
            out_path = str(folder / f"take-{position}.wav")
            items.append({**item, "references": references, "out_path": out_path})
        else:
            raise ValueError(f"no cluster job of kind {kind!r}")
    return str(kind), items


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

    def to_wire(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "worker": self.worker,
            "results": self.results,
            "failures": {key: list(value) for key, value in self.failures.items()},
            "files": self.files,
            "setup_error": self.setup_error,
        }


def check_outcome(raw: Any, sent: set[str]) -> BatchOutcome:
    """A node's outcome for a batch of the items ``sent``, checked: every item accounted for once, each
    result a mapping of plain values, each file bytes within bounds. Raises BadOutcome."""
    if not isinstance(raw, dict):
        raise BadOutcome(f"a {type(raw).__name__} instead of a batch outcome")
    outcome = BatchOutcome(node=_text(raw.get("node")), worker=_text(raw.get("worker")))
    outcome.setup_error = _text(raw.get("setup_error"))
    if outcome.setup_error:
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
