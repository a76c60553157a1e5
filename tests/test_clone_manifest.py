"""The cloning manifest: planning with change detection, takes that never overwrite, seeds, corrupt
manifests, atomic saving and safe names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localclip.core.cloning.manifest import (
    MAX_SEED,
    CloneParams,
    LinePlan,
    Manifest,
    ManifestError,
    SeedPolicy,
    line_seed,
)
from localclip.core.cloning.project import ProjectScan, scan_project
from localclip.core.models.folders import FishModelInfo
from localclip.runs.clone import CloneOptions, CloneRun
from tests.clone_project_helpers import make_project, write_wav

MODEL = "s1-mini@abc123"
PARAMS = CloneParams()
SEEDS = SeedPolicy(42)
SCRIPT = "id,speaker,text\n1,anna,Hello there.\n2,anna,How are you?\n3,甲,你好。\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", ["anna", "甲"], SCRIPT)


def generate(manifest: Manifest, plans: list[LinePlan], duration: float = 1.5) -> None:
    """What a worker does: write each plan's file; then what the coordinator does: record it."""
    for plan in plans:
        write_wav(plan.out_path, seconds=0.1, seed=plan.seed % 1000)
        manifest.record_done(plan, duration)
    manifest.save()


def run(project: Path, **changes: object) -> tuple[Manifest, ProjectScan, list[LinePlan]]:
    manifest = Manifest.load(project)
    scan = scan_project(project)
    arguments = {"model_id": MODEL, "params": PARAMS, "seed_policy": SEEDS, **changes}
    return manifest, scan, manifest.plan_lines(scan, **arguments)  # type: ignore[arg-type]


def reasons(plans: list[LinePlan]) -> dict[str, str]:
    return {plan.line_id: plan.reason for plan in plans}


def first_run(project: Path) -> Manifest:
    manifest, _, plans = run(project)
    generate(manifest, plans)
    return manifest


# --- planning and resume -----------------------------------------------------------------------------


def test_a_new_project_plans_every_line_as_take_one(project: Path) -> None:
    _, scan, plans = run(project)

    assert reasons(plans) == {"1": "new", "2": "new", "3": "new"}
    assert [plan.out_path for plan in plans] == [
        project / "output" / "anna" / "1.wav",
        project / "output" / "anna" / "2.wav",
        project / "output" / "甲" / "3.wav",
    ]
    assert {plan.take for plan in plans} == {1}
    assert plans[2].inputs.reference_hashes == tuple(scan.speakers["甲"].reference_hashes)
    assert not (project / "output").exists()  # planning writes nothing


def test_a_second_run_skips_what_is_done_and_the_manifest_records_everything(project: Path) -> None:
    first_run(project)

    _, _, plans = run(project)

    assert plans == []
    saved = json.loads((project / "output" / "manifest.json").read_text(encoding="utf-8"))
    entry = saved["lines"]["3"]
    assert entry["text"] == "你好。" and entry["speaker"] == "甲"
    assert entry["model_id"] == MODEL
    assert entry["params"] == {
        "temperature": 0.8,
        "top_p": 0.8,
        "repetition_penalty": 1.1,
        "max_new_tokens": 1024,
    }
    assert entry["seed"] == line_seed(42, "3") and entry["duration"] == 1.5
    assert entry["status"] == "done" and entry["reason"] is None
    assert entry["chosen_take"] == 1
    assert entry["takes"][0]["path"] == "甲/3.wav" and entry["takes"][0]["take"] == 1
    assert entry["takes"][0]["seed"] == entry["seed"] and entry["takes"][0]["created"]
    assert len(entry["reference_hashes"]) == 1 and len(entry["reference_hashes"][0]) == 64
    assert entry["reference_transcripts"] == ["Hello there."]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("text", {"2": "text changed"}),
        ("reference", {"1": "reference changed", "2": "reference changed"}),
        ("transcript", {"3": "reference changed"}),
        ("model", {"1": "model changed", "2": "model changed", "3": "model changed"}),
        ("params", {"1": "params changed", "2": "params changed", "3": "params changed"}),
        ("missing file", {"3": "missing file"}),
        ("seed", {}),  # the seed is not an input: random-seed runs must resume too
    ],
)
def test_change_detection(project: Path, change: str, expected: dict[str, str]) -> None:
    first_run(project)
    arguments: dict[str, object] = {}
    if change == "text":
        (project / "script.csv").write_text(
            SCRIPT.replace("How are you?", "How do you do?"), encoding="utf-8"
        )
    elif change == "reference":
        write_wav(project / "speakers" / "anna" / "ref.wav", seconds=0.4, seed=99)
    elif change == "transcript":
        (project / "speakers" / "甲" / "ref.lab").write_text("A corrected transcript.", encoding="utf-8")
    elif change == "model":
        arguments["model_id"] = "s1-mini@def456"
    elif change == "params":
        arguments["params"] = CloneParams(temperature=0.7)
    elif change == "missing file":
        (project / "output" / "甲" / "3.wav").unlink()
    elif change == "seed":
        arguments["seed_policy"] = SeedPolicy(7)

    _, _, plans = run(project, **arguments)

    assert reasons(plans) == expected


