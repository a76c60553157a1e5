"""`localclip embed`, `speakers` and `export` end to end: real commands, real workers, a tiny real model."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from localclip.cli import build_parser
from localclip.cli.embedding import embed_options
from localclip.core.demo_data import AudioFormat, make_dataset
from localclip.core.embedding.datasets import scan_dataset
from localclip.core.embedding.store import EmbeddingStore
from localclip.core.models.folders import WeSpeakerModelInfo, check_wespeaker_dir
from localclip.core.options import EMBED_PRECISION
from localclip.pool.launch import WorkerLaunch
from localclip.runs.embed import EmbedOptions, EmbedRun
from localclip.settings import Settings
from tests.conftest import model_no_worker_loads, run_localclip

WAV16 = (AudioFormat(".wav", "PCM_16", 16000, 1),)


@pytest.fixture(scope="session")
def tiny_model(tiny_wespeaker_model: Path) -> Path:
    return tiny_wespeaker_model


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three speakers in every accepted format, with a bad clip of each kind."""
    root = tmp_path_factory.mktemp("data") / "测试 数据"
    make_dataset(root, speakers=3, clips_per_speaker=5, seconds=(0.6, 3.0))
    bad = root / "speaker_01"
    sf.write(str(bad / "too short.wav"), np.full(800, 0.1, dtype=np.float32), 16000, subtype="PCM_16")
    sf.write(str(bad / "silent.wav"), np.zeros(16000, dtype=np.float32), 16000, subtype="PCM_16")
    (bad / "corrupt.wav").write_bytes(b"RIFF" + os.urandom(2000))
    return root


def localclip(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return run_localclip(*args, timeout=timeout)


def embed(dataset: Path, model: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    completed = localclip(
        "embed", dataset, "--model", model, "--out", out, "--device", "cpu", "--events", "jsonl", *extra
    )
    events = [json.loads(line) for line in completed.stdout.splitlines()]
    reports = [e["report"] for e in events if e["event"] == "embed_finished"]
    return completed.returncode, reports[0] if reports else {}, completed.stderr


def stored_keys(out: Path) -> list[str]:
    with sqlite3.connect(out / "embeddings.sqlite") as connection:
        return [row[0] for row in connection.execute("SELECT key FROM embeddings")]


def test_embed_stores_every_good_clip_and_reports_the_bad_ones(
    dataset: Path, tiny_model: Path, tmp_path
) -> None:
    out = tmp_path / "输出 out"
    code, report, stderr = embed(dataset, tiny_model, out)
    assert code == 1, stderr  # some clips failed: the run finished, and says so
    assert report["done"] == 15 and report["failed"] == 3 and report["skipped"] == 0
    with EmbeddingStore.open_existing(out) as store:
        table = store.embeddings()
        failures = {failure.key.rsplit("/", 1)[1]: failure.reason for failure in store.failures()}
    assert len(table) == 15 and np.isfinite(table.matrix).all() and table.dim == 32
    assert "too short" in failures["too short.wav"]
    assert "silent" in failures["silent.wav"]
    assert failures["corrupt.wav"]  # soundfile's own words, whatever they are

    # Run again: everything done is skipped; only the bad clips are tried again.
    code, again, _ = embed(dataset, tiny_model, out)
    assert again["skipped"] == 15 and again["done"] == 0 and again["failed"] == 3
    assert sorted(stored_keys(out)) == sorted(table.keys)


def test_speakers_and_export_after_embed(dataset: Path, tiny_model: Path, tmp_path) -> None:
    out = tmp_path / "out"
    embed(dataset, tiny_model, out)
    completed = localclip("speakers", out, "--normalize")
    assert completed.returncode == 0, completed.stderr
    assert "3 speakers: 3 written" in completed.stdout
    with EmbeddingStore.open_existing(out) as store:
        table, speakers = store.embeddings(), {s.speaker: s for s in store.speakers()}
    rows = [i for i, speaker in enumerate(table.speakers) if speaker == "speaker_02"]
    vectors = table.matrix[rows] / np.linalg.norm(table.matrix[rows], axis=1, keepdims=True)
    np.testing.assert_allclose(speakers["speaker_02"].embedding, vectors.mean(axis=0), rtol=1e-5, atol=1e-6)
    assert speakers["speaker_01"].failed_utterances == 3

    again = localclip("speakers", out, "--normalize")
    assert "0 written, 3 unchanged" in again.stdout  # skip-existing

    completed = localclip("export", out, "--format", "pkl", "--to", tmp_path / "seed layout")
    assert completed.returncode == 0, completed.stderr
    with (tmp_path / "seed layout" / "speakers" / dataset.name / "speaker_02.pkl").open("rb") as file:
        seed_record = pickle.load(file)
    assert seed_record["num_utterances"] == 5 and seed_record["embedding_dim"] == 32
    assert len(list((tmp_path / "seed layout" / dataset.name / "speaker_02").glob("*.pkl"))) == 5


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("mixed", "mix"),
        ("missing weights", "missing avg_model.pt"),
        ("no dataset", "does not exist"),
    ],
)
def test_bad_setup_is_one_clear_line(setup: str, message: str, tiny_model: Path, tmp_path: Path) -> None:
    root, model = tmp_path / "data", tiny_model
    make_dataset(root, speakers=2, clips_per_speaker=1, formats=WAV16)
    if setup == "mixed":
        make_dataset(root / "a dataset", speakers=1, clips_per_speaker=1, formats=WAV16)
    elif setup == "missing weights":
        model = tmp_path / "model"
        model.mkdir()
        (model / "config.yaml").write_text((tiny_model / "config.yaml").read_text())
    else:
        root = tmp_path / "nowhere"
    completed = localclip("embed", root, "--model", model, "--out", tmp_path / "out", timeout=60)
    assert completed.returncode == 2
    assert message in completed.stderr.lower() and "Traceback" not in completed.stderr


