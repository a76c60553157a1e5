"""Run the ``clone`` job in this process, as a worker would, for one or more runs (worker python).

    clone_items.py SPEC.json OUT.json

SPEC: {"runs": [{"params": {...}, "items": [...], "fresh": bool, "simulate_oom": bool}]}: the first run
and each ``fresh`` one set a new job up with their params; any other run goes on with the previous job, as
a worker does (its ``run`` reloads the models only if the params changed). Then the run's items run; with
``simulate_oom`` generation raises CUDA's out-of-memory error, as a full GPU would.
OUT: {"runs": [{"setup": facts, {"error", "type"} or {} (not set up), "items": {id: result or
{"error", "type"}}, "seconds": {id: s}}]}. Errors are reported, never raised, so one process checks many
cases.
"""

import json
import sys
import time
from pathlib import Path
from unittest import mock

import torch

from localclip_worker.job import ItemContext
from localclip_worker.jobs import create_job


def failure(error: Exception) -> dict:
    return {"error": str(error), "type": type(error).__name__}


def out_of_memory(*args: object, **kwargs: object) -> None:
    raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (simulated)")


def run_items(job, run: dict, context: ItemContext, entry: dict) -> None:
    for item in run["items"]:
        started = time.perf_counter()
        try:
            if run.get("simulate_oom"):
                with mock.patch("localclip_worker.jobs.clone.speak_lines", out_of_memory):
                    entry["items"][item["id"]] = job.run(item, run["params"], context)
            else:
                entry["items"][item["id"]] = job.run(item, run["params"], context)
        except Exception as error:
            entry["items"][item["id"]] = failure(error)
        entry["seconds"][item["id"]] = time.perf_counter() - started


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    context = ItemContext(lambda done, total, message: None, lambda: False)
    job, report = None, []
    for run in spec["runs"]:
        entry: dict = {"items": {}, "seconds": {}}
        if job is not None and not run.get("fresh"):  # as a worker does: set up once, later runs only run
            entry["setup"] = {}
            run_items(job, run, context, entry)
            report.append(entry)
            continue
        job = create_job("clone")
        started = time.perf_counter()
        try:
            entry["setup"] = job.setup(run["params"])
        except Exception as error:
            entry["setup"] = failure(error)
        entry["setup_seconds"] = time.perf_counter() - started
        if "error" not in entry["setup"]:
            run_items(job, run, context, entry)
        report.append(entry)
    Path(sys.argv[2]).write_text(json.dumps({"runs": report}, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
