"""clone_correct: does LocalClip's clone job give fish-speech's own audio on this device, for a seed?

The tiny checkpoint of random weights (demo_models), one line of one chunk with a fixed seed and sampling
(tests/test_clone_worker.py's equality line), in bfloat16 and float32: LocalClip's ``clone`` job run in this
process as a worker runs it, twice (is it reproducible at all here?), against fish-speech's
``TTSInferenceEngine`` on the same device (gpu_phases/oracles.py). Compared: the generated codes (token
agreement, the first step that differs) and the audio (max |sample difference|). On the CPU the test suite
finds them identical; on a GPU a difference in the last bit of a bf16 kernel's result can flip a sampled
token, after which the lines diverge: the first differing step and the run-to-run check tell which it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import soundfile
import torch

from gpu_phases.artifacts import ensure
from gpu_phases.common import PhaseContext, head
from gpu_phases.oracles import fish_engine, fish_speak, torch_compat
from localclip.core.demo_data import synthesize, voices
from localclip_worker.cloning.models import PRECISIONS
from localclip_worker.job import ItemContext
from localclip_worker.jobs import create_job

EQUAL = 1e-5  # max |sample difference| the CPU test allows (measured there: 0.0)
LINE = {"text": "Hello world, this is LocalClip.", "seed": 5, "max_new_tokens": 30}
SAMPLING = {
    "temperature": 0.7,
    "top_p": 0.8,
    "repetition_penalty": 1.2,
}  # not the defaults: both must use them
REFERENCE_TEXT = "A short reference recording for speaker A."
FISH_RATE = 44100


def run(ctx: PhaseContext) -> None:
    with ctx.step("torch_compat"):
        ctx.result["torch_compat"] = torch_compat()
    checkpoint = ensure("fish-tiny", ctx.work, ctx.device, ctx.quick, ctx.time_left())
    reference = reference_audio(ctx.work / "reference")
    for precision in ("bfloat16", "float32"):
        entry: dict[str, Any] = ctx.result.setdefault("precisions", {}).setdefault(precision, {})
        ours: list[tuple[np.ndarray, torch.Tensor]] = []
        with ctx.step(f"localclip_{precision}"):
            ours = localclip_runs(ctx, checkpoint, reference, precision)
        theirs: tuple[np.ndarray, torch.Tensor] | None = None
        with ctx.step(f"engine_{precision}"):
            theirs = engine_run(ctx, checkpoint, reference, precision)
        if len(ours) == 2:
            entry["localclip_twice"] = compare(ours[0], ours[1])
        if ours and theirs is not None:
            entry["localclip_vs_engine"] = compare(ours[0], theirs)
        ctx.save()
    summarise(ctx)


def reference_audio(folder: Path) -> Path:
    """3 s of a synthetic voice at the codec's rate (no resampling enters the comparison)."""
    path = folder / "speaker_a.wav"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        audio = synthesize(voices(1)[0], 3.0, FISH_RATE, np.random.default_rng(0))
        soundfile.write(str(path), audio, FISH_RATE, subtype="PCM_16")
    return path


def threads(ctx: PhaseContext) -> int:
    # One on the CPU, as the CPU test: the same thread count on both sides keeps float reductions equal.
    return 0 if ctx.cuda else 1


def localclip_runs(
    ctx: PhaseContext, checkpoint: Path, reference: Path, precision: str
) -> list[tuple[np.ndarray, torch.Tensor]]:
    job = create_job("clone")
    params = {"checkpoint_dir": str(checkpoint), "device": ctx.device, "precision": precision}
    params["cpu_threads"] = threads(ctx)
    job.setup(params)
    codes = capture_codes(job._models.codec)
    context = ItemContext(lambda done, total, message: None, lambda: False)
    runs = []
    for attempt in range(2):
        out = ctx.work / "clone-correct" / f"{precision}-{attempt}.wav"
        item = {
            "id": f"{precision}-{attempt}",
            "speaker": "a",
            "references": [{"audio": str(reference), "text": REFERENCE_TEXT}],
            "out_path": str(out),
            **LINE,
            **SAMPLING,
        }
        job.run(item, params, context)
        samples, _ = soundfile.read(str(out), dtype="float32")
        runs.append((samples, codes[-1][0]))  # the line's one chunk: [codebooks, steps]
    return runs


def capture_codes(codec: Any) -> list[torch.Tensor]:
    """Keep the codes each decode call is given (LocalClip decodes a line's chunks as one batch)."""
    captured: list[torch.Tensor] = []
    decode = codec.decode

    def recording(*args: Any, **kwargs: Any) -> Any:
        captured.append(kwargs["indices"].detach().cpu())
        return decode(*args, **kwargs)

    codec.decode = recording
    return captured


def engine_run(
    ctx: PhaseContext, checkpoint: Path, reference: Path, precision: str
) -> tuple[np.ndarray, Any]:
    torch.set_num_threads(threads(ctx) or torch.get_num_threads())
    engine = fish_engine(checkpoint, ctx.device, PRECISIONS[precision])
    captured: list[torch.Tensor] = []
    decode = engine.decode_vq_tokens

    def recording(codes: torch.Tensor) -> Any:
        captured.append(codes.detach().cpu())
        return decode(codes=codes)

    engine.decode_vq_tokens = recording
    request = {"reference": str(reference), "reference_text": REFERENCE_TEXT, **LINE, **SAMPLING}
    audio = fish_speak(engine, request)
    return audio, captured[-1]


def compare(a: tuple[np.ndarray, torch.Tensor], b: tuple[np.ndarray, torch.Tensor]) -> dict[str, Any]:
    samples_a, codes_a = a
    samples_b, codes_b = b
    steps = min(codes_a.shape[-1], codes_b.shape[-1])
    same = (codes_a[..., :steps] == codes_b[..., :steps]).all(dim=0)  # per step, every codebook
    differing = (~same).nonzero()
    length = min(len(samples_a), len(samples_b))
    result: dict[str, Any] = {
        "steps": [int(codes_a.shape[-1]), int(codes_b.shape[-1])],
        "token_agreement": round(float(same.float().mean()), 4) if steps else None,
        "first_differing_step": int(differing[0]) if len(differing) else None,
        "samples": [len(samples_a), len(samples_b)],
        "max_abs_sample_difference": float(np.abs(samples_a[:length] - samples_b[:length]).max())
        if length
        else None,
    }
    result["equal"] = (
        result["steps"][0] == result["steps"][1]
        and result["first_differing_step"] is None
        and len(samples_a) == len(samples_b)
        and (result["max_abs_sample_difference"] or 0.0) <= EQUAL
    )
    return result


def summarise(ctx: PhaseContext) -> None:
    parts = []
    for precision, entry in ctx.result.get("precisions", {}).items():
        versus = entry.get("localclip_vs_engine")
        twice = entry.get("localclip_twice", {})
        if versus is None:
            error = ctx.result.get("errors", {}).get(f"engine_{precision}", {}).get("error", "no comparison")
            parts.append(f"{precision}: {head(error, 80)}")
            continue
        verdict = (
            "equal"
            if versus["equal"]
            else (
                f"differ: tokens {versus['token_agreement']}, first at {versus['first_differing_step']}, "
                f"max {versus['max_abs_sample_difference']:.1e}"
            )
        )
        parts.append(f"{precision} {verdict} (repeat {'equal' if twice.get('equal') else 'differs'})")
    ctx.headline("vs fish-speech engine: " + "; ".join(parts))