def test_a_model_the_worker_refuses_stops_the_run_once(
    dataset: Path, tiny_model: Path, tmp_path: Path
) -> None:
    """A model folder that passes the app's check but that no worker can load (weights of another model):
    the run stops with the reason once, exit 2, and no clip is marked failed; fixed, it embeds them all."""
    model = model_no_worker_loads(tiny_model, tmp_path / "模型 model")
    out = tmp_path / "out"
    code, report, stderr = embed(dataset, model, out, "--workers", "2")
    assert code == 2, stderr
    assert "does not fit the ResNet18 model" in report["setup_error"]
    assert report["failed"] == 0 and report["done"] == 0 and not report["cancelled_run"]
    assert report["cancelled"] == 18  # every clip is still to do
    with EmbeddingStore.open_existing(out) as store:
        assert store.failures() == [] and len(store.embeddings()) == 0

    completed = localclip("embed", dataset, "--model", model, "--out", out, "--device", "cpu", timeout=120)
    assert completed.returncode == 2
    assert completed.stdout.count("does not fit the ResNet18 model") == 1, completed.stdout
    assert "no clip was marked failed" in completed.stdout and "Traceback" not in completed.stderr

    shutil.copy(tiny_model / "config.yaml", model / "config.yaml")  # fixed: every good clip is done
    code, report, stderr = embed(dataset, model, out)
    assert code == 1 and report["done"] == 15 and report["failed"] == 3 and not report["setup_error"], stderr


def test_the_precision_option_reaches_the_worker(dataset: Path, tiny_model: Path, tmp_path: Path) -> None:
    completed = localclip(
        "embed", dataset, "--model", tiny_model, "--out", tmp_path, "--device", "cpu", "--precision", "bf16",
        "--events", "jsonl",
    )  # fmt: skip
    events = [json.loads(line) for line in completed.stdout.splitlines()]
    jobs = [e["message"] for e in events if e["event"] == "worker_event" and e["message"]["type"] == "ready"]
    assert jobs and all(ready["precision"] == "exact" for ready in jobs)  # the CPU always computes exact
    refused = localclip("embed", dataset, "--model", tiny_model, "--out", tmp_path, "--precision", "fp8")
    assert refused.returncode == 2 and "invalid choice: 'fp8'" in refused.stderr


def test_the_precision_comes_from_the_option_else_the_setting(
    dataset: Path, tiny_model: Path, tmp_path: Path
) -> None:
    """What the embed command sends the workers as params "precision" (the CPU test above cannot tell)."""
    settings = Settings()
    command = ["embed", str(dataset), "--model", str(tiny_model), "--out", "out"]
    assert embed_options(build_parser().parse_args(command), settings).precision == "exact"
    settings.set(EMBED_PRECISION, "fp16")
    assert embed_options(build_parser().parse_args(command), settings).precision == "fp16"
    chosen = embed_options(build_parser().parse_args([*command, "--precision", "tf32"]), settings)
    assert chosen.precision == "tf32"
    run = EmbedRun(scan_dataset(dataset), check_wespeaker_dir(tiny_model), tmp_path, chosen)
    assert run.job_params()["precision"] == "tf32"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_run_killed_mid_way_resumes_and_stores_every_clip_once(tiny_model: Path, tmp_path: Path) -> None:
    root = tmp_path / "big"
    make_dataset(root, speakers=4, clips_per_speaker=30, seconds=(0.5, 1.5), formats=WAV16)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "localclip",
            "embed",
            str(root),
            "--model",
            str(tiny_model),
            "--out",
            str(out),
            "--device",
            "cpu",
            "--events",
            "jsonl",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some results are in the store, then kill everything
        line = process.stdout.readline()
        if '"item_done"' in line and (out / "embeddings.sqlite").exists() and len(stored_keys(out)) >= 10:
            break
    process.kill()  # SIGKILL: no chance to flush or clean up
    process.wait()
    partial = stored_keys(out)
    assert 10 <= len(partial) < 120
    code, report, stderr = embed(root, tiny_model, out)
    assert code == 0, stderr
    assert report["skipped"] == len(partial) and report["done"] == 120 - len(partial)
    keys = stored_keys(out)
    assert len(keys) == len(set(keys)) == 120


