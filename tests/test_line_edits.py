"""Edits made in the review (core/cloning/edits.py): a line's new text or its chosen reference, kept in
output/line_edits.json, applied by the project scan; the manifest then plans a new take (earlier takes
kept) and the run sends only the chosen reference."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from localclip.core.cloning.edits import EDITS_FILE, EditsError, LineEdits
from localclip.core.cloning.manifest import OUTPUT_FOLDER, CloneParams, Manifest, SeedPolicy
from localclip.core.cloning.project import ProjectError, scan_project
from localclip.core.paths import resources_dir
from localclip.runs.clone import CloneOptions, CloneRun
from tests.test_regenerate_setup import refused_checkpoint

PARAMS = CloneParams(max_new_tokens=24)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The example project, with a second reference for anna (calm.wav)."""
    root = tmp_path / "编辑 project"
    shutil.copytree(resources_dir() / "example_project", root, ignore=shutil.ignore_patterns("output"))
    anna = root / "speakers" / "anna"
    shutil.copy(anna / "hello.wav", anna / "calm.wav")
    (anna / "calm.lab").write_text("A calm voice.", encoding="utf-8")
    return root


def test_edits_round_trip_and_none_removes_them(project: Path) -> None:
    edits = LineEdits.load(project)
    assert edits.text("001") is None and edits.reference("001") is None
    edits.set_text("001", "  Neue Worte, 新的词。 ")
    edits.set_reference("001", "calm.wav")
    edits.set_reference("002", "greeting.wav")
    edits.save()
    again = LineEdits.load(project)
    assert again.text("001") == "Neue Worte, 新的词。" and again.reference("001") == "calm.wav"
    assert again.reference("002") == "greeting.wav" and again.text("002") is None
    again.set_reference("002", None)
    again.set_text("001", None)
    again.save()
    last = LineEdits.load(project)
    assert last.line_ids() == ["001"] and last.text("001") is None and last.reference("001") == "calm.wav"
    assert not list((project / OUTPUT_FOLDER).glob("*.tmp*"))  # written beside, renamed into place


def test_edits_refuse_what_cannot_be_meant(project: Path) -> None:
    edits = LineEdits.load(project)
    with pytest.raises(EditsError, match="empty"):
        edits.set_text("001", "  ")
    for name in ("../anna/hello.wav", "sub/x.wav", ""):
        with pytest.raises(EditsError, match="file name"):
            edits.set_reference("001", name)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b'{"version": 1, "lines": {"001": {"text": 5}}}',
        b'{"version": 1, "lines": {"001": {"colour": "red"}}}',
        b'{"version": 7, "lines": {}}',
        b"[]",
    ],
)
def test_a_damaged_edits_file_is_a_clear_error(project: Path, content: bytes) -> None:
    path = project / OUTPUT_FOLDER / EDITS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with pytest.raises(EditsError, match=r"line_edits\.json is damaged"):
        LineEdits.load(project)
    with pytest.raises(ProjectError, match=r"line_edits\.json is damaged"):
        scan_project(project)  # never generated from the script's old words instead


def test_the_scan_applies_the_edits_and_the_script_is_untouched(project: Path) -> None:
    script = (project / "script.csv").read_bytes()
    edits = LineEdits.load(project)
    edits.set_text("001", "Edited words.")
    edits.set_reference("001", "calm.wav")
    edits.set_reference("002", "gone.wav")  # li_wei has no such recording (any more)
    edits.save()
    scan = scan_project(project)
    lines = {line.id: line for line in scan.lines}
    assert lines["001"].text == "Edited words." and lines["001"].edited
    assert lines["001"].reference == "calm.wav"
    assert [ref.audio.name for ref in scan.references_for(lines["001"])] == ["calm.wav"]
    assert lines["002"].reference is None and not lines["002"].edited
    assert [ref.audio.name for ref in scan.references_for(lines["002"])] == ["greeting.wav"]
    [problem] = [problem for problem in scan.problems if "gone.wav" in problem.message]
    assert problem.file == "output/line_edits.json" and "all of its references are used" in problem.message
    assert (project / "script.csv").read_bytes() == script


def record_first_takes(project: Path, model_id: str) -> Manifest:
    """Every line of the project recorded as made (a file per take), as a finished run leaves it."""
    manifest = Manifest.load(project)
    for plan in manifest.plan_lines(scan_project(project), model_id, PARAMS, SeedPolicy(1)):
        plan.out_path.parent.mkdir(parents=True, exist_ok=True)
        plan.out_path.write_bytes(b"RIFF take 1")
        manifest.record_done(plan, 1.0)
    manifest.save()
    return manifest


def test_an_edited_text_plans_a_new_take_and_keeps_the_old_ones(project: Path) -> None:
    record_first_takes(project, "model-a")
    manifest = Manifest.load(project)
    assert manifest.plan_lines(scan_project(project), "model-a", PARAMS, SeedPolicy(1)) == []
    edits = LineEdits.load(project)
    edits.set_text("003", "A new sentence.")
    edits.set_reference("001", "calm.wav")
    edits.save()
    plans = {
        p.line_id: p for p in manifest.plan_lines(scan_project(project), "model-a", PARAMS, SeedPolicy(1))
    }
    assert set(plans) == {"001", "003"}
    assert plans["003"].reason == "text changed" and plans["003"].text == "A new sentence."
    assert plans["001"].reason == "reference changed" and len(plans["001"].inputs.reference_hashes) == 1
    assert plans["003"].take == 2  # a new file: take 1 stays
    old = manifest.lines["003"].takes
    assert [take.take for take in old] == [1] and manifest.chosen_path("003").is_file()


def test_a_chosen_reference_is_the_only_one_sent(project: Path, tmp_path: Path) -> None:
    from localclip.core.models.folders import check_fish_dir

    model = check_fish_dir(refused_checkpoint(tmp_path / "model"))
    edits = LineEdits.load(project)
    edits.set_reference("001", "calm.wav")
    edits.save()
    run = CloneRun(scan_project(project), model, CloneOptions(device="cpu", params=PARAMS, seed=1))
    chosen = run.item_for(run.plans["001"])
    assert [Path(ref["audio"]).name for ref in chosen["references"]] == ["calm.wav"]
    assert chosen["references"][0]["text"] == "A calm voice."
    other = run.item_for(run.plans["004"])  # anna too, no choice: both references
    assert sorted(Path(ref["audio"]).name for ref in other["references"]) == ["calm.wav", "hello.wav"]
    run.deleteLater()


def test_edits_file_is_plain_json(project: Path) -> None:
    edits = LineEdits.load(project)
    edits.set_text("001", "Ü")
    edits.save()
    data = json.loads((project / OUTPUT_FOLDER / EDITS_FILE).read_text(encoding="utf-8"))
    assert data == {"version": 1, "lines": {"001": {"text": "Ü"}}}
