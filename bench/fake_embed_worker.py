"""A worker that answers every embedding job at once with precomputed vectors (for bench/coordinator.py).

    python -I bench/fake_embed_worker.py [--dim 256] [--cpu N] [--bad-every N] [--pipe-bytes N]
                                         [--pause-ms MS]

It speaks the real protocol (localclip_worker/protocol.py: hello, ready, heartbeats, one item_done per
item, bye), so the app side does all its work as in a real run, while this process costs it nothing but
the bytes. ``--cpu`` pins it to one core, away from the coordinator's. ``--bad-every N`` makes the last
of every N items carry a vector of NaN and the one before it a vector one value short (for the tests: an
untrusted worker's output). ``--pipe-bytes N`` enlarges its stdout pipe to N bytes (Linux);
``--pause-ms MS`` waits that long after every CHUNK_ITEMS results (a slower GPU, for the tests).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import os
import struct
import sys
import threading
import time
from collections.abc import Callable

from localclip_worker import protocol

CHUNK_ITEMS = 512  # item_done lines written per write call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--bad-every", type=int, default=0)
    parser.add_argument("--pipe-bytes", type=int, default=0)
    parser.add_argument("--pause-ms", type=float, default=0.0)
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    if args.pipe_bytes and sys.platform == "linux":  # a larger stdout pipe
        import fcntl

        with contextlib.suppress(OSError):
            fcntl.fcntl(sys.stdout.fileno(), fcntl.F_SETPIPE_SZ, args.pipe_bytes)
    out = sys.stdout.buffer
    lock = threading.Lock()

    def send(*lines: bytes) -> None:
        with lock:
            out.write(b"".join(lines))  # protocol.encode's lines end with their newline
            out.flush()

    send(protocol.encode(hello()))
    threading.Thread(target=heartbeats, args=(send,), daemon=True).start()
    values = [(index % 17 - 8) / 17 for index in range(args.dim)]
    vector = base64.b64encode(struct.pack(f"<{args.dim}f", *values))
    ready = False
    for raw in sys.stdin.buffer:
        message = protocol.decode(raw.rstrip(b"\r\n"), protocol.REQUESTS)
        if message["type"] == "shutdown":
            break
        if message["type"] != "job":
            continue
        if not ready:
            send(
                protocol.encode(
                    protocol.make("ready", kind=message["kind"], load_seconds=0.0, memory_bytes=0)
                )
            )
            ready = True
        answer(message, vector.decode("ascii"), args.dim, send, args.bad_every, args.pause_ms / 1000)
    send(protocol.encode(protocol.make("bye", reason="shutdown requested")))


def hello() -> protocol.Message:
    return protocol.make(
        "hello",
        protocol=protocol.PROTOCOL_VERSION,
        worker_id="0",
        pid=os.getpid(),
        python=sys.version.split()[0],
        device="cpu",
        capabilities=["embed"],
    )


def answer(
    job: protocol.Message,
    vector: str,
    dim: int,
    send: Callable[..., None],
    bad_every: int,
    pause: float = 0.0,
) -> None:
    """Every item's ``item_done``, written CHUNK_ITEMS lines at a time as they are made. Each line is
    protocol.encode's own (same keys, same order), put together from bytes made once per job, so that
    this process's time (which the coordinator waits for at each job's start) stays small."""
    result = {"embedding_b64": vector, "dim": dim, "duration": 5.0, "sample_rate": 16000, "frames": 498}
    nan = {**result, "embedding_b64": b64_floats([math.nan] * dim)}
    short = {**result, "embedding_b64": b64_floats([0.5] * (dim - 1))}
    head = protocol.encode(protocol.make("item_done", job_id=job["job_id"], item_id=""))[: -len('""}\n')]
    tails = {
        name: b"," + protocol.encode({"result": chosen, "seconds": 0})[1:]
        for name, chosen in (("good", result), ("nan", nan), ("short", short))
    }
    lines = []
    for index, item in enumerate(job["items"]):
        chosen = "good"
        if bad_every and index % bad_every == bad_every - 1:
            chosen = "nan"
        elif bad_every and index % bad_every == bad_every - 2:
            chosen = "short"
        item_id = json.dumps(item["id"], ensure_ascii=False).encode()
        lines.append(head + item_id + tails[chosen])
        if len(lines) == CHUNK_ITEMS:
            send(*lines)
            lines = []
            time.sleep(pause)
    if lines:
        send(*lines)


def b64_floats(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")


def heartbeats(send) -> None:  # type: ignore[no-untyped-def]
    while True:
        time.sleep(1.0)
        send(protocol.encode(protocol.make("heartbeat", busy=False)))


if __name__ == "__main__":
    main()
