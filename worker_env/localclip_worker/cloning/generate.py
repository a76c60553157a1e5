"""Lines of speech: their chunks generated many at a time by the batched decoder, then decoded to audio.

For a line of one chunk this is exactly what fish-speech's ``TTSInferenceEngine`` does for a request with
the same references, text, sampling parameters and seed: the seed set as its ``set_seed`` sets it (here on
the line's own generator), the prompt built as ``generate_long`` builds it, the tokens sampled as its
``generate`` samples them (:mod:`localclip_worker.cloning.decoder`), the codes decoded by the codec under
autocast at the model's precision. A line of several chunks is seeded once, its chunks generated one after
another in the same row (the line's random stream runs on), and their codes decoded (on a GPU together,
as one right-padded batch: the codec is causal, so padding on the right changes nothing before it, and
each chunk's audio is cut to its own length).

Continuous batching: every row of the decoder holds one line; when a row's chunk ends, the row goes on with
the line's next chunk, or takes the next line, so the batch stays full while lines remain.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from localclip_worker.cloning.decoder import PROMPT_MARGIN, BatchDecoder, RowSampling, TooLong
from localclip_worker.cloning.fish import fish
from localclip_worker.cloning.models import LoadedModels
from localclip_worker.job import BadInput

DECODE_BATCH = 8  # chunks decoded together on a GPU; fish-speech's server decodes 8 at a time too
# On the CPU one chunk at a time is faster: the S1 codec took 10.2 s for eight 23-frame chunks one by one
# and 16.2 s for them as one batch (2 threads, 2-core machine).
CPU_DECODE_BATCH = 1


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.8
    top_p: float = 0.8
    repetition_penalty: float = 1.1
    max_new_tokens: int = 1024  # per chunk; ~47.6 s of audio at 21.5 tokens/s; 0: up to the model's length

    def check(self) -> None:
        """The ranges fish-speech asserts, as BadInput; max_new_tokens 1 breaks 0.1.0 (UnboundLocalError)."""
        if not 0 < self.temperature < 2:
            raise BadInput(f"temperature must be above 0 and below 2, not {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise BadInput(f"top_p must be above 0 and at most 1, not {self.top_p}")
        if not 0 < self.repetition_penalty < 2:
            raise BadInput(f"repetition_penalty must be above 0 and below 2, not {self.repetition_penalty}")
        if self.max_new_tokens < 0 or self.max_new_tokens == 1:
            raise BadInput(f"max_new_tokens must be 0 (no limit) or at least 2, not {self.max_new_tokens}")

    def for_rows(self) -> RowSampling:
        return RowSampling(self.temperature, self.top_p, self.repetition_penalty, self.max_new_tokens)


@dataclass(frozen=True)
class Prompt:
    """A speaker: the transcripts of its references and their codes ([codebooks, frames] each)."""

    texts: list[str]
    codes: list[torch.Tensor]


@dataclass(frozen=True)
class LineRequest:
    key: str  # the caller's name for the line (the item id)
    chunks: list[str]
    prompt: Prompt
    sampling: Sampling
    seed: int


@dataclass
class LineAudio:
    samples: np.ndarray  # float32 mono at the codec's rate
    tokens: int  # generation steps, the end token included (as fish-speech counts them)
    generate_seconds: float  # from the line's first prefill to its last token (shared with its partners)
    decode_seconds: float
    chunks: int
    token_limit: bool = False  # a chunk stopped at max_new_tokens (or the model's length), not its end token


@dataclass
class _Line:
    request: LineRequest
    started: float = field(default_factory=time.perf_counter)
    codes: list[torch.Tensor] = field(default_factory=list)
    tokens: int = 0
    token_limit: bool = False


Progress = Callable[[str, int, int], None]  # line key, chunks done, chunks in all


def fish_seed(seed: int) -> int:
    """The seed as fish-speech's set_seed uses it: negative made positive, capped at 2**31."""
    return min(abs(seed), 1 << 31)


def speak_lines(
    models: LoadedModels,
    decoder: BatchDecoder,
    requests: Iterable[LineRequest],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[str, LineAudio | Exception]]:
    """Each line's audio, or the BadInput that stopped it, as lines finish (not in order). Requests are
    read only when a row is free, so the caller may prepare them lazily. Returns early when ``cancelled``."""
    try:
        yield from _decode_lines(models, decoder, iter(requests), progress, cancelled)
    finally:  # cancelled, failed or abandoned: no row carries a line into the next job
        decoder.stop_all()


def _decode_lines(
    models: LoadedModels,
    decoder: BatchDecoder,
    pending: Iterator[LineRequest],
    progress: Progress | None,
    cancelled: Callable[[], bool],
) -> Iterator[tuple[str, LineAudio | Exception]]:
    working: dict[int, _Line] = {}  # row -> the line it speaks
    while not cancelled():
        yield from _fill_rows(models, decoder, pending, working)
        if not decoder.busy():
            return
        for row, codes in decoder.step():
            line = working[row]
            line.codes.append(codes)
            line.tokens += int(codes.shape[1]) + 1
            line.token_limit |= decoder.ended_at_limit.get(row, False)
            if progress:
                progress(line.request.key, len(line.codes), len(line.request.chunks))
            if len(line.codes) < len(line.request.chunks):
                try:
                    _start_chunk(models, decoder, row, line)  # the line goes on in its row
                    continue
                except BadInput as error:
                    del working[row]
                    yield line.request.key, error
                    continue
            del working[row]
            yield line.request.key, _finish(models, line)


