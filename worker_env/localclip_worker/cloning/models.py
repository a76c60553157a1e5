"""A fish-speech checkpoint folder and its codec, loaded strictly.

    <checkpoint_dir>/config.json          the dual-AR language model's arguments (``model_type`` "dual_ar")
    <checkpoint_dir>/model.pth            its weights
    <checkpoint_dir>/tokenizer.tiktoken   the tokenizer (special_tokens.json beside it is optional)
    <checkpoint_dir>/codec.pth            the modded DAC codec (or any ``codec_path``); its architecture comes
                                          from ``<codec stem>.yaml`` beside it, else from fish-speech's own
                                          configs/modded_dac_vq.yaml (the OpenAudio S1 codec)

fish-speech's ``from_pretrained`` loads with ``strict=False`` and only logs what did not fit; its codec
loader needs a source checkout (``.project-root``). Here every problem is a :class:`ModelError` naming the
folder or file and what is wrong: a missing file, a tensor missing or left over, a shape that differs, a
codec whose codebooks do not match the language model's. Unknown config.json keys (fish-speech 0.1.0 raises
TypeError on them) are left out with a warning. ``torch.load`` always runs with ``weights_only=True``, and a
codec yaml may only name fish-speech's codec classes (hydra would call whatever ``_target_`` names).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from localclip_worker.cloning.cpu_linear import pack_linear_layers
from localclip_worker.cloning.cpu_snake import snakes_in_place
from localclip_worker.cloning.fish import fish

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.pth"
TOKENIZER_FILE = "tokenizer.tiktoken"
SPECIAL_TOKENS_FILE = "special_tokens.json"
CODEC_FILE = "codec.pth"
PACKAGE_CODEC_CONFIG = "modded_dac_vq.yaml"  # in fish_speech/configs: the OpenAudio S1 codec
# float64 is for equality tests on the CPU (sampled tokens then do not depend on rounding).
PRECISIONS = {
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
    "float32": torch.float32,
    "float64": torch.float64,
}
CODEC_TARGET_PREFIX = "fish_speech.models.dac."
# Buffers the codec computes from its config (RoPE tables, causal masks): fish-speech saves them, but a file
# without them loses nothing, so only these may be missing from codec.pth.
DERIVED_CODEC_BUFFERS = ("freqs_cis", "causal_mask")
SHOWN = 5  # tensor names listed per kind of problem


class ModelError(ValueError):
    """A checkpoint folder or codec that cannot be used; the message says which and why."""


@dataclass
class LoadedModels:
    llm: torch.nn.Module  # fish_speech DualARTransformer (the batched decoder keeps its caches)
    codec: torch.nn.Module  # fish_speech modded DAC, float32
    device: torch.device
    precision: torch.dtype
    checkpoint_dir: Path
    codec_path: Path
    codec_config: Path
    codec_identity: str  # hex digest: reference codes cached on disk are valid for this codec only
    llm_parameters: int  # counted before packing (a packed layer keeps its weight as a buffer)
    packed_linear_layers: int = 0  # layers multiplied by oneDNN (float32 on the CPU: cpu_linear.py)
    in_place_snakes: int = 0  # codec activations computed in place (on the CPU: cpu_snake.py)
    ignored_config_keys: list[str] = field(default_factory=list)

    @property
    def num_codebooks(self) -> int:
        return int(self.llm.config.num_codebooks)

    @property
    def sample_rate(self) -> int:
        return int(self.codec.sample_rate)

    @property
    def frame_length(self) -> int:
        """Audio samples per generated token (hop x 4: 2048 for S1)."""
        return int(self.codec.frame_length)

    @property
    def max_seq_len(self) -> int:
        return int(self.llm.config.max_seq_len)

    def facts(self) -> dict[str, Any]:
        return {
            "model": self.checkpoint_dir.name,
            "checkpoint_dir": str(self.checkpoint_dir),
            "codec_path": str(self.codec_path),
            "codec_config": str(self.codec_config),
            "precision": str(self.precision).removeprefix("torch."),
            "llm_parameters": self.llm_parameters,
            "packed_linear_layers": self.packed_linear_layers,
            "in_place_snakes": self.in_place_snakes,
            "codec_parameters": _parameters(self.codec),
            "num_codebooks": self.num_codebooks,
            "max_seq_len": self.max_seq_len,
            "sample_rate": self.sample_rate,
            "frames_per_second": self.sample_rate / self.frame_length,
            "ignored_config_keys": self.ignored_config_keys,
        }


def precision_named(name: str) -> torch.dtype:
    if name not in PRECISIONS:
        raise ModelError(f"precision must be one of {', '.join(PRECISIONS)}, not {name!r}")
    return PRECISIONS[name]


def load_models(
    checkpoint_dir: str | Path,
    codec_path: str | Path | None = None,
    device: str | torch.device = "cpu",
    precision: str | torch.dtype = torch.float32,
) -> LoadedModels:
    """The language model, its tokenizer and the codec, checked against each other, ready to generate.

    ``codec_path`` defaults to ``<checkpoint_dir>/codec.pth``. Never compiled (torch.compile leaks memory in
    fish-speech 0.1.0 and needs Triton, which Windows lacks).
    """
    folder = Path(checkpoint_dir)
    codec_file = Path(codec_path) if codec_path else folder / CODEC_FILE
    dtype = precision_named(precision) if isinstance(precision, str) else precision
    device = torch.device(device)
    _check_folder(folder, codec_file)
    args, ignored = read_config(folder)
    tokenizer = _tokenizer(folder)
    _check_config(folder, args, tokenizer)
    codec, codec_config = _matching_codec(folder, codec_file, args, tokenizer)
    llm = fish().llama.DualARTransformer(args, tokenizer)
    load_weights(llm, _read_llm_weights(folder / WEIGHTS_FILE), folder / WEIGHTS_FILE)
    if device.type == "cuda":
        # What fish-speech's set_seed does before each request: deterministic cuDNN kernels, so a seed
        # gives the same audio on a GPU too (the codec's convolutions).
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    llm = _ready_llm(llm, device, dtype)
    parameters = _parameters(llm)
    codec = codec.to(device)
    return LoadedModels(
        llm=llm,
        codec=codec,
        device=device,
        precision=dtype,
        checkpoint_dir=folder,
        codec_path=codec_file,
        codec_config=codec_config,
        codec_identity=codec_identity(codec_file, codec_config),
        llm_parameters=parameters,
        packed_linear_layers=pack_linear_layers(llm),
        in_place_snakes=snakes_in_place(codec),
        ignored_config_keys=ignored,
    )


def _matching_codec(
    folder: Path, codec_file: Path, args: Any, tokenizer: Any
) -> tuple[torch.nn.Module, Path]:
    # Checked against the language model before its weights are read: a mismatch fails in seconds.
    codec, config_path = build_codec(codec_file)
    check_codec_matches(folder, codec_file, args, tokenizer, codec)
    load_weights(codec, _read_codec_weights(codec_file), codec_file, optional=DERIVED_CODEC_BUFFERS)
    return codec.float().eval(), config_path


def _ready_llm(llm: torch.nn.Module, device: torch.device, dtype: torch.dtype) -> torch.nn.Module:
    # As fish-speech's init_model casts it; no fish-speech KV caches: the batched decoder has its own.
    # Inference only: no parameter needs a gradient (so nothing records autograd state, captures included).
    return llm.to(device=device, dtype=dtype).eval().requires_grad_(False)


# -- the checkpoint folder --------------------------------------------------------------------------------


def _check_folder(folder: Path, codec_file: Path) -> None:
    if not folder.is_dir():
        raise ModelError(f"checkpoint folder {folder} does not exist or is not a folder")
    needed = [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"checkpoint folder {folder} has no {' and no '.join(missing)} "
            f"(a fish-speech checkpoint folder holds {', '.join(needed)} and {CODEC_FILE})"
        )
    if not codec_file.is_file():
        where = "in the checkpoint folder" if codec_file.parent == folder else "(the codec asked for)"
        raise ModelError(f"codec file {codec_file} {where} does not exist")


def read_config(folder: Path) -> tuple[Any, list[str]]:
    """config.json as fish-speech's DualARModelArgs, and the keys left out because it does not know them."""
    path = folder / CONFIG_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(f"{path} cannot be read: {error}") from error
    if not isinstance(data, dict):
        raise ModelError(f"{path} is not a JSON object")
    if data.get("model_type") != "dual_ar":
        raise ModelError(f"{path}: model_type is {data.get('model_type')!r}; LocalClip runs 'dual_ar' models")
    model_args = fish().llama.DualARModelArgs
    known = {item.name for item in dataclasses.fields(model_args)}
    ignored = sorted(set(data) - known)
    if ignored:  # newer fish-speech versions add keys that 0.1.0 would refuse with a TypeError
        log.warning("%s: ignoring keys fish-speech 0.1.0 does not know: %s", path, ", ".join(ignored))
    try:
        return model_args(**{key: value for key, value in data.items() if key in known}), ignored
    except (TypeError, ValueError, AssertionError) as error:
        raise ModelError(f"{path} holds values the model cannot use: {error}") from error


