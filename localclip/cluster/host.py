"""The node side: inside each Dask worker, one LocalClip worker process kept warm across tasks.

A :class:`LocalClipHost` (a Dask ``WorkerPlugin``, given to the Dask worker when ``localclip node`` starts
it) owns a Qt-free :class:`~localclip.pool.driver.WorkerDriver` with one worker process: the ordinary
worker program in the job kind's worker environment, pinned to the Dask worker's GPU. The model is loaded
by the first batch and stays loaded for the next ones (a batch for another worker environment replaces the
worker; take checks run in the clone worker, beside its model, as on a workstation).
:func:`run_batch` is the task the coordinator submits: it writes the batch's audio to a scratch folder on
this machine, runs the items through the warm worker, and returns plain data (results, failures, the bytes
of clone takes); it never raises, so nothing but plain data goes back.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import Event, WorkerPlugin, get_client, get_worker

from localclip.cluster.wire import (
    ENVIRONMENT_OF,
    GPU_TOPIC,
    NODE_TOPIC,
    PLUGIN_NAME,
    WORKER_TOPIC,
    BatchOutcome,
    MissingReferences,
    ModelRef,
    local_model_params,
    models_of,
    unpack_batch,
)
from localclip.core.kinds import QA_WORKER_JOB, JobKind
from localclip.core.machine.gpus import GpuReport, probe_gpus
from localclip.core.models.folders import ModelDirError
from localclip.pool.driver import WorkerDriver
from localclip.pool.engine import PoolListener, PoolOptions
from localclip.pool.launch import WorkerConfigError, WorkerLaunch
from localclip_worker import protocol

log = logging.getLogger(__name__)

# The coordinator sizes batches; a batch is always one job for the warm worker (a clone job decodes its
# lines together, an embed job batches its clips).
MOST_ITEMS_PER_JOB = 1 << 20
# Worker events relayed to the coordinator's panes, and how often each kind at most (seconds).
RELAYED_EVENTS = {"hello": 0.0, "ready": 0.0, "error": 0.0, "progress": 0.5, "heartbeat": 2.0}
# How often a worker tells the coordinators its news (again: one told before the Dask worker has registered
# is dropped, and a coordinator may connect late) and reads its GPU for their GPU panels.
NEWS_S = 3.0
# A worker's references folder at its start: files unused this long go, then the oldest above the size cap
# (a batch naming one that went is answered missing_references and sent again with the bytes).
REFERENCE_DAYS = 30
REFERENCE_BYTES = 4 << 30


@dataclass(frozen=True)
class HostSpec:
    """What one Dask worker of a node hosts (picklable: the nanny hands it to the worker process)."""

    node: str  # the machine's name, as the coordinator shows it
    worker_name: str  # the Dask worker's name: "<node>/<n>"
    pythons: tuple[tuple[str, str], ...]  # (worker job kind, its worker environment's interpreter)
    models_root: str  # where this node's model folders are
    scratch: str  # where batches' audio is written while they run
    gpu_uuid: str | None = None
    gpu_name: str | None = None
    gpu_memory_bytes: int = 0
    torch_threads: int = 0
    io_threads: int = 4
    problem: str = ""  # why this node cannot work (found when it started): it takes no tasks

    def news(self, problem: str = "") -> dict[str, Any]:
        """What the coordinator is told about this worker (NODE_TOPIC). The scheduler sets the event's
        ``worker`` to the Dask worker's address, which the coordinator goes by; ``name`` is for people."""
        return {
            "name": self.worker_name,
            "node": self.node,
            "device": "cuda" if self.gpu_uuid else "cpu",
            "gpu_name": self.gpu_name or "",
            "gpu_uuid": self.gpu_uuid or "",
            "gpu_memory_bytes": self.gpu_memory_bytes,
            "problem": problem or self.problem,
            "protocol": protocol.PROTOCOL_VERSION,
        }


