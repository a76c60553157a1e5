"""Speaker aggregation: LocalClip's store against the seeds' way, warm and cold page cache.

    .venv/bin/python bench/speakers.py [--clips 100000] [--speakers 1000] [--dim 256] [--out FILE.json]

The seeds' way: one pickle per clip at <root>/<dataset>/<speaker>/<clip>.pkl (LocalClip's own pkl export
writes exactly that layout), and a multiprocessing Pool over speakers, each task loading its speaker's
pickles, averaging them and writing the speaker's pickle. LocalClip's way: `localclip speakers`, i.e.
one query on the sqlite store, a vectorised mean per speaker, one transaction to save them.

Cold runs evict every file involved from the page cache first (posix_fadvise DONTNEED on each file, and
/proc/sys/vm/drop_caches when writable), so both ways read from the disk.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from machine import machine_facts  # bench/machine.py: this script's folder is on sys.path

from localclip.core.embedding.export import export_store
from localclip.core.embedding.store import EmbeddingRecord, EmbeddingStore

MODEL_ID = "bench-random"


def make_store(out: Path, clips: int, speakers: int, dim: int) -> float:
    """Writes the store in 256-clip batches, as an embedding run does; returns the seconds the writes took
    (the running per-speaker sums are kept up to date in them, so that cost is counted here)."""
    rng = np.random.default_rng(0)
    per_speaker = clips // speakers
    with EmbeddingStore.open(out, MODEL_ID, dim) as store:
        batch: list[EmbeddingRecord] = []
        writing = 0.0
        for number in range(clips):
            speaker, dataset = f"spk{number % speakers:04d}", f"ds{(number % speakers) % 10}"
            key = f"{dataset}/{speaker}/utt{number // speakers:04d}.wav"
            vector = rng.standard_normal(dim).astype(np.float32)
            batch.append(EmbeddingRecord(key, dataset, speaker, f"/data/{key}", 3.0, 16000, vector))
            if len(batch) == 256 or number == clips - 1:
                started = time.perf_counter()
                store.add_embeddings(batch)
                writing += time.perf_counter() - started
                batch = []
    rate = clips / writing
    print(f"store: {clips} clips, {speakers} speakers x ~{per_speaker} clips, dim {dim}", file=sys.stderr)
    print(f"store writes: {writing:.2f} s, {rate:,.0f} clips/s (with the running sums)", file=sys.stderr)
    return writing


def localclip_way(out: Path) -> float:
    started = time.perf_counter()
    with EmbeddingStore.open_existing(out) as store:
        speakers, _ = store.aggregate_speakers()  # from the running sums the store keeps
        store.replace_speakers(speakers)  # as `localclip speakers --no-skip-existing`
    return time.perf_counter() - started


def seed_speaker_task(task: tuple[str, str, str, str]) -> int:
    """One speaker, as the seeds' script did: load every clip pickle, average, write one pickle."""
    root, dataset, speaker, target = task
    folder = Path(root) / dataset / speaker
    embeddings = []
    for path in sorted(folder.glob("*.pkl")):
        with path.open("rb") as file:
            embeddings.append(pickle.load(file))
    matrix = np.stack(embeddings)
    result = {
        "embedding": matrix.mean(axis=0),
        "dataset": dataset,
        "speaker_id": speaker,
        "num_utterances": len(embeddings),
    }
    out = Path(target) / dataset
    out.mkdir(parents=True, exist_ok=True)
    with (out / f"{speaker}.pkl").open("wb") as file:
        pickle.dump(result, file)
    return len(embeddings)


def seed_way(pickles: Path, target: Path) -> float:
    tasks = [
        (str(pickles), dataset.name, speaker.name, str(target))
        for dataset in sorted(p for p in pickles.iterdir() if p.is_dir() and p.name != "speakers")
        for speaker in sorted(dataset.iterdir())
    ]
    started = time.perf_counter()
    with multiprocessing.Pool(os.cpu_count()) as pool:
        pool.map(seed_speaker_task, tasks, chunksize=8)
    return time.perf_counter() - started


def evict(paths: list[Path]) -> str:
    """Drop the files' pages from the page cache; says how."""
    os.sync()
    with contextlib.suppress(OSError), Path("/proc/sys/vm/drop_caches").open("w") as control:
        control.write("3\n")
        return "drop_caches"
    for root in paths:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file():
                descriptor = os.open(path, os.O_RDONLY)
                try:
                    os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(descriptor)
    return "posix_fadvise"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=100_000)
    parser.add_argument("--speakers", type=int, default=1000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="write the raw run as JSON here")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    work = args.work or Path(tempfile.mkdtemp(prefix="localclip-bench-speakers-"))
    store_dir, pickles, seed_target = work / "store", work / "pickles", work / "seed-speakers"
    started = time.perf_counter()
    write_seconds = make_store(store_dir, args.clips, args.speakers, args.dim)
    pickle_started = time.perf_counter()
    with EmbeddingStore.open_existing(store_dir) as store:
        export_store(store, pickles, "pkl")
    pickle_seconds = time.perf_counter() - pickle_started
    print(f"set-up (store + {args.clips} pickles): {time.perf_counter() - started:.1f} s", file=sys.stderr)

    results: dict[str, Any] = {
        "writes": {
            "localclip_store_seconds": round(write_seconds, 3),
            "localclip_store_clips_per_s": round(args.clips / write_seconds),
            "pickle_export_seconds": round(pickle_seconds, 3),
        }
    }
    for cache in ("warm", "cold"):
        if cache == "warm":  # read everything once so both ways start from memory
            localclip_way(store_dir)
            seed_way(pickles, seed_target)
            how = "read once before"
        else:
            how = evict([store_dir, pickles])
        seed_seconds = seed_way(pickles, seed_target)
        if cache == "cold":
            evict([store_dir, pickles])
        localclip_seconds = localclip_way(store_dir)
        results[cache] = {
            "cache": how,
            "seed_seconds": round(seed_seconds, 3),
            "localclip_seconds": round(localclip_seconds, 3),
            "speedup": round(seed_seconds / localclip_seconds, 1),
        }
        print(
            f"{cache}: seeds' way {seed_seconds:.2f} s, LocalClip {localclip_seconds:.2f} s, "
            f"{seed_seconds / localclip_seconds:.1f}x"
        )
    if args.out:
        record = {
            "command": " ".join(sys.argv),
            "date": time.strftime("%Y-%m-%d"),
            "machine": machine_facts(
                ("numpy", "localclip"),
                load_average_at_start=round(load_at_start, 2),  # other processes on the machine
            ),
            "workload": {"clips": args.clips, "speakers": args.speakers, "dim": args.dim},
            "results": results,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