def test_a_changed_line_gets_a_new_take_and_the_old_file_is_kept(project: Path) -> None:
    first_run(project)
    old = project / "output" / "anna" / "2.wav"
    old_bytes = old.read_bytes()
    (project / "script.csv").write_text(SCRIPT.replace("How are you?", "How do you do?"), encoding="utf-8")

    manifest, _, (plan,) = run(project)
    assert (plan.take, plan.out_path) == (2, project / "output" / "anna" / "2.take2.wav")
    generate(manifest, [plan])

    assert old.read_bytes() == old_bytes
    record = Manifest.load(project).lines["2"]
    assert [take.take for take in record.takes] == [1, 2]
    assert record.chosen_take == 2 and record.inputs.text == "How do you do?"
    assert record.takes[0].inputs.text == "How are you?"  # each take remembers what it was made from
    assert run(project)[2] == []


def test_a_file_the_manifest_does_not_know_is_never_overwritten(project: Path) -> None:
    stranger = write_wav(project / "output" / "anna" / "1.wav", seconds=0.2, seed=5)
    content = stranger.read_bytes()

    _, _, plans = run(project)

    assert plans[0].out_path == project / "output" / "anna" / "1.take2.wav"
    assert plans[0].take == 2 and stranger.read_bytes() == content


def test_a_missing_file_is_made_again_under_its_own_name_and_seed(project: Path) -> None:
    manifest = first_run(project)
    seed = manifest.lines["3"].seed
    (project / "output" / "甲" / "3.wav").unlink()

    manifest, _, (plan,) = run(project, seed_policy=SeedPolicy())

    assert (plan.reason, plan.take, plan.seed) == ("missing file", 1, seed)
    assert plan.out_path == project / "output" / "甲" / "3.wav"
    generate(manifest, [plan], duration=2.0)
    record = Manifest.load(project).lines["3"]
    assert len(record.takes) == 1 and record.takes[0].duration == 2.0


def test_only_plans_the_given_ids(project: Path) -> None:
    _, _, plans = run(project, only=["3", "unknown"])
    assert reasons(plans) == {"3": "new"}


# --- takes -------------------------------------------------------------------------------------------


def test_regenerate_writes_a_new_take_beside_the_old_and_choose_take_switches(project: Path) -> None:
    first_run(project)
    manifest = Manifest.load(project)
    scan = scan_project(project)

    plan = manifest.plan_take(scan, "1", MODEL, PARAMS, seed=1234)
    assert (plan.reason, plan.take, plan.seed) == ("regenerate", 2, 1234)
    assert plan.out_path.name == "1.take2.wav"
    generate(manifest, [plan])
    assert manifest.lines["1"].chosen_take == 2
    assert manifest.chosen_path("1") == plan.out_path
    assert (project / "output" / "anna" / "1.wav").is_file()

    manifest.choose_take("1", 1)
    manifest.save()
    record = Manifest.load(project).lines["1"]
    assert record.chosen_take == 1 and record.seed == line_seed(42, "1")
    assert run(project)[2] == []  # take 1 matches the inputs: nothing to do


