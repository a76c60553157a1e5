"""The real worker, with a diag job that cannot be set up as a model's job sometimes cannot (for the tests).

    <worker python> -I setup_failing_worker.py --worker-id ID --heartbeat SECONDS

The diag job's params decide: ``refuse`` makes its set-up raise SetupError with that text (a model folder
the worker cannot use), ``crash`` a RuntimeError (a set-up that breaks), and ``refuse_on_run`` makes each
item raise SetupError (a job set up again for other params, which failed), writing ``run ITEM`` to stderr
first. Without them it is the diag job as it is, and everything else is the worker as it is.
"""

import sys

from localclip_worker.job import SetupError
from localclip_worker.jobs.diag import DiagJob
from localclip_worker.main import main

real_setup, real_run = DiagJob.setup, DiagJob.run


def setup(self, params):
    if "refuse" in params:
        raise SetupError(params["refuse"])
    if "crash" in params:
        raise RuntimeError(params["crash"])
    return real_setup(self, params)


def run(self, item, params, context):
    if "refuse_on_run" in params:
        print(f"run {item['id']}", file=sys.stderr, flush=True)
        raise SetupError(params["refuse_on_run"])
    return real_run(self, item, params, context)


DiagJob.setup, DiagJob.run = setup, run
sys.exit(main(sys.argv[1:]))