def test_a_worker_killed_mid_run_has_its_clips_done_by_its_replacement(
    qtbot, worker_python: Path, tiny_model: Path, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    make_dataset(root, speakers=2, clips_per_speaker=20, seconds=(0.5, 1.2), formats=WAV16)
    run = EmbedRun(
        scan_dataset(root),
        check_wespeaker_dir(tiny_model),
        tmp_path / "out",
        EmbedOptions(device="cpu", clips_per_job=5),
    )
    pool = run.create_pool(
        [
            WorkerLaunch("0", worker_python, heartbeat_seconds=0.25),
            WorkerLaunch("1", worker_python, heartbeat_seconds=0.25),
        ]
    )
    killed: list[int] = []

    def kill_once(state: Any) -> None:
        if not killed and state.done >= 5:
            killed.append(pool.slots["0"].process.pid)
            os.kill(killed[0], signal.SIGKILL)

    run.progress.connect(kill_once)
    with qtbot.waitSignal(run.finished, timeout=180_000) as finished:
        run.start()
    report = finished.args[0]
    assert killed and report["done"] == 40 and report["failed"] == 0
    assert report["workers"]["0"]["restarts"] == 1
    keys = stored_keys(tmp_path / "out")
    assert len(keys) == len(set(keys)) == 40
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        pool.shutdown()


def test_a_workers_bad_vectors_fail_their_clips_and_the_rest_is_stored(qtbot, tmp_path: Path) -> None:
    """Worker output is untrusted: a vector of NaN (checked per batch of results) or of the wrong length
    fails its clip with the reason; every other clip is stored."""
    root = tmp_path / "data"
    make_dataset(root, speakers=2, clips_per_speaker=6, seconds=(0.5, 0.6), formats=WAV16)
    model = WeSpeakerModelInfo(root, "ResNet34", 32, "stand-in")
    run = EmbedRun(scan_dataset(root), model, tmp_path / "out", EmbedOptions(clips_per_job=12))
    worker = Path(__file__).resolve().parents[1] / "bench" / "fake_embed_worker.py"
    arguments = ("-I", str(worker), "--dim", "32", "--bad-every", "4")
    pool = run.create_pool([WorkerLaunch("0", Path(sys.executable), arguments=arguments)])
    with qtbot.waitSignal(run.finished, timeout=60_000) as finished:
        run.start()
    report = finished.args[0]
    assert report["done"] == 6 and report["failed"] == 6
    with EmbeddingStore.open_existing(tmp_path / "out") as store:
        reasons = [failure.reason for failure in store.failures()]
        assert len(store.embeddings()) == 6
    assert sum("bad result from the worker: the embedding has NaN or infinite" in r for r in reasons) == 3
    assert sum("bad result from the worker: embedding_b64 has 168 characters" in r for r in reasons) == 3
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        pool.shutdown()


def test_the_demo_runs_the_whole_pipeline(tmp_path: Path) -> None:
    completed = localclip("demo", "--folder", tmp_path / "演示 demo", timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "32 embedded, 0 failed" in completed.stdout
    assert "4 speakers: 4 written" in completed.stdout
    assert "cosine similarity" in completed.stdout and "random weights" in completed.stdout
    assert "12 lines generated, 0 failed" in completed.stdout  # the example project, cloned


def test_a_store_that_cannot_be_written_stops_the_run_with_the_reason(
    qtbot, worker_python: Path, tiny_model: Path, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    make_dataset(root, speakers=2, clips_per_speaker=10, seconds=(0.5, 1.0), formats=WAV16)
    run = EmbedRun(
        scan_dataset(root),
        check_wespeaker_dir(tiny_model),
        tmp_path / "out",
        EmbedOptions(device="cpu", clips_per_job=2),
    )
    pool = run.create_pool([WorkerLaunch("0", worker_python, heartbeat_seconds=0.25)])
    run.store._connection.execute("PRAGMA query_only=ON")  # every later write fails, as on a full disk
    with qtbot.waitSignal(run.finished, timeout=120_000) as finished:
        run.start()
    report = finished.args[0]
    assert report["cancelled_run"] and "cannot write to" in report["write_error"]
    with qtbot.waitSignal(pool.stopped, timeout=30_000):
        pool.shutdown()
