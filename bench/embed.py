"""Speaker embeddings on this machine: WeSpeaker's naive loop, LocalClip end to end, the model-only ceiling.

    .venv/bin/python bench/embed.py [--clips 240] [--workers 1 2] [--repeat 3] [--device cpu|cuda]
                                    [--work DIR] [--out FILE.json]

One generated dataset (``make_dataset``: synthetic voices, 1-10 s clips, WAV 16/24-bit/float, FLAC, OGG,
MP3 at 16-48 kHz, mono and stereo) and one WeSpeaker ResNet34 of real size (embed_dim 256, random
weights: the same compute as a trained model), then, side by side:

1. **naive**: WeSpeaker's own ``Speaker.extract_embedding`` per file and a synchronous pickle per clip,
   model loaded once and not timed, VAD off (bench/embed_naive.py). As WeSpeaker leaves torch, that is
   one thread (silero-vad, which it imports, sets it); a second row gives it one thread per core.
2. **LocalClip**: the real ``localclip embed DATASET --model M --out OUT --device DEVICE`` command with
   default settings, timed from launch to exit, and at its steady rate (from the first worker's ``ready``
   to the last result: without interpreter, torch and model start-up); with the default plan and with each
   ``--workers N``. The workers report their torch thread count in ``ready``.
3. **ceiling**: the same clips' features computed beforehand, then forward passes alone, in as many
   processes and torch threads as the LocalClip run used, the clips split evenly by duration: through
   LocalClip's own forward step, and (for the default plan) through the plain WeSpeaker module
   (bench/embed_ceiling.py). On the CPU one clip per pass (LocalClip's batch size there); with
   ``--device cuda`` batched passes at LocalClip's largest GPU batch budget.

``--device`` (default ``cpu``) is where LocalClip and the ceiling run; ``cuda`` plans the workers on the
GPUs as the app does (its NVML probe). The naive rows always run on the CPU (bench/embed_naive.py has no
device choice).

Every configuration runs ``--repeat`` times, interleaved. Shared machines are noisy (other tenants' load
slows a run that waits on a core); the table shows the fastest of the repeats, the JSON has every run
with the load average it started under and the CPU seconds it used. Printed: clips/s, real-time factor
(audio seconds per wall second), ratios to naive and to the ceiling, peak memory (summed RSS of the
process tree, polled). ``--out`` writes the raw run as JSON. The torch parts run under the worker
environment's python; this script itself needs only the app environment.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import soundfile
from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

from localclip.core.demo_data import FORMATS, make_dataset
from localclip.core.paths import bundled_worker_python

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MAKE_MODEL = ROOT / "tests" / "worker_scripts" / "make_wespeaker_model.py"
CLIPS_PER_SPEAKER = 20
SECONDS = (1.0, 10.0)
# make_dataset steps through its formats two at a time, so six formats would give only three of them;
# with an odd count every format is used (and still is if the stepping is ever made one at a time).
MIXED_FORMATS = (*FORMATS, FORMATS[0])
POLL_SECONDS = 0.05
WORKER_PACKAGES = ("torch", "torchaudio", "wespeaker-unofficial", "numpy", "soundfile")
TARGET_NAIVE, TARGET_CEILING = 1.5, 0.8  # the issue's CPU targets
NAIVE = "naive"


# -- set-up ---------------------------------------------------------------------------------------------


def make_workload(folder: Path, clips: int) -> list[Path]:
    if folder.is_dir():
        paths = sorted(p for p in folder.rglob("*") if p.is_file())
        if len(paths) == clips:
            return paths
        shutil.rmtree(folder)
    speakers = -(-clips // CLIPS_PER_SPEAKER)
    paths = make_dataset(folder, speakers, CLIPS_PER_SPEAKER, SECONDS, MIXED_FORMATS, seed=0)
    for surplus in paths[clips:]:
        surplus.unlink()
    return sorted(paths[:clips])


def make_model(folder: Path, python: Path) -> None:
    if not (folder / "avg_model.pt").is_file():
        run_checked([str(python), "-I", str(MAKE_MODEL), str(folder), "--embed-dim", "256"])


def run_checked(command: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}... failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done


def worker_packages(python: Path) -> dict[str, str]:
    code = (
        "import json\nfrom importlib import metadata\n"
        f"print(json.dumps({{n: metadata.version(n) for n in {list(WORKER_PACKAGES)!r}}}))"
    )
    return json.loads(run_checked([str(python), "-I", "-c", code]).stdout)


# -- measuring ------------------------------------------------------------------------------------------


class Measured:
    """Around a run: its processes' peak memory (polled in a thread), the CPU seconds of every child process
    it waited for (getrusage of children, so workers started by the app count too) and the load average."""

    def __init__(self) -> None:
        self.roots: list[psutil.Process] = []
        self.peak_total = self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Measured:
        self.load_before = os.getloadavg()[0]
        self._cpu_before = cpu_of_children()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu_seconds = cpu_of_children() - self._cpu_before

    def watch(self, pid: int) -> None:
        self.roots.append(psutil.Process(pid))

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            sizes = []
            for root in list(self.roots):
                try:
                    for process in (root, *root.children(recursive=True)):
                        sizes.append(process.memory_info().rss)
                except psutil.Error:  # a process ended while polled
                    continue
            if sizes:
                self.peak_total = max(self.peak_total, sum(sizes))
                self.peak_single = max(self.peak_single, max(sizes))

    def figures(self) -> dict[str, float]:
        return {
            "cpu_seconds": round(self.cpu_seconds, 2),
            "load_average_before": round(self.load_before, 2),
            "peak_rss_mb": mb(self.peak_total),
            "peak_rss_largest_process_mb": mb(self.peak_single),
        }


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def mb(size: int) -> float:
    return round(size / 2**20, 1)


def naive(python: Path, model: Path, clips: list[Path], work: Path, threads: int | None) -> dict[str, Any]:
    out, result = work / "naive-pickles", work / "naive.json"
    shutil.rmtree(out, ignore_errors=True)
    command = [str(python), "-I", str(BENCH / "embed_naive.py"), str(model), str(out), str(result)]
    command += [] if threads is None else ["--threads", str(threads)]
    with Measured() as measured:
        process = subprocess.Popen(
            [*command, *map(str, clips)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        measured.watch(process.pid)
        _, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"the naive run failed:\n{stderr[-3000:]}")
    return {**json.loads(result.read_text(encoding="utf-8")), **measured.figures()}


def localclip(model: Path, dataset: Path, work: Path, workers: int | None, device: str) -> dict[str, Any]:
    out = work / f"localclip-out-{workers or 'default'}"
    shutil.rmtree(out, ignore_errors=True)
    config = Path(tempfile.mkdtemp(prefix="config-", dir=work))  # default settings, not the user's
    command = [sys.executable, "-m", "localclip", "embed", str(dataset), "--model", str(model)]
    command += ["--out", str(out), "--device", device, "--events", "jsonl"]
    command += [] if workers is None else ["--workers", str(workers)]
    env = {**os.environ, "LOCALCLIP_CONFIG_DIR": str(config)}
    with Measured() as measured:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env
        )
        measured.watch(process.pid)
        stdout, stderr = process.communicate()
        wall = time.perf_counter() - started
    shutil.rmtree(config, ignore_errors=True)
    events = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    reports = [e["report"] for e in events if e["event"] == "embed_finished"]
    if process.returncode not in (0, 1) or not reports:
        raise SystemExit(f"localclip embed failed ({process.returncode}):\n{stderr[-3000:]}")
    readies = [e for e in events if e["event"] == "worker_event" and e["message"]["type"] == "ready"]
    done = [e["t"] for e in events if e["event"] == "item_done"]
    first_ready = min(e["t"] for e in readies)
    # Workers that do not report their threads run torch's default: one per core.
    threads = sorted({e["message"].get("threads", os.cpu_count()) for e in readies})
    [plan] = [e["plan"] for e in events if e["event"] == "plan"]
    return {
        "command": " ".join(["localclip", *command[3:]]),
        "seconds": round(wall, 3),
        "report_seconds": reports[0]["seconds"],
        "done": reports[0]["done"],
        "failed": reports[0]["failed"],
        "workers": len(readies),
        "torch_threads_per_worker": threads[0] if len(threads) == 1 else threads,
        "plan": plan["explanation"],
        "first_ready_seconds": round(first_ready, 3),
        "steady_seconds": round(max(done) - first_ready, 3),
        "ready": [e["message"] for e in readies],
        **measured.figures(),
    }


def shards(clips: list[Path], seconds: dict[Path, float], count: int) -> list[list[Path]]:
    """Longest first onto the least loaded shard: an even split by duration, the best any scheduler does."""
    loads: list[tuple[float, int, list[Path]]] = [(0.0, index, []) for index in range(count)]
    for clip in sorted(clips, key=lambda c: -seconds[c]):
        total, index, part = min(loads)
        part.append(clip)
        loads[index] = (total + seconds[clip], index, part)
    return [part for _, _, part in loads if part]


def ceiling(
    python: Path, model: Path, parts: list[list[Path]], threads: int, path: str, work: Path, device: str
) -> dict[str, Any]:
    go = work / "ceiling-go"
    results = [work / f"ceiling-{n}.json" for n in range(len(parts))]
    markers = [result.with_name(result.name + ".ready") for result in results]
    for stale in (go, *results, *markers):
        stale.unlink(missing_ok=True)
    script = str(BENCH / "embed_ceiling.py")
    with Measured() as measured:
        processes = []
        for part, result in zip(parts, results, strict=True):
            command = [str(python), "-I", script, str(model), str(result), *map(str, part)]
            command += ["--threads", str(threads), "--path", path, "--device", device, "--go", str(go)]
            processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            measured.watch(processes[-1].pid)
        while not all(marker.exists() for marker in markers):  # every process has its features ready
            if any(process.poll() is not None for process in processes):
                break  # one failed: reported below
            time.sleep(POLL_SECONDS)
        go.touch()
        for process in processes:
            _, stderr = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"the ceiling run failed:\n{stderr.decode(errors='replace')[-3000:]}")
    figures = [json.loads(result.read_text(encoding="utf-8")) for result in results]
    return {
        "path": path,
        "device": device,
        "processes": len(parts),
        "torch_threads_per_process": threads,
        "seconds": max(f["seconds"] for f in figures),
        "per_process": figures,
        **measured.figures(),
        "cpu_seconds": round(sum(f["cpu_seconds"] for f in figures), 2),  # of the timed passes only
    }


# -- the run --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=240)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="also run --workers N")
    parser.add_argument("--repeat", type=int, default=1, help="run everything N times, interleaved")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="for LocalClip and ceiling")
    parser.add_argument("--no-eager-ceiling", action="store_true", help="skip the plain-module ceiling")
    parser.add_argument("--work", type=Path, help="scratch folder, kept (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="write the raw run as JSON here")
    args = parser.parse_args()
    python = bundled_worker_python()
    work = args.work or Path(tempfile.mkdtemp(prefix="localclip-bench-embed-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    clips = make_workload(work / "dataset", args.clips)
    make_model(work / "model", python)
    model, dataset = work / "model", work / "dataset"
    durations = {clip: soundfile.info(str(clip)).duration for clip in clips}
    audio = sum(durations.values())
    formats = sorted({f"{c.suffix} {soundfile.info(str(c)).subtype}" for c in clips})
    say(f"{len(clips)} clips, {audio:.0f} s of audio ({', '.join(formats)}); set-up {elapsed(started)}")

    cores = os.cpu_count() or 1
    runs: dict[str, list[dict[str, Any]]] = {}
    for repeat in range(1, args.repeat + 1):
        for threads in (None, cores):
            name = NAIVE if threads is None else f"{NAIVE}, {threads} threads"
            say(f"round {repeat}/{args.repeat}: {name}")
            runs.setdefault(name, []).append(naive(python, model, clips, work, threads))
        plans: list[tuple[int, int]] = []
        for workers in [None, *args.workers]:
            name = "localclip" if workers is None else f"localclip --workers {workers}"
            say(f"round {repeat}/{args.repeat}: {name}")
            run = localclip(model, dataset, work, workers, args.device)
            runs.setdefault(name, []).append(run)
            plan = (run["workers"], run["torch_threads_per_worker"])
            plans += [] if plan in plans else [plan]
        ceilings = [("localclip", plan) for plan in plans]
        ceilings += [] if args.no_eager_ceiling else [("eager", plans[0])]  # plans[0]: the default's
        for path, (workers, threads) in ceilings:
            name = f"ceiling {path} {workers}x{threads}"
            say(f"round {repeat}/{args.repeat}: {name}")
            parts = shards(clips, durations, workers)
            runs.setdefault(name, []).append(ceiling(python, model, parts, threads, path, work, args.device))

    results = tabulate(runs, len(clips), audio)
    if args.out:
        record = {
            "command": " ".join([".venv/bin/python bench/embed.py", *sys.argv[1:]]),
            "date": time.strftime("%Y-%m-%d"),
            "machine": machine_facts(
                ("PySide6", "localclip", "psutil"), worker_packages=worker_packages(python)
            ),
            "workload": {
                "clips": len(clips),
                "audio_seconds": round(audio, 1),
                "clip_seconds": [round(min(durations.values()), 2), round(max(durations.values()), 2)],
                "formats": formats,
                "model": "WeSpeaker ResNet34, embed_dim 256, random weights",
                "device": args.device,
                "page_cache": "warm (the dataset was just written or read)",
                "repeats": args.repeat,
            },
            "results": results,
            "runs": runs,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def elapsed(since: float) -> str:
    return f"{time.perf_counter() - since:.0f} s"


# -- the table ------------------------------------------------------------------------------------------


def tabulate(runs: dict[str, list[dict[str, Any]]], clips: int, audio: float) -> dict[str, Any]:
    rows = {name: row(name, measured, clips, audio) for name, measured in runs.items()}
    for name, current in rows.items():
        if not name.startswith("localclip"):
            continue
        for key in ("clips_per_s", "steady_clips_per_s"):
            prefix = "" if key == "clips_per_s" else "steady_"
            current[f"{prefix}vs_naive"] = round(current[key] / rows[NAIVE]["clips_per_s"], 2)
            match = rows.get(f"ceiling localclip {current['plan']}")
            if match:
                current["ceiling"] = match["label"]
                current[f"{prefix}vs_ceiling"] = round(current[key] / match["clips_per_s"], 2)
    print_table(rows, max(len(measured) for measured in runs.values()))
    default = rows["localclip"]
    verdicts: dict[str, Any] = {
        f"localclip >= {TARGET_NAIVE}x naive": {
            "end_to_end": default["vs_naive"],
            "steady": default["steady_vs_naive"],
            "met": default["vs_naive"] >= TARGET_NAIVE,
        },
        f"localclip >= {TARGET_CEILING}x ceiling": {
            "end_to_end": default.get("vs_ceiling"),
            "steady": default.get("steady_vs_ceiling"),
            "met": default.get("vs_ceiling", 0) >= TARGET_CEILING,
        },
    }
    for target, verdict in verdicts.items():
        state = "met" if verdict["met"] else "NOT met"
        print(f"target {target}: {verdict['end_to_end']}x end to end ({verdict['steady']}x steady): {state}")
    explicit = {n: r for n, r in rows.items() if n.startswith("localclip --workers")}
    if len(explicit) > 1:
        fastest = max(explicit.values(), key=lambda r: r["clips_per_s"])
        verdicts["fastest plan"] = fastest["label"]
        print(f"fastest plan on this machine: {fastest['label']}")
    return {"rows": rows, "targets": verdicts}


def row(name: str, measured: list[dict[str, Any]], clips: int, audio: float) -> dict[str, Any]:
    best = min(measured, key=lambda run: run["seconds"])
    result: dict[str, Any] = {"label": name}
    if name.startswith(NAIVE):
        result["label"] = f"{name} (WeSpeaker per file, {best['torch_threads']} thread(s))"
    elif name.startswith("localclip"):
        result["plan"] = f"{best['workers']}x{best['torch_threads_per_worker']}"
        result["label"] = f"{name} ({best['workers']} x {best['torch_threads_per_worker']} thread(s))"
    result |= {
        "seconds": best["seconds"],
        "median_seconds": round(statistics.median(run["seconds"] for run in measured), 3),
        "clips_per_s": round(clips / best["seconds"], 3),
        "rtf": round(audio / best["seconds"], 2),
        "cpu_seconds": best["cpu_seconds"],
        "peak_rss_mb": max(run["peak_rss_mb"] for run in measured),
    }
    if "steady_seconds" in best:
        result["steady_seconds"] = best["steady_seconds"]
        result["steady_clips_per_s"] = round(clips / best["steady_seconds"], 3)
    return result


def print_table(rows: dict[str, dict[str, Any]], repeats: int) -> None:
    print(f"fastest of {repeats} run(s) each; ratios: end to end (steady, without start-up)")
    print(
        f"{'':<56} {'seconds':>8} {'clips/s':>8} {'RTF':>6} {'steady':>7} {'vs naive':>13} "
        f"{'vs ceiling':>13} {'CPU s':>6} {'peak RSS':>9}"
    )
    for current in rows.values():
        steady = f"{current['steady_clips_per_s']:.2f}" if "steady_clips_per_s" in current else ""
        ratios = []
        for key in ("vs_naive", "vs_ceiling"):
            text = f"{current[key]:.2f}x ({current['steady_' + key]:.2f})" if key in current else ""
            ratios.append(text)
        print(
            f"{current['label']:<56} {current['seconds']:>8.1f} {current['clips_per_s']:>8.2f} "
            f"{current['rtf']:>6.1f} {steady:>7} {ratios[0]:>13} {ratios[1]:>13} "
            f"{current['cpu_seconds']:>6.0f} {current['peak_rss_mb']:>6.0f} MB"
        )


if __name__ == "__main__":
    sys.exit(main())
