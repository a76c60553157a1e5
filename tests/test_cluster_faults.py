"""A cluster's faults and trust (docs/cluster.md, "Faults" and "Trust"): a clip that keeps killing its Dask
worker, first in the coordinator's session alone (fast), then on a real Dask cluster on loopback, and a TLS
cluster. The cluster is test_cluster.py's: a `localclip scheduler` and `localclip node` processes with CPU
workers and a tiny random-weight model (slow)."""

from __future__ import annotations

import json
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from localclip.cluster.session import ClusterOptions, ClusterSession
from localclip.cluster.wire import BatchOutcome, MissingReferences, ModelRef, job_models, unpack_batch
from localclip.core.demo_data import make_dataset
from localclip.pool.engine import PoolListener
from localclip_worker import protocol
from tests.conftest import run_localclip
from tests.test_cluster import Cluster, embed, free_port, models, vectors

__all__ = ["models"]  # test_cluster.py's fixture: a node's models folder with the tiny model

POISON_WORKER = Path(__file__).parent / "workers" / "poison_worker.py"
MODELS = job_models(ModelRef("embed", "model", "fingerprint"))  # a run's models, as the nodes see them


def embed_events(dataset: Path, model: Path, out: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    completed = run_localclip("embed", dataset, "--model", model, "--out", out, "--events", "jsonl", *extra)
    events = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    assert any(event["event"] == "embed_finished" for event in events), completed.stderr[-3000:]
    return completed.returncode, events


def stored(out: Path, table: str) -> list[tuple[Any, ...]]:
    columns = "key" if table == "embeddings" else "key, code, reason"
    with sqlite3.connect(out / "embeddings.sqlite") as db:
        return db.execute(f"SELECT {columns} FROM {table}").fetchall()


# -- a clip that kills its worker ----------------------------------------------------------------------


class Recorder(PoolListener):
    def __init__(self) -> None:
        self.done: Counter[str] = Counter()
        self.failed: dict[str, tuple[str, str]] = {}
        self.summary: dict[str, Any] | None = None
        self.lines: list[str] = []

    def item_done(self, item_id: str, worker_id: str, result: dict[str, Any]) -> None:
        self.done[item_id] += 1

    def item_failed(self, item_id: str, worker_id: str, code: str, reason: str) -> None:
        self.failed[item_id] = (code, reason)

    def finished(self, summary: dict[str, Any]) -> None:
        self.summary = summary

    def worker_log(self, worker_id: str, line: str) -> None:
        self.lines.append(line)


class NoSender:
    """Stands in for the session's sender thread: the test plays the cluster."""

    def submit(self, *args: Any) -> None:
        pass

    def shutdown(self, **options: Any) -> None:
        pass


def test_a_batch_that_kills_its_worker_is_halved_until_the_culprit_runs_alone() -> None:
    """The session alone, the test playing two Dask workers that run their batches in order."""
    listener = Recorder()
    session = ClusterSession(
        "tcp://scheduler:8786",
        None,
        MODELS,
        listener,
        lambda call: call(),
        ClusterOptions(max_batch_losses=3),  # as allowed-failures 2
    )
    session._client, session._sender = object(), NoSender()  # type: ignore[assignment]
    restarts = Counter[str]()

    def seen(*absent: str) -> None:
        session._on_workers_seen({f"n/{n}": f"tcp://n{n}:{restarts[f'n/{n}']}" for n in range(2)
                                  if f"n/{n}" not in absent})  # fmt: skip

    seen()
    items = [{"id": f"clip-{n:02d}"} for n in range(63)]
    items.insert(20, {"id": "poison"})  # in the third batch of 8
    session.submit("embed", items, {})
    poisoned: list[int] = []  # the size of each batch with the poison clip that ran
    waiting = 0  # batches lost while waiting behind the one that ran
    node_died = False
    for _ in range(200):
        if listener.summary is not None:
            break
        worker = next(worker for worker in session.workers.values() if worker.in_flight)
        batch = worker.in_flight[0]
        ids = [item.item_id for item in batch.items]
        holds_poison = any(item.item_id == "poison" for sent in worker.in_flight for item in sent.items)
        if "poison" in ids:  # its Dask worker dies; the scheduler cancels its task, the nanny restarts it
            poisoned.append(len(ids))
            waiting += len(worker.in_flight) - 1
            session._on_lost(batch, "its task was cancelled")
            restarts[worker.name] += 1
            seen()
        elif not node_died and listener.done and len(worker.in_flight) == 2 and not holds_poison:
            node_died = True  # a node that simply dies, with two batches on it: not the poison's
            waiting += 1
            restarts[worker.name] += 1
            seen(worker.name)
            seen()
        else:
            session._on_outcome(batch, BatchOutcome(results={item_id: {"dim": 8} for item_id in ids}))
    assert listener.summary is not None and listener.summary["done"] == 63 and node_died
    assert poisoned == [8, 4, 2, 1, 1, 1]  # halves never merged with other items; three losses alone
    code, reason = listener.failed.pop("poison")
    assert code == "worker_died" and not listener.failed
    assert reason.startswith("it kept killing its worker: lost with it 3 times, sent alone"), reason
    assert set(listener.done.values()) == {1} and len(listener.done) == 63
    assert sum(worker.slot.restarts for worker in session.workers.values()) == len(poisoned) + 1
    halved = [line for line in listener.lines if "in two halves" in line]
    assert len(halved) == 3 + 1  # the poison's batches of 8, 4 and 2, and the dead node's running one
    assert len([line for line in listener.lines if "waiting on the worker" in line]) == waiting


class RecordingSender(NoSender):
    def __init__(self) -> None:
        self.sent: list[str] = []  # the worker of each batch, in the order the sender thread gets them

    def submit(self, call: Any, batch: Any, *args: Any) -> None:
        self.sent.append(batch.worker)


def test_every_worker_gets_its_first_batch_before_any_gets_a_second() -> None:
    # Batches are read and sent one after another: a worker served after its partners' spare batches would
    # sit idle while they travel.
    session = ClusterSession(
        "tcp://scheduler:8786",
        None,
        MODELS,
        Recorder(),
        lambda call: call(),
    )
    sender = RecordingSender()
    session._client, session._sender = object(), sender  # type: ignore[assignment]
    session._on_workers_seen({f"n/{n}": f"tcp://n{n}:1" for n in range(3)})
    session.submit("embed", [{"id": f"clip-{n:03d}"} for n in range(200)], {})
    assert sender.sent == ["n/0", "n/1", "n/2"] * 2  # depth 2: each holds one running and one waiting


class InlineSender(NoSender):
    """The sender thread's work done at once, in the test's thread."""

    def submit(self, call: Any, *args: Any) -> None:
        call(*args)


class LoopbackClient:
    """Stands in for the Dask client: each batch's data and task's future, for the test to run as a node."""

    def __init__(self) -> None:
        self.tasks: list[tuple[dict[str, Any], Future]] = []

    def scatter(self, data: list[Any], **options: Any) -> list[Any]:
        return data

    def submit(self, function: Any, data: dict[str, Any], *args: Any, **options: Any) -> Future:
        future: Future = Future()
        self.tasks.append((data, future))
        return future


def test_references_travel_once_per_worker_and_again_when_its_node_lost_them(tmp_path: Path) -> None:
    voices = {name: tmp_path / f"{name} ref.wav" for name in ("anna", "bob")}
    for name, path in voices.items():
        path.write_bytes(f"{name}'s voice".encode())
    takes = []
    for number in range(6):
        take = tmp_path / f"take {number}.wav"
        take.write_bytes(f"take {number}".encode())
        takes.append({"id": f"take-{number}", "path": str(take), "speaker": "anna"})
    models = job_models(ModelRef("clone", "voice", "fp"), {"wespeaker_dir": ModelRef("embed", "spk", "fp2")})
    listener = Recorder()
    options = ClusterOptions(depth=1)
    session = ClusterSession("tcp://scheduler:8786", None, models, listener, lambda call: call(), options)
    session.picker = lambda worker, pending: [pending[0]]  # a batch per take
    client = LoopbackClient()
    session._client, session._sender = client, InlineSender()  # type: ignore[assignment]
    session._on_workers_seen({"n/0": "tcp://n0:1"})
    references = tmp_path / "node" / "references"
    reference_bytes: list[int] = []  # of each batch that ran on the node

    def run_on_node(data: dict[str, Any]) -> dict[str, Any]:
        folder = Path(tempfile.mkdtemp(dir=tmp_path))
        reference_bytes.append(sum(len(data["files"][index]) for index in data["references"]))
        try:
            unpacked = unpack_batch(data, folder, references)
        except MissingReferences:
            return BatchOutcome(missing_references=True).to_wire()
        return BatchOutcome(results={str(item["id"]): {"voice": 0.5} for item in unpacked.items}).to_wire()

    session.submit("qa", takes, {"speakers": {name: [str(path)] for name, path in voices.items()}})
    for task in range(20):
        if listener.summary is not None:
            break
        if task == 2:
            shutil.rmtree(references)  # the node's scratch folder emptied between two batches
        data, future = client.tasks[task]
        future.set_result(run_on_node(data))
    both = len("anna's voice") + len("bob's voice")
    # The first batch carries both voices, the next names them; the one after the node lost them is said
    # missing and sent again with the bytes; the rest name them again.
    assert reference_bytes == [both, 0, 0, both, 0, 0, 0]
    assert listener.summary is not None and listener.summary["done"] == 6 and not listener.failed
    assert set(listener.done.values()) == {1}
    assert any("no longer holds the references" in line for line in listener.lines)


def broken_news(address: str) -> dict[str, Any]:
    """What a node whose worker environment cannot start says of its Dask worker (it offers no slot)."""
    return {
        "worker": address, "name": "broken/0", "node": "broken", "device": "cpu", "gpu_name": "",
        "gpu_uuid": "", "gpu_memory_bytes": 0, "protocol": protocol.PROTOCOL_VERSION,
        "problem": "/opt/worker/python: Worker interpreter not found",
    }  # fmt: skip


@pytest.mark.parametrize("news_first", [True, False])
def test_a_run_on_nodes_that_cannot_work_stops_at_once_with_their_reasons(news_first: bool) -> None:
    listener = Recorder()
    problems: list[str] = []
    listener.worker_problem = lambda worker, text: problems.append(text)  # type: ignore[method-assign]
    session = ClusterSession("tcp://scheduler:8786", None, MODELS, listener, lambda call: call())
    session._client, session._sender = object(), NoSender()  # type: ignore[assignment]
    if news_first:
        session._on_news(broken_news("tcp://b0:1"))
    session._on_workers_seen({}, {"broken/0": "tcp://b0:1", "someone else's": "tcp://x:1"})
    if not news_first:
        session._on_news(broken_news("tcp://b0:1"))
    assert list(session.workers) == ["broken/0"] and not session.slots  # listed, takes nothing
    why = "broken cannot run LocalClip's jobs: /opt/worker/python: Worker interpreter not found"
    assert problems == [why]  # the window's log and the command line say so as soon as it is seen
    session.submit("embed", [{"id": "clip"}], {})
    assert listener.summary is not None and listener.summary["setup_error"] == why
    assert listener.summary["done"] == 0 and listener.summary["failed"] == 0
    session._on_workers_seen({"broken/0": "tcp://b0:2"}, {})  # the node mended and started again
    assert "broken/0" in session.slots  # a new process: it takes work


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="the fake worker's launcher is a shell script")
def test_a_clip_that_keeps_killing_its_dask_worker_fails_alone_and_the_run_goes_on(
    models: Path, tiny_wespeaker_model: Path, worker_python: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    # Dask's allowed-failures, read by the coordinator (and the scheduler, nodes): 1 keeps the test short,
    # the poison clip fails after its second loss sent alone.
    monkeypatch.setenv("DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES", "1")
    launcher = tmp_path / "poison python"  # a node starts "<worker python> -I -m localclip_worker ..."
    launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(str(worker_python))} -I {POISON_WORKER} "$@"\n')
    launcher.chmod(0o755)
    dataset = tmp_path / "data"
    clips = make_dataset(dataset, speakers=2, clips_per_speaker=3, seconds=(0.6, 1.5))
    poison = clips[4].with_name(f"poison{clips[4].suffix}")
    shutil.copyfile(clips[4], poison)  # in one batch with the 6 others: the picker's batches hold 8
    out = tmp_path / "out"
    cluster = Cluster(tmp_path)
    try:
        cluster.add_node("box", models, "--cpu-workers", "2", "--worker-python", launcher)
        code, events = embed_events(dataset, tiny_wespeaker_model, out, "--cluster", cluster.address)
    finally:
        cluster.stop()
    [report] = [event["report"] for event in events if event["event"] == "embed_finished"]
    failed = [event for event in events if event["event"] == "item_failed"]
    done = Counter(event["item"] for event in events if event["event"] == "item_done")
    assert code == 1, report  # as any run with failures
    assert report["done"] == 6 and report["failed"] == 1, report
    [failure] = failed
    assert "poison" in failure["item"] and failure["code"] == "worker_died"
    assert "kept killing its worker" in failure["reason"] and "2 times" in failure["reason"], failure
    assert "poison" not in "".join(done) and len(done) == 6 and set(done.values()) == {1}
    assert sorted(key for (key,) in stored(out, "embeddings")) == sorted(done)
    assert report["not_done"] == {"worker_died": 1} and not stored(out, "failures")  # a run's failure
    assert sum(worker["restarts"] for worker in report["workers"].values()) >= 2


