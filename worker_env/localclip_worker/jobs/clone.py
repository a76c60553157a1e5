"""``clone``: lines of text spoken in a speaker's voice, with a fish-speech checkpoint (OpenAudio S1).

params (the same for every job of a run):
  ``checkpoint_dir``  folder with config.json, model.pth, tokenizer.tiktoken (+ special_tokens.json)
  ``codec_path``      the codec weights; default ``<checkpoint_dir>/codec.pth``
  ``device``          ``auto`` (default), ``cpu``, ``cuda`` or ``cuda:N``
  ``precision``       ``bfloat16``, ``float16`` or ``float32``; default bfloat16 on CUDA, float32 on the CPU
  ``cache_dir``       folder for reference codes shared by workers and runs; absent: this worker's memory only
  ``chunk_chars``     longest text chunk in spoken length, a CJK character counting 3 (default 250, as the
                      app): a line sent without ``chunks`` is split as the app splits it (text_chunks.py)
  ``rows``            lines decoded together in this worker's one model copy (default: 16 on the CPU; on a GPU
                      as many as its free memory holds after the model, at most 16; each row's KV cache
                      takes the model's full length)
  ``cuda_graphs``     capture the decode step in CUDA graphs (default true on a GPU; false: eager steps)
  ``cpu_threads``     torch's CPU threads in this worker (default 0: torch's choice, every core). Workers
                      sharing a CPU should split its cores: one sequence at a time gains little from more
                      threads, and oversubscribed threads stall (the tiny test model: 175 tokens/s with 1
                      thread, 7-50 with 2 on a busy 2-core machine)
items (a job holds several lines, of one or more speakers, decoded together; a worker serves any number of
speakers):
  ``id``, ``speaker``, ``text``, ``chunks`` (optional: the text already split, spoken in this order;
  absent: the worker splits ``text``), ``references`` ([{"audio": path, "text": transcript}, ...]),
  ``seed`` (default 0), ``temperature`` (0.8), ``top_p`` (0.8), ``repetition_penalty`` (1.1),
  ``max_new_tokens`` (1024, per chunk; 0: up to the model's length), ``out_path`` (absolute; written
  atomically as a 32-bit float WAV at the codec's rate, 44.1 kHz).
result: ``path``, ``duration`` (s), ``sample_rate``, ``peak_db`` (the written samples' peak in dBFS, at
  least ``PEAK_FLOOR_DB``: digital silence has no finite peak), ``tokens``, ``tokens_per_s`` (the line's
  own rate while it shared the model with the job's other lines), ``chunks``, ``seed``, ``reference_hash``
  (SHA-256 over every reference's audio hash and transcript),
  ``reference_audio_hashes``, ``token_limit`` (a chunk of the line stopped at ``max_new_tokens``, or the
  model's length, without its end token: speech cut short, or a take that rambled on), ``cache_hit``
  (every reference's codes came from a cache), ``reference_cache`` (``memory``, ``disk`` or ``encoded``:
  the slowest source used), ``generate_seconds``, ``decode_seconds``,
  ``gpu_memory_bytes`` (reserved by torch now) and ``peak_gpu_memory_bytes`` (reserved at most, since the
  worker started; the CUDA context is not included). GPU figures are 0 on the CPU.

The models load once, in setup (``ready`` reports ``rows``, ``cuda_graphs`` and ``graph_capture_seconds``);
a later job naming other models reloads them. Errors that say the GPU ran out of memory
(:mod:`localclip_worker.gpu_memory`) propagate: the worker reports ``out_of_memory`` for the lines in
flight, which the pool retries elsewhere.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from localclip_worker.cloning.audio import write_wav
from localclip_worker.cloning.decoder import BatchDecoder
from localclip_worker.cloning.fish import quiet_fish_logs
from localclip_worker.cloning.generate import LineAudio, LineRequest, Prompt, Sampling, speak_lines
from localclip_worker.cloning.models import PRECISIONS, LoadedModels, ModelError, load_models
from localclip_worker.cloning.references import ReferenceCache
from localclip_worker.gpu_memory import is_out_of_memory
from localclip_worker.job import BadInput, ItemContext, SetupError
from localclip_worker.jobs.params import apply_torch_threads, int_param, pick_device
from localclip_worker.memory import resident_bytes
from localclip_worker.text_chunks import DEFAULT_CHUNK_CHARS, split_text

SOURCES = ("memory", "disk", "encoded")  # fastest first
# S1-mini-sized, 2 CPU cores, oneDNN linear layers (bench/clone_decoder.py): 8 rows 5.9x one row's
# tokens/s, 16 rows 7.2x (42 tokens/s, 1.23x 8 rows' for twice the cache).
CPU_ROWS = 16
MOST_GPU_ROWS = 16
GPU_RESERVE_BYTES = 2 * 1024**3  # left free on a GPU for activations, the codec and reference encoding
SPEAKERS_KEPT = 32  # prompts kept in memory per worker
PEAK_FLOOR_DB = -120.0  # reported for silence: JSON has no -inf (far under any "silent" threshold)


@dataclass(frozen=True)
class Reference:
    audio: Path
    text: str


@dataclass(frozen=True)
class Line:
    text: str
    chunks: tuple[str, ...]  # as the caller split the text; empty: the worker splits it
    references: tuple[Reference, ...]
    seed: int
    sampling: Sampling
    out_path: Path


@dataclass(frozen=True)
class Speaker:
    """The current speaker's prompt, kept while its lines run, so they skip even hashing the references."""

    key: tuple[tuple[str, int, int, str], ...]  # per reference: path, size, mtime, transcript
    prompt: Prompt
    audio_hashes: tuple[str, ...]
    reference_hash: str
    source: str