def _fill_rows(
    models: LoadedModels, decoder: BatchDecoder, pending: Iterator[LineRequest], working: dict[int, _Line]
) -> Iterator[tuple[str, Exception]]:
    """Start the next lines in the free rows; a line that cannot start is reported and skipped."""
    for row in decoder.free_rows():
        for request in pending:
            line = _Line(request)
            try:
                request.sampling.check()
                _start_chunk(models, decoder, row, line)
            except BadInput as error:
                yield request.key, error
                continue
            working[row] = line
            break


def _start_chunk(models: LoadedModels, decoder: BatchDecoder, row: int, line: _Line) -> None:
    request = line.request
    text = request.chunks[len(line.codes)]
    prompt = encode_prompt(models, text, request.prompt)
    seed = fish_seed(request.seed) if not line.codes else None  # the line's stream runs on
    try:
        decoder.start(row, prompt, request.sampling.for_rows(), seed)
    except TooLong as error:
        raise BadInput(
            f"the references and the text take too many tokens for the model ({error}; the limit is "
            f"max_seq_len {models.max_seq_len} - {PROMPT_MARGIN}): use shorter or fewer references"
        ) from error


def _finish(models: LoadedModels, line: _Line) -> LineAudio | Exception:
    generate_seconds = time.perf_counter() - line.started
    started = time.perf_counter()
    pieces = decode(models, line.codes)
    decode_seconds = time.perf_counter() - started
    if not any(piece.size for piece in pieces):
        return RuntimeError("the model ended this line before producing any audio (try another seed)")
    samples = np.concatenate(pieces).astype(np.float32)
    return LineAudio(
        samples, line.tokens, generate_seconds, decode_seconds, len(line.codes), token_limit=line.token_limit
    )


def encode_prompt(models: LoadedModels, text: str, prompt: Prompt) -> torch.Tensor:
    """The tokens [codebooks + 1, T] (int32, CPU) fish-speech's generate_long builds for ``text`` after the
    speaker's references: each reference's transcript and codes, then the text."""
    inference = fish().inference
    sequence = inference.ContentSequence(modality="interleave")
    for reference_text, codes in zip(prompt.texts, prompt.codes, strict=True):
        parts = [inference.TextPart(text=reference_text), inference.VQPart(codes=codes.cpu())]
        sequence.append(parts, add_end=True, speaker=0)
    sequence.append([inference.TextPart(text=text)], add_end=False, speaker=0)
    encoded, _, audio_parts = sequence.encode_for_inference(
        models.llm.tokenizer, num_codebooks=models.num_codebooks
    )
    assert audio_parts is None, "a prompt of transcripts and codes has no audio parts"
    return encoded


@torch.inference_mode()
def decode(models: LoadedModels, codes: list[torch.Tensor], batch: int = 0) -> list[np.ndarray]:
    """Each chunk's audio (float32), decoded in right-padded batches of similar lengths (``batch`` chunks;
    0: the device's default)."""
    batch = batch or (CPU_DECODE_BATCH if models.device.type == "cpu" else DECODE_BATCH)
    audio: list[np.ndarray] = [np.zeros(0, np.float32)] * len(codes)
    order = sorted(
        (index for index in range(len(codes)) if codes[index].shape[1]), key=lambda i: codes[i].shape[1]
    )
    for together in _batches(order, batch):
        for index, samples in zip(together, _decode_batch(models, [codes[i] for i in together]), strict=True):
            audio[index] = samples
    return audio


def _batches(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _decode_batch(models: LoadedModels, codes: list[torch.Tensor]) -> list[np.ndarray]:
    lengths = [int(item.shape[1]) for item in codes]
    batch = torch.zeros((len(codes), codes[0].shape[0], max(lengths)), dtype=torch.long, device=models.device)
    for row, item in enumerate(codes):
        batch[row, :, : item.shape[1]] = item
    feature_lengths = torch.tensor(lengths, device=models.device)
    with _autocast(models):
        audio, _ = models.codec.decode(indices=batch, feature_lengths=feature_lengths)
    audio = audio[:, 0].float().cpu().numpy()
    return [audio[row, : length * models.frame_length] for row, length in enumerate(lengths)]


def _autocast(models: LoadedModels) -> contextlib.AbstractContextManager[object]:
    # fish-speech decodes under autocast at the model's precision. On the CPU autocast cannot run in
    # float32 or float64 and turns itself off with a warning: leaving it off is the same computation,
    # minus the warning.
    if models.device.type == "cpu" and models.precision in (torch.float32, torch.float64):
        return contextlib.nullcontext()
    return torch.autocast(models.device.type, dtype=models.precision)