# -- TLS --------------------------------------------------------------------------------------------------


class TlsCluster(Cluster):
    """test_cluster.py's cluster with every peer on TLS: each machine's certificate from one authority."""

    def __init__(self, folder: Path, scheduler_tls: list[str], node_tls: list[str]) -> None:
        self.folder = folder
        self.port = free_port()
        self.address = f"tls://127.0.0.1:{self.port}"
        self.processes = []
        self.logs = []
        self.node_tls = node_tls
        self._start("scheduler", "--port", str(self.port), "--dashboard-port", "-1", *scheduler_tls)
        self._wait_for_log(self.logs[0], "scheduler at tls://", 60)

    def add_node(self, name: str, models: Path, *extra: str, wait: bool = True) -> subprocess.Popen:
        return super().add_node(name, models, *self.node_tls, *extra, wait=wait)


def machine_tls(authority: Any, folder: Path, machine: str) -> list[str]:
    """The TLS options of one machine, its certificate signed by ``authority`` (a trustme CA)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert = authority.issue_cert("127.0.0.1", "localhost", common_name=machine)
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    cert.cert_chain_pems[0].write_to_path(str(folder / f"{machine}.pem"))
    cert.private_key_pem.write_to_path(str(folder / f"{machine}.key"))
    return ["--tls-ca", str(folder / "ca.pem"), "--tls-cert", str(folder / f"{machine}.pem"), "--tls-key",
            str(folder / f"{machine}.key")]  # fmt: skip


@pytest.mark.slow
def test_a_tls_cluster_runs_and_refuses_a_client_without_the_studios_certificates(
    models: Path, tiny_wespeaker_model: Path, tmp_path: Path
) -> None:
    import trustme

    studio = trustme.CA(organization_name="Studio LocalClip CA")
    certificates = tmp_path / "tls"
    dataset = tmp_path / "data"
    make_dataset(dataset, speakers=2, clips_per_speaker=3, seconds=(0.6, 1.5))
    cluster = TlsCluster(
        tmp_path,
        machine_tls(studio, certificates / "render-01", "render-01"),
        machine_tls(studio, certificates / "gpu-02", "gpu-02"),
    )
    try:
        cluster.add_node("gpu-02", models)
        editor = machine_tls(studio, certificates / "edit-03", "edit-03")
        out = tmp_path / "out"
        code, report = embed(dataset, tiny_wespeaker_model, out, "--cluster", cluster.address, *editor)
        assert code == 0 and report["done"] == 6 and report["failed"] == 0, report
        assert len(vectors(out)) == 6
        assert {name.split("/")[0] for name in report["workers"]} == {"gpu-02"}

        # No certificates for the tls:// address: one clear line, before anything is sent.
        plain = run_localclip(
            "embed", dataset, "--model", tiny_wespeaker_model, "--out", tmp_path / "plain out",
            "--cluster", cluster.address,
        )  # fmt: skip
        assert plain.returncode == 2, plain.stderr
        assert "TLS address" in plain.stderr and "--tls-ca" in plain.stderr, plain.stderr
        assert len(plain.stderr.strip().splitlines()) == 1 and "Traceback" not in plain.stdout

        # Plain TCP to the TLS scheduler, or TLS with another authority's certificate: refused.
        intruder = machine_tls(trustme.CA(), certificates / "intruder", "intruder")
        tcp = cluster.address.replace("tls://", "tcp://")
        for name, extra in (
            ("tcp", ["--cluster", tcp]),
            ("intruder", ["--cluster", cluster.address, *intruder]),
        ):
            code, events = embed_events(dataset, tiny_wespeaker_model, tmp_path / f"{name} out", *extra)
            [report] = [event["report"] for event in events if event["event"] == "embed_finished"]
            reasons = {event["reason"] for event in events if event["event"] == "item_failed"}
            assert code != 0 and report["done"] == 0 and report["failed"] == 6, report
            [reason] = reasons  # one clear reason, the same for every clip
            assert reason.startswith(f"cannot reach the cluster's scheduler at {extra[1]}: "), reason
    finally:
        cluster.stop()
