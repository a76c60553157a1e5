"""A new take whose model no worker can set up: the request ends with the reason, nothing is recorded as
failed, and the regenerator is free again (runs/regenerate.py with a real worker)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from localclip.core.cloning.manifest import OUTPUT_FOLDER, CloneParams, Manifest
from localclip.core.cloning.run_settings import CloneRunSettings, save_run_settings
from localclip.core.models.folders import FISH_FILES
from localclip.core.paths import resources_dir
from localclip.runs.regenerate import TakeRegenerator


def refused_checkpoint(folder: Path) -> Path:
    """Every file the app's check wants, but a config.json of a model type the worker does not run."""
    folder.mkdir()
    for name in (*FISH_FILES, "codec.pth"):
        (folder / name).write_bytes(b"not a model")
    (folder / "config.json").write_text(json.dumps({"model_type": "naive"}), encoding="utf-8")
    return folder


def test_a_take_whose_model_cannot_be_set_up_ends_with_the_reason(qtbot: Any, tmp_path: Path) -> None:
    project = tmp_path / "项目 project"
    shutil.copytree(resources_dir() / "example_project", project, ignore=shutil.ignore_patterns("output"))
    checkpoint = refused_checkpoint(tmp_path / "refused 模型")
    params = CloneParams(max_new_tokens=24).to_dict()
    recorded = CloneRunSettings(str(checkpoint), str(checkpoint / "codec.pth"), "cpu", "", params, 1)
    save_run_settings(project / OUTPUT_FOLDER, recorded)
    regenerator = TakeRegenerator(project, idle_timeout=None)
    failed: list[tuple[str, str]] = []
    regenerator.take_failed.connect(lambda line, reason: failed.append((line, reason)))
    with qtbot.waitSignal(regenerator.busy_changed, check_params_cb=lambda busy: not busy, timeout=180_000):
        regenerator.regenerate("001", seed=5)
    assert len(failed) == 1 and failed[0][0] == "001", failed
    assert failed[0][1].startswith("could not start clone: ") and "model_type is 'naive'" in failed[0][1]
    assert "001" not in Manifest.load(project).lines  # no failure recorded for the line
    assert not regenerator.pending_lines()
    with qtbot.waitSignal(regenerator.stopped, timeout=30_000):
        assert regenerator.shutdown()