def _tokenizer(folder: Path) -> Any:
    try:
        return fish().tokenizer.FishTokenizer.from_pretrained(str(folder))
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise ModelError(
            f"the tokenizer in {folder} ({TOKENIZER_FILE}, {SPECIAL_TOKENS_FILE}) cannot be read: "
            f"{type(error).__name__}: {error}"
        ) from error


def _check_config(folder: Path, args: Any, tokenizer: Any) -> None:
    path = folder / CONFIG_FILE
    problems = []
    for prefix in ("", "fast_"):
        dim, heads = getattr(args, f"{prefix}dim"), getattr(args, f"{prefix}n_head")
        local = getattr(args, f"{prefix}n_local_heads")
        if dim % heads or heads % local:
            problems.append(
                f"{prefix}dim {dim}, {prefix}n_head {heads}, {prefix}n_local_heads {local} do not divide"
            )
    tokens = max(tokenizer.all_special_tokens_with_ids.values()) + 1
    if args.vocab_size < tokens:
        problems.append(f"vocab_size {args.vocab_size} < the tokenizer's {tokens} tokens")
    semantic = tokenizer.semantic_end_id - tokenizer.semantic_begin_id + 1
    if args.codebook_size < semantic:
        problems.append(f"codebook_size {args.codebook_size} < the tokenizer's {semantic} semantic tokens")
    if problems:
        raise ModelError(f"{path} does not fit its tokenizer or itself: {'; '.join(problems)}")