def test_new_take_reserves_paths_and_never_returns_an_existing_file(project: Path) -> None:
    manifest = first_run(project)
    write_wav(project / "output" / "anna" / "2.take2.wav")  # made by hand

    first = manifest.new_take("2", seed=1)
    second = manifest.new_take("2", seed=2)

    assert (first.name, second.name) == ("2.take3.wav", "2.take4.wav")
    assert manifest.new_take("new-line", seed=3, speaker="anna").name == "new-line.wav"
    with pytest.raises(ManifestError, match="name its speaker"):
        manifest.new_take("unknown", seed=1)


def test_choose_take_refuses_unknown_or_missing_takes(project: Path) -> None:
    manifest = first_run(project)
    with pytest.raises(ManifestError, match=r"has no take 5 \(takes: 1\)"):
        manifest.choose_take("1", 5)
    with pytest.raises(ManifestError, match="no line 'nope'"):
        manifest.choose_take("nope", 1)
    (project / "output" / "anna" / "1.wav").unlink()
    with pytest.raises(ManifestError, match="missing"):
        manifest.choose_take("1", 1)


def test_plan_take_for_a_line_that_cannot_be_generated(project: Path) -> None:
    (project / "script.csv").write_text(SCRIPT + "4,nobody,Hi.\n", encoding="utf-8")
    manifest = Manifest.load(project)
    scan = scan_project(project)
    with pytest.raises(ManifestError, match="unknown speaker 'nobody'"):
        manifest.plan_take(scan, "4", MODEL, PARAMS, seed=1)
    with pytest.raises(ManifestError, match="no line '9'"):
        manifest.plan_take(scan, "9", MODEL, PARAMS, seed=1)


def test_record_done_needs_the_file(project: Path) -> None:
    manifest, _, plans = run(project)
    with pytest.raises(ManifestError, match="no file"):
        manifest.record_done(plans[0], 1.0)


# --- failures ----------------------------------------------------------------------------------------


def test_a_failed_line_is_recorded_with_its_reason_and_retried(project: Path) -> None:
    manifest, _, plans = run(project)
    generate(manifest, plans[:2])
    manifest.record_failed(plans[2], "CUDA out of memory")
    manifest.save()

    record = Manifest.load(project).lines["3"]
    assert (record.status, record.reason, record.takes, record.chosen_take) == (
        "failed",
        "CUDA out of memory",
        [],
        None,
    )
    assert reasons(run(project)[2]) == {"3": "failed"}


def test_a_failed_regeneration_keeps_the_chosen_take(project: Path) -> None:
    manifest = first_run(project)
    plan = manifest.plan_take(scan_project(project), "1", MODEL, PARAMS, seed=5)
    manifest.record_failed(plan, "worker died")
    manifest.save()

    record = Manifest.load(project).lines["1"]
    assert record.status == "failed" and record.chosen_take == 1 and len(record.takes) == 1
    assert run(project)[2] == []


# --- seeds -------------------------------------------------------------------------------------------


def test_fixed_seeds_are_stable_per_line_and_differ_between_lines(project: Path) -> None:
    _, _, plans = run(project)
    _, _, again = run(project)
    seeds = [plan.seed for plan in plans]
    assert seeds == [plan.seed for plan in again]
    assert len(set(seeds)) == 3
    assert line_seed(42, "1") == 352_311_889  # pinned: a seed must mean the same line on every machine
    assert [plan.seed for plan in run(project, seed_policy=SeedPolicy(43))[2]] != seeds


