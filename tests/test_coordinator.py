"""The coordinator's side of an embedding run with bench/fake_embed_worker.py (a worker that answers at once,
the real protocol): results batched into the store survive a kill of the coordinator whole, a resume
stores the rest, and the benchmark itself runs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from localclip.core.embedding.store import STORE_FILE_NAME, EmbeddingStore

REPO_ROOT = Path(__file__).resolve().parents[1]
FAKE_WORKER = REPO_ROOT / "bench" / "fake_embed_worker.py"
DIM = 32
SPEAKERS = 7

RUN_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    from localclip.core.embedding.datasets import Clip, DatasetScan
    from localclip.core.models.folders import WeSpeakerModelInfo
    from localclip.pool.launch import WorkerLaunch
    from localclip.runs.embed import EmbedOptions, EmbedRun

    out, clips, dim, speakers, pause, worker = sys.argv[1:7]
    clips, dim, speakers = int(clips), int(dim), int(speakers)
    app = QCoreApplication([])
    root = Path(out).parent / "data"  # the stand-in worker never opens the clips
    keys = sorted(f"speaker_{i % speakers}/clip_{i:06d}.wav" for i in range(clips))
    clips = tuple(Clip(key, "data", key.split("/")[0], root / key) for key in keys)
    scan = DatasetScan(root, "speaker/clip", clips, ())
    run = EmbedRun(scan, WeSpeakerModelInfo(root, "ResNet34", dim, "stand-in"), Path(out),
                   EmbedOptions(clips_per_job=512))
    arguments = ("-I", worker, "--dim", str(dim), "--pause-ms", pause)
    pool = run.create_pool([WorkerLaunch("0", Path(sys.executable), arguments=arguments)])

    def finished(report):
        print("finished", report.done, report.skipped, report.failed, flush=True)
        pool.shutdown()

    run.finished.connect(finished)
    pool.stopped.connect(app.quit)
    print("started", len(run.pending), flush=True)
    run.start()
    app.exec()
    """
)


def start_run(tmp_path: Path, clips: int, pause_ms: float) -> subprocess.Popen[str]:
    script = tmp_path / "run.py"
    script.write_text(RUN_SCRIPT, encoding="utf-8")
    arguments = [str(tmp_path / "out"), str(clips), str(DIM), str(SPEAKERS), str(pause_ms), str(FAKE_WORKER)]
    return subprocess.Popen(
        [sys.executable, str(script), *arguments],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"},
    )


def stored_rows(out: Path) -> int:
    if not (out / STORE_FILE_NAME).exists():
        return 0
    try:
        with sqlite3.connect(out / STORE_FILE_NAME, timeout=5) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not made yet
        return 0


def the_workers_vector() -> np.ndarray:
    """What the stand-in sends for every clip."""
    return np.array([(index % 17 - 8) / 17 for index in range(DIM)], dtype=np.float32)


def assert_consistent(out: Path) -> list[str]:
    """The store is intact, every vector is the worker's, and the running speaker sums count exactly the
    stored clips (nothing counted twice or left out by the kill). Returns the stored keys."""
    with sqlite3.connect(out / STORE_FILE_NAME) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with EmbeddingStore.open_existing(out) as store:
        table = store.embeddings()
        sums = store.speaker_sums()
    np.testing.assert_array_equal(table.matrix, np.tile(the_workers_vector(), (len(table), 1)))
    per_speaker = {key: table.speakers.count(key[1]) for key in sums.keys}
    assert dict(zip(sums.keys, sums.counts.tolist(), strict=True)) == per_speaker
    assert sum(per_speaker.values()) == len(table)
    np.testing.assert_allclose(
        sums.sums, sums.counts[:, None] * the_workers_vector()[None, :].astype(np.float64), rtol=1e-9
    )
    return table.keys


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_coordinator_killed_mid_run_keeps_whole_flushes_and_a_resume_stores_the_rest(
    tmp_path: Path,
) -> None:
    clips = 6_000
    out = tmp_path / "out"
    # A worker at about 10,000 clips/s (a 50 ms pause every 512 results): the run lasts about 0.6 s,
    # so the kill lands after the first flushes and before the end.
    run = start_run(tmp_path, clips, pause_ms=50)
    assert run.stdout is not None
    assert run.stdout.readline().startswith("started")
    deadline = time.monotonic() + 60
    while stored_rows(out) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)  # no flush, no clean-up of any kind
    run.wait(timeout=30)
    run.stdout.close()
    killed_at = len(assert_consistent(out))
    print(f"killed with {killed_at} of {clips} clips stored")
    assert 0 < killed_at < clips, f"{killed_at} of {clips} stored: the kill did not land mid-run"

    resumed = start_run(tmp_path, clips, pause_ms=0)
    output, _ = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, output
    assert f"started {clips - killed_at}" in output
    assert f"finished {clips - killed_at} {killed_at} 0" in output
    keys = assert_consistent(out)
    assert len(keys) == len(set(keys)) == clips


def test_the_benchmark_runs(tmp_path: Path) -> None:
    """bench/coordinator.py, every measurement, small: the numbers it prints and records."""
    record = tmp_path / "coordinator.json"
    bench = REPO_ROOT / "bench" / "coordinator.py"
    completed = subprocess.run(
        [sys.executable, str(bench), "--clips", "1500", "--repeat", "1", "--out", str(record)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    raw = json.loads(record.read_text(encoding="utf-8"))
    assert set(raw["medians"]) == {
        "run",
        "run, 1 MiB pipe",
        "events, QProcess pool",
        "events, driver",
        "store writes",
    }
    for runs in raw["runs"].values():
        (only,) = runs
        assert only["count"] == 1500 and only["per_s"] > 0 and only["per_cpu_s"] > 0
    assert "medians of 1" in completed.stdout
