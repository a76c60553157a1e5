"""A WeSpeaker model folder (``config.yaml`` + ``avg_model.pt``) loaded strictly, without WeSpeaker's CLI.

WeSpeaker's own loader unpickles with ``weights_only=False``, loads with ``strict=False`` and only logs
what did not fit, and its factory calls ``sys.exit`` on an unknown name; here every such problem is a
:class:`ModelError` that names the folder and what is wrong.

The families accepted are the fbank models of WeSpeaker's model zoo: ResNet (34, 221, 293...), CAM++,
ECAPA-TDNN and ERes2Net. How each batches is decided in :mod:`.batching`.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import logging
import re
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import yaml

from localclip_worker.embedding.frontend import NUM_MEL_BINS, SAMPLE_RATE, WINDOWS

log = logging.getLogger(__name__)

FEAT_DIM = NUM_MEL_BINS  # WeSpeaker's fbank front end is hard-coded to 80 mel bins
CONFIG_FILE = "config.yaml"
WEIGHTS_FILE = "avg_model.pt"
# WeSpeaker's train.py adds the training classifier as ``model.projection`` before saving, so a real
# avg_model.pt may carry ``projection.*`` tensors; inference never uses them (WeSpeaker skips them too).
IGNORED_PREFIXES = ("projection.",)
# BatchNorm's update counter: unused in eval mode, and absent from checkpoints saved by old torch versions.
OPTIONAL_SUFFIX = ".num_batches_tracked"
SHOWN = 5  # keys listed per kind of problem
# The front end WeSpeaker's extract_embedding applies unless told otherwise: a hamming window on int16-scale
# samples. Its CLI switches to a povey window on float-scale samples for the 3D-Speaker CAM++ and ERes2Net
# checkpoints of its own hub; a model folder says so in config.yaml (dataset_args.fbank_args.window_type,
# dataset_args.wavform_norm), since nothing in the weights tells. The windows: frontend.WINDOWS.
# Every family gets the same floor: ResNet and ERes2Net reduce time 8x and their unbiased pooled std over
# one step is NaN (8 frames or fewer); the others accept less, but 90 ms of audio carries no speaker.
MIN_FRAMES = 9


@dataclass(frozen=True)
class Family:
    """A WeSpeaker model family: the factory names of one of its modules."""

    name: str  # as the README and the ready event say it
    module: str  # under wespeaker.models
    factory: re.Pattern[str]


FAMILIES = (
    Family("ResNet", "resnet", re.compile(r"ResNet\d+")),
    Family("CAM++", "campplus", re.compile(r"CAMPPlus")),
    Family("ECAPA-TDNN", "ecapa_tdnn", re.compile(r"ECAPA_TDNN(_GLOB)?_c\d+")),
    Family("ERes2Net", "eres2net", re.compile(r"ERes2Net\d+_\w+")),
)


class ModelError(ValueError):
    """A model folder that cannot be used; the message says which folder and why."""


@dataclass
class LoadedModel:
    model: torch.nn.Module
    config: dict[str, Any]
    embed_dim: int
    model_name: str
    family: str = "ResNet"  # a Family.name
    sample_rate: int = SAMPLE_RATE
    ignored_keys: list[str] = field(default_factory=list)  # projection.* tensors left out
    min_frames: int = MIN_FRAMES
    window_type: str = "hamming"
    int16_scale: bool = True  # samples scaled to int16 range before the fbank, as WeSpeaker does


def import_wespeaker_models() -> types.ModuleType:
    """Import ``wespeaker.models.speaker_model`` without running ``wespeaker/__init__.py``, which imports
    the CLI and about 17 packages. Idempotent; a real ``wespeaker`` import done earlier is used as it is.
    Afterwards ``import wespeaker`` in this process gives the bare package (no ``load_model``)."""
    if "wespeaker" not in sys.modules:
        spec = importlib.util.find_spec("wespeaker")  # a top-level spec is found without running the package
        if spec is None or not spec.submodule_search_locations:
            raise ModelError("WeSpeaker is not installed in this worker environment (no 'wespeaker' package)")
        root = Path(next(iter(spec.submodule_search_locations)))
        package = _bare_package("wespeaker", root)
        # models/redimnet2.py imports wespeaker.frontend.tfmel; a bare frontend skips s3prl, whisper, peft...
        package.frontend = _bare_package("wespeaker.frontend", root / "frontend")  # type: ignore[attr-defined]
    return importlib.import_module("wespeaker.models.speaker_model")


def _bare_package(name: str, folder: Path) -> types.ModuleType:
    module = sys.modules.get(name)
    if module is None:
        module = types.ModuleType(name)
        module.__path__ = [str(folder)]
        module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
        module.__spec__.submodule_search_locations = [str(folder)]
        sys.modules[name] = module
    return module


def load_model_dir(path: Path, device: str | torch.device = "cpu") -> LoadedModel:
    """Build the model named in ``path/config.yaml`` with WeSpeaker's class for it and load
    ``path/avg_model.pt`` into it, strictly."""
    folder = Path(path)
    config = _read_config(folder)
    family, name, args = _family_name_and_args(folder, config)
    model = _build(folder, family, name, args)
    ignored = _load_weights(folder, model, name)
    model.eval().to(device)
    window_type, int16_scale = _front_end(folder, config)
    return LoadedModel(
        model,
        config,
        _embed_dim(model, args),
        name,
        family=family.name,
        ignored_keys=ignored,
        window_type=window_type,
        int16_scale=int16_scale,
    )


def _embed_dim(model: torch.nn.Module, args: dict[str, Any]) -> int:
    """ResNet and ERes2Net keep it as an attribute; CAM++ and ECAPA-TDNN only end in a layer of that size."""
    value = getattr(model, "embed_dim", None) or args.get("embed_dim")
    if value is None:  # a factory default: the last parameter's first axis is the embedding
        value = [p for p in model.parameters()][-1].shape[0]
    return int(value)


# -- config.yaml --------------------------------------------------------------------------------------------


def _read_config(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise ModelError(f"model folder {folder} does not exist or is not a folder")
    missing = [name for name in (CONFIG_FILE, WEIGHTS_FILE) if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"model folder {folder} has no {' and no '.join(missing)} "
            f"(a WeSpeaker model folder holds {CONFIG_FILE} and {WEIGHTS_FILE})"
        )
    try:
        config = yaml.safe_load((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ModelError(f"{CONFIG_FILE} in {folder} cannot be read: {error}") from error
    if not isinstance(config, dict):
        raise ModelError(f"{CONFIG_FILE} in {folder} is not a YAML mapping")
    absent = [key for key in ("model", "model_args") if key not in config]
    if absent:
        raise ModelError(f"{CONFIG_FILE} in {folder} has no {' and no '.join(absent)} entry")
    if not isinstance(config["model"], str) or not isinstance(config["model_args"], dict):
        raise ModelError(f"{CONFIG_FILE} in {folder}: 'model' must be a name and 'model_args' a mapping")
    return config


def _family_name_and_args(folder: Path, config: dict[str, Any]) -> tuple[Family, str, dict[str, Any]]:
    name, args = config["model"], dict(config["model_args"])
    frontend = (config.get("dataset_args") or {}).get("frontend", "fbank")
    if frontend != "fbank":
        raise ModelError(
            f"{CONFIG_FILE} in {folder} uses the {frontend!r} front end; LocalClip supports fbank models only"
        )
    speaker_model = import_wespeaker_models()
    family = _family(name)
    if family is None or not callable(getattr(importlib.import_module(_module(family)), name, None)):
        raise ModelError(_unknown_model_message(folder, name, speaker_model))
    if args.get("feat_dim", FEAT_DIM) != FEAT_DIM:
        raise ModelError(
            f"{CONFIG_FILE} in {folder}: model_args.feat_dim is {args.get('feat_dim')!r}; "
            f"WeSpeaker's fbank front end gives {FEAT_DIM}"
        )
    return family, name, args


def _family(name: str) -> Family | None:
    return next((family for family in FAMILIES if family.factory.fullmatch(name)), None)


def _module(family: Family) -> str:
    return f"wespeaker.models.{family.module}"


def _supported() -> str:
    names = []
    for family in FAMILIES:
        module = importlib.import_module(_module(family))
        found = sorted((n for n in dir(module) if family.factory.fullmatch(n)), key=lambda n: (len(n), n))
        names.append(f"{family.name}: {', '.join(found)}")
    return "; ".join(names)


def _unknown_model_message(folder: Path, name: str, speaker_model: Any) -> str:
    try:
        # The factory prints and calls sys.exit for names it does not know: keep stdout clean, catch the exit.
        with contextlib.redirect_stdout(sys.stderr):
            speaker_model.get_speaker_model(name)
    except (SystemExit, AttributeError):
        return f"{CONFIG_FILE} in {folder} names the model {name!r}, which WeSpeaker does not know"
    return (
        f"{CONFIG_FILE} in {folder} names the model {name!r}, which LocalClip does not support; "
        f"it supports WeSpeaker's fbank models ({_supported()})"
    )


def _front_end(folder: Path, config: dict[str, Any]) -> tuple[str, bool]:
    dataset_args = _mapping(config.get("dataset_args"))
    window_type = _mapping(dataset_args.get("fbank_args")).get("window_type", "hamming")
    if window_type not in WINDOWS:
        raise ModelError(
            f"{CONFIG_FILE} in {folder}: dataset_args.fbank_args.window_type {window_type!r} is not "
            f"supported ({', '.join(WINDOWS)})"
        )
    return window_type, dataset_args.get("wavform_norm") is not True


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _build(folder: Path, family: Family, name: str, args: dict[str, Any]) -> torch.nn.Module:
    factory = getattr(importlib.import_module(_module(family)), name)
    try:
        return factory(**args)
    except (TypeError, ValueError, AttributeError) as error:  # AttributeError: an unknown pooling_func
        raise ModelError(f"model_args in {CONFIG_FILE} in {folder} do not fit {name}: {error}") from error


# -- avg_model.pt -------------------------------------------------------------------------------------------


def _load_weights(folder: Path, model: torch.nn.Module, name: str) -> list[str]:
    weights = _read_state_dict(folder / WEIGHTS_FILE)
    expected = model.state_dict()
    ignored = sorted(k for k in weights if k not in expected and k.startswith(IGNORED_PREFIXES))
    problems = _mismatches(weights, expected)
    if problems:
        raise ModelError(
            f"{WEIGHTS_FILE} in {folder} does not fit the {name} model that {CONFIG_FILE} describes: "
            + "; ".join(problems)
        )
    model.load_state_dict({k: v for k, v in weights.items() if k in expected}, strict=False)
    if ignored:
        log.info("%s: left out %d training-only tensors (%s...)", folder, len(ignored), ignored[0])
    return ignored


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if path.stat().st_size == 0:
        raise ModelError(f"{path} is empty")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # zip, pickle and EOF errors alike mean: not a weights file we can read safely
        raise ModelError(
            f"{path} is not a PyTorch weights file that torch.load(weights_only=True) can read "
            f"({_load_error(error)})"
        ) from error
    if isinstance(data, Mapping) and isinstance(data.get("state_dict"), Mapping):
        data = data["state_dict"]  # a training checkpoint that wraps the weights
    if not isinstance(data, Mapping):
        raise ModelError(f"{path} holds a {type(data).__name__}, not a state dict of tensors")
    odd = [str(k) for k, v in data.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if odd:
        raise ModelError(f"{path} is not a state dict of tensors: {_some(odd)} are not tensors")
    return dict(data)


def _load_error(error: Exception) -> str:
    text = " ".join(str(error).split())
    marker = text.find("WeightsUnpickler error")
    if marker < 0:
        return text or type(error).__name__
    # torch's weights_only refusal is long and suggests allow-listing; what it met is its first sentence.
    reason = text[marker:]
    for stop in (". ", " Check the documentation"):
        reason = reason.split(stop)[0]
    return reason


def _mismatches(weights: Mapping[str, torch.Tensor], expected: Mapping[str, torch.Tensor]) -> list[str]:
    missing = [k for k in expected if k not in weights and not k.endswith(OPTIONAL_SUFFIX)]
    unexpected = [k for k in weights if k not in expected and not k.startswith(IGNORED_PREFIXES)]
    shapes = [
        f"{k} is {tuple(weights[k].shape)} in the file, {tuple(expected[k].shape)} in the model"
        for k in expected
        if k in weights and weights[k].shape != expected[k].shape
    ]
    problems = []
    if not weights:
        problems.append("the file holds no tensors at all")
    elif missing:
        problems.append(f"{len(missing)} tensors missing ({_some(missing)})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected tensors ({_some(unexpected)})")
    if shapes:
        problems.append(f"{len(shapes)} shape mismatches ({_some(shapes)})")
    return problems


def _some(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown if len(items) <= SHOWN else f"{shown}, ... {len(items) - SHOWN} more"
