"""Job kinds the worker can run (their base types are in :mod:`localclip_worker.job`).

Job modules are imported on first use, so the worker says hello before anything heavy (torch) loads.
"""

from __future__ import annotations

import importlib

from localclip_worker.job import BatchJob, Job

# kind -> module that defines ``create() -> Job``.
JOB_MODULES = {
    "probe": "localclip_worker.jobs.probe",
    "diag": "localclip_worker.jobs.diag",
    "embed": "localclip_worker.jobs.embed",
    "clone": "localclip_worker.jobs.clone",
    "qa": "localclip_worker.jobs.qa",
}


def create_job(kind: str) -> Job | BatchJob:
    return importlib.import_module(JOB_MODULES[kind]).create()
