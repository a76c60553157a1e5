"""A worker that answers every embedding job at once with precomputed vectors (for bench/coordinator.py).

    python -I bench/fake_embed_worker.py [--dim 256] [--cpu N] [--bad-every N]

It speaks the real protocol (localclip_worker/protocol.py: hello, ready, heartbeats, one item_done per
item, bye), so the app side does all its work as in a real run, while this process costs it nothing but
the bytes. ``--cpu`` pins it to one core, away from the coordinator's. ``--bad-every N`` makes the last
of every N items carry a vector of NaN and the one before it a vector one value short (for the tests: an
untrusted worker's output).
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import struct
import sys
import threading
import time

from localclip_worker import protocol

CHUNK_ITEMS = 512  # item_done lines written per write call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--bad-every", type=int, default=0)
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    out = sys.stdout.buffer
    lock = threading.Lock()

    def send(*lines: bytes) -> None:
        with lock:
            out.write(b"".join(line + b"\n" for line in lines))
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
        answer(message, vector.decode("ascii"), args.dim, send, args.bad_every)
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


def answer(job: protocol.Message, vector: str, dim: int, send, bad_every: int) -> None:  # type: ignore[no-untyped-def]
    result = {"embedding_b64": vector, "dim": dim, "duration": 5.0, "sample_rate": 16000, "frames": 498}
    nan = {**result, "embedding_b64": b64_floats([math.nan] * dim)}
    short = {**result, "embedding_b64": b64_floats([0.5] * (dim - 1))}
    lines = []
    for index, item in enumerate(job["items"]):
        chosen = result
        if bad_every and index % bad_every == bad_every - 1:
            chosen = nan
        elif bad_every and index % bad_every == bad_every - 2:
            chosen = short
        message = protocol.make(
            "item_done", job_id=job["job_id"], item_id=item["id"], result=chosen, seconds=0
        )
        lines.append(protocol.encode(message))
    for start in range(0, len(lines), CHUNK_ITEMS):
        send(*lines[start : start + CHUNK_ITEMS])


def b64_floats(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")


def heartbeats(send) -> None:  # type: ignore[no-untyped-def]
    while True:
        time.sleep(1.0)
        send(protocol.encode(protocol.make("heartbeat", busy=False)))


if __name__ == "__main__":
    main()
