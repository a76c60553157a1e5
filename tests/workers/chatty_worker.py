"""A fast scripted worker that streams progress (for the window's responsiveness test).

Speaks protocol 1 like the real worker, without a model: for every item of a job it sends ``EVENTS``
progress events in bursts of ``BURST`` with a short pause between bursts, writes a line to stderr after
each burst, then reports the item done. Heartbeats come from a thread, as in the real worker.

Arguments: worker id, events per item, burst size, pause between bursts (s).
Run with the worker environment's interpreter (it has localclip_worker, and so the protocol).
"""

import os
import sys
import threading
import time

from localclip_worker import protocol

worker_id, events, burst, pause = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
out = sys.stdout.buffer
lock = threading.Lock()
busy_job: list[str | None] = [None]


def send(message_type, **fields):
    line = protocol.encode(protocol.make(message_type, **fields))
    with lock:
        out.write(line)
        out.flush()


def heartbeats():
    while True:
        time.sleep(0.25)
        send("heartbeat", busy=busy_job[0] is not None, job_id=busy_job[0], rss_bytes=50_000_000)


def run_job(request):
    job_id = request["job_id"]
    busy_job[0] = job_id
    for item in request["items"]:
        for step in range(1, events + 1):
            send("progress", job_id=job_id, item_id=item["id"], done=step, total=events, message="steps")
            if step % burst == 0:
                print(
                    f"worker {worker_id}: {item['id']} step {step} of {events}", file=sys.stderr, flush=True
                )
                time.sleep(pause)
        send("item_done", job_id=job_id, item_id=item["id"], result={"steps": events}, seconds=0.0)
    busy_job[0] = None


send(
    "hello",
    protocol=protocol.PROTOCOL_VERSION,
    worker_id=worker_id,
    pid=os.getpid(),
    python="3",
    device="cpu",
    capabilities=["chatty"],
)
threading.Thread(target=heartbeats, daemon=True).start()
ready_sent = False
for raw in sys.stdin.buffer:
    request = protocol.decode(raw.rstrip(b"\r\n"), protocol.REQUESTS)
    if request["type"] == "shutdown":
        break
    if request["type"] == "job":
        if not ready_sent:
            ready_sent = True
            send("ready", kind=request["kind"], load_seconds=0.0, memory_bytes=50_000_000)
        run_job(request)
send("bye", reason="shutdown requested")
