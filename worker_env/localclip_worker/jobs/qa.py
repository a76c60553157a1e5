"""``qa``: scores for cloned takes (docs/qa.md): how much each sounds like its speaker and each other
speaker, and what it says.

params:
  ``wespeaker_dir``   a WeSpeaker model folder (config.yaml + avg_model.pt), loaded by the embed job's code
  ``recogniser_dir``  a Whisper model folder (Hugging Face layout), or "" for no transcripts
  ``speakers``        {speaker: [reference audio path, ...]} for every speaker of the project
  ``device``          ``auto`` (default), ``cpu``, ``cuda`` or ``cuda:N``
  ``cpu_threads``     torch's CPU threads in this worker (default 0: as the process started), as in clone
items: ``{"id", "path" (the take's audio), "speaker", "language" (a Whisper code, or "" to detect)}``.
result: ``{"voice": {speaker: cosine of the take with that speaker's centroid, ...},
  "speaker_similarity": {other speaker: cosine of the take's speaker's centroid with that one's, ...},
  "transcript": text or null (no recogniser), "language": the code given or detected ("" without a
  recogniser and none given), "recogniser": the recogniser folder's name or ""}``. Cosines are rounded to 6
  digits, within [-1, 1]. A speaker whose references all failed is left out of ``voice`` and
  ``speaker_similarity`` (the worker's log says why), and that speaker's takes fail.

The models load once per worker (set-up) and stay loaded across jobs; a later job naming another folder or
device reloads only that model. Reference embeddings are kept per file while the WeSpeaker model is
loaded (:mod:`localclip_worker.qa.voice`). Each take reports ``progress`` after its voice (``voice``) and,
with a recogniser, after its words (``words``).

Failures: ``bad_input`` for a take that is missing or cannot be read (the reader's reason: no such file,
cannot decode, empty, too short, silent), a speaker not in ``speakers`` or without a usable reference, a
language the recogniser does not know; ``out_of_memory`` for a take too long for the GPU even alone (the
pool retries it); ``exception`` for anything the models raise on a take. A model folder or device that
cannot be used, or ``speakers`` that are not a mapping of names to lists of paths, is a set-up error.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from localclip_worker.embedding.features import Audio
from localclip_worker.embedding.models import ModelError
from localclip_worker.gpu_memory import OutOfGpuMemory
from localclip_worker.job import BadInput, ItemContext, SetupError
from localclip_worker.jobs.params import apply_torch_threads, pick_device
from localclip_worker.memory import resident_bytes
from localclip_worker.qa.recogniser import Recogniser, RecogniserError
from localclip_worker.qa.voice import Centroids, VoiceModel, cosines

log = logging.getLogger(__name__)

Outcome = dict[str, Any] | Exception
# Takes read, embedded and transcribed together: bounds the decoded audio held at once (64 takes of 10 s
# at 44.1 kHz: about 110 MB) while keeping the recogniser's batches full.
TAKES_AT_ONCE = {"cpu": 16, "cuda": 64}


@dataclass
class Take:
    item_id: str
    path: str
    speaker: str
    language: str  # as the recogniser names it; "" to detect
    audio: Audio | None = None
    voice: dict[str, float] | None = None


class QaJob:
    def __init__(self) -> None:
        self._voice: VoiceModel | None = None
        self._voice_source: tuple[str, str] = ("", "")
        self._recogniser: Recogniser | None = None
        self._recogniser_source: tuple[str, str] = ("", "")
        self._device = torch.device("cpu")

    # -- set-up ---------------------------------------------------------------------------------------------

    def setup(self, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        apply_torch_threads(params, "cpu_threads")
        self._load(params)
        assert self._voice is not None
        loaded = self._voice.loaded
        facts: dict[str, Any] = {
            "load_seconds": time.perf_counter() - started,
            "memory_bytes": resident_bytes(),
            "device": str(self._device),
            "threads": torch.get_num_threads(),
            "embed_dim": loaded.embed_dim,
            "model_name": loaded.model_name,
            "family": loaded.family,
            "recogniser": self._recogniser.name if self._recogniser else "",
            "recogniser_parameters": self._recogniser.parameters() if self._recogniser else 0,
            "recogniser_multilingual": bool(self._recogniser and self._recogniser.multilingual),
        }
        if self._device.type == "cuda":
            facts["gpu_memory_bytes"] = int(torch.cuda.memory_reserved(self._device))
        return facts

    def _load(self, params: dict[str, Any]) -> None:
        """Load what ``params`` name and is not loaded yet; every failure is a set-up error."""
        wespeaker_dir = params.get("wespeaker_dir")
        if not isinstance(wespeaker_dir, str) or not wespeaker_dir:
            raise SetupError(
                "params need 'wespeaker_dir', the WeSpeaker model folder (config.yaml, avg_model.pt)"
            )
        recogniser_dir = params.get("recogniser_dir", "")
        if not isinstance(recogniser_dir, str):
            raise SetupError(f"param 'recogniser_dir' must be a folder path or '', not {recogniser_dir!r}")
        try:
            device = pick_device(params.get("device", "auto"))
        except BadInput as error:
            raise SetupError(str(error)) from error
        voice_source = (wespeaker_dir, str(device))
        if self._voice is None or self._voice_source != voice_source:
            self._voice = None
            _release(device)
            started = time.perf_counter()
            try:
                self._voice = VoiceModel(Path(wespeaker_dir), device)
            except ModelError as error:
                raise SetupError(str(error)) from error
            except Exception as error:  # any other failure to load is the folder's (or device's) too
                raise SetupError(
                    f"{wespeaker_dir} cannot be loaded: {type(error).__name__}: {error}"
                ) from error
            self._voice_source = voice_source
            log.info("qa: speaker model %s loaded on %s (%.2f s)", wespeaker_dir, device, _since(started))
        recogniser_source = (recogniser_dir, str(device))
        if recogniser_dir and (self._recogniser is None or self._recogniser_source != recogniser_source):
            self._recogniser = None
            _release(device)
            started = time.perf_counter()
            try:
                self._recogniser = Recogniser(Path(recogniser_dir), device)
            except RecogniserError as error:
                raise SetupError(str(error)) from error
            self._recogniser_source = recogniser_source
            log.info("qa: recogniser %s loaded on %s (%.2f s)", recogniser_dir, device, _since(started))
        self._device = device

    # -- takes ----------------------------------------------------------------------------------------------

    def run_items(
        self, items: list[dict[str, Any]], params: dict[str, Any], context: ItemContext
    ) -> Iterator[tuple[str, Outcome]]:
        apply_torch_threads(params, "cpu_threads")
        self._load(params)  # only what a later job names differently
        assert self._voice is not None
        speakers = _speakers(params.get("speakers"))
        if not items:
            return
        started = time.perf_counter()
        centroids = self._voice.centroids(speakers)
        log.info(
            "qa: %d speaker centroid(s): %d reference file(s) embedded, %d from memory (%.2f s)",
            len(centroids.vectors),
            centroids.embedded,
            centroids.reused,
            _since(started),
        )
        recogniser = self._recogniser if params.get("recogniser_dir") else None
        size = TAKES_AT_ONCE["cuda" if self._device.type == "cuda" else "cpu"]
        for start in range(0, len(items), size):
            if context.cancelled:
                return
            yield from self._run_group(items[start : start + size], centroids, recogniser, context)

    def _run_group(
        self,
        items: list[dict[str, Any]],
        centroids: Centroids,
        recogniser: Recogniser | None,
        context: ItemContext,
    ) -> Iterator[tuple[str, Outcome]]:
        assert self._voice is not None
        steps = 2 if recogniser else 1
        takes: list[Take] = []
        for item in items:
            try:
                take = _take(item, centroids, recogniser)
                take.audio = self._voice.read(take.path)
            except OutOfGpuMemory as error:  # its speaker's references did not fit: retried elsewhere
                yield str(item["id"]), error
                continue
            except BadInput as error:
                yield str(item["id"]), BadInput(str(error))  # without a cause: the code is bad_input
                continue
            except Exception as error:  # one odd file must not stop the others
                log.exception("reading take %s failed", item.get("path"))
                yield (
                    str(item["id"]),
                    RuntimeError(f"could not read the take: {type(error).__name__}: {error}"),
                )
                continue
            takes.append(take)
        if context.cancelled or not takes:
            return
        embedded = self._voice.embed([take.audio for take in takes])  # type: ignore[misc]
        voiced: list[Take] = []
        for take, vector in zip(takes, embedded, strict=True):
            if isinstance(vector, Exception):
                take.audio = None
                yield take.item_id, vector
                continue
            take.voice = cosines(vector, centroids.vectors.items())
            context.item_progress(take.item_id, 1, steps, "voice")
            voiced.append(take)
        if recogniser is None:
            for take in voiced:
                yield take.item_id, _result(take, centroids, None, take.language, "")
            return
        heard: list[Take] = []
        samples = []
        for take in voiced:
            try:
                samples.append(self._voice.to_16k(take.audio))  # type: ignore[arg-type]
            except Exception as error:  # out of memory resampling a huge take, say: this take alone
                log.error("resampling take %s failed", take.path, exc_info=True)
                yield take.item_id, error
                continue
            finally:
                take.audio = None  # the 16 kHz copy is what remains needed
            heard.append(take)
        languages = [take.language for take in heard]
        for index, outcome in recogniser.transcribe(samples, languages, lambda: context.cancelled):
            take = heard[index]
            if isinstance(outcome, Exception):
                yield take.item_id, outcome
                continue
            context.item_progress(take.item_id, 2, steps, "words")
            yield take.item_id, _result(take, centroids, outcome.text, outcome.language, recogniser.name)


def _result(
    take: Take, centroids: Centroids, transcript: str | None, language: str, recogniser: str
) -> dict[str, Any]:
    own = centroids.vectors[take.speaker]
    others = ((name, vector) for name, vector in centroids.vectors.items() if name != take.speaker)
    return {
        "voice": take.voice,
        "speaker_similarity": cosines(own, others),
        "transcript": transcript,
        "language": language,
        "recogniser": recogniser,
    }


def _take(item: dict[str, Any], centroids: Centroids, recogniser: Recogniser | None) -> Take:
    path = item.get("path")
    if not isinstance(path, str) or not path:
        raise BadInput("the item has no 'path' (the take's audio file)")
    speaker = item.get("speaker")
    if not isinstance(speaker, str) or not speaker:
        raise BadInput("the item has no 'speaker'")
    if speaker in centroids.problems:
        reason = f"speaker {speaker!r} has no usable reference audio: {centroids.problems[speaker]}"
        raise OutOfGpuMemory(reason) if speaker in centroids.out_of_memory else BadInput(reason)
    if speaker not in centroids.vectors:
        raise BadInput(
            f"speaker {speaker!r} is not among the job's speakers ({', '.join(centroids.vectors)})"
        )
    language = item.get("language") or ""
    if not isinstance(language, str):
        raise BadInput(f"'language' must be a Whisper language code or '', not {language!r}")
    if recogniser is not None:
        language = recogniser.language_code(language)
    return Take(str(item["id"]), path, speaker, language.strip().lower())


def _speakers(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not value:
        raise SetupError("params need 'speakers': {speaker: [reference audio path, ...]} for every speaker")
    speakers = {}
    for name, paths in value.items():
        if not isinstance(paths, list) or not all(isinstance(path, str) and path for path in paths):
            raise SetupError(f"speaker {name!r} in 'speakers' needs a list of reference audio paths")
        speakers[str(name)] = paths
    return speakers


def _release(device: torch.device) -> None:
    """Give a replaced model's GPU memory back before the next loads."""
    if device.type == "cuda" and torch.cuda.is_initialized():
        gc.collect()
        torch.cuda.empty_cache()


def _since(started: float) -> float:
    return time.perf_counter() - started


def create() -> QaJob:
    return QaJob()