class LocalClipHost(WorkerPlugin):
    """Owns the Dask worker's LocalClip worker process: started with the Dask worker, stopped with it."""

    name = PLUGIN_NAME

    def __init__(self, spec: HostSpec) -> None:
        # Only the spec: the plugin is pickled to the Dask worker's process, which makes the rest in setup.
        self.spec = spec
        self.problem = spec.problem
        self._driver: WorkerDriver | None = None  # for the worker environment of the last batch, warm
        self._driver_python = ""
        self._dask_worker: Any = None
        self._lock: threading.Lock | None = None
        self._closing: threading.Event | None = None
        # Checked copies: (parameter, model) -> (their files' stamps, the job parameters naming them).
        self._models: dict[tuple[str, ModelRef], tuple[tuple[Any, ...], dict[str, Any]]] = {}

    def setup(self, worker: Any) -> None:
        self._dask_worker = worker
        tidy_scratch(Path(self.spec.scratch))  # before any batch: none of its files is in use
        self._lock = threading.Lock()  # one batch at a time, whatever Dask's thread count
        self._closing = threading.Event()
        threading.Thread(target=self._tell_news, name="localclip-node-news", daemon=True).start()

    def teardown(self, worker: Any) -> None:
        if self._closing is not None:
            self._closing.set()
        self._stop_driver()

    def _tell_news(self) -> None:
        """This worker's news, and its GPU's memory and load, every NEWS_S (own thread: NVML can be slow,
        and the Dask worker's loop must not wait on it)."""
        assert self._closing is not None
        while not self._closing.wait(NEWS_S):
            self.tell(NODE_TOPIC, self.spec.news(self.problem))
            if self.spec.gpu_uuid:
                reading = gpu_reading(self.spec.worker_name, self.spec.gpu_uuid, probe_gpus())
                if reading is not None:
                    self.tell(GPU_TOPIC, reading)

    def _stop_driver(self) -> None:
        if self._driver is not None:
            self._driver.shutdown()
            self._driver, self._driver_python = None, ""

    def _driver_alive(self) -> bool:
        """Whether the warm worker is still there (one that kept dying was retired: start a new one)."""
        driver = self._driver
        return driver is not None and driver.call(lambda: any(s.alive for s in driver.engine.slots.values()))

    def _driver_for(self, kind: str) -> WorkerDriver:
        """The warm worker for ``kind``'s worker environment, started on first use; one of another
        environment is stopped first (one model at a time fits the GPU). Raises WorkerConfigError."""
        python = dict(self.spec.pythons).get(ENVIRONMENT_OF.get(kind, kind))
        if python is None:
            raise WorkerConfigError(f"this node runs no {kind} jobs")
        if self._driver is not None and self._driver_python == python and self._driver_alive():
            return self._driver
        self._stop_driver()
        driver = WorkerDriver(
            [self._launch(python)], PoolOptions(items_per_job=MOST_ITEMS_PER_JOB), listener=_EventRelay(self)
        )
        driver.start()
        self._driver, self._driver_python = driver, python
        return driver

    def tell(self, topic: str, message: dict[str, Any]) -> None:
        """An event for the coordinator (thread-safe: Dask hands it to its own loop)."""
        if self._dask_worker is not None:
            with contextlib.suppress(Exception):  # a worker shutting down: nobody is listening
                self._dask_worker.log_event(topic, message)

    def _launch(self, python: str) -> WorkerLaunch:
        spec = self.spec
        threads = {}
        if spec.torch_threads:
            threads = {"OMP_NUM_THREADS": str(spec.torch_threads), "MKL_NUM_THREADS": str(spec.torch_threads)}
        return WorkerLaunch("0", Path(python), spec.gpu_uuid, spec.gpu_name, extra_env=threads)

    # -- one batch -----------------------------------------------------------------------------------

    def run_batch(self, batch: Any, params: dict[str, Any], cancel_event: str) -> dict[str, Any]:
        outcome = BatchOutcome(node=self.spec.node, worker=self.spec.worker_name)
        if self.problem:
            outcome.setup_error = f"{self.spec.node}: {self.problem}"
            return outcome.to_wire()
        try:
            job_params = self._job_params(batch.get("kind") if isinstance(batch, dict) else None, params)
        except (ValueError, ModelDirError) as error:
            outcome.setup_error = f"{self.spec.node}: {error}"
            return outcome.to_wire()
        assert self._lock is not None, "set up by the Dask worker"
        with self._lock:
            Path(self.spec.scratch).mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix="batch-", dir=self.spec.scratch))
            try:
                self._run(batch, job_params, folder, _cancel_check(cancel_event), outcome)
            except MissingReferences:  # this worker's references folder was emptied: the bytes, please
                outcome.missing_references = True
            except WorkerConfigError as error:
                outcome.setup_error = f"{self.spec.node}: {error}"
            except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
                outcome.setup_error = f"{self.spec.node}: the batch could not be run: {error}"
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        return outcome.to_wire()

    def _job_params(self, kind: Any, params: dict[str, Any]) -> dict[str, Any]:
        """The job's parameters on this node: its own model copies, threads and caches. Raises ValueError
        or ModelDirError."""
        job = {key: value for key, value in params.items() if key != "models"}
        for param, model in models_of(params).items():
            job.update(self._local_model(param, model))
        if kind == JobKind.CLONE.worker_job:
            job["cpu_threads"] = self.spec.torch_threads
            job["cache_dir"] = str(Path(self.spec.scratch) / "reference-cache")
        elif kind == QA_WORKER_JOB:
            job["cpu_threads"] = self.spec.torch_threads
        elif kind == JobKind.EMBED.worker_job:
            job["torch_threads"], job["io_threads"] = self.spec.torch_threads, self.spec.io_threads
        else:
            raise ValueError(f"no cluster job of kind {str(kind)[:40]!r}")
        return job

    def _local_model(self, param: str, model: ModelRef) -> dict[str, Any]:
        """This node's copy of ``model`` (wire.local_model_params), checked again only when its files'
        sizes or times change: the check hashes the weights, which took 44-142 ms a batch on a 2-core
        node while its worker waited (bench/cluster.py)."""
        known = self._models.get((param, model))
        if known is not None and _stamp(known[1]) == known[0]:
            return known[1]
        params = local_model_params(Path(self.spec.models_root), param, model)
        self._models[(param, model)] = (_stamp(params), params)
        return params

    def _run(
        self,
        batch: Any,
        params: dict[str, Any],
        folder: Path,
        stop_when: Callable[[], bool],
        outcome: BatchOutcome,
    ) -> None:
        unpacked = unpack_batch(batch, folder, Path(self.spec.scratch) / "references")
        kind, items = unpacked.kind, unpacked.items
        run = self._driver_for(kind).run(kind, items, {**params, **unpacked.params}, stop_when=stop_when)
        if run.summary.get("setup_error"):
            outcome.setup_error = f"{self.spec.node}: {run.summary['setup_error']}"
            return
        by_id = {str(item["id"]): item for item in items}
        for item_id, result in run.results.items():
            if kind == JobKind.CLONE.worker_job:
                outcome.files[item_id] = Path(by_id[item_id]["out_path"]).read_bytes()
                result = {key: value for key, value in result.items() if key != "path"}
            outcome.results[item_id] = result
        outcome.failures = dict(run.failures)
        for item_id in by_id.keys() - run.results.keys() - run.failures.keys():
            outcome.failures[item_id] = (protocol.FAIL_CANCELLED, "cancelled")