# -- the codec --------------------------------------------------------------------------------------------


def load_codec(codec_file: str | Path, device: str | torch.device = "cpu") -> tuple[torch.nn.Module, Path]:
    """The codec alone (float32, eval mode) and the yaml it was built from; for tools and tests."""
    codec_file = Path(codec_file)
    if not codec_file.is_file():
        raise ModelError(f"codec file {codec_file} does not exist")
    codec, config_path = build_codec(codec_file)
    load_weights(codec, _read_codec_weights(codec_file), codec_file, optional=DERIVED_CODEC_BUFFERS)
    return codec.float().to(device).eval(), config_path


def codec_config_for(codec_file: Path) -> Path:
    """``<stem>.yaml`` beside the codec when there is one, else fish-speech's S1 codec config."""
    beside = codec_file.with_suffix(".yaml")
    if beside.is_file():
        return beside
    import fish_speech  # a namespace package: no __init__.py, so its folder comes from __path__

    return Path(next(iter(fish_speech.__path__))) / "configs" / PACKAGE_CODEC_CONFIG


def build_codec(codec_file: Path) -> tuple[torch.nn.Module, Path]:
    """The codec described by its yaml, with freshly initialised weights; and the yaml used."""
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    config_path = codec_config_for(codec_file)
    try:
        config = OmegaConf.load(config_path)
        targets = list(_targets(OmegaConf.to_container(config, resolve=False)))
    except (OSError, ValueError) as error:
        raise ModelError(f"codec config {config_path} cannot be read: {error}") from error
    foreign = [target for target in targets if not str(target).startswith(CODEC_TARGET_PREFIX)]
    if not targets or foreign:
        raise ModelError(
            f"codec config {config_path} may only build {CODEC_TARGET_PREFIX}* classes "
            f"(it names {', '.join(map(str, foreign)) or 'none'})"
        )
    try:
        codec = instantiate(config)
    except Exception as error:  # hydra wraps whatever the class raised in its own errors
        raise ModelError(f"codec config {config_path} does not build a codec: {error}") from error
    if not isinstance(codec, fish().modded_dac.DAC):
        raise ModelError(f"codec config {config_path} builds a {type(codec).__name__}, not a DAC")
    return codec, config_path


def _targets(node: Any) -> Iterator[Any]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "_target_":
                yield value
            else:
                yield from _targets(value)
    elif isinstance(node, list):
        for value in node:
            yield from _targets(value)


def codec_sizes(codec: torch.nn.Module) -> tuple[int, int, int]:
    """(codebooks in all, semantic codebook size, residual codebook size) of a modded DAC."""
    quantizer = codec.quantizer
    semantic, residual = quantizer.semantic_quantizer, quantizer.quantizer
    return (
        int(semantic.n_codebooks + residual.n_codebooks),
        int(semantic.codebook_size),
        int(residual.codebook_size),
    )


