"""One line of speech: its chunks generated in turn with the speaker's prompt, decoded in batches.

For a line of one chunk this is exactly what fish-speech's ``TTSInferenceEngine`` does for a request with
the same references, text, sampling parameters and seed: the seed set as its ``set_seed`` sets it,
``generate_long`` with the references as the prompt, the codes decoded by the codec under autocast at the
model's precision. A line of several chunks is seeded once, its chunks generated one after another (the
random stream runs on), and their codes decoded together as one right-padded batch: the codec is causal,
so padding on the right changes nothing before it, and each chunk's audio is cut to its own length.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from localclip_worker.cloning.fish import fish
from localclip_worker.cloning.models import LoadedModels
from localclip_worker.job import BadInput

DECODE_BATCH = 8  # chunks decoded together; fish-speech's server decodes 8 at a time too
PROMPT_MARGIN = 2048  # generate_long refuses prompts longer than max_seq_len - 2048


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


@dataclass(frozen=True)
class Prompt:
    """A speaker: the transcripts of its references and their codes ([codebooks, frames] each)."""

    texts: list[str]
    codes: list[torch.Tensor]


@dataclass
class LineAudio:
    samples: np.ndarray  # float32 mono at the codec's rate
    tokens: int  # generation steps, the end token included (as fish-speech counts them)
    generate_seconds: float  # the language model's time; decoding excluded
    decode_seconds: float
    chunks: int


def fish_seed(seed: int) -> int:
    """The seed as fish-speech's set_seed uses it: negative made positive, capped at 2**31."""
    return min(abs(seed), 1 << 31)


def speak(
    models: LoadedModels,
    chunks: list[str],
    prompt: Prompt,
    sampling: Sampling,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> LineAudio:
    """Generate ``chunks`` (one line) in the speaker's voice and decode them to audio."""
    sampling.check()
    torch.manual_seed(fish_seed(seed))  # seeds every device, as set_seed does
    codes, tokens, generate_seconds = [], 0, 0.0
    for done, chunk in enumerate(chunks):
        started = time.perf_counter()
        chunk_codes = generate_codes(models, chunk, prompt, sampling)
        generate_seconds += time.perf_counter() - started
        codes.append(chunk_codes)
        tokens += chunk_codes.shape[1] + 1
        if progress:
            progress(done + 1, len(chunks))
    started = time.perf_counter()
    pieces = decode(models, codes)
    decode_seconds = time.perf_counter() - started
    if not any(piece.size for piece in pieces):
        raise RuntimeError("the model ended this line before producing any audio (try another seed)")
    samples = np.concatenate(pieces).astype(np.float32)
    return LineAudio(samples, tokens, generate_seconds, decode_seconds, len(chunks))


def generate_codes(models: LoadedModels, text: str, prompt: Prompt, sampling: Sampling) -> torch.Tensor:
    """The codes [codebooks, frames] fish-speech's generate_long produces for ``text`` after the prompt."""
    responses = fish().inference.generate_long(
        model=models.llm,
        device=models.device,
        decode_one_token=models.decode_one_token,
        text=text,
        num_samples=1,
        max_new_tokens=sampling.max_new_tokens,
        top_p=sampling.top_p,
        repetition_penalty=sampling.repetition_penalty,
        temperature=sampling.temperature,
        compile=False,
        # Lists, never None: 0.1.0 iterates prompt_tokens unconditionally (TypeError on None).
        prompt_text=list(prompt.texts),
        prompt_tokens=list(prompt.codes),
    )
    try:
        samples = [response.codes for response in responses if response.action == "sample"]
    except ValueError as error:
        if str(error).startswith("Prompt is too long"):
            raise BadInput(
                f"the references and the text take too many tokens for the model ({error}; the limit is "
                f"max_seq_len {models.max_seq_len} - {PROMPT_MARGIN}): use shorter or fewer references"
            ) from error
        raise
    return samples[0]


@torch.inference_mode()
def decode(models: LoadedModels, codes: list[torch.Tensor]) -> list[np.ndarray]:
    """Each chunk's audio (float32), decoded in right-padded batches of similar lengths."""
    audio: list[np.ndarray] = [np.zeros(0, np.float32)] * len(codes)
    order = sorted(
        (index for index in range(len(codes)) if codes[index].shape[1]), key=lambda i: codes[i].shape[1]
    )
    for batch in _batches(order, DECODE_BATCH):
        for index, samples in zip(batch, _decode_batch(models, [codes[i] for i in batch]), strict=True):
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
    # float32 and turns itself off with a warning: leaving it off is the same computation, minus the warning.
    if models.device.type == "cpu" and models.precision == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(models.device.type, dtype=models.precision)
