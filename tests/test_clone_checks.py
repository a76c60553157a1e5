"""Checking takes from the commands (docs/qa.md): `localclip clone --speaker-model ... --retake-flagged K`
and `localclip qa`, with real workers and tiny random-weight models (fish-speech, WeSpeaker, Whisper)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from localclip.core.cloning.manifest import CloneParams, Manifest, SeedPolicy
from localclip.core.cloning.project import scan_project
from localclip.core.cloning.takes import speaker_stats, take_checks
from localclip.core.options import QA_ENABLED, QA_RETAKES, WESPEAKER_MODEL_DIR
from localclip.core.qa.flags import best_take
from localclip.runs.setup import qa_setup
from localclip.runs.take_checks import QaSetup, TakeChecks
from localclip.settings import Settings
from tests import test_clone_cli
from tests.clone_project_helpers import make_project, write_wav
from tests.test_clone_cli import FAST, localclip, report_of

fish_model, project = test_clone_cli.fish_model, test_clone_cli.project  # the same fixtures


def events_of(completed: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_every_new_take_is_checked_and_a_flagged_line_is_retaken_keeping_the_best(
    project: Path,
    fish_model: Path,
    tiny_wespeaker_model: Path,
    tiny_whisper_model: Path,
) -> None:
    completed = localclip(
        "clone", project, "--model", fish_model, "--events", "jsonl", *FAST, "--workers", "1",
        "--only", "001", "002", "--speaker-model", tiny_wespeaker_model, "--recogniser", tiny_whisper_model,
        "--retake-flagged", "1",
    )  # fmt: skip
    events = events_of(completed)
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = report_of(events)
    checked = [event for event in events if event["event"] == "take_checked"]
    # Random weights speak no words of the line: every take is flagged, so each line gets one new take.
    assert report["qa"] == {"checked": 4, "unchecked": 0, "flagged": 2, "retaken": 2}
    assert report["done"] == 2 and len(checked) == 4
    assert all(event["flags"] and event["scores"]["transcript"] is not None for event in checked)
    assert any(flag["kind"] == "words" for event in checked for flag in event["flags"])
    manifest = Manifest.load(project)
    stats = speaker_stats(manifest)
    for line_id in ("001", "002"):
        record = manifest.lines[line_id]
        assert [take.take for take in record.takes] == [1, 2]  # no take is deleted
        assert all(take.qa is not None for take in record.takes)
        ranked = [(check.take, check.flags, check.qa) for check in take_checks(record, stats)]
        assert record.chosen_take == best_take(ranked)
    # Scores survive: a second run finds everything up to date and checks nothing again.
    completed = localclip(
        "qa", project, "--speaker-model", tiny_wespeaker_model, "--events", "jsonl", "--workers", "1"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert report_of(events_of(completed))["qa"]["checked"] == 0


@pytest.mark.slow
def test_qa_checks_the_takes_that_have_none(
    project: Path,
    fish_model: Path,
    tiny_wespeaker_model: Path,
) -> None:
    completed = localclip(
        "clone", project, "--model", fish_model, "--events", "jsonl", *FAST, "--workers", "1", "--only", "003"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert Manifest.load(project).lines["003"].takes[0].qa is None  # no speaker model: not checked
    completed = localclip(
        "qa", project, "--speaker-model", tiny_wespeaker_model, "--events", "jsonl", "--workers", "1"
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    events = events_of(completed)
    assert report_of(events)["qa"]["checked"] == 1
    [event] = [event for event in events if event["event"] == "take_checked"]
    assert event["line"] == "003" and event["scores"].get("transcript") is None  # no recogniser: no words
    take = Manifest.load(project).lines["003"].takes[0]
    assert take.qa is not None and -1.0 <= take.qa.voice <= 1.0
    assert take.qa.best_other_speaker in {"anna", "li_wei"}


@pytest.mark.slow
def test_check_options_say_what_is_wrong(project: Path, fish_model: Path, tmp_path: Path) -> None:
    completed = localclip("qa", project, "--speaker-model", tmp_path / "nothing here")
    assert (
        completed.returncode == 2 and "localclip:" in completed.stderr and "Traceback" not in completed.stderr
    )
    completed = localclip("clone", project, "--model", fish_model, "--retake-flagged", "2")
    assert completed.returncode == 2 and "--speaker-model" in completed.stderr


# -- the plumbing, without workers ---------------------------------------------------------------------


SCRIPT = "id,speaker,text\n1,anna,Hello there.\n2,bob,Good day to you.\n"


def made_takes(tmp_path: Path) -> tuple[Any, Manifest]:
    folder = make_project(tmp_path / "检查 project", ["anna", "bob"], SCRIPT)
    scan = scan_project(folder)
    manifest = Manifest.load(folder)
    for plan in manifest.plan_lines(scan, "model", CloneParams(), SeedPolicy(1)):
        write_wav(plan.out_path, seconds=1.0, seed=3)
        manifest.record_done(plan, 1.0)
    return scan, manifest


def worker_result(voice: float, transcript: str | None = "hello there") -> dict[str, Any]:
    similarity = {"bob": 0.3}
    return {"voice": {"anna": voice, "bob": 0.2}, "speaker_similarity": similarity, "transcript": transcript}


def test_a_result_becomes_the_takes_stored_scores_and_flags(tmp_path: Path) -> None:
    scan, manifest = made_takes(tmp_path)
    checks = TakeChecks(scan, manifest, QaSetup(tmp_path / "wespeaker"), "cpu")
    take = manifest.lines["1"].takes[0]
    item = checks.item("1", take)
    assert item["speaker"] == "anna" and Path(item["path"]).is_file() and item["language"] == ""
    assert checks.params()["speakers"].keys() == {"anna", "bob"} and checks.params() is checks.params()
    checked = checks.checked(item["id"], worker_result(0.9))
    assert checked.qa is not None and checked.flags == [] and not checks.owns(item["id"])
    assert manifest.lines["1"].takes[0].qa == checked.qa  # stored (the caller saves)
    bad = checks.item("1", manifest.lines["1"].takes[0])
    checked = checks.checked(bad["id"], worker_result(0.1, transcript="something else entirely"))
    assert {flag.kind for flag in checked.flags} == {"voice", "words"}
    assert checked.to_event()["flags"][0]["reason"].startswith("voice 0.10")


def test_a_take_that_cannot_be_checked_says_why_and_stays_unscored(tmp_path: Path) -> None:
    scan, manifest = made_takes(tmp_path)
    checks = TakeChecks(scan, manifest, QaSetup(tmp_path / "wespeaker"), "cpu")
    take = manifest.lines["2"].takes[0]
    gone, odd = checks.item("2", take), checks.item("2", take)
    (manifest.output_dir / take.path).unlink()
    checked = checks.checked(gone["id"], worker_result(0.9))
    assert checked.qa is None and "missing" in checked.problem
    checked = checks.checked(odd["id"], {"voice": "loud"})  # an untrusted result of the wrong shape
    assert checked.qa is None and checked.problem
    failed = checks.failed(checks.item("2", take)["id"], "the recogniser ran out of memory")
    assert failed.qa is None and failed.problem == "the recogniser ran out of memory"
    assert manifest.lines["2"].takes[0].qa is None


def test_the_window_checks_takes_when_a_speaker_model_is_chosen(tmp_path: Path) -> None:
    settings = Settings()
    assert qa_setup(settings) is None  # no speaker model: nothing to check with
    settings.set(WESPEAKER_MODEL_DIR, str(tmp_path / "wespeaker"))
    settings.set(QA_RETAKES, 2)
    setup = qa_setup(settings)
    assert setup is not None and setup.recogniser is None and setup.retakes == 2
    settings.set(QA_ENABLED, False)
    assert qa_setup(settings) is None
