"""LocalClip's GPU measurement: one rehearsed script for the few minutes a GPU machine is lent.

    python3 bench/gpu_check.py [--device cuda|cpu] [--quick] [--only PHASE[,PHASE]] [--out FILE.json]
                               [--work DIR] [--budget-s 540]

Phases (the ``--only`` keys), each in a child process of its own with its own time limit (a phase that
overruns is killed with its workers and recorded as ``timeout``, keeping what it had saved):

  facts             torch/CUDA/cuDNN versions, the GPU, LocalClip's worker plans for embed and clone,
                    bf16 matrix-product TFLOP/s and copy bandwidth
  embed_correct     LocalClip's batched embeddings against WeSpeaker's per-file path on the GPU, clips of
                    9 frames to 15 s, TF32 as the job leaves it, off and on (bar: 1e-4 of the norm)
  embed_oom         the out-of-memory backoff under a capped GPU memory: the budget's trajectory, what CUDA
                    raised, results against an uncapped run, a clip too large alone
  embed_precision   the embed job's device path (copy in, resampling, fbank, model, copy out) and its model
                    step at exact, tf32, bf16 and fp16, with and without channels-last: clips/s and each
                    clip's cosine to exact (the default: the fastest >= 0.9999); host synchronisations
                    while launching (sync debug mode) and a profile of a few batches
  embed_throughput  WeSpeaker per file, LocalClip through the Qt-free driver with 1, 2 and 4 workers, and
                    the model-only ceiling: clips/s, audio s/s, GPU use, memory and CPU per worker
  clone_correct     LocalClip's clone job against fish-speech's TTSInferenceEngine, same seed, bf16 and fp32
  clone_batched     one worker's batched decoder, S1-mini-sized random model, 1 to 16 lines at once, eager
                    and in CUDA graphs: tokens/s in all against one eager row (bars: 8x and 1000 tok/s at 16),
                    capture seconds, token agreement of lines decoded alone and 16 together, and the codec
                    with DAC's scripted snakes against the in-place ones the CPU uses
  clone_throughput  S1-mini-sized random model, 1, 2, 4 and 8 workers on one GPU: tokens/s per worker and in
                    all, GPU memory per worker against the plan's figure, CPU per worker
  clone_profile     the batched decoder's step under torch.profiler, 1 and 16 rows, eager and in CUDA graphs:
                    kernel launches, host synchronisations, copies and ATen ops per step and per token

Results are appended to one JSON file as each phase ends (written atomically), so a run cut short still
returns what it measured; ``--only`` reruns phases and keeps the others' results in the file (pass the same
``--work`` to reuse the models and the dataset; ``--out`` defaults to WORK/gpu_check.json). Each phase's
output goes to WORK/logs/PHASE.log, whose end is copied into the JSON when the phase is not ``ok``; the
models and the dataset are built in the background from the start. An NVML thread samples GPU
utilisation and memory (per process too) every 200 ms; each phase and each configuration gets a summary.
``--device cpu --quick`` is the rehearsal: tiny sizes, every phase end to end on a couple of CPU cores,
CUDA-only figures skipped with a reason. No Qt anywhere on the path: the GPU machine has no PySide6.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
from gpu_phases import artifacts
from gpu_phases.common import PhaseContext, read_json, write_json
from gpu_phases.sampler import NvmlSampler
from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

SCRIPT = Path(__file__).resolve()
PACKAGES = (
    "torch",
    "torchaudio",
    "numpy",
    "scipy",
    "soundfile",
    "nvidia-ml-py",
    "psutil",
    "PyYAML",
    "transformers",
    "wespeaker-unofficial",
    "fish-speech",
    "descript-audio-codec",
    "kaldiio",
    "platformdirs",
    "localclip-worker",
)
KILL_GRACE_S = 3.0
LOG_TAIL_CHARS = 3000


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float  # time limit on a GPU at full size
    quick_seconds: float  # time limit with --quick
    minimum: float  # not started with less time than this left
    needs: tuple[str, ...]  # artifacts (gpu_phases.artifacts), built in the background from the start


FISH = "fish-model"  # the tiny or the S1-mini-sized checkpoint, by device and --quick
PHASES = (
    Phase("facts", 30, 60, 10, ()),
    Phase("embed_correct", 45, 120, 20, ("wespeaker",)),
    Phase("embed_oom", 45, 90, 20, ("wespeaker",)),
    Phase("embed_precision", 45, 90, 15, ("wespeaker", "dataset")),
    Phase("embed_throughput", 115, 200, 40, ("wespeaker", "dataset")),
    Phase("clone_correct", 45, 120, 20, ("fish-tiny",)),
    Phase("clone_batched", 120, 90, 40, (FISH,)),
    Phase("clone_throughput", 80, 150, 40, (FISH,)),
    Phase("clone_profile", 40, 90, 15, (FISH,)),
)


def main() -> int:
    args = parse_args()
    if args.prepare:
        if args.background:
            os.nice(10)  # builds overlap the first phases: let those have the cores first
        artifacts.prepare(args.prepare, args.work, args.device, args.quick)
        return 0
    if args.child:
        return run_child(args)
    return run_all(args)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: the CPU rehearsal")
    parser.add_argument("--only", help="comma-separated phases to run (default: all)")
    parser.add_argument("--out", type=Path, help="results JSON (default: WORK/gpu_check.json)")
    parser.add_argument("--work", type=Path, help="scratch folder, kept (default: a new temporary one)")
    parser.add_argument("--budget-s", type=float, default=540.0, help="wall-clock budget of the whole run")
    # Internal: one phase in a child process, or one artifact build.
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--deadline", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", choices=artifacts.NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--background", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.work is None and (args.child or args.prepare):
        parser.error("--work is needed with --child and --prepare")
    args.work = (args.work or Path(tempfile.mkdtemp(prefix="localclip-gpu-check-"))).resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    args.out = (args.out or args.work / "gpu_check.json").resolve()
    return args


def selected(only: str | None) -> list[Phase]:
    if not only:
        return list(PHASES)
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = sorted(set(names) - {phase.name for phase in PHASES})
    if unknown:
        raise SystemExit(
            f"unknown phase(s) {', '.join(unknown)}; phases: {', '.join(p.name for p in PHASES)}"
        )
    return [phase for phase in PHASES if phase.name in names]


# -- the parent -------------------------------------------------------------------------------------------


def run_all(args: argparse.Namespace) -> int:
    started = time.time()
    deadline = started + args.budget_s
    phases = selected(args.only)
    say(f"work {args.work}; results {args.out}")
    sampler = NvmlSampler().start()
    record = start_record(args, sampler, phases, started)
    write_json(args.out, record)
    builders = start_builders(args, phases)
    try:
        for index, phase in enumerate(phases):
            reserve = sum(later.minimum for later in phases[index + 1 :])
            entry = run_phase(args, phase, deadline - reserve, sampler)
            record["phases"][phase.name] = entry
            write_json(args.out, record)
            say(
                f"{phase.name}: {entry['status']} ({entry.get('seconds', 0):.1f} s of {entry['limit_s']:.0f})"
            )
    finally:
        stop_processes(builders)
        sampler.stop()
        finish_record(record, sampler, started)
        write_json(args.out, record)
    print_summary(record, [phase.name for phase in phases])
    return 0


def start_record(args: argparse.Namespace, sampler: NvmlSampler, phases: list[Phase], started: float) -> dict:
    command = " ".join(["python", "bench/gpu_check.py", *map(shlex.quote, sys.argv[1:])])
    previous = read_json(args.out) if args.only else {}
    gpu = sampler.devices[0]["name"] if sampler.devices else "none"
    record: dict[str, Any] = {
        **previous,
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(started)),
        "device": args.device,
        "quick": args.quick,
        "budget_s": args.budget_s,
        "machine": machine_facts(installed(PACKAGES), gpu=gpu, executable=sys.executable),
        "nvml": {"available": sampler.available, "devices": sampler.devices, "problem": sampler.problem},
    }
    record.setdefault("phases", {})
    record["runs"] = [*previous.get("runs", []), {"command": command, "phases": [p.name for p in phases]}]
    return record


def finish_record(record: dict, sampler: NvmlSampler, started: float) -> None:
    record["wall_s"] = round(time.time() - started, 1)
    record["runs"][-1]["wall_s"] = record["wall_s"]
    record["timeline"] = {"columns": ["s", "util_mean", "memory_used_gb"], "rows": sampler.timeline(started)}


def installed(names: tuple[str, ...]) -> list[str]:
    present = []
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            metadata.version(name)
            present.append(name)
    return present


def artifact_name(need: str, args: argparse.Namespace) -> str:
    return f"fish-{artifacts.fish_size(args.device, args.quick)}" if need == FISH else need


def start_builders(args: argparse.Namespace, phases: list[Phase]) -> list[subprocess.Popen]:
    """Every artifact the phases need, built in the background from the start (each waits for it)."""
    names = dict.fromkeys(artifact_name(need, args) for phase in phases for need in phase.needs)
    logs = args.work / "logs"
    logs.mkdir(exist_ok=True)
    builders = []
    for name in names:
        command = [sys.executable, str(SCRIPT), "--prepare", name, "--background", *common_args(args)]
        with (logs / f"prepare-{name}.log").open("ab") as log:
            builders.append(
                subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            )
    return builders


def common_args(args: argparse.Namespace) -> list[str]:
    return ["--work", str(args.work), "--device", args.device, *(["--quick"] if args.quick else [])]


def run_phase(args: argparse.Namespace, phase: Phase, latest_end: float, sampler: NvmlSampler) -> dict:
    nominal = phase.quick_seconds if args.quick else phase.seconds
    now = time.time()
    limit = min(nominal, latest_end - now)
    entry: dict[str, Any] = {"limit_s": round(limit, 1), "started": now}
    if limit < phase.minimum:
        return {**entry, "status": "skipped", "reason": f"{limit:.0f} s left of the budget"}
    result_path = args.work / "phases" / f"{phase.name}.json"
    result_path.unlink(missing_ok=True)
    log_path = args.work / "logs" / f"{phase.name}.log"
    command = [sys.executable, str(SCRIPT), "--child", phase.name, *common_args(args)]
    command += ["--deadline", str(now + limit), "--result", str(result_path)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code: int | None = process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            stop_processes([process])
    ended = time.time()
    result = read_json(result_path)
    entry |= {"seconds": round(ended - now, 1), "status": status_of(code, result), "result": result}
    entry["gpu"] = sampler.summary(now, ended)
    for segment in result.get("segments", []):
        segment["seconds"] = round(segment.get("t1", ended) - segment["t0"], 2)
        segment["gpu"] = sampler.summary(segment["t0"], segment.get("t1", ended), segment.get("pids"))
    if entry["status"] != "ok":
        entry["log_tail"] = log_path.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
    return entry


def status_of(code: int | None, result: dict) -> str:
    if code is None:
        return "timeout"
    if code != 0:
        return f"error (exit {code})"
    if "not_applicable" in result:
        return "not_applicable"
    return "partial" if result.get("errors") else "ok"


def stop_processes(processes: list[subprocess.Popen]) -> None:
    """End each process with everything it started: its process group (its own session), then any
    descendant that left the group, by force after a grace period."""
    for process in processes:
        if process.poll() is not None:  # ended: anything it left behind in its group goes too
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            continue
        descendants: list[psutil.Process] = []
        with contextlib.suppress(psutil.Error):
            descendants = psutil.Process(process.pid).children(recursive=True)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for descendant in descendants:
            with contextlib.suppress(psutil.Error):
                descendant.kill()


# -- the child --------------------------------------------------------------------------------------------


def run_child(args: argparse.Namespace) -> int:
    phase = next(phase for phase in PHASES if phase.name == args.child)
    context = PhaseContext(phase.name, args.device, args.quick, args.work, args.deadline, args.result)
    context.result = {"device": args.device, "quick": args.quick, "pid": os.getpid()}
    context.save()
    importlib.import_module(f"gpu_phases.{phase.name}").run(context)
    context.save()
    return 0


# -- the summary ------------------------------------------------------------------------------------------


def say(text: str) -> None:
    print(f"gpu_check: {text}", flush=True)


def print_summary(record: dict, names: list[str]) -> None:
    print(f"\n{'phase':<17} {'status':<15} {'s':>6} {'limit':>6} {'util':>9} {'mem GB':>7}  headline")
    for name in names:
        entry = record["phases"].get(name, {})
        gpu = entry.get("gpu", {})
        util = f"{gpu.get('util_mean')}/{gpu.get('util_max')}" if gpu.get("samples") else "-"
        memory = f"{gpu['memory_used_max_gb']:.1f}" if gpu.get("samples") else "-"
        result = entry.get("result", {})
        lines = result.get("headline") or [result.get("not_applicable") or entry.get("reason", "")]
        print(
            f"{name:<17} {entry.get('status', '?'):<15} {entry.get('seconds', 0):>6.1f} "
            f"{entry.get('limit_s', 0):>6.0f} {util:>9} {memory:>7}  {lines[0]}"
        )
        for line in [*lines[1:], *worker_memory(result)]:
            print(f"{'':<64}{line}")
        for error_name, error in result.get("errors", {}).items():
            print(f"{'':<17} error in {error_name}: {error['error'][:160]}")
    nvml = record["nvml"]
    print(f"NVML: {'sampled' if nvml['available'] else nvml['problem']}; wall {record['wall_s']} s")


def worker_memory(result: dict) -> list[str]:
    """Per configuration, the most GPU memory NVML saw any one of its workers hold."""
    parts = []
    for segment in result.get("segments", []):
        seen = [gb for gb in segment.get("gpu", {}).get("named_max_gb", {}).values() if gb is not None]
        if seen:
            parts.append(f"{segment['label']} {max(seen):.2f}")
    return [f"NVML GB per worker: {'; '.join(parts)}"] if parts else []


if __name__ == "__main__":
    sys.exit(main())
