"""Runs on a real Dask cluster on loopback: a `localclip scheduler` and `localclip node` processes, each
node hosting CPU LocalClip workers with tiny random-weight models (docs/cluster.md)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest
import soundfile as sf

from localclip.cluster import host as host_module
from localclip.cluster.host import HostSpec, LocalClipHost, tidy_scratch
from localclip.cluster.wire import (
    BadOutcome,
    Batch,
    BatchOutcome,
    MissingReferences,
    ReferenceNames,
    check_outcome,
    pack_batch,
    recogniser_model_ref,
    reference_name,
    travelling_params,
    unpack_batch,
)
from localclip.core.cloning.manifest import Manifest
from localclip.core.demo_data import make_dataset
from tests.clone_project_helpers import EXAMPLE_PROJECT
from tests.conftest import run_localclip

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A scheduler and nodes, each a process of its own, stopped (process trees killed) at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self._start("scheduler", "--port", str(self.port), "--dashboard-port", "-1")
        self._wait_for_log(self.logs[0], "scheduler at", 60)

    def add_node(self, name: str, models: Path, *extra: str, wait: bool = True) -> subprocess.Popen:
        process = self._start(
            "node", "--scheduler", self.address, "--name", name, "--models", models, "--device", "cpu",
            "--cpu-workers", "1", "--scratch", self.folder / f"scratch {name}", *extra,
        )  # fmt: skip
        if wait:
            self._wait_for_log(self.logs[-1], "joined", 120)
        return process

    def _start(self, *args: Any) -> subprocess.Popen:
        log = self.folder / f"{args[0]}-{len(self.logs)}.log"
        self.logs.append(log)
        env = {**os.environ, "PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1"}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "localclip", *map(str, args)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self.processes.append(process)
        return process

    @staticmethod
    def _wait_for_log(log: Path, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in log.read_text(encoding="utf-8", errors="replace"):
                return
            time.sleep(0.2)
        raise AssertionError(f"{text!r} not in {log}:\n{log.read_text(encoding='utf-8', errors='replace')}")

    def dask_workers(self, node: subprocess.Popen) -> list[psutil.Process]:
        """The node's Dask worker processes (children of its nannies' process)."""
        return [child for child in psutil.Process(node.pid).children() if child.is_running()]

    def stop(self) -> None:
        for process in reversed(self.processes):
            try:
                for child in psutil.Process(process.pid).children(recursive=True):
                    child.kill()
            except psutil.NoSuchProcess:
                pass
            process.kill()
            process.wait(30)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def models(tiny_wespeaker_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node's models folder with its own copy of the tiny model (found by name and fingerprint)."""
    folder = tmp_path_factory.mktemp("node models") / "模型 models"
    shutil.copytree(tiny_wespeaker_model, folder / tiny_wespeaker_model.name)
    return folder