def _stamp(params: dict[str, Any]) -> tuple[Any, ...]:
    """The size and modification time of every file in the folders the parameters name."""
    stamps: list[Any] = []
    for value in sorted(str(value) for value in params.values()):
        path = Path(value)
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        for file in files:
            with contextlib.suppress(OSError):
                info = file.stat()
                stamps.append((str(file), info.st_size, info.st_mtime_ns))
    return tuple(stamps)


def gpu_reading(worker_name: str, gpu_uuid: str, report: GpuReport) -> dict[str, Any] | None:
    """What a worker tells of its GPU (GPU_TOPIC), from an NVML report; None if the GPU is not in it."""
    for gpu in report.gpus:
        if gpu.uuid == gpu_uuid:
            load = gpu.utilization_percent
            return {"name": worker_name, "used_bytes": gpu.used_bytes, "load_percent": load}
    return None


def run_batch(batch: Any, params: dict[str, Any], cancel_event: str) -> dict[str, Any]:
    """The task the coordinator submits: one batch on this Dask worker's warm LocalClip worker."""
    worker = get_worker()
    host = worker.plugins.get(PLUGIN_NAME)
    if not isinstance(host, LocalClipHost):
        reason = "this Dask worker hosts no LocalClip worker (start nodes with 'localclip node')"
        return BatchOutcome(node=str(worker.name), worker=str(worker.name), setup_error=reason).to_wire()
    return host.run_batch(batch, params, cancel_event)


def tidy_scratch(scratch: Path, now: float | None = None) -> None:
    """A worker's scratch folder as its Dask worker starts: batch folders a crash left behind removed, and
    the references folder pruned (files older than REFERENCE_DAYS, then the oldest while it holds more than
    REFERENCE_BYTES). A reference is never rewritten while kept, so its time is when it first came."""
    with contextlib.suppress(OSError):
        for folder in scratch.glob("batch-*"):
            shutil.rmtree(folder, ignore_errors=True)
    cutoff = (time.time() if now is None else now) - REFERENCE_DAYS * 86_400
    try:
        files = [(path.stat(), path) for path in (scratch / "references").iterdir() if path.is_file()]
    except OSError:  # no references folder yet
        return
    held = 0
    for status, path in sorted(files, key=lambda found: found[0].st_mtime, reverse=True):  # newest first
        held += status.st_size
        if status.st_mtime < cutoff or held > REFERENCE_BYTES:
            with contextlib.suppress(OSError):
                path.unlink()


def _cancel_check(name: str) -> Callable[[], bool]:
    """Whether the coordinator cancelled the run (a Dask Event it sets), asked at most once a second."""
    event = Event(name, client=get_client())
    last = {"at": 0.0, "set": False}

    def cancelled() -> bool:
        now = time.monotonic()
        if not last["set"] and now - last["at"] >= 1.0:
            last["at"] = now
            with contextlib.suppress(Exception):  # the scheduler unreachable: the batch goes on
                last["set"] = bool(event.is_set())
        return bool(last["set"])

    return cancelled


class _EventRelay(PoolListener):
    """The warm worker's protocol events, passed on to the coordinator's panes at a bounded rate."""

    def __init__(self, host: LocalClipHost) -> None:
        self._host = host
        self._last: dict[str, float] = {}

    def worker_event(self, worker_id: str, message: protocol.Message) -> None:
        kind = message.get("type", "")
        least = RELAYED_EVENTS.get(kind)
        now = time.monotonic()
        if least is None or now - self._last.get(kind, -least - 1) < least:
            return
        self._last[kind] = now
        self._host.tell(WORKER_TOPIC, {"name": self._host.spec.worker_name, "event": message})

    def worker_problem(self, worker_id: str, text: str) -> None:
        log.warning("%s: %s", self._host.spec.worker_name, text)
