"""The typed run report's dict form (the command line's event stream), and the child environment."""

import json
from pathlib import Path

from localclip.core.kinds import KIND_DATASET, KIND_PROJECT
from localclip.pool.child_env import child_environment
from localclip.pool.child_process import complete_lines
from localclip.pool.framing import LineSplitter
from localclip.pool.launch import WorkerLaunch
from localclip.runs.report import clone_report, embed_report


def test_embed_report_keeps_the_event_streams_keys_and_order() -> None:
    summary = {"cancelled": 2, "cancelled_run": True, "workers": {"0": {"done": 1}}}
    report = embed_report(summary, 0.0, clips=5, skipped=1, done=1, failed=1, store="s.sqlite")
    keys = [
        "clips",
        "skipped",
        "done",
        "failed",
        "not_done",
        "cancelled",
        "cancelled_run",
        "setup_error",
        "seconds",
    ]
    assert list(report.to_dict()) == [*keys, "store", "write_error", "workers"]
    assert report.cancelled == 2 and report.cancelled_run and report.workers == {"0": {"done": 1}}
    assert report.kind == KIND_DATASET and report.get("store") == "s.sqlite"


def test_clone_report_keeps_the_event_streams_keys_and_order() -> None:
    report = clone_report({"workers": {}}, 0.0, project="p", lines=3, done=3, output="o")
    assert list(report.to_dict()) == [
        "project", "lines", "up_to_date", "done", "failed", "skipped_lines", "failures", "cancelled_run",
        "setup_error", "seconds", "tokens_per_s", "output", "workers", "scheduler", "qa",
    ]  # fmt: skip
    assert report.kind == KIND_PROJECT and not report.cancelled_run
    json.dumps(report.to_dict())


def test_child_environment_is_utf8_unbuffered_and_workers_drop_the_parents_paths() -> None:
    env = child_environment({"HF_TOKEN": "t"}, {"PATH": "/bin", "PYTHONPATH": "x"})
    assert env == {"PATH": "/bin", "PYTHONPATH": "x", "PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1",
                   "PYTHONIOENCODING": "utf-8", "HF_TOKEN": "t"}  # fmt: skip
    worker = WorkerLaunch("0", python=Path("py")).environment({"PYTHONPATH": "x"})
    assert "PYTHONPATH" not in worker and worker["PYTHONUTF8"] == "1" and worker["CUDA_VISIBLE_DEVICES"] == ""


def test_complete_lines_waits_for_the_newline() -> None:
    splitter = LineSplitter(100)
    assert complete_lines(splitter, "é".encode()[:1]) == []
    assert complete_lines(splitter, "é".encode()[1:] + b"\n{}\r\n") == ["é", "{}"]


def test_already_done_means_done_before_the_run_for_both_kinds() -> None:
    """One word for one meaning: the stream's "skipped" (embedding) and "up_to_date" (cloning) are both
    what was done before the run; a worker's items handed back after a crash are another count."""
    assert embed_report({}, 0.0, clips=5, skipped=3).already_done == 3
    assert clone_report({}, 0.0, lines=5, up_to_date=2).already_done == 2