def embed(dataset: Path, model: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    completed = run_localclip("embed", dataset, "--model", model, "--out", out, "--events", "jsonl", *extra)
    events = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    reports = [event["report"] for event in events if event["event"] == "embed_finished"]
    assert reports, completed.stderr[-3000:]
    return completed.returncode, reports[0]


def vectors(out: Path) -> dict[str, np.ndarray]:
    with sqlite3.connect(out / "embeddings.sqlite") as db:
        rows = db.execute("SELECT key, embedding FROM embeddings").fetchall()
    return {key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows}


def test_an_embedding_run_on_the_cluster_equals_a_local_run(
    cluster: Cluster, models: Path, tiny_wespeaker_model: Path, tmp_path: Path
) -> None:
    cluster.add_node("box-1", models)
    cluster.add_node("box-2", models)
    dataset = tmp_path / "数据 set"
    make_dataset(dataset, speakers=3, clips_per_speaker=12, seconds=(0.6, 3.0))
    code, report = embed(
        dataset, tiny_wespeaker_model, tmp_path / "cluster out", "--cluster", cluster.address
    )
    assert code == 0, report
    assert report["done"] == 36 and report["failed"] == 0
    assert {worker.split("/")[0] for worker in report["workers"]} == {"box-1", "box-2"}
    code, _ = embed(dataset, tiny_wespeaker_model, tmp_path / "local out", "--device", "cpu")
    assert code == 0
    remote, here = vectors(tmp_path / "cluster out"), vectors(tmp_path / "local out")
    assert remote.keys() == here.keys() and len(remote) == 36
    for key, vector in here.items():
        np.testing.assert_allclose(remote[key], vector, rtol=1e-5, atol=1e-6)
    code, again = embed(dataset, tiny_wespeaker_model, tmp_path / "cluster out", "--cluster", cluster.address)
    assert again["skipped"] == 36 and again["done"] == 0  # resume: nothing is sent again


def test_a_dask_worker_killed_mid_run_loses_nothing_and_stores_nothing_twice(
    cluster: Cluster, models: Path, tiny_wespeaker_model: Path, tmp_path: Path
) -> None:
    victim = cluster.add_node("victim", models)
    cluster.add_node("survivor", models)
    dataset = tmp_path / "data"
    make_dataset(dataset, speakers=4, clips_per_speaker=100, seconds=(1.0, 4.0))
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_when_running() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            store = out / "embeddings.sqlite"
            try:
                with sqlite3.connect(store) as db:
                    stored = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
            except sqlite3.Error:  # not made yet
                stored = 0
            if stored >= 1:
                for worker in cluster.dask_workers(victim):
                    os.kill(worker.pid, signal.SIGKILL)
                    killed.append(worker.pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_running)
    killer.start()
    code, report = embed(dataset, tiny_wespeaker_model, out, "--cluster", cluster.address)
    killer.join()
    assert killed, "the run ended before a worker could be killed"
    assert code == 0, report
    assert report["done"] == 400 and report["failed"] == 0
    with sqlite3.connect(out / "embeddings.sqlite") as db:
        keys = [row[0] for row in db.execute("SELECT key FROM embeddings")]
    assert len(keys) == len(set(keys)) == 400


def test_a_node_without_the_model_says_why_and_the_run_stops_once(
    cluster: Cluster, tiny_wespeaker_model: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "no models"
    empty.mkdir()
    cluster.add_node("empty-box", empty)
    dataset = tmp_path / "data"
    make_dataset(dataset, speakers=2, clips_per_speaker=5, seconds=(0.6, 2.0))
    code, report = embed(dataset, tiny_wespeaker_model, tmp_path / "out", "--cluster", cluster.address)
    assert code == 2
    assert "empty-box" in report["setup_error"] and "no copy of the model" in report["setup_error"]
    assert report["failed"] == 0 and report["done"] == 0


def test_a_node_whose_worker_environment_is_broken_joins_and_takes_no_tasks(
    cluster: Cluster, models: Path, tmp_path: Path
) -> None:
    node = cluster.add_node("broken-box", models, "--worker-python", tmp_path / "no python here", wait=False)
    cluster._wait_for_log(cluster.logs[-1], "joined", 120)
    text = cluster.logs[-1].read_text(encoding="utf-8")
    assert "cannot run LocalClip's jobs" in text and "Worker interpreter not found" in text
    assert node.poll() is None  # it stays, to tell coordinators why
    dataset = tmp_path / "data"
    make_dataset(dataset, speakers=1, clips_per_speaker=3, seconds=(0.6, 1.0))
    started = time.monotonic()
    model = next(models.iterdir())  # the coordinator names the model the node has
    code, report = embed(dataset, model, tmp_path / "out", "--cluster", cluster.address)
    assert code == 2 and report["done"] == 0 and report["failed"] == 0
    why = report["setup_error"]  # the coordinator says why, at once (no wait for another node)
    assert why.startswith("broken-box cannot run LocalClip's jobs") and "Worker interpreter not found" in why
    assert time.monotonic() - started < 25


def test_an_unreachable_scheduler_is_one_clear_line(tiny_wespeaker_model: Path, tmp_path: Path) -> None:
    dataset = tmp_path / "data"
    make_dataset(dataset, speakers=1, clips_per_speaker=3, seconds=(0.6, 1.0))
    address = f"tcp://127.0.0.1:{free_port()}"
    code, report = embed(dataset, tiny_wespeaker_model, tmp_path / "out", "--cluster", address)
    assert code != 0
    assert report["done"] == 0


# -- what travels ------------------------------------------------------------------------------------------


def test_a_batch_travels_as_bytes_and_lands_in_the_nodes_own_folder(tmp_path: Path) -> None:
    clip = tmp_path / "ünïcode clip.wav"
    clip.write_bytes(b"RIFF1234WAVEdata")
    batch = pack_batch(
        "embed", [{"id": "a", "path": str(clip)}, {"id": "b", "path": str(tmp_path / "gone.wav")}]
    )
    assert batch.unreadable.keys() == {"b"} and batch.files == [clip.read_bytes()]
    node_folder = tmp_path / "node"
    node_folder.mkdir()
    unpacked = unpack_batch(batch.to_wire(), node_folder)
    kind, items = unpacked.kind, unpacked.items
    assert kind == "embed" and Path(items[0]["path"]).parent == node_folder
    assert Path(items[0]["path"]).read_bytes() == clip.read_bytes()
    hostile = Batch("embed", [{"id": "x", "path": 0}], [b"data"], ["/../../evil"]).to_wire()
    items = unpack_batch(hostile, node_folder).items
    assert Path(items[0]["path"]).parent == node_folder  # a suffix cannot move the file
    for odd in ("/abc", "x.wav", ".w/v", 3):
        items = unpack_batch(
            Batch("embed", [{"id": "x", "path": 0}], [b"data"], [odd]).to_wire(), node_folder
        ).items
        assert Path(items[0]["path"]).name == "input-0"


def test_a_take_checks_batch_carries_the_speakers_references_kept_by_content_on_the_node(
    tmp_path: Path,
) -> None:
    take, anna, bob = (tmp_path / name for name in ("take 1.wav", "anna ref.wav", "bob ref.flac"))
    for path, data in ((take, b"take"), (anna, b"anna's voice"), (bob, b"bob's voice")):
        path.write_bytes(data)
    params = {
        "speakers": {"anna": [str(anna)], "bob": [str(bob), str(tmp_path / "gone.wav")]},
        "device": "cpu",
    }
    batch = pack_batch("qa", [{"id": "a", "path": str(take), "speaker": "anna"}], params)
    assert travelling_params("qa", params) == {"device": "cpu"}  # the speakers go in the batch
    assert batch.speakers == {"anna": [0], "bob": [1]}  # an unreadable reference is left out, as locally
    references = tmp_path / "node" / "references"
    first, second = tmp_path / "node" / "batch 1", tmp_path / "node" / "batch 2"
    for folder in (first, second):
        folder.mkdir(parents=True)
    one = unpack_batch(batch.to_wire(), first, references)
    stamp = {path: path.stat().st_mtime_ns for path in references.iterdir()}
    two = unpack_batch(batch.to_wire(), second, references)
    assert one.kind == "qa" and Path(one.items[0]["path"]).parent == first  # the take: this batch's
    assert one.params == two.params  # the same reference files from batch to batch, not rewritten
    assert {path: path.stat().st_mtime_ns for path in references.iterdir()} == stamp
    [anna_copy] = one.params["speakers"]["anna"]
    assert Path(anna_copy).parent == references and Path(anna_copy).read_bytes() == b"anna's voice"
    assert Path(one.params["speakers"]["bob"][0]).suffix == ".flac"


def test_a_reference_its_node_holds_travels_by_name_and_one_it_lost_is_said_missing(tmp_path: Path) -> None:
    take, anna, bob = (tmp_path / name for name in ("take 1.wav", "anna ref.wav", "bob ref.flac"))
    for path, data in ((take, b"take"), (anna, b"anna's voice"), (bob, b"bob's voice")):
        path.write_bytes(data)
    params = {"speakers": {"anna": [str(anna)], "bob": [str(bob)]}}
    items = [{"id": "a", "path": str(take), "speaker": "anna"}]
    names = ReferenceNames()
    first = pack_batch("qa", items, params, frozenset(), names)
    anna_name, bob_name = reference_name(b"anna's voice", ".wav"), reference_name(b"bob's voice", ".flac")
    assert first.carried == {anna_name, bob_name} and not first.kept
    references, folder = tmp_path / "node" / "references", tmp_path / "node" / "batch"
    folder.mkdir(parents=True)
    unpack_batch(first.to_wire(), folder, references)  # the node keeps both
    second = pack_batch("qa", items, params, frozenset(first.carried), names)
    assert second.kept == {0: anna_name, 1: bob_name}
    assert second.files[:2] == [b"", b""] and not second.carried  # only the take's bytes travel
    unpacked = unpack_batch(second.to_wire(), folder, references)
    assert [Path(path).read_bytes() for path in unpacked.params["speakers"]["anna"]] == [b"anna's voice"]
    anna.write_bytes(b"anna, recorded again")  # changed on the coordinator: its new bytes travel
    os.utime(anna, ns=(anna.stat().st_atime_ns, anna.stat().st_mtime_ns + 1_000_000))
    third = pack_batch("qa", items, params, frozenset(first.carried), names)
    assert third.kept.keys() == {1} and third.carried == {reference_name(b"anna, recorded again", ".wav")}
    shutil.rmtree(references)  # the node's scratch was emptied
    with pytest.raises(MissingReferences):
        unpack_batch(second.to_wire(), folder, references)
    wire = BatchOutcome(missing_references=True).to_wire()
    assert check_outcome(wire, {"a"}).missing_references
    for hostile in ("../" + anna_name, anna_name[:31], anna_name.upper(), anna_name + "/x", 7):
        bad = second.to_wire() | {"kept": {"0": hostile}}
        with pytest.raises(ValueError, match="kept reference"):
            unpack_batch(bad, folder, references)
    with pytest.raises(ValueError, match="kept reference"):  # only a reference can be kept
        unpack_batch(second.to_wire() | {"kept": {"2": anna_name}}, folder, references)


def test_a_node_missing_a_kept_reference_asks_for_it_and_stays_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    take, anna = tmp_path / "take.wav", tmp_path / "anna.wav"
    take.write_bytes(b"take")
    anna.write_bytes(b"anna's voice")
    params = {"speakers": {"anna": [str(anna)]}}
    items = [{"id": "a", "path": str(take), "speaker": "anna"}]
    names = ReferenceNames()
    _, name = names.read(str(anna))  # sent to this node before, as far as the coordinator knows
    batch = pack_batch("qa", items, params, frozenset({name}), names)
    assert batch.kept == {0: name}
    spec = HostSpec("box", "box/0", (), str(tmp_path / "models"), str(tmp_path / "scratch"))
    host = LocalClipHost(spec)
    host._lock = threading.Lock()  # as the Dask worker's setup makes it
    host._job_params = lambda kind, params: {}  # type: ignore[method-assign]  # the node's models: not here
    monkeypatch.setattr(host_module, "_cancel_check", lambda event: lambda: False)  # no Dask event here
    outcome = check_outcome(host.run_batch(batch.to_wire(), {}, "event"), {"a"})
    assert outcome.missing_references and not outcome.setup_error and not outcome.results


def test_a_workers_scratch_is_tidied_as_it_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch worker-0"
    (scratch / "batch-left by a crash").mkdir(parents=True)
    (scratch / "batch-left by a crash" / "input-0.wav").write_bytes(b"x")
    references = scratch / "references"
    references.mkdir()
    now = time.time()
    ages = {"old": 40, "a": 3, "b": 2, "c": 1, "d": 0}  # days since each came
    for name, days in ages.items():
        path = references / f"{name}.wav"
        path.write_bytes(b"v" * 100)
        os.utime(path, (now - days * 86_400, now - days * 86_400))
    monkeypatch.setattr(host_module, "REFERENCE_BYTES", 250)
    tidy_scratch(scratch, now)
    assert not list(scratch.glob("batch-*"))
    assert sorted(path.name for path in references.iterdir()) == ["c.wav", "d.wav"]  # the newest 250 bytes
    tidy_scratch(tmp_path / "a new worker")  # nothing there yet: nothing to do


def test_a_recogniser_copy_is_the_same_model_without_the_hubs_extras(tmp_path: Path) -> None:
    def whisper(folder: Path, *extras: str) -> Path:
        folder.mkdir()
        (folder / "config.json").write_text('{"model_type": "whisper"}', encoding="utf-8")
        for name in ("model.safetensors", "tokenizer.json", "preprocessor_config.json", *extras):
            (folder / name).write_bytes(b"{}")
        return folder

    hub = recogniser_model_ref(whisper(tmp_path / "whisper small", "README.md", ".gitattributes"))
    copy = recogniser_model_ref(whisper(tmp_path / "copy"))
    assert hub.fingerprint == copy.fingerprint and hub.kind == "recogniser"
    (tmp_path / "copy" / "tokenizer.json").write_bytes(b'{"other": 1}')
    assert recogniser_model_ref(tmp_path / "copy").fingerprint != hub.fingerprint


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("a string", "instead of a batch outcome"),
        ({"results": {"z": {}}, "failures": {}}, "not asked for"),
        ({"results": {"a": {"x": object()}}, "failures": {}}, "not plain data"),
        ({"results": {}, "failures": {"a": ["exception"]}}, "malformed"),
        ({"results": {"a": {}}, "failures": {}, "files": {"a": "text"}}, "too large"),
        ({"results": {}, "failures": {}}, "neither done nor failed"),
    ],
)
def test_an_outcome_of_the_wrong_shape_is_refused(raw: Any, words: str) -> None:
    with pytest.raises(BadOutcome, match=words):
        check_outcome(raw, {"a"})