def test_random_seeds_are_in_range_and_recorded(project: Path) -> None:
    manifest, _, plans = run(project, seed_policy=SeedPolicy())
    assert all(0 <= plan.seed <= MAX_SEED for plan in plans)
    generate(manifest, plans)
    assert [Manifest.load(project).lines[plan.line_id].seed for plan in plans] == [
        plan.seed for plan in plans
    ]


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, 1.5, True])
def test_bad_seeds_are_refused(seed: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        SeedPolicy(seed)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {"temperature": 0},
        {"temperature": 2.0},
        {"top_p": 1.5},
        {"top_p": 0},
        {"repetition_penalty": 2},
        {"max_new_tokens": 1},
        {"max_new_tokens": -5},
        {"temperature": float("nan")},
    ],
)
def test_params_outside_fish_speech_limits_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        CloneParams(**changes)  # type: ignore[arg-type]


# --- the manifest file -------------------------------------------------------------------------------


def test_a_corrupt_manifest_is_renamed_aside_with_a_notice(project: Path) -> None:
    first_run(project)
    path = project / "output" / "manifest.json"
    path.write_text('{"format": 1, "lines": {"1": ', encoding="utf-8")

    manifest = Manifest.load(project)

    assert manifest.lines == {}
    assert manifest.notice is not None and "could not be read (not JSON" in manifest.notice
    aside = list((project / "output").glob("manifest.corrupt-*.json"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == '{"format": 1, "lines": {"1": '
    assert aside[0].name in manifest.notice
    assert not path.exists()
    # The clips are still there, so the lines come back as new takes rather than overwriting them.
    plans = manifest.plan_lines(scan_project(project), MODEL, PARAMS, SEEDS)
    assert {plan.take for plan in plans} == {2}


def test_a_damaged_entry_or_a_path_outside_output_counts_as_corrupt(project: Path) -> None:
    first_run(project)
    path = project / "output" / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["lines"]["1"]["takes"][0]["path"] = "../../speakers/anna/ref.wav"
    path.write_text(json.dumps(document), encoding="utf-8")

    manifest = Manifest.load(project)

    assert manifest.lines == {}
    assert manifest.notice is not None and "the entry of line '1' is damaged" in manifest.notice
    assert "not inside output/" in manifest.notice

    second = project / "output" / "manifest.json"
    second.write_text(json.dumps({"format": 1, "lines": {"2": {"text": "x"}}}), encoding="utf-8")
    assert "the entry of line '2' is damaged (missing 'status')" in (Manifest.load(project).notice or "")


def test_a_manifest_from_a_newer_version_is_left_alone(project: Path) -> None:
    path = project / "output" / "manifest.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"format": 99, "lines": {}}), encoding="utf-8")

    with pytest.raises(ManifestError, match="newer LocalClip"):
        Manifest.load(project)
    assert path.exists()


def test_save_is_atomic(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = first_run(project)
    path = project / "output" / "manifest.json"
    before = path.read_bytes()
    manifest.record_failed(run(project, model_id="other")[2][0], "changed")

    def refuse(self: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        manifest.save()
    monkeypatch.undo()

    assert path.read_bytes() == before  # the old manifest is whole
    assert sorted(item.name for item in path.parent.iterdir() if item.is_file()) == ["manifest.json"]
    manifest.save()
    assert Manifest.load(project).lines["1"].status == "failed"
    assert sorted(item.name for item in path.parent.iterdir() if item.is_file()) == ["manifest.json"]


def test_text_in_any_language_survives_a_round_trip(project: Path) -> None:
    first_run(project)
    raw = (project / "output" / "manifest.json").read_text(encoding="utf-8")
    assert "你好。" in raw and "甲/3.wav" in raw  # written as text, not \\u escapes
    assert Manifest.load(project).lines["3"].inputs.text == "你好。"


# --- safe names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("speaker", "line_id"), [("..", "1"), ("anna", "../x"), ("a/b", "1"), ("anna", "")])
def test_names_that_would_leave_output_are_refused(project: Path, speaker: str, line_id: str) -> None:
    manifest = Manifest.load(project)
    with pytest.raises(ManifestError, match="cannot be written"):
        manifest.take_path(speaker, line_id, 1)


def test_a_link_out_of_output_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project / "output").mkdir()
    try:
        (project / "output" / "anna").symlink_to(outside, target_is_directory=True)
    except OSError:  # Windows without the privilege to make links
        pytest.skip("cannot make a symbolic link here")
    manifest = Manifest.load(project)
    with pytest.raises(ManifestError, match="resolves outside"):
        manifest.plan_lines(scan_project(project), MODEL, PARAMS, SEEDS)


# --- review state: trim, approval, note ----------------------------------------------------------------


def test_trim_approval_and_note_survive_a_round_trip(project: Path) -> None:
    manifest = first_run(project)
    manifest.set_trim("1", 1, 0.25, 1.0)
    manifest.set_approved("1", True)
    manifest.set_note("1", "breath at the start — 剪掉")
    manifest.set_trim("2", 1, 0.5, None)
    manifest.save()

    again = Manifest.load(project)
    take = again.lines["1"].take(1)
    assert take is not None and (take.trim_in, take.trim_out) == (0.25, 1.0)
    assert take.kept_seconds == pytest.approx(0.75) and take.trimmed
    assert again.lines["1"].approved and again.lines["1"].note == "breath at the start — 剪掉"
    second = again.lines["2"].take(1)
    assert second is not None and (second.trim_in, second.trim_out) == (0.5, None)
    assert second.kept_seconds == pytest.approx(1.0)  # 1.5 s recorded
    untouched = again.lines["3"]
    assert not untouched.approved and untouched.note == ""

    again.set_trim("1", 1, 0.0, None)  # undoing the trim writes the take as before
    assert "trim_in" not in again.lines["1"].take(1).to_dict()  # type: ignore[union-attr]


def test_a_manifest_without_the_review_fields_loads(project: Path) -> None:
    first_run(project)
    path = project / "output" / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for entry in document["lines"].values():
        del entry["approved"], entry["note"]
        assert all("trim_in" not in take and "trim_out" not in take for take in entry["takes"])
    path.write_text(json.dumps(document), encoding="utf-8")

    manifest = Manifest.load(project)
    assert manifest.notice is None
    record = manifest.lines["1"]
    assert not record.approved and record.note == ""
    take = record.chosen
    assert take is not None and (take.trim_in, take.trim_out, take.kept_seconds) == (0.0, None, 1.5)


@pytest.mark.parametrize(("trim_in", "trim_out"), [(-0.1, None), (1.0, 1.0), (1.2, 0.5), (0.0, 1.6)])
def test_a_trim_outside_the_take_is_refused(project: Path, trim_in: float, trim_out: float | None) -> None:
    manifest = first_run(project)
    with pytest.raises(ManifestError, match="trim keeps"):
        manifest.set_trim("1", 1, trim_in, trim_out)
    assert manifest.lines["1"].take(1).trim_in == 0.0  # type: ignore[union-attr]
    with pytest.raises(ManifestError, match="no take 9"):
        manifest.set_trim("1", 9, 0.0, None)
    with pytest.raises(ManifestError, match="no line"):
        manifest.set_approved("nope", True)


def test_damaged_review_fields_count_as_corrupt(project: Path) -> None:
    first_run(project)
    path = project / "output" / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["lines"]["1"]["approved"] = "yes"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert "the entry of line '1' is damaged" in (Manifest.load(project).notice or "")


def test_a_new_take_keeps_the_note_and_asks_for_approval_again(project: Path) -> None:
    manifest = first_run(project)
    manifest.set_approved("1", True)
    manifest.set_note("1", "too fast")
    plan = manifest.plan_take(scan_project(project), "1", MODEL, PARAMS, seed=7)
    generate(manifest, [plan])
    record = Manifest.load(project).lines["1"]
    assert record.chosen_take == 2 and record.note == "too fast" and not record.approved


# --- the worker's peak ---------------------------------------------------------------------------------


def test_a_recorded_peak_survives_a_round_trip_and_is_written_only_when_known(project: Path) -> None:
    manifest, _, plans = run(project)
    for plan, peak in zip(plans, (-3.5, -120.0, None), strict=True):
        write_wav(plan.out_path, seconds=0.1, seed=plan.seed % 1000)
        manifest.record_done(plan, 1.0, peak_db=peak)
    manifest.save()

    document = json.loads((project / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert [take.get("peak_db") for take in document["lines"]["1"]["takes"]] == [-3.5]
    assert "peak_db" not in document["lines"]["3"]["takes"][0]  # an unknown peak is not written
    again = Manifest.load(project)
    peaks = {line_id: record.chosen.peak_db for line_id, record in again.lines.items()}  # type: ignore[union-attr]
    assert peaks == {"1": -3.5, "2": -120.0, "3": None} and again.notice is None
    again.set_trim("1", 1, 0.1, None)  # a trim keeps the peak
    assert again.lines["1"].chosen.peak_db == -3.5  # type: ignore[union-attr]


def test_a_manifest_written_before_peaks_loads_with_unknown_peaks(project: Path) -> None:
    first_run(project)  # record_done without a peak: what older versions wrote
    path = project / "output" / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert all("peak_db" not in take for entry in document["lines"].values() for take in entry["takes"])
    manifest = Manifest.load(project)
    assert manifest.notice is None
    assert all(take.peak_db is None for record in manifest.lines.values() for take in record.takes)


@pytest.mark.parametrize("peak", [float("nan"), float("inf"), -1e9, "loud", True])
def test_record_done_refuses_a_peak_that_is_not_one(project: Path, peak: object) -> None:
    manifest, _, plans = run(project)
    write_wav(plans[0].out_path, seconds=0.1)
    with pytest.raises(ValueError, match="peak"):
        manifest.record_done(plans[0], 1.0, peak_db=peak)  # type: ignore[arg-type]
    assert "1" not in manifest.lines


def test_a_damaged_peak_in_the_manifest_counts_as_corrupt(project: Path) -> None:
    first_run(project)
    path = project / "output" / "manifest.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["lines"]["1"]["takes"][0]["peak_db"] = "-3"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert "the entry of line '1' is damaged" in (Manifest.load(project).notice or "")


WORKER_PEAKS = [(-6.0, -6.0), (-120, -120.0), (None, None), ("-6", None), (float("nan"), None), (True, None)]


@pytest.mark.parametrize(("reported", "recorded"), [*WORKER_PEAKS, ([], None), (-1e9, None)])
def test_a_clone_run_records_a_worker_peak_only_when_it_is_a_number(
    project: Path, reported: object, recorded: float | None
) -> None:
    """A worker line is untrusted: a bad `peak_db` is recorded as unknown, and the line is still done."""
    run_ = CloneRun(scan_project(project), FishModelInfo(project, project, MODEL), CloneOptions(seed=1))
    finished: list[tuple[str, dict[str, object]]] = []
    run_.line_finished.connect(lambda line_id, info: finished.append((line_id, info)))
    run_._measured.add("0")  # no pool here: skip the GPU-memory check of a worker's first line
    plan = run_.plans["1"]
    write_wav(plan.out_path, seconds=0.1)
    result = {"path": str(plan.out_path), "duration": 0.1, "tokens": 3, "generate_seconds": 0.1}
    run_._on_line_done("1", "0", {**result, "peak_db": reported} if reported is not None else result)

    take = Manifest.load(project).lines["1"].chosen
    assert take is not None and take.peak_db == recorded
    assert run_.state.done == 1 and run_.state.failed == 0
    assert finished[0][1]["status"] == "done" and finished[0][1]["peak_db"] == recorded