def check_codec_matches(
    folder: Path, codec_file: Path, args: Any, tokenizer: Any, codec: torch.nn.Module
) -> None:
    """The language model must predict exactly the codes the codec reads and writes."""
    codebooks, semantic_size, residual_size = codec_sizes(codec)
    semantic_tokens = tokenizer.semantic_end_id - tokenizer.semantic_begin_id + 1
    problems = []
    if args.num_codebooks != codebooks:
        problems.append(
            f"the language model predicts {args.num_codebooks} codebooks, the codec has {codebooks} "
            f"(1 semantic + {codebooks - 1} residual)"
        )
    if semantic_size > min(semantic_tokens, args.codebook_size):
        problems.append(
            f"the codec's semantic codebook has {semantic_size} entries, the language model "
            f"{min(semantic_tokens, args.codebook_size)} semantic tokens"
        )
    if residual_size > args.codebook_size:
        problems.append(
            f"the codec's residual codebooks have {residual_size} entries, more than the language model's "
            f"codebook_size {args.codebook_size}"
        )
    if problems:
        raise ModelError(
            f"codec {codec_file} does not match the language model in {folder}: {'; '.join(problems)}"
        )


def codec_identity(codec_file: Path, config_path: Path) -> str:
    """What reference codes depend on: the codec file (path, size, modification time) and its config text.

    Hashing the weights themselves would read 1.9 GB at every worker start; a changed file changes its
    size or modification time, which is enough to never reuse codes made by another codec.
    """
    stat = codec_file.stat()
    digest = hashlib.sha256()
    for part in (str(codec_file.resolve()), str(stat.st_size), str(stat.st_mtime_ns)):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(config_path.read_bytes())
    return digest.hexdigest()


# -- weights ----------------------------------------------------------------------------------------------


def _torch_load(path: Path) -> dict[str, torch.Tensor]:
    try:
        data = torch.load(path, map_location="cpu", mmap=True, weights_only=True)
    except Exception as error:  # torch raises UnpicklingError, RuntimeError, EOFError... for a bad file
        raise ModelError(
            f"{path} is not a PyTorch weights file LocalClip can load safely: {error}"
        ) from error
    if isinstance(data, Mapping) and isinstance(data.get("state_dict"), Mapping):
        data = data["state_dict"]  # a training checkpoint: the weights are inside
    if not isinstance(data, Mapping) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise ModelError(f"{path} does not hold a mapping of tensor names to tensors")
    return dict(data)


def _read_llm_weights(path: Path) -> dict[str, torch.Tensor]:
    weights = _torch_load(path)
    # As fish-speech's from_pretrained: keys saved from its LightningModule start with "model.", and the
    # audio projector (audio_*) is for audio input, which this model does not build.
    weights = {key.removeprefix("model."): value for key, value in weights.items()}
    return {key: value for key, value in weights.items() if "audio_" not in key}


def _read_codec_weights(path: Path) -> dict[str, torch.Tensor]:
    weights = _torch_load(path)
    if any(key.startswith("generator.") for key in weights):  # a GAN checkpoint: the codec is the generator
        weights = {
            key.removeprefix("generator."): v for key, v in weights.items() if key.startswith("generator.")
        }
    return weights


def load_weights(
    model: torch.nn.Module, weights: dict[str, torch.Tensor], path: Path, optional: tuple[str, ...] = ()
) -> None:
    """Load strictly: every tensor present, none left over, every shape equal (names ending in ``optional``
    may be absent)."""
    expected = model.state_dict()
    mismatched = [
        f"{key} is {tuple(value.shape)} in the file, {tuple(expected[key].shape)} in the model"
        for key, value in weights.items()
        if key in expected and tuple(value.shape) != tuple(expected[key].shape)
    ]
    if mismatched:
        raise ModelError(f"{path} does not fit the model its config describes: {_listed(mismatched)}")
    try:
        result = model.load_state_dict(weights, strict=False, assign=True)
    except RuntimeError as error:
        raise ModelError(f"{path} does not fit the model its config describes: {error}") from error
    missing = [key for key in result.missing_keys if not key.endswith(optional)]
    if missing:
        raise ModelError(f"{path}: {len(missing)} tensors missing ({_listed(missing)})")
    if result.unexpected_keys:
        unexpected = result.unexpected_keys
        raise ModelError(f"{path}: {len(unexpected)} unexpected tensors ({_listed(unexpected)})")


def _listed(names: list[str]) -> str:
    more = f", and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def _parameters(model: torch.nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())
