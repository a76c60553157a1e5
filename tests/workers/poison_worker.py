"""The real LocalClip worker, except that a job holding an item whose id contains "poison" kills the
worker's parent process with SIGKILL: on a cluster node that is the Dask worker, taken down as a clip that
crashes a native library would take it (for the cluster fault tests). The worker exits with it.

Arguments: the worker's own (``-I -m localclip_worker --worker-id ...``, as a node starts the worker
interpreter, or only what follows the module). A node runs it through a launcher given as its
``--worker-python``. Run with the worker environment's interpreter; POSIX only.
"""

import os
import signal
import sys
import time

from localclip_worker import main as worker_main

MODULE_ARGS = ["-I", "-m", "localclip_worker"]
run_job = worker_main.Worker._run_job


def run_job_or_die(self, request, cancelled):
    if any("poison" in str(item.get("id")) for item in request["items"]):
        time.sleep(1.0)  # as a crash mid-batch: the batch before it has come back by now
        os.kill(os.getppid(), signal.SIGKILL)
        os._exit(1)
    run_job(self, request, cancelled)


worker_main.Worker._run_job = run_job_or_die
arguments = sys.argv[1:]
if arguments[:3] == MODULE_ARGS:
    arguments = arguments[3:]
raise SystemExit(worker_main.main(arguments))
