"""The worker's main loop: requests on stdin, events on the protected stdout, logs on stderr.

Threads: the main thread reads requests (so ``cancel`` and ``ping`` are seen while a job runs), one thread
runs queued jobs item by item, and one sends heartbeats so the pool can tell a hung worker from a busy one.
Jobs are numbered as they arrive; ``cancel`` cancels every job received so far, which needs no clearing of
a flag (and so no race with a job that arrives just after).
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import platform
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

from localclip_worker import __version__, protocol
from localclip_worker.channel import ProtocolChannel
from localclip_worker.gpu_memory import is_out_of_memory
from localclip_worker.job import BadInput, BatchJob, ItemContext, Job, SetupError
from localclip_worker.jobs import JOB_MODULES, create_job
from localclip_worker.memory import resident_bytes

log = logging.getLogger("localclip_worker")
REASON_LIMIT = 4000  # characters of an item_failed reason


def _failure_code(error: BaseException) -> str:
    if isinstance(error, SetupError):
        return protocol.FAIL_SETUP
    if isinstance(error, BadInput):
        return protocol.FAIL_BAD_INPUT
    if isinstance(error, MemoryError) or is_out_of_memory(error):  # host memory, or the GPU's
        return protocol.FAIL_OUT_OF_MEMORY
    return protocol.FAIL_EXCEPTION


class Worker:
    def __init__(self, channel: ProtocolChannel, worker_id: str, heartbeat_seconds: float) -> None:
        self._channel = channel
        self._worker_id = worker_id
        self._heartbeat_seconds = heartbeat_seconds
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[tuple[int, protocol.Message] | None] = queue.Queue()
        self._job_thread = threading.Thread(target=self._run_jobs, name="jobs", daemon=True)
        self._current_job_id: str | None = None
        self._job_numbers: dict[str, int] = {}
        self._received = 0  # jobs received so far
        self._cancelled_through = 0  # every job numbered up to this is cancelled
        self._stopping = threading.Event()

    # -- the request loop ---------------------------------------------------------------------------------

    def serve(self, requests: IO[bytes]) -> int:
        self._send(
            "hello",
            protocol=protocol.PROTOCOL_VERSION,
            worker_id=self._worker_id,
            worker_version=__version__,
            pid=os.getpid(),
            python=platform.python_version(),
            executable=sys.executable,
            device=self._device(),
            capabilities=sorted(JOB_MODULES),
        )
        threading.Thread(target=self._heartbeats, name="heartbeat", daemon=True).start()
        self._job_thread.start()
        reason = "stdin closed"
        while True:
            line = requests.readline(protocol.MAX_LINE_BYTES + 1)
            if not line:
                break
            if not line.endswith(b"\n") and len(line) > protocol.MAX_LINE_BYTES:
                self._skip_rest_of_line(requests)
                self._error("bad_request", f"request longer than {protocol.MAX_LINE_BYTES} bytes ignored")
                continue
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            try:
                request = protocol.decode(line, protocol.REQUESTS)
            except protocol.ProtocolError as error:
                self._error("bad_request", str(error))
                continue
            if request["type"] == "shutdown":
                reason = "shutdown requested"
                break
            self._handle(request)
        return self._finish(reason)

    def _handle(self, request: protocol.Message) -> None:
        kind = request["type"]
        if kind == "ping":
            self._heartbeat(nonce=request["nonce"])
        elif kind == "cancel":
            job_id = request["job_id"]
            number = self._received if job_id is None else self._job_numbers.get(job_id, 0)
            self._cancelled_through = max(self._cancelled_through, number)
        elif kind == "job":
            self._start_job(request)

    def _finish(self, reason: str) -> int:
        self._cancelled_through = self._received
        self._queue.put(None)
        self._job_thread.join()
        self._stopping.set()
        self._send("bye", reason=reason)
        log.info("worker %s exits: %s", self._worker_id, reason)
        return 0

    @staticmethod
    def _skip_rest_of_line(requests: IO[bytes]) -> None:
        while True:
            chunk = requests.readline(protocol.MAX_LINE_BYTES)
            if not chunk or chunk.endswith(b"\n"):
                return

    # -- jobs ---------------------------------------------------------------------------------------------

    def _start_job(self, request: protocol.Message) -> None:
        items = request["items"]
        if not all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items):
            self._error("bad_request", f"job {request['job_id']}: every item needs a string 'id'")
            return
        self._received += 1
        self._job_numbers[request["job_id"]] = self._received
        self._queue.put((self._received, request))

    def _run_jobs(self) -> None:
        while (entry := self._queue.get()) is not None:
            number, request = entry
            self._current_job_id = request["job_id"]
            self._run_job(request, lambda number=number: number <= self._cancelled_through)
            self._current_job_id = None
            self._job_numbers.pop(request["job_id"], None)

    def _run_job(self, request: protocol.Message, cancelled: Callable[[], bool]) -> None:
        job_id, kind, params, items = request["job_id"], request["kind"], request["params"], request["items"]
        if cancelled():  # cancelled before it began: do not load a model for it
            for item in items:
                self._item_failed(job_id, item["id"], protocol.FAIL_CANCELLED, "cancelled")
            return
        try:
            job = self._job(kind, params)
        except Exception as error:  # a set-up that crashes is a set-up problem too: none of the items ran
            if not isinstance(error, (BadInput, SetupError)):
                log.error("setting up %s failed:\n%s", kind, traceback.format_exc())
            self._setup_failed(job_id, kind, [item["id"] for item in items], error)
            return
        if hasattr(job, "run_items"):
            self._run_items(job, job_id, kind, items, params, cancelled)
            return
        for index, item in enumerate(items):
            if cancelled():
                self._item_failed(job_id, item["id"], protocol.FAIL_CANCELLED, "cancelled")
                continue
            try:
                self._run_item(job, job_id, item, params, cancelled)
            except SetupError as error:  # set up again for other params, and failed: so would the rest
                self._setup_failed(job_id, kind, [rest["id"] for rest in items[index:]], error)
                return

    def _setup_failed(self, job_id: str, kind: str, item_ids: list[str], error: Exception) -> None:
        """Each item of a job that could not be set up gets the one reason (the coordinator stops the run)."""
        for item_id in item_ids:
            self._item_failed(job_id, item_id, protocol.FAIL_SETUP, f"could not start {kind}: {error}")

    def _run_items(
        self,
        job: BatchJob,
        job_id: str,
        kind: str,
        items: list[dict[str, Any]],
        params: dict[str, Any],
        cancelled: Callable[[], bool],
    ) -> None:
        """A batch job: every item is reported once, whatever the job yields or raises."""
        pending = {item["id"] for item in items}

        def report_item_progress(item_id: str, done: float, total: float, message: str) -> None:
            if item_id in pending:
                self._send(
                    "progress", job_id=job_id, item_id=item_id, done=done, total=total, message=message
                )

        context = ItemContext(lambda done, total, message: None, cancelled, report_item_progress)
        started = time.perf_counter()
        try:
            for item_id, outcome in job.run_items(items, params, context):
                if item_id not in pending:
                    continue
                pending.discard(item_id)
                self._report(job_id, item_id, outcome, time.perf_counter() - started)
                started = time.perf_counter()
        except SetupError as error:  # set up again for other params, and failed
            self._setup_failed(job_id, kind, sorted(pending), error)
            return
        except Exception as error:  # the job itself broke: what it did not report fails with the reason
            log.error("job %s failed:\n%s", job_id, traceback.format_exc())
            for item_id in sorted(pending):
                self._item_failed(job_id, item_id, _failure_code(error), f"{type(error).__name__}: {error}")
            return
        for item_id in sorted(pending):
            self._item_failed(job_id, item_id, protocol.FAIL_CANCELLED, "cancelled")

    def _report(self, job_id: str, item_id: str, outcome: dict[str, Any] | Exception, seconds: float) -> None:
        if isinstance(outcome, Exception):  # the outcome itself decides the code, never its __cause__
            self._item_failed(job_id, item_id, _failure_code(outcome), str(outcome))
            return
        try:
            self._send_or_raise("item_done", job_id=job_id, item_id=item_id, result=outcome, seconds=seconds)
        except (TypeError, ValueError) as error:
            self._item_failed(job_id, item_id, protocol.FAIL_EXCEPTION, f"result could not be sent: {error}")

    def _job(self, kind: str, params: dict[str, Any]) -> Job:
        if kind not in JOB_MODULES:
            raise BadInput(f"this worker has no job {kind!r} (it has {', '.join(sorted(JOB_MODULES))})")
        if kind not in self._jobs:
            job = create_job(kind)
            facts = job.setup(params)
            self._jobs[kind] = job
            self._send(
                "ready",
                kind=kind,
                load_seconds=float(facts.get("load_seconds", 0.0)),
                memory_bytes=int(facts.get("memory_bytes", resident_bytes())),
                **{k: v for k, v in facts.items() if k not in ("load_seconds", "memory_bytes")},
            )
        return self._jobs[kind]

    def _run_item(
        self,
        job: Job,
        job_id: str,
        item: dict[str, Any],
        params: dict[str, Any],
        cancelled: Callable[[], bool],
    ) -> None:
        item_id = item["id"]

        def report_progress(done: float, total: float, message: str) -> None:
            self._send("progress", job_id=job_id, item_id=item_id, done=done, total=total, message=message)

        started = time.perf_counter()
        try:
            result = job.run(item, params, ItemContext(report_progress, cancelled))
        except SetupError:
            raise  # the job's, not the item's: _run_job reports it for every item left
        except BadInput as error:
            self._report(job_id, item_id, error, 0.0)
            return
        except Exception as error:
            log.error("item %s failed:\n%s", item_id, traceback.format_exc())
            self._item_failed(job_id, item_id, _failure_code(error), f"{type(error).__name__}: {error}")
            return
        self._report(job_id, item_id, result, time.perf_counter() - started)

    # -- events -------------------------------------------------------------------------------------------

    def _heartbeats(self) -> None:
        while not self._stopping.wait(self._heartbeat_seconds):
            self._heartbeat()

    def _heartbeat(self, **extra: Any) -> None:
        job_id = self._current_job_id
        self._send("heartbeat", busy=job_id is not None, job_id=job_id, rss_bytes=resident_bytes(), **extra)

    def _item_failed(self, job_id: str, item_id: str, code: str, reason: str) -> None:
        # A reason is for a person: a bounded length keeps the event deliverable whatever the error said.
        reason = protocol.truncate(reason, REASON_LIMIT)
        self._send("item_failed", job_id=job_id, item_id=item_id, code=code, reason=reason)

    def _error(self, code: str, message: str, fatal: bool = False) -> None:
        log.warning("%s: %s", code, message)
        self._send("error", code=code, message=message, fatal=fatal)

    def _send(self, message_type: str, /, **fields: Any) -> None:
        """Send an event; one the protocol cannot carry (oversized, NaN) is logged and dropped."""
        try:
            self._send_or_raise(message_type, **fields)
        except (TypeError, ValueError) as error:
            log.error("a %s event could not be sent: %s", message_type, error)

    def _send_or_raise(self, message_type: str, /, **fields: Any) -> None:
        if not self._channel.send(protocol.make(message_type, **fields)):
            # Nobody reads our events any more: stop the current job instead of working for no one.
            self._cancelled_through = self._received

    @staticmethod
    def _device() -> str:
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        if visible is None:
            return "auto"
        return f"cuda:{visible}" if visible.strip() else "cpu"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localclip_worker", description=__doc__)
    parser.add_argument("--worker-id", default="0")
    parser.add_argument("--heartbeat", type=float, default=1.0, help="seconds between heartbeats")
    args = parser.parse_args(argv)
    channel = ProtocolChannel.take_stdout()
    # A native crash (segfault, abort) prints the Python stack on stderr, where the pool reads the cause.
    faulthandler.enable(sys.stderr)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return Worker(channel, args.worker_id, args.heartbeat).serve(sys.stdin.buffer)
