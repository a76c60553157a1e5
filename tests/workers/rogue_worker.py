"""A worker that breaks the protocol in the way named by its first argument (for the pool's tests).

Run with the worker environment's interpreter, which has localclip_worker (and so the protocol) installed.
"""

import os
import sys
import time

from localclip_worker import protocol

mode = sys.argv[1]
out = sys.stdout.buffer


def send(message):
    out.write(protocol.encode(message))
    out.flush()


version = 99 if mode == "version" else protocol.PROTOCOL_VERSION
send(
    protocol.make(
        "hello",
        protocol=version,
        worker_id="rogue",
        pid=os.getpid(),
        python="3",
        device="cpu",
        capabilities=["diag"],
    )
)
first_request = sys.stdin.buffer.readline()  # wait for the first job, then misbehave
if mode == "garbage":
    out.write("this is not json at all 测试\n".encode())
elif mode == "half_line":
    out.write(b'{"type": "heartbeat", "bu')  # then dies with half a line written
    out.flush()
    sys.exit(5)
elif mode == "oversized":
    out.write(b'{"type":"heartbeat","busy":true,"pad":"' + b"x" * (protocol.MAX_LINE_BYTES + 10) + b'"}\n')
elif mode == "unknown_type":
    send({"type": "launch_missiles", "target": "stdout"})
elif mode == "wrong_job_id":  # reports the item under another job's id, then behaves
    request = protocol.decode(first_request.rstrip(b"\n"), protocol.REQUESTS)
    item_id = request["items"][0]["id"]
    send(protocol.make("item_done", job_id="not-" + request["job_id"], item_id=item_id, result={}, seconds=0))
    send(protocol.make("item_done", job_id=request["job_id"], item_id=item_id, result={}, seconds=0))
    for line in sys.stdin:  # serve the rest properly
        request = protocol.decode(line.rstrip("\n").encode(), protocol.REQUESTS)
        if request["type"] == "job":
            for item in request["items"]:
                send(
                    protocol.make(
                        "item_done", job_id=request["job_id"], item_id=item["id"], result={}, seconds=0
                    )
                )
elif mode == "bad_utf8":
    out.write(b'{"type":"heartbeat","busy":true,"x":"\xff\xfe"}\n')
out.flush()
time.sleep(60)
