"""What a take says, for take QA: a Whisper model through Hugging Face ``transformers``.

Why Whisper through transformers:
- the worker environment already has transformers (fish-speech needs it), so QA adds no package;
- Whisper is multilingual (Chinese, Japanese, English and about 100 languages) with language detection,
  which a project of mixed languages needs;
- every size a user may download (tiny to large-v3 and large-v3-turbo, and the English-only ``.en``
  models) is the same folder layout and loads the same way (``WhisperForConditionalGeneration`` and
  ``WhisperProcessor`` with ``local_files_only``: nothing is ever downloaded);
- it runs on the CPU and on CUDA, and ``generate`` decodes a batch of windows together.

Long takes are cut into windows here, not by transformers. Whisper hears 30 s at a time. transformers'
own long-form path (all the mel frames at once) must predict timestamp tokens to move its window, works
through the takes of a batch one 30 s step at a time, and conditions each window on the previous text;
the pipeline's chunking overlaps windows and merges their tokens by timestamps. A take is one line of a
script, almost always under 30 s, and its text is known: what QA needs is the words, batched. So a take
longer than :data:`WINDOW_SECONDS` is cut at the quietest 100 ms of the last :data:`CUT_SEARCH_SECONDS`
before each 30 s boundary (between words, as far as the audio tells), every window is padded to 30 s as
Whisper expects, windows of all the job's takes are transcribed together in batches, and a take's windows
are joined in order (with a space, or nothing for languages written without spaces). Every window of a
take gets the take's language: the one given, else the one detected on its first window.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from localclip_worker.gpu_memory import is_out_of_memory, too_large_alone
from localclip_worker.job import BadInput
from localclip_worker.memory import give_back_cached_memory

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # Whisper's
WINDOW_SECONDS = 30.0
CUT_SEARCH_SECONDS = 5.0  # a long take is cut at the quietest 100 ms of the last 5 s of each window
CUT_FRAME_SECONDS = 0.1
WINDOWS_PER_BATCH = {"cpu": 4, "cuda": 16}  # windows transcribed together; halved on out-of-memory
# Languages written without spaces between words: their windows are joined without one.
NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "km", "bo", "yue"})
WEIGHTS = (
    "model.safetensors",
    "pytorch_model.bin",
    "model.safetensors.index.json",
    "pytorch_model.bin.index.json",
)
TOKENIZER_FILES = (("tokenizer.json",), ("vocab.json", "merges.txt"))  # fast, or slow (byte-level BPE)


class RecogniserError(ValueError):
    """A recogniser folder that cannot be used; the message names the folder and what is wrong."""


@dataclass(frozen=True)
class Window:
    take: int  # index of the take among those transcribed together
    samples: np.ndarray  # 16 kHz float32, at most WINDOW_SECONDS


@dataclass
class Transcript:
    text: str
    language: str


class Recogniser:
    """A Whisper model and its processor on one device."""

    def __init__(self, folder: Path, device: torch.device) -> None:
        check_folder(folder)
        from transformers import WhisperForConditionalGeneration, WhisperProcessor
        from transformers.utils import logging as transformers_logging

        # Whisper's generate logs notes on every call (attention masks, its own logits processors,
        # generation defaults) that say nothing about a take: the worker's log keeps errors only.
        transformers_logging.set_verbosity_error()
        self.folder, self.device = folder, device
        # float16 on a GPU, as Whisper is published and usually run; float32 on the CPU.
        self.dtype = torch.float16 if device.type == "cuda" else torch.float32
        try:
            self.processor = WhisperProcessor.from_pretrained(str(folder), local_files_only=True)
            model = WhisperForConditionalGeneration.from_pretrained(
                str(folder), local_files_only=True, dtype=self.dtype
            )
            self.model = model.to(device).eval()
        except Exception as error:  # whatever transformers, safetensors or torch raise: this folder fails
            raise RecogniserError(
                f"the recogniser folder {folder} cannot be loaded: {type(error).__name__}: {error}"
            ) from error
        generation = self.model.generation_config
        lang_to_id = getattr(generation, "lang_to_id", None) or {}
        # English-only models (tiny.en ...) take no language or task: they are told nothing and say "en".
        # A folder without Whisper's generation settings (no lang_to_id) cannot be told a language either:
        # its language is reported as unknown ("").
        english_only = getattr(generation, "is_multilingual", None) is False or folder.name.endswith(".en")
        self.multilingual = bool(lang_to_id) and not english_only
        self.fixed_language = "en" if english_only else ""
        self.languages = {token.strip("<|>"): token for token in lang_to_id}  # "en" -> "<|en|>"
        self._language_of_id = {int(token_id): token.strip("<|>") for token, token_id in lang_to_id.items()}
        self.batch = WINDOWS_PER_BATCH["cuda" if device.type == "cuda" else "cpu"]

    @property
    def name(self) -> str:
        return self.folder.name

    def parameters(self) -> int:
        return sum(parameter.numel() for parameter in self.model.parameters())

    def language_code(self, asked: str) -> str:
        """The item's language as this model names it ("" to detect); BadInput for one it does not know."""
        code = asked.strip().lower()
        if not code or not self.multilingual or code in self.languages:
            return code
        known = ", ".join(sorted(self.languages)[:12])
        raise BadInput(
            f"language {asked!r} is not one this recogniser knows (Whisper codes such as {known}...)"
        )

    # -- transcription --------------------------------------------------------------------------------------

    def transcribe(
        self,
        takes: Sequence[np.ndarray],
        languages: Sequence[str],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Iterator[tuple[int, Transcript | Exception]]:
        """Transcribe each take (16 kHz float32) in its language ("" detects it). Yields ``(index,
        outcome)`` once per take, as its last window is transcribed; the outcome is an exception when the
        GPU ran out of memory even for one of its windows alone, or when the model raised on one of them
        (the other takes go on). Returns early, leaving the rest unreported, when ``cancelled``."""
        windows = [Window(index, piece) for index, samples in enumerate(takes) for piece in split(samples)]
        remaining = [0] * len(takes)
        for window in windows:
            remaining[window.take] += 1
        texts: list[list[str]] = [[] for _ in takes]
        failed: dict[int, Exception] = {}
        resolved = self._languages(windows, languages, failed, cancelled)
        yield from failed.items()
        for group, outcome in self._batches(
            windows, failed, cancelled, lambda g: self._generate(g, resolved)
        ):
            if isinstance(outcome, Exception):
                for take in dict.fromkeys(window.take for window in group):
                    failed[take] = outcome
                    yield take, outcome
                continue
            for window, text in zip(group, outcome, strict=True):
                texts[window.take].append(text)
                remaining[window.take] -= 1
                if remaining[window.take] == 0:
                    language = resolved[window.take]
                    yield window.take, Transcript(join(texts[window.take], language), language)

    def _languages(
        self,
        windows: list[Window],
        languages: Sequence[str],
        failed: dict[int, Exception],
        cancelled: Callable[[], bool],
    ) -> list[str]:
        """Each take's language: as given, "en" for an English-only model, else detected on its first
        window (batched). A take whose detection failed is put in ``failed``."""
        if not self.multilingual:  # English-only: "en"; no language settings: what the item said
            return [self.fixed_language or code for code in languages]
        resolved = list(languages)
        first: dict[int, Window] = {}
        for window in windows:
            if not resolved[window.take]:
                first.setdefault(window.take, window)
        for group, outcome in self._batches(list(first.values()), failed, cancelled, self._detect):
            for window in group:
                if isinstance(outcome, Exception):
                    failed[window.take] = outcome
            if not isinstance(outcome, Exception):
                for window, code in zip(group, outcome, strict=True):
                    resolved[window.take] = code
        return resolved

    def _batches(
        self,
        windows: list[Window],
        failed: dict[int, Exception],
        cancelled: Callable[[], bool],
        run: Callable[[list[Window]], list[str]],
    ) -> Iterator[tuple[list[Window], list[str] | Exception]]:
        """``run`` over the windows in batches, leaving out takes already failed: each batch with its
        outputs, or with the exception that failed it. Out of GPU memory, a batch is split in half and tried
        again (and later batches keep the smaller size); a window alone that does not fit fails with
        :class:`OutOfGpuMemory`. Another error on a batch is narrowed down by trying its windows one by one,
        so only the takes that cause it fail."""
        queue = deque(windows)
        batch = self.batch
        while queue and not cancelled():
            group: list[Window] = []
            while queue and len(group) < batch:
                window = queue.popleft()
                if window.take not in failed:
                    group.append(window)
            if not group:
                continue
            outcome = _attempt(run, group)
            if isinstance(outcome, Exception) and len(group) > 1:
                if is_out_of_memory(outcome):
                    batch = max(1, len(group) // 2)
                    log.warning("out of GPU memory on %d windows: %d at a time now", len(group), batch)
                    queue.extendleft(reversed(group))
                    continue
                for window in group:  # the consumer marks a failed take before the next window is tried
                    if window.take not in failed and not cancelled():
                        yield [window], _alone(_attempt(run, [window]))
                continue
            yield group, _alone(outcome)

    def _detect(self, windows: list[Window]) -> list[str]:
        with torch.inference_mode():
            ids = self.model.detect_language(input_features=self._features(windows)).tolist()
        return [self._language_of_id.get(int(token_id), "") for token_id in ids]

    def _features(self, windows: Sequence[Window]) -> torch.Tensor:
        """Log-mel features [B, mel bins, 3000] of the windows, each padded to 30 s, on the device."""
        extractor = self.processor.feature_extractor
        features = extractor(
            [window.samples for window in windows],
            sampling_rate=SAMPLE_RATE,
            return_tensors="pt",
            device=self.device.type,
        ).input_features
        return features.to(self.device, self.dtype)

    def _generate(self, windows: Sequence[Window], languages: Sequence[str]) -> list[str]:
        """The text of each window; ``languages`` are the takes' codes (by take index)."""
        features = self._features(windows)
        options: dict[str, object] = {"return_timestamps": False}
        if self.multilingual:
            tokens = [self.languages[languages[window.take]] for window in windows]
            options |= {"language": tokens, "task": "transcribe"}
        with torch.inference_mode():
            sequences = self.model.generate(features, **options)
        if not isinstance(sequences, torch.Tensor):  # a dict from some generation settings
            sequences = sequences["sequences"]
        return [text.strip() for text in self.processor.batch_decode(sequences, skip_special_tokens=True)]


def split(samples: np.ndarray) -> list[np.ndarray]:
    """``samples`` (16 kHz) in windows of at most WINDOW_SECONDS, cut at the quietest 100 ms of the last
    CUT_SEARCH_SECONDS before each boundary; an empty take is one empty window."""
    window = int(WINDOW_SECONDS * SAMPLE_RATE)
    search, frame = int(CUT_SEARCH_SECONDS * SAMPLE_RATE), int(CUT_FRAME_SECONDS * SAMPLE_RATE)
    pieces, start = [], 0
    while len(samples) - start > window:
        low = start + window - search
        region = samples[low : start + window].astype(np.float64)
        energy = np.square(region[: len(region) // frame * frame]).reshape(-1, frame).sum(axis=1)
        cut = low + int(np.argmin(energy)) * frame + frame // 2
        pieces.append(samples[start:cut])
        start = cut
    pieces.append(samples[start:])
    return pieces


def join(texts: Sequence[str], language: str) -> str:
    separator = "" if language in NO_SPACE_LANGUAGES else " "
    return separator.join(text for text in texts if text).strip()


def check_folder(folder: Path) -> None:
    """What transformers needs from a Whisper folder, checked first so a wrong folder is named plainly."""
    if not folder.is_dir():
        raise RecogniserError(f"the recogniser folder {folder} does not exist or is not a folder")
    missing = []
    config = folder / "config.json"
    if not config.is_file():
        missing.append("config.json")
    if not any((folder / name).is_file() for name in WEIGHTS):
        missing.append("model.safetensors (or pytorch_model.bin)")
    if not any(all((folder / name).is_file() for name in names) for names in TOKENIZER_FILES):
        missing.append("tokenizer.json (or vocab.json and merges.txt)")
    if not (folder / "preprocessor_config.json").is_file():
        missing.append("preprocessor_config.json")
    if missing:
        raise RecogniserError(
            f"{folder} is not a Whisper model folder (as Hugging Face publishes them): missing "
            f"{', '.join(missing)}"
        )
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as error:
        raise RecogniserError(f"{config} is not a readable JSON object: {error}") from None
    if model_type != "whisper":
        raise RecogniserError(f"{config} describes a {model_type!r} model, not a Whisper model ('whisper')")


def _attempt(run: Callable[[list[Window]], list[str]], group: list[Window]) -> list[str] | Exception:
    """``run(group)``, or the exception it raised (out of GPU memory: the cache emptied first)."""
    try:
        return run(group)
    except Exception as error:
        if is_out_of_memory(error):
            give_back_cached_memory(error)
        else:
            log.error("the recogniser failed on %d window(s)", len(group), exc_info=True)
        return error


def _alone(outcome: list[str] | Exception) -> list[str] | Exception:
    """A single window's outcome: running out of GPU memory even alone is said so for a person."""
    return _too_much(outcome) if isinstance(outcome, Exception) and is_out_of_memory(outcome) else outcome


def _too_much(error: Exception) -> Exception:
    return too_large_alone(
        "out of GPU memory transcribing one 30 s window of this take: it needs a GPU with more free memory, "
        "or a smaller recogniser",
        error,
    )
