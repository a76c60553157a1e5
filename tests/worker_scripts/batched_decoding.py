"""The batched decoder against itself one line at a time (worker python).

    batched_decoding.py CHECKPOINT_DIR REFERENCE_WAV OUT_DIR OUT.json

Cases (tiny checkpoint, one CPU thread):
- ``lines``: eight lines of very different lengths (prompts of 8 to 120 frames, 2 to 60 new tokens, one
  and three chunks) in float64, each alone (1 row), then together in 8 rows, in 3 rows (rows refilled as
  lines end), in 8 rows in reverse order, and in 8 rows with a partner stopped early: each line's codes.
- ``forced``: float32 teacher forcing: 8 rows prefilled with different prompts, fed the same tokens for 12
  steps, against each row fed alone: the largest difference of slow and fast logits.
- ``job``: the clone job with rows 1 and rows 8 (float64) over the same items: their WAV paths.
- ``kernels``: sampling without a sort against the full sort (near-uniform logits as random weights give,
  peaked ones as trained weights give, and ties): tokens that differ and which path gave them; and the
  float32 model's linear layers packed for oneDNN (cpu_linear.py) against ``F.linear``; the codec's snakes
  computed in place (cpu_snake.py) against fish-speech's codec as it loads it.
OUT: {"lines": {case: {line: codes as lists}}, "forced": {"slow": max, "fast": max, "scale": max |logit|,
"packed": layers}, "job": {"rows1": {id: path}, "rows8": {id: path}, "facts": {...}}, "kernels": {...}}.
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from localclip_worker.cloning import decoder as decoding
from localclip_worker.cloning.cpu_linear import PackedLinear
from localclip_worker.cloning.cpu_snake import InPlaceSnake
from localclip_worker.cloning.decoder import BatchDecoder
from localclip_worker.cloning.generate import LineRequest, Prompt, Sampling, encode_prompt, speak_lines
from localclip_worker.cloning.models import load_codec, load_models
from localclip_worker.job import ItemContext
from localclip_worker.jobs import create_job

FRAMES = (8, 120, 30, 60, 15, 90, 40, 10)
NEW_TOKENS = (60, 2, 25, 8, 45, 3, 12, 33)
TEXTS = (
    "A short one.",
    "这是一个很长的句子，用来测试不同长度的行。",
    "Mid-length line of text for the batch.",
    "Hi.",
    "Three chunks. Spoken one after another. In one row.",
    "Another line, with its own seed and its own prompt.",
    "短い。",
    "The last line of the eight.",
)


def prompts(models) -> list[Prompt]:
    generator = torch.Generator().manual_seed(11)
    found = []
    for frames in FRAMES:
        codes = torch.randint(0, 32, (models.num_codebooks, frames), generator=generator)
        codes[0] = torch.randint(0, 64, (frames,), generator=generator)
        found.append(Prompt([f"Reference of {frames} frames."], [codes]))
    return found


def requests(models) -> list[LineRequest]:
    found = []
    for number, (prompt, text, new) in enumerate(zip(prompts(models), TEXTS, NEW_TOKENS, strict=True)):
        chunks = [part.strip() + "." for part in text.split(".") if part.strip()] if number == 4 else [text]
        sampling = Sampling(temperature=0.7, top_p=0.8, repetition_penalty=1.2, max_new_tokens=new)
        found.append(LineRequest(f"line{number}", chunks, prompt, sampling, seed=100 + number))
    return found


def codes_of(models, rows: int, lines: list[LineRequest], stop_after: int | None = None) -> dict:
    decoder = BatchDecoder(models.llm, rows, models.device)
    collected = {}

    def keep(model, line):  # the codes, not audio: the codec is the same either way
        return [codes.tolist() for codes in line.codes]

    import localclip_worker.cloning.generate as generate

    finish, generate._finish = generate._finish, keep
    try:
        stream = speak_lines(models, decoder, lines)
        steps = 0
        original_step = decoder.step

        def step():
            nonlocal steps
            steps += 1
            if stop_after is not None and steps == stop_after:
                decoder.stop(0)  # the partner in row 0 is forced to stop early
            return original_step()

        decoder.step = step
        for key, codes in stream:
            collected[key] = codes
    finally:
        generate._finish = finish
    return collected


def after_cancel(models, lines: list[LineRequest]) -> dict:
    """A job cancelled mid-way, then the lines again on the same decoder: nothing carries over."""
    decoder = BatchDecoder(models.llm, 8, models.device)
    steps = iter(range(10**6))
    cancelled = list(speak_lines(models, decoder, lines, cancelled=lambda: next(steps) >= 6))
    assert not decoder.busy() and len(cancelled) < len(lines), cancelled
    import localclip_worker.cloning.generate as generate

    finish, generate._finish = generate._finish, lambda model, line: [c.tolist() for c in line.codes]
    try:
        return dict(speak_lines(models, decoder, lines))
    finally:
        generate._finish = finish


def line_cases(checkpoint: Path) -> dict:
    models = load_models(checkpoint, device="cpu", precision="float64")
    lines = requests(models)
    partner = LineRequest("partner", ["A partner that is stopped."], lines[0].prompt, lines[0].sampling, 7)
    return {
        "alone": {line.key: codes_of(models, 1, [line])[line.key] for line in lines},
        "rows8": codes_of(models, 8, lines),
        "rows3": codes_of(models, 3, lines),
        "rows8_reversed": codes_of(models, 8, lines[::-1]),
        "partner_stopped": codes_of(models, 8, [partner, *lines[:7]], stop_after=5),
        "after_cancel": after_cancel(models, lines),
    }


def forced_case(checkpoint: Path) -> dict:
    models = load_models(checkpoint, device="cpu", precision="float32")
    lines = requests(models)
    tokens_in = [encode_prompt(models, line.chunks[0], line.prompt) for line in lines]
    generator = torch.Generator().manual_seed(3)
    steps = [
        torch.randint(0, 32, (len(lines), models.num_codebooks + 1), generator=generator) for _ in range(12)
    ]
    for step in steps:
        step[:, 0] += models.llm.tokenizer.semantic_begin_id  # semantic tokens, as decoding feeds them
    batch = _forced(models, tokens_in, steps)
    alone = [
        _forced(models, [tokens], [step[row : row + 1] for step in steps])
        for row, tokens in enumerate(tokens_in)
    ]
    slow = fast = scale = 0.0
    for row, single in enumerate(alone):
        for (batch_slow, batch_fast), (one_slow, one_fast) in zip(batch, single, strict=True):
            slow = max(slow, float((batch_slow[row] - one_slow[0]).abs().max()))
            scale = max(scale, float(one_slow.abs().max()))
            for ours, theirs in zip(batch_fast, one_fast, strict=True):
                fast = max(fast, float((ours[row] - theirs[0]).abs().max()))
    found = {"slow": slow, "fast": fast, "scale": scale, "steps": len(steps)}
    return {**found, "packed": models.packed_linear_layers}


def _forced(models, prompts_in: list[torch.Tensor], steps: list[torch.Tensor]) -> list:
    decoder = BatchDecoder(models.llm, len(prompts_in), models.device)
    sampling = Sampling(max_new_tokens=64).for_rows()
    for row, tokens in enumerate(prompts_in):
        decoder.start(row, tokens, sampling, generator_seed=row)
    return [decoder.forced_step(step) for step in steps]


def job_case(checkpoint: Path, reference: Path, out: Path) -> dict:
    found: dict = {}
    items_base = []
    for number, (text, new) in enumerate(zip(TEXTS, NEW_TOKENS, strict=True)):
        refs = [{"audio": str(reference), "text": "A short reference recording."}]
        items_base.append({"id": f"job{number}", "text": text, "references": refs, "seed": number})
        items_base[-1].update(max_new_tokens=max(new, 4), temperature=0.7)
    context = ItemContext(lambda *a: None, lambda: False)
    for rows in (1, 8):
        params = {"checkpoint_dir": str(checkpoint), "device": "cpu", "precision": "float64"}
        params.update(cpu_threads=1, rows=rows)
        job = create_job("clone")
        facts = job.setup(params)
        folder = out / f"rows{rows}"
        items = [{**item, "out_path": str(folder / f"{item['id']}.wav")} for item in items_base]
        results = dict(job.run_items(items, params, context))
        found[f"rows{rows}"] = {key: value["path"] for key, value in results.items()}
        found[f"facts{rows}"] = {"rows": facts["rows"], "cuda_graphs": facts["cuda_graphs"]}
    return found


SAMPLING_ROWS = 4
SAMPLING_VOCAB = 20_000  # above NUCLEUS_PREFIX and DRAW_CANDIDATES, as S1's 151 k is


def sampling_case() -> dict:
    """Per family of logits, over 150 draws of 4 rows: tokens that differ from the full sort's, and how
    many draws each path gave (the top-p prefix, the draw's best tokens, the sort)."""
    generator = torch.Generator().manual_seed(5)

    def normal(scale: float) -> torch.Tensor:
        return torch.randn(SAMPLING_ROWS, SAMPLING_VOCAB, generator=generator) * scale

    families = {
        "near_uniform": lambda: normal(0.6),
        "peaked": lambda: normal(4),
        "ties": lambda: normal(0.6).bfloat16().float(),  # bfloat16 logits: many share a value
    }
    params = (
        torch.full((SAMPLING_ROWS, 1), 0.7, dtype=decoding.PARAM_DTYPE),
        torch.full((SAMPLING_ROWS, 1), 0.8, dtype=decoding.PARAM_DTYPE),
        torch.full((SAMPLING_ROWS, 1), 1.2, dtype=decoding.PARAM_DTYPE),
    )
    found = {}
    for name, make in families.items():
        counts = {"draws": 0, "differ": 0, "prefix": 0, "candidates": 0, "sorted": 0}
        for draw in range(150):
            logits = make()
            window = torch.randint(0, SAMPLING_VOCAB, (SAMPLING_ROWS, 16), generator=generator)
            seeds = [1000 * draw + row for row in range(SAMPLING_ROWS)]
            sorted_token = decoding.sample(logits, *params, window, _generators(seeds), 0)
            token = decoding.sample(logits, *params, window, _generators(seeds), decoding.NUCLEUS_PREFIX)
            counts["draws"] += 1
            counts["differ"] += int((token != sorted_token).sum())
            counts[_path(logits, window, params, seeds)] += 1
        found[name] = counts
    return found


def _generators(seeds: list[int]) -> list[torch.Generator]:
    return [torch.Generator().manual_seed(seed) for seed in seeds]


def _path(logits: torch.Tensor, window: torch.Tensor, params: tuple, seeds: list[int]) -> str:
    """Which path sample() takes for these logits (its steps, repeated)."""
    temperature, top_p, penalty = params
    score = logits.gather(-1, window)
    logits = logits.scatter(-1, window, torch.where(score < 0, score * penalty, score / penalty))
    noise = torch.empty_like(logits)
    for row, generator in enumerate(_generators(seeds)):
        noise[row].exponential_(1, generator=generator)
    probs = F.softmax(logits, dim=-1)
    prefix = decoding.NUCLEUS_PREFIX
    if decoding._nucleus_in_prefix(logits, probs, temperature, top_p, noise, prefix) is not None:
        return "prefix"
    if decoding._best_draws_in_nucleus(logits, probs, temperature, top_p, noise) is not None:
        return "candidates"
    return "sorted"


def linear_case(checkpoint: Path) -> dict:
    """The float32 model's linear layers packed, the float64 model's not; a packed layer against F.linear,
    and a row of a batch against the same row alone."""
    float32 = load_models(checkpoint, device="cpu", precision="float32")
    float64 = load_models(checkpoint, device="cpu", precision="float64")
    generator = torch.Generator().manual_seed(9)
    weight, bias = torch.randn(300, 96, generator=generator), torch.randn(300, generator=generator)
    layer = PackedLinear(weight, bias)
    x = torch.randn(16, 96, generator=generator)
    with torch.inference_mode():
        want, got = F.linear(x, weight, bias), layer(x)
        alone = torch.cat([layer(x[row : row + 1]) for row in range(16)])
    plain = sum(type(module) is torch.nn.Linear for module in float32.llm.modules())
    return {
        "packed32": float32.packed_linear_layers,
        "packed64": float64.packed_linear_layers,
        "plain_left32": plain,
        "plain64": sum(type(module) is torch.nn.Linear for module in float64.llm.modules()),
        "facts32": float32.facts()["packed_linear_layers"],
        "parameters": [float32.facts()["llm_parameters"], float64.facts()["llm_parameters"]],
        "vs_f_linear": float((got - want).abs().max() / want.abs().max()),
        "row_vs_alone": float((got - alone).abs().max() / want.abs().max()),
    }


def snake_case(checkpoint: Path) -> dict:
    """The clone job's codec (snakes in place) against the codec as fish-speech's engine gets it from
    load_codec: decoded audio and encoded codes, bit for bit."""
    models = load_models(checkpoint, device="cpu", precision="float32")
    original, _ = load_codec(models.codec_path, "cpu")
    generator = torch.Generator().manual_seed(4)
    codes = torch.randint(0, 32, (2, models.num_codebooks, 40), generator=generator)
    lengths = torch.tensor([40, 23])
    audio = torch.randn(2, 1, 23 * models.frame_length, generator=generator) * 0.3
    audio_lengths = torch.tensor([audio.shape[-1], audio.shape[-1] // 2])
    codecs = (models.codec, original)
    with torch.inference_mode():
        decoded = [codec.decode(indices=codes, feature_lengths=lengths)[0] for codec in codecs]
        encoded = [codec.encode(audio, audio_lengths)[0] for codec in codecs]
    return {
        "in_place": sum(type(module) is InPlaceSnake for module in models.codec.modules()),
        "scripted_left": sum(type(module).__name__ == "Snake1d" for module in models.codec.modules()),
        "original": sum(type(module).__name__ == "Snake1d" for module in original.modules()),
        "facts": models.facts()["in_place_snakes"],
        "audio_equal": torch.equal(*decoded),
        "audio_peak": float(decoded[0].abs().max()),
        "codes_equal": torch.equal(*encoded),
    }


def main() -> None:
    checkpoint, reference, out, report = map(Path, sys.argv[1:5])
    torch.set_num_threads(1)
    result = {
        "lines": line_cases(checkpoint),
        "forced": forced_case(checkpoint),
        "job": job_case(checkpoint, reference, out),
        "kernels": {
            "sampling": sampling_case(),
            "linear": linear_case(checkpoint),
            "snake": snake_case(checkpoint),
        },
    }
    report.write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main()
