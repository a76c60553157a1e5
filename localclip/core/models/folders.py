"""Checking model folders in the app, before any worker starts (no torch here: files and config only)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from localclip.core.messages import Message

WESPEAKER_FILES = ("config.yaml", "avg_model.pt")


class ModelDirError(ValueError):
    """A model folder that cannot be used, with what is wrong in words a person can act on (its first
    argument is a Message the window translates)."""


@dataclass(frozen=True)
class WeSpeakerModelInfo:
    path: Path
    model_name: str  # e.g. "ResNet34"
    embed_dim: int
    model_id: str  # a content hash: a store made with other weights is never mixed with this one


def check_wespeaker_dir(path: Path) -> WeSpeakerModelInfo:
    """The facts LocalClip needs from a WeSpeaker model folder (``config.yaml`` + ``avg_model.pt``).

    The weights themselves are checked by the worker when it loads them (strictly: WeSpeaker's own loader
    accepts wrong weights silently)."""
    if not path.is_dir():
        raise ModelDirError(Message("models.folder_not_found", folder=str(path)))
    missing = [name for name in WESPEAKER_FILES if not (path / name).is_file()]
    if missing:
        needed = " and ".join(WESPEAKER_FILES)
        raise ModelDirError(
            Message("models.not_wespeaker", folder=str(path), missing=", ".join(missing), needed=needed)
        )
    try:
        config = yaml.safe_load((path / "config.yaml").read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        message = Message("models.bad_yaml", path=str(path / "config.yaml"), error=str(error))
        raise ModelDirError(message) from None
    model_args = config.get("model_args") if isinstance(config, dict) else None
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("model"), str)
        or not isinstance(model_args, dict)
    ):
        raise ModelDirError(Message("models.no_model_name", path=str(path / "config.yaml")))
    embed_dim = model_args.get("embed_dim")
    if not isinstance(embed_dim, int) or embed_dim <= 0:
        raise ModelDirError(Message("models.bad_embed_dim", path=str(path / "config.yaml")))
    return WeSpeakerModelInfo(path, config["model"], embed_dim, _content_hash(path, WESPEAKER_FILES))


def _content_hash(folder: Path, names: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        with (folder / name).open("rb") as file:
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]


FISH_FILES = ("config.json", "model.pth", "tokenizer.tiktoken")


@dataclass(frozen=True)
class FishModelInfo:
    checkpoint_dir: Path
    codec_path: Path
    model_id: str  # changes when any file changes: lines made with another model are regenerated


def check_fish_dir(checkpoint_dir: Path, codec_path: Path | None = None) -> FishModelInfo:
    """A fish-speech (OpenAudio S1) checkpoint folder and its codec, checked before any worker starts."""
    if not checkpoint_dir.is_dir():
        raise ModelDirError(Message("models.checkpoint_not_found", folder=str(checkpoint_dir)))
    codec = codec_path or checkpoint_dir / "codec.pth"
    missing = [name for name in FISH_FILES if not (checkpoint_dir / name).is_file()]
    if not codec.is_file():
        missing.append(str(codec) if codec_path else "codec.pth")
    if missing:
        folder, needed = str(checkpoint_dir), ", ".join(FISH_FILES)
        message = Message("models.not_fish", folder=folder, missing=", ".join(missing), needed=needed)
        raise ModelDirError(message)
    if any(part in str(checkpoint_dir.resolve()) + str(codec.resolve()) for part in ("int8", "int4")):
        # fish-speech 0.1.0 switches to quantised loading when a path contains these (and then fails).
        raise ModelDirError(Message("models.quantised_path", folder=str(checkpoint_dir)))
    return FishModelInfo(checkpoint_dir, codec, _fingerprint(checkpoint_dir, codec))


def _fingerprint(checkpoint_dir: Path, codec: Path) -> str:
    """Small files by content, the multi-GB weights by size and modification time (hashing them would
    cost seconds on every run)."""
    digest = hashlib.sha256()
    for path in (checkpoint_dir / "config.json", checkpoint_dir / "tokenizer.tiktoken"):
        digest.update(path.read_bytes())
    for path in (checkpoint_dir / "model.pth", codec):
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


# The speech recogniser of take QA: a Whisper folder as Hugging Face publishes them (openai/whisper-*),
# loaded by the worker with transformers (localclip_worker/qa/recogniser.py). Weights: one file, or shards
# with their index.
RECOGNISER_WEIGHTS = (
    "model.safetensors",
    "pytorch_model.bin",
    "model.safetensors.index.json",
    "pytorch_model.bin.index.json",
)
RECOGNISER_TOKENIZERS = (("tokenizer.json",), ("vocab.json", "merges.txt"))  # fast, or byte-level BPE
RECOGNISER_NEEDS = (
    "config.json (model_type whisper), model.safetensors or pytorch_model.bin, tokenizer.json or "
    "vocab.json and merges.txt, and preprocessor_config.json"
)


@dataclass(frozen=True)
class RecogniserModelInfo:
    path: Path
    name: str  # the folder's name, as the worker's results name the recogniser
    multilingual: bool  # generation_config.json lists languages (an English-only ".en" model does not)
    model_id: str  # changes when any file changes: takes scored by another recogniser can be rescored


def check_recogniser_dir(path: Path) -> RecogniserModelInfo:
    """A Whisper model folder for take QA, checked before any worker starts (files and config only; the
    worker loads the weights)."""
    if not path.is_dir():
        raise ModelDirError(Message("models.folder_not_found", folder=str(path)))
    missing = []
    if not (path / "config.json").is_file():
        missing.append("config.json")
    weights = next((name for name in RECOGNISER_WEIGHTS if (path / name).is_file()), None)
    if weights is None:
        missing.append("model.safetensors (or pytorch_model.bin)")
    tokenizer = next(
        (names for names in RECOGNISER_TOKENIZERS if all((path / name).is_file() for name in names)), None
    )
    if tokenizer is None:
        missing.append("tokenizer.json (or vocab.json and merges.txt)")
    if not (path / "preprocessor_config.json").is_file():
        missing.append("preprocessor_config.json")
    if missing:
        raise ModelDirError(
            Message(
                "models.not_whisper", folder=str(path), missing=", ".join(missing), needed=RECOGNISER_NEEDS
            )
        )
    config = _json_object(path / "config.json")
    if config.get("model_type") != "whisper":
        kind = repr(config.get("model_type"))
        raise ModelDirError(Message("models.not_whisper_type", path=str(path / "config.json"), kind=kind))
    generation = path / "generation_config.json"
    languages = _json_object(generation).get("lang_to_id") if generation.is_file() else None
    multilingual = isinstance(languages, dict) and bool(languages) and not path.name.endswith(".en")
    assert weights is not None and tokenizer is not None
    small = ("config.json", "preprocessor_config.json", *tokenizer)
    return RecogniserModelInfo(path, path.name, multilingual, _recogniser_fingerprint(path, small, weights))


def _json_object(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelDirError(Message("models.bad_json", path=str(path), error=str(error))) from None
    if not isinstance(value, dict):
        raise ModelDirError(Message("models.bad_json", path=str(path), error=type(value).__name__))
    return value


def _recogniser_fingerprint(folder: Path, small: tuple[str, ...], weights: str) -> str:
    """Small files by content, the weights (up to 3 GB) by size and modification time."""
    digest = hashlib.sha256()
    for name in small:
        digest.update((folder / name).read_bytes())
    stat = (folder / weights).stat()
    digest.update(f"{weights}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
