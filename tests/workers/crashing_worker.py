"""A worker that dies on its first job in the way named by its first argument (for the crash-cause tests).

Before dying it prints what torch's cloning printed before the crash the trial saw: a warning and the
source line the warning quotes, which are never the cause. Run with the worker environment's interpreter.
"""

import os
import sys
import time
import warnings

from localclip_worker import protocol

mode = sys.argv[1]
out = sys.stdout.buffer


def send(message):
    out.write(protocol.encode(message))
    out.flush()


def decode(self_tensor):
    warnings.warn(
        "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach()",
        UserWarning,
        stacklevel=1,
    )
    print("  repetition_penalty = torch.tensor(", file=sys.stderr, flush=True)
    if mode == "raise":
        raise RuntimeError(f"the decoder broke on {self_tensor}")


send(
    protocol.make(
        "hello",
        protocol=protocol.PROTOCOL_VERSION,
        worker_id="crash",
        pid=os.getpid(),
        python="3",
        device="cpu",
        capabilities=["diag"],
    )
)
sys.stdin.buffer.readline()  # the first job
if mode == "exit3":
    decode("x")
    sys.stderr.flush()
    os._exit(3)
elif mode == "raise":
    decode("line 7")  # uncaught: Python prints the traceback and exits with code 1
elif mode == "segv":  # a native crash, reported by faulthandler as the worker's main() enables it
    import ctypes
    import faulthandler

    faulthandler.enable(sys.stderr)
    decode("x")
    ctypes.string_at(0)
time.sleep(60)