def test_a_good_outcome_is_taken() -> None:
    raw = {"node": "n", "worker": "n/0", "results": {"a": {"dim": 8}}, "failures": {"b": ["bad_input", "no"]}}
    outcome = check_outcome(raw, {"a", "b"})
    assert outcome.results == {"a": {"dim": 8}} and outcome.failures == {"b": ("bad_input", "no")}


# -- cloning ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fish_models(worker_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding a tiny fish-speech checkpoint (random weights, the real classes)."""
    root = tmp_path_factory.mktemp("fish models") / "模型 models"
    folder = root / "fish tiny"
    command = [str(worker_python), "-I", "-m", "localclip_worker.demo_models", str(folder), "--kind", "fish"]
    subprocess.run(command, check=True, timeout=300)
    return root


def test_a_cloning_run_on_the_cluster_writes_and_checks_the_takes_a_local_run_does(
    cluster: Cluster,
    fish_models: Path,
    tiny_wespeaker_model: Path,
    tiny_whisper_model: Path,
    tmp_path: Path,
) -> None:
    # The node has its own copies of the three models: the voice, the speaker model and the recogniser.
    for checker in (tiny_wespeaker_model, tiny_whisper_model):
        if not (fish_models / checker.name).exists():
            shutil.copytree(checker, fish_models / checker.name)
    cluster.add_node("voice-box", fish_models)
    model = fish_models / "fish tiny"
    checks = ("--speaker-model", tiny_wespeaker_model, "--recogniser", tiny_whisper_model)
    takes, scores = {}, {}
    for where, extra in (
        ("cluster", ("--cluster", cluster.address)),
        ("local", ("--device", "cpu", "--workers", "1")),
    ):
        project = tmp_path / f"项目 {where}"
        shutil.copytree(EXAMPLE_PROJECT, project, ignore=shutil.ignore_patterns("output"))
        completed = run_localclip(
            "clone", project, "--model", model, "--seed", "5", "--only", "001", "002",
                "--max-new-tokens", "32",
            "--events", "jsonl", *checks, *extra,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stdout[-3000:]
        manifest = Manifest.load(project)
        takes[where] = {line: sf.read(str(manifest.chosen_path(line)))[0] for line in ("001", "002")}
        scores[where] = {line: manifest.lines[line].takes[0].qa for line in ("001", "002")}
    for line in ("001", "002"):
        remote, here = takes["cluster"][line], takes["local"][line]
        assert remote.shape == here.shape and (remote == here).all()
        remote_qa, local_qa = scores["cluster"][line], scores["local"][line]
        assert remote_qa is not None and local_qa is not None  # checked on the node as here
        assert remote_qa.transcript == local_qa.transcript and remote_qa.recogniser == local_qa.recogniser
        assert remote_qa.best_other_speaker == local_qa.best_other_speaker
        assert remote_qa.voice == pytest.approx(local_qa.voice, abs=1e-5)
        assert remote_qa.best_other == pytest.approx(local_qa.best_other, abs=1e-5)


def test_cancel_stops_the_clusters_batches_and_a_rerun_resumes(
    cluster: Cluster, models: Path, tiny_wespeaker_model: Path, tmp_path: Path
) -> None:
    cluster.add_node("box", models)
    dataset = tmp_path / "data"
    make_dataset(dataset, speakers=4, clips_per_speaker=100, seconds=(1.0, 4.0))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "localclip", "embed", str(dataset), "--model", str(tiny_wespeaker_model)]
    command += ["--out", str(out), "--cluster", cluster.address, "--events", "jsonl"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    assert run.stdout is not None
    for line in run.stdout:
        if '"event": "item_done"' in line:
            break
    run.send_signal(signal.SIGINT)
    started = time.monotonic()
    rest = run.stdout.read()
    assert run.wait(60) == 130, rest[-2000:]  # cancelled
    assert time.monotonic() - started < 30
    report = next(json.loads(line)["report"] for line in rest.splitlines() if "embed_finished" in line)
    assert report["cancelled_run"] and report["done"] < 400
    code, again = embed(dataset, tiny_wespeaker_model, out, "--cluster", cluster.address)
    assert code == 0 and again["skipped"] + again["done"] == 400 and again["failed"] == 0
