"""The batched decoder alone: the language model's aggregate tokens/s at 1 to N rows (run with the worker
python).

    worker_env/.venv/bin/python bench/clone_decoder.py CHECKPOINT_DIR [--rows 1,2,4,8] [--steps 8]
                                                       [--repeats 3] [--threads 2] [--out FILE.json]

``bench/clone.py --rows`` measures whole clone jobs through real workers (prefill, codec decoding and
WAV writing included); this measures only what batching changes: the decode steps of one model copy, every
row busy, each row a line of its own prompt and seed. The checkpoint is any fish-speech folder, e.g. the
S1-mini-sized one of random weights (``python -m localclip_worker.demo_models DIR --kind fish --size
s1-mini``). Configurations are interleaved, every other repeat in reverse order; printed are the median
tokens/s of each and its ratio to one row; ``--out`` writes the raw run as JSON (command, machine, package
versions, every repeat).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch
from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

from localclip_worker.cloning.decoder import BatchDecoder
from localclip_worker.cloning.fish import quiet_fish_logs
from localclip_worker.cloning.generate import Prompt, Sampling, encode_prompt
from localclip_worker.cloning.models import load_models

TEXT = "Every line of this benchmark has the same length, so only the number of rows differs."
PROMPT_FRAMES = 100  # about 4.6 s of reference audio
WARM_STEPS = 2


def main() -> int:
    args = parse_args()
    torch.set_num_threads(args.threads)
    quiet_fish_logs()
    models = load_models(args.checkpoint, device=args.device, precision=args.precision)
    prompt = benchmark_prompt(models)
    rows = sorted({1, *args.rows})
    runs: dict[int, list[float]] = {count: [] for count in rows}
    for repeat in range(args.repeats):
        for count in rows if repeat % 2 == 0 else rows[::-1]:
            rate = measure(models, prompt, count, args.steps)
            runs[count].append(rate)
            print(f"repeat {repeat + 1}: {count} rows {rate:.2f} tokens/s", flush=True)
    summary = summarise(runs)
    print_table(summary)
    if args.out:
        write(args, models, summary, runs)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument(
        "--rows", type=lambda text: [int(part) for part in text.split(",")], default=[1, 2, 4, 8]
    )
    parser.add_argument("--steps", type=int, default=8, help="timed decode steps per configuration")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def benchmark_prompt(models: Any) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    codes = torch.randint(0, 1024, (models.num_codebooks, PROMPT_FRAMES), generator=generator)
    return encode_prompt(models, TEXT, Prompt(["A reference recording of the speaker."], [codes]))


def measure(models: Any, prompt: torch.Tensor, rows: int, steps: int) -> float:
    """Tokens/s of ``steps`` decode steps with ``rows`` lines started (prefill and warm-up left out)."""
    decoder = BatchDecoder(models.llm, rows, models.device)
    sampling = Sampling(max_new_tokens=WARM_STEPS + steps + 2).for_rows()
    for row in range(rows):
        decoder.start(row, prompt, sampling, generator_seed=row + 1)
    for _ in range(WARM_STEPS):
        decoder.step()
    synchronize(models.device)
    started = time.perf_counter()
    for _ in range(steps):
        decoder.step()
    synchronize(models.device)
    return rows * steps / (time.perf_counter() - started)


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def summarise(runs: dict[int, list[float]]) -> list[dict[str, Any]]:
    base = statistics.median(runs[1])
    return [
        {
            "rows": count,
            "tokens_per_s": round(statistics.median(rates), 3),
            "ratio_to_1_row": round(statistics.median(rates) / base, 2),
            "repeats": [round(rate, 3) for rate in rates],
        }
        for count, rates in runs.items()
    ]


def print_table(summary: list[dict[str, Any]]) -> None:
    print("rows  tokens/s (median)  vs 1 row  repeats")
    for entry in summary:
        repeats = ", ".join(f"{rate:.2f}" for rate in entry["repeats"])
        print(
            f"{entry['rows']:>4}  {entry['tokens_per_s']:>17.2f}  {entry['ratio_to_1_row']:>7.2f}x  {repeats}"
        )


def write(args: argparse.Namespace, models: Any, summary: list[dict[str, Any]], runs: dict) -> None:
    record = {
        "command": "worker_env/.venv/bin/python bench/clone_decoder.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine_facts(
            ("torch", "numpy", "fish-speech"),
            gpu=torch.cuda.get_device_name() if args.device.startswith("cuda") else "none",
            torch_threads=args.threads,
        ),
        "model": {"checkpoint": args.checkpoint.name, **models.facts()},
        "workload": {"steps": args.steps, "repeats": args.repeats, "threads": args.threads},
        "summary": summary,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