class CloneJob:
    def __init__(self) -> None:
        self._models: LoadedModels | None = None
        self._decoder: BatchDecoder | None = None
        self._source: tuple[str, ...] = ()
        self._cache: ReferenceCache | None = None
        self._speakers: dict[tuple[tuple[str, int, int, str], ...], Speaker] = {}
        self._graph_seconds = 0.0

    def setup(self, params: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        apply_torch_threads(params, "cpu_threads")
        models = self._load(params)
        assert self._decoder is not None
        facts = {
            "load_seconds": time.perf_counter() - started,
            "memory_bytes": resident_bytes(),
            "device": str(models.device),
            "threads": torch.get_num_threads(),  # torch's intra-op threads, after cpu_threads
            "rows": self._decoder.rows,
            "cuda_graphs": self._decoder.graphs is not None,
            "graph_capture_seconds": round(self._graph_seconds, 3),
            "graph_error": self._decoder.graph_error,
            **models.facts(),
            **_gpu_memory(models.device),
        }
        if models.device.type == "cuda":
            facts["gpu_name"] = torch.cuda.get_device_name(models.device)
        return facts

    def _load(self, params: dict[str, Any]) -> LoadedModels:
        checkpoint_dir = params.get("checkpoint_dir")
        if not isinstance(checkpoint_dir, str) or not checkpoint_dir:
            raise SetupError("params need 'checkpoint_dir', the fish-speech checkpoint folder")
        codec_path = params.get("codec_path") or None
        if codec_path is not None and not isinstance(codec_path, str):
            raise SetupError(f"param 'codec_path' must be a path, not {codec_path!r}")
        try:
            device = pick_device(params.get("device", "auto"))
            rows = int_param(params, "rows", 0, minimum=0)
        except (BadInput, ValueError) as error:
            raise SetupError(str(error)) from error
        precision = params.get("precision") or ("bfloat16" if device.type == "cuda" else "float32")
        if precision not in PRECISIONS:
            raise SetupError(f"param 'precision' must be one of {', '.join(PRECISIONS)}, not {precision!r}")
        quiet_fish_logs()
        self._release()
        try:
            models = load_models(Path(checkpoint_dir), codec_path, device, precision)
        except ModelError as error:  # a bad checkpoint is the user's input: reported, never retried
            raise SetupError(str(error)) from error
        self._decoder = self._new_decoder(models, rows, params.get("cuda_graphs", True) is not False)
        cache_dir = params.get("cache_dir")
        self._cache = ReferenceCache(models, Path(cache_dir) if cache_dir else None)
        self._models, self._source = models, _source(params)
        return models

    def _new_decoder(self, models: LoadedModels, rows: int, graphs: bool) -> BatchDecoder:
        if models.device.type != "cuda":
            return BatchDecoder(models.llm, rows or CPU_ROWS, models.device, cuda_graphs=False)
        rows = rows or gpu_rows(models)
        # The full length per row on a GPU: the caches never grow, so the graphs are captured once, here.
        decoder = BatchDecoder(
            models.llm, rows, models.device, cuda_graphs=graphs, capacity=models.max_seq_len
        )
        if decoder.graphs is not None:
            try:
                self._graph_seconds = decoder.graphs.capture_all()
            except Exception as error:  # capture unsupported (driver, memory): eager steps still work
                decoder.graph_error = f"{type(error).__name__}: {error}"
                decoder.graphs = None
        return decoder

    def _release(self) -> None:
        """Drop loaded models before loading others (a failed reload then leaves nothing half-set), and
        give their GPU memory back to the device, so two models never have to fit at once."""
        had_models = self._models is not None
        self._models = self._cache = self._decoder = None
        self._speakers.clear()
        if had_models and torch.cuda.is_initialized():
            gc.collect()
            torch.cuda.empty_cache()

    # -- lines -----------------------------------------------------------------------------------------------

    def run(self, item: dict[str, Any], params: dict[str, Any], context: ItemContext) -> dict[str, Any]:
        """One line alone (the batch path with one row in use)."""
        item = {**item, "id": str(item.get("id", "line"))}
        single = ItemContext(
            context.progress,
            lambda: context.cancelled,
            lambda _, done, total, msg: context.progress(done, total, msg),
        )
        for _, outcome in self.run_items([item], params, single):
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        raise BadInput("cancelled")

    def run_items(
        self, items: list[dict[str, Any]], params: dict[str, Any], context: ItemContext
    ) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
        """The job's lines decoded together; each is reported as it finishes (see the module docstring)."""
        apply_torch_threads(params, "cpu_threads")
        if self._models is None or self._source != _source(params):
            self._load(params)  # the worker sets a kind up once: a later run may name other models
        assert self._models is not None and self._decoder is not None
        models = self._models
        lines: dict[str, tuple[Line, Speaker]] = {}
        requests = []
        for item in items:
            try:
                line = _parse_line(item)
                speaker = self._prompt(line.references)
            except BadInput as error:
                yield item["id"], error
                continue
            lines[item["id"]] = (line, speaker)
            chunks = line_chunks(line.text, line.chunks, params)
            requests.append(LineRequest(item["id"], chunks, speaker.prompt, line.sampling, line.seed))
        progress = lambda key, done, total: context.item_progress(key, done, total, "chunks")  # noqa: E731
        try:
            for key, outcome in speak_lines(
                models, self._decoder, requests, progress, lambda: context.cancelled
            ):
                if isinstance(outcome, Exception):
                    yield key, outcome
                    continue
                line, speaker = lines[key]
                write_wav(line.out_path, outcome.samples, models.sample_rate)
                yield key, _result(line, outcome, speaker, models)
        except Exception as error:
            if is_out_of_memory(error):
                torch.cuda.empty_cache()  # the next lines (or fewer at once) get the memory back
            raise

    def _prompt(self, references: tuple[Reference, ...]) -> Speaker:
        key = tuple(_reference_key(reference) for reference in references)
        known = self._speakers.get(key)
        if known is not None:
            return dataclasses.replace(known, source="memory")
        assert self._cache is not None
        encoded = [self._cache.codes(reference.audio) for reference in references]
        digest = hashlib.sha256()
        for reference, codes in zip(references, encoded, strict=True):
            digest.update(f"{codes.audio_hash}\0{reference.text}\0".encode())
        speaker = Speaker(
            key=key,
            prompt=Prompt([reference.text for reference in references], [codes.codes for codes in encoded]),
            audio_hashes=tuple(codes.audio_hash for codes in encoded),
            reference_hash=digest.hexdigest(),
            source=max((codes.source for codes in encoded), key=SOURCES.index),
        )
        if len(self._speakers) >= SPEAKERS_KEPT:
            self._speakers.pop(next(iter(self._speakers)))
        self._speakers[key] = speaker
        return speaker


def gpu_rows(models: LoadedModels) -> int:
    """Rows the GPU's free memory holds now (the model loaded), each with a KV cache of the full length."""
    free, _ = torch.cuda.mem_get_info(models.device)
    per_row = BatchDecoder.bytes_per_position(models.llm, models.precision) * models.max_seq_len
    return max(1, min(MOST_GPU_ROWS, int((free - GPU_RESERVE_BYTES) // per_row)))


def _result(line: Line, audio: LineAudio, speaker: Speaker, models: LoadedModels) -> dict[str, Any]:
    return {
        "path": str(line.out_path),
        "duration": len(audio.samples) / models.sample_rate,
        "sample_rate": models.sample_rate,
        "peak_db": peak_db(audio.samples),
        "tokens": audio.tokens,
        "tokens_per_s": audio.tokens / audio.generate_seconds if audio.generate_seconds > 0 else 0.0,
        "chunks": audio.chunks,
        "token_limit": audio.token_limit,
        "seed": line.seed,
        "reference_hash": speaker.reference_hash,
        "reference_audio_hashes": list(speaker.audio_hashes),
        "cache_hit": speaker.source != "encoded",
        "reference_cache": speaker.source,
        "generate_seconds": audio.generate_seconds,
        "decode_seconds": audio.decode_seconds,
        **_gpu_memory(models.device),
    }


def peak_db(samples: np.ndarray) -> float:
    """The sample peak in dBFS, floored at PEAK_FLOOR_DB; samples that are not finite are left out (they
    would make the figure, and the JSON, invalid)."""
    magnitudes = np.abs(samples[np.isfinite(samples)])
    peak = float(magnitudes.max()) if magnitudes.size else 0.0
    return max(PEAK_FLOOR_DB, 20 * math.log10(peak)) if peak > 0 else PEAK_FLOOR_DB


def _reference_key(reference: Reference) -> tuple[str, int, int, str]:
    try:
        stat = reference.audio.stat()
    except OSError as error:
        raise BadInput(
            f"reference audio {reference.audio} cannot be read: {error.strerror or error}"
        ) from error
    return (str(reference.audio), stat.st_size, stat.st_mtime_ns, reference.text)


# -- items and params ---------------------------------------------------------------------------------------


def line_chunks(text: str, given: tuple[str, ...], params: dict[str, Any]) -> list[str]:
    """What a line speaks: the chunks sent, as sent (the app's clone manifest records them); else the whole
    text split by the app's own chunker with the app's default limit, so standalone use speaks the same."""
    if given:
        return list(given)
    return split_text(text, int_param(params, "chunk_chars", DEFAULT_CHUNK_CHARS, minimum=16))


def _parse_line(item: dict[str, Any]) -> Line:
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadInput("the line's text is empty")
    out_path = item.get("out_path")
    if not isinstance(out_path, str) or not Path(out_path).is_absolute():
        raise BadInput(f"the item needs 'out_path', an absolute path for the WAV file (got {out_path!r})")
    sampling = Sampling(
        temperature=_number(item, "temperature", Sampling.temperature),
        top_p=_number(item, "top_p", Sampling.top_p),
        repetition_penalty=_number(item, "repetition_penalty", Sampling.repetition_penalty),
        max_new_tokens=int_param(item, "max_new_tokens", Sampling.max_new_tokens, minimum=0),
    )
    sampling.check()
    seed = item.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise BadInput(f"'seed' must be a whole number, not {seed!r}")
    references = _parse_references(item.get("references"))
    return Line(text.strip(), _parse_chunks(item.get("chunks")), references, seed, sampling, Path(out_path))


def _parse_chunks(chunks: Any) -> tuple[str, ...]:
    if chunks is None:
        return ()
    if not isinstance(chunks, list) or not all(isinstance(chunk, str) and chunk.strip() for chunk in chunks):
        raise BadInput("'chunks' must be a list of non-empty texts")
    return tuple(chunk.strip() for chunk in chunks)


def _parse_references(references: Any) -> tuple[Reference, ...]:
    if not isinstance(references, list) or not references:
        raise BadInput(
            "the line has no references: a speaker needs at least one reference audio with its transcript"
        )
    parsed = []
    for number, reference in enumerate(references, 1):
        audio = reference.get("audio") if isinstance(reference, dict) else None
        if not isinstance(audio, str) or not audio:
            raise BadInput(f"reference {number} has no 'audio' path")
        text = reference.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadInput(f"reference {number} ({audio}) has no transcript text")
        parsed.append(Reference(Path(audio), text.strip()))
    return tuple(parsed)


def _number(values: dict[str, Any], name: str, default: float) -> float:
    value = values.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput(f"{name!r} must be a number, not {value!r}")
    return float(value)


def _source(params: dict[str, Any]) -> tuple[str, ...]:
    keys = ("checkpoint_dir", "codec_path", "device", "precision", "cache_dir")
    return tuple(str(params.get(key) or "") for key in keys)


def _gpu_memory(device: torch.device) -> dict[str, int]:
    if device.type != "cuda":
        return {"gpu_memory_bytes": 0, "peak_gpu_memory_bytes": 0}
    return {
        "gpu_memory_bytes": int(torch.cuda.memory_reserved(device)),
        "peak_gpu_memory_bytes": int(torch.cuda.max_memory_reserved(device)),
    }


def create() -> CloneJob:
    return CloneJob()
